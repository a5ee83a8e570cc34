/**
 * The model is derived from each variant's own code: a virtual-time run of its
 * getProducts (model/), in a process of its own. The story's four variants get exactly
 * what the hand-written oracle says, in three scenarios; a user's variants get the same
 * treatment, their timers on the virtual clock; a variant that cannot be run is "not
 * modelled" with the reason, and the others are not held up.
 */
import { STORY_VARIANTS } from '../scenario/story.ts'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectedFailurePercent } from '../bench/measure/floors.ts'
import { modelVariants } from '../bench/stack/model-process.ts'
import { createTrafficMix, mixQuery } from '../bench/measure/traffic-mix.ts'
import type { ModelOutcome } from '../model/types.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import { SERVICE_NAMES, type ScenarioInput } from '../scenario/types.ts'
import { computeFloors, computeSaturation, pageShape } from './helpers/story-oracle.ts'

/** The story's variants, in its order (scenario/story.ts). */
const STORY = [...STORY_VARIANTS]
const FIXTURES = fileURLToPath(new URL('./fixtures/variants/', import.meta.url))

const modelled = (outcome: ModelOutcome | undefined) => {
  if (!outcome || !('model' in outcome)) throw new Error(`not modelled: ${JSON.stringify(outcome)}`)
  return outcome.model
}

describe.each<[string, ScenarioInput]>([
  ['the default scenario', {}],
  [
    '--latency 10 --products 20',
    {
      productsPerPage: 20,
      services: Object.fromEntries(['catalog', 'inventory', 'pricing', 'reviews', 'categories'].map((s) => [s, { latencyMs: 10 }])),
    },
  ],
  ['pricing at 0 ms per item, 4 inventory workers', { services: { pricing: { perItemMs: 0 }, inventory: { workers: 4 } } }],
  [
    'lognormal jitter on inventory, hangs on pricing',
    { services: { inventory: { jitter: { kind: 'lognormal', medianMs: 4, sigma: 0.5 } }, pricing: { faults: { hangRate: 0.01 } } } },
  ],
  [
    'fractional latencies',
    {
      services: {
        catalog: { latencyMs: 100.4 },
        inventory: { latencyMs: 40.7 },
        pricing: { perItemMs: 35.3 },
        reviews: { latencyMs: 12.9 },
      },
    },
  ],
  ['services that cost nothing', { services: { inventory: { latencyMs: 0 }, reviews: { latencyMs: 0 }, categories: { latencyMs: 0 } } }],
])('the story variants in %s', (_name, input) => {
  const scenario = resolveScenario(input)
  let outcomes: Record<string, ModelOutcome>

  beforeAll(async () => {
    outcomes = await modelVariants(scenario, STORY)
  }, 30_000)

  it("get the oracle's floors, calls, saturation and bottleneck", async () => {
    const page = await pageShape(scenario)
    const floors = computeFloors(scenario, page)
    const saturation = computeSaturation(scenario, page)
    for (const name of STORY) {
      const model = modelled(outcomes[name])
      const oracle = floors[name]!
      expect(model.floor.warmMs, name).toBeCloseTo(oracle.warmMs, 9)
      expect(model.floor.coldMs, name).toBeCloseTo(oracle.coldMs, 9)
      // Where concurrent calls tie, any one of them is the path; its length must be the oracle's.
      expect(model.floor.callsOnPath, name).toBe(oracle.callsOnPath)
      expect(model.floor.calls, name).toEqual(oracle.calls)
      expect(model.floor.coldCalls, name).toEqual(oracle.coldCalls)
      expect(model.saturation.bottleneck, name).toBe(saturation[name]!.bottleneck)
      expect(model.saturation.perSec, name).toBeCloseTo(saturation[name]!.perSec, 9)
    }
  })

  it('say how many calls were made and answered with each call on the path: parallel fans out three after the catalog, the others make each call alone', () => {
    // Worked by hand for each scenario: the catalog alone, then the three calls that need only the ids. They are answered
    // together when their latencies are equal (40, 10, or 0 ms each); with inventory slower (jitter: 40 + 4.5 ms on average;
    // 40.7 against 12.9 and 40 ms) it is answered last, alone.
    const expected: Record<string, number[]> = {
      'the default scenario': [1, 3],
      '--latency 10 --products 20': [1, 3],
      'pricing at 0 ms per item, 4 inventory workers': [1, 3],
      'lognormal jitter on inventory, hangs on pricing': [1, 1],
      'fractional latencies': [1, 1],
      'services that cost nothing': [1, 3],
    }
    expect(modelled(outcomes.parallel).floor.callsAtOnceOnPath).toEqual(expected[_name])
    expect(modelled(outcomes.cached).floor.callsAtOnceOnPath).toEqual([1, 1, 1, 1])
    const naive = modelled(outcomes.naive).floor
    expect(naive.callsAtOnceOnPath).toHaveLength(naive.callsOnPath)
    expect(naive.callsAtOnceOnPath.every((n) => n === 1)).toBe(true)
  })
})

