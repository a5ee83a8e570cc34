/**
 * The run's verdicts, from what was measured and what the model predicts: how close each
 * variant came to its floor, whether the story was reproduced, why a variant held or
 * collapsed at peak load, and the problems that make a run invalid.
 */
import { expectedFailurePercent, type Floor, type Saturation } from './floors.ts'
import { describeTail, formatStatuses, nonOkStatuses, round } from '../record/format.ts'
import type { LatencyCase, LatencyStats, LoadLevel, PeakLoad, Results, SweepLevel, VariantResult } from '../record/results.ts'
import { STORY_VARIANTS } from '../../scenario/story.ts'
import type { Scenario, ServiceName } from '../../scenario/types.ts'

/** The lab's fidelity target: p50 within max(3 % of the floor, 5 ms) of the floor. */
export function judgeFidelity(
  floor: Floor | undefined,
  latency: LatencyStats | null,
): Pick<VariantResult, 'overheadMs' | 'overheadPerCallMs' | 'overheadToleranceMs' | 'withinTolerance'> {
  const overheadMs = floor && latency ? round(latency.p50Ms - floor.warmMs) : null
  const toleranceMs = floor ? round(Math.max(0.03 * floor.warmMs, 5)) : null
  return {
    overheadMs,
    overheadPerCallMs: floor && overheadMs !== null ? round(overheadMs / floor.callsOnPath) : null,
    overheadToleranceMs: toleranceMs,
    withinTolerance: overheadMs !== null && toleranceMs !== null ? Math.abs(overheadMs) <= toleranceMs : null,
  }
}

/** The story reproduced? p50 in story order (naive > bulk > cached > parallel), and its first step against its last. */
export function judgeStory(variants: Record<string, VariantResult>): Results['story'] {
  const p50s = STORY_VARIANTS.map((name) => variants[name]?.latency?.p50Ms)
  // A variant that was not measured, or never answered under injected faults: no story to tell.
  if (p50s.some((p50) => p50 === undefined)) return null
  const ms = p50s as number[]
  const first = ms[0]!
  const last = ms.at(-1)!
  return { ordered: ms.every((p50, i) => i === 0 || ms[i - 1]! > p50), naiveToParallelPercent: round(((last - first) / first) * 100, 1) }
}

/**
 * What makes a variant's figures untrustworthy. Under injected faults a 502 or 504 in the
 * latency phase is a result (the variant's exposure to them); anything else, or any
 * failure without faults, is a problem. Under load, errors, timeouts and 503/504s are
 * results (a variant collapsing at peak is the story); a wrong body never is.
 */
export function findProblems(name: string, warm: LatencyCase, cold: LatencyCase | undefined, load: LoadLevel[], sweep: SweepLevel[], faulty: boolean): string[] {
  const problems: string[] = []
  const statuses = { ...warm.failures.statusCodes }
  for (const [status, n] of Object.entries(cold?.failures.statusCodes ?? {})) statuses[status] = (statuses[status] ?? 0) + n
  const unexplained = Object.entries(statuses).filter(([status]) => !faulty || (status !== '502' && status !== '504'))
  if (unexplained.length) {
    const total = unexplained.reduce((sum, [, n]) => sum + n, 0)
    problems.push(`${name}: ${total} failed request(s) in the latency phase (${formatStatuses(Object.fromEntries(unexplained))})${faulty ? ' not explained by the injected faults' : ''}`)
  }
  if (!warm.latency && !faulty) problems.push(`${name}: no good answer in the latency phase`)
  const mismatches = warm.mismatches + (cold?.mismatches ?? 0)
  if (mismatches) problems.push(`${name}: ${mismatches} response(s) in the latency phase differed from the reference body`)
  for (const level of load) {
    if (level.mismatches) problems.push(`${name} at ${level.connections} connections: ${level.mismatches} response(s) differed from the reference body`)
  }
  for (const level of sweep) {
    if (level.mismatches) problems.push(`${name} at ${round(level.offeredPerSec, 1)} req/s offered: ${level.mismatches} response(s) differed from the reference body`)
  }
  return problems
}

