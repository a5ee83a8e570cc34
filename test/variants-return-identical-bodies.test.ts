/** The optimisations change time, never the answer: same query, same bytes, in every variant. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLab, type Lab } from './helpers/lab.ts'

const VARIANTS = ['naive', 'bulk', 'cached', 'parallel']
const QUERIES = ['', '?page=2', '?page=3&limit=7', '?limit=1', '?category=1', '?category=9&limit=20', '?page=9999']

describe.each([1, 42])('seed %i', (seed) => {
  let lab: Lab
  beforeAll(async () => {
    lab = await startLab({ scenario: { seed } })
  })
  afterAll(() => lab.close())

  it.each(QUERIES)('query "%s" gets byte-identical bodies from all four variants', async (query) => {
    const bodies = []
    for (const variant of VARIANTS) {
      const response = await lab.get(`/${variant}/products${query}`)
      expect(response.status, `${variant}${query}: ${response.body}`).toBe(200)
      bodies.push(response.body)
    }
    // Cached variants a second time: a body served from the cache is the same body.
    bodies.push((await lab.get(`/cached/products${query}`)).body, (await lab.get(`/parallel/products${query}`)).body)
    for (const body of bodies) expect(body).toBe(bodies[0])
    const page = JSON.parse(bodies[0]!)
    expect(page.items.length).toBeLessThanOrEqual(page.limit)
  })

  it('answers a full page with every field filled in', async () => {
    const page = JSON.parse((await lab.get('/naive/products')).body)
    expect(page.items).toHaveLength(50)
    for (const item of page.items) {
      expect(item.category.path.length).toBe(4)
      expect(item.price.currency).toBe('EUR')
      expect(item.stock.inStock).toBe(item.stock.available > 0)
    }
  })
})

it('gives different data for different seeds', async () => {
  const a = await startLab({ scenario: { seed: 1 } })
  const b = await startLab({ scenario: { seed: 2 } })
  try {
    expect((await a.get('/bulk/products')).body).not.toBe((await b.get('/bulk/products')).body)
  } finally {
    await a.close()
    await b.close()
  }
})
