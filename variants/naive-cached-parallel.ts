/**
 * The price cache and concurrency, without the N+1 fix: the per-product stock calls start
 * together with the other three, and prices come from Redis. One of the story's fixes in
 * every combination (README, "What each fix is worth").
 */
import { assemblePage } from './shared/product-page.ts'
import type { VariantContext } from './shared/variant.ts'

export const parent = 'naive-cached'

export async function getProducts({ query, upstreams, priceCache, time }: VariantContext) {
  const page = await time('catalog', () => upstreams.catalog.listProducts(query))
  const productIds = page.items.map((product) => product.id)
  const categoryIds = [...new Set(page.items.map((product) => product.categoryId))]

  // None of these four needs another's answer: start them together and wait for the slowest.
  const [stock, prices, ratings, paths] = await Promise.all([
    // Still one call per product, but all in flight at once instead of one after another.
    time('inventory', () => Promise.all(productIds.map((productId) => upstreams.inventory.getStock(productId)))),
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
