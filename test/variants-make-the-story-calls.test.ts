/** Count what the mocks receive: the N+1, the bulk call, the cache, the calls in flight. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { priceCacheKey } from '../variants/shared/price-cache.ts'
import { startLab, uniformServices, type Lab } from './helpers/lab.ts'
import { waitUntil } from './helpers/wait.ts'

let lab: Lab
beforeAll(async () => {
  lab = await startLab()
})
afterAll(() => lab.close())
beforeEach(async () => {
  await lab.cache.flush()
  lab.upstreams.stats.reset()
})

const calls = () => {
  const { services } = lab.upstreams.stats.snapshot()
  return Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.calls]))
}

describe('upstream calls per request', () => {
  it('naive makes one inventory call per product, everything else once', async () => {
    expect((await lab.get('/naive/products')).status).toBe(200)
    expect(calls()).toEqual({ catalog: 1, inventory: 50, pricing: 1, reviews: 1, categories: 1 })
    expect(lab.upstreams.stats.snapshot().services.inventory.endpoints).toEqual({ 'GET /stock/:productId': 50 })
  })

  it('naive follows the page size: 7 products, 7 inventory calls', async () => {
    await lab.get('/naive/products?limit=7')
    expect(calls().inventory).toBe(7)
  })

  it('bulk makes one inventory call for the whole page', async () => {
    await lab.get('/bulk/products')
    expect(calls()).toEqual({ catalog: 1, inventory: 1, pricing: 1, reviews: 1, categories: 1 })
    expect(lab.upstreams.stats.snapshot().services.inventory.endpoints).toEqual({ 'POST /stock/bulk': 1 })
  })

  it.each(['cached', 'parallel'])('%s calls pricing once when cold and not at all on a warm repeat', async (variant) => {
    await lab.get(`/${variant}/products`)
    expect(calls().pricing).toBe(1)
    // The cache write is in the background: wait until the price list is there.
    await waitFor(async () => (await lab.cache.get(firstCacheKey())) !== null)
    lab.upstreams.stats.reset()
    await lab.get(`/${variant}/products`)
    expect(calls()).toEqual({ catalog: 1, inventory: 1, pricing: 0, reviews: 1, categories: 1 })
    // Another page is another key: cold again.
    lab.upstreams.stats.reset()
    await lab.get(`/${variant}/products?page=2`)
    expect(calls().pricing).toBe(1)
  })
})

describe('calls in flight', () => {
  it.each(['naive', 'bulk', 'cached'])('%s never has more than one call in flight', async (variant) => {
    await lab.get(`/${variant}/products`)
    await lab.get(`/${variant}/products`)
    const snapshot = lab.upstreams.stats.snapshot()
    expect(snapshot.maxInFlightOverall).toBe(1)
  })

  it('parallel has its independent calls in flight at once (cold: four, warm: three)', async () => {
    // Calls long enough that "at once" does not depend on how busy the machine is.
    const slow = await startLab({ scenario: uniformServices(30) })
    try {
      await slow.get('/parallel/products')
      expect(slow.upstreams.stats.snapshot().maxInFlightOverall).toBe(4)
      await waitFor(async () => (await slow.cache.get(firstCacheKey())) !== null)
      slow.upstreams.stats.reset()
      await slow.get('/parallel/products')
      const snapshot = slow.upstreams.stats.snapshot()
      expect(snapshot.maxInFlightOverall).toBe(3)
      expect(snapshot.services.catalog.maxInFlight).toBe(1)
      expect(snapshot.services.pricing.calls).toBe(0)
    } finally {
      await slow.close()
    }
  })
})

/** The cache key of page 1: products 1 to 50. */
function firstCacheKey(): string {
  return priceCacheKey(Array.from({ length: 50 }, (_, i) => i + 1))
}

/** Until `check` holds: the cache write after a miss lands in the background. */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  await waitUntil(check, 'the condition was not met')
}
