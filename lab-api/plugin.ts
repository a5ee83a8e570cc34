/**
 * The lab's instruments inside the API process: added to the app by whoever runs it under the
 * harness (bench/stack/api-main.ts, npm run serve), never by the app itself, which knows only
 * that something may watch it (variants/shared/app.ts, `instrument`):
 * `GET /__lab/hello` says who it is (roles/protocol.ts), what it serves and calls,
 * `GET /__lab/cpu` its CPU and its host's (for a bench on another host);
 * `POST /__lab/cache/flush` empties the price cache before a cold measurement,
 * `POST /__lab/gc` collects the heap's garbage before a load level (when node runs with
 * --expose-gc), `GET /__lab/process` tells the API process's CPU time, memory, event loop
 * and cache outages, and `POST /__lab/time-upstream-calls` times calls through the API's own
 * pools (the calibration of the API → upstream hop, one call or several at once), and
 * `POST /__lab/time-cache-reads` times bare reads through its Redis client (the calibration of
 * the API → Redis hop); `GET /__lab/echo?ms=40` answers after `ms`, waited precisely, with no
 * variant's code (the calibration of the request's own hop, harness → API); with --trace or
 * --otlp, `POST /__lab/trace` names the phase the next requests are of and the share traced, and
 * `POST /__lab/trace/flush` exports the spans ended so far (tracing.ts). With them, the app
 * counts the CPU it spends while requests are in flight (busy-cpu.ts).
 *
 * With LAB_TOKEN in the environment, every /__lab/* route wants it in the x-lab-token header.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isAdminRequest, trackBusyCpu } from './busy-cpu.ts'
import type { ApiTracing, TracePhase } from './tracing.ts'
import {
  ADMIN_PATHS,
  MAX_CALLS_AT_ONCE,
  type ApiCounters,
  type ApiHello,
  type ApiProcessUsage,
  type ApiSurroundings,
  type TimeCacheReads,
  type TimedUpstreamCalls,
  type TimeUpstreamCalls,
} from './protocol.ts'
import { CPU_PATH, hello, HELLO_PATH, LAB_TOKEN_HEADER, labTokenHeaders, labTokenRefusal, readRoleCpu } from '../roles/protocol.ts'
import { sleepUntil } from '../roles/precise-wait.ts'
import { SERVICE_NAMES, type ServiceName } from '../scenario/types.ts'
import type { AppParts, Instrument } from '../variants/shared/instrument.ts'
import { CacheUnavailableError } from '../variants/shared/cache-store.ts'
import { priceCacheCounts } from '../variants/shared/price-cache.ts'
import { UpstreamError } from '../variants/shared/upstream-error.ts'
import { variantDigest } from '../variants/shared/variant-files.ts'

/** The key the Redis hop's calibration reads: never set, so every read is a bare miss. */
const CALIBRATION_KEY = '__lab:calibration:never-set'

/** The event-loop delay histogram's resolution, in ms. */
const LOOP_RESOLUTION_MS = 10

/**
 * The plugin, as the app's instrument. `surroundings`: what its hello says of the API's upstreams
 * and Redis (set by whoever starts it); by default, the upstream URLs alone.
 */
export function labApi(surroundings?: ApiSurroundings, tracing?: ApiTracing): Instrument {
  return (app, parts) => {
    const added = addLabRoutes(app, parts, surroundings ?? { upstreams: { urls: parts.upstreamUrls, instance: null }, cacheAddress: null })
    addTraceRoutes(app, tracing)
    if (!tracing) return added
    tracing.attach(app)
    return {
      workStarted(request) {
        tracing.workStarted(request)
        return added.workStarted(request)
      },
    }
  }
}

