/**
 * The price cache: cache-aside over a CacheStore, keyed by the page's product ids (the
 * story's), or one key per product (item-cache's), or bentocache's getOrSet over the same
 * store (swr's single-flight and stale-while-revalidate). A value that cannot be used (not
 * JSON, wrong shape) is a miss, and a store that fails is a miss too: the cache can make a
 * request faster, never wrong or stuck.
 *
 * createPriceCache is a closure factory over the store, the counts and swr's bentocache: the three ways to cache read
 * side by side in the object it returns, which is why it runs past 80 lines.
 */
import { createHash } from 'node:crypto'
import { BentoCache, errors } from 'bentocache'
import { bentoLayers } from './bento-layers.ts'
import type { CacheStore, PriceCache, PriceCacheCounts } from './cache-types.ts'

export type { PriceCache, PriceCacheCounts, PriceCacheStats } from './cache-types.ts'
import type { Scenario } from '../../scenario/types.ts'
import type { Price } from '../../scenario/wire-types.ts'

/** Keys longer than this are hashed, so the key stays bounded for any page size. */
const MAX_PLAIN_KEY_LENGTH = 120

/** A cached value longer than this is a miss, unparsed: a page's price list is ~100 bytes per product (45 KB for 500). */
export const MAX_CACHED_PRICES_LENGTH = 1024 * 1024

export interface PriceCacheTiming {
  ttlSeconds: number
  /** How long past the TTL a stale list may be served while it refreshes (getOrSet only); 0: never. */
  graceSeconds: number
}

/** The scenario's TTL and grace, as the price cache takes them. */
export function priceCacheTiming(scenario: Pick<Scenario, 'cacheTtlSeconds' | 'cacheGraceSeconds'>): PriceCacheTiming {
  return { ttlSeconds: scenario.cacheTtlSeconds, graceSeconds: scenario.cacheGraceSeconds }
}

export function createPriceCache(store: CacheStore, { ttlSeconds, graceSeconds }: PriceCacheTiming, warn = console.warn): PriceCache {
  let unusable = 0
  const served = { fresh: 0, stale: 0, refreshed: 0, unusable: 0 }
  /**
   * Refreshes begun and not yet stored, per key: a count, as bentocache (1.6.1) can run two for
   * one key at once after one failed (its lock is dropped while others still wait on it).
   */
  const refreshing = new Map<string, number>()
  const refreshEnded = (key: string): void => {
    const left = (refreshing.get(key) ?? 0) - 1
    if (left > 0) refreshing.set(key, left)
    else refreshing.delete(key)
  }
  /** The lists bentocache served past their TTL: it says so in its hit event, emitted with the very object it returns. */
  const staleLists = new WeakSet<object>()
  /** How long a list is kept, in ms: its TTL and the grace after it (bentocache's grace counts from the write). */
  const lifetimeMs = (ttlSeconds + graceSeconds) * 1000
  /** Bumped by forget(): a refresh begun before it must not store its list into the emptied cache. */
  let generation = 0
  let bento: BentoCache<{ prices: ReturnType<typeof bentoLayers> }> | undefined
  const swr = (): NonNullable<typeof bento> => {
    if (bento) return bento
    const mine = generation
    const created = new BentoCache({
      default: 'prices',
      prefix: 'swr',
      stores: { prices: bentoLayers(store, { lifetimeMs, current: () => mine === generation }) },
      logger: warnOnUnreadable(warn),
    })
    created.on('cache:hit', ({ value, graced }) => {
      if (graced && typeof value === 'object' && value !== null) staleLists.add(value)
    })
    created.on('cache:written', ({ key }) => refreshEnded(key))
    return (bento = created)
  }
  const options = {
    ttl: ttlSeconds * 1000,
    grace: graceSeconds > 0 ? lifetimeMs : (false as const),
    // Past the TTL, the stale list at once and the refresh in the background (bentocache's default, said here).
    timeout: 0,
  }
  return {
    stats: () => ({ unusable, refreshing: [...refreshing.values()].reduce((sum, n) => sum + n, 0), served: { ...served } }),
    forget() {
      generation++
      bento = undefined
    },
    async getOrSet(productIds, refresh) {
      const key = priceCacheKey(productIds)
      const cache = swr()
      let waited = false
      const factory = async (): Promise<Price[]> => {
        refreshing.set(key, (refreshing.get(key) ?? 0) + 1)
        try {
          const prices = await refresh()
          waited = true
          return prices
        } catch (error) {
          refreshEnded(key)
          throw error
        }
      }
      let value: unknown
      try {
        value = await cache.getOrSet({ key, factory, ...options })
      } catch (error) {
        // A refresh that failed with no stale list to fall back on: a miss (it went to pricing), and
        // its own error (an UpstreamError names the service), not bentocache's wrapper.
        served.refreshed++
        throw error instanceof errors.E_FACTORY_ERROR && error.cause !== undefined ? error.cause : error
      }
      const prices = asPriceList(value, productIds)
      if (!prices) {
        served.unusable++
        warn(`[cache] ignoring an unusable cached price list (not a price list for this page); it will be overwritten.`)
        const fresh = await refresh()
        await cache.set({ key, value: fresh, ...options })
        return fresh
      }
      if (staleLists.has(prices)) served.stale++
      else if (waited) served.refreshed++
      else served.fresh++
      return prices
    },
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
          warn(
            `[cache] ignoring an unusable cached price (${raw.length} characters, not the price of product ${productIds[i]}); it will be overwritten.`,
          )
        }
        return price
      })
    },
    setEach(prices) {
      void store.setMany(
        prices.map((price) => [productPriceKey(price.productId), JSON.stringify(price)]),
        ttlSeconds,
      )
    },
  }
}

/**
 * bentocache's logger, quiet but for what the lab's store cannot tell: an entry in Redis it could
 * not read (not JSON), which it takes as a miss and overwrites. (The store's own failures never
 * reach it: the store answers them with null, and warns once per outage.)
 */
function warnOnUnreadable(warn: (message: string) => void) {
  const quiet = (): void => {}
  const logger = {
    trace: quiet,
    debug: quiet,
    info: quiet,
    warn: quiet,
    fatal: quiet,
    error(context: unknown, message?: string) {
      if (message?.includes('(get) failed'))
        warn('[cache] ignoring an unusable cached price list (not an entry bentocache can read); it will be overwritten.')
    },
    child: () => logger,
  }
  return logger
}

/**
 * The price cache's lookups since start, by outcome: a hit is a value found that could be used.
 * A request of swr's is one lookup (what getOrSet served), its tiers' own reads are not counted.
 */

export function priceCacheCounts(store: CacheStore, priceCache: PriceCache): PriceCacheCounts {
  const { found, notFound, unavailable } = store.stats().lookups
  const { served: swr, unusable } = priceCache.stats()
  return {
    hits: found - unusable + swr.fresh + swr.stale,
    misses: notFound + swr.refreshed,
    unusable: unusable + swr.unusable,
    unavailable,
    stale: swr.stale,
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
  return asPriceList(parseJson(raw), productIds)
}

/** The value, if it is the price list of these products, in order. */
function asPriceList(value: unknown, productIds: number[]): Price[] | undefined {
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
