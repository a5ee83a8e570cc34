/**
 * What the API tells whoever runs it: the paths of the admin routes (admin-routes.ts adds
 * them on request) and what they answer, and which store the price cache uses. Nothing
 * else, so a caller reads it without loading the app or a Redis client.
 */

/** Where the price cache lives: a real Redis, or (only on a machine without one) an in-process map. */
export const CACHE_BACKENDS = ['redis', 'in-process'] as const
export type CacheBackend = (typeof CACHE_BACKENDS)[number]

export const ADMIN_PATHS = { flushCache: '/__lab/cache/flush', process: '/__lab/process' } as const

/** What GET /__lab/process answers: the API process's CPU time and memory so far. */
export interface ApiProcessUsage {
  pid: number
  cpuUserMicros: number
  cpuSystemMicros: number
  rssBytes: number
  heapUsedBytes: number
  /** Times the price cache became unavailable since start (CacheStore.outages). */
  cacheOutages: number
  /** Lookups skipped as misses since start, too many commands already waiting (CacheStore.shedLookups). */
  cacheShedLookups: number
}
