/**
 * The latency model: how long one call to a mocked service takes, and a sleep that
 * keeps to it. Timers alone fire up to ~0.5 ms late and now and then ~0.8 ms early
 * (shared/MEASURED.md); the lab's floors are exact sums of configured latency, so the
 * mock sleeps on a timer to just short of its deadline and yields the rest on
 * setImmediate until the deadline has passed.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises'
import type { ServiceScenario } from '../bench/scenario.ts'
import { createRandom, deriveSeed, normal } from './random.ts'

/** Time left for the precise finish; larger than a timer's usual error either way. */
const SPIN_MS = 1.5

export interface LatencyModel {
  /** Configured latency of one call carrying `items` ids: base + per-item × items + jitter. */
  draw(items: number): number
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
      }
    },
  }
}

/** Resolves once `performance.now()` has reached `deadline` (never early). */
export async function sleepUntil(deadline: number): Promise<void> {
  const coarse = deadline - performance.now() - SPIN_MS
  if (coarse > 0) await sleep(coarse)
  while (performance.now() < deadline) await yieldToLoop()
}
