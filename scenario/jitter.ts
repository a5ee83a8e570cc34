/** What a service's jitter adds to a call on average (read by the model: floors and saturation), and an empirical jitter's draw. */
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
    case 'empirical': {
      // The mean of the piecewise-linear inverse CDF: each segment's midpoint, weighted equally.
      const q = jitter.quantilesMs
      let sum = 0
      for (let i = 1; i < q.length; i++) sum += (q[i - 1]! + q[i]!) / 2
      return sum / (q.length - 1)
    }
  }
}

/** A jitter in a few words, for a table: an empirical one by its median and p90, not its hundred quantiles. */
export function describeJitter(jitter: Jitter): string {
  switch (jitter.kind) {
    case 'none':
      return 'none'
    case 'uniform':
      return `uniform, up to ${jitter.maxMs} ms`
    case 'lognormal':
      return `lognormal, median ${jitter.medianMs} ms, σ ${jitter.sigma}`
    case 'empirical': {
      const at = (p: number) => Math.round(empiricalDraw(jitter.quantilesMs, p) * 10) / 10
      return `empirical (${jitter.quantilesMs.length} quantiles): median ${at(0.5)} ms, p90 ${at(0.9)} ms`
    }
  }
}

/** An empirical jitter's draw at probability `u` in [0, 1): between the two quantiles around it, linearly. */
export function empiricalDraw(quantilesMs: readonly number[], u: number): number {
  const at = u * (quantilesMs.length - 1)
  const i = Math.min(Math.floor(at), quantilesMs.length - 2)
  return quantilesMs[i]! + (quantilesMs[i + 1]! - quantilesMs[i]!) * (at - i)
}
