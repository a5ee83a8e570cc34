/**
 * Entry of the model process: the variants' virtual-time runs (model/), in a process of
 * their own, because a virtual run fakes the process's clock and timers. Started by
 * model-process.ts; answers once, then is stopped.
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
    if (variants.includes(variant.name)) outcomes[variant.name] = await modelVariant(resolved, variant)
  }
  return { ready: outcomes, close: async () => {} }
})
