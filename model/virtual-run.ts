/**
 * A virtual-time run of a variant: its own `getProducts`, against in-process upstream
 * clients whose every call completes after exactly the scenario's configured latency
 * (base + per item × ids; the jitter's mean, or a draw from the seed, or none: JitterMode) on a simulated clock, with no real
 * waiting. The variant's own timers (a batching window, a retry's backoff, a hedge's delay)
 * run on the same clock: @sinonjs/fake-timers replaces setTimeout, setImmediate,
 * setInterval, Date, performance and process.hrtime for the run. It fakes the globals of
 * the process it runs in, so it runs in a child process of its own (model-main.ts), never
 * in the harness.
 *
 * Each call takes a worker of its service as the mocks' do: beyond the scenario's workers,
 * calls wait their turn, so a request that makes more calls at once than a service has
 * workers pays the queue in its floor (50 concurrent inventory calls on 16 workers: four rounds).
 *
 * What a run yields: the virtual time the request took, every upstream call with its
 * service, ids and virtual start and end, and the stages as Server-Timing names them.
 *
 * virtualClients is a closure factory: the five services' clients over the virtual clock, side by side as the real ones
 * (variants/shared/upstream-clients.ts) lay them out, which is why it runs past 80 lines.
 */
import { syncBuiltinESMExports } from 'node:module'
import FakeTimers from '@sinonjs/fake-timers'
import { createDataset, type Dataset } from '../mock-upstreams/data.ts'
import { createCapacities, type Capacity } from '../mock-upstreams/capacity.ts'
import { createLatencyModels, type LatencyModel } from '../mock-upstreams/latency.ts'
import { jitterMeanMs } from '../scenario/jitter.ts'
import { type Scenario, type ServiceName } from '../scenario/types.ts'
import type { JitterMode, VirtualCall, VirtualRun } from './types.ts'
import { createPriceCache, priceCacheCounts, priceCacheTiming } from '../variants/shared/price-cache.ts'
import { createInProcessStore, type CacheStore } from '../variants/shared/cache-store.ts'
import { createStageTimer } from '../variants/shared/stage-timing.ts'
import type { ProductQuery } from '../scenario/wire-types.ts'
import { UpstreamError } from '../variants/shared/upstream-error.ts'
import { perProcess, type UpstreamClients, type Variant, type VariantContext } from '../variants/shared/variant.ts'
import { createFaultInjector, type FaultInjector } from '../mock-upstreams/faults.ts'

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
  /** How each call counts its service's jitter (JitterMode). */
  jitter: JitterMode
  /** With jitter 'seed': each service's draws, in call order, from the scenario's seed, as the mocks draw them. */
  latency: Record<ServiceName, LatencyModel>
  /** The virtual clock between runs: a warm run starts where the cold one ended, so the cache's TTL runs on. */
  nowMs: number
  /** Each service's workers and queue, as the mocks hold them: calls beyond the workers wait their turn, beyond the queue are refused. */
  capacities: Record<ServiceName, Capacity>
  /** The variant's state for the whole process (VariantContext.shared): one per world, as one per API process. */
  shared: VariantContext['shared']
  /** With faults: the scenario's injected faults, drawn from its seed per call as the mocks draw them; without, none. */
  faults?: FaultInjector
  /** Faults drawn so far (each call that drew one). */
  faultsDrawn: number
}

/**
 * The dataset of a seed and a catalogue size, made once per process: a world is made for every
 * virtual run (the structure's nine settings, the sliders' page sizes), and the catalogue is the
 * same in each. It is read only (its lazy index of categories fills the same way in every world).
 */
const datasets = new Map<string, Dataset>()
function datasetOf(scenario: Scenario): Dataset {
  const key = `${scenario.seed}/${scenario.catalogSize}`
  let dataset = datasets.get(key)
  if (!dataset) datasets.set(key, (dataset = createDataset(scenario.seed, scenario.catalogSize)))
  return dataset
}

export function createVirtualWorld(scenario: Scenario, jitter: JitterMode = 'mean', { faults = false } = {}): VirtualWorld {
  const latency = createLatencyModels(scenario)
  return {
    scenario,
    dataset: datasetOf(scenario),
    store: createInProcessStore(),
    jitter,
    latency,
    nowMs: 0,
    capacities: createCapacities(scenario),
    shared: perProcess(),
    faultsDrawn: 0,
    ...(faults ? { faults: createFaultInjector(scenario) } : {}),
  }
}

