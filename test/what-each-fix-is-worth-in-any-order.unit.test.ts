/**
 * What each of the story's fixes is worth whatever order it comes in: the eight combinations
 * of the three fixes are variants of their own, the model gives each its floors, and each fix's
 * Shapley share (the mean of its gain over the six orders) adds up to naive's floor minus
 * parallel's. Checked against figures worked by hand, and against scenarios that change the ranking.
 */
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { anyOrderVerdict } from '../bench/report/lesson.ts'
import { attribute, type Attribution } from '../model/shapley.ts'
import { modelVariants } from '../bench/stack/model-process.ts'
import type { ModelOutcome } from '../model/types.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import { COMBINATION_VARIANTS, type Fix } from '../scenario/story.ts'
import type { ScenarioInput } from '../scenario/types.ts'

const modelled = (outcome: ModelOutcome | undefined) => {
  if (!outcome || !('model' in outcome)) throw new Error(`not modelled: ${JSON.stringify(outcome)}`)
  return outcome.model
}

const share = (attribution: Attribution | null, fix: Fix) => attribution!.shares.find((s) => s.fix === fix)!

/**
 * The default scenario by hand: 50 products; catalog 100 ms; inventory, reviews, categories 40 ms
 * a call; pricing 40 + 35 × 50 = 1,790 ms; inventory's 16 workers take 50 calls at once in
 * ⌈50 / 16⌉ = 4 waves (160 ms); a price-cache lookup costs nothing in the model.
 */
const HAND_WORKED: Record<string, { warmMs: number; coldMs: number }> = {
  // 100 + 50 × 40 + 1,790 + 40 + 40
  naive: { warmMs: 3970, coldMs: 3970 },
  // 100 + 40 + 1,790 + 40 + 40
  bulk: { warmMs: 2010, coldMs: 2010 },
  // warm: 100 + 2,000 + 0 + 40 + 40; cold: naive's
  'naive-cached': { warmMs: 2180, coldMs: 3970 },
  // 100 + max(160, 1,790, 40, 40)
  'naive-parallel': { warmMs: 1890, coldMs: 1890 },
  // warm: 100 + 40 + 0 + 40 + 40; cold: bulk's
  cached: { warmMs: 220, coldMs: 2010 },
  // 100 + max(40, 1,790, 40, 40)
  'bulk-parallel': { warmMs: 1890, coldMs: 1890 },
  // warm: 100 + max(160, 0, 40, 40); cold: 100 + max(160, 1,790, 40, 40)
  'naive-cached-parallel': { warmMs: 260, coldMs: 1890 },
  // warm: 100 + max(40, 0, 40, 40); cold: 100 + 1,790
  parallel: { warmMs: 140, coldMs: 1890 },
}

