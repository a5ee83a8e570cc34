/**
 * The load phase of one variant in virtual time: its own `getProducts`, many requests at
 * once, on the virtual upstreams of virtual-run.ts with their workers and queues, the price
 * cache's TTL on the same clock. It runs what the harness will send: before each level, the
 * price cache emptied and filled with the reference request (before the first, also one
 * untimed request per connection of it); then the level, `connections` requests in flight,
 * each connection sending the next request of the level's seeded sequence when its answer
 * comes (autocannon's closed loop), for the level's duration or number of requests; a level
 * ends when nothing is left in flight.
 *
 * What it gives per level is what the measured level reports: answers per second, the price
 * cache's hits and misses (the API's counts: every lookup, those still in flight at the end
 * too), pricing calls per second. The request's deadline, each call's timeout and the answer
 * abort the calls still out as the API's do, and an aborted call frees its worker at once, as
 * the HTTP mocks free it when the connection closes. Left out: the lab's own time per request
 * (a few ms, the fidelity line's), the gaps between levels (the harness's bookkeeping, well
 * under a second) and injected faults (the levels' worlds have none; runRequestsVirtually,
 * in a world with faults, gives what they cost).
 */
import { setMaxListeners } from 'node:events'
import { createPriceCache, priceCacheCounts, priceCacheTiming } from '../variants/shared/price-cache.ts'
import { DeadlineError } from '../variants/shared/upstream-error.ts'
import { createStageTimer } from '../variants/shared/stage-timing.ts'
import { neverAborted } from '../variants/shared/upstream-clients.ts'
import type { ProductQuery } from '../scenario/wire-types.ts'
import type { Variant } from '../variants/shared/variant.ts'
import type { LevelLength, ModelledLevel, VirtualCall } from './types.ts'
import { onVirtualClock, virtualClients, type VirtualWorld } from './virtual-run.ts'

/** Timer events a level may fire: a level of 50 connections at 400 requests a second for 10 s fires some 25,000. */
export const MAX_LEVEL_EVENTS = 2_000_000

/** Timers fired after a level's last answer, at most: calls still holding workers, a refresh left running. */
const MAX_EVENTS_AFTER_LEVEL = 100_000

export interface LevelInput {
  connections: number
  length: LevelLength
  /** The level's requests in the order they are sent; the level ends early (`sequenceEnded`) if they run out. */
  queries: ProductQuery[]
}

/**
 * Each level in order, each from the same start, as the harness runs them: the cache emptied
 * and the reference request once (it fills its price list); before the first, one request per
 * connection at once (the harness's warm-up under load, unless `warmUp` is false).
 */
export async function runLoadVirtually(
  variant: Variant,
  world: VirtualWorld,
  reference: ProductQuery,
  levels: LevelInput[],
  warmUp = true,
): Promise<ModelledLevel[]> {
  const modelled: ModelledLevel[] = []
  for (const level of levels) {
    // Every level from the same start: the cache emptied, then the reference request's price list.
    await world.store.flush()
    await runLevel(variant, world, { connections: 1, length: { requestsPerConnection: 1 }, queries: [reference] })
    if (warmUp && modelled.length === 0)
      await runLevel(variant, world, {
        connections: level.connections,
        length: { requestsPerConnection: 1 },
        queries: Array<ProductQuery>(level.connections).fill(reference),
      })
    modelled.push((await runLevel(variant, world, level)).level)
  }
  return modelled
}

/**
 * `queries`, one at a time, as the latency phase sends them (one connection): how many failed
 * (the variant threw, or the deadline passed), and every call they made. In a world with
 * faults (createVirtualWorld's `faults`), the scenario's faults are drawn for each call.
 */
export async function runRequestsVirtually(
  variant: Variant,
  world: VirtualWorld,
  queries: ProductQuery[],
): Promise<FaultTally & { requests: number; failed: number; calls: VirtualCall[] }> {
  const { level, calls, tally } = await runLevel(variant, world, {
    connections: 1,
    length: { requestsPerConnection: queries.length },
    queries,
  })
  return { requests: level.requests, failed: level.requests - level.good, ...tally, calls }
}

/** Of requests sent one at a time in a world with faults: how the faults drawn during each met its outcome. */
export interface FaultTally {
  /** Requests during which a fault was drawn. */
  faulted: number
  /** Of those, the ones that succeeded: the code got over the fault (a retry, a fallback, a stale list). */
  absorbed: number
  /** Requests that failed with no fault drawn: the deadline, a timeout of the code's own. */
  failedWithoutFault: number
}

/** What a level's requests share: the world, its clock, the calls made, the one price cache and the background clients. */
interface LevelRig {
  variant: Variant
  world: VirtualWorld
  clock: { readonly now: number }
  calls: VirtualCall[]
  events: { sequence: number }
  /** Virtual ms since the level began. */
  now(): number
  priceCache: ReturnType<typeof createPriceCache>
  background: ReturnType<typeof virtualClients>
}

