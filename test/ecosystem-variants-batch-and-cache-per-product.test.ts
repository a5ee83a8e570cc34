/**
 * Beyond the story, the fixes the ecosystem uses. `dataloader` batches the stock loads made
 * together into one bulk call; the same loader awaited in a for … await loop (a fixture)
 * still makes one call per product, in the mocks' counts and in the model's. `item-cache`
 * caches prices per product: on the same seeded mix, from an empty cache, its hit ratio over
 * the product keys is at least the page key's (`parallel`), with identical bodies, counted by
 * the API and by Redis alike (MGET counts each key).
 */
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTrafficMix } from '../bench/measure/traffic-mix.ts'
import { modelVariants } from '../bench/stack/model-process.ts'
import { startRedisServer, type RedisServer } from '../bench/stack/start-cache.ts'
import type { ModelOutcome } from '../model/types.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import { ADMIN_PATHS, type ApiCounters } from '../variants/shared/admin-paths.ts'
import { connectRedisStore, type CacheStore } from '../variants/shared/cache-store.ts'
import { loadVariants, readVariants } from '../variants/shared/load-variants.ts'
import { startLab, type Lab } from './helpers/lab.ts'
import { readKeyspace, SKIP_REDIS } from './helpers/redis.ts'

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

  it('the model, from the code: one bulk call on the path (2010 ms), against 50 in turn for the loop (3970 ms, naive\'s)', async () => {
    const scenario = resolveScenario({})
    const [ours, fixture] = [await modelVariants(scenario, ['dataloader']), await modelVariants(scenario, ['sequential-loader'], { dir: FIXTURES })]
    const dataloader = modelled(ours.dataloader)
    const sequential = modelled(fixture['sequential-loader'])
    expect(dataloader.floor).toMatchObject({ warmMs: 2010, callsOnPath: 5 })
    expect(dataloader.floor.calls.inventory).toBe(1)
    expect(sequential.floor).toMatchObject({ warmMs: 3970, callsOnPath: 54 })
    expect(sequential.floor.calls.inventory).toBe(50)
  }, 30_000)
})

describe.skipIf(SKIP_REDIS)('item-cache: one key per product, on a real Redis', () => {
  let server: RedisServer
  let store: CacheStore
  let lab: Lab
  let probe: Redis

  beforeAll(async () => {
    server = await startRedisServer()
    store = await connectRedisStore(server.url, { commandTimeoutMs: 500, maxPendingCommands: 256 })
    lab = await startLab({ cache: store, scenario: { catalogSize: 400, traffic: { pages: 3, categories: 2, limits: [10, 4], zipfExponent: 1.1 } }, admin: true })
    probe = new Redis(server.url)
  })
  afterAll(async () => {
    probe.disconnect()
    await lab.close()
    await store.close()
    await server.stop()
  })

  const counters = async (): Promise<ApiCounters> => (await (await fetch(`${lab.baseUrl}${ADMIN_PATHS.counters}`)).json()) as ApiCounters
  const keyspace = () => readKeyspace(probe)

  it('on the same seeded mix from an empty cache: a hit ratio at least the page key\'s, the same bodies, every lookup counted by Redis too', async () => {
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
    // Per product, a page's lookups are its products' keys: far more than one per request.
    expect(await probe.dbsize()).toBeGreaterThan(new Set(requests.map((r) => r.path)).size)
  })
})
