/**
 * The model of one variant: a cold virtual run (the price cache empty), then a warm one
 * (after the cold run filled it, in virtual time), and what they yield (derive.ts). A
 * variant that throws, never answers or loops on its timers is not modelled, with the reason.
 */
import { faultRate } from '../scenario/faults.ts'
import { SERVICE_NAMES, type Scenario, type ServiceName } from '../scenario/types.ts'
import type { Variant } from '../variants/shared/variant.ts'
import { deriveModel, exactFloorMs, mixSaturation } from './derive.ts'
import type {
  FaultModel,
  JitterMode,
  MixInput,
  MixModel,
  ModelledLevel,
  ModelOutcome,
  StructureWanted,
  VariantModel,
  VirtualCall,
  VirtualRun,
} from './types.ts'
import { runLoadVirtually, runRequestsVirtually } from './virtual-level.ts'
import type { ProductQuery } from '../scenario/wire-types.ts'
import { createVirtualWorld, NotModelledError, runVirtually } from './virtual-run.ts'
import { scenarioAt, STRUCTURE_SETTINGS, structureOf, valuesOf, workOut } from './structure.ts'

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
    return await runLoadVirtually(
      variant,
      createVirtualWorld(scenario, jitter),
      reference,
      levels.map(({ connections, length, stream }) => ({ connections, length, queries: queries(stream) })),
      warmUp,
    )
  } catch {
    // The levels are extra: a variant whose load cannot be run in virtual time keeps its floor and saturation, its levels no model.
    return []
  }
}

/** Requests of the fault model, warm (the price cache filled) and cold (emptied before each): enough for a share to within about a point. */
const FAULT_MODEL_REQUESTS = { warm: 1000, cold: 200 }

/**
 * What the scenario's faults cost the variant: page one sent one request at a time, with faults
 * drawn for each call, warm after one fill made without faults, then cold with the cache emptied
 * before each request. Null without faults.
 */
async function modelFaults(scenario: Scenario, variant: Variant, jitter: JitterMode): Promise<VariantModel['faults']> {
  if (!SERVICE_NAMES.some((service) => faultRate(scenario.services[service].faults) > 0)) return null
  const query: ProductQuery = { page: 1, limit: scenario.productsPerPage }
  const world = createVirtualWorld(scenario, jitter, { faults: true })
  world.faults!.setEnabled(false)
  await runRequestsVirtually(variant, world, [query])
  world.faults!.setEnabled(true)
  const warm = await runRequestsVirtually(variant, world, Array<ProductQuery>(FAULT_MODEL_REQUESTS.warm).fill(query))
  const cold = { requests: 0, failed: 0, faulted: 0, absorbed: 0, failedWithoutFault: 0, calls: [] as VirtualCall[] }
  for (let i = 0; i < FAULT_MODEL_REQUESTS.cold; i++) {
    await world.store.flush()
    const one = await runRequestsVirtually(variant, world, [query])
    cold.requests += one.requests
    cold.failed += one.failed
    cold.faulted += one.faulted
    cold.absorbed += one.absorbed
    cold.failedWithoutFault += one.failedWithoutFault
    cold.calls.push(...one.calls)
  }
  return { warm: faultModel(scenario, warm), cold: faultModel(scenario, cold) }
}

function faultModel(
  scenario: Scenario,
  { calls, ...counts }: Omit<FaultModel, 'calls' | 'saturation'> & { calls: VirtualCall[] },
): FaultModel {
  const { requests } = counts
  const perService = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, requests ? calls.filter((call) => call.service === name).length / requests : 0]),
  ) as Record<ServiceName, number>
  return { ...counts, calls: perService, saturation: mixSaturation(scenario, [{ share: requests ? 1 / requests : 0, calls }]) }
}

/**
 * The structure of the variant's runs (structure.ts), learned from its runs at the run's values
 * and at STRUCTURE_SETTINGS', cold and warm, and checked against each of them: true, or why it
 * does not give their floors (and then the structure of its own run's answers alone).
 */
