/** The run settings from the flags (run-settings.ts holds what they are and their defaults): each bad flag a UsageError naming it. */
import { UsageError, readNumberFlag, type FlagValues } from './flags.ts'
import { DEFAULT_RUN, QUICK_RUN, RUN_LIMITS, type RunSettings } from './run-settings.ts'
import { suggest } from '../../scenario/suggest.ts'
import { JITTER_MODES, type JitterMode } from '../../scenario/types.ts'

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
    ablation: values.ablation === true,
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
