/**
 * Where the cached variants keep prices: a real Redis through ioredis, or, only on a
 * machine with no Redis at all, an in-process map that says so.
 *
 * Redis must never make a request hang. With ioredis's defaults a GET issued while
 * Redis is down waits ~70 s (20 retries with backoff), and forever while Redis is
 * frozen (measured on this project's machines). So: no offline queue (a command while disconnected
 * fails at once), a command timeout of tens of ms (a frozen Redis fails the command;
 * see withTimeout),
 * no per-request retries, and reconnection in the background.
 *
 * connectRedisStore and createInProcessStore are closure factories over one connection's state (counters, the pending bound, the
 * outage warnings): each reads best whole, as the object it returns, which is why connectRedisStore runs past 80 lines.
 */
import { Redis } from 'ioredis'
import type { CacheLookups, CacheStore } from './cache-types.ts'

export type { CacheBackend, CacheLookups, CacheStore, CacheStoreStats } from './cache-types.ts'

/**
 * How long a flush keeps trying while Redis is away. A flush is the harness's, not a
 * request's: a cold measurement needs an empty cache, so it waits out a short outage
 * (a busy machine can delay one command past the timeout) rather than fail the run.
 */
export const FLUSH_PATIENCE_MS = 5000

/** The cache could not be emptied: Redis stayed unavailable for FLUSH_PATIENCE_MS. */
export class CacheUnavailableError extends Error {}

export interface RedisStoreOptions {
  /** A command that has not answered by then fails (the caller treats it as a miss). */
  commandTimeoutMs: number
  /**
   * Commands allowed to wait for Redis at once; more are misses (or skipped writes), so a
   * slow Redis cannot grow a queue (the scenario's cacheMaxPendingCommands).
   */
  maxPendingCommands: number
  /** How long to wait for the first connection (TCP, AUTH, ready check) before giving up. @default 2000 */
  connectTimeoutMs?: number
  /** Where warnings go: one line when Redis goes away, one when it is back. */
  warn?: (message: string) => void
  /** @default FLUSH_PATIENCE_MS */
  flushPatienceMs?: number
}

export async function connectRedisStore(url: string, options: RedisStoreOptions): Promise<CacheStore> {
  const warn = options.warn ?? ((message: string) => console.warn(message))
  const connectTimeoutMs = options.connectTimeoutMs ?? 2000
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: connectTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  })
  let healthy = true
  let closing = false
  let outages = 0
  let shedLookups = 0
  // Before the first connection, a failure is the caller's error to report, not an outage.
  let connected = false
  const markDown = (reason: string): void => {
    if (!connected || !healthy || closing) return
    healthy = false
    outages++
    warn(`[cache] Redis at ${redactUrl(url)} is unavailable (${reason}); serving prices from the pricing service until it is back.`)
  }
  // The reason behind a failed first connection (e.g. WRONGPASS), which connect() reports only as "Connection is closed".
  let lastError: Error | undefined
  redis.on('error', (error: Error) => {
    lastError = error
    markDown(error.message)
  })
  redis.on('close', () => markDown('connection closed'))
  const markUp = (): void => {
    if (healthy) return
    healthy = true
    warn(`[cache] Redis at ${redactUrl(url)} is back; using the cache again.`)
  }
  // Back after a reconnect, or after a freeze that never dropped the connection.
  redis.on('ready', markUp)

  try {
    // Connecting includes AUTH and a ready check (INFO): a server that accepts the
    // connection and never answers must not hold the start-up for ever.
    await withTimeout(redis.connect(), connectTimeoutMs, `no answer within ${connectTimeoutMs} ms`)
    connected = true
  } catch (error) {
    redis.disconnect()
    const reason = [(error as Error).message, lastError && lastError !== error ? lastError.message : undefined]
      .filter(Boolean)
      .map((message) => message!.replace(/\.$/, ''))
      .join(': ')
    throw new Error(
      `Cannot connect to Redis at ${redactUrl(url)}: ${reason}. ` +
        'Check REDIS_URL / --redis-url, or unset it to let the lab start its own redis-server.',
    )
  }

  const timed = <T>(command: Promise<T>): Promise<T> => withTimeout(command, options.commandTimeoutMs)

  /**
   * After a command failed: a ReplyError (e.g. WRONGTYPE: the key holds a hash) means Redis
   * is up and refused this command, and is returned for the caller to handle; anything else
   * is an outage.
   */
  const failed = (error: Error): 'refused' | 'outage' => {
    if (error.name === 'ReplyError') return 'refused'
    markDown(error.message)
    // A command that timed out stays in ioredis's queue, waiting for a reply from a Redis
    // that may never send one; during a freeze they would pile up. Destroy the socket
    // (a polite close would wait for the frozen peer too): ioredis fails what it had
    // queued and reconnects, and until it is ready, commands fail at once.
    if (/timed out/i.test(error.message) && redis.status === 'ready' && !closing) {
      redis.stream.destroy()
    }
    return 'outage'
  }

  /** Never more than this many commands waiting for Redis: beyond it, a miss (or no write) without asking. */
  const full = (): boolean => redis.commandQueue.length >= options.maxPendingCommands

  const lookups: CacheLookups = { found: 0, notFound: 0, unavailable: 0 }

  /** A failed command is a cache miss, never an error for the request. */
  const guard = async <T>(command: () => Promise<T>, fallback: T, onFailure?: () => void): Promise<T> => {
    try {
      const result = await command()
      markUp()
      return result
    } catch (error) {
      onFailure?.()
      // The value is unusable, which is a miss. The next SET overwrites it.
      if (failed(error as Error) === 'refused')
        warn(`[cache] Redis refused a command (${(error as Error).message}); treating it as a miss.`)
      return fallback
    }
  }

  let reads = 0

  /** One GET, and what it found: a value, none, or no answer (failed, timed out, or shed). */
  const lookup = async (key: string): Promise<{ value: string | null; outcome: keyof CacheLookups }> => {
    if (full()) {
      shedLookups++
      return { value: null, outcome: 'unavailable' }
    }
    reads++
    let answered = true
    const value = await guard(
      () => timed(redis.get(key)),
      null,
      () => (answered = false),
    )
    return { value, outcome: !answered ? 'unavailable' : value === null ? 'notFound' : 'found' }
  }

  return {
    backend: 'redis',
    async get(key) {
      const { value, outcome } = await lookup(key)
      lookups[outcome]++
      return value
    },
    read: async (key) => (await lookup(key)).value,
    probe: async (key) => (await lookup(key)).outcome !== 'unavailable',
    async set(key, value, ttlSeconds) {
      if (!full()) await guard(async () => void (await timed(redis.set(key, value, 'EX', ttlSeconds))), undefined)
    },
    async getMany(keys) {
      if (keys.length === 0) return []
      const none = keys.map(() => null)
      if (full()) {
        shedLookups += keys.length
        lookups.unavailable += keys.length
        return none
      }
      reads++
      let answered = true
      const values = await guard<Array<string | null>>(
        () => timed(redis.mget(keys)),
        none,
        () => (answered = false),
      )
      if (!answered) lookups.unavailable += keys.length
      else {
        const found = values.filter((value) => value !== null).length
        lookups.found += found
        lookups.notFound += values.length - found
      }
      return values
    },
    async setMany(entries, ttlSeconds) {
      if (entries.length === 0 || full()) return
      await guard(async () => {
        const pipeline = redis.pipeline()
        for (const [key, value] of entries) pipeline.set(key, value, 'EX', ttlSeconds)
        // A pipeline answers with an [error, result] pair per command: the first error fails it.
        const replies = (await timed(pipeline.exec())) ?? []
        const refused = replies.find(([error]) => error)
        if (refused) throw refused[0]!
      }, undefined)
    },
    async flush() {
      const patienceMs = options.flushPatienceMs ?? FLUSH_PATIENCE_MS
      const giveUpAt = performance.now() + patienceMs
      for (;;) {
        try {
          await timed(redis.flushdb())
          markUp()
          return
        } catch (error) {
          const { message } = error as Error
          if (failed(error as Error) === 'refused')
            throw new CacheUnavailableError(`Cannot empty the cache: Redis at ${redactUrl(url)} refused FLUSHDB (${message}).`)
          if (performance.now() >= giveUpAt || closing) {
            throw new CacheUnavailableError(
              `Cannot empty the cache: Redis at ${redactUrl(url)} stayed unavailable for ${patienceMs / 1000} s (${message}).`,
            )
          }
          // Until ioredis has reconnected, a command fails at once: try again shortly.
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      }
    },
    stats: () => ({
      outages,
      shedLookups,
      lookups: { ...lookups },
      reads,
      pending: redis.commandQueue.length + ((redis as unknown as { offlineQueue?: { length: number } }).offlineQueue?.length ?? 0),
    }),
    async close() {
      closing = true
      await redis.quit().catch(() => redis.disconnect())
    },
  }
}

