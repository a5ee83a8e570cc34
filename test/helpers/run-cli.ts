/** Runs one of the lab's commands as a user would, capturing its output and exit code. */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const LAUNCHER = fileURLToPath(new URL('../../bench/launch.js', import.meta.url))

export interface RunningCli {
  child: ChildProcess
  exit: Promise<number | null>
  output(): string
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
}

/** Commands a test started: a failing test must not leave one running (it would hold ports and Redis). */
const started = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

export interface CliOptions {
  /** node's own flags, as the npm script passes them (serve's --expose-gc). */
  nodeFlags?: string[]
  /** A command the lab's command runs under, e.g. ['ip', 'netns', 'exec', 'lab-api']: it must exec its argument, so the child is the lab's process. */
  under?: string[]
}

export function runCli(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  { nodeFlags = [], under = [] }: CliOptions = {},
): RunningCli {
  // As the npm scripts start it: from its bundle (bench/launch.js), with this checkout's launcher whatever checkout the script is in.
  const command = [...under, process.execPath, ...nodeFlags, LAUNCHER, script, ...args]
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  started.add(child)
  child.once('exit', () => started.delete(child))
  try {
    // Inside a test: stop it as soon as the test is over, passed or failed.
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    })
  } catch {
    // In a beforeAll: the exit handler above is the safety net.
  }
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))))
  let closed = false
  child.once('close', () => (closed = true))
  return {
    child,
    exit,
    output: () => output,
    waitFor(pattern, timeoutMs = 60_000) {
      // Checked on every chunk of output, not polled; fails once the command has ended (and
      // its output, shared with any children it started, is all read) without printing it.
      return new Promise<RegExpMatchArray>((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer)
          child.stdout!.off('data', check)
          child.stderr!.off('data', check)
          child.off('close', exited)
        }
        const check = (): void => {
          const match = output.match(pattern)
          if (!match) return
          done()
          resolve(match)
        }
        const exited = (): void => {
          done()
          const match = output.match(pattern)
          if (match) resolve(match)
          else reject(new Error(`exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${output}`))
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`never printed ${pattern}:\n${output}`))
        }, timeoutMs)
        child.stdout!.on('data', check)
        child.stderr!.on('data', check)
        // 'close': the command has exited and all its output has been read.
        child.once('close', exited)
        check()
        if (closed) exited()
      })
    },
  }
}
