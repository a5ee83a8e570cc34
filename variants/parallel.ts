/**
 * Step 3 of the story: the four calls that need only the page's ids run concurrently,
 * so the request waits for the slowest of them instead of their sum.
 */
import { assemblePage } from './shared/product-page.ts'
import type { VariantContext } from './shared/variant.ts'

export const parent = 'cached'

export async function getProducts({ query, upstreams, priceCache, time }: VariantContext) {
  const page = await time('catalog', () => upstreams.catalog.listProducts(query))
  const productIds = page.items.map((product) => product.id)
  const categoryIds = [...new Set(page.items.map((product) => product.categoryId))]

  // None of these four needs another's answer: start them together and wait for the slowest.
  const [stock, prices, ratings, paths] = await Promise.all([
    // One round trip for the page instead of one per product: 50 × 40 ms becomes 40 ms.
    time('inventory', () => upstreams.inventory.getStockBulk(productIds)),
    // Prices change rarely: serve them from Redis and recalculate only on a miss.
    (async () => {
      let prices = await time('cache', () => priceCache.get(productIds))
      if (!prices) {
        prices = await time('pricing', () => upstreams.pricing.calculatePrices(productIds))
        priceCache.set(productIds, prices)
      }
      return prices
    })(),
    time('reviews', () => upstreams.reviews.getRatingSummaries(productIds)),
    time('categories', () => upstreams.categories.getAncestorPaths(categoryIds)),
  ])

  return assemblePage(page, { stock, prices, ratings, paths })
}