describe('the story variants in the default scenario', () => {
  it('match the figures the README states, failures at 1 % per call included', async () => {
    const scenario = resolveScenario()
    const outcomes = await modelVariants(scenario, STORY)
    const floor = (name: string) => modelled(outcomes[name]).floor
    expect(STORY.map((name) => [floor(name).warmMs, floor(name).coldMs])).toEqual([
      [3970, 3970],
      [2010, 2010],
      [220, 2010],
      [140, 1890],
    ])
    expect(STORY.map((name) => Math.round(modelled(outcomes[name]).saturation.perSec * 10) / 10)).toEqual([8, 8.9, 400, 400])
    const faulty = resolveScenario({
      services: Object.fromEntries(
        ['catalog', 'inventory', 'pricing', 'reviews', 'categories'].map((s) => [s, { faults: { errorRate: 0.01 } }]),
      ),
    })
    expect(STORY.map((name) => Math.round(expectedFailurePercent(faulty, floor(name).calls) * 10) / 10)).toEqual([41.9, 4.9, 3.9, 3.9]) // 1 − 0.99^54, 0.99^5, 0.99^4: the table rounds the first to 42 %
    // The ideal waterfall, with Server-Timing's names: parallel's four stages after catalog
    // (the cache lookup costs no virtual time).
    const stages = Object.fromEntries(floor('parallel').stages.map((s) => [s.name, [s.startMs, s.durationMs]]))
    expect(stages).toEqual({ catalog: [0, 100], inventory: [100, 40], cache: [100, 0], reviews: [100, 40], categories: [100, 40] })
    expect(Object.fromEntries(floor('bulk').stages.map((s) => [s.name, [s.startMs, s.durationMs]]))).toEqual({
      catalog: [0, 100],
      inventory: [100, 40],
      pricing: [140, 1790],
      reviews: [1930, 40],
      categories: [1970, 40],
    })
  }, 30_000)
})

describe('the published preset (scenario/presets/published.json)', () => {
  it("reproduces the write-up's step figures: 6.1 s, 1.2 s, 0.6 s and 0.35 s", async () => {
    const { readFile } = await import('node:fs/promises')
    const preset = JSON.parse(
      await readFile(fileURLToPath(new URL('../scenario/presets/published.json', import.meta.url)), 'utf8'),
    ) as ScenarioInput
    const outcomes = await modelVariants(resolveScenario(preset), STORY)
    expect(STORY.map((name) => modelled(outcomes[name]).floor.warmMs)).toEqual([6100, 1200, 600, 350])
  }, 30_000)
})

