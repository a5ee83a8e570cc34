/**
 * swr on a real redis-server: bentocache's single-flight (one pricing call for a page however
 * many requests miss it at once), stale-while-revalidate (past the TTL, the stale list at once
 * and one refresh in the background, counted as stale), the grace's end (a list older is
 * refreshed, never served), a pricing outage within the grace (still 200), Redis going away
 * (it fails open, one warning) and a value in Redis that is not a price list.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ApiCounters } from '../lab-api/protocol.ts'
import { loadVariants } from '../variants/shared/load-variants.ts'
import { priceCacheKey } from '../variants/shared/price-cache.ts'
import type { ScenarioInput } from '../scenario/types.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { startRedisLab, type RedisLab } from './helpers/redis-lab.ts'

const TTL_SECONDS = 1
const GRACE_SECONDS = 2
const PAGE = '/products?limit=10'
/** bentocache's key for page one's list of 10 under the price cache's prefix. */
const KEY = `swr:${priceCacheKey(Array.from({ length: 10 }, (_, i) => i + 1))}`
/** Pricing slow enough that requests sent together all arrive while the first one's call is out. */
const SCENARIO: ScenarioInput = {
  cacheTtlSeconds: TTL_SECONDS,
  cacheGraceSeconds: GRACE_SECONDS,
  services: { pricing: { latencyMs: 150, perItemMs: 0 } },
}

