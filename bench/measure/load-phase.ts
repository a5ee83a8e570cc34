/**
 * The load phase: autocannon against one variant at a time, at each level of
 * connections, for a fixed duration. It runs in the harness's process, never in the
 * API's. Every error, timeout, non-2xx and body mismatch is counted and reported.
 *
 * What autocannon reports is not taken as it is where it is not what the lab means:
 * - a level lasts from its first request sent to its last answer, timed here: autocannon's
 *   own duration ends at its next one-second tick, up to a second of idle time later;
 * - latency percentiles are the lab's own (stats.ts) over the time of every 2xx response,
 *   as autocannon timed it, not its histogram, which keeps whole milliseconds; a failure
 *   (a fast 503 or a 504 at the deadline) is counted by status, never mixed into them;
 * - good answers (2xx with the reference body) per second are counted apart from all
 *   answers, so the 504s of a collapse never read as throughput;
 * - a timeout counts once, as a timeout (autocannon counts it as an error too).
 */
import type { IncomingHttpHeaders } from 'node:http'
import autocannon from 'autocannon'
import { eventLoopMsBetween, trafficFigures } from './level-figures.ts'
import { apiLoopBetween, judgeSelfCheck, startSelfCheck } from './self-check.ts'
import type { PhaseContext, Target } from './phase-context.ts'
import { keepLevel } from './raw-samples.ts'
import { percentiles, statedPercentile } from './stats.ts'
import type { LevelPlan, LevelLength } from './plan.ts'
import { round, roundStated } from '../record/format.ts'
import type { LoadLevel, TimelinePoint } from '../record/results.ts'
import { cacheOutcome, matchesReference, serverTimingOf } from './answers.ts'
import type { LoadTraffic } from './mix-types.ts'
import type { ApiCounters } from '../../lab-api/protocol.ts'
import type { ModelledLevel } from '../../model/types.ts'
import { buildTimeline, startCounterReadings, type TimedAnswer } from './timeline.ts'

/** A request still unanswered after this long counts as a timeout. */
const REQUEST_TIMEOUT_SECONDS = 30

/**
 * Below this many responses, a level's CPU per request is not given: the API process's
 * CPU time comes in bursts (GC, compilation), which a handful of requests cannot average out.
 */
const MIN_REQUESTS_FOR_CPU = 20

export interface LoadRun {
  result: autocannon.Result
  /** 2xx responses with the reference body. */
  good: number
  /** 2xx responses whose body differed from the reference (an error status is not a mismatch: it is counted as non-2xx). */
  mismatches: number
  statusCodes: Record<string, number>
  /** The time of every 2xx response, in ms, as autocannon timed it (from the request written to the response read). Failures have none. */
  latenciesMs: number[]
  /** For each of those, what its Server-Timing said of the price cache: a hit (a cache stage, no pricing), a lookup that went on to pricing, or none. */
  caches: Array<'hit' | 'miss' | null>
  /** Seconds from the start (first request sent) to the last answer, error or timeout. */
  elapsedSeconds: number
  /** Second by second, when the API's counters were given to read. */
  timeline: TimelinePoint[]
}

const is2xx = (status: number): boolean => status >= 200 && status < 300

/**
 * One autocannon run that checks every 2xx body against the reference (with `traffic`, the
 * reference for its path), keeps every response's time, and times the run itself. With
 * `counters`, it reads the API's counters every second and records a timeline.
 */
