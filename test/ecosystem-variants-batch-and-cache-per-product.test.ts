/**
 * Beyond the story, the fixes the ecosystem uses. `dataloader` batches the stock loads made
 * together into one bulk call; the same loader awaited in a for … await loop (a fixture)
 * still makes one call per product, in the mocks' counts and in the model's. `item-cache`
 * caches prices per product: on the same seeded mix, from an empty cache, its hit ratio over
 * the product keys is at least the page key's (`parallel`), with identical bodies, counted by
 * the API and by Redis alike (MGET counts each key); each price is stored under its product
 * with the TTL, a partial hit prices only the products missing (one call, timed by the mock
 * for that many), and a product's value that is not its price is a miss, logged once, and
 * overwritten.
 */
import { fileURLToPath } from 'node:url'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTrafficMix } from '../bench/measure/traffic-mix.ts'
import { modelVariants } from '../bench/stack/model-process.ts'
import type { ModelOutcome } from '../model/types.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import { ADMIN_PATHS, type ApiCounters } from '../lab-api/protocol.ts'
import type { CacheStore } from '../variants/shared/cache-store.ts'
import { productPriceKey } from '../variants/shared/price-cache.ts'
import { loadVariants, readVariants } from '../variants/shared/load-variants.ts'
import { startLab, type Lab } from './helpers/lab.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { startRedisLab, type RedisLab } from './helpers/redis-lab.ts'

const FIXTURES = fileURLToPath(new URL('./fixtures/variants/', import.meta.url))
const modelled = (outcome: ModelOutcome | undefined) => {
  if (!outcome || !('model' in outcome)) throw new Error(`not modelled: ${JSON.stringify(outcome)}`)
  return outcome.model
}

describe('dataloader batches only the loads that run together', () => {
  let lab: Lab
  beforeAll(async () => {
    const variants = [...(await loadVariants()), ...(await readVariants(FIXTURES)).filter((v) => v.name === 'sequential-loader')]
    lab = await startLab({ variants })
  })
  afterAll(() => lab.close())

  it.each([
    ['dataloader', 1],
    ['sequential-loader', 20],
  ])('%s: a page of 20 makes %i bulk inventory call(s), and the same body as naive', async (variant, calls) => {
    const naive = await lab.get('/naive/products?page=2&limit=20')
    lab.upstreams.stats.reset()
    const answer = await lab.get(`/${variant}/products?page=2&limit=20`)
    expect(answer.status).toBe(200)
    expect(answer.body).toBe(naive.body)
    const inventory = lab.upstreams.stats.snapshot().services.inventory
    expect(inventory.calls).toBe(calls)
    expect(inventory.endpoints).toEqual({ 'POST /stock/bulk': calls })
  })

  it("the model, from the code: one bulk call on the path (2010 ms), against 50 in turn for the loop (3970 ms, naive's)", async () => {
    const scenario = resolveScenario({})
    const [ours, fixture] = [
      await modelVariants(scenario, ['dataloader']),
      await modelVariants(scenario, ['sequential-loader'], { dir: FIXTURES }),
    ]
    const dataloader = modelled(ours.dataloader)
    const sequential = modelled(fixture['sequential-loader'])
    expect(dataloader.floor).toMatchObject({ warmMs: 2010, callsOnPath: 5 })
    expect(dataloader.floor.calls.inventory).toBe(1)
    expect(sequential.floor).toMatchObject({ warmMs: 3970, callsOnPath: 54 })
    expect(sequential.floor.calls.inventory).toBe(50)
  }, 30_000)
})

