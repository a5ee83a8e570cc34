/**
 * Where the price cache lives, and what its parts count (read-only stats): the store's
 * (cache-store.ts) and the price cache's (price-cache.ts). Types and one constant, importing
 * nothing: the lab's protocol and the results contract read them.
 */

/** Where the price cache lives: a real Redis, or (only on a machine without one) an in-process map. */
export const CACHE_BACKENDS = ['redis', 'in-process'] as const
export type CacheBackend = (typeof CACHE_BACKENDS)[number]

export interface CacheLookups {
  found: number
  notFound: number
  unavailable: number
}

export interface CacheStoreStats {
  /** How many times the cache has become unavailable since start: each is one warning, and requests then go to pricing. */
  outages: number
  /** Lookups answered as misses without asking, because `maxPendingCommands` were already waiting for Redis. */
  shedLookups: number
  /**
   * Every `get` since start, by what the store said: a value (`found`, Redis's keyspace_hits),
   * none (`notFound`, its keyspace_misses), or no answer (`unavailable`: an outage, a timeout,
   * a refused command, or a lookup shed). They add up to the lookups made.
   */
  lookups: CacheLookups
  /**
   * Read round trips sent to Redis since start: each get, read, getMany and probe that was sent
   * (not shed), answered or not. Always 0 for the in-process map, which makes none.
   */
  reads: number
  /** Commands sent and not yet answered or failed: stays bounded during an outage (nothing is queued for later). */
  pending: number
}

export interface PriceCacheStats {
  /** Lookups by get and getEach that found a value that could not be used (a miss, though Redis counts it a keyspace hit). */
  unusable: number
  /** Refreshes begun and not yet stored (swr): work in flight that a request may no longer wait for. */
  refreshing: number
  /** What getOrSet served: fresh, stale, a refresh it waited for (its own), or none it could use (then refreshed). */
  served: { fresh: number; stale: number; refreshed: number; unusable: number }
}

/**
 * Price-cache lookups by outcome; they add up to the lookups made. `hits`: a usable price list
 * (Redis keyspace_hits − unusable); `misses`: none stored (keyspace_misses); `unusable`: one
 * stored that could not be used; `unavailable`: Redis did not answer (an outage, a timeout, a
 * lookup shed). Every one but a hit goes on to pricing. A request of swr's is one lookup, of
 * what bentocache served it (its tiers' own reads are not counted): a miss is a refresh it
 * waited for, and Redis away makes misses, not `unavailable` ones.
 */
export interface PriceCacheCounts {
  hits: number
  misses: number
  unusable: number
  unavailable: number
  /** Of the hits, price lists served past their TTL, within the grace, while one request refreshed them (swr); 0 for the other variants. */
  stale: number
}

export interface CacheStore {
  readonly backend: CacheBackend
  get(key: string): Promise<string | null>
  /**
   * A get that is not counted in `lookups`: for a cache library's own reads (bentocache's, for
   * swr), whose caller counts the price lists it serves itself, once per request.
   */
  read(key: string): Promise<string | null>
  /** Stores `value` under `key`, expiring after `ttlSeconds`. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>
  /** Several keys in one round trip (Redis MGET): a value or null for each, in order; each key counts as one lookup. */
  getMany(keys: string[]): Promise<Array<string | null>>
  /** Several entries in one round trip (a pipeline of SET … EX), each expiring after `ttlSeconds`. */
  setMany(entries: Array<[key: string, value: string]>, ttlSeconds: number): Promise<void>
  /** Empties the cache (an operator's flush; benchmarks use it to measure cold requests). Throws CacheUnavailableError when it cannot. */
  flush(): Promise<void>
  /** One GET of `key`, not counted in `lookups`: whether Redis answered it (a health check; the lab times it, the hop to Redis). */
  probe(key: string): Promise<boolean>
  /** What the store has done since start, read-only: a snapshot. */
  stats(): CacheStoreStats
  close(): Promise<void>
}
