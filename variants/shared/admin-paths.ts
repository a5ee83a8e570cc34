/**
 * The harness's side of the API: the paths of the admin routes (admin-routes.ts adds them
 * when the API runs under the harness) and what they answer. Nothing else, so the harness
 * reads it without loading the app.
 */

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
