/**
 * The noise file of an A/A (--aa): the same code measured as two interleaved sets of runs, set A
 * compared against set B as any run against its baseline. Per variant and figure, both sets'
 * per-run values, the A/A's effect and interval, and the T it implies: the farthest end of the
 * interval from 0, what the same code measured twice could show, rounded up to a tenth and at
 * least MIN_MEASURED_T. --noise FILE gives each figure it names that T.
 */
import { environmentOf, metricSpec, valuesOf } from './compare-runs.ts'
import { MIN_MEASURED_T } from './detect.ts'
import { NOISE_FILE_VERSION, type ComparisonFigures, type MeasuredRun, type NoiseFile } from '../record/results.ts'

/** Verdicts whose interval says nothing of the noise: no T is implied. */
const NO_T = new Set(['too few runs', 'not estimable', 'lab-bound'])

export function noiseFileOf(comparison: ComparisonFigures, setA: MeasuredRun, setB: MeasuredRun): NoiseFile {
  return {
    kind: 'noise',
    version: NOISE_FILE_VERSION,
    createdAt: setA.startedAt,
    gitCommit: setA.environment.gitCommit,
    environment: environmentOf(setA),
    scenario: setA.scenario.name,
    quick: setA.run.quick,
    runs: Math.min(setA.runs.length, setB.runs.length),
    figures: comparison.rows.map((row) => {
      const spec = metricSpec(row.metric)!
      // The row's interval is rounded to 2 decimals: its farthest end may lie up to 0.005 beyond the figure.
      const farthest =
        row.low === null || row.high === null || NO_T.has(row.verdict) ? null : Math.max(Math.abs(row.low), Math.abs(row.high)) + 0.005
      return {
        variant: row.variant,
        metric: row.metric,
        unit: row.unit,
        points: row.points,
        a: valuesOf(setA, row.variant, spec) ?? [],
        b: valuesOf(setB, row.variant, spec) ?? [],
        effect: row.effect,
        low: row.low,
        high: row.high,
        // Rounded up, so the T stated is never below what the interval showed.
        t: farthest === null ? null : Math.max(MIN_MEASURED_T, Math.ceil(farthest * 10 - 1e-9) / 10),
      }
    }),
  }
}
