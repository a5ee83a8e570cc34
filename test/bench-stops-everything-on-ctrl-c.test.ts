/**
 * Ctrl-C or SIGTERM in any phase of a run (calibration, latency, load, sweep): every process the lab started stops, its ports
 * close, no results are written; a measured --vary writes the values measured so far.
 */
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import type { WhatIf } from '../bench/record/results.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { isRunning, portIsOpen } from './helpers/processes.ts'
import { runCli } from './helpers/run-cli.ts'

describe.skipIf(SKIP_REDIS)('npm run bench interrupted', () => {
  // At once: each case is its own bench, and each mostly waits on its stack's latencies.
  it.concurrent.each([
    // One variant is enough to be interrupted: more would only lengthen the start. One handler stops everything
    // whatever the phase; the phases here differ by what runs besides the stack: nothing yet (calibration),
    // autocannon's sockets (load), the open-load generator's (sweep); tinybench's (latency) is the --vary case's
    // below. Both signals are sent.
    ['calibration', 'SIGINT', 130, ['--variants', 'parallel']],
    ['load', 'SIGTERM', 143, ['--variants', 'parallel']],
    ['sweep', 'SIGINT', 130, ['--variants', 'parallel', '--sweep']],
  ] as const)('during the %s phase, %s: exit %i, children gone, Redis stopped, no results', async (phase, signal, code, args) => {
    const out = join(await mkdtemp(join(tmpdir(), 'lab-interrupted-')), 'run')
    // Short upstream latencies: each phase is reached sooner, and a phase lasts far longer than the signal takes.
    const run = runCli('bench/bench.ts', ['--quick', '--latency', '20', '--out', out, ...args])
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

  it('a measured --vary, SIGINT during its second value: exit 130, everything stopped, the first value written, the second marked interrupted', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'lab-interrupted-')), 'run')
    const run = runCli('bench/bench.ts', ['--quick', '--vary', 'products=4,8', '--variants', 'bulk', '--out', out])
    // The second value's stack, and its latency phase.
    const [, redisPort, apiPid, upstreamPid] = await run.waitFor(
      /products = 8: a stack of its own[^]*redis:\/\/127\.0\.0\.1:(\d+).*API pid (\d+), upstreams pid (\d+)/,
    )
    await run.waitFor(/products = 8: a stack of its own[^]*\[latency\] bulk/)
    run.child.kill('SIGINT')
    expect(await run.exit).toBe(130)
    expect(isRunning(Number(apiPid))).toBe(false)
    expect(isRunning(Number(upstreamPid))).toBe(false)
    expect(await portIsOpen(Number(redisPort))).toBe(false)
    const whatIf = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as WhatIf
    const [first, second] = whatIf.points as [WhatIf['points'][number], WhatIf['points'][number]]
    expect(first.valid).toBe(true)
    expect(first.variants.bulk!.measured!.p50Ms).toBeGreaterThanOrEqual(first.variants.bulk!.floorMs!)
    expect(second.valid).toBe(false)
    expect(second.problems).toEqual(['not measured: the run was interrupted (Ctrl-C) while this value was measured'])
    expect(second.variants.bulk!.measured).toBeNull()
    // The model needs no stack: the interrupted value still has its floor.
    expect(second.variants.bulk!.floorMs).toBe(100 + 40 + 40 + 35 * 8 + 40 + 40)
  })

  it('SIGKILL (no chance to clean up): the children and redis-server still go away', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'lab-killed-')), 'run')
    const run = runCli('bench/bench.ts', ['--quick', '--variants', 'parallel', '--out', out])
    const [, redisPort, apiPid, upstreamPid] = await run.waitFor(/redis:\/\/127\.0\.0\.1:(\d+).*API pid (\d+), upstreams pid (\d+)/)
    // Every process is up once the stack is: the first step is enough.
    await run.waitFor(/\[correctness\]/)
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
