/**
 * A virtual-time run of a variant: its own `getProducts`, against in-process upstream
 * clients whose every call completes after exactly the scenario's configured latency
 * (base + per item × ids; the jitter's mean when asked) on a simulated clock, with no real
 * waiting. The variant's own timers (a batching window, a retry's backoff, a hedge's delay)
 * run on the same clock: @sinonjs/fake-timers replaces setTimeout, setImmediate,
 * setInterval, Date, performance and process.hrtime for the run. It fakes the globals of
 * the process it runs in, so it runs in a child process of its own (model-main.ts), never
 * in the harness.
 *
 * What a run yields: the virtual time the request took, every upstream call with its
 * service, ids and virtual start and end, and the stages as Server-Timing names them.
 */
import { syncBuiltinESMExports } from 'node:module'
import FakeTimers from '@sinonjs/fake-timers'
import { createDataset, type Dataset } from '../mock-upstreams/data.ts'
import { jitterMeanMs } from '../scenario/jitter.ts'
import type { Scenario, ServiceName } from '../scenario/types.ts'
import type { VirtualCall, VirtualRun } from './types.ts'
import { createPriceCache } from '../variants/shared/price-cache.ts'
import { createInProcessStore, type CacheStore } from '../variants/shared/cache-store.ts'
import { createStageTimer } from '../variants/shared/stage-timing.ts'
import type { UpstreamClients } from '../variants/shared/upstream-clients.ts'
import type { Variant } from '../variants/shared/variant.ts'


/** Timer events a run may fire before it counts as looping forever in virtual time. */
export const MAX_VIRTUAL_EVENTS = 100_000

/** Why a variant could not be modelled: it threw, never answered, or looped on its timers. */
export class NotModelledError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NotModelledError'
  }
}

export interface VirtualWorld {
  scenario: Scenario
  dataset: Dataset
  /** The price cache's store, in virtual time: empty for a cold run, filled by the run before for a warm one. */
  store: CacheStore
  /** Add each service's mean jitter to its calls (the model's floor), or none. */
  jitter: 'mean' | 'none'
  /** The virtual clock between runs: a warm run starts where the cold one ended, so the cache's TTL runs on. */
  nowMs: number
}

export function createVirtualWorld(scenario: Scenario, jitter: VirtualWorld['jitter'] = 'mean'): VirtualWorld {
  return { scenario, dataset: createDataset(scenario.seed, scenario.catalogSize), store: createInProcessStore(), jitter, nowMs: 0 }
}

/**
 * Runs one request of `variant` on a fake clock, installed for the run and uninstalled after.
 * Rejects with NotModelledError when the variant throws, never answers (no timer left and
 * its promise still pending) or fires more than MAX_VIRTUAL_EVENTS timers.
 */
export async function runVirtually(variant: Variant, world: VirtualWorld): Promise<VirtualRun> {
  const clock = FakeTimers.withGlobal(globalThis).install({
    now: world.nowMs,
    toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'Date', 'performance', 'hrtime'],
    loopLimit: MAX_VIRTUAL_EVENTS,
  })
  // fake-timers replaces node:timers and node:timers/promises on their CommonJS objects;
  // a variant's `import { setTimeout } from 'node:timers/promises'` sees it once synced.
  syncBuiltinESMExports()
  try {
    const calls: VirtualCall[] = []
    const start = clock.now
    const timer = createStageTimer(() => clock.now)
    const upstreams = virtualClients(world, calls, () => clock.now - start)
    const query = { page: 1, limit: world.scenario.productsPerPage }
    let outcome: { done: true } | { error: unknown } | undefined
    const answer = variant.getProducts({ query, upstreams, priceCache: createPriceCache(world.store, world.scenario.cacheTtlSeconds, () => {}), time: timer.time }).then(
      () => (outcome = { done: true }),
      (error: unknown) => (outcome = { error }),
    )
    try {
      // Fires every timer in time order, letting promises settle between them, until none is left.
      await clock.runAllAsync()
    } catch (error) {
      throw new NotModelledError(`it kept setting timers: over ${MAX_VIRTUAL_EVENTS} fired in virtual time without an answer (${(error as Error).message.split('\n')[0]})`)
    }
    // The answer may come on the last microtasks.
    for (let i = 0; i < 10 && !outcome; i++) await Promise.resolve()
    void answer
    if (!outcome) throw new NotModelledError('it never answered: its promise was still pending with no timer left to fire')
    if ('error' in outcome) throw new NotModelledError(`it threw: ${String((outcome.error as Error)?.message ?? outcome.error)}`)
    return { elapsedMs: clock.now - start, calls, stages: timer.stages() }
  } finally {
    world.nowMs = clock.now
    clock.uninstall()
    syncBuiltinESMExports()
  }
}

/** In-process clients: each call waits its configured latency on the (fake) clock, then answers with the dataset's data. */
function virtualClients(world: VirtualWorld, calls: VirtualCall[], now: () => number): UpstreamClients {
  const { scenario, dataset } = world
  let sequence = 0
  /** A call carrying `items` ids (for catalog: the products it answers with), as the mocks time it. */
  const call = async <T>(service: ServiceName, items: number, answer: () => T): Promise<T> => {
    const { latencyMs, perItemMs, jitter } = scenario.services[service]
    const ms = latencyMs + perItemMs * items + (world.jitter === 'mean' ? jitterMeanMs(jitter) : 0)
    const record: VirtualCall = { service, items, startMs: now(), endMs: Number.NaN, startSeq: sequence++, endSeq: -1, configuredMs: ms }
    calls.push(record)
    await new Promise((resolve) => setTimeout(resolve, Math.floor(ms)))
    record.endMs = now()
    record.endSeq = sequence++
    return answer()
  }
  const known = (ids: number[], exists: (id: number) => boolean, what: string): void => {
    const unknown = ids.filter((id) => !exists(id))
    if (unknown.length) throw new Error(`unknown ${what} ids: ${JSON.stringify(unknown.slice(0, 10))}`)
  }
  return {
    catalog: {
      listProducts: ({ page, limit, category }) => {
        const body = dataset.catalogPage(page, limit, category)
        return call('catalog', body.items.length, () => body)
      },
    },
    inventory: {
      getStock: (productId) =>
        call('inventory', 1, () => {
          known([productId], (id) => dataset.productById.has(id), 'product')
          return dataset.stockOf(productId)
        }),
      getStockBulk: async (productIds) => {
        if (productIds.length === 0) return []
        return call('inventory', productIds.length, () => productIds.map((id) => dataset.stockOf(id)))
      },
    },
    pricing: {
      calculatePrices: async (productIds) => (productIds.length ? call('pricing', productIds.length, () => productIds.map((id) => dataset.priceOf(id))) : []),
    },
    reviews: {
      getRatingSummaries: async (productIds) => (productIds.length ? call('reviews', productIds.length, () => productIds.map((id) => dataset.ratingOf(id))) : []),
    },
    categories: {
      getAncestorPaths: async (categoryIds) => {
        if (categoryIds.length === 0) return []
        known(categoryIds, (id) => dataset.categories.has(id), 'category')
        return call('categories', categoryIds.length, () => categoryIds.map((id) => dataset.categoryPath(id)))
      },
    },
  }
}
