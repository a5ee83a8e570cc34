/**
 * One service's calls, fitted to the lab's latency model: base + per-item × items + jitter.
 *
 * - Per-item cost: the Theil–Sen slope of duration on items (the median of the pairwise slopes,
 *   robust to a third of outliers), when the calls carried different item counts and Kendall's
 *   test tells a slope from none; else 0.
 * - Base and jitter: the rest (duration − per-item × items) as a shifted lognormal, fitted on three
 *   quantiles (p10, p50, p90: their spread gives σ, then the scale, then the shift, which is the
 *   base); the jitter is the rest above the base, kept as an empirical distribution (its quantiles)
 *   and as the fitted lognormal, with that fit's error at p25, p75 and p95. When the rest is not
 *   skewed to the right (no lognormal fits), the base is its 1st percentile.
 *
 * Written by hand: a median of slopes and three quantiles; no maintained package fits a shifted
 * lognormal in Node, and these few lines say exactly what the figures mean.
 */
import { percentile } from '../measure/stats.ts'

export interface ServiceCalls {
  durationsMs: number[]
  /** Each call's item count, where the trace gave one (same order as durationsMs). */
  items: Array<number | undefined>
  errors: number
  /** The most calls to the service in flight at once, over every trace. */
  maxConcurrent: number
}

export interface ServiceFit {
  calls: number
  /** Calls timed (those that did not fail). */
  timed: number
  observed: { p50Ms: number; p90Ms: number; p99Ms: number }
  baseMs: number
  /**
   * The base's 90 % interval, from the fit of BOOTSTRAPS resamples of the calls: base and jitter are
   * told apart only by the jitter's skew, which a few hundred calls tell loosely (their sum, what the
   * lab runs, is the calls' own distribution whatever the split). Null when the base is the 1st percentile.
   */
  baseIntervalMs: [number, number] | null
  perItemMs: number
  /** How the per-item cost was found: a slope over item counts, or none (one count, or no counts). */
  perItemFrom: 'slope' | 'no slope the calls can tell' | 'one item count' | 'no item counts'
  /** The jitter's quantiles at evenly spaced probabilities from 0 to 1. */
  jitterQuantilesMs: number[]
  /** The shifted lognormal's own parameters, and its error against the jitter's quantiles; null when none fits. */
  lognormal: { medianMs: number; sigma: number; errorPercent: number } | null
  errorPercent: number
  maxConcurrent: number
  /** Items per call: the most common count. */
  itemsMode: number | undefined
}

/** Above this many calls, the pairwise slopes are taken over an evenly spread subset (Theil–Sen is quadratic). */
const MAX_SLOPE_POINTS = 1500

export function fitService({ durationsMs, items, errors, maxConcurrent }: ServiceCalls): ServiceFit {
  const calls = durationsMs.length + errors
  const sorted = [...durationsMs].sort((a, b) => a - b)
  const q = (p: number) => percentile(sorted, p)
  const counted = items.filter((n): n is number => n !== undefined)
  const distinct = new Set(counted)
  const countsVary = counted.length >= durationsMs.length * 0.8 && distinct.size >= 2
  const slope = countsVary ? perItemSlope(durationsMs, items) : null
  const perItem = slope?.told ? Math.max(0, slope.msPerItem) : 0
  const rest = durationsMs.map((ms, i) => ms - perItem * (items[i] ?? 0)).sort((a, b) => a - b)
  const r = (p: number) => percentile(rest, p)
  const fitted = shiftedLognormal(rest)
  const baseMs = Math.max(0, fitted ? fitted.shift : r(1))
  const jitter = rest.map((ms) => Math.max(0, ms - baseMs))
  const jitterQuantilesMs = quantilesOf(jitter)
  return {
    calls,
    timed: durationsMs.length,
    observed: { p50Ms: round3(q(50)), p90Ms: round3(q(90)), p99Ms: round3(q(99)) },
    baseMs: round3(baseMs),
    baseIntervalMs: fitted ? bootstrapShift(rest) : null,
    perItemMs: round3(perItem),
    perItemFrom: slope ? (slope.told ? 'slope' : 'no slope the calls can tell') : distinct.size === 1 ? 'one item count' : 'no item counts',
    jitterQuantilesMs,
    lognormal:
      fitted && fitted.shift >= 0
        ? { medianMs: round3(fitted.scale), sigma: round3(fitted.sigma), errorPercent: fitError(jitter, fitted) }
        : null,
    errorPercent: calls ? round3((errors / calls) * 100) : 0,
    maxConcurrent,
    itemsMode: mode(counted),
  }
}

