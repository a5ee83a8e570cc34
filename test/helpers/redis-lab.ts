/**
 * A lab (helpers/lab.ts) whose price cache is a real redis-server of its own, with a second
 * connection for a test to read Redis directly; `close` stops them all, in order.
 */
import { Redis } from 'ioredis'
import { startRedisServer, type RedisServer } from '../../bench/stack/start-cache.ts'
import { connectRedisStore, type CacheStore } from '../../variants/shared/cache-store.ts'
import { startLab, type Lab } from './lab.ts'
import { readKeyspace } from './redis.ts'

export interface RedisLab {
  server: RedisServer
  store: CacheStore
  lab: Lab
  /** A connection of the test's own, outside the API. */
  probe: Redis
  /** Redis's own keyspace hits and misses since it started (INFO stats). */
  keyspace(): Promise<{ hits: number; misses: number }>
  close(): Promise<void>
}

export async function startRedisLab(options: Omit<Parameters<typeof startLab>[0] & object, 'cache'> = {}): Promise<RedisLab> {
  const server = await startRedisServer()
  const store = await connectRedisStore(server.url, {
    commandTimeoutMs: 500,
    maxPendingCommands: 256,
    ...(options.warn ? { warn: options.warn } : {}),
  })
  const lab = await startLab({ ...options, cache: store })
  const probe = new Redis(server.url)
  // A test may stop the server: the probe's reconnection attempts are not the test's errors.
  probe.on('error', () => {})
  return {
    server,
    store,
    lab,
    probe,
    keyspace: () => readKeyspace(probe),
    async close() {
      probe.disconnect()
      await lab.close()
      await store.close()
      await server.stop()
    },
  }
}
