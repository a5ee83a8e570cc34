/**
 * How a benchmark run measures (as opposed to the scenario, which says what is
 * measured): which variants, how many samples, which load levels, where results go.
 * Defaults and the --quick preset live here and nowhere else.
 */
import { beyondTheStory, isCombination, isCombinationOnly } from '../../scenario/story.ts'
import type { JitterMode, Scenario } from '../../scenario/types.ts'
import type { TraceSettings } from '../../lab-api/trace-file.ts'

export interface RunSettings {
  /** A small, fast run for CI and a first look. */
  quick: boolean
  /** Variants to measure, in story order; empty means all. */
  variants: string[]
  /** Load levels: concurrent connections, one autocannon run per level and variant. */
  connections: number[]
  /** Seconds each load level runs. */
  durationSeconds: number
  /** Time the latency phase aims to spend on each case (variant, cold or warm), in ms. */
  latencyBudgetMs: number
  /** Samples per latency case, whatever the budget says. */
  minSamples: number
  maxSamples: number
  /** Where results go; undefined: a new results/<timestamp>/. */
  outDir: string | undefined
  /** Also run the peak-load sweep: fixed request rates around each variant's predicted saturation. */
  sweep: boolean
  /** How the model counts each service's jitter: its mean (default), drawn from the seed, or none. */
  modelJitter: JitterMode
  /**
   * --ablation: also measure the combinations of the story's fixes that are not its steps, so
   * each fix's worth in any order is read from measured p50s, not from the model alone.
   */
  ablation: boolean
  /** --trace, --otlp: the API's requests as OpenTelemetry traces (ratio: the share traced under load); undefined without. */
  trace?: TraceSettings
}

export const DEFAULT_RUN: Omit<RunSettings, 'outDir' | 'variants' | 'sweep' | 'modelJitter' | 'ablation'> = {
  quick: false,
  // One at a time is the latency phase's; the default run measures peak load, where the lesson is read
  // (--connections 10,50 adds a level below it: about 30 s more).
  connections: [50],
  durationSeconds: 5,
  latencyBudgetMs: 8_000,
  // An odd number, so the p50 of the slowest variants (naive: 4 s a sample) is one of them; 5 brackets the true median between the 1st and 5th with 94 % confidence.
  minSamples: 5,
  maxSamples: 50,
}

/** --quick: fewer samples, shorter load levels, and a smaller page unless --products is given. */
export const QUICK_RUN = {
  quick: true,
  connections: [10],
  durationSeconds: 1,
  latencyBudgetMs: 800,
  minSamples: 2,
  maxSamples: 10,
  productsPerPage: 10,
  /** The mix's page sizes unless --limits: small pages, as the story's page is. */
  mixLimits: [10, 4],
} as const

/**
 * --quick when runs are compared (--runs N above 1, --runs auto, --aa): the latency phase's
 * budget and most samples raised, so each run's one-at-a-time p50 is steady enough for a
 * comparison to call a small change (parallel: 5 warm samples a run otherwise).
 */
export const QUICK_COMPARED = {
  latencyBudgetMs: 2400,
  maxSamples: 20,
} as const

/**
 * --vary without --predict: only the latency phase at each value, with samples between
 * --quick's and a full run's (a value's p50 is read against its floor, not charted alone).
 */
export const VARY_RUN = {
  connections: [],
  latencyBudgetMs: 1500,
  minSamples: 3,
  maxSamples: 15,
} as const

export const RUN_LIMITS = {
  connections: { min: 1, max: 1000 },
  durationSeconds: { min: 1, max: 600 },
} as const

/**
 * Whether the run measures a variant: every one, or those named with --variants; the
 * combinations of the story's fixes that are not its steps only with --ablation or by name
 * (the model runs them in every run).
 */
export function measures(settings: Pick<RunSettings, 'variants' | 'ablation'>, variant: string): boolean {
  if (settings.ablation && isCombination(variant)) return true
  return settings.variants.length ? settings.variants.includes(variant) : !isCombinationOnly(variant)
}

/**
 * Whether a variant is measured as an overview: in a run that measures every variant (no
 * `--variants`), the lab's own variants beyond the story get half the latency budget (at least
 * OVERVIEW_MIN_SAMPLES (plan.ts) samples a case, or the run's own minimum when lower), the cache warm only (no cold case), no sample of
 * the mix in the latency phase and only the top load level, which keeps the default run near three minutes. Named with `--variants`, any variant gets the whole run; a user's own
 * variant always does.
 */
export function inOverview(settings: Pick<RunSettings, 'variants'>, variant: string): boolean {
  return settings.variants.length === 0 && (beyondTheStory(variant) !== undefined || isCombinationOnly(variant))
}

/** A --vary, resolved (vary.ts): the parameter, its values ascending, and the scenario at each. */
export interface Vary {
  parameter: string
  label: string
  unit: string
  /** Ascending, whatever order they were given in. */
  values: number[]
  /** The scenario at each value, in the order of `values` (ascending). */
  scenarios: Scenario[]
}
