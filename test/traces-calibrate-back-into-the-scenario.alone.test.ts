/**
 * Alone (vitest.config.ts): it sets traced durations beside configured ones, which another file's
 * bench on the same two cores lengthens (catalog's p90 +9 ms beside the unit project).
 *
 * The round trip: the lab's own traces of naive and parallel under a lognormal jitter (median
 * 40 ms, σ 0.3) and 50 products, calibrated back (`npm run calibrate`) into a scenario whose
 * figures match the one that produced them: pricing's per-item cost within 5 %, each service's
 * jitter within 10 % (or 8 ms: a call's own hop is in its span) at p50 and p90 (read above the true
 * base, whatever the split); naive's N+1 found (50 inventory calls one
 * after another). The base alone is not held to a bound: base and jitter are told apart by the
 * jitter's skew only, which a few hundred calls tell loosely (its interval is stated; how often it
 * holds the true base is tested on simulated calls, traces-calibrate-into-a-scenario.unit). Then
 * the calibrated scenario runs, its floors from the calibrated latencies; the
 * CLI's errors (an unmapped service, exit 2) and a planted secret that reaches no output.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { computeFloors, pageShape } from './helpers/story-oracle.ts'
import { benchRun } from './helpers/bench-run.ts'
import { QUIET_ATTEMPTS, QUIET_OTHERS_PERCENT } from './helpers/quiet.ts'
import { othersCpuPercent } from '../bench/measure/self-check.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { runCli } from './helpers/run-cli.ts'
import { TRACE_FILE } from '../lab-api/trace-file.ts'
import { empiricalDraw } from '../scenario/jitter.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import { SERVICE_NAMES, type Scenario } from '../scenario/types.ts'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'traces')
/** z of the standard normal at p50 and p90. */
const Z = { 50: 0, 90: 1.2815515655446004 }

