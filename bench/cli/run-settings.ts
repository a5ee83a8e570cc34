/**
 * How a benchmark run measures (as opposed to the scenario, which says what is
 * measured): which variants, how many samples, which load levels, where results go.
 * Defaults and the --quick preset live here and nowhere else.
 */
import { UsageError, readNumberFlag, type FlagValues } from './flags.ts'
import { beyondTheStory } from '../../scenario/story.ts'
import { JITTER_MODES, type JitterMode } from '../../scenario/types.ts'
import { suggest } from '../../scenario/suggest.ts'

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
}

export const DEFAULT_RUN: Omit<RunSettings, 'outDir' | 'variants' | 'sweep' | 'modelJitter'> = {
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

export function resolveRunSettings(values: FlagValues, knownVariants: readonly string[]): RunSettings {
  const base = values.quick ? QUICK_RUN : DEFAULT_RUN
  const connections = typeof values.connections === 'string' ? parseConnections(values.connections) : [...base.connections]
  const durationSeconds = readNumberFlag(values, 'duration') ?? base.durationSeconds
  const { min, max } = RUN_LIMITS.durationSeconds
  if (durationSeconds < min || durationSeconds > max) {
    throw new UsageError(`Flag --duration: got ${durationSeconds}; expected seconds from ${min} to ${max}.`)
  }
  return {
    quick: base.quick,
    variants: typeof values.variants === 'string' ? parseVariants(values.variants, knownVariants) : [],
    connections,
    durationSeconds,
    latencyBudgetMs: base.latencyBudgetMs,
    minSamples: base.minSamples,
    maxSamples: base.maxSamples,
    outDir: typeof values.out === 'string' ? values.out : undefined,
    sweep: values.sweep === true,
    modelJitter: parseModelJitter(values['model-jitter']),
  }
}

function parseModelJitter(raw: string | boolean | undefined): JitterMode {
  if (raw === undefined || typeof raw === 'boolean') return 'mean'
  if ((JITTER_MODES as readonly string[]).includes(raw)) return raw as JitterMode
  const close = suggest(raw, JITTER_MODES)
  throw new UsageError(
    `Flag --model-jitter: got "${raw}"; expected one of ${JITTER_MODES.join(', ')}${close ? ` (did you mean "${close}"?)` : ''}.`,
  )
}

function parseConnections(raw: string): number[] {
  const { min, max } = RUN_LIMITS.connections
  const levels = raw.split(',').map((part) => part.trim())
  const numbers = levels.map(Number)
  if (levels.some((part, i) => !/^\d+$/.test(part) || numbers[i]! < min || numbers[i]! > max)) {
    throw new UsageError(
      `Flag --connections: got "${raw}"; expected a comma-separated list of integers from ${min} to ${max}, e.g. 1,10,50.`,
    )
  }
  if (new Set(numbers).size !== numbers.length) throw new UsageError(`Flag --connections: got "${raw}"; a level is listed twice.`)
  return [...numbers].sort((a, b) => a - b)
}

function parseVariants(raw: string, known: readonly string[]): string[] {
  const names = raw.split(',').map((part) => part.trim())
  for (const name of names) {
    if (!known.includes(name)) {
      const close = suggest(name, known)
      throw new UsageError(
        `Flag --variants: there is no variant "${name}"${close ? `; did you mean "${close}"?` : '.'} Known: ${known.join(', ')}.`,
      )
    }
  }
  if (new Set(names).size !== names.length) throw new UsageError(`Flag --variants: got "${raw}"; a variant is listed twice.`)
  // Story order, whatever order they were given in.
  return known.filter((name) => names.includes(name))
}

/**
 * Whether a variant is measured as an overview: in a run that measures every variant (no
 * `--variants`), the lab's own variants beyond the story get half the latency budget (at least
 * OVERVIEW_MIN_SAMPLES (plan.ts) samples a case, or the run's own minimum when lower), the cache warm only (no cold case), no sample of
 * the mix in the latency phase and only the top load level, which keeps the default run near three minutes. Named with `--variants`, any variant gets the whole run; a user's own
 * variant always does.
 */
export function inOverview(settings: Pick<RunSettings, 'variants'>, variant: string): boolean {
  return settings.variants.length === 0 && beyondTheStory(variant) !== undefined
}
