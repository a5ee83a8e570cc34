/**
 * The plan of a run, made before anything is measured from the first estimates (how long
 * one request of each variant took in the correctness check and the warm-up): the latency
 * cases and their samples, the load levels and how long each runs, the sweep's rates, and
 * the progress step of each, so the time left covers them all.
 */
import type { Step } from '../cli/progress.ts'
import { inOverview, type RunSettings } from '../cli/run-settings.ts'
import type { Scenario } from '../../scenario/types.ts'
import type { Floor, LevelLength, Saturation } from '../../model/types.ts'

export type { LevelLength } from '../../model/types.ts'

/** What the run knows of each variant before it plans. */
export interface Probe {
  /** One request with the price cache empty (for a variant without a cache: its only request). */
  coldMs: Record<string, number>
  /** One request with the price cache filled; only for variants that use it. */
  warmMs: Record<string, number>
  usesCache(variant: string): boolean
}

/**
 * A sample is the time of one good answer (200): a request that fails is counted, timed
 * apart, and tried again, so injected faults show as failures, never as fast samples.
 * This many failures in a row end the case: there is no latency left to measure.
 */
export const MAX_FAILURES_IN_A_ROW = 20

export interface LatencyCaseSpec {
  variant: string
  cold: boolean
  samples: number
  /** A slow case may stop after this many samples when they agree within SETTLED_SPREAD (null: it takes them all). */
  settleAfter?: number | null
}

/**
 * A case the budget affords only its minimum of samples (naive: 4 s a sample) stops after three
 * when they agree within 1 % of their median: its spread then needs no more (naive's five in the
 * reference run spanned 0.7 %), and two more would cost 8 s. Samples that disagree take the full count.
 */
export const SETTLED_SAMPLES = 3
export const SETTLED_SPREAD = 0.01

export interface CasePlan extends LatencyCaseSpec {
  step: Step
}

export interface LevelPlan {
  variant: string
  connections: number
  length: LevelLength
  step: Step
}

export interface SweepPlan {
  variant: string
  predicted: Saturation
  levels: Array<{ offeredPerSec: number; seconds: number; step: Step }>
}

/** A variant's share of the traffic mix in the latency phase: the sample's first `count` requests. */
export interface MixCasePlan {
  variant: string
  count: number
  step: Step
}

export interface RunPlan {
  cases: CasePlan[]
  mixCases: MixCasePlan[]
  load: LevelPlan[]
  sweep: SweepPlan[]
  /** Every step above, in the order they run. */
  steps: Step[]
}

/** What the run expects of each variant, read from its model: what the plan and the judge measure against. */
export interface Expectations {
  floors: Record<string, Floor>
  saturation: Record<string, Saturation>
  /** Each variant's floor for each request of the mix's sample, in order (model.mix); absent without one. */
  mixFloorsMs: Record<string, number[]>
  /** The share of requests the scenario's faults should fail, warm and cold, in percent (floors.ts expectedFailures). */
  failurePercent: Record<string, { warm: number; cold: number }>
}

export function planRun(
  scenario: Scenario,
  settings: RunSettings,
  variants: string[],
  probe: Probe,
  expected: Expectations,
  mixSampleSize = 0,
): RunPlan {
  const requestMs = (name: string): number => probeMs(probe, name)
  const cases = variants.flatMap((name) => planCases(settings, name, probe, expected.failurePercent[name]))
  // An overview's mix is its load level's: a few requests of the sample, one at a time, tell little beside it.
  const mixCases =
    mixSampleSize === 0
      ? []
      : variants
          .filter((name) => !inOverview(settings, name))
          .map((name) =>
            planMixCase(
              settings,
              name,
              mixSampleSize,
              expected.mixFloorsMs[name] ?? Array<number>(mixSampleSize).fill(probe.coldMs[name]!),
            ),
          )
  const load = planLoadLevels(settings, variants, probe).map(({ variant: name, connections, length }): LevelPlan => {
    const lasts = 'durationSeconds' in length ? `${length.durationSeconds}s` : `${length.requestsPerConnection} requests each`
    const label = `${name}, ${connections} connection${connections === 1 ? '' : 's'}, ${lasts}`
    return {
      variant: name,
      connections,
      length,
      step: { phase: 'load', label, estimateMs: estimateLevelMs(length, requestMs(name)) + 300 },
    }
  })
  // A variant whose services cost nothing saturates nowhere (W / 0): there is no rate to sweep around.
  const swept = settings.sweep ? variants.filter((name) => expected.floors[name] && Number.isFinite(expected.saturation[name]?.perSec)) : []
  const sweep = swept.map((name): SweepPlan => {
    const predicted = expected.saturation[name]!
    const levels = SWEEP_FACTORS.map((factor) => {
      const offeredPerSec = predicted.perSec * factor
      const seconds = sweepLevelSeconds(settings.durationSeconds, requestMs(name), factor, scenario.requestDeadlineMs)
      return {
        offeredPerSec,
        seconds,
        step: { phase: 'sweep', label: `${name}, ${offeredPerSec.toFixed(1)} req/s for ${seconds}s`, estimateMs: seconds * 1000 + 500 },
      }
    })
    return { variant: name, predicted, levels }
  })
  const steps = [
    ...cases.map((c) => c.step),
    ...mixCases.map((c) => c.step),
    ...load.map((l) => l.step),
    ...sweep.flatMap((s) => s.levels.map((l) => l.step)),
  ]
  return { cases, mixCases, load, sweep, steps }
}

/**
 * The load phase's levels, in the order they run: each variant at each level of connections, its length from how long one of
 * its requests took. An overview runs the top level only; in a --quick run, none (a first look in about 40 s: the story's
 * variants under load, the others one request at a time).
 */
