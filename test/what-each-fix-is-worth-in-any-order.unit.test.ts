/**
 * What each of the story's fixes is worth whatever order it comes in: the eight combinations
 * of the three fixes are variants of their own, the model gives each its floors, and each fix's
 * Shapley share (the mean of its gain over the six orders) adds up to naive's floor minus
 * parallel's. Checked against figures worked by hand, and against scenarios that change the ranking.
 */
import { beforeAll, describe, expect, it } from 'vitest'
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
