/**
 * The run's noise, for colouring a change: a figure is painted faster or slower only when it
 * lies beyond what the run's own samples, and the machine from run to run, could have moved it by.
 *
 * Each median gets a distribution-free interval from its order statistics (the binomial
 * method every statistics text gives for a median's confidence interval): for n samples,
 * the k-th smallest and the k-th largest bracket the true median with probability
 * 1 − 2·P(Binomial(n, ½) < k). The narrowest k whose coverage is still ≥ 95 % is used; below
 * six samples no k reaches it, and the whole range is used with the coverage it has (n = 5:
 * 94 %, n = 3: 75 %). Two medians differ beyond the noise when their intervals do not overlap
 * and they differ by more than NOISE_PERCENT: within one run, samples say nothing of the drift
 * from run to run, which moves a p50 by a few percent on this kind of machine (the band a
 * comparison of runs calls no change). The band also keeps small samples honest: two sets of three
 * from the same distribution have disjoint ranges one time in ten, but rarely 5 % apart. With
 * fewer than two samples on a side there is no noise to judge by: no verdict. Written by hand: it
 * is these few lines, and no maintained package states this interval.
 */

import { NOISE_PERCENT } from '../record/noise-band.ts'

/** The interval of the median of `values` (need not be sorted) and its coverage; null without values. */
export function medianInterval(values: readonly number[]): { low: number; high: number; coverage: number } | null {
  if (!values.length) return null
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  // k = 1 is the whole range; take the largest k (narrowest interval) that still covers 95 %.
  let k = 1
  while (k + 1 <= Math.floor((n + 1) / 2) && coverage(n, k + 1) >= 0.95) k++
  return { low: sorted[k - 1]!, high: sorted[n - k]!, coverage: coverage(n, k) }
}

/** P(x(k) ≤ median ≤ x(n−k+1)) for n samples: 1 − 2·P(Binomial(n, ½) ≤ k − 1). */
function coverage(n: number, k: number): number {
  let tail = 0
  let choose = 1 // C(n, 0)
  for (let i = 0; i < k; i++) {
    tail += choose
    choose = (choose * (n - i)) / (i + 1)
  }
  return 1 - 2 * tail * 0.5 ** n
}

/** How one median compares with another, given both samples: beyond the noise, or not; null without samples on either side. */
export type Change = 'faster' | 'slower' | 'within noise'

export function compareMedians(before: readonly number[], after: readonly number[]): Change | null {
  if (before.length < 2 || after.length < 2) return null
  const a = medianInterval(before)!
  const b = medianInterval(after)!
  const apart = Math.abs(median(after) - median(before)) > (median(before) * NOISE_PERCENT) / 100
  if (b.high < a.low && apart) return 'faster'
  if (b.low > a.high && apart) return 'slower'
  return 'within noise'
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = (sorted.length - 1) / 2
  return (sorted[Math.floor(middle)]! + sorted[Math.ceil(middle)]!) / 2
}
