/**
 * The latency phase: one request at a time, measured with tinybench. Each case is a
 * variant with the price cache warm, or (for variants that use it) flushed before
 * every sample. The mocks' counters give the upstream calls per request; Server-Timing
 * gives the stage waterfall.
 */
import { Bench, type FnReturnedObject, type Statistics } from 'tinybench'
import { NO_ANSWER, type PhaseContext, type Target } from './phase-context.ts'
import { MAX_FAILURES_IN_A_ROW, SETTLED_SPREAD, type CasePlan, type LatencyCaseSpec } from './plan.ts'
import { medianLoneCacheStages } from './hops.ts'
import { median, percentiles, statedPercentile } from './stats.ts'
import { round, roundStated } from '../record/format.ts'
import type { LatencyCase, LatencyMeasurements, LatencyStats } from '../record/results.ts'
import { FAULT_KINDS, SERVICE_NAMES, type ServiceName } from '../../scenario/types.ts'
import { parseServerTiming, type Stage } from '../../variants/shared/stage-timing.ts'

/** Every planned case, one request at a time; a warm case starts from a freshly filled cache. */
export async function runLatencyPhase(context: PhaseContext, cases: CasePlan[]): Promise<LatencyMeasurements> {
  const measured: LatencyMeasurements = {}
  for (const [i, c] of cases.entries()) {
    // The same variant's cold case just before, every attempt answered, left the cache as a fill does (emptied, then the page's
    // own request): a second fill would cost another cold request (2 s) for the same state.
    const before = cases[i - 1]
    const filled = before?.cold === true && before.variant === c.variant && measured[c.variant]?.cold?.failures.failed === 0
    if (!c.cold && !filled) await context.fillCache(c.variant)
    const result = await context.run(c.step, () => measureLatencyCase(context, c))
    measured[c.variant] = { ...measured[c.variant], [c.cold ? 'cold' : 'warm']: result }
  }
  return measured
}

class NoAnswerError extends Error {}

async function measureLatencyCase(context: Target, spec: LatencyCaseSpec): Promise<LatencyCase> {
  const { client, api, upstreams, path, reference } = context
  const url = `/${spec.variant}${path}`
  const timings: string[] = []
  let requests = 0
  let mismatches = 0
  const failures: Array<{ status: string; ms: number }> = []
  // retainSamples: the percentiles are computed from tinybench's own samples (toLatencyStats).
  const bench = new Bench({ iterations: spec.samples, time: 0, warmup: false, throws: true, retainSamples: true })
  const { settled, settle } = settling(spec)
  bench.add(
    `${spec.variant}${spec.cold ? ' (cold)' : ''}`,
    async () => {
      for (let inARow = 0; inARow < MAX_FAILURES_IN_A_ROW; inARow++) {
        // Cold: flushed before every attempt, since a failed attempt may have filled the cache.
        if (spec.cold) await api.flushCache()
        requests++
        const started = bench.now()
        let status: string
        try {
          const answer = await client.get(url)
          const ms = bench.now() - started
          if (answer.status === 200) {
            if (answer.body !== reference) mismatches++
            if (answer.serverTiming) timings.push(answer.serverTiming)
            settle(ms)
            return { overriddenDuration: ms } satisfies FnReturnedObject
          }
          status = String(answer.status)
        } catch {
          status = NO_ANSWER
        }
        failures.push({ status, ms: bench.now() - started })
      }
      throw new NoAnswerError()
    },
    { signal: settled.signal },
  )
  await upstreams.resetStats()
  const before = await api.counters()
  let latency: LatencyStats | null = null
  try {
    const [task] = await bench.run()
    const result = task?.result
    if (!result || !('latency' in result))
      throw new Error(`tinybench produced no latency for ${url} (state ${result?.state ?? 'unknown'}).`)
    latency = toLatencyStats(result.latency)
    if (!spec.cold) context.raw?.latency.set(spec.variant, [...(result.latency.samples ?? [])])
  } catch (error) {
    if (!(error instanceof NoAnswerError) && !(error instanceof Error && error.cause instanceof NoAnswerError)) throw error
  }
  const stats = await upstreams.stats()
  const after = await api.counters()
  return {
    latency,
    upstreamCalls: Object.fromEntries(SERVICE_NAMES.map((name) => [name, round(stats.services[name].calls / requests, 3)])) as Record<
      ServiceName,
      number
    >,
    maxInFlight: stats.maxInFlightOverall,
    stages: medianStages(timings),
    cacheReadsPerRequest: requests ? round((after.cacheReads - before.cacheReads) / requests, 3) : 0,
    cacheStagesAlone: medianLoneCacheStages(timings),
    failures: failureFigures(requests, failures, stats),
    mismatches,
  }
}

