/**
 * Entry of the model process: the variants' virtual-time runs (model/), in a process of
 * their own, because a virtual run fakes the process's clock and timers. Started by
 * model-process.ts; answers once, then is stopped.
 *
 * A variant that never answered may still have real work under way, which would resume on
 * the next variant's clock: the process answers for the variants so far and stops there,
 * and the caller models the rest in a fresh process.
 */
import { runAsLabProcess } from './lab-process.ts'
import { modelVariant } from '../../model/model-variant.ts'
import type { ModelOutcome } from '../../model/types.ts'
import { resolveScenario } from '../../scenario/resolve-scenario.ts'
import type { ScenarioInput } from '../../scenario/types.ts'
import { readVariants } from '../../variants/shared/load-variants.ts'

runAsLabProcess<{ scenario: ScenarioInput; variants: string[]; dir?: string }, Record<string, ModelOutcome>>('model', async ({ scenario, variants, dir }) => {
  const resolved = resolveScenario(scenario)
  const outcomes: Record<string, ModelOutcome> = {}
  for (const variant of await readVariants(dir)) {
    if (!variants.includes(variant.name)) continue
    const outcome = await modelVariant(resolved, variant)
    outcomes[variant.name] = outcome
    if ('notModelled' in outcome && outcome.notModelled.startsWith('it never answered')) break
  }
  return { ready: outcomes, close: async () => {} }
})