/** A swept variant's peak load: predicted against measured saturation, the knee, and why. */
export function judgePeak(name: string, scenario: Scenario, predicted: Saturation, floor: Floor, levels: SweepLevel[]): PeakLoad {
  const p99TargetMs = Math.min(2 * floor.warmMs, scenario.requestDeadlineMs)
  const measuredPerSec = Math.max(...levels.map((l) => l.goodputPerSec))
  return {
    predictedPerSec: round(predicted.perSec),
    bottleneck: predicted.bottleneck,
    measuredPerSec,
    errorPercent: round((measuredPerSec / predicted.perSec - 1) * 100, 1),
    p99TargetMs,
    kneePerSec: findKnee(levels, p99TargetMs, expectedFailurePercent(scenario, floor.calls) / 100)?.offeredPerSec ?? null,
    verdict: describePeak(name, scenario, predicted, measuredPerSec, levels),
    levels,
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
        // Too few answers for a p99: the slowest of them must be under the target.
        (l.p99Ms ?? l.maxMs) <= p99TargetMs &&
        l.mismatches === 0 &&
        l.errors + l.timeouts + l.non2xx <= allowed(l.requests) &&
        l.goodputPerSec >= 0.9 * (1 - expectedFailure) * l.offeredPerSec,
    )
    .sort((a, b) => b.offeredPerSec - a.offeredPerSec)[0]
}

/** One sentence: why a variant holds or collapses, and which service saturates first. */
function describePeak(name: string, scenario: Scenario, predicted: Saturation, measuredPerSec: number, levels: SweepLevel[]): string {
  const service: ServiceName = predicted.bottleneck
  const workers = scenario.services[service].workers
  const demand = predicted.demandSeconds[service]
  const top = levels.at(-1)
  const because = `${service} saturates first: ${workers} workers ÷ ${round(demand, 3)} s of ${service} per request = ${round(predicted.perSec, 1)} req/s predicted, ${round(measuredPerSec, 1)} measured`
  if (!top) return `${name}: ${because}.`
  const failed = top.errors + top.timeouts + top.non2xx
  const failedCodes = nonOkStatuses(top.statusCodes)
  const wait = top.upstreams[service].longestWaitMs
  // Short of the prediction: the bottleneck's workers were held longer than configured,
  // which on a small machine is the CPU the load generator, the API and the mocks share.
  const heldMs = measuredPerSec > 0 ? (workers / measuredPerSec) * 1000 : 0
  const short = measuredPerSec < 0.75 * predicted.perSec
  const offered = `at ${round(top.offeredPerSec, 1)} req/s offered`
  const outcome =
    top.requests + failed === 0
      ? `${offered} no request came back within the level (${top.durationSeconds} s); calls waited up to ${Math.round(wait)} ms for a worker of ${service}`
      : failed
        ? `${offered} calls waited up to ${Math.round(wait)} ms for a worker of ${service} and ${failed} requests failed${Object.keys(failedCodes).length ? ` (${formatStatuses(failedCodes)})` : ''}, ${describeTail(top.p99Ms, top.maxMs)}`
        : `${offered} it still answered every request, ${describeTail(top.p99Ms, top.maxMs)} (longest wait for a worker of ${service}: ${Math.round(wait)} ms)`
  const shortfall = short
    ? ` Measured ${Math.round((1 - measuredPerSec / predicted.perSec) * 100)} % below the prediction: at its best, ${service} took ${Math.round(heldMs)} ms of worker time per request instead of the configured ${Math.round(demand * 1000)} ms — the machine's CPU, shared by the load generator, the API and the mocks, held the workers longer.`
    : ''
  return `${name}: ${because}; ${outcome}.${shortfall}`
}
