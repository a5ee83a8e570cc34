/**
 * The peak-load sweep (--sweep): each variant at increasing offered load, as a fixed
 * request rate (an open model, see open-load.ts: a slow server cannot slow the load
 * down), around the saturation predicted from the scenario. Per level: goodput,
 * latency, errors, 503/504s and the upstreams' queues.
 */
import type { LoadContext } from './load-phase.ts'
import { percentile, runOpenLoad } from './open-load.ts'
import { round } from './latency-phase.ts'
import { nonOkStatuses } from './report-model.ts'
import type { SweepLevel } from './results.ts'
import { SERVICE_NAMES } from './scenario.ts'
import type { UpstreamProcess } from './upstream-process.ts'

/** Offered load as fractions of the predicted saturation throughput. */
export const SWEEP_FACTORS = [0.5, 0.9, 1.1, 1.5, 2] as const

/** A level lasts at least this many times one request, so few requests are cut off at its end. */
const MIN_REQUESTS_PER_LEVEL_WINDOW = 4
const MAX_CONNECTIONS = 4000

/**
 * Seconds for a level: at least the run's duration and four requests' time; beyond the
 * predicted saturation, also twice the deadline, because there requests queue until
 * they are answered or time out, and a shorter level would only see them in flight.
 */
export function sweepLevelSeconds(durationSeconds: number, requestMs: number, factor: number, deadlineMs: number): number {
  const overloaded = factor > 1 ? (2 * deadlineMs) / 1000 : 0
  return Math.ceil(Math.max(durationSeconds, (MIN_REQUESTS_PER_LEVEL_WINDOW * requestMs) / 1000, overloaded))
}

export async function measureSweepLevel(
  context: LoadContext & { upstreams: UpstreamProcess; deadlineMs: number },
  variant: string,
  offeredPerSec: number,
  durationSeconds: number,
): Promise<SweepLevel> {
  const { api, upstreams, path, reference, deadlineMs } = context
  // Enough connections for every request that can be in flight: the rate times the deadline, and some.
  const connections = Math.min(MAX_CONNECTIONS, Math.max(4, Math.ceil((offeredPerSec * (deadlineMs + 1000) * 1.2) / 1000)))
  await upstreams.resetStats()
  const run = await runOpenLoad({
    origin: api.url,
    path: `/${variant}${path}`,
    ratePerSec: offeredPerSec,
    durationSeconds,
    timeoutMs: deadlineMs + 5000,
    connections,
    reference,
  })
  const stats = await upstreams.stats()
  const latencies = [...run.latenciesMs].sort((a, b) => a - b)
  const non2xx = Object.values(nonOkStatuses(run.statusCodes)).reduce((sum, n) => sum + n, 0)
  return {
    offeredPerSec: round(offeredPerSec),
    connections,
    durationSeconds: round(run.durationSeconds),
    requests: run.sent,
    goodputPerSec: round(run.okInWindow / run.windowSeconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? 0),
    errors: run.errors,
    timeouts: run.timeouts,
    non2xx,
    statusCodes: run.statusCodes,
    mismatches: run.mismatches,
    upstreams: Object.fromEntries(
      SERVICE_NAMES.map((name) => {
        const s = stats.services[name]
        return [name, { calls: s.calls, maxBusy: s.maxBusy, queued: s.queued, longestWaitMs: s.longestWaitMs, rejected: s.rejected, cancelled: s.cancelled }]
      }),
    ) as SweepLevel['upstreams'],
  }
}

/**
 * The highest offered load held: p99 under the target, no wrong body, goodput ≥ 90 % of
 * what should succeed, and no failure beyond what injected faults explain. `expectedFailure`
 * is the share (0–1) the scenario's faults should fail; a level may fail up to that share
 * of its requests plus three binomial standard deviations. Without faults: not one.
 */
export function findKnee(levels: SweepLevel[], p99TargetMs: number, expectedFailure = 0): SweepLevel | undefined {
  const allowed = (n: number): number => expectedFailure * n + 3 * Math.sqrt(n * expectedFailure * (1 - expectedFailure))
  return levels
    .filter(
      (l) =>
        l.p99Ms <= p99TargetMs &&
        l.mismatches === 0 &&
        l.errors + l.timeouts + l.non2xx <= allowed(l.requests) &&
        l.goodputPerSec >= 0.9 * (1 - expectedFailure) * l.offeredPerSec,
    )
    .sort((a, b) => b.offeredPerSec - a.offeredPerSec)[0]
}