async function modelStructure(
  scenario: Scenario,
  variant: Variant,
  jitter: JitterMode,
  own: { cold: VirtualRun; warm: VirtualRun },
): Promise<NonNullable<VariantModel['structure']>> {
  const runs = [{ scenario, ...own }]
  for (const setting of STRUCTURE_SETTINGS) {
    const at = scenarioAt(scenario, setting)
    const world = createVirtualWorld(at, jitter)
    runs.push({ scenario: at, cold: await runVirtually(variant, world), warm: await runVirtually(variant, world) })
  }
  const learned = {
    cold: structureOf(
      scenario,
      runs.map((r) => r.cold),
    ),
    warm: structureOf(
      scenario,
      runs.map((r) => r.warm),
    ),
  }
  // Where the structure learned from every run is not exact, the one from the run's own answers alone, the closer at its values.
  const ownOnly = { cold: structureOf(scenario, [own.cold])!, warm: structureOf(scenario, [own.warm])! }
  if (!learned.cold || !learned.warm)
    return { ...ownOnly, exact: 'it makes other calls at other latencies: its control flow depends on time' }
  const structure = { cold: learned.cold, warm: learned.warm }
  for (const [i, run] of runs.entries()) {
    for (const state of ['cold', 'warm'] as const) {
      const expected = exactFloorMs(run[state])
      const worked = workOut(structure[state], valuesOf(run.scenario))
      if (Math.abs(worked - expected) <= STRUCTURE_TOLERANCE_MS) continue
      const figures = `${round(expected)} ms in its own run, ${round(worked)} ms from its structure`
      const timers = 'it waits for something besides answers (a timer of its own), so its control flow depends on time'
      return {
        ...ownOnly,
        exact:
          i > 0
            ? `its ${state} floor at other latencies (${describeSetting(STRUCTURE_SETTINGS[i - 1]!)}) is ${figures}: ${timers}`
            : run[state].calls.some((call) => !Number.isInteger(call.configuredMs))
              ? `its ${state} floor at the run's values is ${figures}: the model's clock counts whole milliseconds per timer, which calls with fractions of a millisecond (jitter) waiting for a worker add up differently`
              : `its ${state} floor at the run's values is ${figures}: ${timers}`,
      }
    }
  }
  return { ...structure, exact: true }
}

function describeSetting({ latency, perItem }: (typeof STRUCTURE_SETTINGS)[number]): string {
  const latencies = Object.entries(latency).map(([name, k]) => `${name === 'all' ? 'every latency' : `${name}'s latency`} ×${k}`)
  return [...latencies, ...(perItem === 1 ? [] : [`per-item cost ×${perItem}`])].join(', ')
}

/** How close a structure worked out must come to a run's own floor to count as the same. */
export const STRUCTURE_TOLERANCE_MS = 0.01

const round = (ms: number): number => Math.round(ms * 100) / 100

/**
 * `structure`: whether to learn the structure of its runs for the report's sliders (modelStructure: 18 more
 * virtual runs), besides the rest or alone (the floors and the structure, no faults' model, no mix).
 */
export async function modelVariant(
  scenario: Scenario,
  variant: Variant,
  jitter: JitterMode = 'mean',
  mix?: MixInput,
  { structure = 'none' }: { structure?: StructureWanted } = {},
): Promise<ModelOutcome> {
  try {
    const world = createVirtualWorld(scenario, jitter)
    const cold = await runVirtually(variant, world)
    const warm = await runVirtually(variant, world)
    return {
      model: {
        ...deriveModel(scenario, warm, cold),
        mix: mix?.catalogue.length && structure !== 'only' ? await modelMix(scenario, variant, jitter, mix) : null,
        faults: structure === 'only' ? null : await modelFaults(scenario, variant, jitter),
        structure: structure === 'none' ? null : await modelStructure(scenario, variant, jitter, { cold, warm }),
      },
    }
  } catch (error) {
    if (error instanceof NotModelledError) return { notModelled: error.message }
    return { notModelled: `it could not be run: ${(error as Error).message}` }
  }
}
