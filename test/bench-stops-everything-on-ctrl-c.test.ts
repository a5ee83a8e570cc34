/** Ctrl-C or SIGTERM in any phase of a run: every process the lab started stops, its ports close, no results are written. */
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { SKIP_REDIS } from './helpers/redis.ts'
import { isRunning, portIsOpen } from './helpers/processes.ts'
import { runCli } from './helpers/run-cli.ts'

describe.skipIf(SKIP_REDIS)('npm run bench interrupted', () => {
  it.each([
    ['calibration', 'SIGINT', 130, []],
    ['correctness', 'SIGTERM', 143, []],
    ['warm-up', 'SIGINT', 130, ['--variants', 'parallel']],
    ['latency', 'SIGINT', 130, []],
    ['latency', 'SIGTERM', 143, []],
    ['load', 'SIGINT', 130, ['--variants', 'parallel']],
    ['sweep', 'SIGTERM', 143, ['--variants', 'parallel', '--sweep']],
  ] as const)('during the %s phase, %s: exit %i, children gone, Redis stopped, no results', async (phase, signal, code, args) => {
    const out = join(await mkdtemp(join(tmpdir(), 'lab-interrupted-')), 'run')
    const run = runCli('bench/bench.ts', ['--quick', '--out', out, ...args])
    const [, redisPort, apiPid, upstreamPid] = await run.waitFor(/redis:\/\/127\.0\.0\.1:(\d+).*API pid (\d+), upstreams pid (\d+)/)
    await run.waitFor(new RegExp(`\\[${phase}\\]`))
    expect(isRunning(Number(apiPid))).toBe(true)
    run.child.kill(signal)
    expect(await run.exit).toBe(code)
    expect(run.output()).toContain('Interrupted: stopping everything the lab started')
    expect(isRunning(Number(apiPid))).toBe(false)
    expect(isRunning(Number(upstreamPid))).toBe(false)
    expect(await portIsOpen(Number(redisPort))).toBe(false)
    expect(existsSync(join(out, 'results.json'))).toBe(false)
  })

  it('SIGKILL (no chance to clean up): the children and redis-server still go away', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'lab-killed-')), 'run')
    const run = runCli('bench/bench.ts', ['--quick', '--out', out])
    const [, redisPort, apiPid, upstreamPid] = await run.waitFor(/redis:\/\/127\.0\.0\.1:(\d+).*API pid (\d+), upstreams pid (\d+)/)
    await run.waitFor(/\[latency\]/)
    run.child.kill('SIGKILL')
    await run.exit
    // The children watch their parent (IPC, and the watchdog's stdin): they stop on their own.
    await vi.waitFor(
      async () => {
        expect(isRunning(Number(apiPid))).toBe(false)
        expect(isRunning(Number(upstreamPid))).toBe(false)
        expect(await portIsOpen(Number(redisPort))).toBe(false)
      },
      { timeout: 5000, interval: 50 },
    )
    expect(existsSync(join(out, 'results.json'))).toBe(false)
  })
})
