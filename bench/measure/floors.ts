/**
 * What the model of each variant (model/, derived from its code in virtual time) implies
 * beyond its floor and saturation: the share of requests the scenario's injected faults
 * should fail, from the calls a request makes; and the model as results.json records it.
 */
import { round } from '../record/format.ts'
import type { ModelFigures } from '../record/results.ts'
import type { FaultModel, VariantModel } from '../../model/types.ts'
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

/** Requests that drew a fault, all failed, none absorbed: enough to take the code for one that fails on any faulty call (a retry of one in three would show with odds of 1 in 10⁵). */
const EXACT_AFTER_FAULTED = 30

/**
 * The share of requests the scenario's faults should fail, in percent, and the calls a request
 * makes, warm or cold, from the variant's own code run with the faults (model.faults). Code that
 * failed exactly the requests a fault was drawn for, over enough of them (EXACT_AFTER_FAULTED),
 * fails a request on any faulty call: its share is exactly 1 − Π(1 − rate)^calls over its calls
 * without faults. Otherwise (it got over some, or failed some without a fault, or too few drew
 * one to tell), the share its runs failed. Without faults: none fails.
 */
export function expectedFailures(
  scenario: Scenario,
  model: Pick<VariantModel, 'floor' | 'faults'>,
  cold: boolean,
): { percent: number; calls: number } {
  const simulated = model.faults?.[cold ? 'cold' : 'warm']
  const total = (calls: Record<ServiceName, number>): number =>
    round(
      SERVICE_NAMES.reduce((sum, name) => sum + calls[name], 0),
      2,
    )
  const calls = cold ? model.floor.coldCalls : model.floor.calls
  if (!simulated?.requests) return { percent: expectedFailurePercent(scenario, calls), calls: total(calls) }
  const plain = simulated.absorbed === 0 && simulated.failedWithoutFault === 0 && simulated.faulted >= EXACT_AFTER_FAULTED
  const percent = plain ? expectedFailurePercent(scenario, calls) : Math.round((simulated.failed / simulated.requests) * 100 * 100) / 100
  return { percent, calls: total(simulated.calls) }
}

function faultFigures({
  requests,
  failed,
  faulted,
  absorbed,
  failedWithoutFault,
  calls,
  saturation,
}: FaultModel): NonNullable<ModelFigures['faults']>['warm'] {
  const free = !Number.isFinite(saturation.perSec)
  return {
    requests,
    failed,
    faulted,
    absorbed,
    failedWithoutFault,
    calls: Object.fromEntries(SERVICE_NAMES.map((name) => [name, round(calls[name], 3)])) as Record<ServiceName, number>,
    saturationPerSec: free ? null : Number(saturation.perSec.toPrecision(4)),
    bottleneck: free ? null : saturation.bottleneck,
  }
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
      callsAtOnceOnPath: floor.callsAtOnceOnPath,
      calls: floor.calls,
      coldCalls: floor.coldCalls,
      maxInFlight: floor.maxInFlight,
      coldMaxInFlight: floor.coldMaxInFlight,
      demandMs: Object.fromEntries(SERVICE_NAMES.map((name) => [name, round(saturation.demandSeconds[name] * 1000)])) as Record<
        ServiceName,
        number
      >,
      // Four significant digits: a saturation of 0.004/s is not 0.
      saturationPerSec: free ? null : Number(saturation.perSec.toPrecision(4)),
      bottleneck: free ? null : saturation.bottleneck,
      expectedFailurePercent: expectedFailures(scenario, model, false).percent,
      coldExpectedFailurePercent: expectedFailures(scenario, model, true).percent,
      faults: model.faults && { warm: faultFigures(model.faults.warm), cold: faultFigures(model.faults.cold) },
      stages: floor.stages,
      coldStages: floor.coldStages,
    },
  }
}
