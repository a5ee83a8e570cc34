/**
 * The lab's child processes (the mocked upstreams, the API under test, the model): forked from
 * their bundle or through tsx (below), handed their start-up data over IPC, and stopped
 * by their parent. A child also
 * exits when its parent goes away, so none is left behind.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { bundle } from './bundle.js'

export interface LabProcess<Ready> {
  child: ChildProcess
  pid: number
  ready: Ready
  stop(): Promise<void>
}

type Message<Ready> = { type: 'ready'; ready: Ready } | { type: 'failed'; message: string }

/**
 * Every child still running. The lab stops its children before it exits; one it could not
 * (a model process stuck in a loop that never yields, which no SIGTERM handler can interrupt)
 * is killed as the lab exits, Ctrl-C included.
 */
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/**
 * The children start from a bundle of their TypeScript (bundle.js), built once per lab process,
 * all three in one esbuild call, rather than through tsx's loader: a quick bench starts three of
 * them, a --runs N bench 2N + 1. Where no bundle can be built (a variant that does not parse, a
 * read-only node_modules), a child starts through tsx as before and says nothing: the error, if
 * any, is the variant's own and tsx reports it as it always did. LAB_TSX=1 starts them through
 * tsx always (a stack trace then names the .ts lines), and so does a CPU profile, whose frames
 * name their files.
 */
const ENTRIES = ['api-main.ts', 'upstream-main.ts', 'model-main.ts'].map((file) => fileURLToPath(new URL(`./${file}`, import.meta.url)))
export const TSX_ENV = 'LAB_TSX'

/** node's --import flag that loads tsx, so a child runs TypeScript like its parent. */
export function tsxExecArgv(): string[] {
  return ['--import', import.meta.resolve('tsx')]
}

let bundles: Promise<Map<string, string> | null> | undefined

/** What to fork for `entry` (one of the lab's .ts entries): its bundle, built on first use, or the .ts file through tsx. */
async function childCommand(entry: string, throughTsx: boolean): Promise<{ file: string; execArgv: string[] }> {
  bundles ??= process.env[TSX_ENV] === '1' ? Promise.resolve(null) : bundle(ENTRIES).catch(() => null)
  const bundled = throughTsx ? undefined : (await bundles)?.get(entry)
  return bundled ? { file: bundled, execArgv: [] } : { file: entry, execArgv: tsxExecArgv() }
}

/**
 * Set to a directory, every child the lab forks writes a V8 CPU profile there as it exits
 * (node's --cpu-prof): `npm run self-test -- --cpu-prof DIR` sets it and sums the profiles up.
 */
export const CPU_PROFILE_DIR_ENV = 'LAB_CPU_PROF_DIR'

function profileFlags(): string[] {
  const dir = process.env[CPU_PROFILE_DIR_ENV]
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []
}

/** Forks `entry` (with node's `nodeFlags` too), sends it `init` and waits for it to say it is ready. */
export async function forkLabProcess<Ready>(
  entry: string,
  init: unknown,
  name: string,
  nodeFlags: string[] = [],
  startTimeoutMs = 20_000,
  throughTsx = false,
): Promise<LabProcess<Ready>> {
  return preforkLabProcess<Ready>(entry, name, nodeFlags, throughTsx).start(init, startTimeoutMs)
}

/** A lab process forked before its init is known: it loads its modules meanwhile (0.3–0.7 s from its bundle, about a second through tsx). */
export interface PreforkedProcess<Ready> {
  /** Sends `init` and waits for the process to say it is ready; stops it if it does not. */
  start(init: unknown, startTimeoutMs?: number): Promise<LabProcess<Ready>>
  /** Stops it, started or not. */
  stop(): Promise<void>
}

/**
 * Forks `entry` now; `start` sends its init later. The caller that starts other processes the
 * init needs (the API needs the mocks' and Redis's addresses) starts them while this one loads.
 */
export function preforkLabProcess<Ready>(
  entry: string,
  name: string,
  nodeFlags: string[] = [],
  throughTsx = false,
): PreforkedProcess<Ready> {
  let exit: string | undefined
  // A CPU profile names each frame's file: through tsx, the .ts files; a bundle would be one file.
  const forked = childCommand(entry, throughTsx || profileFlags().length > 0).then(({ file, execArgv }) => {
    const child = fork(file, [], {
      execArgv: [...execArgv, ...profileFlags(), ...nodeFlags],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    live.add(child)
    child.once('exit', (code, signal) => {
      live.delete(child)
      exit = signal ?? `code ${code}`
    })
    return child
  })
  const stop = async (): Promise<void> => stopChild(await forked)
  const start = async (init: unknown, startTimeoutMs = 20_000): Promise<LabProcess<Ready>> => {
    const child = await forked
    try {
      const ready = await new Promise<Ready>((resolve, reject) => {
        if (exit !== undefined || !child.connected)
          return reject(new Error(`The ${name} process exited during start-up (${exit ?? 'its channel closed'}).`))
        const timer = setTimeout(() => reject(new Error(`The ${name} process did not start within ${startTimeoutMs} ms.`)), startTimeoutMs)
        child.once('message', (message: Message<Ready>) => {
          clearTimeout(timer)
          if (message.type === 'ready') resolve(message.ready)
          else reject(new Error(`The ${name} process failed to start: ${message.message}`))
        })
        // After the listener set at the fork, which has recorded why.
        child.once('exit', () => {
          clearTimeout(timer)
          reject(new Error(`The ${name} process exited during start-up (${exit}).`))
        })
        // A child that dies as its init is sent closes the channel: an error to reject with, not an unhandled one.
        child.send(init as object, (error) => {
          if (error) {
            clearTimeout(timer)
            reject(new Error(`The ${name} process could not be given its start-up (${error.message}).`))
          }
        })
      })
      return { child, pid: child.pid ?? -1, ready, stop }
    } catch (error) {
      await stop()
      throw error
    }
  }
  return { start, stop }
}

/** In a child: starts with the parent's init message, reports ready, and closes on SIGTERM or when the parent goes away. */
export function runAsLabProcess<Init, Ready>(name: string, start: (init: Init) => Promise<{ ready: Ready; close(): Promise<void> }>): void {
  if (!process.send) {
    console.error(`The ${name} process is started by the lab (npm run serve / npm run bench), not by hand.`)
    process.exit(2)
  }
  let close: (() => Promise<void>) | undefined
  const stop = async (code: number): Promise<void> => {
    await close?.().catch(() => {})
    process.exit(code)
  }
  process.once('message', (init: Init) => {
    start(init)
      .then((started) => {
        close = started.close
        process.send?.({ type: 'ready', ready: started.ready })
      })
      .catch((error: unknown) => {
        process.send?.({ type: 'failed', message: (error as Error).message })
        void stop(1)
      })
  })
  // A Ctrl-C reaches the whole process group; the parent decides when its children stop.
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => void stop(0))
  process.on('disconnect', () => void stop(0))
}

/** Stops a child process: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const stopped = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])
  if (!stopped) {
    child.kill('SIGKILL')
    await exited
  }
}
