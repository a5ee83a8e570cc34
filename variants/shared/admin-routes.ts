/**
 * The harness's routes on the API, added only when it runs under the harness (`admin`):
 * `POST /__lab/cache/flush` empties the price cache before a cold measurement, and
 * `GET /__lab/process` tells the API process's CPU time, memory and cache outages.
 */
import type { FastifyInstance } from 'fastify'
import { ADMIN_PATHS, type ApiProcessUsage } from './admin-paths.ts'
import { CacheUnavailableError, type CacheStore } from './cache-store.ts'

export function addAdminRoutes(app: FastifyInstance, cache: CacheStore): void {
  app.post(ADMIN_PATHS.flushCache, async (_request, reply) => {
    try {
      await cache.flush()
      return { flushed: true }
    } catch (error) {
      if (!(error instanceof CacheUnavailableError)) throw error
      return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: error.message })
    }
  })
  app.get(ADMIN_PATHS.process, async (): Promise<ApiProcessUsage> => {
    const cpu = process.cpuUsage()
    const memory = process.memoryUsage()
    return {
      pid: process.pid,
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      cacheOutages: cache.outages(),
      cacheShedLookups: cache.shedLookups(),
    }
  })
}