/** A slow case stops early once its samples agree (plan.ts, SETTLED_SAMPLES): tinybench keeps the statistics of those it took. */
function settling(spec: LatencyCaseSpec): { settled: AbortController; settle(ms: number): void } {
  const settled = new AbortController()
  const good: number[] = []
  const settle = (ms: number): void => {
    good.push(ms)
    if (!spec.settleAfter || good.length < spec.settleAfter) return
    const sorted = [...good].sort((a, b) => a - b)
    if ((sorted.at(-1)! - sorted[0]!) / median(sorted) <= SETTLED_SPREAD) settled.abort()
  }
  return { settled, settle }
}

/** The case's failed attempts: how many of its requests, by status, their median time, and the faults the mocks injected meanwhile. */
function failureFigures(
  requests: number,
  failures: Array<{ status: string; ms: number }>,
  stats: Awaited<ReturnType<Target['upstreams']['stats']>>,
): LatencyCase['failures'] {
  const statusCodes: Record<string, number> = {}
  for (const { status } of failures) statusCodes[status] = (statusCodes[status] ?? 0) + 1
  return {
    requests,
    failed: failures.length,
    statusCodes,
    p50Ms: failures.length ? round(median(failures.map((f) => f.ms))) : null,
    injected: SERVICE_NAMES.reduce((sum, name) => sum + FAULT_KINDS.reduce((n, kind) => n + stats.services[name].faults[kind], 0), 0),
  }
}

/**
 * The case's statistics: percentiles by the lab's one definition (stats.ts) over the
 * samples tinybench timed (the good answers' times; it must retain them), and the mean,
 * spread and margin of error from tinybench.
 */
function toLatencyStats(latency: Statistics): LatencyStats {
  if (!latency.samples) throw new Error('tinybench kept no samples: the Bench needs retainSamples: true.')
  const [p50, p75] = percentiles(latency.samples, [50, 75])
  const p99 = statedPercentile(latency.samples, 99)
  return {
    samples: latency.samplesCount,
    p50Ms: round(p50),
    p75Ms: round(p75),
    p99Ms: roundStated(p99),
    meanMs: round(latency.mean),
    minMs: round(latency.min),
    maxMs: round(latency.max),
    sdMs: round(latency.sd),
    rme: round(Number.isFinite(latency.rme) ? latency.rme : 0),
  }
}

/** Per stage, the median start and the median duration over all samples; ordered by start. */
export function medianStages(headers: string[]): Stage[] {
  const byName = new Map<Stage['name'], Stage[]>()
  for (const header of headers) {
    for (const stage of parseServerTiming(header).stages) {
      byName.set(stage.name, [...(byName.get(stage.name) ?? []), stage])
    }
  }
  return [...byName]
    .filter(([, stages]) => stages.length * 2 >= headers.length)
    .map(([name, stages]) => ({
      name,
      startMs: round(median(stages.map((s) => s.startMs))),
      durationMs: round(median(stages.map((s) => s.durationMs))),
    }))
    .sort((a, b) => a.startMs - b.startMs)
}
