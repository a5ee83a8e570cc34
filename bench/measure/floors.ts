/**
 * What the model of each variant (model/, derived from its code in virtual time) implies
 * beyond its floor and saturation: the share of requests the scenario's injected faults
 * should fail, from the calls a request makes; and the model as results.json records it.
 */
import { round } from '../record/format.ts'
import type { ModelFigures } from '../record/results.ts'
import type { VariantModel } from '../../model/types.ts'
import { faultRate } from '../../scenario/faults.ts'
import { SERVICE_NAMES, type Scenario, type ServiceName } from '../../scenario/types.ts'

export type { Floor, Saturation, VariantModel } from '../../model/types.ts'

/**
 * The share of requests the scenario's injected faults should fail, in percent: a request
 * succeeds only if none of its calls draws a fault, and each call draws on its own.
 * Sequential or concurrent, the calls a request needs are the same, so is the share.
 */
export function expectedFailurePercent(scenario: Scenario, calls: Record<ServiceName, number>): number {
  const succeeds = SERVICE_NAMES.reduce((p, name) => p * (1 - faultRate(scenario.services[name].faults)) ** calls[name], 1)
  return Math.round((1 - succeeds) * 100 * 100) / 100
}

/** A variant's model as results.json records it: the floor, and the rest under `model`. */
export function recordModel(scenario: Scenario, model: VariantModel): { floorMs: number; coldFloorMs: number; model: ModelFigures } {
  const { floor, saturation } = model
  const free = !Number.isFinite(saturation.perSec)
  return {
    floorMs: round(floor.warmMs),
    coldFloorMs: round(floor.coldMs),
    model: {
      callsOnPath: floor.callsOnPath,
      calls: floor.calls,
      coldCalls: floor.coldCalls,
      maxInFlight: floor.maxInFlight,
      coldMaxInFlight: floor.coldMaxInFlight,
      demandMs: Object.fromEntries(SERVICE_NAMES.map((name) => [name, round(saturation.demandSeconds[name] * 1000)])) as Record<ServiceName, number>,
      // Four significant digits: a saturation of 0.004/s is not 0.
      saturationPerSec: free ? null : Number(saturation.perSec.toPrecision(4)),
      bottleneck: free ? null : saturation.bottleneck,
      expectedFailurePercent: expectedFailurePercent(scenario, floor.calls),
      coldExpectedFailurePercent: expectedFailurePercent(scenario, floor.coldCalls),
      stages: floor.stages,
      coldStages: floor.coldStages,
    },
  }
}