describe.skipIf(SKIP_REDIS)('swr on a real Redis', () => {
  let redis: RedisLab
  let warnings: string[]

  async function start(scenario: ScenarioInput = SCENARIO): Promise<RedisLab> {
    warnings = []
    const variants = (await loadVariants()).filter((v) => ['parallel', 'swr'].includes(v.name))
    redis = await startRedisLab({ scenario, variants, admin: true, warn: (m) => warnings.push(m) })
    return redis
  }
  afterEach(async () => {
    await redis?.close()
  })

  const pricingCalls = (): number => redis.lab.upstreams.stats.snapshot().services.pricing.calls
  const counters = async (): Promise<ApiCounters> => (await (await fetch(`${redis.lab.baseUrl}/__lab/counters`)).json()) as ApiCounters
  const together = (n: number, path = `/swr${PAGE}`) => Promise.all(Array.from({ length: n }, () => redis.lab.get(path)))
  /** Whether an answer's Server-Timing has a pricing stage; an answer without the header is a failure of the test, never "served at once". */
  const waitedForPricing = (answer: { serverTiming: string | null }): boolean => {
    expect(answer.serverTiming, 'every answer carries Server-Timing').toMatch(/(^|, )catalog;/)
    return /(^|, )pricing;/.test(answer.serverTiming!)
  }
  /** Until nothing is in flight: a refresh begun in the background has stored its list. */
  const settled = () => vi.waitUntil(async () => (await counters()).inFlight === 0, { timeout: 5000, interval: 10 })
  /** Page one's list stored, with the logical expiry bentocache keeps beside it. */
  const stored = async (): Promise<{ logicalExpiration: number; value: unknown } | null> => {
    const raw = await redis.probe.get(KEY)
    return raw === null ? null : (JSON.parse(raw) as { logicalExpiration: number; value: unknown })
  }

  it('20 requests at once on an empty cache make one pricing call, and answer what parallel answers', async () => {
    await start()
    const answers = await together(20)
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200))
    expect(pricingCalls()).toBe(1)
    expect(new Set(answers.map((a) => a.body)).size).toBe(1)
    await settled()
    // One request refreshed; the 19 that waited for it are hits (they called nothing).
    expect((await counters()).priceCache).toMatchObject({ hits: 19, misses: 1, stale: 0 })
    expect((await redis.lab.get(`/parallel${PAGE}`)).body).toBe(answers[0]!.body)
    expect(warnings).toEqual([])
  })

  it('past the TTL: every request is served the stale list at once, and one pricing call refreshes it in the background', async () => {
    await start()
    const first = await redis.lab.get(`/swr${PAGE}`)
    await settled()
    const { logicalExpiration } = (await stored())!
    await sleep(Math.max(0, logicalExpiration - Date.now()) + 50)
    const before = await counters()
    const answers = await together(10)
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200))
    // None waited for pricing: the refresh's call ends after their answers.
    expect(answers.filter(waitedForPricing)).toEqual([])
    expect(answers.every((a) => a.body === first.body)).toBe(true)
    await settled()
    const after = await counters()
    expect(after.priceCache.stale - before.priceCache.stale).toBe(10)
    expect(after.upstreamCalls.pricing - before.upstreamCalls.pricing).toBe(1)
    // Refreshed: a new logical expiry, and the next answer is fresh, not stale.
    expect((await stored())!.logicalExpiration).toBeGreaterThan(logicalExpiration)
    await redis.lab.get(`/swr${PAGE}`)
    expect((await counters()).priceCache.stale).toBe(after.priceCache.stale)
  })

  it('past the grace: the list is gone from Redis and refreshed, never served stale', async () => {
    await start()
    await redis.lab.get(`/swr${PAGE}`)
    await settled()
    // Stored for its TTL and the grace after it, no longer.
    const pttl = await redis.probe.pttl(KEY)
    expect(pttl).toBeGreaterThan(0)
    expect(pttl).toBeLessThanOrEqual((TTL_SECONDS + GRACE_SECONDS) * 1000)
    await vi.waitUntil(async () => (await redis.probe.exists(KEY)) === 0, {
      timeout: (TTL_SECONDS + GRACE_SECONDS) * 1000 + 2000,
      interval: 50,
    })
    // The in-process tier forgets it at the same time: the next request waits for pricing.
    await sleep(50)
    const before = await counters()
    const answer = await redis.lab.get(`/swr${PAGE}`)
    expect(answer.status).toBe(200)
    expect(waitedForPricing(answer)).toBe(true)
    const after = await counters()
    expect(after.priceCache.stale).toBe(before.priceCache.stale)
    expect(after.priceCache.misses - before.priceCache.misses).toBe(1)
  })

  it('pricing failing within the grace: the stale list is still served; past the grace the answer is a 502 naming pricing', async () => {
    await start({ ...SCENARIO, services: { pricing: { latencyMs: 20, perItemMs: 0, faults: { errorRate: 1 } } } })
    redis.lab.upstreams.faults.setEnabled(false)
    const first = await redis.lab.get(`/swr${PAGE}`)
    expect(first.status).toBe(200)
    await settled()
    redis.lab.upstreams.faults.setEnabled(true)
    await sleep(TTL_SECONDS * 1000 + 100)
    for (let i = 0; i < 3; i++) {
      const answer = await redis.lab.get(`/swr${PAGE}`)
      expect(answer.status).toBe(200)
      expect(answer.body).toBe(first.body)
      await settled()
    }
    expect(redis.lab.upstreams.stats.snapshot().services.pricing.faults.error).toBeGreaterThan(0)
    await vi.waitUntil(async () => (await redis.probe.exists(KEY)) === 0, {
      timeout: (TTL_SECONDS + GRACE_SECONDS) * 1000 + 2000,
      interval: 50,
    })
    await sleep(50)
    const late = await redis.lab.get(`/swr${PAGE}`)
    expect(late.status).toBe(502)
    expect(JSON.parse(late.body)).toMatchObject({ upstream: 'pricing' })
  })

  it('a refresh still running when the cache is emptied does not fill it again: the next request is cold', async () => {
    await start()
    await redis.lab.get(`/swr${PAGE}`)
    await settled()
    await sleep(Math.max(0, (await stored())!.logicalExpiration - Date.now()) + 50)
    // A stale answer, its refresh (150 ms of pricing) running; the harness empties the cache meanwhile.
    const stale = await redis.lab.get(`/swr${PAGE}`)
    expect(waitedForPricing(stale)).toBe(false)
    const flushed = await fetch(`${redis.lab.baseUrl}/__lab/cache/flush`, { method: 'POST' })
    expect(flushed.status).toBe(200)
    await settled()
    expect(await redis.probe.exists(KEY)).toBe(0)
    const cold = await redis.lab.get(`/swr${PAGE}`)
    expect(waitedForPricing(cold)).toBe(true)
  })

  it('a refresh that fails with no stale list to serve is a miss, answered 502 naming pricing', async () => {
    await start({ ...SCENARIO, services: { pricing: { latencyMs: 20, perItemMs: 0, faults: { errorRate: 1 } } } })
    const answer = await redis.lab.get(`/swr${PAGE}`)
    expect(answer.status).toBe(502)
    expect(JSON.parse(answer.body)).toMatchObject({ upstream: 'pricing' })
    await settled()
    expect((await counters()).priceCache).toMatchObject({ hits: 0, misses: 1, unusable: 0, stale: 0 })
  })

  it('Redis killed: it fails open, one warning for the outage, and still makes one pricing call for requests sent together', async () => {
    await start()
    const before = (await redis.lab.get(`/swr${PAGE}`)).body
    await settled()
    await redis.server.stop()
    // A page it never cached: nothing in Redis, nothing in memory.
    const calls = pricingCalls()
    const answers = await together(10, '/swr/products?limit=10&page=2')
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200))
    expect(pricingCalls() - calls).toBe(1)
    // Page one, still in this process's memory: answered as before.
    const again = await redis.lab.get(`/swr${PAGE}`)
    expect(again.status).toBe(200)
    expect(again.body).toBe(before)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('unavailable')
  })

  it("a value under its key that is not this page's price list is a miss: warned once, refreshed and overwritten", async () => {
    await start()
    const reference = (await redis.lab.get(`/parallel${PAGE}`)).body
    const calls = pricingCalls()
    await redis.probe.set(KEY, JSON.stringify({ value: [{ productId: 999 }], logicalExpiration: Date.now() + 60_000 }), 'EX', 60)
    const answer = await redis.lab.get(`/swr${PAGE}`)
    expect(answer.status).toBe(200)
    expect(answer.body).toBe(reference)
    expect(pricingCalls() - calls).toBe(1)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/unusable cached price list/)
    expect((await counters()).priceCache.unusable).toBe(1)
    await vi.waitUntil(async () => ((await stored())?.value as unknown[] | undefined)?.length === 10, { timeout: 5000, interval: 10 })
  })

  it('a value under its key that is not JSON is a miss: refreshed and stored over', async () => {
    await start()
    const path = '/products?limit=10&page=2'
    const key = `swr:${priceCacheKey(Array.from({ length: 10 }, (_, i) => i + 11))}`
    await redis.probe.set(key, 'not json', 'EX', 60)
    const answer = await redis.lab.get(`/swr${path}`)
    expect(answer.status).toBe(200)
    expect(answer.body).toBe((await redis.lab.get(`/parallel${path}`)).body)
    expect(pricingCalls()).toBe(2)
    await vi.waitUntil(async () => (await redis.probe.get(key))?.startsWith('{'), { timeout: 5000, interval: 10 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/unusable cached price list \(not an entry bentocache can read\)/)
  })
})