/**
 * `command`, failed with "Command timed out" when Redis has not answered `ms` after it was
 * sent. (ioredis's own commandTimeout would do, but for one thing.) The timer's verdict waits
 * for the event loop's I/O phase (setImmediate): when this process was itself busy past the
 * timeout — an API at saturation can hold its loop for 100 ms — a reply already waiting on
 * the socket is read first. Otherwise a busy API takes its own lag for Redis's, and turns
 * hits into misses, i.e. into pricing calls, just when it can least afford them.
 */
export function withTimeout<T>(command: Promise<T>, ms: number, message = 'Command timed out'): Promise<T> {
  return new Promise((resolve, reject) => {
    let settled = false
    const settle = (): boolean => !settled && (settled = true)
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          if (settle()) reject(new Error(message))
        }),
      ms,
    )
    command.then(
      (value) => {
        clearTimeout(timer)
        if (settle()) resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        if (settle()) reject(error)
      },
    )
  })
}

/** The fallback for machines without Redis: a Map with expiry, in the API's own process. */
export function createInProcessStore(): CacheStore {
  const entries = new Map<string, { value: string; expiresAt: number }>()
  const lookups: CacheLookups = { found: 0, notFound: 0, unavailable: 0 }
  const read = (key: string): string | null => {
    const entry = entries.get(key)
    if (!entry || entry.expiresAt <= Date.now()) {
      if (entry) entries.delete(key)
      return null
    }
    return entry.value
  }
  const get = (key: string): string | null => {
    const value = read(key)
    lookups[value === null ? 'notFound' : 'found']++
    return value
  }
  const set = (key: string, value: string, ttlSeconds: number): void =>
    void entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 })
  return {
    backend: 'in-process',
    get: async (key) => get(key),
    read: async (key) => read(key),
    set: async (key, value, ttlSeconds) => set(key, value, ttlSeconds),
    getMany: async (keys) => keys.map(get),
    async setMany(pairs, ttlSeconds) {
      for (const [key, value] of pairs) set(key, value, ttlSeconds)
    },
    async flush() {
      entries.clear()
    },
    probe: async () => true,
    stats: () => ({ outages: 0, shedLookups: 0, lookups: { ...lookups }, reads: 0, pending: 0 }),
    async close() {
      entries.clear()
    },
  }
}

/** A Redis URL with its password replaced, fit for logs and reports. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparsable Redis URL)'
  }
}
