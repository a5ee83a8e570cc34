/** `npm run self-test`: the lab's own cost, re-measurable by anyone — each of its four figures printed, everything stopped. */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli.ts'

describe('npm run self-test -- --quick', () => {
  it('prints the overhead per hop against the calibration, the mocks\' CPU per call, the API\'s per request, and the generator\'s rate on time', async () => {
    const run = runCli('scripts/self-test.ts', ['--quick'])
    expect(await run.exit, run.output()).toBe(0)
    const output = run.output()
    expect(output).toMatch(/Calibration: a bare call from the API to an upstream that waits 40 ms takes [\d.]+ ms, \+[\d.]+ ms; the same call from the harness \(the request's own hop\) \+[\d.]+ ms\./)
    for (const name of ['cached', 'parallel']) {
      expect(output).toMatch(new RegExp(`${name}\\s+p50 [\\d.]+ ms over its [\\d.]+ ms floor: \\+[\\d.]+ ms for \\d calls on the path = [\\d.]+ ms per call, -?[\\d.]+ ms over the calibration's`))
      expect(output).toMatch(new RegExp(`counting the request's own hop: [+−][\\d.]+ ms beyond the calibrated hops \\(1 × [\\d.]+ \\+ \\d × [\\d.]+\\) = [+−][\\d.]+ ms per hop`))
    }
    // Where the overhead went, stage by stage, from the answers' Server-Timing.
    expect(output).toMatch(/where \(medians, ms over ideal, from Server-Timing\): catalog [+−][\d.]+, inventory [+−][\d.]+, cache [+−][\d.]+, reviews [+−][\d.]+, categories [+−][\d.]+; outside the API's total \(the request's own leg[^)]*\) [+−][\d.]+/)
    expect(output).toMatch(/the mocks: [\d.]+ ms of CPU per call/)
    expect(output).toMatch(/the API: [\d.]+ ms of CPU per request, all threads/)
    expect(output).toMatch(/500 req\/s: [\d.]+ % late/)
    expect(output).toMatch(/→ it sends (at least \d+ req\/s|no tested rate) on time here\./)
  }, 90_000)

  it('--cpu-prof DIR: the API and the mocks write their profiles there, and it prints where their CPU went during the load level', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-prof-'))
    try {
      const run = runCli('scripts/self-test.ts', ['--quick', '--cpu-prof', dir])
      expect(await run.exit, run.output()).toBe(0)
      const output = run.output()
      for (const [name, unit] of [['the API', 'request'], ['the mocks', 'call']]) {
        expect(output).toMatch(new RegExp(`Where the CPU of ${name} went during the load level \\(pid \\d+, \\d+ ms sampled on its main thread, \\d+ ${unit}s\\)`))
      }
      expect(output).toMatch(/ +[\d.]+ % +[\d.]+ µs\/request {2}undici/)
      expect(output).toMatch(/ +[\d.]+ % +[\d.]+ µs\/call {2}lab/)
      expect(output).not.toMatch(/open-load generator/)
      expect((await readdir(dir)).filter((file) => file.endsWith('.cpuprofile')).length).toBeGreaterThanOrEqual(2)

      // A directory that already holds profiles would mix two runs: refused.
      const again = runCli('scripts/self-test.ts', ['--quick', '--cpu-prof', dir])
      expect(await again.exit).toBe(2)
      expect(again.output()).toMatch(/already holds \d+ \.cpuprofile file\(s\); give an empty or new directory/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 90_000)

  it('rejects an unknown flag with a clear message', async () => {
    const run = runCli('scripts/self-test.ts', ['--quik'])
    expect(await run.exit).toBe(2)
    expect(run.output()).toMatch(/Unknown option '--quik'/)
    expect(run.output()).not.toMatch(/\n\s+at /)
  })
})
