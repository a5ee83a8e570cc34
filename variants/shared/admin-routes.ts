/**
 * The harness's routes on the API, added only when it runs under the harness (`admin`):
 * `GET /__lab/hello` says who it is (scenario/lab-roles.ts), what it serves and calls,
 * `GET /__lab/cpu` its CPU and its host's (for a bench on another host);
 * `POST /__lab/cache/flush` empties the price cache before a cold measurement,
 * `POST /__lab/gc` collects the heap's garbage before a load level (when node runs with
 * --expose-gc), `GET /__lab/process` tells the API process's CPU time, memory, event loop
 * and cache outages, and `POST /__lab/time-upstream-calls` times calls through the API's own
 * pools (the calibration of the API → upstream hop, one call or several at once), and
 * `POST /__lab/time-cache-reads` times bare reads through its Redis client (the calibration of
 * the API → Redis hop); `GET /__lab/echo?ms=40` answers after `ms`, waited precisely, with no
 * variant's code (the calibration of the request's own hop, harness → API). With them, the app counts the CPU it
 * spends while requests are in flight.
 *
 * The event loop thread's own CPU time is read from Linux's /proc (schedstat, in
 * nanoseconds): Node 20 has no API for one thread's CPU time, and process.cpuUsage()
 * counts every thread, the runtime's helpers (JIT compilation, concurrent GC) too.
 *
 * With LAB_TOKEN in the environment, every /__lab/* route wants it in the x-lab-token header.
 */
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { FastifyInstance, FastifyRequest } from 'fastify'
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
} from './admin-paths.ts'
import { variantDigest } from './variant-files.ts'
import { ADMIN_PREFIX, CPU_PATH, hello, HELLO_PATH, LAB_TOKEN_HEADER, labTokenRefusal, readRoleCpu } from '../../scenario/lab-roles.ts'
import { sleepUntil } from '../../scenario/precise-wait.ts'
import type { Scenario } from '../../scenario/types.ts'
import { CacheUnavailableError, type CacheStore } from './cache-store.ts'
import { priceCacheCounts, type PriceCache } from './price-cache.ts'
import { SERVICE_NAMES, type ServiceName } from '../../scenario/types.ts'
import type { UpstreamPools } from './upstream-clients.ts'
import { UpstreamError } from './upstream-error.ts'

/** The key the Redis hop's calibration reads: never set, so every read is a bare miss. */
const CALIBRATION_KEY = '__lab:calibration:never-set'

/** The event-loop delay histogram's resolution, in ms. */
const LOOP_RESOLUTION_MS = 10

/** What the API's handlers tell the admin routes: `hold(request)` when a variant's work starts, and the function it returns when that work settles (called after `maxHoldMs` at the latest). */
export interface AdminHooks {
  hold(request: FastifyRequest): () => void
}

/** What the admin routes read: the scenario, the variants' names, and the API's surroundings (its hello). */
export interface AdminContext {
  scenario: Scenario
  variants: readonly string[]
  surroundings: ApiSurroundings
}

