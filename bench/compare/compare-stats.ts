/**
 * The statistics of "did my change help?": two sets of per-run values of one figure (a
 * baseline's runs and this run's), tested and sized, and a verdict with the rules stated
 * in one place (issue 15, after Criterion and benchstat):
 *
 * - the test: an exact two-sided Mann–Whitney U on the per-run values. Exact with ties too:
 *   the null distribution of the rank sum (midranks) is counted over every way of choosing
 *   which runs were the baseline's, by dynamic programming, not approximated by a normal;
 * - the effect: the ratio of medians (this run's over the baseline's, − 1), or for a share
 *   in percent the difference of medians in points, with a seeded percentile-bootstrap 95 %
 *   confidence interval (each side resampled with replacement, 10,000 times);
 * - the verdict: regressed when p < α and the interval lies wholly beyond +T in the worse
 *   direction, improved when p < α and it lies wholly beyond −T, no change when it lies
 *   within ±T, inconclusive otherwise. Below MIN_RUNS runs a side there is no p-value and
 *   no verdict: "too few runs" (benchstat's rule);
 * - the power: the minimum detectable change (MDC), the smallest change this comparison could
 *   have called, found by moving the current side's runs (their spread kept) until the verdict
 *   above would call them. Worked out exactly rather than searched: the seeded bootstrap draws
 *   the same runs whatever their values, so moving every run of one side moves every resample's
 *   effect the same way, and the interval follows in closed form; the exact test's p changes only
 *   where a moved run crosses one of the other side's, so those crossings are searched.
 *
 * Written here rather than taken from a package: the npm packages for Mann–Whitney use the
 * normal approximation (wrong at 4–10 runs a side, where the exact p matters), and a
 * bootstrap of a ratio is a loop. No heavy dependency for these few functions.
 */
import { median } from '../measure/stats.ts'
import { NOISE_PERCENT } from '../record/noise-band.ts'
import { createRandom, deriveSeed } from '../../scenario/random.ts'

/** Below this many runs on either side, no p-value is given (benchstat: "need >= 4 samples"; at 4 a side the exact two-sided p can reach 0.029). */
export const MIN_RUNS = 4
/** Bootstrap resamples for the confidence interval. */
export const BOOTSTRAP_RESAMPLES = 10_000
/** The noise threshold T's floor, in percent: a change smaller than this is "no change" whatever the test says. */
export const MIN_NOISE_PERCENT = NOISE_PERCENT
/** For a share in percent (failures), the band is in points, not relative. */
export const NOISE_POINTS = 1
/** The significance level: 0.05, or 0.01 when more than MANY_COMPARISONS comparisons are made at once. */
export const ALPHA = 0.05
export const ALPHA_MANY = 0.01
export const MANY_COMPARISONS = 10

export type Verdict = 'regressed' | 'improved' | 'no change' | 'inconclusive' | 'too few runs' | 'not estimable' | 'lab-bound'

export function alphaFor(comparisons: number): number {
  return comparisons > MANY_COMPARISONS ? ALPHA_MANY : ALPHA
}

/** The smallest two-sided p an exact Mann–Whitney U can give with n and m runs (no ties): 2 / C(n + m, n). */
export function smallestP(n: number, m: number): number {
  let ways = 1
  for (let i = 1; i <= Math.min(n, m); i++) ways = (ways * (n + m - i + 1)) / i
  return Math.min(1, 2 / ways)
}

/**
 * Exact two-sided Mann–Whitney U test of `a` against `b`: U of `a` (pairs where a's value is
 * larger, ties counting one half) and the probability, under the hypothesis that both come
 * from one distribution, of a rank sum at least as far from its mean as the one observed.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): { u: number; p: number } {
  const n = a.length
  const m = b.length
  if (n === 0 || m === 0) throw new Error('mannWhitneyU needs values on both sides')
  const all = [...a.map((value) => ({ value, fromA: true })), ...b.map((value) => ({ value, fromA: false }))].sort(
    (x, y) => x.value - y.value,
  )
  // Doubled midranks: integers, so the rank sums can index a table.
  const doubled: number[] = new Array<number>(all.length)
  for (let i = 0; i < all.length;) {
    let j = i
    while (j + 1 < all.length && all[j + 1]!.value === all[i]!.value) j++
    // Ranks i+1 … j+1 share their mean, (i + j + 2) / 2; doubled: i + j + 2.
    for (let k = i; k <= j; k++) doubled[k] = i + j + 2
    i = j + 1
  }
  let observed = 0
  all.forEach((entry, i) => {
    if (entry.fromA) observed += doubled[i]!
  })
  const total = n + m
  const maxSum = doubled.reduce((sum, r) => sum + r, 0)
  // ways[k][s]: subsets of k of the values seen so far whose doubled ranks sum to s, as a share
  // of all subsets of size k (kept as probabilities so large counts stay finite).
  // Updated in place, sizes from the largest down, so each row still holds the previous item's
  // counts when the row above reads it (the 0/1 knapsack's order); sums only up to those reached.
  const ways: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(maxSum + 1))
  ways[0]![0] = 1
  let reached = 0
  for (let item = 0; item < total; item++) {
    const rank = doubled[item]!
    reached += rank
    for (let k = Math.min(n, item + 1); k >= 1; k--) {
      const from = ways[k - 1]!
      const to = ways[k]!
      for (let s = Math.min(reached, maxSum); s >= rank; s--) if (from[s - rank]! > 0) to[s] = to[s]! + from[s - rank]!
    }
  }
  const counts = ways[n]!
  const subsets = counts.reduce((sum, c) => sum + c, 0)
  // The rank sum's mean, doubled: 2 × n(N + 1) / 2.
  const mean = n * (total + 1)
  const distance = Math.abs(observed - mean)
  let extreme = 0
  // A hair of tolerance: rank sums are integers, the distance is compared exactly.
  for (let s = 0; s <= maxSum; s++) if (counts[s]! > 0 && Math.abs(s - mean) >= distance - 1e-9) extreme += counts[s]!
  const u = observed / 2 - (n * (n + 1)) / 2
  return { u, p: Math.min(1, extreme / subsets) }
}

/**
 * A resampler: each call draws values.length of `values` with replacement, into `into` (as long),
 * and returns their median. Seeded: the same seed draws the same runs, whatever their values.
 * Kept sorted as drawn (insertion, for a handful of runs where a sort call costs more), so the
 * median is the middle (or the mean of the two middles), as stats.ts's.
 */