const FAKED = [
  'setTimeout',
  'clearTimeout',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'Date',
  'performance',
  'hrtime',
] as const
/** The global `scheduler` (Node 22+): faked where it exists; fake-timers cannot fake it where it does not. */
const HAS_SCHEDULER = 'scheduler' in globalThis

/** Real time a run waits, with no fake timer left, for real work (a file read, a digest) to come back. */
const REAL_GRACE_MS = 100
/** Timers fired after the answer (a trailing flush, a prefetch), at most: they add calls, never time. */
const MAX_EVENTS_AFTER_ANSWER = 1000

/**
 * Runs one request of `variant` (page 1 at the scenario's page size, unless `query` says another) on a fake clock, installed for the run and uninstalled after.
 * The floor is the virtual time at which its promise settled; calls made after that (a
 * prefetch, a background refresh) count towards the work asked of each service, never
 * towards the time. Rejects with NotModelledError when the variant throws (a timer callback
 * too), never answers (its promise pending, no timer left, and no real work coming back
 * within REAL_GRACE_MS), or fires more than MAX_VIRTUAL_EVENTS timers before answering.
 */
export async function runVirtually(
  variant: Variant,
  world: VirtualWorld,
  query: ProductQuery = { page: 1, limit: world.scenario.productsPerPage },
): Promise<VirtualRun> {
  return onVirtualClock(world, MAX_VIRTUAL_EVENTS, async (clock, drive) => {
    const calls: VirtualCall[] = []
    const events = { sequence: 0 }
    const start = clock.now
    const timer = createStageTimer(() => clock.now)
    const upstreams = virtualClients(world, calls, events, () => clock.now - start)
    const priceCache = createPriceCache(world.store, priceCacheTiming(world.scenario), () => {})
    const before = priceCacheCounts(world.store, priceCache)
    let outcome: { atMs: number; sequence: number; error?: unknown } | undefined
    const settle = (error?: unknown): void =>
      void (outcome ??= { atMs: clock.now - start, sequence: events.sequence++, ...(error === undefined ? {} : { error }) })
    // A getProducts that returns at once, or throws at once, is handled as one that awaits.
    void Promise.resolve()
      .then(() =>
        variant.getProducts({
          query,
          upstreams,
          background: upstreams,
          signal: new AbortController().signal,
          timeLeftMs: () => Infinity,
          shared: world.shared,
          priceCache,
          time: timer.time,
        }),
      )
      .then(
        () => settle(),
        (error: unknown) => settle(error ?? new Error('it rejected with nothing')),
      )
    await drive(() => outcome !== undefined, settle)
    const answered = outcome as { atMs: number; sequence: number; error?: unknown }
    if ('error' in answered) throw new NotModelledError(`it threw: ${String((answered.error as Error)?.message ?? answered.error)}`)
    // What it left running: calls count towards the work asked, a timer that throws or never stops does not matter.
    for (let i = 0; i < MAX_EVENTS_AFTER_ANSWER && clock.countTimers() > 0; i++) await clock.nextAsync().catch(() => {})
    const after = priceCacheCounts(world.store, priceCache)
    return {
      elapsedMs: answered.atMs,
      answeredSeq: answered.sequence,
      calls,
      stages: timer.stages(),
      lookups: { hits: after.hits - before.hits, misses: after.misses - before.misses },
    }
  })
}

/**
 * Fires the clock's timers, one at a time, letting promises settle between them, until `done`:
 * a timer callback that throws is given to `onError`. Rejects with NotModelledError when nothing
 * is left to fire and no real work comes back within REAL_GRACE_MS, or after `maxEvents` timers.
 */
export type Drive = (done: () => boolean, onError: (error: unknown) => void) => Promise<void>

/**
 * Runs `work` on a fake clock installed for it (starting at the world's virtual time) and
 * uninstalled after, the world's time moved on to where it ended. `work` is given the clock
 * and a `drive` that moves it on.
 */
