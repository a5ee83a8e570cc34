/**
 * The msw handlers used in-process through setupServer: seeded data, per-call latency
 * from the scenario, call counters, and unhandled requests treated as errors.
 */
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import { createDataset } from '../mock-upstreams/data.ts'
import { createUpstreamHandlers, upstreamOrigin } from '../mock-upstreams/handlers.ts'
import { createUpstreamStats } from '../mock-upstreams/stats.ts'

const scenario = resolveScenario({
  seed: 7,
  services: {
    catalog: { latencyMs: 1 },
    inventory: { latencyMs: 1 },
    pricing: { latencyMs: 1, perItemMs: 2 },
    reviews: { latencyMs: 1 },
    categories: { latencyMs: 1 },
  },
})
const stats = createUpstreamStats()
const handlers = createUpstreamHandlers(scenario, stats)
const server = setupServer(...Object.values(handlers).flat())

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => stats.reset())
afterAll(() => server.close())

const post = (service: Parameters<typeof upstreamOrigin>[0], path: string, body: unknown) =>
  fetch(`${upstreamOrigin(service)}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('mock upstreams in-process', () => {
  it('serves a page of the seeded catalog, and a category filter that includes descendants', async () => {
    const page = await (await fetch(`${upstreamOrigin('catalog')}/products?page=2&limit=10`)).json()
    expect(page.items).toHaveLength(10)
    expect(page.items[0].id).toBe(11)
    expect(page.total).toBe(scenario.catalogSize)

    const dataset = createDataset(scenario.seed, scenario.catalogSize)
    const root = [...dataset.categories.values()].find((c) => c.parentId === null)!
    const filtered = await (await fetch(`${upstreamOrigin('catalog')}/products?limit=500&category=${root.id}`)).json()
    expect(filtered.total).toBeGreaterThan(0)
    for (const product of filtered.items) {
      expect(dataset.ancestorPath(product.categoryId)[0]?.id).toBe(root.id)
    }
  })

  it('generates the same data for the same seed and different data for another seed', () => {
    const a = createDataset(7, 500)
    const b = createDataset(7, 500)
    const c = createDataset(8, 500)
    expect(a.products).toEqual(b.products)
    expect(a.priceOf(42)).toEqual(b.priceOf(42))
    expect(a.products).not.toEqual(c.products)
    expect(a.categories.size).toBeGreaterThan(100)
    const leaf = a.products[0]!.categoryId
    expect(a.ancestorPath(leaf)).toHaveLength(4)
  })

  it('answers single and bulk stock, prices, ratings and category paths', async () => {
    const one = await (await fetch(`${upstreamOrigin('inventory')}/stock/3`)).json()
    const bulk = await (await post('inventory', '/stock/bulk', { ids: [3, 4] })).json()
    expect(bulk.items[0]).toEqual(one)
    const prices = await (await post('pricing', '/prices', { ids: [3, 4] })).json()
    expect(prices.prices.map((p: { productId: number }) => p.productId)).toEqual([3, 4])
    const ratings = await (await post('reviews', '/ratings', { ids: [5] })).json()
    expect(ratings.ratings[0].productId).toBe(5)
    const paths = await (await post('categories', '/paths', { ids: [1] })).json()
    expect(paths.paths[0].path).toEqual([{ id: 1, name: expect.any(String) }])
  })

  it('takes at least base + per-item × ids per call (pricing: 1 + 2 × 20 ms)', async () => {
    const started = performance.now()
    await post('pricing', '/prices', { ids: Array.from({ length: 20 }, (_, i) => i + 1) })
    // The mock sleeps until its deadline has passed, so the call is never shorter.
    expect(performance.now() - started).toBeGreaterThanOrEqual(41)
  })

  it('counts calls per service and endpoint, and the most calls in flight', async () => {
    await Promise.all([1, 2, 3].map((id) => fetch(`${upstreamOrigin('inventory')}/stock/${id}`)))
    await post('inventory', '/stock/bulk', { ids: [1, 2] })
    const snapshot = stats.snapshot()
    expect(snapshot.services.inventory.calls).toBe(4)
    expect(snapshot.services.inventory.endpoints).toEqual({ 'GET /stock/:productId': 3, 'POST /stock/bulk': 1 })
    expect(snapshot.services.inventory.maxInFlight).toBe(3)
    expect(snapshot.services.inventory.inFlight).toBe(0)
    expect(snapshot.services.pricing.calls).toBe(0)
  })

  it('rejects bad input with 400 and unknown products with 404', async () => {
    expect((await post('pricing', '/prices', { ids: [] })).status).toBe(400)
    expect((await post('pricing', '/prices', { ids: [999_999] })).status).toBe(400)
    expect((await fetch(`${upstreamOrigin('inventory')}/stock/999999`)).status).toBe(404)
    expect((await fetch(`${upstreamOrigin('catalog')}/products?page=abc`)).status).toBe(400)
  })

  it('treats a request no handler knows as an error', async () => {
    await expect(fetch(`${upstreamOrigin('pricing')}/no-such-endpoint`)).rejects.toThrow()
  })
})
