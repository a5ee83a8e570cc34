/**
 * Faults injected into the mocks' calls, as the scenario asks: per service, a share of
 * calls that answer 500 (`error`), never answer (`hang`) or have their connection reset
 * (`reset`). One seeded draw per call, in call order, so the same scenario injects the
 * same sequence of faults.
 *
 * Injection can be switched off (a benchmark does, while it checks correctness and warms
 * up) and on again, which resumes each sequence where it stopped: restarting it would
 * give every measurement the same first few draws.
 */
import { faultRate } from '../scenario/faults.ts'
import { SERVICE_NAMES, type FaultKind, type Scenario, type ServiceName } from '../scenario/types.ts'
import { createRandom, deriveSeed, type Random } from '../scenario/random.ts'

export interface FaultInjector {
  /** The fault for the next call to `service`, or undefined; draws nothing while switched off. */
  draw(service: ServiceName): FaultKind | undefined
  setEnabled(enabled: boolean): void
  readonly enabled: boolean
}

export function createFaultInjector(scenario: Scenario): FaultInjector {
  let enabled = true
  const randoms = seededRandoms(scenario)
  return {
    draw(service) {
      const { faults } = scenario.services[service]
      if (!enabled || faultRate(faults) === 0) return undefined
      const { errorRate, hangRate, resetRate } = faults
      const u = randoms[service]()
      if (u < errorRate) return 'error'
      if (u < errorRate + hangRate) return 'hang'
      if (u < errorRate + hangRate + resetRate) return 'reset'
      return undefined
    },
    setEnabled(on) {
      enabled = on
    },
    get enabled() {
      return enabled
    },
  }
}

function seededRandoms(scenario: Scenario): Record<ServiceName, Random> {
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, createRandom(deriveSeed(scenario.seed, `faults:${name}`))])) as Record<
    ServiceName,
    Random
  >
}
