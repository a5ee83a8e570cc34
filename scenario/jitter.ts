/** What a service's jitter adds to a call on average: read by the model (floors and saturation). */
import type { Jitter } from './types.ts'

/**
 * The mean of the jitter drawn per call (mock-upstreams/latency.ts draws it): uniform on
 * [0, max] averages max / 2; a lognormal of median m and σ averages m·e^(σ²/2), above its median.
 */
export function jitterMeanMs(jitter: Jitter): number {
  switch (jitter.kind) {
    case 'none':
      return 0
    case 'uniform':
      return jitter.maxMs / 2
    case 'lognormal':
      return jitter.medianMs * Math.exp((jitter.sigma * jitter.sigma) / 2)
  }
}
