/**
 * The model of each variant, from a child process that runs them in virtual time
 * (model-main.ts): at one scenario, or at several (a what-if's values) in the same process.
 * A variant that never gives its event loop back (a loop with no await) cannot be stopped
 * from inside: the process is given MODEL_WALL_MS of real time, and if it runs over, each
 * job is modelled again in a process of its own, so only the one that hangs is "not modelled".
 */
import { fileURLToPath } from 'node:url'
import { forkLabProcess } from './lab-process.ts'
import type { JitterMode, MixInput, ModelOutcome, StructureWanted } from '../../model/types.ts'
import type { Scenario } from '../../scenario/types.ts'

const ENTRY = fileURLToPath(new URL('./model-main.ts', import.meta.url))

/** Real time a model process may take for one job: starting (from its bundle, or through tsx) and a variant's virtual runs, which take milliseconds. */
export const MODEL_WALL_MS = 15_000
/** And for each job after the first: far more than a virtual run takes, so only a variant that hangs runs over. */
const MODEL_WALL_MS_PER_JOB = 1000
/** With the load levels to run too (at most 100,000 virtual requests a level: a few seconds). */
const MODEL_WALL_MS_PER_JOB_WITH_LOAD = 5000

/** One variant at one scenario (its index in the list given). */
export interface ModelJob {
  scenario: number
  variant: string
}

/** A variant's model or why it has none, and the real time its virtual runs took, in ms; null when it has no file or stopped the process. */
export type TimedOutcome = ModelOutcome & { wallMs: number | null }

export interface ModelOptions {
  /** Where the variant files are (default variants/). */
  dir?: string
  /** How each call counts its service's jitter (default 'mean'). */
  jitter?: JitterMode
  /** The traffic mix to run in virtual time after the cold and warm runs (model.mix); none by default. */
  mix?: MixInput
  /** Whether to learn each variant's structure of calls for the report's sliders, besides the rest or alone ('none' by default). */
  structure?: StructureWanted
}

/** Each variant's model at `scenario`. */
export async function modelVariants(
  scenario: Scenario,
  variants: string[],
  options: ModelOptions = {},
): Promise<Record<string, TimedOutcome>> {
  const [outcomes] = await modelScenarios([scenario], variants, options)
  return outcomes!
}

/** Each variant's model at each scenario, in one process when all goes well. */
export async function modelScenarios(
  scenarios: Scenario[],
  variants: string[],
  options: ModelOptions = {},
): Promise<Array<Record<string, TimedOutcome>>> {
  const outcomes: Array<Record<string, TimedOutcome>> = scenarios.map(() => ({}))
  const done = (job: ModelJob): boolean => job.variant in outcomes[job.scenario]!
  const record = (answered: Array<ModelJob & { outcome: TimedOutcome }>): void => {
    for (const { scenario, variant, outcome } of answered) outcomes[scenario]![variant] = outcome
  }
  const all = scenarios.flatMap((_, scenario) => variants.map((variant) => ({ scenario, variant })))
  // A process stops after a variant that never answered (its real work could leak into the next run): the rest go to a fresh one.
  for (let left = all; left.length > 0; left = left.filter((job) => !done(job))) {
    try {
      const answered = await modelIn(scenarios, left, options)
      record(answered)
      if (answered.length === 0) for (const job of left) outcomes[job.scenario]![job.variant] = noFile(job.variant)
    } catch {
      // The process failed or ran over its time: each job again on its own, to find which.
      for (const job of left) {
        try {
          record(await modelIn(scenarios, [job], options))
          outcomes[job.scenario]![job.variant] ??= noFile(job.variant)
        } catch (error) {
          const message = (error as Error).message
          outcomes[job.scenario]![job.variant] = {
            notModelled: /did not start within/.test(message)
              ? `its virtual run did not finish within ${MODEL_WALL_MS / 1000} s of real time (a loop that never gives its event loop back?)`
              : `its virtual run stopped the model process: ${message}`,
            wallMs: null,
          }
        }
      }
    }
  }
  return outcomes
}

/** The reason for a variant name with no file the model process could run. */
function noFile(name: string): TimedOutcome {
  return { notModelled: `no variant file variants/${name}.ts was found to run`, wallMs: null }
}

async function modelIn(
  scenarios: Scenario[],
  jobs: ModelJob[],
  options: ModelOptions,
): Promise<Array<ModelJob & { outcome: TimedOutcome }>> {
  const lab = await forkLabProcess<Array<ModelJob & { outcome: TimedOutcome }>>(
    ENTRY,
    { scenarios, jobs, dir: options.dir, jitter: options.jitter ?? 'mean', mix: options.mix, structure: options.structure },
    'model',
    [],
    MODEL_WALL_MS + (jobs.length - 1) * (options.mix?.load ? MODEL_WALL_MS_PER_JOB_WITH_LOAD : MODEL_WALL_MS_PER_JOB),
    // Variant files elsewhere than variants/ (a test's fixtures) are not in the bundle: they load through tsx.
    options.dir !== undefined,
  )
  await lab.stop()
  return lab.ready
}
