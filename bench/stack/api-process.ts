/** Starts the API under test in a child process, and talks to its admin routes (also of one running elsewhere: remote-roles.ts). */
import { fileURLToPath } from 'node:url'
import { SERVICE_NAMES, type Scenario, type ServiceName } from '../../scenario/types.ts'
import {
  ADMIN_PATHS,
  type ApiCounters,
  type ApiProcess,
  type ApiProcessUsage,
  type TimedUpstreamCalls,
  type TraceCounts,
} from '../../lab-api/protocol.ts'
import type { CacheBackend } from '../../variants/shared/cache-stats.ts'
import type { TraceSettings } from '../../lab-api/trace-file.ts'
import { askLabProcess } from './admin-client.ts'
import { CPU_PATH, type RoleCpu } from '../../roles/protocol.ts'
import { preforkLabProcess } from './lab-process.ts'

const ENTRY = fileURLToPath(new URL('./api-main.ts', import.meta.url))

/** What api-main.ts is started with, over IPC. */
export interface ApiInit {
  scenario: Scenario
  upstreamUrls: Record<ServiceName, string>
  /** The instance id of the upstreams' hello, for the API's own hello. */
  upstreamsInstance: string | null
  redisUrl: string | undefined
  /** --trace, --otlp: the API's requests as OpenTelemetry traces; none without. */
  trace?: TraceSettings
}

/** What api-main.ts answers once it listens. */
export interface ApiReady {
  url: string
  cacheBackend: CacheBackend
}

export type { ApiProcess } from '../../lab-api/protocol.ts'

/** How long a level waits, after its last answer, for the requests still in the API to end. */
export const DRAIN_PATIENCE_MS = 15_000

/**
 * Forks the API process now, so it loads while Redis and the mocks start; `start` gives it
 * their addresses and waits until it listens. `stop` stops it, started or not.
 */
export function preforkApiProcess(): { start(init: ApiInit): Promise<ApiProcess>; stop(): Promise<void> } {
  // --expose-gc: the harness empties the API's heap before each load level (collectGarbage).
  const forked = preforkLabProcess<ApiReady>(ENTRY, 'API', ['--expose-gc'])
  return {
    async start(init) {
      const lab = await forked.start(init)
      return apiAt(lab.ready.url, lab.ready.cacheBackend, lab.pid, lab.stop, init.trace !== undefined)
    },
    stop: forked.stop,
  }
}

/** The admin routes of the API at `url`; `stop` stops it when the lab started it (else nothing). */
export function apiAt(url: string, cacheBackend: CacheBackend, pid: number | null, stop: () => Promise<void>, tracing = false): ApiProcess {
  const counters = async (): Promise<ApiCounters> => {
    const answer = (await askLabProcess('API', `${url}${ADMIN_PATHS.counters}`, 'GET', 'read the API’s counters')) as Partial<ApiCounters>
    const counts = (value: unknown, keys: readonly string[]): boolean =>
      typeof value === 'object' && value !== null && keys.every((key) => Number.isInteger((value as Record<string, unknown>)[key]))
    if (
      !counts(answer.priceCache, ['hits', 'misses', 'unusable', 'unavailable']) ||
      !counts(answer.upstreamCalls, SERVICE_NAMES) ||
      !counts(answer, ['inFlight', 'handled', 'cacheReads'])
    ) {
      throw new Error(
        `Could not read the API’s counters: it answered ${JSON.stringify(answer).slice(0, 200)}, not the price cache's lookups, the calls per upstream and the requests in flight.`,
      )
    }
    return answer as ApiCounters
  }
  const usage = async (): Promise<ApiProcessUsage> =>
    (await askLabProcess('API', `${url}${ADMIN_PATHS.process}`, 'GET', 'read the API process’s CPU time')) as ApiProcessUsage
  /** A calibration route's answer: `samples` times, each a number of ms, or an error that says what was asked. */
  const times = async (doing: string, path: string, body: unknown, samples: number): Promise<number[]> => {
    const { timesMs } = (await askLabProcess('API', `${url}${path}`, 'POST', doing, body)) as Partial<TimedUpstreamCalls>
    if (!Array.isArray(timesMs) || timesMs.length !== samples || !timesMs.every((ms) => typeof ms === 'number' && ms >= 0)) {
      throw new Error(`Could not ${doing}: the API process answered without ${samples} times.`)
    }
    return timesMs
  }
  return {
    url,
    pid,
    cacheBackend,
    async flushCache() {
      await askLabProcess('API', `${url}${ADMIN_PATHS.flushCache}`, 'POST', 'empty the price cache to measure cold requests')
    },
    async collectGarbage() {
      await askLabProcess('API', `${url}${ADMIN_PATHS.collectGarbage}`, 'POST', 'collect the API process’s garbage')
    },
    counters,
    async drained(patienceMs = DRAIN_PATIENCE_MS) {
      const until = performance.now() + patienceMs
      while (performance.now() < until) {
        if ((await counters()).inFlight === 0) return
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    usage,
    // Its own route, not /__lab/process: reading that one starts a new period of the event loop's delay.
    cpu: async () => (await askLabProcess('API', `${url}${CPU_PATH}`, 'GET', 'read the API process’s CPU time')) as RoleCpu,
    async timeUpstreamCalls(service, path, samples, atOnce = 1) {
      const doing = atOnce > 1 ? `time ${atOnce} calls at once from the API, from ${service} on` : `time calls from the API to ${service}`
      return times(doing, ADMIN_PATHS.timeUpstreamCalls, { service, path, samples, ...(atOnce > 1 ? { atOnce } : {}) }, samples)
    },
    timeCacheReads: (samples, idleMs) =>
      times('time reads from the API to Redis', ADMIN_PATHS.timeCacheReads, { samples, idleMs }, samples),
    async tracePhase(phase, ratio) {
      if (!tracing) return
      await askLabProcess('API', `${url}${ADMIN_PATHS.trace}`, 'POST', `trace the ${phase} phase`, { phase, ratio })
    },
    async flushTraces() {
      if (!tracing) return null
      return (await askLabProcess('API', `${url}${ADMIN_PATHS.traceFlush}`, 'POST', 'write the traces')) as TraceCounts
    },
    stop,
  }
}
