/** What a variant file is: a `parent` (the variant it improves on) and a `getProducts` handler. */
import type { PriceCache } from './cache-types.ts'
import type { ProductPage } from './page-schema.ts'
import type { StageTimer } from './stage-timing.ts'
import type { CatalogPage, CategoryPath, Price, ProductQuery, RatingSummary, StockLevel } from '../../scenario/wire-types.ts'

/** One call's own options: `signal` abandons this call alone (a resilience policy's timeout, a hedge's loser). */
export interface CallOptions {
  signal?: AbortSignal
}

/** The five services, for one request: every call is aborted when the request's signal is, or its own. */
export interface UpstreamClients {
  catalog: { listProducts(query: ProductQuery, options?: CallOptions): Promise<CatalogPage> }
  inventory: {
    getStock(productId: number, options?: CallOptions): Promise<StockLevel>
    getStockBulk(productIds: number[], options?: CallOptions): Promise<StockLevel[]>
  }
  pricing: { calculatePrices(productIds: number[], options?: CallOptions): Promise<Price[]> }
  reviews: { getRatingSummaries(productIds: number[], options?: CallOptions): Promise<RatingSummary[]> }
  categories: { getAncestorPaths(categoryIds: number[], options?: CallOptions): Promise<CategoryPath[]> }
}

export interface VariantContext {
  /** The validated query: page, limit and optionally category. */
  query: ProductQuery
  /** The five services; their calls are aborted when the request's deadline passes. */
  upstreams: UpstreamClients
  /**
   * The same services for work that no one request owns: a refresh that other requests wait
   * for, or that runs on after the answer. Never aborted by a request's deadline or answer;
   * each call still ends at the scenario's per-call timeout.
   */
  background: UpstreamClients
  /** The request's own signal: aborted at its deadline, and once it is answered (a sibling call failed). */
  signal: AbortSignal
  /** Milliseconds until the request's deadline (Infinity in the model's runs without one). */
  timeLeftMs(): number
  /**
   * `create()`'s value, made once per API process (in the model, once per virtual world) and
   * shared by all its requests: state that outlives a request, such as a circuit breaker.
   * `create` is the key: pass the same function (one declared at the top of the file) each time.
   */
  shared<T>(create: () => T): T
  priceCache: PriceCache
  /** Times a stage for the Server-Timing header. */
  time: StageTimer['time']
}

export interface Variant {
  /** The file name without `.ts`: the route prefix, the results key and every chart label. */
  name: string
  parent: string | null
  getProducts(context: VariantContext): Promise<ProductPage>
}

/** A variant's state for the whole process (VariantContext.shared): made on first use, one per function that makes it. */
export function perProcess(): VariantContext['shared'] {
  const made = new Map<() => unknown, unknown>()
  return <T>(create: () => T): T => {
    if (!made.has(create)) made.set(create, create())
    return made.get(create) as T
  }
}
