/**
 * The price cache's contracts: the store (cache-store.ts: Redis, or the in-process map) and the
 * price cache over it (price-cache.ts), what each says of itself (read-only stats), and where it
 * lives. Types only, in a file of their own, so whoever reads them (a variant, the lab's plugin,
 * the harness) loads no Redis client.
 */
import type { Price } from '../../scenario/wire-types.ts'

import type { PriceCacheStats } from './cache-stats.ts'

export {
  CACHE_BACKENDS,
  type CacheBackend,
  type CacheStore,
  type CacheLookups,
  type CacheStoreStats,
  type PriceCacheCounts,
  type PriceCacheStats,
} from './cache-stats.ts'

export interface PriceCache {
  /** The page's price list, cached under one key for the page's ids (the story's cache-aside). */
  get(productIds: number[]): Promise<Price[] | undefined>
  /** Stores in the background; a failure is logged by the store, never thrown. */
  set(productIds: number[], prices: Price[]): void
  /** Each product's price from its own key (`price:<id>`), all in one round trip: the price or undefined (not cached, or unusable), in order. */
  getEach(productIds: number[]): Promise<Array<Price | undefined>>
  /** Stores each price under its product's key, in one round trip, in the background. */
  setEach(prices: Price[]): void
  /**
   * The page's price list through bentocache (swr): from the cache while fresh; on a miss,
   * `refresh`'s, one refresh per page per process at a time (single-flight: the requests that
   * miss meanwhile wait for it); past the TTL and within the grace, the stale list at once while
   * one refresh runs in the background (stale-while-revalidate), or while pricing fails. Past
   * the grace, a list is refreshed, never served.
   */
  getOrSet(productIds: number[], refresh: () => Promise<Price[]>): Promise<Price[]>
  /** Forgets what this process holds in memory (swr's in-process tier): after the store is emptied. */
  forget(): void
  /** What the price cache has done since start, read-only: a snapshot. */
  stats(): PriceCacheStats
}
