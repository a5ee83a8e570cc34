/**
 * The endpoint as first written: every call in turn, and one inventory call per product
 * (the N+1). Each line is reasonable on its own; together they add up to seconds.
 */
import { assemblePage } from './shared/product-page.ts'
import type { VariantContext } from './shared/variant.ts'

export const parent = null

export async function getProducts({ query, upstreams, time }: VariantContext) {
  const page = await time('catalog', () => upstreams.catalog.listProducts(query))
  const productIds = page.items.map((product) => product.id)
  const categoryIds = [...new Set(page.items.map((product) => product.categoryId))]

  const stock = await time('inventory', async () => {
    const levels = []
    for (const productId of productIds) levels.push(await upstreams.inventory.getStock(productId))
    return levels
  })
  const prices = await time('pricing', () => upstreams.pricing.calculatePrices(productIds))
  const ratings = await time('reviews', () => upstreams.reviews.getRatingSummaries(productIds))
  const paths = await time('categories', () => upstreams.categories.getAncestorPaths(categoryIds))

  return assemblePage(page, { stock, prices, ratings, paths })
}
