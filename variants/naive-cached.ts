/**
 * The price cache alone, on the endpoint as first written: prices read through Redis
 * (cache-aside with a TTL), the N+1 and the one-call-after-another kept. One of the story's
 * fixes in every combination (README, "What each fix is worth"): `cached` without the N+1 fix.
 */
import { assemblePage } from './shared/product-page.ts'
import type { VariantContext } from './shared/variant.ts'

export const parent = 'naive'

export async function getProducts({ query, upstreams, priceCache, time }: VariantContext) {
  const page = await time('catalog', () => upstreams.catalog.listProducts(query))
  const productIds = page.items.map((product) => product.id)
  const categoryIds = [...new Set(page.items.map((product) => product.categoryId))]

  const stock = await time('inventory', async () => {
    const levels = []
    for (const productId of productIds) levels.push(await upstreams.inventory.getStock(productId))
    return levels
  })
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