export function addAdminRoutes(
  app: FastifyInstance,
  cache: CacheStore,
  priceCache: PriceCache,
  pools: UpstreamPools,
  maxHoldMs: number,
  context: AdminContext,
): AdminHooks {
  const busy = trackBusyCpu(app, maxHoldMs)
  app.addHook('onRequest', async (request, reply) => {
    if (!isAdminRequest(request)) return
    const refusal = labTokenRefusal(request.headers[LAB_TOKEN_HEADER])
    if (refusal) return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: `API: ${refusal}` })
  })
  app.get(CPU_PATH, async () => readRoleCpu())
  // Taken as the API starts: the code it loaded, not what the files hold by the time a bench asks.
  const greeting: ApiHello = {
    ...hello('api', context.scenario),
    variants: Object.fromEntries(context.variants.map((name) => [name, variantDigest(name)])),
    cacheBackend: cache.backend,
    gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
    ...context.surroundings,
  }
  app.get(HELLO_PATH, async (): Promise<ApiHello> => greeting)
  // Requests in flight, and swr's refreshes still to store their list: a level's drain waits for both.
  const inFlight = (): number => busy.inFlight() + priceCache.refreshing()
  const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
  delay.enable()
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
          if (atOnce === 1) {
            timesMs.push(await pools.timeGet(service as ServiceName, path))
            continue
          }
          const started = performance.now()
          await Promise.all(services.map((one) => pools.timeGet(one, path)))
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
  app.get(ADMIN_PATHS.counters, async (): Promise<ApiCounters> => ({
    priceCache: priceCacheCounts(cache, priceCache),
    upstreamCalls: pools.calls(),
    inFlight: inFlight(),
    handled: busy.handled(),
    cacheReads: cache.reads(),
  }))
  app.get(ADMIN_PATHS.process, async (): Promise<ApiProcessUsage> => {
    const cpu = process.cpuUsage()
    const memory = process.memoryUsage()
    const { all, mainThread } = busy.read()
    return {
      pid: process.pid,
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      busyCpuMicros: all,
      busyMainThreadMicros: mainThread,
      cacheOutages: cache.outages(),
      cacheShedLookups: cache.shedLookups(),
      priceCache: priceCacheCounts(cache, priceCache),
      upstreamCalls: pools.calls(),
      inFlight: inFlight(),
      handled: busy.handled(),
      cacheReads: cache.reads(),
      eventLoop: eventLoopSinceLastRead(),
    }
  })
  app.addHook('onClose', async () => delay.disable())
  return { hold: busy.hold }

  function eventLoopSinceLastRead(): ApiProcessUsage['eventLoop'] {
    const { idle, active } = performance.eventLoopUtilization()
    // The histogram records the time between its checks, its resolution included: the delay is what is left.
    const delayP99Ms = delay.count ? Math.max(0, Math.round((delay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100) : 0
    delay.reset()
    return { idleMs: idle, activeMs: active, delayP99Ms }
  }
}

/**
 * A request to one of these routes (or to another /__lab/ path). The router decodes the path
 * and accepts an absolute-form target, so `/%5F_lab/counters` and `http://h/__lab/counters`
 * reach `/__lab/counters` too: for such a target, the route it matched decides. A plain path
 * (no `%`), the variants' every request, is read as sent, without the route's options (whose
 * getter builds an object, on the measured requests' path).
 */
function isAdminRequest(request: FastifyRequest): boolean {
  const url = request.url
  if (url.startsWith(ADMIN_PREFIX)) return true
  if (url.startsWith('/') && !url.includes('%')) return false
  return (request.routeOptions.url ?? '').startsWith(ADMIN_PREFIX)
}

/** CPU time so far, in microseconds: every thread's, and the event loop thread's alone (null where the OS does not tell). */
function cpuNow(): { all: number; mainThread: number | null } {
  const { user, system } = process.cpuUsage()
  return { all: user + system, mainThread: mainThreadMicros() }
}

const SCHEDSTAT = `/proc/${process.pid}/task/${process.pid}/schedstat`
let schedstatReadable = true

/** The event loop thread's CPU time: the first field of its schedstat, in nanoseconds. */
function mainThreadMicros(): number | null {
  if (!schedstatReadable) return null
  try {
    return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1000
  } catch {
    schedstatReadable = false
    return null
  }
}

/**
 * CPU time spent while at least one request other than the admin routes is in flight:
 * from the first request of a busy period to the end of its last response (the socket's
 * `close`, which also comes for a request whose caller went away). Returns a reading, and the requests in flight now.
 */
function trackBusyCpu(
  app: FastifyInstance,
  maxHoldMs: number,
): { read(): { all: number; mainThread: number | null }; inFlight(): number; handled(): number; hold: AdminHooks['hold'] } {
  // A request is in flight from its first byte until both its connection has closed and its
  // variant's work has settled: a client that goes away (autocannon at a level's end) closes the
  // one while the other runs on, its calls and lookups still to come.
  let inFlight = 0
  // When the current busy period began; null until its opening read is taken.
  let since: ReturnType<typeof cpuNow> | null = null
  const spent = { all: 0, mainThread: 0 as number | null }
  const elapsed = (from: ReturnType<typeof cpuNow>, to: ReturnType<typeof cpuNow>) => ({
    all: to.all - from.all,
    mainThread: from.mainThread === null || to.mainThread === null ? null : to.mainThread - from.mainThread,
  })
  const plus = (a: typeof spent, b: typeof spent) => ({
    all: a.all + b.all,
    mainThread: a.mainThread === null || b.mainThread === null ? null : a.mainThread + b.mainThread,
  })
  /** What still holds each request in flight: its open connection, its running work. */
  const holds = new WeakMap<object, { count: number }>()
  const release = (held: { count: number }): void => {
    if (--held.count === 0 && --inFlight === 0) {
      if (since) Object.assign(spent, plus(spent, elapsed(since, cpuNow())))
      since = null
    }
  }
  let handled = 0
  app.addHook('onRequest', async (request, reply) => {
    if (isAdminRequest(request)) return
    handled++
    // The busy period's opening read is taken once this request's handler has sent its first
    // calls, not before it: read cold, after the API sat idle, it costs ~0.1 ms on this
    // project's machines, which a request one at a time would pay on its critical path. The
    // CPU missed is the first request's setup, once per busy period (rare under load).
    if (inFlight++ === 0) {
      setImmediate(() => {
        if (inFlight > 0 && since === null) since = cpuNow()
      })
    }
    const held = { count: 1 }
    holds.set(request.raw, held)
    reply.raw.once('close', () => release(held))
  })
  const hold: AdminHooks['hold'] = (request) => {
    const held = holds.get(request.raw)
    if (!held) return () => {}
    held.count++
    let done = false
    const end = (): void => {
      if (done) return
      done = true
      clearTimeout(letGo)
      release(held)
    }
    const letGo = setTimeout(end, maxHoldMs)
    letGo.unref()
    return end
  }
  return {
    read: () => (inFlight > 0 && since ? plus(spent, elapsed(since, cpuNow())) : { ...spent }),
    inFlight: () => inFlight,
    handled: () => handled,
    hold,
  }
}
