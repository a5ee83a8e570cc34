/**
 * What the lab's plugin in the API (plugin.ts) tells the harness: the paths of its /__lab
 * routes and what they answer. Types and constants only, so a caller reads it without
 * loading the app or a Redis client.
 */
import type { Hello, RoleCpu } from '../roles/protocol.ts'
import type { ServiceName } from '../scenario/types.ts'
import type { CacheBackend, PriceCacheCounts } from '../variants/shared/cache-stats.ts'

export type { PriceCacheCounts } from '../variants/shared/cache-stats.ts'

export const ADMIN_PATHS = {
  flushCache: '/__lab/cache/flush',
  process: '/__lab/process',
  collectGarbage: '/__lab/gc',
  timeUpstreamCalls: '/__lab/time-upstream-calls',
  timeCacheReads: '/__lab/time-cache-reads',
  echo: '/__lab/echo',
  counters: '/__lab/counters',
  /** With --trace or --otlp: which phase the requests are of, and the share traced (TracePhase); its flush. */
  trace: '/__lab/trace',
  traceFlush: '/__lab/trace/flush',
} as const

/** What the API knows of its surroundings, for its hello: set by whoever starts it. */
export interface ApiSurroundings {
  /** The upstreams it calls: their URLs, and the instance id their hello gave (null when they were not asked). */
  upstreams: { urls: Record<ServiceName, string>; instance: string | null }
  /** Where its price cache lives: host:port of its Redis (never a password), or null for the in-process map. */
  cacheAddress: string | null
}

/**
 * What the API answers at GET /__lab/hello (HELLO_PATH): the lab's hello, the variants it
 * serves with a digest of each one's file, so a harness on another host knows it models the
 * code that runs (the rest of the lab's code is the hello's `code`), and its surroundings.
 */
export type ApiHello = Hello & {
  variants: Record<string, string | null>
  cacheBackend: CacheBackend
  /** Whether node runs with --expose-gc: the harness collects the API's garbage before each load level. */
  gc: boolean
} & ApiSurroundings

/** What GET /__lab/counters answers: the price cache's lookups and the calls to each upstream since start; cheap enough to read every second of a load level. */
export interface ApiCounters {
  priceCache: PriceCacheCounts
  upstreamCalls: Record<ServiceName, number>
  /**
   * Requests (not these admin routes) in flight now: from the first byte to the connection's close,
   * and a variant's work until it settles, though its client went away; and swr's refreshes until
   * their list is stored. A level's counters are read once it is 0, so none of its requests lands in the next.
   */
  inFlight: number
  /** Requests (not these admin routes) the API has begun since start, answered or not: what its busy CPU was spent on. */
  handled: number
  /** Read round trips sent to Redis since start (CacheStore.reads: 0 with the in-process map). */
  cacheReads: number
}

/** The most calls a calibration sample makes at once (TimeUpstreamCalls.atOnce): beyond the five services, several go to each, over its pool's connections. */
export const MAX_CALLS_AT_ONCE = 64

/**
 * What POST /__lab/time-upstream-calls takes: `samples` GETs of `path` on `service`, one at a
 * time, through the API's own pool; with `atOnce` k > 1 (at most 64), each sample is k GETs made
 * together, on `service` and the services after it (SERVICE_NAMES order, wrapping round as often as
 * needed), as a variant fans out.
 */
export interface TimeUpstreamCalls {
  service: string
  path: string
  samples: number
  atOnce?: number
}

/** What it answers: each sample's time, in ms, from its (first) call to its (last) body read, in order. */
export interface TimedUpstreamCalls {
  timesMs: number[]
}

/**
 * What POST /__lab/time-cache-reads takes: `samples` bare reads of a key that is never set, one at
 * a time, through the API's own Redis client, each after `idleMs` of waiting (the hop a price-cache
 * lookup takes, with no price list to carry or parse). Answered as TimedUpstreamCalls.
 */
export interface TimeCacheReads {
  samples: number
  idleMs: number
}

/** What GET /__lab/process answers: the API process's CPU time and memory so far, and its counters. */
export interface ApiProcessUsage extends ApiCounters {
  pid: number
  cpuUserMicros: number
  cpuSystemMicros: number
  rssBytes: number
  heapUsedBytes: number
  /**
   * CPU time (user + system) spent while at least one request (other than these admin
   * routes) was in flight, since start: a request's cost without the idle process's
   * background (GC, timers) between requests.
   */
  busyCpuMicros: number
  /**
   * The same for the event loop's thread alone, in microseconds: the requests' own work,
   * without the runtime's helper threads (JIT compilation, concurrent GC), whose share
   * varies from run to run. Null where the OS does not tell (it is read on Linux).
   */
  busyMainThreadMicros: number | null
  /** Times the price cache became unavailable since start (CacheStore.outages). */
  cacheOutages: number
  /** Lookups skipped as misses since start, too many commands already waiting (CacheStore.shedLookups). */
  cacheShedLookups: number
  /**
   * The event loop since start: time idle and active, in ms (perf_hooks), and the p99 of its
   * delay, in ms, since the previous GET of this route (each read starts a new period).
   */
  eventLoop: { idleMs: number; activeMs: number; delayP99Ms: number }
}

/** The API as whoever measures it holds it (bench/stack/api-process.ts makes one): these routes as calls, and its process. */
export interface ApiProcess {
  url: string
  /** The process's pid when the lab started it here; null for an API running elsewhere (its CPU is read through /__lab/cpu). */
  pid: number | null
  cacheBackend: CacheBackend
  flushCache(): Promise<void>
  /** A full garbage collection in the API process, so a measurement does not pay for the garbage of the ones before it. */
  collectGarbage(): Promise<void>
  usage(): Promise<ApiProcessUsage>
  /** The API process's CPU and its host's, read by the process itself (the self-checks of an API running elsewhere). */
  cpu(): Promise<RoleCpu>
  /** The price cache's lookups and the calls to each upstream since start, and the requests in flight (cheap: read every second of a level). */
  counters(): Promise<ApiCounters>
  /** Resolves once no request is in flight in the API (read every 20 ms), or after `patienceMs` (DRAIN_PATIENCE_MS): a level's requests the load generator gave up on still run there. */
  drained(patienceMs?: number): Promise<void>
  /** `samples` GETs of `path` on `service`, one at a time, through the API's own pool: each one's time in ms. With `atOnce` k, each sample is k GETs at once on k services (TimeUpstreamCalls). */
  timeUpstreamCalls(service: ServiceName, path: string, samples: number, atOnce?: number): Promise<number[]>
  /** `samples` bare reads through the API's Redis client, each after `idleMs` idle: each one's time in ms (TimeCacheReads). */
  timeCacheReads(samples: number, idleMs: number): Promise<number[]>
  /** With tracing on: the phase the next requests are of and the share of them traced; without, nothing. */
  tracePhase(phase: string, ratio: number): Promise<void>
  /** With tracing on: every span ended so far, exported; the counts so far (null without tracing). */
  flushTraces(): Promise<TraceCounts | null>
  stop(): Promise<void>
}

/** What the API's tracing made (lab-api/tracing.ts): requests traced, spans exported, batches an exporter refused. */
export interface TraceCounts {
  requests: number
  spans: number
  exportFailures: number
}
