/**
 * What a variant should cost, derived from its virtual runs (virtual-run.ts), warm and cold:
 * the floor, the calls on the critical path, the calls per service, the most in flight, the
 * worker-seconds each request asks of each service and the Little's-law saturation. No
 * variant is named here: any code that makes calls gets the same treatment.
 */
import { SERVICE_NAMES, type Scenario, type ServiceName } from '../scenario/types.ts'
import type { Saturation, VariantModel, VirtualCall, VirtualRun } from './types.ts'

/** The model of a variant from one warm and one cold virtual run. */
export function deriveModel(scenario: Scenario, warm: VirtualRun, cold: VirtualRun): Omit<VariantModel, 'mix' | 'faults' | 'structure'> {
  const warmCalls = beforeAnswer(warm)
  const warmPath = criticalPath(warmCalls)
  return {
    floor: {
      warmMs: exactElapsedMs(warm, warmPath),
      coldMs: exactElapsedMs(cold, criticalPath(beforeAnswer(cold))),
      callsOnPath: warmPath.length,
      callsAtOnceOnPath: warmPath.map((call, i) => madeWith(call, warmCalls, warmPath[i - 1]?.endSeq ?? -1)),
      calls: callsPerService(warm.calls),
      coldCalls: callsPerService(cold.calls),
      maxInFlight: maxInFlight(warm.calls),
      coldMaxInFlight: maxInFlight(cold.calls),
      stages: warm.stages,
      coldStages: cold.stages,
    },
    saturation: saturation(scenario, warm.calls),
  }
}

/**
 * The chain of calls that set the end time: from the call whose answer came last, back
 * through, each time, the call whose answer came last before this one was made. A call
 * made before another's answer came did not wait for it, even at the same virtual time
 * (calls that cost nothing): only the order of events decides.
 */
export function criticalPath(calls: readonly VirtualCall[]): VirtualCall[] {
  // Latest by the clock; on a tie, by the fraction of a millisecond the clock left out, then by the order of events.
  const later = (c: VirtualCall, a: VirtualCall): boolean =>
    c.endMs > a.endMs || (c.endMs === a.endMs && (fraction(c) > fraction(a) || (fraction(c) === fraction(a) && c.endSeq > a.endSeq)))
  const latest = (candidates: VirtualCall[]): VirtualCall | undefined =>
    candidates.reduce<VirtualCall | undefined>((a, c) => (!a || later(c, a) ? c : a), undefined)
  const path: VirtualCall[] = []
  for (let current = latest([...calls]); current; current = latest(calls.filter((c) => c.endSeq < current!.startSeq))) path.unshift(current)
  return path
}

/**
 * How many of `calls` were made and answered with `call`, itself included: made after `afterSeq`
 * (the answer of the call before it on the path, which it waited for) and before its answer,
 * and answered at the same virtual time, fractions included (the clock's timers count whole
 * milliseconds: 40.7 and 40 ms end on the same tick, but not together): the hop the lab calibrates
 * as k calls at once. A call made earlier and still in flight, or answered earlier or later, is
 * not part of it.
 */
function madeWith(call: VirtualCall, calls: readonly VirtualCall[], afterSeq: number): number {
  const exactEnd = (one: VirtualCall) => one.endMs + fraction(one)
  return calls.filter(
    (other) => other.startSeq > afterSeq && other.startSeq < call.endSeq && Math.abs(exactEnd(other) - exactEnd(call)) < 1e-9,
  ).length
}

/** A run's exact virtual time: its critical path's configured latency, fractions included. */
export function exactFloorMs(run: VirtualRun): number {
  return exactElapsedMs(run, criticalPath(beforeAnswer(run)))
}

/** The calls that ended before the answer: the ones the answer can have waited for. */
function beforeAnswer(run: VirtualRun): VirtualCall[] {
  return run.calls.filter((call) => call.endSeq >= 0 && call.endSeq < run.answeredSeq)
}

/** The virtual time, with the fractions of a millisecond the clock's whole-millisecond timers left out of the calls on the critical path. */
function exactElapsedMs(run: VirtualRun, path: readonly VirtualCall[]): number {
  return run.elapsedMs + path.reduce((sum, call) => sum + fraction(call), 0)
}

function fraction(call: VirtualCall): number {
  return call.configuredMs - Math.floor(call.configuredMs)
}

function callsPerService(calls: readonly VirtualCall[]): Record<ServiceName, number> {
  const counts = Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])) as Record<ServiceName, number>
  for (const call of calls) counts[call.service]++
  return counts
}

/** The most calls in flight at once: made and not yet answered, by the order of events. */
function maxInFlight(calls: readonly VirtualCall[]): number {
  const events = calls
    .flatMap((c) => [
      { seq: c.startSeq, delta: 1 },
      { seq: c.endSeq, delta: -1 },
    ])
    .sort((a, b) => a.seq - b.seq)
  let inFlight = 0
  let most = 0
  for (const { delta } of events) most = Math.max(most, (inFlight += delta))
  return most
}

/**
 * Worker time an injected hang adds to a call, on average: a hung call holds its worker until
 * the caller gives up, at the request's deadline or the call's own timeout, whichever is first.
 * (It also fails its request, so a sequential variant makes fewer calls after it: this counts
 * the hang's cost, not that saving.)
 */
function hungMs(scenario: Scenario, service: ServiceName): number {
  return scenario.services[service].faults.hangRate * Math.min(scenario.requestDeadlineMs, scenario.upstreamTimeoutMs)
}

/**
 * A service with W workers, asked for D worker-seconds per request (its calls' configured
 * latency, the jitter's mean and the time injected hangs hold), is fully busy at W / D
 * requests per second (Little's law); the variant saturates at the lowest of these (on a tie,
 * the first service in SERVICE_NAMES order). Taken warm: a cached variant's steady state.
 */
function saturation(scenario: Scenario, calls: readonly VirtualCall[]): Saturation {
  return mixSaturation(scenario, [{ share: 1, calls }])
}

/**
 * Little's law over a mix of requests: each service's demand is the requests' demands weighted
 * by their shares of the traffic, and the saturation the rate at which the busiest service's
 * workers are all busy.
 */
export function mixSaturation(scenario: Scenario, runs: ReadonlyArray<{ share: number; calls: readonly VirtualCall[] }>): Saturation {
  const demandSeconds = Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])) as Record<ServiceName, number>
  for (const { share, calls } of runs)
    for (const call of calls) demandSeconds[call.service] += (share * (call.configuredMs + hungMs(scenario, call.service))) / 1000
  const limits = SERVICE_NAMES.filter((service) => demandSeconds[service] > 0)
    .map((service) => ({ service, perSec: scenario.services[service].workers / demandSeconds[service] }))
    .sort((a, b) => a.perSec - b.perSec)
  const first = limits[0] ?? { service: SERVICE_NAMES[0], perSec: Infinity }
  return { perSec: first.perSec, bottleneck: first.service, demandSeconds }
}
