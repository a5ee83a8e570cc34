/**
 * What the model of each variant (model/, derived from its code in virtual time) implies
 * beyond its floor and saturation: the share of requests the scenario's injected faults
 * should fail, from the calls a request makes.
 */
import { faultRate } from '../../scenario/faults.ts'
import { SERVICE_NAMES, type Scenario, type ServiceName } from '../../scenario/types.ts'

export type { Floor, Saturation } from '../../model/types.ts'

/**
 * The share of requests the scenario's injected faults should fail, in percent: a request
 * succeeds only if none of its calls draws a fault, and each call draws on its own.
 * Sequential or concurrent, the calls a request needs are the same, so is the share.
 */
export function expectedFailurePercent(scenario: Scenario, calls: Record<ServiceName, number>): number {
  const succeeds = SERVICE_NAMES.reduce((p, name) => p * (1 - faultRate(scenario.services[name].faults)) ** calls[name], 1)
  return Math.round((1 - succeeds) * 100 * 100) / 100
}
