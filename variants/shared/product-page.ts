/**
 * The endpoint's answer, shared by every variant so that the same request always
 * produces the same bytes: the response schema (fastify serialises with it, fixing
 * field order) and the one function that joins the upstreams' answers into a page.
 */
import type { CatalogPage, CategoryPath, Price, RatingSummary, StockLevel } from './upstream-clients.ts'
import { UpstreamError } from './upstream-clients.ts'

export interface ProductView {
  id: number
  name: string
  category: { id: number; path: string[] }
  price: { currency: string; amountCents: number; listCents: number; discountPercent: number }
  stock: { available: number; inStock: boolean; warehouse: string }
  rating: { average: number; count: number }
}

export interface ProductPage {
  page: number
  limit: number
  total: number
  items: ProductView[]
}

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

const integer = { type: 'integer' } as const
const number = { type: 'number' } as const
const string = { type: 'string' } as const

/** JSON schema of a ProductPage; fastify serialises responses with it. */
export const productPageSchema = {
  type: 'object',
  required: ['page', 'limit', 'total', 'items'],
  additionalProperties: false,
  properties: {
    page: integer,
    limit: integer,
    total: integer,
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'category', 'price', 'stock', 'rating'],
        properties: {
          id: integer,
          name: string,
          category: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'path'],
            properties: { id: integer, path: { type: 'array', items: string } },
          },
          price: {
            type: 'object',
            additionalProperties: false,
            required: ['currency', 'amountCents', 'listCents', 'discountPercent'],
            properties: { currency: string, amountCents: integer, listCents: integer, discountPercent: number },
          },
          stock: {
            type: 'object',
            additionalProperties: false,
            required: ['available', 'inStock', 'warehouse'],
            properties: { available: integer, inStock: { type: 'boolean' }, warehouse: string },
          },
          rating: {
            type: 'object',
            additionalProperties: false,
            required: ['average', 'count'],
            properties: { average: number, count: integer },
          },
        },
      },
    },
  },
} as const