describe.skipIf(SKIP_REDIS)('item-cache: one key per product, on a real Redis', () => {
  let redis: RedisLab
  let store: CacheStore
  let lab: Lab
  let probe: Redis
  const warnings: string[] = []

  beforeAll(async () => {
    const started = await startRedisLab({
      scenario: { catalogSize: 400, traffic: { pages: 3, categories: 2, limits: [10, 4], zipfExponent: 1.1 } },
      admin: true,
      warn: (m) => warnings.push(m),
    })
    redis = started
    store = started.store
    lab = started.lab
    probe = started.probe
  })
  afterAll(() => redis.close())

  const counters = async (): Promise<ApiCounters> => (await (await fetch(`${lab.baseUrl}${ADMIN_PATHS.counters}`)).json()) as ApiCounters
  const keyspace = () => redis.keyspace()

  it("on the same seeded mix from an empty cache: a hit ratio at least the page key's, the same bodies, every lookup counted by Redis too", async () => {
    const requests = createTrafficMix(lab.scenario).sequence(40, 'item-cache')
    const bodies = new Map<string, string>()
    const ratio: Record<string, number> = {}
    for (const variant of ['parallel', 'item-cache']) {
      await store.flush()
      const [before, redisBefore] = [await counters(), await keyspace()]
      // One at a time: what the ratio counts is the keys, not races between concurrent misses.
      for (const request of requests) {
        const answer = await lab.get(`/${variant}${request.path}`)
        expect(answer.status).toBe(200)
        expect(answer.body, request.path).toBe(bodies.get(request.path) ?? answer.body)
        bodies.set(request.path, answer.body)
      }
      const [after, redisAfter] = [await counters(), await keyspace()]
      const hits = after.priceCache.hits - before.priceCache.hits
      const misses = after.priceCache.misses - before.priceCache.misses
      expect(hits).toBe(redisAfter.hits - redisBefore.hits)
      expect(misses).toBe(redisAfter.misses - redisBefore.misses)
      ratio[variant] = hits / (hits + misses)
    }
    expect(ratio['item-cache']).toBeGreaterThanOrEqual(ratio.parallel!)
    expect(warnings).toEqual([])
    // Per product, a page's lookups are its products' keys: far more than one per request.
    expect(await probe.dbsize()).toBeGreaterThan(new Set(requests.map((r) => r.path)).size)
  })

  const PAGE = '/products?page=2&limit=10'
  const pageIds = async (): Promise<number[]> =>
    (JSON.parse((await lab.get(`/item-cache${PAGE}`)).body) as { items: Array<{ id: number }> }).items.map((item) => item.id)

  it('stores each price under its product with the TTL; a partial hit prices only the products missing, in one call', async () => {
    await store.flush()
    const ids = await pageIds()
    await vi.waitFor(async () => expect(await probe.exists(...ids.map(productPriceKey))).toBe(ids.length), { timeout: 5000, interval: 10 })
    const ttl = await probe.ttl(productPriceKey(ids[0]!))
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(lab.scenario.cacheTtlSeconds)
    await probe.del(...ids.slice(0, 3).map(productPriceKey))
    lab.upstreams.stats.reset()
    const before = await counters()
    const answer = await lab.get(`/item-cache${PAGE}`)
    const after = await counters()
    expect(after.priceCache.hits - before.priceCache.hits).toBe(7)
    expect(after.priceCache.misses - before.priceCache.misses).toBe(3)
    expect(after.upstreamCalls.pricing - before.upstreamCalls.pricing).toBe(1)
    // One call, timed by the mock as pricing's 3 missing products: latency + 3 × per item.
    const pricing = lab.upstreams.stats.snapshot().services.pricing
    expect(pricing.calls).toBe(1)
    const { latencyMs, perItemMs } = lab.scenario.services.pricing
    expect(pricing.configuredMs).toBeCloseTo(latencyMs + 3 * perItemMs, 6)
    expect(answer.body).toBe((await lab.get(`/parallel${PAGE}`)).body)
    await vi.waitFor(async () => expect(await probe.exists(...ids.map(productPriceKey))).toBe(ids.length), { timeout: 5000, interval: 10 })
  })

  it("a product's cached value that is not its price is a miss, one log line, and is overwritten", async () => {
    await store.flush()
    const ids = await pageIds()
    const key = productPriceKey(ids[4]!)
    await vi.waitFor(async () => expect(await probe.exists(key)).toBe(1), { timeout: 5000, interval: 10 })
    await probe.set(key, JSON.stringify({ productId: 999, currency: 'EUR', listCents: 1, amountCents: 1, discountPercent: 0 }), 'EX', 60)
    warnings.length = 0
    const before = await counters()
    expect((await lab.get(`/item-cache${PAGE}`)).status).toBe(200)
    const after = await counters()
    expect(after.priceCache.unusable - before.priceCache.unusable).toBe(1)
    expect(after.priceCache.hits - before.priceCache.hits).toBe(9)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/unusable cached price .*not the price of product/)
    await vi.waitFor(async () => expect((JSON.parse((await probe.get(key))!) as { productId: number }).productId).toBe(ids[4]), {
      timeout: 5000,
      interval: 10,
    })
  })
})
