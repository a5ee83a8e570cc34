/** Where the price cache lives: a real Redis, or (only on a machine without one) an in-process map. A file of its own: the results contract reads it. */
export const CACHE_BACKENDS = ['redis', 'in-process'] as const
export type CacheBackend = (typeof CACHE_BACKENDS)[number]