export function planLoadLevels(
  settings: Pick<RunSettings, 'connections' | 'durationSeconds' | 'variants' | 'quick'>,
  variants: string[],
  probe: Probe,
): Array<Omit<LevelPlan, 'step'>> {
  const levelsOf = (variant: string): number[] =>
    !inOverview(settings, variant) ? settings.connections : settings.quick ? [] : [Math.max(...settings.connections)]
  return variants.flatMap((variant) =>
    levelsOf(variant).map((connections) => ({
      variant,
      connections,
      length: planLevelLength(settings.durationSeconds, probeMs(probe, variant)),
    })),
  )
}

/** Samples of a latency case measured as an overview, at least: enough for a median. */
const OVERVIEW_MIN_SAMPLES = 3

/** How long one request of the variant took before the plan: warm where it uses the price cache. */
export function probeMs(probe: Probe, variant: string): number {
  return probe.warmMs[variant] ?? probe.coldMs[variant]!
}

/** A variant's latency cases: cold first (for variants that use the price cache), then warm. */
function planCases(
  settings: RunSettings,
  name: string,
  probe: Probe,
  failurePercent: Expectations['failurePercent'][string] | undefined,
): CasePlan[] {
  const overview = inOverview(settings, name)
  const samples = (ms: number): number =>
    overview
      ? planSamples(ms, settings.latencyBudgetMs / 2, Math.min(settings.minSamples, OVERVIEW_MIN_SAMPLES), settings.maxSamples)
      : planSamples(ms, settings.latencyBudgetMs, settings.minSamples, settings.maxSamples)
  // Under injected faults a sample takes 1 / (1 − the share expected to fail) requests.
  const attempts = (cold: boolean): number => {
    const percent = failurePercent?.[cold ? 'cold' : 'warm']
    return percent === undefined ? 1 : Math.min(MAX_FAILURES_IN_A_ROW, 1 / Math.max(0.05, 1 - percent / 100))
  }
  const cold = probe.coldMs[name]!
  const warm = probe.warmMs[name] ?? cold
  const usesCache = probe.usesCache(name)
  const settleAfter = (n: number): number | null => (n <= settings.minSamples && n > SETTLED_SAMPLES ? SETTLED_SAMPLES : null)
  const step = (isCold: boolean, n: number, estimateMs: number): Step => ({
    phase: 'latency',
    label: `${name}${isCold ? ' (cold cache)' : usesCache ? ' (warm cache)' : ''}, ${settleAfter(n) === null ? '' : `${SETTLED_SAMPLES} to `}${n} samples`,
    estimateMs,
  })
  const warmCase: CasePlan = {
    variant: name,
    cold: false,
    samples: samples(warm),
    settleAfter: settleAfter(samples(warm)),
    step: step(false, samples(warm), samples(warm) * warm * attempts(false)),
  }
  // An overview measures the cache warm only: its cold path is its parent's (the lab's variants beyond the story change the warm path).
  if (!usesCache || overview) return [warmCase]
  const coldCase: CasePlan = {
    variant: name,
    cold: true,
    samples: samples(cold),
    settleAfter: settleAfter(samples(cold)),
    step: step(true, samples(cold), samples(cold) * (cold + 1) * attempts(true)),
  }
  return [coldCase, warmCase]
}

/**
 * The mix's requests for a variant: as many of the sample's first requests as fit half a
 * latency case's budget by their floors (plus 5 % for the lab), at least two, at most the
 * whole sample.
 */
function planMixCase(settings: RunSettings, name: string, sampleSize: number, floorsMs: number[]): MixCasePlan {
  const least = Math.min(2, settings.minSamples)
  let count = 0
  let spentMs = 0
  while (count < sampleSize && (count < least || spentMs + floorsMs[count]! * 1.05 <= settings.latencyBudgetMs / 2))
    spentMs += floorsMs[count++]! * 1.05
  return {
    variant: name,
    count,
    step: {
      phase: 'latency',
      label: `${name}, the traffic mix, ${count} request${count === 1 ? '' : 's'} from an empty cache`,
      estimateMs: spentMs + count * 5,
    },
  }
}

/** How many samples fit the budget for a request that took `estimateMs`, within [min, max]. */
function planSamples(estimateMs: number, budgetMs: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(budgetMs / Math.max(estimateMs, 1))))
}

/** Below this many requests per connection in the time given, a level counts requests instead. */
const MIN_REQUESTS_PER_CONNECTION = 10

function planLevelLength(durationSeconds: number, requestMs: number): LevelLength {
  const fit = Math.floor((durationSeconds * 1000) / Math.max(requestMs, 1))
  return fit >= MIN_REQUESTS_PER_CONNECTION ? { durationSeconds } : { requestsPerConnection: Math.max(2, fit) }
}

function estimateLevelMs(length: LevelLength, requestMs: number): number {
  return 'durationSeconds' in length ? length.durationSeconds * 1000 : length.requestsPerConnection * requestMs
}

/** Offered load as fractions of the predicted saturation throughput. */
export const SWEEP_FACTORS = [0.5, 0.9, 1.1, 1.5, 2] as const

/** A level lasts at least this many times one request, so few requests are cut off at its end. */
const MIN_REQUESTS_PER_LEVEL_WINDOW = 4

/**
 * Seconds for a level: at least the run's duration and four requests' time; beyond the
 * predicted saturation, also twice the deadline, because there requests queue until
 * they are answered or time out, and a shorter level would only see them in flight.
 */
function sweepLevelSeconds(durationSeconds: number, requestMs: number, factor: number, deadlineMs: number): number {
  const overloaded = factor > 1 ? (2 * deadlineMs) / 1000 : 0
  return Math.ceil(Math.max(durationSeconds, (MIN_REQUESTS_PER_LEVEL_WINDOW * requestMs) / 1000, overloaded))
}
