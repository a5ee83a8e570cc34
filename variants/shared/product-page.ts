/**
 * The endpoint's answer, shared by every variant so that the same request always
 * produces the same bytes: the response schema (fastify serialises with it, fixing
 * field order), declared once with TypeBox so the TypeScript type comes from it, and the
 * one function that joins the upstreams' answers into a page.
 */
import { Type, type Static, type TSchema } from 'typebox'
import type { CatalogPage, CategoryPath, Price, RatingSummary, StockLevel } from '../../scenario/wire-types.ts'
import { UpstreamError } from './upstream-error.ts'

/** An object with exactly these fields, in this order (the order of the bytes sent). */
const exactly = <P extends Record<string, TSchema>>(properties: P) => Type.Object(properties, { additionalProperties: false })

/** One product as the page shows it. */
const ProductViewSchema = exactly({
  id: Type.Integer(),
  name: Type.String(),
  category: exactly({ id: Type.Integer(), path: Type.Array(Type.String()) }),
  price: exactly({ currency: Type.String(), amountCents: Type.Integer(), listCents: Type.Integer(), discountPercent: Type.Number() }),
  stock: exactly({ available: Type.Integer(), inStock: Type.Boolean(), warehouse: Type.String() }),
  rating: exactly({ average: Type.Number(), count: Type.Integer() }),
})
export type ProductView = Static<typeof ProductViewSchema>

/** JSON schema of a ProductPage; fastify serialises responses with it. */
export const productPageSchema = exactly({
  page: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer(),
  items: Type.Array(ProductViewSchema),
})
export type ProductPage = Static<typeof productPageSchema>

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
