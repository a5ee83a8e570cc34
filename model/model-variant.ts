/**
 * The model of one variant: a cold virtual run (the price cache empty), then a warm one
 * (after the cold run filled it, in virtual time), and what they yield (derive.ts). A
 * variant that throws, never answers or loops on its timers is not modelled, with the reason.
 */
import type { Scenario } from '../scenario/types.ts'
import type { Variant } from '../variants/shared/variant.ts'
import { deriveModel } from './derive.ts'
import type { JitterMode, ModelOutcome } from './types.ts'
import { createVirtualWorld, NotModelledError, runVirtually } from './virtual-run.ts'

export type { ModelOutcome } from './types.ts'

export async function modelVariant(scenario: Scenario, variant: Variant, jitter: JitterMode = 'mean'): Promise<ModelOutcome> {
  try {
    const world = createVirtualWorld(scenario, jitter)
    const cold = await runVirtually(variant, world)
    const warm = await runVirtually(variant, world)
    return { model: deriveModel(scenario, warm, cold) }
  } catch (error) {
    if (error instanceof NotModelledError) return { notModelled: error.message }
    return { notModelled: `it could not be run: ${(error as Error).message}` }
  }
}