/** POST /__lab/trace sets the phase and the share traced; POST /__lab/trace/flush exports what has ended. Without tracing: 409, saying so. */
function addTraceRoutes(app: FastifyInstance, tracing: ApiTracing | undefined): void {
  const off = { statusCode: 409, error: 'Conflict', message: 'API: tracing is off (start it with --trace or --otlp)' }
  app.post<{ Body: TracePhase }>(
    ADMIN_PATHS.trace,
    {
      schema: {
        body: {
          type: 'object',
          required: ['phase', 'ratio'],
          additionalProperties: false,
          properties: { phase: { type: 'string', maxLength: 40 }, ratio: { type: 'number', minimum: 0, maximum: 1 } },
        },
      },
    },
    async (request, reply) => {
      if (!tracing) return reply.code(409).send(off)
      tracing.setPhase(request.body)
      return tracing.counts()
    },
  )
  app.post(ADMIN_PATHS.traceFlush, async (_request, reply) => (tracing ? tracing.flush() : reply.code(409).send(off)))
}

function addLabRoutes(
  app: FastifyInstance,
  parts: AppParts,
  surroundings: ApiSurroundings,
): { workStarted(request: FastifyRequest): () => void } {
  const { scenario, cache, priceCache, pools } = parts
  // A variant's work counts as in flight until it settles, also after its answer (a deadline's
  // 504) or after the client went away (autocannon at a level's end). Held at most a deadline
  // and a call's timeout: work that never settles does not hold a level's drain.
  const busy = trackBusyCpu(app, scenario.requestDeadlineMs + scenario.upstreamTimeoutMs)
  app.addHook('onRequest', async (request, reply) => {
    if (!isAdminRequest(request)) return
    const refusal = labTokenRefusal(request.headers[LAB_TOKEN_HEADER])
    if (refusal) return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: `API: ${refusal}` })
  })
  addHello(app, parts, surroundings)
  addCacheRoutes(app, parts)
  addTimingRoutes(app, parts)
  // Requests in flight, and swr's refreshes still to store their list: a level's drain waits for both.
  const inFlight = (): number => busy.inFlight() + priceCache.stats().refreshing
  const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
  delay.enable()
  const counters = (): ApiCounters => ({
    priceCache: priceCacheCounts(cache, priceCache),
    upstreamCalls: pools.stats().calls,
    inFlight: inFlight(),
    handled: busy.handled(),
    cacheReads: cache.stats().reads,
  })
  app.get(ADMIN_PATHS.counters, async (): Promise<ApiCounters> => counters())
  app.get(ADMIN_PATHS.process, async (): Promise<ApiProcessUsage> => {
    const cpu = process.cpuUsage()
    const memory = process.memoryUsage()
    const { all, mainThread } = busy.read()
    const { outages, shedLookups } = cache.stats()
    return {
      pid: process.pid,
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      busyCpuMicros: all,
      busyMainThreadMicros: mainThread,
      cacheOutages: outages,
      cacheShedLookups: shedLookups,
      ...counters(),
      eventLoop: eventLoopSinceLastRead(),
    }
  })
  app.addHook('onClose', async () => delay.disable())
  return { workStarted: busy.hold }

  function eventLoopSinceLastRead(): ApiProcessUsage['eventLoop'] {
    const { idle, active } = performance.eventLoopUtilization()
    // The histogram records the time between its checks, its resolution included: the delay is what is left.
    const delayP99Ms = delay.count ? Math.max(0, Math.round((delay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100) : 0
    delay.reset()
    return { idleMs: idle, activeMs: active, delayP99Ms }
  }
}

/** Who the API is (`/__lab/hello`: the code it loaded, what it serves and calls), and its host's CPU (`/__lab/cpu`). */
function addHello(app: FastifyInstance, parts: AppParts, surroundings: ApiSurroundings): void {
  const { scenario, cache } = parts
  app.get(CPU_PATH, async () => readRoleCpu())
  // Taken as the API starts: the code it loaded, not what the files hold by the time a bench asks.
  const greeting: ApiHello = {
    ...hello('api', scenario),
    variants: Object.fromEntries(parts.variants.map((name) => [name, variantDigest(name)])),
    cacheBackend: cache.backend,
    gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
    ...surroundings,
  }
  app.get(HELLO_PATH, async (): Promise<ApiHello> => greeting)
}

/** The price cache emptied before a cold measurement, the heap collected before a level, and the hop to Redis timed bare. */
function addCacheRoutes(app: FastifyInstance, { cache, priceCache }: AppParts): void {
  app.post(ADMIN_PATHS.flushCache, async (_request, reply) => {
    try {
      await cache.flush()
      priceCache.forget()
      return { flushed: true }
    } catch (error) {
      if (!(error instanceof CacheUnavailableError)) throw error
      return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: error.message })
    }
  })
  app.post(ADMIN_PATHS.collectGarbage, async (_request, reply) => {
    const gc = (globalThis as { gc?: () => void }).gc
    if (!gc)
      return reply.code(501).send({
        statusCode: 501,
        error: 'Not Implemented',
        message: 'node runs without --expose-gc: the heap cannot be collected on request.',
      })
    gc()
    return { collected: true }
  })
  app.post<{ Body: TimeCacheReads }>(
    ADMIN_PATHS.timeCacheReads,
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['samples', 'idleMs'],
          properties: { samples: { type: 'integer', minimum: 1, maximum: 1000 }, idleMs: { type: 'integer', minimum: 0, maximum: 1000 } },
        },
      },
    },
    async (request, reply): Promise<TimedUpstreamCalls | undefined> => {
      if (cache.backend !== 'redis') {
        return reply
          .code(409)
          .send({ statusCode: 409, error: 'Conflict', message: 'the price cache is the in-process map: there is no hop to Redis to time' })
      }
      const { samples, idleMs } = request.body
      const timesMs: number[] = []
      for (let i = 0; i < samples; i++) {
        await new Promise((resolve) => setTimeout(resolve, idleMs))
        const started = performance.now()
        const answered = await cache.probe(CALIBRATION_KEY)
        // A read Redis did not answer (failed, timed out, or shed) is fast and says nothing of the hop.
        if (!answered)
          return reply.code(503).send({
            statusCode: 503,
            error: 'Service Unavailable',
            message: 'Redis did not answer every read: no calibration of the hop to it',
          })
        timesMs.push(performance.now() - started)
      }
      return { timesMs }
    },
  )
}

