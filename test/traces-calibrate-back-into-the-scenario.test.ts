/**
 * The round trip: the lab's own traces of naive and parallel under a lognormal jitter (median
 * 40 ms, σ 0.3) and 50 products, calibrated back (`npm run calibrate`) into a scenario whose
 * figures match the one that produced them: pricing's per-item cost within 5 %, each service's
 * jitter within 10 % at p50 and p90 (read above the true base, whatever the split); naive's N+1 found (50 inventory calls one
 * after another). The base alone is not held to a bound: base and jitter are told apart by the
 * jitter's skew only, which a few hundred calls tell loosely (its interval is stated; how often it
 * holds the true base is tested on simulated calls, traces-calibrate-into-a-scenario.unit). Then
 * the calibrated scenario runs, its floors from the calibrated latencies; the
 * CLI's errors (an unmapped service, exit 2) and a planted secret that reaches no output.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { computeFloors, pageShape } from './helpers/story-oracle.ts'
import { benchRun } from './helpers/bench-run.ts'
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

  beforeAll(async () => {
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
  }, 180_000)

  it("gives pricing's per-item cost within 5 % and each service's jitter within 10 % at p50 and p90", () => {
    expect(code, output).toBe(0)
    expect(calibrated.services.pricing.perItemMs / truth.services.pricing.perItemMs).toBeGreaterThan(0.95)
    expect(calibrated.services.pricing.perItemMs / truth.services.pricing.perItemMs).toBeLessThan(1.05)
    for (const service of SERVICE_NAMES) {
      const jitter = calibrated.services[service].jitter
      expect(jitter.kind, service).toBe('empirical')
      // The jitter as calibrated, whatever the split between base and jitter: a call's calibrated latency (base + per item
      // × items + the jitter's quantile) above the true base and per-item cost, against the true jitter's quantile, for
      // the calls most of the service's were: of the page's 50 items (a stock call of naive's: 1).
      for (const p of [50, 90] as const)
        for (const items of service === 'inventory' ? [1, 50] : [50]) {
          const [was, now] = [truth.services[service], calibrated.services[service]]
          const drawn = empiricalDraw(jitter.kind === 'empirical' ? jitter.quantilesMs : [0, 0], p / 100)
          const jitterMs = now.latencyMs + now.perItemMs * items + drawn - (was.latencyMs + was.perItemMs * items)
          const trueJitterMs = 40 * Math.exp(0.3 * Z[p])
          // The calls' own hop (about a ms on this machine) is in the traces, as it is in a production trace.
          const what = `${service}, ${items} items, jitter p${p}: ${jitterMs.toFixed(1)} ms against ${trueJitterMs.toFixed(1)} ms`
          expect(jitterMs / trueJitterMs, what).toBeGreaterThan(0.9)
          expect(jitterMs / trueJitterMs, what).toBeLessThan(1.1)
        }
    }
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
    const mapped = runCli('bench/calibrate.ts', [
      join(FIXTURES, 'jaeger-shop.json'),
      ...['--map', 'stock-api=inventory', '--map', 'product-db=catalog', '--map', 'price-api=pricing'],
      ...['--map', 'review-api=reviews', '--map', 'taxonomy-api=categories', '--items', 'items.count'],
      ...['--out', join(dir, 'shop.json')],
    ])
    expect(await mapped.exit, mapped.output()).toBe(0)
    expect(mapped.output()).toContain('20 inventory calls one after another (one per product)')
    for (const text of [mapped.output(), readFileSync(join(dir, 'shop.json'), 'utf8')])
      for (const secret of ['jane.doe@example.com', 'SECRET-TOKEN-123', 'shop.example.com', 'shop-api-7d9f'])
        expect(text).not.toContain(secret)
  })
})