/** One request as the API serves it (variants/shared/app.ts): a failure when the variant throws or the deadline passes first. */
async function serveRequest(rig: LevelRig, query: ProductQuery): Promise<boolean> {
  const { variant, world, clock, calls, events, now, priceCache, background } = rig
  const { scenario } = world
  const controller = new AbortController()
  // As the API's: every call of the request listens to it, a fan-out of 50 calls is not a leak.
  setMaxListeners(0, controller.signal)
  const deadlineAt = clock.now + scenario.requestDeadlineMs
  const upstreams = virtualClients(world, calls, events, now, { signal: controller.signal, timeoutMs: scenario.upstreamTimeoutMs })
  let deadline: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<false>((resolve) => {
    deadline = setTimeout(() => {
      controller.abort(new DeadlineError(scenario.requestDeadlineMs, []))
      resolve(false)
    }, scenario.requestDeadlineMs)
  })
  const served = Promise.resolve()
    .then(() =>
      variant.getProducts({
        query,
        upstreams,
        background,
        signal: controller.signal,
        timeLeftMs: () => deadlineAt - clock.now,
        shared: world.shared,
        priceCache,
        time: createStageTimer(() => clock.now).time,
      }),
    )
    .then(
      () => true,
      () => false,
    )
  try {
    return await Promise.race([served, late])
  } finally {
    clearTimeout(deadline)
    // Answered (or failed): the calls still out are not needed; the API aborts them, as at the deadline.
    if (!controller.signal.aborted) controller.abort(new Error('the request was already answered'))
  }
}

async function runLevel(
  variant: Variant,
  world: VirtualWorld,
  { connections, length, queries }: LevelInput,
): Promise<{ level: ModelledLevel & { good: number }; calls: VirtualCall[]; tally: FaultTally }> {
  const { scenario } = world
  return onVirtualClock(world, MAX_LEVEL_EVENTS, async (clock, drive) => {
    const start = clock.now
    const now = (): number => clock.now - start
    const endsAtMs = 'durationSeconds' in length ? length.durationSeconds * 1000 : Infinity
    const calls: VirtualCall[] = []
    const events = { sequence: 0 }
    const priceCache = createPriceCache(world.store, priceCacheTiming(scenario), () => {})
    // Work no one request owns (a shared refresh): never aborted by a request, each call bounded by its timeout.
    const background = virtualClients(world, calls, events, now, { signal: neverAborted(), timeoutMs: scenario.upstreamTimeoutMs })
    const rig: LevelRig = { variant, world, clock, calls, events, now, priceCache, background }
    const countsBefore = priceCacheCounts(world.store, priceCache)
    let next = 0
    let sequenceEnded = false
    let answered = 0
    /** With one connection, what the faults drawn during each request did to it (FaultTally). */
    const tally: FaultTally = { faulted: 0, absorbed: 0, failedWithoutFault: 0 }
    let good = 0
    let goodMs = 0
    let lastAnswerMs = 0
    let timerError: unknown

    const connection = async (): Promise<void> => {
      for (let sent = 0; ; sent++) {
        if ('requestsPerConnection' in length && sent >= length.requestsPerConnection) return
        if (now() >= endsAtMs) return
        const query = queries[next++]
        if (!query) {
          sequenceEnded = true
          return
        }
        const sentMs = now()
        const faultsBefore = world.faultsDrawn
        const ok = await serveRequest(rig, query)
        // One connection, one request at a time: a fault drawn meanwhile was this request's (or its refresh's).
        const faulted = world.faultsDrawn > faultsBefore
        if (faulted) tally.faulted++
        if (faulted && ok) tally.absorbed++
        if (!faulted && !ok) tally.failedWithoutFault++
        // autocannon stops at the level's duration: an answer after it is not counted.
        if (now() > endsAtMs) return
        answered++
        if (ok) {
          good++
          goodMs += now() - sentMs
        }
        lastAnswerMs = now()
      }
    }
    let done = false
    void Promise.all(Array.from({ length: connections }, connection)).then(() => (done = true))
    await drive(
      () => done,
      (error) => (timerError ??= error),
    )
    // Nothing in flight: what the connections left (calls held past a deadline, a price list being stored) ends here;
    // a timer that never stops does not hold the level.
    for (let i = 0; i < MAX_EVENTS_AFTER_LEVEL && clock.countTimers() > 0; i++) await clock.nextAsync().catch(() => {})
    if (timerError !== undefined) throw timerError
    const counts = priceCacheCounts(world.store, priceCache)
    const answers = { answered, good, goodMs, lastAnswerMs, sequenceEnded }
    return { level: levelFigures(connections, length, answers, countsBefore, counts, calls), calls, tally }
  })
}

/** A level's figures from what its connections counted and the price cache's counts before and after it. */
function levelFigures(
  connections: number,
  length: LevelLength,
  {
    answered,
    good,
    goodMs,
    lastAnswerMs,
    sequenceEnded,
  }: { answered: number; good: number; goodMs: number; lastAnswerMs: number; sequenceEnded: boolean },
  before: { hits: number; misses: number },
  after: { hits: number; misses: number },
  calls: VirtualCall[],
): ModelledLevel & { good: number } {
  const hits = after.hits - before.hits
  // The model's store never fails nor holds an unusable value: every other lookup is a miss.
  const misses = after.misses - before.misses
  const seconds = Math.max(lastAnswerMs, 1) / 1000
  const pricingCalls = calls.filter((call) => call.service === 'pricing').length
  return {
    connections,
    length,
    requests: answered,
    good,
    requestsPerSec: answered / seconds,
    goodPerSec: good / seconds,
    meanMs: good ? goodMs / good : null,
    hits,
    misses,
    hitRatio: hits + misses ? hits / (hits + misses) : null,
    pricingCalls,
    pricingCallsPerSec: pricingCalls / seconds,
    sequenceEnded,
  }
}
