/**
 * What a comparison can detect, and the runs it takes to detect what the user cares about:
 *
 * - each figure's T, the band inside which a change is no change: an A/A's measure of it for
 *   this variant and figure (--noise FILE), else max(5 %, --noise PCT), or 1 point for a share;
 * - the target of --detect PCT for a figure (--detect-on, default the p50 one request at a
 *   time): PCT, or 2 × T when PCT is not given. Not T itself: a change is called only when its
 *   whole interval lies beyond ±T, so a change of exactly T is never called, whatever the runs;
 * - the stopping rule of --runs auto: stop when every targeted figure's minimum detectable
 *   change (compare-stats.ts) is at most its target, or at the cap. It reads the interval's
 *   width and the exact test's reach, never the verdict: moving every run of one side moves
 *   neither, so where the effect happens to fall does not decide when the runs stop.
 */
import { MIN_NOISE_PERCENT, NOISE_POINTS } from './compare-stats.ts'
import { MIN_MEASURED_T } from '../record/noise-band.ts'
import type { ComparisonFigures, NoiseFile, ThresholdSource } from '../record/results.ts'

export { MIN_MEASURED_T }

/** The figures --detect targets unless --detect-on names others: the p50, one request at a time. */
export const DEFAULT_DETECT_ON = ['p50'] as const
/** --max-runs' default: the most runs --runs auto adds. */
export const DEFAULT_MAX_RUNS = 20

/** --noise: a percentage, or an A/A's noise file. */
export interface NoiseSetting {
  percent?: number
  file?: { path: string; noise: NoiseFile }
}

/** --detect and --detect-on. */
export interface DetectTarget {
  /** The change to detect, in each figure's unit; undefined: 2 × its T. */
  percent: number | undefined
  on: readonly string[]
}

/** A figure's T and where it came from. */
export function thresholdFor(
  noise: NoiseSetting,
  variant: string,
  metric: string,
  points: boolean,
): { threshold: number; thresholdFrom: ThresholdSource } {
  const measured = noise.file?.noise.figures.find((f) => f.variant === variant && f.metric === metric)?.t
  if (measured !== undefined && measured !== null) return { threshold: measured, thresholdFrom: 'A/A' }
  if (points) return { threshold: NOISE_POINTS, thresholdFrom: 'default' }
  const given = noise.percent ?? 0
  return noise.percent !== undefined && given >= MIN_NOISE_PERCENT
    ? { threshold: given, thresholdFrom: '--noise' }
    : { threshold: MIN_NOISE_PERCENT, thresholdFrom: 'default' }
}

/** The change a figure is to detect: --detect, else twice its T. */
export function targetOf(detect: DetectTarget, threshold: number): number {
  return detect.percent ?? 2 * threshold
}

/**
 * The figures a target can never be reached on, whatever the runs: those whose T is at least
 * the change to detect. Checked before anything is measured; each named with its T.
 */
export function unreachable(
  detect: DetectTarget,
  noise: NoiseSetting,
  variants: readonly string[],
  pointsOf: (metric: string) => boolean,
): string[] {
  if (detect.percent === undefined) return []
  return variants.flatMap((variant) =>
    detect.on.flatMap((metric) => {
      const { threshold, thresholdFrom: from } = thresholdFor(noise, variant, metric, pointsOf(metric))
      return threshold >= detect.percent! ? [`${variant}.${metric} (T ${threshold}${pointsOf(metric) ? ' pt' : ' %'}, ${from})`] : []
    }),
  )
}

type Row = ComparisonFigures['rows'][number]

/** The rows a target applies to: the targeted figures of every variant compared. */
export function targetedRows(comparison: ComparisonFigures, detect: DetectTarget): Row[] {
  return comparison.rows.filter((row) => detect.on.includes(row.metric))
}

/** A row no number of runs can call: lab-bound in some run, or not estimable in some run (either stays so as runs are added). */
export const neverCalled = (row: Row): boolean => row.verdict === 'lab-bound' || row.verdict === 'not estimable'

/** How far a row is from its target: its MDC over the target (Infinity when no change could be called). */
const shortfall = (row: Row, detect: DetectTarget): number =>
  row.mdc === null ? Number.POSITIVE_INFINITY : row.mdc / Math.max(1e-9, targetOf(detect, row.threshold))

/**
 * The stopping rule: reached when every targeted row's MDC is at most its target. `worst` is the
 * row furthest from its target among those runs can still help (null when there is none); `never`,
 * the targeted rows no run can help (neverCalled). No targeted row, or any in `never`: not reached.
 */
export function detection(
  comparison: ComparisonFigures,
  detect: DetectTarget,
): { reached: boolean; worst: { variant: string; metric: string; mdc: number | null; target: number } | null; never: Row[] } {
  const targeted = targetedRows(comparison, detect)
  const never = targeted.filter(neverCalled)
  const rows = targeted.filter((row) => !neverCalled(row))
  if (rows.length === 0) return { reached: false, worst: null, never }
  const worst = rows.reduce((a, b) => (shortfall(b, detect) > shortfall(a, detect) ? b : a))
  return {
    reached: never.length === 0 && rows.every((row) => shortfall(row, detect) <= 1),
    worst: { variant: worst.variant, metric: worst.metric, mdc: worst.mdc, target: targetOf(detect, worst.threshold) },
    never,
  }
}