describe('the Shapley share, by hand', () => {
  it('is the mean gain over the six orders, and the shares add up to the whole gain', () => {
    const warm = attribute(Object.fromEntries(Object.entries(HAND_WORKED).map(([v, f]) => [v, f.warmMs])), 'lower')!
    expect(warm.start).toBe(3970)
    expect(warm.end).toBe(140)
    expect(warm.gain).toBe(3830)
    // The N+1 fix: first (naive → bulk) 1,960 in 2 of 6 orders; after the cache alone (naive-cached → cached) 1,960 in 1;
    // after concurrency alone (naive-parallel → bulk-parallel) 0 in 1: pricing's 1,790 hides it; last
    // (naive-cached-parallel → parallel) 120 in 2. (2 × 1,960 + 1,960 + 0 + 2 × 120) / 6 = 1,020.
    expect(share(warm, 'the N+1 fix').shapley).toBeCloseTo(1020, 9)
    // The cache: (2 × 1,790 + 1,790 + 1,630 + 2 × 1,750) / 6 = 1,750.
    expect(share(warm, 'the price cache').shapley).toBeCloseTo(1750, 9)
    // Concurrency: (2 × 2,080 + 120 + 1,920 + 2 × 80) / 6 = 1,060.
    expect(share(warm, 'concurrency').shapley).toBeCloseTo(1060, 9)
    expect(warm.shares.reduce((sum, s) => sum + s.shapley, 0)).toBeCloseTo(warm.gain, 9)
    expect(warm.shares.reduce((sum, s) => sum + s.percentOfGain, 0)).toBeCloseTo(100, 9)
    // Ranked, most worth first: the story's order ranks them the other way round for concurrency and the N+1 fix.
    expect(warm.shares.map((s) => s.fix)).toEqual(['the price cache', 'concurrency', 'the N+1 fix'])
    expect(warm.shares.map((s) => [s.fix, s.inStoryOrder])).toEqual([
      ['the price cache', 1790],
      ['concurrency', 80],
      ['the N+1 fix', 1960],
    ])
    expect(share(warm, 'concurrency').appliedFirst).toBe(2080)
    expect(share(warm, 'concurrency').appliedLast).toBe(80)
  })

  it('counts a larger figure as the better one when asked (a saturation rate), and adds up the same way', () => {
    // A textbook game: v(∅) = 0, each alone 10, 20, 30, each pair their sum plus 10, all three 90.
    const rate = {
      naive: 0,
      bulk: 10,
      'naive-cached': 20,
      'naive-parallel': 30,
      cached: 40,
      'bulk-parallel': 50,
      'naive-cached-parallel': 60,
      parallel: 90,
    }
    const a = attribute(rate, 'higher')!
    expect(a.gain).toBe(90)
    // The N+1 fix: (2 × 10 + (40 − 20) + (50 − 30) + 2 × (90 − 60)) / 6 = 20; the cache 30; concurrency 40.
    expect(share(a, 'the N+1 fix').shapley).toBeCloseTo(20, 9)
    expect(share(a, 'the price cache').shapley).toBeCloseTo(30, 9)
    expect(share(a, 'concurrency').shapley).toBeCloseTo(40, 9)
  })

  it('gives none when a combination has no figure', () => {
    expect(attribute({ ...Object.fromEntries(Object.entries(HAND_WORKED).map(([v, f]) => [v, f.warmMs])), bulk: null }, 'lower')).toBeNull()
  })
})

describe('the eight combinations in the model', () => {
  const at = async (input: ScenarioInput) => {
    const scenario = resolveScenario(input)
    const outcomes = await modelVariants(scenario, [...COMBINATION_VARIANTS])
    const floors = Object.fromEntries(COMBINATION_VARIANTS.map((v) => [v, modelled(outcomes[v]).floor]))
    return {
      floors,
      warm: attribute(Object.fromEntries(COMBINATION_VARIANTS.map((v) => [v, floors[v]!.warmMs])), 'lower'),
      cold: attribute(Object.fromEntries(COMBINATION_VARIANTS.map((v) => [v, floors[v]!.coldMs])), 'lower'),
      saturation: attribute(Object.fromEntries(COMBINATION_VARIANTS.map((v) => [v, modelled(outcomes[v]).saturation.perSec])), 'higher'),
    }
  }
  let byDefault: Awaited<ReturnType<typeof at>>

  beforeAll(async () => {
    byDefault = await at({})
  }, 60_000)

  it('get the floors worked by hand, warm and cold', () => {
    for (const [variant, hand] of Object.entries(HAND_WORKED)) {
      expect(byDefault.floors[variant]!.warmMs, variant).toBeCloseTo(hand.warmMs, 9)
      expect(byDefault.floors[variant]!.coldMs, variant).toBeCloseTo(hand.coldMs, 9)
    }
  })

  it("give shares that add up to naive's figure minus parallel's, for every figure the model gives", () => {
    for (const a of [byDefault.warm, byDefault.cold, byDefault.saturation]) {
      expect(a).not.toBeNull()
      expect(a!.shares.reduce((sum, s) => sum + s.shapley, 0)).toBeCloseTo(a!.gain, 6)
    }
    expect(byDefault.warm!.gain).toBeCloseTo(3830, 9)
  })

  it('rank the cache below the N+1 fix when pricing costs nothing per item', async () => {
    expect(share(byDefault.warm, 'the price cache').shapley).toBeGreaterThan(share(byDefault.warm, 'the N+1 fix').shapley)
    const free = await at({ services: { pricing: { perItemMs: 0 } } })
    expect(share(free.warm, 'the price cache').shapley).toBeLessThan(share(free.warm, 'the N+1 fix').shapley)
  })

  it('give the N+1 fix less when an inventory call is cheap', async () => {
    const cheap = await at({ services: { inventory: { latencyMs: 5 } } })
    expect(share(cheap.warm, 'the N+1 fix').shapley).toBeLessThan(share(byDefault.warm, 'the N+1 fix').shapley)
    expect(share(cheap.warm, 'the N+1 fix').percentOfGain).toBeLessThan(share(byDefault.warm, 'the N+1 fix').percentOfGain)
  })
})

