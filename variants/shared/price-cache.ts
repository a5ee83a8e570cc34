/**
 * The price cache: cache-aside over a CacheStore, keyed by the page's product ids (the
 * story's), or one key per product (item-cache's). A value that cannot be used (not JSON,
 * wrong shape) is a miss, and a store that fails is a miss too: the cache can make a
 * request faster, never wrong or stuck.
 */
import { createHash } from 'node:crypto'
import type { CacheStore } from './cache-store.ts'
import type { Price } from '../../scenario/wire-types.ts'

/** Keys longer than this are hashed, so the key stays bounded for any page size. */
const MAX_PLAIN_KEY_LENGTH = 120

/** A cached value longer than this is a miss, unparsed: a page's price list is ~100 bytes per product (45 KB for 500). */
export const MAX_CACHED_PRICES_LENGTH = 1024 * 1024

export interface PriceCache {
  /** The page's price list, cached under one key for the page's ids (the story's cache-aside). */
  get(productIds: number[]): Promise<Price[] | undefined>
  /** Lookups that found a value that could not be used (a miss, though Redis counts it a keyspace hit), since start. */
  unusable(): number
  /** Stores in the background; a failure is logged by the store, never thrown. */
  set(productIds: number[], prices: Price[]): void
  /** Each product's price from its own key (`price:<id>`), all in one round trip: the price or undefined (not cached, or unusable), in order. */
  getEach(productIds: number[]): Promise<Array<Price | undefined>>
  /** Stores each price under its product's key, in one round trip, in the background. */
  setEach(prices: Price[]): void
}

export function createPriceCache(store: CacheStore, ttlSeconds: number, warn = console.warn): PriceCache {
  let unusable = 0
  return {
    unusable: () => unusable,
    async get(productIds) {
      const raw = await store.get(priceCacheKey(productIds))
      if (raw === null) return undefined
      const oversized = raw.length > MAX_CACHED_PRICES_LENGTH
      const prices = oversized ? undefined : parsePrices(raw, productIds)
      if (!prices) {
        unusable++
        const why = oversized ? `over the ${MAX_CACHED_PRICES_LENGTH}-character cap` : 'not a price list for this page'
        warn(`[cache] ignoring an unusable cached price list (${raw.length} characters, ${why}); it will be overwritten.`)
      }
      return prices
    },
    set(productIds, prices) {
      void store.set(priceCacheKey(productIds), JSON.stringify(prices), ttlSeconds)
    },
    async getEach(productIds) {
      const raws = await store.getMany(productIds.map(productPriceKey))
      return raws.map((raw, i) => {
        if (raw === null) return undefined
        const value = raw.length > MAX_CACHED_PRICES_LENGTH ? undefined : parseJson(raw)
        const price = isPriceOf(value, productIds[i]!) ? value : undefined
        if (!price) {
          unusable++
          warn(`[cache] ignoring an unusable cached price (${raw.length} characters, not the price of product ${productIds[i]}); it will be overwritten.`)
        }
        return price
      })
    },
    setEach(prices) {
      void store.setMany(prices.map((price) => [productPriceKey(price.productId), JSON.stringify(price)]), ttlSeconds)
    },
  }
}

/** One product's price, on its own: "price:" + its id. */
export function productPriceKey(productId: number): string {
  return `price:${productId}`
}

/** "prices:" + the ids joined, as in the story; hashed once that gets long. */
export function priceCacheKey(productIds: number[]): string {
  const joined = productIds.join(',')
  if (joined.length <= MAX_PLAIN_KEY_LENGTH) return `prices:${joined}`
  return `prices:sha256:${createHash('sha256').update(joined).digest('hex')}`
}

function parsePrices(raw: string, productIds: number[]): Price[] | undefined {
  const value = parseJson(raw)
  if (!Array.isArray(value) || value.length !== productIds.length) return undefined
  return value.every((price, i) => isPriceOf(price, productIds[i]!)) ? (value as Price[]) : undefined
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return undefined
  }
}

/** Whether a cached value is a price, and the price of `productId`. */
function isPriceOf(value: unknown, productId: number): value is Price {
  const price = value as Partial<Price> | null
  return (
    typeof price === 'object' &&
    price !== null &&
    price.productId === productId &&
    typeof price.currency === 'string' &&
    Number.isInteger(price.listCents) &&
    Number.isInteger(price.amountCents) &&
    typeof price.discountPercent === 'number'
  )
}
