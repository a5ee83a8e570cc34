/** Runs one of the lab's commands as a user would, capturing its output and exit code. */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { onTestFinished, vi } from 'vitest'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

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

export function runCli(script: string, args: string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
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
  return {
    child,
    exit,
    output: () => output,
    async waitFor(pattern, timeoutMs = 60_000) {
      // Fails at once if the command exits first, not only at the timeout.
      const exitedFirst = exit.then(() => {
        const match = output.match(pattern)
        if (match) return match
        throw new Error(`exited (${child.exitCode}) before printing ${pattern}:\n${output}`)
      })
      const printed = vi.waitUntil(() => output.match(pattern), { timeout: timeoutMs, interval: 50 }).catch(() => {
        throw new Error(`never printed ${pattern}:\n${output}`)
      })
      return Promise.race([printed, exitedFirst])
    },
  }
}
