/**
 * The minimum detectable change (MDC) is honest, and --runs auto's stopping rule keeps false
 * alarms at α: simulated per-run values from known distributions, no benches, many seeds
 * (compare/compare-stats.ts, compare/detect.ts).
 *
 * - a true change of 2 × the MDC an A/A of the same distribution reports (its median over the
 *   seeds) is called regressed in at least 80 % of trials; a true change of 1 × MDC in between
 *   30 % and 90 % (the MDC is neither a figure no comparison reaches nor a loose bound);
 * - a true change of 0 is called regressed in at most α of trials;
 * - adding runs until every MDC reaches its target (stopping on the interval's width, never on
 *   the verdict) keeps the share called regressed at or below α, with the band T at 0, where only
 *   the exact test stands between noise and a false alarm.
 */
import { describe, expect, it } from 'vitest'
import { ALPHA, bootstrapEffect, compareRuns, minimumDetectableChange, MIN_RUNS } from '../bench/compare/compare-stats.ts'
import { median } from '../bench/measure/stats.ts'
import { detection } from '../bench/compare/detect.ts'
import type { AutoStop, ComparisonFigures } from '../bench/record/results.ts'
import { runsSentence } from '../bench/report/render-comparison.ts'
import { aaLoop } from '../bench/runs-compared.ts'
import { createRandom, normal, type Random } from '../scenario/random.ts'

/** Per-run p50s around 148 ms (parallel's, quick): three shapes of run-to-run noise. */
const DISTRIBUTIONS: Record<string, (random: Random) => number> = {
  'normal, 1 % spread': (r) => 148 * (1 + 0.01 * normal(r)),
  'lognormal, 3 % spread': (r) => 148 * Math.exp(0.03 * normal(r)),
  'one run in ten 8 % slower': (r) => 148 * (1 + 0.01 * normal(r)) * (r() < 0.1 ? 1.08 : 1),
}
const draw = (random: Random, shape: (r: Random) => number, count: number, change = 0) =>
  Array.from({ length: count }, () => shape(random) * (1 + change / 100))

const TRIALS = 200

describe.each([
  ['normal, 1 % spread', 5, 5, 5],
  ['lognormal, 3 % spread', 8, 8, 1],
  ['one run in ten 8 % slower', 5, 8, 5],
] as const)('the MDC of %s, %i runs against %i, T %i percent', (shape, n, m, t) => {
  const options = { higherIsWorse: true, thresholdPercent: t, alpha: ALPHA }
  const calledAt = (change: number, seed: number) => {
    let called = 0
    for (let trial = 0; trial < TRIALS; trial++) {
      const random = createRandom(seed + trial)
      const baseline = draw(random, DISTRIBUTIONS[shape]!, n)
      if (compareRuns(baseline, draw(random, DISTRIBUTIONS[shape]!, m, change), { ...options, seed: trial }).verdict === 'regressed')
        called++
    }
    return called / TRIALS
  }
  // The MDC an A/A reports, and its false alarms.
  const aa = Array.from({ length: TRIALS }, (_, trial) => {
    const random = createRandom(1000 + trial)
    return compareRuns(draw(random, DISTRIBUTIONS[shape]!, n), draw(random, DISTRIBUTIONS[shape]!, m), { ...options, seed: trial })
  })
  const mdcs = aa.map((c) => c.mdc ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b)
  const mdc = mdcs[TRIALS >> 1]!

  it('is stated beyond T, and a change of 0 is called regressed in at most α of trials', () => {
    expect(mdc).toBeGreaterThan(t)
    expect(Number.isFinite(mdc)).toBe(true)
    expect(aa.filter((c) => c.verdict === 'regressed').length / TRIALS).toBeLessThanOrEqual(ALPHA)
  })

  it('a change of 2 × MDC is called regressed in at least 80 % of trials, one of 1 × MDC in 30–90 %', () => {
    expect(calledAt(2 * mdc, 5000)).toBeGreaterThanOrEqual(0.8)
    const atOnce = calledAt(mdc, 7000)
    expect(atOnce).toBeGreaterThanOrEqual(0.3)
    expect(atOnce).toBeLessThanOrEqual(0.9)
  })
})