describe.skipIf(SKIP_REDIS)('traces of the lab calibrated back into its scenario', () => {
  let dir: string
  let truth: Scenario
  let calibrated: Scenario
  let output: string
  let code: number | null
  let others = 0

  beforeAll(async () => {
    // Calls timed on a busy machine last longer than their configured latency for the machine's sake: the round trip is
    // taken again, up to QUIET_ATTEMPTS times, while other processes used QUIET_OTHERS_PERCENT of a core or more beside
    // the lab's load levels and a jitter missed.
    for (let attempt = 1; attempt <= QUIET_ATTEMPTS; attempt++) {
      dir = await mkdtemp(join(tmpdir(), 'lab-round-trip-'))
      // Page sizes 50 and 4 in the mix: pricing's calls carry both, which tells its per-item cost from its base. Short base
      // latencies (10 ms, pricing 10 ms an item) keep naive's 50 calls one after another near 3 s a request.
      const run = await benchRun(
        [
          '--quick',
          '--variants',
          'naive,parallel',
          ...['--jitter', 'lognormal:40:0.3', '--latency', '10', '--pricing-per-item', '10'],
          ...['--products', '50', '--limits', '50,4', '--deadline', '20000'],
          ...['--connections', '4', '--duration', '3', '--trace', dir, '--trace-sample', '1'],
        ],
        { out: join(dir, 'run') },
      )
      expect(run.code, run.output).toBe(0)
      truth = run.results.scenario
      const calibrate = runCli('bench/calibrate.ts', [
        join(dir, TRACE_FILE),
        '--endpoint',
        'GET /naive/products',
        '--out',
        join(dir, 'calibrated.json'),
      ])
      code = await calibrate.exit
      output = calibrate.output()
      calibrated = resolveScenario(JSON.parse(readFileSync(join(dir, 'calibrated.json'), 'utf8')) as Record<string, unknown>)
      others = Math.max(
        ...Object.values(run.results.variants).flatMap((v) => v.load.map((level) => othersCpuPercent(level.selfCheck) ?? 0)),
      )
      if (jitterMisses(truth, calibrated).length === 0 || others < QUIET_OTHERS_PERCENT) break
    }
  }, 500_000)

  it("gives pricing's per-item cost within 5 % and each service's jitter within 10 % (or 8 ms) at p50 and p90", () => {
    expect(code, output).toBe(0)
    expect(calibrated.services.pricing.perItemMs / truth.services.pricing.perItemMs).toBeGreaterThan(0.95)
    expect(calibrated.services.pricing.perItemMs / truth.services.pricing.perItemMs).toBeLessThan(1.05)
    for (const service of SERVICE_NAMES) expect(calibrated.services[service].jitter.kind, service).toBe('empirical')
    const busy =
      others >= QUIET_OTHERS_PERCENT
        ? ` (the machine was too busy to judge: ${others} % of a core beside the lab, in each of ${QUIET_ATTEMPTS} attempts)`
        : ''
    expect(jitterMisses(truth, calibrated), `${output}${busy}`).toEqual([])
    expect(calibrated.productsPerPage).toBe(50)
  })

  it("finds naive's N+1: 50 inventory calls one after another, and says what each fix would buy", () => {
    expect(output).toContain('at 50 products per page')
    expect(output).toContain('50 inventory calls one after another (one per product)')
    expect(output).toContain("Its calls match naive's: none of the three fixes")
    expect(output).toMatch(/In any order \(Shapley shares of the model's warm floors, all 8 combinations of the three fixes\): \w/)
  })

  it('runs the calibrated scenario, its floors from the calibrated latencies', async () => {
    const run = await benchRun(['--quick', '--scenario', join(dir, 'calibrated.json'), '--variants', 'bulk'], { out: join(dir, 'again') })
    expect(run.code, run.output).toBe(0)
    expect(run.results.valid).toBe(true)
    const quickScenario = resolveScenario(calibrated, { productsPerPage: 10, traffic: { limits: [10, 4] } })
    expect(run.results.scenario.services).toEqual(quickScenario.services)
    const floors = computeFloors(run.results.scenario, await pageShape(run.results.scenario))
    expect(run.results.variants.bulk!.floorMs).toBeCloseTo(floors.bulk!.warmMs, 0)
  }, 120_000)

  it('refuses an unmapped service with exit 2 and a --map line, and copies no planted secret', async () => {
    const unmapped = runCli('bench/calibrate.ts', [join(FIXTURES, 'zipkin-shop.json'), '--out', join(dir, 'no.json')])
    expect(await unmapped.exit).toBe(2)
    expect(unmapped.output()).toContain("--map 'stock-api=inventory'")
    expect(unmapped.output()).not.toMatch(/\n\s+at /)
    // Four names in a mapping file, one on the command line.
    const mapFile = join(dir, 'map.json')
    writeFileSync(
      mapFile,
      JSON.stringify({ 'product-db': 'catalog', 'price-api': 'pricing', 'review-api': 'reviews', 'taxonomy-api': 'categories' }),
    )
    const mapped = runCli('bench/calibrate.ts', [
      join(FIXTURES, 'jaeger-shop.json'),
      ...['--map-file', mapFile, '--map', 'stock-api=inventory', '--items', 'items.count'],
      ...['--out', join(dir, 'shop.json')],
    ])
    expect(await mapped.exit, mapped.output()).toBe(0)
    expect(mapped.output()).toContain('20 inventory calls one after another (one per product)')
    for (const text of [mapped.output(), readFileSync(join(dir, 'shop.json'), 'utf8')])
      for (const secret of ['jane.doe@example.com', 'SECRET-TOKEN-123', 'shop.example.com', 'shop-api-7d9f'])
        expect(text).not.toContain(secret)
  })
})

/**
 * Each service's jitter as calibrated, whatever the split between base and jitter: a call's calibrated latency (base + per
 * item × items + the jitter's quantile) above the true base and per-item cost, against the true jitter's quantile, at p50
 * and p90, for the calls most of the service's were: of the page's 50 items (a stock call of naive's: 1). Within 10 %, or
 * 8 ms: each call's own hop is in its span, as in a production trace. On this machine a traced call lasts 2 to 3 ms more
 * than its configured latency at p50 (quiet, no jitter, every service), and pricing's 50-id calls here 5 to 6.5 ms more,
 * the load phase's 4 connections beside them (measured 2026-12-07). The misses, one sentence each.
 */
function jitterMisses(truth: Scenario, calibrated: Scenario): string[] {
  return SERVICE_NAMES.flatMap((service) => {
    const [was, now] = [truth.services[service], calibrated.services[service]]
    const quantiles = now.jitter.kind === 'empirical' ? now.jitter.quantilesMs : [0, 0]
    return ([50, 90] as const).flatMap((p) =>
      (service === 'inventory' ? [1, 50] : [50]).flatMap((items) => {
        const jitterMs = now.latencyMs + now.perItemMs * items + empiricalDraw(quantiles, p / 100) - (was.latencyMs + was.perItemMs * items)
        const trueJitterMs = 40 * Math.exp(0.3 * Z[p])
        return Math.abs(jitterMs - trueJitterMs) <= Math.max(0.1 * trueJitterMs, 8)
          ? []
          : [`${service}, ${items} items, jitter p${p}: ${jitterMs.toFixed(1)} ms against ${trueJitterMs.toFixed(1)} ms`]
      }),
    )
  })
}
