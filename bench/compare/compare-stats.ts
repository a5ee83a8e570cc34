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
 *   no verdict: "too few runs" (benchstat's rule).
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
  let ways: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(maxSum + 1))
  ways[0]![0] = 1
  for (let item = 0; item < total; item++) {
    const rank = doubled[item]!
    const next = ways.map((row) => row.slice())
    for (let k = 1; k <= Math.min(n, item + 1); k++) {
      const from = ways[k - 1]!
      const to = next[k]!
      for (let s = rank; s <= maxSum; s++) if (from[s - rank]! > 0) to[s] = to[s]! + from[s - rank]!
    }
    ways = next
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
  const random = createRandom(deriveSeed(seed, 'bootstrap'))
  const resample = (values: readonly number[], into: number[]): number => {
    for (let i = 0; i < values.length; i++) into[i] = values[Math.floor(random() * values.length)]!
    return median(into)
  }
  const a: number[] = new Array<number>(baseline.length)
  const b: number[] = new Array<number>(current.length)
  const effects: number[] = []
  for (let i = 0; i < resamples; i++) {
    const one = effectOf(resample(baseline, a), resample(current, b))
    // A resample whose baseline median is 0 has no ratio: it counts as no resample.
    if (one !== null) effects.push(one)
  }
  if (effects.length < resamples / 2) return null
  effects.sort((x, y) => x - y)
  const at = (q: number): number => effects[Math.min(effects.length - 1, Math.max(0, Math.floor(q * effects.length)))]!
  return { effect, low: at(0.025), high: at(0.975) }
}

export interface Comparison {
  verdict: Verdict
  /** Null below MIN_RUNS a side, or when not estimable. */
  p: number | null
  /** Percent (a ratio) or points (a share); null when not estimable or the baseline's median is 0. */
  effect: number | null
  low: number | null
  high: number | null
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
    return { verdict: 'too few runs', p: null, effect: sized?.effect ?? null, low: null, high: null }
  const { p } = mannWhitneyU(current, baseline)
  if (!sized) return { verdict: 'inconclusive', p, effect: null, low: null, high: null }
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
  return { verdict, p, effect, low, high }
}
