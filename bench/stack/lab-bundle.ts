/**
 * The lab's child processes (the API, the mocked upstreams, the model) start from a bundle of
 * their own TypeScript, built by esbuild once per lab process in about 0.1 s (its plugin API is asynchronous only, hence a fork that waits for it), rather than
 * through tsx's loader: every module a child imports, the npm packages' too, goes through that
 * loader, and a child took 0.8–1.6 s of CPU to load its modules that way against 0.3–0.7 s
 * from the bundle (2 cores; the API 1.63 s against 0.69 s). A quick bench starts three of them,
 * a --runs N bench 2N + 1. The npm packages stay outside the bundle, loaded by node as they are.
 *
 * The bundle holds the same code: each file's `import.meta.url` is its own file's (the lab finds
 * variants/, the results and its package.json from it), and load-variants.ts names its variant
 * files with a pattern esbuild resolves to every file in variants/ at build time, so a variant
 * added before a run is in it. Where no bundle can be built (a variant that does not parse, a
 * read-only node_modules), a child starts through tsx as before and says nothing: the error, if
 * any, is the variant's own and tsx reports it as it always did. LAB_TSX=1 starts them through
 * tsx always (a stack trace then names the .ts lines), and so does a CPU profile (lab-process.ts),
 * whose frames name their files.
 *
 * Written by hand: esbuild builds, but which entries, where the files go (in node_modules/.cache,
 * so node finds the packages from them) and when to fall back are the lab's.
 */
import type { Plugin } from 'esbuild'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** Where the bundles are written: under node_modules, so the packages they import resolve from there. */
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'api-speedup-lab')
/** The entries bundled, all at once (one esbuild call): the lab's child processes. */
const ENTRIES = ['api-main.ts', 'upstream-main.ts', 'model-main.ts'].map((file) => fileURLToPath(new URL(`./${file}`, import.meta.url)))
/** A bundle not used for this long is removed when another is written (each change of the code writes new ones). */
const UNUSED_FOR_MS = 24 * 3600_000
export const TSX_ENV = 'LAB_TSX'

/** node's --import flag that loads tsx, so a child runs TypeScript like its parent. */
export function tsxExecArgv(): string[] {
  return ['--import', import.meta.resolve('tsx')]
}

/** Each file's `import.meta.url` as its own file's, not the bundle's. */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }))
  },
}

let bundles: Promise<Map<string, string> | null> | undefined

/** The bundle of each entry, built on first use (once per process); null when none could be built. */
function built(): Promise<Map<string, string> | null> {
  bundles ??= process.env[TSX_ENV] === '1' ? Promise.resolve(null) : buildAll()
  return bundles
}

async function buildAll(): Promise<Map<string, string> | null> {
  try {
    // Loaded here, not at the top: the child processes import this file's module too (through lab-process.ts) and build nothing.
    const { build } = await import('esbuild')
    const result = await build({
      entryPoints: ENTRIES,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outdir: CACHE_DIR,
      outExtension: { '.js': '.mjs' },
      entryNames: '[name]-[hash]',
      write: false,
      logLevel: 'silent',
      plugins: [ownImportMetaUrl],
    })
    mkdirSync(CACHE_DIR, { recursive: true })
    const files = new Map<string, string>()
    for (const [i, output] of result.outputFiles.entries()) {
      // Named by its content: a file already there is this very bundle, written by an earlier run or a concurrent one.
      if (!existsSync(output.path)) {
        const partial = `${output.path}.${process.pid}.partial`
        writeFileSync(partial, output.contents)
        renameSync(partial, output.path)
      } else {
        const now = new Date()
        utimesSync(output.path, now, now)
      }
      files.set(ENTRIES[i]!, output.path)
    }
    removeUnused(new Set(files.values()))
    return files
  } catch {
    // Through tsx, which reports a variant that does not parse as it always has.
    return null
  }
}

function removeUnused(keep: Set<string>): void {
  for (const file of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, file)
    if (keep.has(path)) continue
    try {
      if (Date.now() - statSync(path).mtimeMs > UNUSED_FOR_MS) rmSync(path, { force: true })
    } catch (e) {
      console.error(e)
      // Removed meanwhile by another run.
    }
  }
}

/** What to fork for `entry` (one of the lab's .ts entries): its bundle, or the .ts file through tsx. */
export async function childCommand(entry: string, { throughTsx = false } = {}): Promise<{ file: string; execArgv: string[] }> {
  const bundle = throughTsx ? undefined : (await built())?.get(entry)
  return bundle ? { file: bundle, execArgv: [] } : { file: entry, execArgv: tsxExecArgv() }
}
