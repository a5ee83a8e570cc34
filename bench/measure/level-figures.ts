/** What a load level (or a sweep's rate level) says of the traffic it sent, from its answers and the API's counters before and after. */
import { mean, subtractCounts } from './stats.ts'
import { round, roundStated } from '../record/format.ts'
import type { LoadLevel, TimelinePoint } from '../record/results.ts'
import type { ApiCounters, ApiProcessUsage } from '../../lab-api/protocol.ts'

/** The API's main thread's busy ms between two readings; null where the runtime cannot tell (no event-loop utilization). */
export function eventLoopMsBetween(before: ApiProcessUsage, after: ApiProcessUsage): number | null {
  return after.busyMainThreadMicros === null || before.busyMainThreadMicros === null
    ? null
    : (after.busyMainThreadMicros - before.busyMainThreadMicros) / 1000
}

/** A level's figures of the traffic: the mean, of hits and of misses, the API's lookups and pricing calls per second, and its timeline. */
export function trafficFigures(
  answers: Array<{ ms: number; cache: 'hit' | 'miss' | null }>,
  before: ApiCounters,
  after: ApiCounters,
  seconds: number,
  timeline: TimelinePoint[],
): Pick<LoadLevel, 'meanMs' | 'meanHitMs' | 'meanMissMs' | 'priceCache' | 'hitRatio' | 'pricingCallsPerSec' | 'timeline'> {
  const priceCache = subtractCounts(after.priceCache, before.priceCache)
  const lookups = priceCache.hits + priceCache.misses + priceCache.unusable + priceCache.unavailable
  return {
    meanMs: roundStated(mean(answers.map((a) => a.ms))),
    meanHitMs: roundStated(mean(answers.filter((a) => a.cache === 'hit').map((a) => a.ms))),
    meanMissMs: roundStated(mean(answers.filter((a) => a.cache === 'miss').map((a) => a.ms))),
    priceCache: lookups ? priceCache : null,
    hitRatio: lookups ? round(priceCache.hits / lookups, 4) : null,
    pricingCallsPerSec: round((after.upstreamCalls.pricing - before.upstreamCalls.pricing) / Math.max(seconds, 0.001)),
    timeline,
  }
}
