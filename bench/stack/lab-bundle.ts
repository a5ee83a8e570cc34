/**
 * The lab's child processes (the API, the mocked upstreams, the model) start from a bundle of
 * their TypeScript (bundle.js), built once per lab process, all three in one esbuild call, rather
 * than through tsx's loader: a quick bench starts three of them, a --runs N bench 2N + 1. Where no
 * bundle can be built (a variant that does not parse, a read-only node_modules), a child starts
 * through tsx as before and says nothing: the error, if any, is the variant's own and tsx reports
 * it as it always did. LAB_TSX=1 starts them through tsx always (a stack trace then names the .ts
 * lines), and so does a CPU profile (lab-process.ts), whose frames name their files.
 */
import { fileURLToPath } from 'node:url'
import { bundle } from './bundle.js'

/** The entries bundled, all at once (one esbuild call): the lab's child processes. */
const ENTRIES = ['api-main.ts', 'upstream-main.ts', 'model-main.ts'].map((file) => fileURLToPath(new URL(`./${file}`, import.meta.url)))
export const TSX_ENV = 'LAB_TSX'

/** node's --import flag that loads tsx, so a child runs TypeScript like its parent. */
export function tsxExecArgv(): string[] {
  return ['--import', import.meta.resolve('tsx')]
}

let bundles: Promise<Map<string, string> | null> | undefined

/** The bundle of each entry, built on first use (once per process); null when none could be built. */
function built(): Promise<Map<string, string> | null> {
  bundles ??= process.env[TSX_ENV] === '1' ? Promise.resolve(null) : bundle(ENTRIES).catch(() => null)
  return bundles
}

/** What to fork for `entry` (one of the lab's .ts entries): its bundle, or the .ts file through tsx. */
export async function childCommand(entry: string, { throughTsx = false } = {}): Promise<{ file: string; execArgv: string[] }> {
  const bundled = throughTsx ? undefined : (await built())?.get(entry)
  return bundled ? { file: bundled, execArgv: [] } : { file: entry, execArgv: tsxExecArgv() }
}