describe('the MDC, worked out', () => {
  it('moves the current side until the same bootstrap and test would call it, either way', () => {
    const baseline = [149.4, 148.66, 147.28, 147.12, 147.99]
    const options = { thresholdPercent: 5, alpha: ALPHA, seed: 3 }
    const mdc = minimumDetectableChange(baseline, baseline, options)!
    // Just beyond it, the runs moved up are called regressed; just inside it, not.
    const moved = (percent: number) => baseline.map((v) => v * (1 + percent / 100))
    expect(compareRuns(baseline, moved(mdc + 0.05), { ...options, higherIsWorse: true }).verdict).toBe('regressed')
    expect(compareRuns(baseline, moved(mdc - 0.3), { ...options, higherIsWorse: true }).verdict).not.toBe('regressed')
    // Scaling the current side (its median anywhere) leaves it as it is: the same runs 7 % slower have the same MDC.
    // (Moving them by a fixed number of ms changes it only as their spread relative to their median changes.)
    expect(minimumDetectableChange(baseline, moved(7), options)).toBeCloseTo(mdc, 6)
  })

  it.each([
    {
      name: '4 against 4, where the exact test, not the interval, sets it',
      a: [100, 101, 102, 110],
      b: [99, 103, 104, 108],
      points: false,
      exactTestBinds: true,
    },
    {
      name: '5 against 6',
      a: [148.2, 147.1, 149.9, 150.3, 146.8],
      b: [147.5, 151.2, 148.8, 146.9, 149.1, 150.2],
      points: false,
      exactTestBinds: false,
    },
    { name: 'a share, in points', a: [0, 1, 0, 2, 0], b: [0, 1, 3, 2, 1], points: true, exactTestBinds: false },
  ])('equals a brute-force search, $name: the runs moved by bisection until compareRuns calls them', ({ a, b, points, exactTestBinds }) => {
    const options = { thresholdPercent: 1, alpha: ALPHA, points, seed: 3 }
    const [mA, mB] = [median(a), median(b)]
    const brute = (way: 1 | -1): number => {
      const moved = (d: number) => (points ? b.map((c) => c + (mA - mB) + way * d) : b.map((c) => (c * mA * (1 + (way * d) / 100)) / mB))
      const called = (d: number) =>
        compareRuns(a, moved(d), { ...options, higherIsWorse: true }).verdict === (way > 0 ? 'regressed' : 'improved')
      let [lo, hi] = [0, 99]
      expect(called(hi)).toBe(true)
      for (let i = 0; i < 40; i++) [lo, hi] = called((lo + hi) / 2) ? [lo, (lo + hi) / 2] : [(lo + hi) / 2, hi]
      return hi
    }
    const mdc = minimumDetectableChange(a, b, options)!
    expect(mdc).toBeCloseTo(Math.max(brute(1), brute(-1)), 6)
    // Never below what the interval alone allows (its bound the slower way); beyond it where the exact test binds.
    const sized = bootstrapEffect(a, b, options)!
    const intervalOnly = points
      ? 1 + sized.effect - sized.low
      : 100 * (((1 + 1 / 100) * (1 + sized.effect / 100)) / (1 + sized.low / 100) - 1)
    expect(mdc).toBeGreaterThanOrEqual(intervalOnly - 1e-9)
    expect(mdc > intervalOnly + 1).toBe(exactTestBinds)
  })

  it('is null below MIN_RUNS a side, or when the exact test cannot reach α', () => {
    expect(minimumDetectableChange([1, 2, 3], [1, 2, 3, 4], { thresholdPercent: 5, alpha: ALPHA })).toBeNull()
    // 4 against 4: the smallest p is 0.029, above α = 0.01.
    expect(minimumDetectableChange([1, 2, 3, 4], [1, 2, 3, 4], { thresholdPercent: 5, alpha: 0.01 })).toBeNull()
    expect(MIN_RUNS).toBe(4)
  })
})

describe('--runs auto: runs added until the MDC reaches its target', () => {
  /** A comparison of one figure, as compareResults would make it, for the stopping rule. */
  const comparisonOf = (c: ReturnType<typeof compareRuns>, threshold: number): ComparisonFigures =>
    ({
      rows: [{ variant: 'parallel', metric: 'p50', points: false, threshold, thresholdFrom: 'default', mdc: c.mdc, verdict: c.verdict }],
    }) as unknown as ComparisonFigures
  const MAX_RUNS = 12
  const BASELINE_RUNS = 8

  // T at 0: no band stands between noise and a false alarm, only the exact test (a T of 5 % would hide a bad rule).
  it('with T 0 and a target of 3 %, the share called regressed stays at or below α', () => {
    const [t, target] = [0, 3]
    const shape = DISTRIBUTIONS['lognormal, 3 % spread']!
    const options = { higherIsWorse: true, thresholdPercent: t, alpha: ALPHA }
    let regressed = 0
    const stops: number[] = []
    for (let trial = 0; trial < TRIALS; trial++) {
      const random = createRandom(9000 + trial)
      const baseline = draw(random, shape, BASELINE_RUNS)
      const current: number[] = []
      let last: ReturnType<typeof compareRuns> | undefined
      while (current.length < MAX_RUNS) {
        current.push(shape(random))
        if (current.length < MIN_RUNS) continue
        last = compareRuns(baseline, current, { ...options, seed: trial })
        if (detection(comparisonOf(last, t), { percent: target, on: ['p50'] }).reached) break
      }
      stops.push(current.length)
      if (last!.verdict === 'regressed') regressed++
    }
    expect(regressed / TRIALS).toBeLessThanOrEqual(ALPHA)
    // The rule did stop at different run counts: the test is of a rule that acts, not of the cap.
    expect(new Set(stops).size).toBeGreaterThan(2)
  })
})

describe('--aa and --runs auto, as the runs loop and the page tell them', () => {
  it('interleaves the A/A as A B B A A B B A, so neither set always runs first', () => {
    const loop = aaLoop(4)
    expect(Array.from({ length: 8 }, (_, i) => /set ([AB])/.exec(loop.label!(i + 1))![1]).join('')).toBe('ABBAABBA')
  })

  it('says why --runs auto stopped: the target, the cap, a figure never callable, Ctrl-C', () => {
    const auto = { detect: 5, on: ['p50'], maxRuns: 20, worst: { variant: 'parallel', metric: 'p50', mdc: 6.2, target: 5 } }
    const say = (stopped: AutoStop, runs: number) => runsSentence({ runs, aa: null, auto: { ...auto, stopped } })
    expect(say('reached', 7)).toMatch(/^--runs auto: 7 runs reached the target, a change of 5 % callable on p50/)
    expect(say('cap', 20)).toMatch(
      /^--runs auto: the cap of 20 runs came before the target \(5 % on p50 of every variant\): parallel p50 could call changes beyond ±6\.2 % \(target 5 %\)/,
    )
    expect(say('unreachable', 4)).toMatch(/stopped after 4 runs: a targeted figure can never be called/)
    expect(say('interrupted', 6)).toMatch(/stopped after 6 runs, before the target .*interrupted \(Ctrl-C\)/)
    expect(say('interrupted', 6)).not.toMatch(/cap/)
  })
})