/**
 * The jitter's quantiles at evenly spaced probabilities from 0 to 1 (101 of them, fewer for fewer
 * calls), as the lab draws them: between two quantiles, linearly. The top segment (p99 to the
 * maximum) would be drawn for 1 % of calls up to the slowest one seen: one call of 30 s among ten
 * thousand of 40 ms would make 1 % of the lab's calls up to 30 s. Its end is set instead so that the
 * segment's mean is the top calls' own mean, within [p99, the maximum].
 */
function quantilesOf(jitter: number[]): number[] {
  const sorted = [...jitter].sort((a, b) => a - b)
  const points = Math.min(101, Math.max(2, sorted.length))
  const quantiles = Array.from({ length: points }, (_, i) => percentile(sorted, (i / (points - 1)) * 100))
  const below = quantiles[points - 2]!
  const top = sorted.filter((ms) => ms >= below)
  const topMean = top.reduce((a, b) => a + b, 0) / top.length
  quantiles[points - 1] = Math.min(sorted[sorted.length - 1]!, Math.max(below, 2 * topMean - below))
  return quantiles.map(round3)
}

/**
 * The median of the slopes between every two calls of different item counts (Theil–Sen), and
 * whether the calls tell one at all: Kendall's S of items against duration, against its spread
 * with the items' ties (|z| ≥ 2.58, 1 %). A slope the calls cannot tell from none is not kept:
 * noise × 50 items would move the base.
 */
function perItemSlope(durationsMs: number[], items: Array<number | undefined>): { msPerItem: number; told: boolean } {
  const points = durationsMs.flatMap((ms, i) => (items[i] === undefined ? [] : [[items[i]!, ms] as const]))
  // Over MAX_SLOPE_POINTS, a seeded random subset: every k-th call in file order could keep one item count of a pattern.
  const used = points.length <= MAX_SLOPE_POINTS ? points : seededSample(points, MAX_SLOPE_POINTS)
  const slopes: number[] = []
  let s = 0
  for (let i = 0; i < used.length; i++)
    for (let j = i + 1; j < used.length; j++) {
      const dx = used[j]![0] - used[i]![0]
      if (dx === 0) continue
      const dy = used[j]![1] - used[i]![1]
      slopes.push(dy / dx)
      s += Math.sign(dx) * Math.sign(dy)
    }
  const n = used.length
  const ties = [...countsOf(used.map(([x]) => x)).values()].reduce((sum, t) => sum + t * (t - 1) * (2 * t + 5), 0)
  const variance = (n * (n - 1) * (2 * n + 5) - ties) / 18
  const told = variance > 0 && Math.abs(s) / Math.sqrt(variance) >= 2.58
  return {
    msPerItem: slopes.length
      ? percentile(
          slopes.sort((a, b) => a - b),
          50,
        )
      : 0,
    told,
  }
}

function seededSample<T>(values: readonly T[], n: number): T[] {
  const random = xorshift()
  const copy = [...values]
  // A partial Fisher–Yates shuffle: the first n are a uniform sample.
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i))
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy.slice(0, n)
}

/** xorshift32 from a fixed seed: the same calls give the same figures. */
function xorshift(): () => number {
  let state = 0x9e3779b9
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 4294967296
  }
}