export async function runLoad(
  options: autocannon.Options,
  reference: string,
  extra: { traffic?: LoadTraffic; counters?: () => Promise<ApiCounters>; drained?: () => Promise<void> } = {},
): Promise<LoadRun> {
  const { traffic, counters, drained } = extra
  let good = 0
  let mismatches = 0
  const latenciesMs: number[] = []
  const caches: Array<'hit' | 'miss' | null> = []
  // What the last 2xx said of the cache. Relies on autocannon (9.0, pinned) calling onResponse and
  // then emitting 'response' synchronously for the same answer, and on one request in flight per
  // connection (no pipelining), so the context's path is the answer's.
  let lastCache: 'hit' | 'miss' | null = null
  const checked: autocannon.Options = {
    ...options,
    requests: [
      {
        ...(traffic
          ? {
              setupRequest: (request: autocannon.Request, context: { path?: string }) => {
                const next = traffic.next()
                context.path = next.path
                return { ...request, path: `${traffic.prefix}${next.path}` }
              },
            }
          : {}),
        onResponse: (status: number, body: string, context: { path?: string }, headers?: IncomingHttpHeaders) => {
          lastCache = null
          if (!is2xx(status)) return
          if (traffic) lastCache = cacheOutcome(serverTimingOf(headers))
          if (traffic ? matchesReference(traffic.references, context.path ?? '', body) : body === reference) good++
          else mismatches++
        },
      },
    ],
  }
  const answers: TimedAnswer[] = []
  const startedAt = performance.now()
  let lastAt = startedAt
  const readings = counters ? startCounterReadings(counters, startedAt) : undefined
  let timeline: TimelinePoint[] = []
  try {
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(checked, (error: unknown, done: autocannon.Result) => (error ? reject(error as Error) : resolve(done)))
      instance.on('response', (_client, status, _bytes, responseTimeMs) => {
        lastAt = performance.now()
        answers.push({ atMs: lastAt - startedAt, goodMs: is2xx(status) ? responseTimeMs : null })
        if (is2xx(status)) {
          latenciesMs.push(responseTimeMs)
          caches.push(lastCache)
        }
      })
      instance.on('reqError', () => {
        lastAt = performance.now()
        answers.push({ atMs: lastAt - startedAt, goodMs: null })
      })
    })
    const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]))
    const elapsedSeconds = lastAt > startedAt ? (lastAt - startedAt) / 1000 : result.duration
    // autocannon drops what is in flight when its time is up; the API still serves it. The level
    // ends when the API is idle, so its lookups and calls are counted here, never in the next level.
    await drained?.()
    if (readings) timeline = buildTimeline(answers, await readings.stop())
    return { result, good, mismatches, statusCodes, latenciesMs, caches, elapsedSeconds, timeline }
  } finally {
    await readings?.stop()
  }
}

/**
 * Every variant at every planned level. Every level starts from a cache filled with the
 * reference page alone, so its figures never depend on how far the level before it got: a
 * level that stopped just before a popular request, or just after it, would start the next
 * with or without that price list, and at 50 connections that one list decided between a
 * stampede and none (cached: 395 or 475 answers in 5 s, at random, before this). The levels
 * show the cache warming from the same start, second by second.
 */
export async function runLoadPhase(
  context: PhaseContext,
  levels: LevelPlan[],
  modelled: Record<string, ModelledLevel[]> = {},
): Promise<Record<string, LoadLevel[]>> {
  const load: Record<string, LoadLevel[]> = {}
  for (const level of levels) {
    await context.fillCache(level.variant)
    if (!load[level.variant] && warmsUpUnderLoad(level.length)) await warmUpUnderLoad(context, level.variant, level.connections)
    const measured = await context.run(level.step, () => measureLoadLevel(context, level.variant, level.connections, level.length))
    const done = load[level.variant] ?? []
    // The model ran the same levels in the same order (planLoadLevels).
    const model = modelled[level.variant]?.[done.length]
    load[level.variant] = [...done, { ...measured, model: model && model.connections === level.connections ? modelFigures(model) : null }]
  }
  return load
}

function modelFigures(level: ModelledLevel): NonNullable<LoadLevel['model']> {
  return {
    requestsPerSec: round(level.requestsPerSec),
    goodPerSec: round(level.goodPerSec),
    meanMs: level.meanMs === null ? null : round(level.meanMs),
    hitRatio: level.hitRatio === null ? null : round(level.hitRatio, 4),
    pricingCallsPerSec: round(level.pricingCallsPerSec),
    sequenceEnded: level.sequenceEnded,
  }
}

/**
 * Before a variant's first level: one untimed request per connection, all at once. The
 * latency phase sent one request at a time; the first concurrent ones still find code the
 * JIT has not compiled for them, and their CPU would land in the first level's figure.
 * Not for a variant so slow that its levels count requests: there one untimed round costs a
 * whole request's time (4 s for naive), for a few ms of CPU spread over its level's requests.
 */