describe("a variant's structure of calls, replayed at other values (the report's sliders)", () => {
  const FIXTURES = fileURLToPath(new URL('./fixtures/variants/', import.meta.url))

  it('is exact for every variant of the lab: their calls depend on answers only', async () => {
    const outcomes = await modelVariants(resolveScenario({}), [...COMBINATION_VARIANTS, 'item-cache', 'resilient', 'swr', 'dataloader'], {
      structure: 'also',
    })
    for (const [name, outcome] of Object.entries(outcomes)) expect(modelled(outcome).structure!.exact, name).toBe(true)
  })

  it('is marked where the control flow depends on time: a batching window, a timeout that fires at other values', async () => {
    const outcomes = await modelVariants(resolveScenario({}), ['batched-loader', 'falls-back-after-a-timeout'], {
      dir: FIXTURES,
      structure: 'also',
    })
    // The window holds the stock call 10 ms after the catalog's answer: not an answer it was made after.
    expect(modelled(outcomes['batched-loader']).structure!.exact).toMatch(
      /its (cold|warm) floor at the run's values is .*: it waits for something besides answers \(a timer of its own\), so its control flow depends on time/,
    )
    // The timeout fires only where pricing takes longer than 2 s: there reviews are asked before pricing's answer, so the structure
    // learned from every run does not wait for it, and does not give the run's own floor.
    expect(modelled(outcomes['falls-back-after-a-timeout']).structure!.exact).toMatch(
      /its cold floor at (other latencies \(.*\)|the run's values) is .*: it waits for something besides answers \(a timer of its own\), so its control flow depends on time/,
    )
  })
})

describe('the verdict in any order, from measured p50s (--ablation)', () => {
  /** A run's attribution and first run from each combination's samples (ms), as the harness records them. */
  const measured = (samples: Record<string, number[]>) => {
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
    const a = attribute(Object.fromEntries(Object.entries(samples).map(([v, s]) => [v, median(s)])), 'lower')!
    return {
      attribution: { p50: { unit: 'ms', ...a } },
      runs: [{ variants: Object.fromEntries(Object.entries(samples).map(([v, s]) => [v, { latency: { latenciesMs: s } }])) }],
    } as unknown as Parameters<typeof anyOrderVerdict>[0]
  }
  const around = (ms: number, spread: number, n = 7) => Array.from({ length: n }, (_, i) => ms + spread * (i - (n - 1) / 2))

  it('names the fix worth the most when the medians leave no doubt, and says what it is a share of', () => {
    const verdict = anyOrderVerdict(measured(Object.fromEntries(Object.entries(HAND_WORKED).map(([v, f]) => [v, around(f.warmMs, 1)]))))
    expect(verdict).toBe(
      'The price cache is worth the most in any order: 1.75 s of the 3.83 s the three fixes save together (46 %; Shapley shares of the measured p50s of all 8 combinations).',
    )
  })

  it('names the runners-up the noise cannot tell from it', () => {
    // Concurrency (1.06 s) and the N+1 fix (1.02 s) are 40 ms apart; samples 100 ms apart blur them, not the cache.
    const wide = Object.fromEntries(Object.entries(HAND_WORKED).map(([v, f]) => [v, around(f.warmMs, 100)]))
    expect(anyOrderVerdict(measured(wide))).toMatch(/^The price cache, concurrency and the N\+1 fix are worth about the same in any order/)
  })

  it('gives no verdict from samples too few for a 95 % interval of each median', () => {
    expect(
      anyOrderVerdict(measured(Object.fromEntries(Object.entries(HAND_WORKED).map(([v, f]) => [v, around(f.warmMs, 1, 5)])))),
    ).toBeUndefined()
  })
})