function countsOf(values: number[]): Map<number, number> {
  const counts = new Map<number, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return counts
}

/**
 * A shifted lognormal fitted to the quantiles: q(p) = shift + scale·e^(σ·z(p)) at p = 2 %, 5 %, 10 %…
 * 95 %, 98 %; for each σ on a grid, shift and scale by least squares (linear in them), and the σ that
 * fits best (its shift may come out below 0: the caller holds the base at 0). Null when no σ gives a positive scale, or
 * the best σ is at the grid's end.
 */
function shiftedLognormal(sorted: number[]): { shift: number; scale: number; sigma: number } | null {
  const ps = [2, 5, ...Array.from({ length: 18 }, (_, i) => 10 + i * 5), 98]
  const zs = ps.map((p) => probit(p / 100))
  const qs = ps.map((p) => percentile(sorted, p))
  let best: { shift: number; scale: number; sigma: number; sse: number } | null = null
  for (let sigma = SIGMA_MIN; sigma <= SIGMA_MAX; sigma += 0.01) {
    const xs = zs.map((z) => Math.exp(sigma * z))
    const mx = xs.reduce((a, b) => a + b) / xs.length
    const my = qs.reduce((a, b) => a + b) / qs.length
    let sxy = 0
    let sxx = 0
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i]! - mx) * (qs[i]! - my)
      sxx += (xs[i]! - mx) ** 2
    }
    const scale = sxy / sxx
    if (!(scale > 0)) continue
    const shift = my - scale * mx
    const sse = xs.reduce((sum, x, i) => sum + (shift + scale * x - qs[i]!) ** 2, 0)
    if (!best || sse < best.sse) best = { shift, scale, sigma, sse }
  }
  // At the grid's ends the calls are not skewed to the right (a symmetric or left-skewed rest would put the shift far
  // below them) or are skewed beyond any lognormal: none fits.
  return best && best.sigma > SIGMA_MIN + 0.005 && best.sigma < SIGMA_MAX - 0.005 ? best : null
}

const SIGMA_MIN = 0.02
const SIGMA_MAX = 2.5
const BOOTSTRAPS = 100

/** The shift's 5th and 95th percentiles over resamples of `rest` (a seeded generator: the same calls, the same interval). */
function bootstrapShift(rest: number[]): [number, number] {
  const random = xorshift()
  const shifts: number[] = []
  for (let b = 0; b < BOOTSTRAPS; b++) {
    const sample = Array.from({ length: rest.length }, () => rest[Math.floor(random() * rest.length)]!).sort((x, y) => x - y)
    shifts.push(shiftedLognormal(sample)?.shift ?? percentile(sample, 1))
  }
  shifts.sort((x, y) => x - y)
  const [low, high] = [Math.max(0, percentile(shifts, 5)), Math.max(0, percentile(shifts, 95))]
  return [round3(low), round3(Math.max(low, high))]
}

/** The standard normal's quantile (Acklam's rational approximation, |error| < 1.2e-9). */
function probit(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)))
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)))
  const q = p - 0.5
  const r = q * q
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  )
}

/** The largest gap between the fitted lognormal's quantiles and the jitter's at p25, p75 and p95, in percent of the jitter's. */
function fitError(jitter: number[], { scale, sigma }: { scale: number; sigma: number }): number {
  const sorted = [...jitter].sort((a, b) => a - b)
  const z = { 25: -0.6744897501960817, 75: 0.6744897501960817, 95: 1.6448536269514722 }
  const gaps = Object.entries(z).map(([p, zp]) => {
    const observed = percentile(sorted, Number(p))
    return observed > 0 ? Math.abs(scale * Math.exp(sigma * zp) - observed) / observed : 0
  })
  return round3(Math.max(...gaps) * 100)
}

function mode(values: number[]): number | undefined {
  const counts = countsOf(values)
  let best: number | undefined
  for (const [v, n] of counts) if (best === undefined || n > counts.get(best)!) best = v
  return best
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000