describe('jitter drawn from the seed (--model-jitter seed)', () => {
  it('gives each call the draw the mocks would give it, in call order: the cold run first, the warm run next', async () => {
    const scenario = resolveScenario({
      services: Object.fromEntries(SERVICE_NAMES.map((s) => [s, { jitter: { kind: 'uniform', maxMs: 20 } }])),
    })
    const { createLatencyModel } = await import('../mock-upstreams/latency.ts')
    const page = await pageShape(scenario)
    // bulk: one call to each service, in sequence; the categories call carries the page's distinct categories.
    const items = {
      catalog: page.products,
      inventory: page.products,
      pricing: page.products,
      reviews: page.products,
      categories: page.categories,
    }
    const mocks = Object.fromEntries(SERVICE_NAMES.map((s) => [s, createLatencyModel(scenario.services[s], scenario.seed, s)]))
    const draws = () => SERVICE_NAMES.map((s) => mocks[s]!.draw(items[s]))
    const [cold, warm] = [draws(), draws()]
    const sum = (ms: number[]) => ms.reduce((a, b) => a + b, 0)
    const floor = modelled((await modelVariants(scenario, ['bulk'], { jitter: 'seed' })).bulk).floor
    expect(floor.coldMs).toBeCloseTo(sum(cold), 6)
    expect(floor.warmMs).toBeCloseTo(sum(warm), 6)
    // Not the mean, and not without jitter: each call's own draw.
    expect(floor.warmMs).not.toBeCloseTo(2010 + 5 * 10, 0)
    expect(floor.coldMs).not.toBeCloseTo(floor.warmMs, 3)
  })
})

describe("a user's variants", () => {
  let outcomes: Record<string, ModelOutcome>
  beforeAll(async () => {
    outcomes = await modelVariants(
      resolveScenario(),
      [
        'concurrent-inventory',
        'a-call-beside-the-chain',
        'batched-loader',
        'retry-after-backoff',
        'answers-then-keeps-a-timer',
        'reads-a-file',
        'never-answers',
        'polls-forever',
        'calls-a-missing-service',
        'throws-in-a-timer',
      ],
      { dir: FIXTURES },
    )
  }, 30_000)

  it("concurrent inventory calls: 50 calls on inventory's 16 workers take four rounds, 100 + 4 × 40 + 1790 + 40 + 40 = 2130 ms, 54 calls, 50 in flight", () => {
    const { floor } = modelled(outcomes['concurrent-inventory'])
    expect(floor.warmMs).toBe(2130)
    expect(Object.values(floor.calls).reduce((a, b) => a + b, 0)).toBe(54)
    expect(floor.maxInFlight).toBe(50)
    expect(floor.callsOnPath).toBe(5)
    // The inventory call on the path was one of 50 made at once, answered in four rounds: the last two together.
    expect(floor.callsAtOnceOnPath).toEqual([1, 2, 1, 1, 1])
  })

  it('a call made beside a chain and answered at another time is part of no hop of the path', () => {
    const { floor } = modelled(outcomes['a-call-beside-the-chain'])
    // catalog 100, inventory 40, reviews 40, categories 40; the price (75 ms), made with the inventory, ends at 175, inside the reviews call.
    expect(floor.warmMs).toBe(220)
    expect(floor.callsOnPath).toBe(4)
    expect(floor.callsAtOnceOnPath).toEqual([1, 1, 1, 1])
  })

  it('DataLoader batching with a 10 ms window: the window is on the path, one bulk call', () => {
    const { floor } = modelled(outcomes['batched-loader'])
    expect(floor.warmMs).toBe(2010 + 10)
    expect(floor.calls.inventory).toBe(1)
  })

  it('a retry after a 25 ms backoff (node:timers/promises): the failed call and the backoff are on the path', () => {
    const { floor } = modelled(outcomes['retry-after-backoff'])
    expect(floor.warmMs).toBe(2010 + 40 + 25)
    expect(floor.calls.inventory).toBe(2)
  })

  it('the floor is when it answered: a prefetch it does not wait for and a timer it leaves running add work, not time', () => {
    const { floor, saturation } = modelled(outcomes['answers-then-keeps-a-timer'])
    expect(floor.warmMs).toBe(2010)
    expect(floor.callsOnPath).toBe(5)
    // Two pricing calls of 1.79 s asked of pricing per request, the prefetch included.
    expect(floor.calls.pricing).toBe(2)
    expect(saturation.demandSeconds.pricing).toBeCloseTo(2 * 1.79, 9)
  })

  it('real I/O (a file read) comes back within the grace and is not on the virtual clock', () => {
    expect(modelled(outcomes['reads-a-file']).floor.warmMs).toBe(2010)
  })

  it('a variant that never answers, loops on its timers, throws in a timer, or calls a missing service: not modelled, with the reason', () => {
    // Each with the real time its runs took before it was given up on.
    const wallMs = expect.any(Number)
    expect(outcomes['throws-in-a-timer']).toEqual({ notModelled: 'it threw: a bug in a callback', wallMs })
    expect(outcomes['never-answers']).toEqual({ notModelled: expect.stringContaining('never answered'), wallMs })
    expect(outcomes['polls-forever']).toEqual({ notModelled: expect.stringContaining('kept setting timers'), wallMs })
    expect(outcomes['calls-a-missing-service']).toEqual({ notModelled: expect.stringContaining('it threw'), wallMs })
  })
})

