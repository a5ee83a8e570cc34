/** What the scenario's injected faults add up to: read by the mocks, the harness and the report. */
import { SERVICE_NAMES, type Faults, type Scenario } from './types.ts'

/** The share of a service's calls that fail, whatever the fault. */
export function faultRate(faults: Faults): number {
  return faults.errorRate + faults.hangRate + faults.resetRate
}

/** Whether the scenario injects any fault at all. */
export function injectsFaults(scenario: Scenario): boolean {
  return SERVICE_NAMES.some((name) => faultRate(scenario.services[name].faults) > 0)
}
