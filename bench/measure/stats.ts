/**
 * The lab's statistics: one definition of a percentile for every p50, p75, p90 and p99 it
 * computes (the latency phase, the load levels, the sweep, calibration, stage waterfalls).
 *
 * A percentile is the linear interpolation between the two closest ranks (Hyndman & Fan
 * type 7: numpy's default, Excel's PERCENTILE.INC, tinybench's): for n sorted values, the
 * p-th percentile sits at rank h = (n − 1) × p / 100, between values ⌊h⌋ and ⌈h⌉. Its p50
 * is the usual median. Written here rather than taken from a package because it is these
 * few lines, and the definition must be stated where it is used.
 */

/**
 * The p-th percentile (0 to 100) of `values`, which need not be sorted; NaN when there are
 * none (a caller with nothing to summarise says so itself).
 */
export function percentile(values: readonly number[], p: number): number {
  return percentileOfSorted(sortAscending(values), p)
}

/** Several percentiles of the same values, sorting once, in the order asked: `const [p50, p99] = percentiles(x, [50, 99])`. */
export function percentiles<const P extends readonly number[]>(values: readonly number[], ps: P): { [K in keyof P]: number } {
  const sorted = sortAscending(values)
  return ps.map((p) => percentileOfSorted(sorted, p)) as { [K in keyof P]: number }
}

/**
 * Below these many values a p99 (a p90) is not stated: over fewer it is little more than
 * the largest value under another name. The maximum is given instead, and called that.
 */
export const MIN_VALUES_FOR_P99 = 100
export const MIN_VALUES_FOR_P90 = 20

/** The p99 or p90 of `values` when there are enough of them to state it, else null (see MIN_VALUES_FOR_P99). */
export function statedPercentile(values: readonly number[], p: 90 | 99): number | null {
  return values.length >= (p === 99 ? MIN_VALUES_FOR_P99 : MIN_VALUES_FOR_P90) ? percentile(values, p) : null
}

/** The arithmetic mean; null for no values. */
export function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : null
}

export function median(values: readonly number[]): number {
  return percentile(values, 50)
}

function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = ((sorted.length - 1) * Math.min(Math.max(p, 0), 100)) / 100
  const below = Math.floor(rank)
  const low = sorted[below]!
  const high = sorted[Math.min(below + 1, sorted.length - 1)]!
  return low + (rank - below) * (high - low)
}

function sortAscending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b)
}

/** Counters read after, less the same read before: what happened in between, counter by counter. */
export function subtractCounts<T extends { [K in keyof T]: number }>(after: T, before: T): T {
  return Object.fromEntries(Object.entries<number>(after).map(([key, value]) => [key, value - before[key as keyof T]])) as T
}
