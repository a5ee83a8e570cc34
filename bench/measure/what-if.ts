/**
 * A what-if: each variant's model (derived from its code in virtual time) at one scenario
 * (--predict) or at each value of one parameter (--vary), and, unless --predict, the latency
 * phase measured at each value too (by `measure`, a run of its own per value). Nothing is
 * started for the model alone.
 */
import type { VariantInfo } from './assemble-results.ts'
import { recordModel } from './floors.ts'
import type { Vary } from '../cli/vary.ts'
import { diffAgainstParent, summarizeVariant } from '../record/code-diffs.ts'
import { describeMachine } from '../record/environment.ts'
import { round } from '../record/format.ts'
import { SCHEMA_VERSION, type Results, type WhatIf, type WhatIfPoint, type WhatIfVariant } from '../record/results.ts'
import { modelScenarios, type TimedOutcome } from '../stack/model-process.ts'
import type { JitterMode } from '../../model/types.ts'
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
   * Measures the variants at one value's scenario; undefined: the model alone. A value that
   * could not be measured (its correctness check failed: a variant answered 504 past the
   * deadline, say) gives the reason, and the other values are measured all the same.
   */
  measure: ((scenario: Scenario, value: number | null) => Promise<Results | { failed: string }>) | undefined
}

export async function runWhatIf(request: WhatIfRequest): Promise<WhatIf> {
  const { vary, variants } = request
  const names = variants.map((v) => v.name)
  const scenarios = vary ? vary.scenarios : [request.scenario]
  const values = vary ? vary.values : [null]
  const models = await modelScenarios(scenarios, names, { jitter: request.modelJitter })
  const points: WhatIfPoint[] = []
  for (const [i, scenario] of scenarios.entries()) {
    const measured = request.measure ? await request.measure(scenario, values[i]!) : undefined
    points.push(assemblePoint(scenario, values[i]!, models[i]!, names, measured))
  }
  const problems = points.flatMap((point) => point.problems.map((problem) => (vary ? `${vary.parameter}=${point.value}: ${problem}` : problem)))
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
      await Promise.all(variants.map(async ({ name, parent }) => [name, { parent, summary: await summarizeVariant(name), diffFromParent: await diffAgainstParent(name, parent) }] as const)),
    ),
    environment: describeMachine(),
    points,
  }
}

function assemblePoint(scenario: Scenario, value: number | null, outcomes: Record<string, TimedOutcome>, names: string[], measured: Results | { failed: string } | undefined): WhatIfPoint {
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
