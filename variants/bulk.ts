/**
 * Step 1 of the story: the N+1 fixed. Stock for the whole page comes from one bulk
 * call instead of one call per product.
 */
import { assemblePage } from './shared/product-page.ts'
import type { VariantContext } from './shared/variant.ts'

export const parent = 'naive'

export async function getProducts({ query, upstreams, time }: VariantContext) {
  const page = await time('catalog', () => upstreams.catalog.listProducts(query))
  const productIds = page.items.map((product) => product.id)
  const categoryIds = [...new Set(page.items.map((product) => product.categoryId))]

  // One round trip for the page instead of one per product: 50 × 40 ms becomes 40 ms.
  const stock = await time('inventory', () => upstreams.inventory.getStockBulk(productIds))
  const prices = await time('pricing', () => upstreams.pricing.calculatePrices(productIds))
  const ratings = await time('reviews', () => upstreams.reviews.getRatingSummaries(productIds))
  const paths = await time('categories', () => upstreams.categories.getAncestorPaths(categoryIds))

  return assemblePage(page, { stock, prices, ratings, paths })
}