function resampler(seed: number): (values: readonly number[], into: Float64Array) => number {
  const random = createRandom(deriveSeed(seed, 'bootstrap'))
  return (values, into) => {
    for (let i = 0; i < values.length; i++) {
      const value = values[Math.floor(random() * values.length)]!
      let j = i
      for (; j > 0 && into[j - 1]! > value; j--) into[j] = into[j - 1]!
      into[j] = value
    }
    const half = into.length >> 1
    return into.length % 2 ? into[half]! : (into[half - 1]! + into[half]!) / 2
  }
}

/** The 2.5th and 97.5th percentiles of sorted resampled figures. */
function interval(sorted: Float64Array): { low: number; high: number } {
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))]!
  return { low: at(0.025), high: at(0.975) }
}

/** The seeded percentile-bootstrap 95 % interval of one side's median over its runs (a --threshold's figure); null below MIN_RUNS. */
export function medianInterval(values: readonly number[], seed = 1): { low: number; high: number } | null {
  if (values.length < MIN_RUNS) return null
  const resample = resampler(seed)
  const into = new Float64Array(values.length)
  const medians = new Float64Array(BOOTSTRAP_RESAMPLES)
  for (let i = 0; i < medians.length; i++) medians[i] = resample(values, into)
  return interval(medians.sort())
}

/**
 * The effect of `current` against `baseline` and its bootstrap 95 % interval: the ratio of
 * medians − 1, in percent, or with `points` the difference of medians (for shares already in
 * percent). Null when the baseline's median is 0 and the effect is a ratio.
 */
export function bootstrapEffect(
  baseline: readonly number[],
  current: readonly number[],
  options: { points?: boolean; seed?: number; resamples?: number } = {},
): { effect: number; low: number; high: number } | null {
  const { points = false, seed = 1, resamples = BOOTSTRAP_RESAMPLES } = options
  const effectOf = (base: number, now: number): number | null => (points ? now - base : base === 0 ? null : (now / base - 1) * 100)
  const effect = effectOf(median(baseline), median(current))
  if (effect === null) return null
  const resample = resampler(seed)
  const a = new Float64Array(baseline.length)
  const b = new Float64Array(current.length)
  const all = new Float64Array(resamples)
  let kept = 0
  for (let i = 0; i < resamples; i++) {
    const one = effectOf(resample(baseline, a), resample(current, b))
    // A resample whose baseline median is 0 has no ratio: it counts as no resample.
    if (one !== null) all[kept++] = one
  }
  if (kept < resamples / 2) return null
  return { effect, ...interval(all.subarray(0, kept).sort()) }
}

/**
 * The minimum detectable change: the smallest change of `current` against `baseline`, in percent
 * (points with `points`), that the verdict of compareRuns would call regressed or improved, were
 * the current runs moved (by a ratio, or by points) so that their median stood that far from the
 * baseline's, their spread unchanged. The larger of the two ways (slower, faster), so a change
 * beyond ±MDC either way could be called. Null when no change could be called: fewer than MIN_RUNS
 * runs a side, too few runs for the exact test to reach α at all, or a median of 0 in a ratio.
 *
 * `sized` is the bootstrap of the same two sides with the same seed (compareRuns passes its own).
 */
export function minimumDetectableChange(
  baseline: readonly number[],
  current: readonly number[],
  options: { thresholdPercent: number; alpha: number; points?: boolean; seed?: number },
  sized: { effect: number; low: number; high: number } | null = bootstrapEffect(baseline, current, options),
): number | null {
  const { thresholdPercent: t, alpha, points = false } = options
  if (baseline.length < MIN_RUNS || current.length < MIN_RUNS || smallestP(baseline.length, current.length) >= alpha) return null
  if (!sized || (!points && median(current) <= 0)) return null
  const ways = ([1, -1] as const).map((way) => detectableOneWay(baseline, current, way, t, alpha, points, sized))
  return ways.some((d) => d === null) ? null : Math.max(...(ways as number[]))
}

