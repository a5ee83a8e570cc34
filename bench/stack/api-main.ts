/**
 * Entry of the API process: the fastify app under test in a process of its own, so the
 * load generator and the harness never share its event loop, with the lab's plugin
 * (lab-api/) as its instrument: the only place the two are put together, with serve.ts.
 * Started by api-process.ts.
 */
import type { ApiInit, ApiReady } from './api-process.ts'
import { runAsLabProcess } from './lab-process.ts'
import { openCacheStore, redisAddress } from './start-cache.ts'
import { resolveScenario } from '../../scenario/resolve-scenario.ts'
import { labApi } from '../../lab-api/plugin.ts'
import { createApiTracing } from '../../lab-api/tracing.ts'
import { buildApp } from '../../variants/shared/app.ts'

runAsLabProcess<ApiInit, ApiReady>('API', async ({ scenario: input, upstreamUrls, upstreamsInstance, redisUrl, trace }) => {
  const scenario = resolveScenario(input)
  const store = await openCacheStore(redisUrl, {
    commandTimeoutMs: scenario.cacheCommandTimeoutMs,
    maxPendingCommands: scenario.cacheMaxPendingCommands,
  })
  const surroundings = { upstreams: { urls: upstreamUrls, instance: upstreamsInstance }, cacheAddress: redisAddress(redisUrl) }
  const tracing = trace ? await createApiTracing(trace, upstreamUrls) : undefined
  const app = await buildApp({ scenario, upstreamUrls, cache: store, instrument: labApi(surroundings, tracing) })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    ready: { url, cacheBackend: store.backend },
    async close() {
      await app.close()
      await tracing?.shutdown()
      await store.close()
    },
  }
})
