/**
 * The N+1 fixed without rewriting the data access: a DataLoader gathers the stock loads made
 * in the same tick into one bulk call, while the code still asks for one product at a time.
 */
import DataLoader from 'dataloader'
import { assemblePage } from './shared/product-page.ts'
import type { VariantContext } from './shared/variant.ts'

export const parent = 'naive'

export async function getProducts({ query, upstreams, time }: VariantContext) {
  // One loader per request: it batches this request's loads and caches nothing across requests.
  const stockLoader = new DataLoader((productIds: readonly number[]) => upstreams.inventory.getStockBulk([...productIds]))
  const page = await time('catalog', () => upstreams.catalog.listProducts(query))
  const productIds = page.items.map((product) => product.id)
  const categoryIds = [...new Set(page.items.map((product) => product.categoryId))]

  // Every load starts before any is awaited, so they share one batch: one bulk call, not 50.
  const stock = await time('inventory', () => Promise.all(productIds.map((productId) => stockLoader.load(productId))))
  const prices = await time('pricing', () => upstreams.pricing.calculatePrices(productIds))
  const ratings = await time('reviews', () => upstreams.reviews.getRatingSummaries(productIds))
  const paths = await time('categories', () => upstreams.categories.getAncestorPaths(categoryIds))

  return assemblePage(page, { stock, prices, ratings, paths })
}