/** The hop from the API to an upstream timed through its own pools (one call, or several at once), and the request's own hop (echo). */
function addTimingRoutes(app: FastifyInstance, { pools }: AppParts): void {
  const tokenHeaders = labTokenHeaders()
  app.post<{ Body: TimeUpstreamCalls }>(
    ADMIN_PATHS.timeUpstreamCalls,
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['service', 'path', 'samples'],
          properties: {
            service: { enum: SERVICE_NAMES },
            path: { type: 'string', pattern: '^/', maxLength: 500 },
            samples: { type: 'integer', minimum: 1, maximum: 1000 },
            atOnce: { type: 'integer', minimum: 1, maximum: MAX_CALLS_AT_ONCE },
          },
        },
      },
    },
    async (request, reply): Promise<TimedUpstreamCalls | undefined> => {
      const { service, path, samples, atOnce = 1 } = request.body
      const first = SERVICE_NAMES.indexOf(service as ServiceName)
      const services = Array.from({ length: atOnce }, (_, i) => SERVICE_NAMES[(first + i) % SERVICE_NAMES.length]!)
      const timesMs: number[] = []
      try {
        // One sample at a time, as the latency phase's requests make their calls; a sample's calls together, as a fan-out makes them.
        for (let i = 0; i < samples; i++) {
          const started = performance.now()
          // The calibration's echo is an admin path of the mocks: it carries the lab's token, if any.
          if (atOnce === 1) await pools.probe(service as ServiceName, path, tokenHeaders)
          else await Promise.all(services.map((one) => pools.probe(one, path, tokenHeaders)))
          timesMs.push(performance.now() - started)
        }
      } catch (error) {
        // An upstream that failed or timed out: the harness is told which, never a 500.
        const message =
          error instanceof UpstreamError ? error.message : `${service} did not answer GET ${path}: ${(error as Error).message}`
        return reply.code(502).send({ statusCode: 502, error: 'Bad Gateway', message })
      }
      return { timesMs }
    },
  )
  app.get<{ Querystring: { ms: number } }>(
    ADMIN_PATHS.echo,
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['ms'],
          properties: { ms: { type: 'integer', minimum: 0, maximum: 10_000 } },
        },
      },
    },
    async (request) => {
      await sleepUntil(performance.now() + request.query.ms)
      return { waitedMs: request.query.ms }
    },
  )
}
