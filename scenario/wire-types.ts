/**
 * What the five upstream services send, as JSON: the contract between the API under test
 * and the services it calls. Neither side owns it: the mocks answer with these shapes
 * (mock-upstreams/), the API's clients read them (variants/shared/upstream-clients.ts).
 */

export interface Category {
  id: number
  name: string
  parentId: number | null
}

export interface Product {
  id: number
  name: string
  categoryId: number
}

/** catalog: `GET /products?page=&limit=[&category=]`. */
export interface CatalogPage {
  page: number
  limit: number
  total: number
  items: Product[]
}

/** inventory: `GET /stock/:productId`, and each item of `POST /stock/bulk` → `{ items }`. */
export interface StockLevel {
  productId: number
  available: number
  warehouse: string
}

/** pricing: each item of `POST /prices` → `{ prices }`. */
export interface Price {
  productId: number
  currency: string
  listCents: number
  discountPercent: number
  amountCents: number
}

/** reviews: each item of `POST /ratings` → `{ ratings }`. */
export interface RatingSummary {
  productId: number
  average: number
  count: number
}

/** categories: each item of `POST /paths` → `{ paths }`: the names from the root down. */
export interface CategoryPath {
  categoryId: number
  path: Pick<Category, 'id' | 'name'>[]
}

/** The API's query, as the catalog is asked for a page: `GET /products?page=&limit=[&category=]`. */
export interface ProductQuery {
  page: number
  limit: number
  category?: number
}
