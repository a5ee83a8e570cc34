/**
 * bentocache's two tiers for swr, on the lab's own parts: an in-process LRU (bentocache's
 * memory driver) in front of the lab's CacheStore (the real Redis, with its command timeout,
 * its cap on commands waiting and its one warning per outage; or the model's virtual store).
 *
 * Written here because bentocache's own Redis driver takes an ioredis connection and would
 * bypass all of that (a GET on a frozen Redis would wait, an outage would be an error per
 * command), and the model could not run it in virtual time. The L2 driver below is the
 * CacheDriver contract over CacheStore, nothing more: bentocache keeps the logic (its entry
 * format with the logical expiry, the grace, the locks). Its reads are not counted as the
 * store's lookups (CacheStore.read): the price cache counts what each request was served.
 *
 * The LRU measures time with `performance.now()` read at each use, not the performance object
 * lru-cache captures when it loads: the model fakes the clock for its runs, and a stale list
 * must leave the in-process tier at the end of its grace in virtual time too.
 */
import { bentostore } from 'bentocache'
import { MemoryDriver } from 'bentocache/drivers/memory'
import { LRUCache } from 'lru-cache'
import type { CacheStore } from './cache-stats.ts'

/** Price lists a process keeps in memory: the mix's distinct requests are at most a few hundred. */
const IN_PROCESS_ENTRIES = 10_000

export interface LayerOptions {
  /** How long an entry lives from its write, in ms: its TTL and the grace after it. */
  lifetimeMs: number
  /** False once the price cache was emptied after these layers were made: their late writes (a refresh that was running) are dropped. */
  current(): boolean
}

/** A bentocache store: the in-process tier, then the lab's CacheStore. */
export function bentoLayers(store: CacheStore, { lifetimeMs, current }: LayerOptions): ReturnType<typeof bentostore> {
  const lru = new LRUCache<string, string>({ max: IN_PROCESS_ENTRIES, ttlAutopurge: false, perf: { now: () => performance.now() } })
  return bentostore()
    .useL1Layer({
      options: {},
      factory: (config: ConstructorParameters<typeof MemoryDriver>[0]) =>
        new WriteTimedMemoryDriver({ ...config, cacheInstance: lru }, lifetimeMs),
    })
    .useL2Layer({ options: {}, factory: (config: { prefix?: string }) => storeDriver(store, config.prefix ?? '', current) })
}

/**
 * The memory tier, its entries kept for their lifetime from their write, not from the copy: an
 * entry read from Redis is copied here with its whole TTL and grace counted from the read
 * (bentocache 1.6.1), which would serve it stale past its grace.
 */
class WriteTimedMemoryDriver extends MemoryDriver {
  constructor(
    config: ConstructorParameters<typeof MemoryDriver>[0],
    private readonly lifetimeMs: number,
  ) {
    super(config)
  }

  override set(key: string, value: string, ttl?: number): boolean {
    const createdAt = writtenAt(value)
    const left = createdAt === undefined ? ttl : Math.min(ttl ?? Infinity, createdAt + this.lifetimeMs - Date.now())
    if (left !== undefined && left <= 0) return false
    return super.set(key, value, left === Infinity ? undefined : left)
  }
}

/** When a serialized bentocache entry was written (its `createdAt`), if it says. */
function writtenAt(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const match = /"createdAt":(\d+)/.exec(value)
  return match ? Number(match[1]) : undefined
}

/** The part of bentocache's L2 contract it uses for getOrSet; what the lab's store cannot do (delete a key) fails, and bentocache logs it. */
function storeDriver(store: CacheStore, prefix: string, current: () => boolean) {
  const key = (name: string): string => (prefix ? `${prefix}:${name}` : name)
  const unsupported = async (): Promise<never> => {
    throw new Error('the lab’s cache store does not delete single keys')
  }
  return {
    type: 'l2' as const,
    namespace: (namespace: string) => storeDriver(store, key(namespace), current),
    get: async (name: string) => (await store.read(key(name))) ?? undefined,
    pull: unsupported,
    /** bentocache gives the physical TTL (the grace) in ms; Redis keeps whole seconds, rounded down, so a list never outlives its grace. */
    async set(name: string, value: string, ttlMs?: number) {
      if (!current()) return false
      await store.set(key(name), value, ttlMs === undefined ? LONGEST_TTL_SECONDS : Math.max(1, Math.floor(ttlMs / 1000)))
      return true
    },
    clear: () => store.flush(),
    delete: unsupported,
    deleteMany: unsupported,
    disconnect: async () => {},
  }
}

/** bentocache without a TTL means "forever"; the lab's store always expires, after a year at most. */
const LONGEST_TTL_SECONDS = 86_400 * 365
