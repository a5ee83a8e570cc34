/**
 * The load phase: autocannon against one variant at a time, at each level of
 * connections, for a fixed duration. It runs in the harness's process, never in the
 * API's. Every error, timeout, non-2xx and body mismatch is counted and reported.
 * Latency percentiles are the lab's own (stats.ts) over the time of every response, 2xx
 * or not, as autocannon timed it (the responses its histogram records), not that
 * histogram's, which keeps whole milliseconds.
 */
import autocannon from 'autocannon'
import type { PhaseContext, Target } from './phase-context.ts'
import { percentiles, statedPercentile } from './stats.ts'
import type { LevelPlan, LevelLength } from './plan.ts'
import { round } from '../record/format.ts'
import type { LoadLevel } from '../record/results.ts'

/** A request still unanswered after this long counts as a timeout. */
const REQUEST_TIMEOUT_SECONDS = 30

/**
 * Below this many responses, a level's CPU per request is not given: the API process's
 * CPU time comes in bursts (GC, compilation; 0 to 75 ms in an idle second, measured),
 * which a handful of requests cannot average out.
 */
const MIN_REQUESTS_FOR_CPU = 20

export interface LoadRun {
  result: autocannon.Result
  /** 2xx responses whose body differed from the reference (an error status is not a mismatch: it is counted as non-2xx). */
  mismatches: number
  statusCodes: Record<string, number>
  /** The time of every response, 2xx or not, in ms, as autocannon timed it (from the request written to the response read). Errors and timeouts have none. */
  latenciesMs: number[]
}

const is2xx = (status: number): boolean => status >= 200 && status < 300

/** One autocannon run that checks every 2xx body against the reference and keeps every response's time. */
export async function runLoad(options: autocannon.Options, reference: string): Promise<LoadRun> {
  let mismatches = 0
  const latenciesMs: number[] = []
  const checked: autocannon.Options = {
    ...options,
    requests: [
      {
        onResponse: (status: number, body: string) => {
          if (is2xx(status) && body !== reference) mismatches++
        },
      },
    ],
  }
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(checked, (error: unknown, done: autocannon.Result) => (error ? reject(error as Error) : resolve(done)))
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => latenciesMs.push(responseTimeMs))
  })
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]))
  return { result, mismatches, statusCodes, latenciesMs }
}

/** Every variant at every planned level, each starting from a freshly filled cache. */
export async function runLoadPhase(context: PhaseContext, levels: LevelPlan[]): Promise<Record<string, LoadLevel[]>> {
  const load: Record<string, LoadLevel[]> = {}
  for (const level of levels) {
    if (!load[level.variant]) await context.fillCache(level.variant)
    const measured = await context.run(level.step, () => measureLoadLevel(context, level.variant, level.connections, level.length))
    load[level.variant] = [...(load[level.variant] ?? []), measured]
  }
  return load
}

async function measureLoadLevel(context: Pick<Target, 'api' | 'path' | 'reference'>, variant: string, connections: number, length: LevelLength): Promise<LoadLevel> {
  const { api, path, reference } = context
  const before = await api.usage()
  const { result, mismatches, statusCodes, latenciesMs } = await runLoad(
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
  // No response at all (every request an error or a timeout): 0, as autocannon's empty histogram said.
  const [p50, max] = latenciesMs.length ? percentiles(latenciesMs, [50, 100]) : [0, 0]
  const [p90, p99] = [statedPercentile(latenciesMs, 90), statedPercentile(latenciesMs, 99)]
  return {
    connections,
    requestsPerConnection: 'requestsPerConnection' in length ? length.requestsPerConnection : null,
    durationSeconds: round(result.duration),
    requests,
    requestsPerSec: round(requests / Math.max(result.duration, 0.001)),
    answered: latenciesMs.length,
    p50Ms: round(p50),
    p90Ms: p90 === null ? null : round(p90),
    p99Ms: p99 === null ? null : round(p99),
    maxMs: round(max),
    // autocannon counts a timeout as an error too: here each failure is counted once.
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    mismatches,
    apiCpuMsPerRequest: requests >= MIN_REQUESTS_FOR_CPU ? round(cpuMs / requests, 3) : null,
  }
}
