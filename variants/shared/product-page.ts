/**
 * The one function that joins the upstreams' answers into the endpoint's page (its schema
 * and type in page-schema.ts), shared by every variant so that the same request always
 * produces the same bytes.
 */
import type { CatalogPage, CategoryPath, Price, RatingSummary, StockLevel } from '../../scenario/wire-types.ts'
import { UpstreamError } from './upstream-error.ts'
import type { ProductPage } from './page-schema.ts'

/** The page's schema and types, as before they had a file of their own: a variant that imports them from here still builds. */
export { productPageSchema, type ProductPage, type ProductView } from './page-schema.ts'

export interface PageParts {
  stock: StockLevel[]
  prices: Price[]
  ratings: RatingSummary[]
  paths: CategoryPath[]
}

/** Joins the catalog page with what the other four services said about its products. */
export function assemblePage(page: CatalogPage, parts: PageParts): ProductPage {
  const stock = indexBy(parts.stock, (s) => s.productId)
  const prices = indexBy(parts.prices, (p) => p.productId)
  const ratings = indexBy(parts.ratings, (r) => r.productId)
  const paths = indexBy(parts.paths, (p) => p.categoryId)
  return {
    page: page.page,
    limit: page.limit,
    total: page.total,
    items: page.items.map((product) => {
      const s = need(stock.get(product.id), 'inventory', `stock for product ${product.id}`)
      const p = need(prices.get(product.id), 'pricing', `a price for product ${product.id}`)
      const r = need(ratings.get(product.id), 'reviews', `a rating for product ${product.id}`)
      const c = need(paths.get(product.categoryId), 'categories', `a path for category ${product.categoryId}`)
      return {
        id: product.id,
        name: product.name,
        category: { id: product.categoryId, path: c.path.map((node) => node.name) },
        price: { currency: p.currency, amountCents: p.amountCents, listCents: p.listCents, discountPercent: p.discountPercent },
        stock: { available: s.available, inStock: s.available > 0, warehouse: s.warehouse },
        rating: { average: r.average, count: r.count },
      }
    }),
  }
}

function indexBy<T>(items: T[], key: (item: T) => number): Map<number, T> {
  return new Map(items.map((item) => [key(item), item]))
}

function need<T>(value: T | undefined, service: UpstreamError['service'], what: string): T {
  if (value === undefined) throw new UpstreamError(service, `sent no ${what}`)
  return value
}
