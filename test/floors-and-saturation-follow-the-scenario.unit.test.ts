/**
 * The model's oracle (test/helpers/story-oracle.ts): what each story variant should cost, from the scenario alone:
 * the floors, calls and saturations the README states for the default scenario, and how
 * they move with the scenario.
 */
import { describe, expect, it } from 'vitest'
import { computeFloors, computeSaturation } from './helpers/story-oracle.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'

const STORY_PAGE = { products: 50, categories: 41 }
const each = { catalog: 1, inventory: 1, pricing: 1, reviews: 1, categories: 1 }

describe('floors', () => {
  it('are the critical paths of the default scenario: 3970, 2010, 220 (cold 2010) and 140 (cold 1890) ms', () => {
    const floors = computeFloors(resolveScenario(), STORY_PAGE)
    expect(floors.naive).toEqual({
      warmMs: 3970,
      coldMs: 3970,
      callsOnPath: 54,
      calls: { ...each, inventory: 50 },
      coldCalls: { ...each, inventory: 50 },
    })
    expect(floors.bulk).toEqual({ warmMs: 2010, coldMs: 2010, callsOnPath: 5, calls: each, coldCalls: each })
    expect(floors.cached).toEqual({ warmMs: 220, coldMs: 2010, callsOnPath: 4, calls: { ...each, pricing: 0 }, coldCalls: each })
    expect(floors.parallel).toEqual({ warmMs: 140, coldMs: 1890, callsOnPath: 2, calls: { ...each, pricing: 0 }, coldCalls: each })
  })

  it('move with the scenario: per-item latency, page size and the slowest of concurrent calls', () => {
    const scenario = resolveScenario({ services: { reviews: { latencyMs: 70 }, categories: { perItemMs: 2 } } })
    const floors = computeFloors(scenario, { products: 10, categories: 7 })
    // catalog 100 + inventory 10 × 40 + pricing 40 + 35 × 10 + reviews 70 + categories 40 + 2 × 7
    expect(floors.naive!.warmMs).toBe(100 + 400 + 390 + 70 + 54)
    // parallel, warm: catalog, then the slowest of inventory 40, reviews 70, categories 54
    expect(floors.parallel!.warmMs).toBe(170)
    expect(floors.parallel!.coldMs).toBe(100 + 390)
  })

  it("add the mean of each call's jitter: max / 2 for uniform, median · e^(σ²/2) for lognormal", () => {
    const uniform = computeFloors(resolveScenario({ services: { pricing: { jitter: { kind: 'uniform', maxMs: 20 } } } }), STORY_PAGE)
    expect(uniform.bulk!.warmMs).toBe(2010 + 10)
    expect(uniform.naive!.warmMs).toBe(3970 + 10)
    const lognormal = resolveScenario({ services: { inventory: { jitter: { kind: 'lognormal', medianMs: 4, sigma: 0.5 } } } })
    const mean = 4 * Math.exp(0.125)
    expect(computeFloors(lognormal, STORY_PAGE).naive!.warmMs).toBeCloseTo(3970 + 50 * mean, 9)
    // And the saturation: inventory is asked 50 × (40 + mean) ms per naive request.
    expect(computeSaturation(lognormal, STORY_PAGE).naive!.perSec).toBeCloseTo(16 / (50 * (0.04 + mean / 1000)), 9)
  })

  it('count one call on the path for concurrent calls, even when they cost nothing', () => {
    const scenario = resolveScenario({ services: { inventory: { latencyMs: 0 }, reviews: { latencyMs: 0 }, categories: { latencyMs: 0 } } })
    expect(computeFloors(scenario, STORY_PAGE).parallel!.callsOnPath).toBe(2)
  })
})

describe('saturation', () => {
  it('is Little’s law on the default scenario: 8, 8.9, 400 and 400 req/s', () => {
    const saturation = computeSaturation(resolveScenario(), STORY_PAGE)
    expect(saturation.naive).toMatchObject({ perSec: 8, bottleneck: 'inventory' })
    expect(saturation.naive!.demandSeconds.inventory).toBeCloseTo(2, 9)
    expect(saturation.bulk!.perSec).toBeCloseTo(16 / 1.79, 9)
    expect(saturation.bulk!.bottleneck).toBe('pricing')
    for (const name of ['cached', 'parallel']) {
      expect(saturation[name]).toMatchObject({ bottleneck: 'inventory' })
      expect(saturation[name]!.perSec).toBeCloseTo(400, 9)
      expect(saturation[name]!.demandSeconds.pricing).toBe(0)
    }
  })

  it("counts the worker time injected hangs hold, until the deadline or the call's timeout", () => {
    // naive: 50 inventory calls of 40 ms, 0.2 % of them hung for the 5 s deadline: 50 × (0.04 + 0.002 × 5) = 2.5 s.
    const hung = resolveScenario({ services: { inventory: { faults: { hangRate: 0.002 } } } })
    expect(computeSaturation(hung, STORY_PAGE).naive!.perSec).toBeCloseTo(16 / 2.5, 9)
    const shorter = resolveScenario({ upstreamTimeoutMs: 1000, services: { inventory: { faults: { hangRate: 0.002 } } } })
    expect(computeSaturation(shorter, STORY_PAGE).naive!.perSec).toBeCloseTo(16 / (50 * (0.04 + 0.002)), 9)
  })

  it('names the first service in SERVICE_NAMES order when two saturate at the same rate', () => {
    // inventory, reviews and categories: 16 workers ÷ 0.04 s each.
    const scenario = resolveScenario({ services: { catalog: { latencyMs: 10 }, reviews: { workers: 16 }, categories: { workers: 16 } } })
    expect(computeSaturation(scenario, STORY_PAGE).parallel).toMatchObject({ perSec: 400, bottleneck: 'inventory' })
  })
})
