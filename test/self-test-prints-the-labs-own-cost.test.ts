/** `npm run self-test`: the lab's own cost, re-measurable by anyone — each of its four figures printed, everything stopped. */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REDIS_AVAILABLE } from './helpers/redis.ts'
import { runCli } from './helpers/run-cli.ts'

describe('npm run self-test -- --quick', () => {
  it("prints the overhead per hop against the calibration, the mocks' CPU per call, the API's per request, and the generator's rate on time", async () => {
    const run = runCli('scripts/self-test.ts', ['--quick'])
    expect(await run.exit, run.output()).toBe(0)
    const output = run.output()
    // Each kind of hop on the two paths, calibrated bare: one call, three at once (parallel's fan-out), a Redis read, the request's own.
    expect(output).toMatch(
      /Calibration, each kind of hop bare \(no lab code, the same 40 ms wait\): one call from the API to an upstream \+[\d.]+ ms; 3 at once from the API \+[\d.]+ ms \(first call to last answer\); a Redis read from the API ([\d.]+ ms( \(retried (once|2 times): Redis did not answer a read in time\))?|— \(no Redis\)|not calibrated, because [^;]+); the request's own hop, from the harness, \+[\d.]+ ms\./,
    )
    expect(output).toMatch(/cached\s+p50 [\d.]+ ms over its 220 ms floor: [+−]?[\d.]+ ms \(4 calls on the path: -?[\d.]+ ms per call\)/)
    expect(output).toMatch(/parallel\s+p50 [\d.]+ ms over its 140 ms floor: [+−]?[\d.]+ ms \(2 calls on the path: -?[\d.]+ ms per call\)/)
    // cached: the request's own hop, four calls one after another and its Redis read; parallel: the request's own, the catalog, then one of three at once.
    // Without a Redis (a machine without redis-server, outside CI), the lookup is in-process: no hop.
    // A Redis that did not answer the calibration's reads in time, three tries (a machine 98 % busy), leaves cached's hops
    // uncalibrated: its line says so, and why, instead of a figure against a calibration that was not taken.
    const uncalibrated = /a Redis read from the API not calibrated, because /.test(output)
    const cachedHops = REDIS_AVAILABLE
      ? "6 hops \\(the request's own, 4 calls alone, 1 Redis read\\)"
      : "5 hops \\(the request's own, 4 calls alone\\)"
    expect(output).toMatch(
      uncalibrated
        ? /cached\s+p50 .*; per hop: not calibrated, because Could not time reads from the API to Redis/
        : new RegExp(
            `${cachedHops} cost [+−][\\d.]+ ms bare: [+−][\\d.]+ ms beyond them, [+−][\\d.]+ ms per hop [✓✗] \\(target ≤ 0\\.3 ms\\)`,
          ),
    )
    expect(output).toMatch(
      /3 hops \(the request's own, 1 call alone, 1 of 3 calls at once\) cost [+−][\d.]+ ms bare: [+−][\d.]+ ms beyond them, [+−][\d.]+ ms per hop [✓✗]/,
    )
    // Where the overhead went, hop by hop, from the answers' Server-Timing.
    expect(output).toMatch(
      /where \(medians, from Server-Timing, ms\): [+−][\d.]+ before catalog, catalog [+−][\d.]+ \([+−][\d.]+ beyond its calibration\); [+−][\d.]+ before inventory, inventory [+−][\d.]+ .*; [+−][\d.]+ before cache, cache [+−][\d.]+ .*the request's own leg [^)]*\) [+−][\d.]+ \([+−][\d.]+ beyond its calibration\)/,
    )
    expect(output).toMatch(/[+−][\d.]+ before inventory\+cache\+reviews\+categories, inventory\+cache\+reviews\+categories [+−][\d.]+/)
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
      for (const [name, unit] of [
        ['the API', 'request'],
        ['the mocks', 'call'],
      ]) {
        expect(output).toMatch(
          new RegExp(
            `Where the CPU of ${name} went during the load level \\(pid \\d+, \\d+ ms sampled on its main thread, \\d+ ${unit}s\\)`,
          ),
        )
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
