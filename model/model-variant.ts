/**
 * The model of one variant: a cold virtual run (the price cache empty), then a warm one
 * (after the cold run filled it, in virtual time), and what they yield (derive.ts). A
 * variant that throws, never answers or loops on its timers is not modelled, with the reason.
 */
import type { Scenario } from '../scenario/types.ts'
import type { Variant } from '../variants/shared/variant.ts'
import { deriveModel, exactFloorMs, mixSaturation } from './derive.ts'
import type { JitterMode, MixInput, MixModel, ModelledLevel, ModelOutcome, VirtualCall } from './types.ts'
import { runLoadVirtually } from './virtual-level.ts'
import type { ProductQuery } from '../variants/shared/upstream-clients.ts'
import { createVirtualWorld, NotModelledError, runVirtually } from './virtual-run.ts'

export type { ModelOutcome } from './types.ts'

/**
 * The mix's sample, one request after another in one virtual world whose price cache starts
 * empty: the cache's TTL runs on the virtual clock, so a key asked for again after it expired
 * misses again. A variant with no price cache makes no lookup. Then the load phase's levels,
 * when given (virtual-level.ts), and the whole mix's saturation, in steady state (mixSaturation).
 */
async function modelMix(scenario: Scenario, variant: Variant, jitter: JitterMode, mix: MixInput): Promise<MixModel> {
  const world = createVirtualWorld(scenario, jitter)
  const requests: MixModel['requests'] = []
  for (const query of mix.sample) {
    const run = await runVirtually(variant, world, query)
    requests.push({ floorMs: exactFloorMs(run), ...run.lookups })
  }
  // Steady state: every distinct request once cold (which fills its price list), then warm.
  const steady = createVirtualWorld(scenario, jitter)
  const warm: Array<{ share: number; calls: VirtualCall[] }> = []
  for (const { query, share } of mix.catalogue) {
    await runVirtually(variant, steady, query)
    warm.push({ share, calls: (await runVirtually(variant, steady, query)).calls })
  }
  return { requests, load: await modelLoad(variant, jitter, scenario, mix), saturation: mixSaturation(scenario, warm) }
}

/** The variant's load levels as the harness will run them, in a virtual world of their own. */
async function modelLoad(variant: Variant, jitter: JitterMode, scenario: Scenario, mix: MixInput): Promise<ModelledLevel[]> {
  const levels = mix.load?.levels[variant.name]
  if (!mix.load || !levels?.length) return []
  const { reference, streams } = mix.load
  const queries = (stream: string): ProductQuery[] => (streams[stream] ?? []).map((index) => mix.catalogue[index]!.query)
  const warmUp = mix.load.warmUp?.[variant.name] ?? true
  try {
    return await runLoadVirtually(variant, createVirtualWorld(scenario, jitter), reference, levels.map(({ connections, length, stream }) => ({ connections, length, queries: queries(stream) })), warmUp)
  } catch {
    // The levels are extra: a variant whose load cannot be run in virtual time keeps its floor and saturation, its levels no model.
    return []
  }
}

export async function modelVariant(scenario: Scenario, variant: Variant, jitter: JitterMode = 'mean', mix?: MixInput): Promise<ModelOutcome> {
  try {
    const world = createVirtualWorld(scenario, jitter)
    const cold = await runVirtually(variant, world)
    const warm = await runVirtually(variant, world)
    return { model: { ...deriveModel(scenario, warm, cold), mix: mix?.catalogue.length ? await modelMix(scenario, variant, jitter, mix) : null } }
  } catch (error) {
    if (error instanceof NotModelledError) return { notModelled: error.message }
    return { notModelled: `it could not be run: ${(error as Error).message}` }
  }
}