describe('the traffic mix, in virtual time', () => {
  const scenario = resolveScenario({ traffic: { pages: 3, categories: 1, limits: [20, 5], zipfExponent: 1 } })
  const mix = createTrafficMix(scenario)
  const sample = mix.sequence(15, 'sample')
  let outcomes: Record<string, ModelOutcome>

  beforeAll(async () => {
    outcomes = await modelVariants(scenario, STORY, {
      mix: { sample: sample.map(mixQuery), catalogue: mix.catalogue.map((r) => ({ query: mixQuery(r), share: r.share })) },
    })
  }, 30_000)

  it("saturates bulk where pricing's workers are all busy for the mix's average page: 16 ÷ Σ share × (40 + 35 × size) ms", () => {
    const pricingSeconds = mix.catalogue.reduce((sum, r) => sum + (r.share * (40 + 35 * r.limit)) / 1000, 0)
    const saturation = modelled(outcomes.bulk).mix!.saturation
    expect(saturation.bottleneck).toBe('pricing')
    expect(saturation.perSec).toBeCloseTo(16 / pricingSeconds, 6)
    // Warm, cached and parallel never call pricing: inventory's 16 workers, one 40 ms call a request.
    for (const name of ['cached', 'parallel'])
      expect(modelled(outcomes[name]).mix!.saturation).toMatchObject({ bottleneck: 'inventory', perSec: expect.closeTo(400, 6) })
  })

  it("hits the price cache on exactly the sample's repeats, from an empty cache; a variant without one makes no lookup", () => {
    const seen = new Set<string>()
    const repeats = sample.map((r) => {
      const again = seen.has(r.path)
      seen.add(r.path)
      return again ? 1 : 0
    })
    for (const name of ['cached', 'parallel']) {
      const requests = modelled(outcomes[name]).mix!.requests
      expect(requests.map((r) => r.hits)).toEqual(repeats)
      expect(requests.map((r) => r.misses)).toEqual(repeats.map((hit) => 1 - hit))
    }
    for (const name of ['naive', 'bulk']) expect(modelled(outcomes[name]).mix!.requests.every((r) => r.hits + r.misses === 0)).toBe(true)
    // A page of 5 costs bulk less than a page of 20: the floor follows each request's own page.
    const floors = modelled(outcomes.bulk).mix!.requests.map((r) => r.floorMs)
    sample.forEach((r, i) => expect(floors[i]).toBeCloseTo(100 + 40 + 40 + 35 * r.limit + 40 + 40, 6))
  })
})
