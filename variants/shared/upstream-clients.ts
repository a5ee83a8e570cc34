/**
 * Clients for the five upstream services: one keep-alive undici Pool per service,
 * every call bounded by the scenario's per-call timeout. A failure becomes an
 * UpstreamError naming the service, which the API answers with 502 (or 504 on timeout).
 *
 * createUpstreamPools is a closure factory over the pools and their counters, returning the clients' object: it reads
 * best whole, one call path for every service, which is why it runs past 80 lines.
 */
import { setMaxListeners } from 'node:events'
import { Pool } from 'undici'
import { SERVICE_NAMES, type ServiceName } from '../../scenario/types.ts'
import type { CatalogPage, CategoryPath, Price, Product, RatingSummary, StockLevel } from '../../scenario/wire-types.ts'
import { UpstreamError } from './upstream-error.ts'
import type { CallOptions, UpstreamClients } from './variant.ts'

/** Where they were before the variant contract held them: a variant that imports them from here still builds. */
export type { CallOptions, UpstreamClients } from './variant.ts'
export type { ProductQuery } from '../../scenario/wire-types.ts'

/** The keep-alive pools, shared by all requests. */
export interface UpstreamPools {
  /** Clients whose calls end when `signal` aborts (the request's deadline) or after the per-call timeout. */
  forRequest(signal: AbortSignal): UpstreamClients
  /**
   * One GET of `path` through `service`'s pool, as the clients call, with `headers` added, to the
   * body read; bounded by the per-call timeout and not counted in `stats` (a health check; the
   * lab times it, the hop to an upstream).
   */
  probe(service: ServiceName, path: string, headers?: Record<string, string>): Promise<void>
  /** What the pools have done since start, read-only: a snapshot. */
  stats(): { calls: Record<ServiceName, number> }
  close(): Promise<void>
}

/** A signal that never aborts, shared by every call in flight that no request owns: a listener per call, no warning past 10. */
export function neverAborted(): AbortSignal {
  const { signal } = new AbortController()
  setMaxListeners(0, signal)
  return signal
}