export async function onVirtualClock<T>(
  world: VirtualWorld,
  maxEvents: number,
  work: (clock: FakeTimers.Clock, drive: Drive) => Promise<T>,
): Promise<T> {
  // The real timers, for the grace given to real work while the clock is faked.
  const realSetTimeout = globalThis.setTimeout
  const clock = FakeTimers.withGlobal(globalThis).install({
    now: world.nowMs,
    toFake: [...FAKED, ...(HAS_SCHEDULER ? (['scheduler'] as const) : [])],
    loopLimit: maxEvents,
  })
  const drive: Drive = async (done, onError) => {
    let fired = 0
    for (;;) {
      await flushMicrotasks()
      if (done()) return
      if (clock.countTimers() === 0) {
        // Nothing left on the clock: real work (I/O, crypto) may still come back.
        await new Promise((resolve) => realSetTimeout(resolve, REAL_GRACE_MS))
        await flushMicrotasks()
        if (done() || clock.countTimers() > 0) continue
        throw new NotModelledError(
          `it never answered: its promise was still pending with no timer left to fire after ${REAL_GRACE_MS} ms of real time (does it await real I/O, or a timer function taken before the clock was faked?)`,
        )
      }
      if (++fired > maxEvents)
        throw new NotModelledError(`it kept setting timers: over ${maxEvents} fired in virtual time without an answer`)
      try {
        await clock.nextAsync()
      } catch (error) {
        onError(error)
      }
    }
  }
  try {
    // fake-timers replaces node:timers and node:timers/promises on their CommonJS objects;
    // a variant's `import { setTimeout } from 'node:timers/promises'` sees it once synced.
    syncBuiltinESMExports()
    return await work(clock, drive)
  } finally {
    world.nowMs = clock.now
    clock.uninstall()
    syncBuiltinESMExports()
  }
}

/**
 * A call's own signal: aborted when its request is, or after the call's timeout, with the error
 * the API's client gives; or when its caller abandons it (`own`: a policy's timeout, a hedge).
 */
function callSignal(
  limits: CallLimits | undefined,
  own: AbortSignal | undefined,
  service: ServiceName,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  const timer =
    limits &&
    setTimeout(() => controller.abort(new UpstreamError(service, `timed out after ${limits.timeoutMs} ms`, true)), limits.timeoutMs)
  const onAbort = (): void => controller.abort(new UpstreamError(service, 'aborted: the request ran out of time or was already answered'))
  const onOwnAbort = (): void => controller.abort(new UpstreamError(service, 'abandoned by its caller'))
  if (limits?.signal.aborted) onAbort()
  else limits?.signal.addEventListener('abort', onAbort, { once: true })
  own?.addEventListener('abort', onOwnAbort, { once: true })
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer)
      limits?.signal.removeEventListener('abort', onAbort)
      own?.removeEventListener('abort', onOwnAbort)
    },
  }
}

/** Until `signal` aborts; for ever without one (an injected hang with no one to give up on it). */
function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }))
}

/** Waits `ms` on the clock, or less when `signal` aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** Lets the promises that can settle now settle (a few rounds of microtasks). */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

/**
 * What a request of a load level adds to its calls, as the API does it: `signal` aborts them at
 * the request's deadline, and each gives up after `timeoutMs`.
 */
export interface CallLimits {
  signal: AbortSignal
  timeoutMs: number
}

/**
 * In-process clients: each call takes a worker of its service (waiting in its queue when all
 * are busy, refused when the queue is full, as the mocks do), holds it for its configured
 * latency on the (fake) clock, then answers with the dataset's data. With `limits`, a call is
 * given up on, as the API's client gives up on it, when the request is aborted (its deadline,
 * or its answer already sent) or after the call's own timeout; and as the HTTP mocks see the
 * connection close, it then leaves the queue, or frees its worker at once.
 */