export function warmsUpUnderLoad(length: LevelLength): boolean {
  return 'durationSeconds' in length
}

/** One untimed request per connection, all at once (warmsUpUnderLoad). */
async function warmUpUnderLoad(context: Pick<Target, 'api' | 'path' | 'reference'>, variant: string, connections: number): Promise<void> {
  await runLoad(
    { url: `${context.api.url}/${variant}${context.path}`, connections, amount: connections, timeout: REQUEST_TIMEOUT_SECONDS },
    context.reference,
  )
}

/** The seeded stream a load level of `connections` sends: the same for every variant. */
export function loadStream(connections: number): string {
  return `load:${connections}`
}

export async function measureLoadLevel(
  context: Pick<Target, 'api' | 'upstreams' | 'path' | 'reference' | 'redisPid' | 'traffic' | 'raw'>,
  variant: string,
  connections: number,
  length: LevelLength,
): Promise<LoadLevel> {
  const { api, upstreams, path, reference } = context
  // Every variant at this many connections is sent the same sequence of the mix.
  const traffic =
    context.traffic?.mix.kind === 'mix'
      ? { prefix: `/${variant}`, next: context.traffic.mix.stream(loadStream(connections)), references: context.traffic.references }
      : undefined
  // A level does not pay for the garbage of the ones before it.
  await api.collectGarbage()
  await upstreams.resetStats()
  const before = await api.usage()
  const watch = await startSelfCheck({ api, upstreams, redisPid: context.redisPid })
  const { result, good, mismatches, statusCodes, latenciesMs, caches, elapsedSeconds, timeline } = await runLoad(
    {
      url: `${api.url}/${variant}${path}`,
      connections,
      ...('durationSeconds' in length ? { duration: length.durationSeconds } : { amount: connections * length.requestsPerConnection }),
      timeout: REQUEST_TIMEOUT_SECONDS,
    },
    reference,
    { traffic, counters: () => api.counters(), drained: () => api.drained() },
  )
  const reading = await watch.stop()
  const after = await api.usage()
  const selfCheck = judgeSelfCheck(reading, apiLoopBetween(before.eventLoop, after.eventLoop), await upstreams.stats(), null)
  const requests = result.requests.total
  // The API's CPU while requests were in flight: not its idle background (GC, timers) after them;
  // per request it handled, those the load generator dropped at the level's end included.
  const cpuMs = (after.busyCpuMicros - before.busyCpuMicros) / 1000
  const eventLoopMs = eventLoopMsBetween(before, after)
  const handled = after.handled - before.handled
  const perRequest = (ms: number | null): number | null => (ms !== null && handled >= MIN_REQUESTS_FOR_CPU ? round(ms / handled, 3) : null)
  const seconds = Math.max(elapsedSeconds, 0.001)
  // No 2xx at all (every request failed): 0, as autocannon's empty histogram said.
  const [p50, max] = latenciesMs.length ? percentiles(latenciesMs, [50, 100]) : [0, 0]
  const [p90, p99] = [statedPercentile(latenciesMs, 90), statedPercentile(latenciesMs, 99)]
  keepLevel(context.raw, variant, connections, latenciesMs)
  return {
    connections,
    requestsPerConnection: 'requestsPerConnection' in length ? length.requestsPerConnection : null,
    durationSeconds: round(elapsedSeconds),
    requests,
    requestsPerSec: round(requests / seconds),
    goodPerSec: round(good / seconds),
    answered: latenciesMs.length,
    p50Ms: round(p50),
    p90Ms: roundStated(p90),
    p99Ms: roundStated(p99),
    maxMs: round(max),
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    mismatches,
    apiCpuMsPerRequest: perRequest(cpuMs),
    apiEventLoopMsPerRequest: perRequest(eventLoopMs),
    selfCheck,
    model: null,
    ...trafficFigures(
      latenciesMs.map((ms, i) => ({ ms, cache: caches[i] ?? null })),
      before,
      after,
      seconds,
      timeline,
    ),
  }
}
