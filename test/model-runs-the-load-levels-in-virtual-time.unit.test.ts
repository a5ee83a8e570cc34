/**
 * The model runs each variant's load levels in virtual time (model/virtual-level.ts), in its
 * own process: the variant's code, many requests at once, on upstreams with the scenario's
 * workers and queues, the request's deadline and the price cache's TTL on the same clock.
 * Worked by hand on small cases: the hits and misses of a sequence, a stampede, a queue that
 * runs past the deadline, a level cut at its duration, a sequence that runs out.
 */
import { describe, expect, it } from 'vitest'
import { modelVariants } from '../bench/stack/model-process.ts'
import type { LevelLength, MixInput, ModelledLevel, ModelOutcome } from '../model/types.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import type { ScenarioInput } from '../scenario/types.ts'

const REFERENCE = { page: 1, limit: 50 }
const PAGE_2 = { page: 2, limit: 20 }
const PAGE_3 = { page: 3, limit: 20 }

/** One level of `variant`: `connections` sending `sequence` (queries) for `length`. */
async function level(
  variant: string,
  input: ScenarioInput,
  connections: number,
  length: LevelLength,
  sequence: Array<typeof REFERENCE>,
): Promise<ModelledLevel> {
  const catalogue = [REFERENCE, PAGE_2, PAGE_3].map((query) => ({ query, share: 1 / 3 }))
  const index = (query: typeof REFERENCE): number => catalogue.findIndex((c) => c.query === query)
  const mix: MixInput = {
    sample: [],
    catalogue,
    load: { reference: REFERENCE, streams: { s: sequence.map(index) }, levels: { [variant]: [{ connections, length, stream: 's' }] } },
  }
  const outcome: ModelOutcome = (await modelVariants(resolveScenario(input), [variant], { mix }))[variant]!
  if (!('model' in outcome)) throw new Error(`not modelled: ${outcome.notModelled}`)
  expect(outcome.model.mix?.load).toHaveLength(1)
  return outcome.model.mix!.load[0]!
}

describe('a load level in virtual time', () => {
  it('cached, one connection: each page misses once, then hits', async () => {
    const l = await level('cached', {}, 1, { requestsPerConnection: 5 }, [PAGE_2, PAGE_2, PAGE_3, PAGE_2, PAGE_3])
    expect(l).toMatchObject({ requests: 5, hits: 3, misses: 2, pricingCalls: 2, sequenceEnded: false })
    expect(l.hitRatio).toBeCloseTo(0.6, 10)
  }, 30_000)

  it('cached, two connections asking for the same page at once: both miss, both call pricing (the stampede)', async () => {
    const l = await level('cached', {}, 2, { requestsPerConnection: 1 }, [PAGE_2, PAGE_2])
    expect(l).toMatchObject({ requests: 2, hits: 0, misses: 2, pricingCalls: 2 })
  }, 30_000)

  it('bulk with one pricing worker: four at once queue, two answer, two fail at the 5 s deadline', async () => {
    // Catalog 100 ms, inventory 40, pricing 40 + 35 × 50 = 1790 each, one after the other,
    // reviews and categories 40 each: answers at 2010 and 3800 ms; the third gets the worker
    // at 3720 and would answer at 5590, the fourth is still queued: both fail at 5000.
    const l = await level('bulk', { services: { pricing: { workers: 1 } } }, 4, { requestsPerConnection: 1 }, [
      REFERENCE,
      REFERENCE,
      REFERENCE,
      REFERENCE,
    ])
    expect(l).toMatchObject({ requests: 4, pricingCalls: 4, hitRatio: null })
    expect(l.goodPerSec).toBeCloseTo(2 / 5, 10)
    expect(l.requestsPerSec).toBeCloseTo(4 / 5, 10)
    expect(l.meanMs).toBeCloseTo((2010 + 3800) / 2, 10)
  }, 30_000)

  it('a call given up on at the deadline frees its worker at once, as the HTTP mocks free it when the connection closes', async () => {
    // One pricing worker, a 3 s deadline, two connections of two requests. A's first answers at
    // 2010 ms; B's pricing call gets the worker at 1930 and is aborted at B's deadline, 3000,
    // which frees it: A's second (sent at 2010) prices from 3000 to 4790 and answers at 4870,
    // within its deadline (5010). Held to its end (3720), it would fail. B's second fails at 6000.
    const input = { requestDeadlineMs: 3000, upstreamTimeoutMs: 3000, services: { pricing: { workers: 1 } } }
    const l = await level('bulk', input, 2, { requestsPerConnection: 2 }, [REFERENCE, REFERENCE, REFERENCE, REFERENCE])
    expect(l).toMatchObject({ requests: 4, pricingCalls: 4 })
    expect(l.goodPerSec).toBeCloseTo(2 / 6, 10)
    expect(l.meanMs).toBeCloseTo((2010 + (4870 - 2010)) / 2, 10)
  }, 30_000)

  it('parallel, one connection for 1 s: the answers within the second count, the lookups of all', async () => {
    // Warm after the fill: 140 ms each; the 8th is sent at 980 ms and answered after the second.
    const l = await level('parallel', {}, 1, { durationSeconds: 1 }, Array(20).fill(REFERENCE))
    expect(l).toMatchObject({ requests: 7, hits: 8, misses: 0, pricingCalls: 0, sequenceEnded: false })
    expect(l.goodPerSec).toBeCloseTo(7 / 0.98, 10)
  }, 30_000)

  it('says when the sequence given ran out before the level ended', async () => {
    const l = await level('parallel', {}, 1, { durationSeconds: 1 }, [REFERENCE, REFERENCE])
    expect(l).toMatchObject({ requests: 2, sequenceEnded: true })
  }, 30_000)
})