export function virtualClients(
  world: VirtualWorld,
  calls: VirtualCall[],
  events: { sequence: number },
  now: () => number,
  limits?: CallLimits,
): UpstreamClients {
  const { scenario, dataset } = world
  /** A call carrying `items` ids (for catalog: the products it answers with), as the mocks time it. */
  const call = async <T>(service: ServiceName, items: number, answer: () => T, own?: AbortSignal): Promise<T> => {
    const { latencyMs, perItemMs, jitter } = scenario.services[service]
    // Drawn once the call has its worker, as the mocks draw it (and its fault after it): a call refused or given up on while queued draws none.
    const latencyOf = (): number =>
      world.jitter === 'seed'
        ? world.latency[service].draw(items)
        : latencyMs + perItemMs * items + (world.jitter === 'mean' ? jitterMeanMs(jitter) : 0)
    const record: VirtualCall = {
      service,
      items,
      startMs: now(),
      endMs: Number.NaN,
      startSeq: events.sequence++,
      endSeq: -1,
      configuredMs: 0,
    }
    // A call made after its request was aborted never leaves, and the API does not count it.
    if (limits?.signal.aborted)
      throw limits.signal.reason instanceof Error
        ? limits.signal.reason
        : new UpstreamError(service, 'aborted: the request ran out of time or was already answered')
    if (own?.aborted) throw new UpstreamError(service, 'abandoned by its caller')
    calls.push(record)
    const giveUp = limits || own ? callSignal(limits, own, service) : undefined
    try {
      const ticket = world.capacities[service].acquire(giveUp?.signal)
      if (!ticket)
        throw new UpstreamError(
          service,
          `answered 503: at capacity (${scenario.services[service].workers} workers busy, ${scenario.services[service].queueLimit} waiting)`,
        )
      const release = await ticket.ready.catch(() => Promise.reject(giveUp?.signal.reason as Error))
      const ms = (record.configuredMs = latencyOf())
      // As the mocks: the fault is drawn once the call has its worker, after its latency; a hang holds it until the caller gives up.
      const fault = world.faults?.draw(service)
      if (fault) world.faultsDrawn++
      try {
        if (fault === 'hang') await untilAborted(giveUp?.signal)
        // Under a millisecond: no timer (fake-timers would make a 0 ms timer set inside another's callback 1 ms).
        else if (Math.floor(ms) > 0) await sleep(Math.floor(ms), giveUp?.signal)
        else await Promise.resolve()
      } finally {
        release()
      }
      if (giveUp?.signal.aborted) throw giveUp.signal.reason as Error
      if (fault === 'error') throw new UpstreamError(service, 'answered 500: injected fault (error)')
      if (fault === 'reset') throw new UpstreamError(service, 'failed: the connection was reset (injected fault)')
    } finally {
      giveUp?.dispose()
    }
    record.endMs = now()
    record.endSeq = events.sequence++
    return answer()
  }
  const known = (ids: number[], exists: (id: number) => boolean, what: string): void => {
    const unknown = ids.filter((id) => !exists(id))
    if (unknown.length) throw new Error(`unknown ${what} ids: ${JSON.stringify(unknown.slice(0, 10))}`)
  }
  return {
    catalog: {
      listProducts: ({ page, limit, category }, options) => {
        const body = dataset.catalogPage(page, limit, category)
        return call('catalog', body.items.length, () => body, options?.signal)
      },
    },
    inventory: {
      getStock: (productId, options) =>
        call(
          'inventory',
          1,
          () => {
            known([productId], (id) => dataset.productById.has(id), 'product')
            return dataset.stockOf(productId)
          },
          options?.signal,
        ),
      getStockBulk: async (productIds, options) => {
        if (productIds.length === 0) return []
        return call('inventory', productIds.length, () => productIds.map((id) => dataset.stockOf(id)), options?.signal)
      },
    },
    pricing: {
      calculatePrices: async (productIds, options) =>
        productIds.length ? call('pricing', productIds.length, () => productIds.map((id) => dataset.priceOf(id)), options?.signal) : [],
    },
    reviews: {
      getRatingSummaries: async (productIds, options) =>
        productIds.length ? call('reviews', productIds.length, () => productIds.map((id) => dataset.ratingOf(id)), options?.signal) : [],
    },
    categories: {
      getAncestorPaths: async (categoryIds, options) => {
        if (categoryIds.length === 0) return []
        known(categoryIds, (id) => dataset.categories.has(id), 'category')
        return call('categories', categoryIds.length, () => categoryIds.map((id) => dataset.categoryPath(id)), options?.signal)
      },
    },
  }
}
