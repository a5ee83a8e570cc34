/**
 * Each run's own figures, for comparing runs (--runs, --baseline, npm run compare): per
 * variant, the latency phase's warm case and each load level, with the raw latencies
 * behind them, bounded. The phases hand their raw latencies to a RawSamples as they
 * measure; summarizeRun joins them to the run's assembled figures.
 */
import { percentiles, statedPercentile } from './stats.ts'
import { round, roundStated } from '../record/format.ts'
import type { Results, RunSample, RunVariant } from '../record/results.ts'
import type { RawSamples } from './raw-samples.ts'

/** Good answers a load level keeps in results.json, per run: beyond it, this many at even steps. */
export const KEPT_LATENCIES = 1000
/** Below this many good answers in a run, its p99 is "not estimable" (issue 15): null. */
export const MIN_ANSWERS_FOR_RUN_P99 = 300

/** This run's figures, from its results and its raw latencies. */
export function summarizeRun(results: Pick<Results, 'startedAt' | 'valid' | 'variants' | 'environment'>, raw: RawSamples): RunSample {
  const variants: Record<string, RunVariant> = {}
  for (const [name, variant] of Object.entries(results.variants)) {
    const latencies = raw.latency.get(name) ?? []
    variants[name] = {
      latency: {
        requests: variant.failures.requests,
        failed: variant.failures.failed,
        ...percentilesOf(latencies),
        latenciesMs: latencies.map((ms) => round(ms)),
      },
      load: variant.load.map((level) => {
        const answers = raw.levels.get(name)?.get(level.connections) ?? []
        // Requests sent: the responses (2xx and not), and those that got none.
        const sent = level.requests + level.errors + level.timeouts
        return {
          connections: level.connections,
          sent,
          failed: Math.max(0, sent - (level.answered - level.mismatches)),
          goodPerSec: level.goodPerSec,
          ...percentilesOf(answers),
          latenciesMs: bounded(answers).map((ms) => round(ms)),
          answered: answers.length,
          labBound: level.selfCheck.labBound,
        }
      }),
    }
  }
  return { startedAt: results.startedAt, valid: results.valid, calibrationOverheadMs: results.environment.calibration.overheadMs, variants }
}

function percentilesOf(values: number[]): { p50Ms: number | null; p90Ms: number | null; p99Ms: number | null } {
  if (values.length === 0) return { p50Ms: null, p90Ms: null, p99Ms: null }
  const [p50] = percentiles(values, [50])
  return {
    p50Ms: round(p50),
    p90Ms: roundStated(statedPercentile(values, 90)),
    p99Ms: values.length >= MIN_ANSWERS_FOR_RUN_P99 ? roundStated(statedPercentile(values, 99)) : null,
  }
}

/** At most KEPT_LATENCIES values, at even steps through the order they came in. */
function bounded(values: number[]): number[] {
  if (values.length <= KEPT_LATENCIES) return values
  const step = values.length / KEPT_LATENCIES
  return Array.from({ length: KEPT_LATENCIES }, (_, i) => values[Math.floor(i * step)]!)
}
