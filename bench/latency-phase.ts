/**
 * The latency phase: one request at a time, measured with tinybench. Each case is a
 * variant with the price cache warm, or (for variants that use it) flushed before
 * every sample. The mocks' counters give the upstream calls per request; Server-Timing
 * gives the stage waterfall.
 */
import { Bench, type Statistics } from 'tinybench'
import type { ApiProcess } from './api-process.ts'
import type { HttpClient } from './http-client.ts'
import type { LatencyCase, LatencyStats } from './results.ts'
import { SERVICE_NAMES, type ServiceName } from './scenario.ts'
import type { UpstreamProcess } from './upstream-process.ts'
import { parseServerTiming, type Stage } from '../variants/shared/stage-timing.ts'

export interface LatencyContext {
  client: HttpClient
  api: ApiProcess
  upstreams: UpstreamProcess
  /** The measured request, under each variant's prefix. */
  path: string
  /** The body every 200 must match, byte for byte. */
  reference: string
}

export interface LatencyCaseSpec {
  variant: string
  cold: boolean
  samples: number
}

export async function measureLatencyCase(context: LatencyContext, spec: LatencyCaseSpec): Promise<LatencyCase> {
  const { client, api, upstreams, path, reference } = context
  const url = `/${spec.variant}${path}`
  const timings: string[] = []
  let runs = 0
  let errors = 0
  let mismatches = 0
  const bench = new Bench({ iterations: spec.samples, time: 0, warmup: false, throws: true })
  bench.add(
    `${spec.variant}${spec.cold ? ' (cold)' : ''}`,
    async () => {
      runs++
      try {
        const answer = await client.get(url)
        if (answer.status !== 200) errors++
        else if (answer.body !== reference) mismatches++
        if (answer.serverTiming) timings.push(answer.serverTiming)
      } catch {
        // Counted, and the sample kept: a failing request must never make a variant look fast.
        errors++
      }
    },
    // Not timed: tinybench runs hooks outside the measured interval.
    spec.cold ? { beforeEach: () => api.flushCache() } : {},
  )
  await upstreams.resetStats()
  const [task] = await bench.run()
  const stats = await upstreams.stats()
  const result = task?.result
  if (!result || !('latency' in result)) throw new Error(`tinybench produced no latency for ${url} (state ${result?.state ?? 'unknown'}).`)
  return {
    latency: toLatencyStats(result.latency),
    upstreamCalls: Object.fromEntries(SERVICE_NAMES.map((name) => [name, round(stats.services[name].calls / runs, 3)])) as Record<ServiceName, number>,
    maxInFlight: stats.maxInFlightOverall,
    stages: medianStages(timings),
    errors,
    mismatches,
  }
}

/** How many samples fit the budget for a request that took `estimateMs`, within [min, max]. */
export function planSamples(estimateMs: number, budgetMs: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(budgetMs / Math.max(estimateMs, 1))))
}

export function toLatencyStats(latency: Statistics): LatencyStats {
  return {
    samples: latency.samplesCount,
    p50Ms: round(latency.p50),
    p75Ms: round(latency.p75),
    p99Ms: round(latency.p99),
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

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
