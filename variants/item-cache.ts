/**
 * Prices cached per product instead of per page: one MGET reads the page's keys, only the
 * products not cached go to pricing, and their prices are stored back in one pipeline.
 */
import { assemblePage } from './shared/product-page.ts'
import type { VariantContext } from './shared/variant.ts'
import type { Price } from '../scenario/wire-types.ts'

export const parent = 'parallel'

export async function getProducts({ query, upstreams, priceCache, time }: VariantContext) {
  const page = await time('catalog', () => upstreams.catalog.listProducts(query))
  const productIds = page.items.map((product) => product.id)
  const categoryIds = [...new Set(page.items.map((product) => product.categoryId))]

  // None of these four needs another's answer: start them together and wait for the slowest.
  const [stock, prices, ratings, paths] = await Promise.all([
    // One round trip for the page instead of one per product: 50 × 40 ms becomes 40 ms.
    time('inventory', () => upstreams.inventory.getStockBulk(productIds)),
    // A product's price is the same on every page that lists it: cache it per product, and
    // recalculate only the prices no page has cached yet.
    (async () => {
      const cached = await time('cache', () => priceCache.getEach(productIds))
      const missing = productIds.filter((_, i) => cached[i] === undefined)
      if (missing.length === 0) return cached as Price[]
      const fresh = await time('pricing', () => upstreams.pricing.calculatePrices(missing))
      priceCache.setEach(fresh)
      return [...cached.filter((price): price is Price => price !== undefined), ...fresh]
    })(),
    time('reviews', () => upstreams.reviews.getRatingSummaries(productIds)),
    time('categories', () => upstreams.categories.getAncestorPaths(categoryIds)),
  ])

  return assemblePage(page, { stock, prices, ratings, paths })
}
