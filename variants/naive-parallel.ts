/**
 * Concurrency alone, on the endpoint as first written: the four calls that need only the
 * page's ids start together, and so do the per-product stock calls (the N+1 is still 50
 * calls, now all at once: inventory's workers take them a batch at a time). One of the story's
 * fixes in every combination (README, "What each fix is worth").
 */
import { assemblePage } from './shared/product-page.ts'
import type { VariantContext } from './shared/variant.ts'

export const parent = 'naive'

export async function getProducts({ query, upstreams, time }: VariantContext) {
  const page = await time('catalog', () => upstreams.catalog.listProducts(query))
  const productIds = page.items.map((product) => product.id)
  const categoryIds = [...new Set(page.items.map((product) => product.categoryId))]

  // None of these four needs another's answer: start them together and wait for the slowest.
  const [stock, prices, ratings, paths] = await Promise.all([
    // Still one call per product, but all in flight at once instead of one after another.
    time('inventory', () => Promise.all(productIds.map((productId) => upstreams.inventory.getStock(productId)))),
    time('pricing', () => upstreams.pricing.calculatePrices(productIds)),
    time('reviews', () => upstreams.reviews.getRatingSummaries(productIds)),
    time('categories', () => upstreams.categories.getAncestorPaths(categoryIds)),
  ])

  return assemblePage(page, { stock, prices, ratings, paths })
}
