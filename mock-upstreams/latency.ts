/**
 * The latency model: how long one call to a mocked service takes, and a sleep that keeps to
 * it (roles/precise-wait.ts: the API's calibration echo waits with the same one).
 */
import { SERVICE_NAMES, type Scenario, type ServiceName, type ServiceScenario } from '../scenario/types.ts'
import { createRandom, deriveSeed, normal } from '../scenario/random.ts'
import { empiricalDraw } from '../scenario/jitter.ts'

export { sleepUntil } from '../roles/precise-wait.ts'

export interface LatencyModel {
  /** Configured latency of one call carrying `items` ids: base + per-item × items + jitter. */
  draw(items: number): number
}

/** One latency model per service, each with its own seeded jitter sequence. */
export function createLatencyModels(scenario: Scenario): Record<ServiceName, LatencyModel> {
  return Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, createLatencyModel(scenario.services[name], scenario.seed, name)]),
  ) as Record<ServiceName, LatencyModel>
}

export function createLatencyModel(service: ServiceScenario, seed: number, label: string): LatencyModel {
  const random = createRandom(deriveSeed(seed, `jitter:${label}`))
  const { latencyMs, perItemMs, jitter } = service
  return {
    draw(items) {
      const base = latencyMs + perItemMs * items
      switch (jitter.kind) {
        case 'none':
          return base
        case 'uniform':
          return base + random() * jitter.maxMs
        case 'lognormal':
          return base + jitter.medianMs * Math.exp(jitter.sigma * normal(random))
        case 'empirical':
          return base + empiricalDraw(jitter.quantilesMs, random())
      }
    },
  }
}

/** Never resolves: rejects with the signal's reason once it aborts (an injected hang, which only the caller ends). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error)
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })
  })
}
