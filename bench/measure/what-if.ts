/**
 * A what-if: each variant's model (derived from its code in virtual time) at one scenario
 * (--predict) or at each value of one parameter (--vary), and, unless --predict, the latency
 * phase measured at each value too (by `measure`, a run of its own per value). Nothing is
 * started for the model alone.
 */
import type { VariantInfo } from './assemble-results.ts'
import { attributeFixes } from './attribution.ts'
import { assembleSliders, modelOtherStops } from './sliders.ts'
import { recordModel } from './floors.ts'
import type { Vary } from '../cli/run-settings.ts'
import { diffAgainstParent, summarizeVariant } from '../record/code-diffs.ts'
import { describeMachine } from '../record/environment.ts'
import { formatMs, round } from '../record/format.ts'
import { SCHEMA_VERSION, type MeasuredRun, type WhatIf, type WhatIfPoint, type WhatIfVariant } from '../record/results.ts'
import { modelScenarios, type TimedOutcome } from '../stack/model-process.ts'
import type { JitterMode } from '../../model/types.ts'
import { COMBINATION_VARIANTS } from '../../scenario/story.ts'
import type { Scenario } from '../../scenario/types.ts'

export interface WhatIfRequest {
  startedAt: Date
  quick: boolean
  modelJitter: JitterMode
  /** The variants, in story order. */
  variants: VariantInfo[]
  /** The scenario of a --predict without --vary. */
  scenario: Scenario
  vary: Vary | undefined
  /**
   * Measures `variants` at one value's scenario, with their models; undefined: the model alone.
   * A value that could not be measured (its stack did not start, its correctness check
   * failed) gives the reason, and the other values are measured all the same.
   */
  measure:
    | ((at: {
        scenario: Scenario
        value: number | null
        variants: string[]
        models: Record<string, TimedOutcome>
      }) => Promise<MeasuredRun | { failed: string }>)
    | undefined
}

/**
 * A variant whose floor (cold, the slower) is this close to the deadline or past it is not
 * measured at that value: with the lab's overhead it would answer 504, fail the correctness
 * check and cost every other variant its measurement there.
 */
const DEADLINE_MARGIN = 0.95

/** Why a variant is not measured at a scenario, or null: its floor and the deadline. */
function pastDeadline(scenario: Scenario, outcome: TimedOutcome): string | null {
  if (!('model' in outcome)) return null
  const slowest = Math.max(outcome.model.floor.warmMs, outcome.model.floor.coldMs)
  if (slowest < DEADLINE_MARGIN * scenario.requestDeadlineMs) return null
  return `its floor (${formatMs(slowest)}) is at or past ${DEADLINE_MARGIN * 100} % of the API's ${formatMs(scenario.requestDeadlineMs)} deadline: it would answer 504 (--deadline raises it)`
}

export async function runWhatIf(request: WhatIfRequest): Promise<WhatIf> {
  const { vary, variants } = request
  const names = variants.map((v) => v.name)
  const scenarios = vary ? vary.scenarios : [request.scenario]
  const values = vary ? vary.values : [null]
  // The eight combinations of the story's fixes too, for what each fix is worth in any order (attribution.ts).
  const modelled = [...names, ...COMBINATION_VARIANTS.filter((name) => !names.includes(name))]
  // With the structures of their runs for the page's sliders, at the one scenario of a --predict.
  const models = await modelScenarios(scenarios, modelled, { jitter: request.modelJitter, structure: vary ? 'none' : 'also' })
  const points: WhatIfPoint[] = []
  for (const [i, scenario] of scenarios.entries()) {
    const outcomes = models[i]!
    const skipped: Record<string, string> = {}
    for (const name of request.measure ? names : []) {
      const why = pastDeadline(scenario, outcomes[name]!)
      if (why) skipped[name] = why
    }
    const measuring = names.filter((name) => !(name in skipped))
    let measured: MeasuredRun | { failed: string } | undefined
    if (request.measure && measuring.length)
      measured = await request.measure({ scenario, value: values[i]!, variants: measuring, models: outcomes })
    points.push({ ...assemblePoint(scenario, values[i]!, outcomes, names, measured, skipped), attribution: attributeFixes(outcomes) })
  }
  const problems = points.flatMap((point) =>
    point.problems.map((problem) => (vary ? `${vary.parameter}=${point.value}: ${problem}` : problem)),
  )
  const finishedAt = new Date()
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'what-if',
    startedAt: request.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: round((finishedAt.getTime() - request.startedAt.getTime()) / 1000, 1),
    measured: request.measure !== undefined,
    valid: points.every((point) => point.valid),
    problems,
    run: { quick: request.quick, variants: names, modelJitter: request.modelJitter },
    vary: vary ? { parameter: vary.parameter, label: vary.label, unit: vary.unit, values: vary.values } : null,
    variants: Object.fromEntries(
      await Promise.all(
        variants.map(
          async ({ name, parent }) =>
            [name, { parent, summary: await summarizeVariant(name), diffFromParent: await diffAgainstParent(name, parent) }] as const,
        ),
      ),
    ),
    environment: describeMachine(),
    points,
    sliders: vary
      ? null
      : assembleSliders(request.scenario, models[0]!, await modelOtherStops(request.scenario, modelled, request.modelJitter)),
  }
}

function assemblePoint(
  scenario: Scenario,
  value: number | null,
  outcomes: Record<string, TimedOutcome>,
  names: string[],
  measured: MeasuredRun | { failed: string } | undefined,
  skipped: Record<string, string>,
): Omit<WhatIfPoint, 'attribution'> {
  const results = measured && 'failed' in measured ? undefined : measured
  const variants: Record<string, WhatIfVariant> = {}
  for (const name of names) {
    const outcome = outcomes[name]!
    const recorded = 'model' in outcome ? recordModel(scenario, outcome.model) : undefined
    const v = results?.variants[name]
    variants[name] = {
      notModelled: 'notModelled' in outcome ? outcome.notModelled : null,
      floorMs: recorded?.floorMs ?? null,
      coldFloorMs: recorded?.coldFloorMs ?? null,
      model: recorded?.model ?? null,
      modelWallMs: outcome.wallMs,
      measured: v
        ? {
            p50Ms: v.latency?.p50Ms ?? null,
            samples: v.latency?.samples ?? 0,
            coldP50Ms: v.coldLatency?.p50Ms ?? null,
            coldSamples: v.coldLatency?.samples ?? null,
            overheadMs: v.overheadMs,
            overheadToleranceMs: v.overheadToleranceMs,
            withinTolerance: v.withinTolerance,
            upstreamCalls: v.upstreamCalls,
          }
        : null,
      notMeasured: skipped[name] ?? null,
    }
  }
  return {
    value,
    scenario,
    valid: measured && 'failed' in measured ? false : (results?.valid ?? true),
    problems: measured && 'failed' in measured ? [measured.failed] : (results?.problems ?? []),
    cacheBackend: results?.environment.cacheBackend ?? null,
    calibration: results?.environment.calibration ?? null,
    variants,
  }
}