/**
 * The smallest move δ ≥ 0 one way (+1: up, −1: down) at which the moved current runs would be
 * called: the interval wholly beyond ±T, and p < α. The current runs at δ are c·k·(1 ± δ/100)
 * for a ratio, k putting their median on the baseline's, or c + (m_b − m_c) ± δ for points.
 */
function detectableOneWay(
  baseline: readonly number[],
  current: readonly number[],
  way: 1 | -1,
  t: number,
  alpha: number,
  points: boolean,
  { effect, low, high }: { effect: number; low: number; high: number },
): number | null {
  const mBase = median(baseline)
  const mNow = median(current)
  // The interval at δ: each resample's effect moves with the runs. For a ratio, (1 + e*)
  // scales by (1 ± δ)/(1 + e); for points, e* moves by ±δ − e.
  let fromInterval: number
  if (points) fromInterval = t + (way > 0 ? effect - low : high - effect)
  else if (way > 0) fromInterval = 100 * (((1 + t / 100) * (1 + effect / 100)) / (1 + low / 100) - 1)
  else {
    if (t >= 100) return null
    fromInterval = 100 * (1 - ((1 - t / 100) * (1 + effect / 100)) / (1 + high / 100))
  }
  if (!points && way < 0 && fromInterval >= 100) return null
  const start = Math.max(0, fromInterval)
  const moved = (delta: number): number[] =>
    points ? current.map((c) => c + (mBase - mNow) + way * delta) : current.map((c) => (c * mBase * (1 + (way * delta) / 100)) / mNow)
  // Where a moved run meets a baseline run: the p of the exact test changes only there.
  const crossings: number[] = []
  for (const a of baseline) {
    for (const c of current) {
      const delta = points ? way * (a - c - (mBase - mNow)) : (way * 100 * (a * mNow)) / (c * mBase) - way * 100
      // A run of 0 never crosses by scaling (its crossing is infinite).
      if (Number.isFinite(delta) && delta > start && (points || way > 0 || delta < 100)) crossings.push(delta)
    }
  }
  const edges = [start, ...[...new Set(crossings)].sort((x, y) => x - y)]
  // p is constant between two edges: tried in the middle; beyond the last edge, a step past it.
  const inside = (i: number): number =>
    i + 1 < edges.length ? (edges[i]! + edges[i + 1]!) / 2 : edges[i]! + Math.max(1e-6, edges[i]! * 1e-3)
  const called = (i: number): boolean => mannWhitneyU(moved(inside(i)), baseline).p < alpha
  // The further the runs move, the smaller p: the first span where it is below α, by bisection
  // (most often the first, where the interval alone decides).
  if (called(0)) return start
  if (!called(edges.length - 1)) return null
  let lo = 1
  let hi = edges.length - 1
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    if (called(mid)) hi = mid
    else lo = mid + 1
  }
  return edges[lo]!
}

export interface Comparison {
  verdict: Verdict
  /** Null below MIN_RUNS a side, or when not estimable. */
  p: number | null
  /** Percent (a ratio) or points (a share); null when not estimable or the baseline's median is 0. */
  effect: number | null
  low: number | null
  high: number | null
  /** The minimum detectable change (minimumDetectableChange), in the effect's unit; null when no change could be called. */
  mdc: number | null
}

/**
 * Compares per-run values of one figure. `higherIsWorse`: true for times and failures, false
 * for throughput. `thresholdPercent` is T (or, with `points`, the band in points).
 */
export function compareRuns(
  baseline: readonly number[],
  current: readonly number[],
  options: { higherIsWorse: boolean; thresholdPercent: number; alpha: number; points?: boolean; seed?: number },
): Comparison {
  const { higherIsWorse, thresholdPercent: t, alpha, points = false, seed } = options
  const sized = bootstrapEffect(baseline, current, { points, seed })
  // Too few runs: the effect alone, no interval (a bootstrap of 1–3 runs would look precise and is not).
  if (baseline.length < MIN_RUNS || current.length < MIN_RUNS)
    return { verdict: 'too few runs', p: null, effect: sized?.effect ?? null, low: null, high: null, mdc: null }
  const { p } = mannWhitneyU(current, baseline)
  if (!sized) return { verdict: 'inconclusive', p, effect: null, low: null, high: null, mdc: null }
  const { effect, low, high } = sized
  // The interval in the worse direction: for throughput, lower is worse.
  const [worseLow, worseHigh] = higherIsWorse ? [low, high] : [-high, -low]
  const verdict: Verdict =
    p < alpha && worseLow > t
      ? 'regressed'
      : p < alpha && worseHigh < -t
        ? 'improved'
        : worseLow >= -t && worseHigh <= t
          ? 'no change'
          : 'inconclusive'
  const mdc = minimumDetectableChange(baseline, current, { thresholdPercent: t, alpha, points, seed }, sized)
  return { verdict, p, effect, low, high, mdc }
}