/** The largest upstream answer read: a page of 500 products is about 50 KB. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024

export interface UpstreamClientOptions {
  urls: Record<ServiceName, string>
  timeoutMs: number
  connections: number
}

export function createUpstreamPools({ urls, timeoutMs, connections }: UpstreamClientOptions): UpstreamPools {
  const pools = Object.fromEntries(
    // A body over the cap is an upstream error, not a reason to fill the API's memory.
    SERVICE_NAMES.map((name) => [
      name,
      new Pool(urls[name], { connections, keepAliveTimeout: 60_000, maxResponseSize: MAX_RESPONSE_BYTES }),
    ]),
  ) as Record<ServiceName, Pool>

  const begun = Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])) as Record<ServiceName, number>

  async function call<T>(
    signal: AbortSignal,
    service: ServiceName,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    { counted = true, own, headers }: { counted?: boolean; own?: AbortSignal; headers?: Record<string, string> } = {},
  ): Promise<T> {
    // A call made after its request was aborted (a sibling's after a fail-fast) never leaves: not counted.
    if (own?.aborted) throw abandoned(service, own)
    if (counted && !signal.aborted) begun[service]++
    // Aborting closes the connection, so the upstream sees the call go away. One controller
    // and one timer per call: AbortSignal.any and AbortSignal.timeout cost several times
    // more CPU (weak references, a finalizer per signal), a measurable share of a request.
    const call = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      call.abort(new Error(`no answer within ${timeoutMs} ms`))
    }, timeoutMs)
    const onAbort = (): void => call.abort(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    const onOwnAbort = (): void => call.abort(own?.reason)
    own?.addEventListener('abort', onOwnAbort, { once: true })
    try {
      let response
      try {
        response = await pools[service].request({
          method,
          path,
          headers:
            body === undefined
              ? headers
                ? { accept: 'application/json', ...headers }
                : { accept: 'application/json' }
              : { accept: 'application/json', 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: call.signal,
        })
      } catch (error) {
        throw toUpstreamError(service, error, timeoutMs, signal, timedOut)
      }
      let text: string
      try {
        text = await response.body.text()
      } catch (error) {
        throw toUpstreamError(service, error, timeoutMs, signal, timedOut)
      }
      if (response.statusCode !== 200) {
        throw new UpstreamError(service, `answered ${response.statusCode} to ${method} ${path}: ${text.slice(0, 200)}`)
      }
      try {
        return JSON.parse(text) as T
      } catch {
        throw new UpstreamError(service, `sent a body that is not JSON for ${method} ${path}`)
      }
    } catch (error) {
      // Abandoned by its caller alone (the request goes on): say so, whatever undici said.
      throw own?.aborted && !signal.aborted ? abandoned(service, own) : error
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      own?.removeEventListener('abort', onOwnAbort)
    }
  }

  /** POSTs `{ ids }` and unwraps the list under `key`; an empty list needs no call. */
  async function callWithIds<T>(
    signal: AbortSignal,
    service: ServiceName,
    path: string,
    key: string,
    ids: number[],
    options?: CallOptions,
  ): Promise<T[]> {
    if (ids.length === 0) return []
    const body = await call<Record<string, T[] | undefined>>(signal, service, 'POST', path, { ids }, { own: options?.signal })
    const list = body[key]
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'object' && item !== null)) {
      throw new UpstreamError(service, `sent no "${key}" list of objects for POST ${path}`)
    }
    return list
  }

  return {
    forRequest: (signal) => ({
      catalog: {
        listProducts: async ({ page, limit, category }, options) => {
          const path = `/products?page=${page}&limit=${limit}${category === undefined ? '' : `&category=${category}`}`
          const body = await call<Partial<CatalogPage>>(signal, 'catalog', 'GET', path, undefined, { own: options?.signal })
          const valid =
            Array.isArray(body?.items) &&
            typeof body.total === 'number' &&
            body.items.every(
              (item: Partial<Product> | null) =>
                typeof item?.id === 'number' && typeof item.categoryId === 'number' && typeof item.name === 'string',
            )
          if (!valid) throw new UpstreamError('catalog', `sent a page that is not a list of products for GET ${path}`)
          return body as CatalogPage
        },
      },
      inventory: {
        getStock: async (productId, options) => {
          const stock = await call<Partial<StockLevel> | null>(signal, 'inventory', 'GET', `/stock/${productId}`, undefined, {
            own: options?.signal,
          })
          if (stock?.productId !== productId) throw new UpstreamError('inventory', `sent no stock for product ${productId}`)
          return stock as StockLevel
        },
        getStockBulk: (productIds, options) => callWithIds<StockLevel>(signal, 'inventory', '/stock/bulk', 'items', productIds, options),
      },
      pricing: {
        calculatePrices: (productIds, options) => callWithIds<Price>(signal, 'pricing', '/prices', 'prices', productIds, options),
      },
      reviews: {
        getRatingSummaries: (productIds, options) =>
          callWithIds<RatingSummary>(signal, 'reviews', '/ratings', 'ratings', productIds, options),
      },
      categories: {
        getAncestorPaths: (categoryIds, options) =>
          callWithIds<CategoryPath>(signal, 'categories', '/paths', 'paths', categoryIds, options),
      },
    }),
    async probe(service, path, headers) {
      await call<unknown>(AbortSignal.timeout(timeoutMs), service, 'GET', path, undefined, { counted: false, headers })
    },
    stats: () => ({ calls: { ...begun } }),
    async close() {
      await Promise.all(Object.values(pools).map((pool) => pool.close()))
    },
  }
}

/** A call its caller abandoned (its own signal), while the request goes on. */
function abandoned(service: ServiceName, own: AbortSignal): UpstreamError {
  const why = own.reason instanceof Error ? own.reason.message : 'its caller gave up on it'
  return new UpstreamError(service, `abandoned by its caller: ${why}`)
}

function toUpstreamError(service: ServiceName, error: unknown, timeoutMs: number, requestSignal: AbortSignal, timedOut: boolean): Error {
  // The request's deadline passed: that is the error to report, not this call's.
  if (requestSignal.aborted) return requestSignal.reason as Error
  if (timedOut) return new UpstreamError(service, `did not answer within ${timeoutMs} ms (upstreamTimeoutMs)`, true)
  return new UpstreamError(service, `failed: ${(error as Error | null)?.message ?? String(error)}`)
}
