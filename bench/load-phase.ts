/**
 * The load phase: autocannon against one variant at a time, at each level of
 * connections, for a fixed duration. It runs in the harness's process, never in the
 * API's. Every error, timeout, non-2xx and body mismatch is counted and reported.
 */
import autocannon from 'autocannon'
import type { ApiProcess } from './api-process.ts'
import { round } from './latency-phase.ts'
import type { LoadLevel } from './results.ts'

export interface LoadContext {
  api: ApiProcess
  path: string
  reference: string
}

/** A request still unanswered after this long counts as a timeout. */
const REQUEST_TIMEOUT_SECONDS = 30

/**
 * How long a level runs: for `durationSeconds`, or, for a variant so slow that few
 * requests fit in that time, until each connection has made `requestsPerConnection`
 * requests. (autocannon drops the requests still in flight when its time is up, which
 * would under-count a slow variant's throughput by up to one request per connection.)
 */
export type LevelLength = { durationSeconds: number } | { requestsPerConnection: number }

/**
 * Below this many responses, a level's CPU per request is not given: the API process's
 * CPU time comes in bursts (GC, compilation; 0 to 75 ms in an idle second, measured),
 * which a handful of requests cannot average out.
 */
const MIN_REQUESTS_FOR_CPU = 20

/** Below this many requests per connection in the time given, a level counts requests instead. */
const MIN_REQUESTS_PER_CONNECTION = 10

export function planLevelLength(durationSeconds: number, requestMs: number): LevelLength {
  const fit = Math.floor((durationSeconds * 1000) / Math.max(requestMs, 1))
  return fit >= MIN_REQUESTS_PER_CONNECTION ? { durationSeconds } : { requestsPerConnection: Math.max(2, fit) }
}

export function estimateLevelMs(length: LevelLength, requestMs: number): number {
  return 'durationSeconds' in length ? length.durationSeconds * 1000 : length.requestsPerConnection * requestMs
}

export interface LoadRun {
  result: autocannon.Result
  /** 2xx responses whose body differed from the reference (an error status is not a mismatch: it is counted as non-2xx). */
  mismatches: number
  statusCodes: Record<string, number>
}

/** One autocannon run that checks every 2xx body against the reference. */
export async function runLoad(options: autocannon.Options, reference: string): Promise<LoadRun> {
  let mismatches = 0
  const result = await autocannon({
    ...options,
    requests: [
      {
        onResponse: (status: number, body: string) => {
          if (status >= 200 && status < 300 && body !== reference) mismatches++
        },
      },
    ],
  })
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]))
  return { result, mismatches, statusCodes }
}

export async function measureLoadLevel(context: LoadContext, variant: string, connections: number, length: LevelLength): Promise<LoadLevel> {
  const { api, path, reference } = context
  const before = await api.usage()
  const { result, mismatches, statusCodes } = await runLoad(
    {
      url: `${api.url}/${variant}${path}`,
      connections,
      ...('durationSeconds' in length ? { duration: length.durationSeconds } : { amount: connections * length.requestsPerConnection }),
      timeout: REQUEST_TIMEOUT_SECONDS,
    },
    reference,
  )
  const after = await api.usage()
  const requests = result.requests.total
  const cpuMs = (after.cpuUserMicros - before.cpuUserMicros + after.cpuSystemMicros - before.cpuSystemMicros) / 1000
  return {
    connections,
    requestsPerConnection: 'requestsPerConnection' in length ? length.requestsPerConnection : null,
    durationSeconds: round(result.duration),
    requests,
    requestsPerSec: round(requests / Math.max(result.duration, 0.001)),
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    mismatches,
    apiCpuMsPerRequest: requests >= MIN_REQUESTS_FOR_CPU ? round(cpuMs / requests, 3) : null,
  }
}
