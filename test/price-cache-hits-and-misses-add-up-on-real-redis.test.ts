/**
 * The API counts its own price-cache hits and misses: over a seeded mix sent to the cached
 * variants, hits + misses (+ unusable + unavailable) equal the requests that reached the
 * cache stage, agree with Redis's own INFO stats (keyspace_hits, keyspace_misses) on a real
 * redis-server, and every lookup that was not a hit made exactly one pricing call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTrafficMix } from '../bench/measure/traffic-mix.ts'
import { ADMIN_PATHS, type ApiProcessUsage } from '../lab-api/protocol.ts'
import type { CacheStore } from '../variants/shared/cache-store.ts'
import { parseServerTiming } from '../variants/shared/stage-timing.ts'
import type { Lab } from './helpers/lab.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { startRedisLab, type RedisLab } from './helpers/redis-lab.ts'

const TRAFFIC = { pages: 3, categories: 2, limits: [10, 4], zipfExponent: 1.1 }

describe.skipIf(SKIP_REDIS)('price-cache hits and misses, counted by the API, on a real Redis', () => {
  let redis: RedisLab
  let store: CacheStore
  let lab: Lab

  beforeAll(async () => {
    const started = await startRedisLab({ scenario: { catalogSize: 400, traffic: TRAFFIC }, admin: true })
    redis = started
    store = started.store
    lab = started.lab
  })
  afterAll(() => redis.close())

  const usage = async (): Promise<ApiProcessUsage> =>
    (await (await fetch(`${lab.baseUrl}${ADMIN_PATHS.process}`)).json()) as ApiProcessUsage
  const keyspace = () => redis.keyspace()

  it.each(['cached', 'parallel'])('%s: hits + misses = lookups = Redis keyspace hits + misses; pricing calls = misses', async (variant) => {
    const mix = createTrafficMix(lab.scenario)
    const requests = mix.sequence(60, variant)
    await store.flush()
    const [before, redisBefore, pricingBefore] = [await usage(), await keyspace(), lab.upstreams.stats.snapshot().services.pricing.calls]
    let reachedCache = 0
    // Some at once, as load sends them: concurrent misses of one key all go to pricing.
    for (let i = 0; i < requests.length; i += 4) {
      const answers = await Promise.all(requests.slice(i, i + 4).map((r) => lab.get(`/${variant}${r.path}`)))
      for (const answer of answers) {
        expect(answer.status).toBe(200)
        if (parseServerTiming(answer.serverTiming ?? '').stages.some((s) => s.name === 'cache')) reachedCache++
      }
    }
    const [after, redisAfter] = [await usage(), await keyspace()]
    const counted = {
      hits: after.priceCache.hits - before.priceCache.hits,
      misses: after.priceCache.misses - before.priceCache.misses,
      unusable: after.priceCache.unusable - before.priceCache.unusable,
      unavailable: after.priceCache.unavailable - before.priceCache.unavailable,
    }
    expect(reachedCache).toBe(requests.length)
    expect(counted.hits + counted.misses + counted.unusable + counted.unavailable).toBe(reachedCache)
    expect(counted.unusable + counted.unavailable).toBe(0)
    expect(counted.hits).toBe(redisAfter.hits - redisBefore.hits)
    expect(counted.misses).toBe(redisAfter.misses - redisBefore.misses)
    // Every distinct request misses at least once (the cache was empty); a request seen before mostly hits.
    expect(counted.misses).toBeGreaterThanOrEqual(mix.distinct(60, variant).length)
    expect(counted.hits).toBeGreaterThan(0)
    // Each lookup that was not a hit made one pricing call: counted by the API and by the mock alike.
    expect(after.upstreamCalls.pricing - before.upstreamCalls.pricing).toBe(counted.misses)
    expect(lab.upstreams.stats.snapshot().services.pricing.calls - pricingBefore).toBe(counted.misses)
  })
})
