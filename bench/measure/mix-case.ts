/**
 * The traffic mix in the latency phase: a variant is sent the first `count` requests of the
 * scenario's seeded sample, one at a time, its price cache emptied first, so every variant
 * meets the same requests in the same state and the model (its own code in virtual time)
 * says what each should find in the cache. Each request is sent once: a failure is counted
 * by status, not tried again. Each 200's body is checked against the body any variant (or
 * the correctness check) gave for the same path.
 *
 * Hits and misses are what the API counted (its price-cache lookups, /__lab/process), not
 * inferred from times; each answer's own Server-Timing says whether it hit, which splits
 * the mean into the article's "for cached requests" and the rest.
 */
import { NO_ANSWER, type Target } from './phase-context.ts'
import { mean, percentiles, statedPercentile, subtractCounts } from './stats.ts'
import { cacheOutcome, matchesReference } from './answers.ts'
import type { MixRequest } from './mix-types.ts'
import { round, roundStated } from '../record/format.ts'
import type { MixFigures } from '../record/results.ts'
import type { MixModel } from '../../model/types.ts'

export interface MixCaseSpec {
  variant: string
  /** The sample's first requests, in order. */
  requests: MixRequest[]
  /** The variant's model of the whole sample, if it has one. */
  model: MixModel | null
  /** Path → the body every 200 to it must carry: filled by the correctness check, and by the first variant to answer a path. */
  references: Map<string, string>
}

export async function measureMixCase(context: Pick<Target, 'client' | 'api' | 'upstreams'>, spec: MixCaseSpec): Promise<MixFigures> {
  const { client, api, upstreams } = context
  const { variant, requests, references } = spec
  await api.flushCache()
  await upstreams.resetStats()
  const before = (await api.usage()).priceCache
  const good: Array<{ ms: number; cache: 'hit' | 'miss' | null }> = []
  const statusCodes: Record<string, number> = {}
  let mismatches = 0
  for (const request of requests) {
    const started = performance.now()
    let status: string
    try {
      const answer = await client.get(`/${variant}${request.path}`)
      const ms = performance.now() - started
      status = String(answer.status)
      if (answer.status === 200) {
        if (!matchesReference(references, request.path, answer.body)) mismatches++
        good.push({ ms, cache: cacheOutcome(answer.serverTiming) })
        continue
      }
    } catch {
      status = NO_ANSWER
    }
    statusCodes[status] = (statusCodes[status] ?? 0) + 1
  }
  const counted = subtractCounts((await api.usage()).priceCache, before)
  const lookups = counted.hits + counted.misses + counted.unusable + counted.unavailable
  const stats = await upstreams.stats()
  const times = good.map((g) => g.ms)
  const [p50, max] = times.length ? percentiles(times, [50, 100]) : [0, 0]
  const modelled = spec.model?.requests.slice(0, requests.length)
  const modelLookups = modelled?.reduce((sum, r) => sum + r.hits + r.misses, 0) ?? 0
  return {
    requests: requests.length,
    distinct: new Set(requests.map((r) => r.path)).size,
    latency: times.length
      ? {
          samples: times.length,
          p50Ms: round(p50),
          p99Ms: roundStated(statedPercentile(times, 99)),
          meanMs: round(mean(times)!),
          maxMs: round(max),
        }
      : null,
    meanHitMs: roundStated(mean(good.filter((g) => g.cache === 'hit').map((g) => g.ms))),
    meanMissMs: roundStated(mean(good.filter((g) => g.cache === 'miss').map((g) => g.ms))),
    priceCache: lookups ? counted : null,
    hitRatio: lookups ? round(counted.hits / lookups, 4) : null,
    expected: modelled?.length
      ? {
          hitRatio: modelLookups ? round(modelled.reduce((sum, r) => sum + r.hits, 0) / modelLookups, 4) : null,
          meanFloorMs: round(modelled.reduce((sum, r) => sum + r.floorMs, 0) / modelled.length),
          saturationPerSec: Number.isFinite(spec.model!.saturation.perSec) ? round(spec.model!.saturation.perSec, 3) : null,
          bottleneck: Number.isFinite(spec.model!.saturation.perSec) ? spec.model!.saturation.bottleneck : null,
        }
      : null,
    pricingCallsPerRequest: round(stats.services.pricing.calls / requests.length, 3),
    failed: requests.length - good.length,
    statusCodes,
    mismatches,
  }
}
