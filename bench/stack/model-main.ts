/**
 * Entry of the model process: the variants' virtual-time runs (model/), in a process of
 * their own, because a virtual run fakes the process's clock and timers. Started by
 * model-process.ts with a list of jobs (a variant at a scenario); answers once, then is
 * stopped.
 *
 * A variant that never answered may still have real work under way, which would resume on
 * the next variant's clock: the process answers for the jobs so far and stops there, and
 * the caller models the rest in a fresh process.
 */
import { runAsLabProcess } from './lab-process.ts'
import type { ModelJob, TimedOutcome } from './model-process.ts'
import { modelVariant } from '../../model/model-variant.ts'
import type { JitterMode, MixInput, StructureWanted } from '../../model/types.ts'
import { resolveScenario } from '../../scenario/resolve-scenario.ts'
import type { ScenarioInput } from '../../scenario/types.ts'
import { readVariants } from '../../variants/shared/load-variants.ts'

type Init = { scenarios: ScenarioInput[]; jobs: ModelJob[]; dir?: string; jitter: JitterMode; mix?: MixInput; structure?: StructureWanted }

runAsLabProcess<Init, Array<ModelJob & { outcome: TimedOutcome }>>('model', async ({ scenarios, jobs, dir, jitter, mix, structure }) => {
  const resolved = scenarios.map((scenario) => resolveScenario(scenario))
  const variants = new Map((await readVariants(dir)).map((variant) => [variant.name, variant]))
  const answered: Array<ModelJob & { outcome: TimedOutcome }> = []
  for (const job of jobs) {
    const variant = variants.get(job.variant)
    if (!variant) continue
    const started = performance.now()
    const outcome = await modelVariant(resolved[job.scenario]!, variant, jitter, mix, { structure })
    answered.push({ ...job, outcome: { ...outcome, wallMs: Math.round((performance.now() - started) * 100) / 100 } })
    if ('notModelled' in outcome && outcome.notModelled.startsWith('it never answered')) break
  }
  return { ready: answered, close: async () => {} }
})
