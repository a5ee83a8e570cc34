/**
 * Step 2 of the story: prices read through a Redis cache (cache-aside with a TTL).
 * Recalculating 50 prices costs ~1.8 s; a cache hit costs a fraction of a millisecond.
 */
import { assemblePage } from './shared/product-page.ts'
import type { VariantContext } from './shared/variant.ts'

export const parent = 'bulk'

export async function getProducts({ query, upstreams, priceCache, time }: VariantContext) {
  const page = await time('catalog', () => upstreams.catalog.listProducts(query))
  const productIds = page.items.map((product) => product.id)
  const categoryIds = [...new Set(page.items.map((product) => product.categoryId))]

  // One round trip for the page instead of one per product: 50 × 40 ms becomes 40 ms.
  const stock = await time('inventory', () => upstreams.inventory.getStockBulk(productIds))
  // Prices change rarely: serve them from Redis and recalculate only on a miss.
  let prices = await time('cache', () => priceCache.get(productIds))
  if (!prices) {
    prices = await time('pricing', () => upstreams.pricing.calculatePrices(productIds))
    priceCache.set(productIds, prices)
  }
  const ratings = await time('reviews', () => upstreams.reviews.getRatingSummaries(productIds))
  const paths = await time('categories', () => upstreams.categories.getAncestorPaths(categoryIds))

  return assemblePage(page, { stock, prices, ratings, paths })
}
