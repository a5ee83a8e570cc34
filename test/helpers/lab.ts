/**
 * A whole lab for a test, on real loopback servers: the mocked upstreams over HTTP
 * (in this process, so counters are read directly), the fastify API listening on
 * 127.0.0.1, and a cache store. Latencies default to a few ms so tests run fast;
 * assertions are on counts and order, never on wall-clock figures.
 */
import type { FastifyInstance } from 'fastify'
import { resolveScenario } from '../../scenario/resolve-scenario.ts'
import type { Scenario, ScenarioInput } from '../../scenario/types.ts'
import { startUpstreams, type RunningUpstreams } from '../../mock-upstreams/serve-upstreams.ts'
import { labApi } from '../../lab-api/plugin.ts'
import { buildApp } from '../../variants/shared/app.ts'
import { createInProcessStore, type CacheStore } from '../../variants/shared/cache-store.ts'
import type { Variant } from '../../variants/shared/variant.ts'

/** Every service at the same latency: for tests about overlap, long enough to be robust on a busy machine. */
export function uniformServices(latencyMs: number): ScenarioInput {
  const service = { latencyMs, perItemMs: 0 }
  return { services: { catalog: service, inventory: service, pricing: service, reviews: service, categories: service } }
}

export const FAST_SERVICES: ScenarioInput = {
  services: {
    catalog: { latencyMs: 4 },
    inventory: { latencyMs: 2 },
    pricing: { latencyMs: 2, perItemMs: 0.1 },
    reviews: { latencyMs: 2 },
    categories: { latencyMs: 2 },
  },
}

export interface Lab {
  scenario: Scenario
  upstreams: RunningUpstreams
  app: FastifyInstance
  cache: CacheStore
  baseUrl: string
  get(path: string): Promise<{ status: number; body: string; serverTiming: string | null }>
  close(): Promise<void>
}

export async function startLab(
  options: { scenario?: ScenarioInput; cache?: CacheStore; warn?: (m: string) => void; variants?: Variant[]; admin?: boolean } = {},
): Promise<Lab> {
  const scenario = resolveScenario(FAST_SERVICES, options.scenario ?? {})
  const upstreams = await startUpstreams(scenario)
  const cache = options.cache ?? createInProcessStore()
  const app = await buildApp({
    scenario,
    upstreamUrls: upstreams.urls,
    cache,
    variants: options.variants,
    instrument: options.admin ? labApi() : undefined,
    warn: options.warn ?? (() => {}),
  })
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    scenario,
    upstreams,
    app,
    cache,
    baseUrl,
    async get(path) {
      const response = await fetch(`${baseUrl}${path}`)
      return { status: response.status, body: await response.text(), serverTiming: response.headers.get('server-timing') }
    },
    async close() {
      await app.close()
      await upstreams.close()
    },
  }
}
