/**
 * The comparison's statistics (bench/measure/compare-stats.ts): the exact Mann–Whitney p
 * against known values, and the verdicts on synthetic per-run values drawn from seeded
 * distributions: an A/A comparison (one distribution on both sides) calls "regressed" or
 * "improved" in at most 5 % of trials, and a +20 % shift with 6 runs a side is called
 * "regressed" in at least 90 %.
 */
import { describe, expect, it } from 'vitest'
import { ALPHA, bootstrapEffect, compareRuns, mannWhitneyU, MIN_NOISE_PERCENT } from '../bench/compare/compare-stats.ts'
import { createRandom, normal } from '../scenario/random.ts'
import { compareResults } from '../bench/compare/compare-runs.ts'
import type { Results } from '../bench/record/results.ts'
import { comparisonNotes } from '../bench/report/render-comparison.ts'

/** Per-run p50s of a variant: 140 ms times a lognormal run-to-run spread of about 5 %. */
function runs(random: () => number, count: number, shift = 1, spread = 0.05): number[] {
  return Array.from({ length: count }, () => 140 * shift * Math.exp(spread * normal(random)))
}

const options = { higherIsWorse: true, thresholdPercent: MIN_NOISE_PERCENT, alpha: ALPHA }

describe('the exact Mann–Whitney U test', () => {
  it('gives the exact two-sided p of fully separated samples: 2 / C(n+m, n)', () => {
    expect(mannWhitneyU([5, 6, 7, 8], [1, 2, 3, 4]).p).toBeCloseTo(2 / 70, 10)
    expect(mannWhitneyU([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]).p).toBeCloseTo(2 / 924, 10)
    expect(mannWhitneyU([5, 6, 7, 8], [1, 2, 3, 4]).u).toBe(16)
  })

  it('matches the exact permutation p of a small case with ties, counted by brute force', () => {
    const a = [1, 2, 2, 3, 5]
    const b = [2, 3, 4, 4, 6, 7]
    const all = [...a, ...b]
    const rankSum = (values: number[]) =>
      values.reduce((sum, v) => sum + all.filter((w) => w < v).length + (all.filter((w) => w === v).length + 1) / 2, 0)
    const observed = rankSum(a)
    const mean = (a.length * (all.length + 1)) / 2
    let extreme = 0
    let total = 0
    // Every choice of 5 of the 11 positions as "a".
    const choose = (start: number, picked: number[]): void => {
      if (picked.length === a.length) {
        total++
        if (Math.abs(rankSum(picked.map((i) => all[i]!)) - mean) >= Math.abs(observed - mean) - 1e-9) extreme++
        return
      }
      for (let i = start; i < all.length; i++) choose(i + 1, [...picked, i])
    }
    choose(0, [])
    expect(total).toBe(462)
    expect(mannWhitneyU(a, b).p).toBeCloseTo(extreme / total, 10)
  })

  it('gives p = 1 for identical samples', () => {
    expect(mannWhitneyU([3, 3, 3, 3], [3, 3, 3, 3]).p).toBe(1)
  })
})

describe('the bootstrap interval', () => {
  it('is seeded: the same values give the same interval, and it brackets the effect', () => {
    const random = createRandom(7)
    const a = runs(random, 6)
    const b = runs(random, 6, 1.1)
    const one = bootstrapEffect(a, b, { seed: 3 })!
    expect(bootstrapEffect(a, b, { seed: 3 })).toEqual(one)
    expect(one.low).toBeLessThanOrEqual(one.effect)
    expect(one.high).toBeGreaterThanOrEqual(one.effect)
  })

  it('is in points for a share, and absent for a ratio over a baseline median of 0', () => {
    expect(bootstrapEffect([0, 0, 0, 0], [1, 1, 1, 1], { points: true })!.effect).toBe(1)
    expect(bootstrapEffect([0, 0, 0, 0], [1, 1, 1, 1])).toBeNull()
  })
})

describe('the verdicts on synthetic runs', () => {
  const TRIALS = 400

  it('A/A: one distribution on both sides is called regressed or improved in at most 5 % of trials', () => {
    const random = createRandom(11)
    let called = 0
    const verdicts: Record<string, number> = {}
    for (let trial = 0; trial < TRIALS; trial++) {
      const { verdict } = compareRuns(runs(random, 6), runs(random, 6), { ...options, seed: trial })
      verdicts[verdict] = (verdicts[verdict] ?? 0) + 1
      if (verdict === 'regressed' || verdict === 'improved') called++
    }
    expect(called / TRIALS, JSON.stringify(verdicts)).toBeLessThanOrEqual(0.05)
  })

  it('A/A on quiet runs (1 % spread) mostly says "no change": the verdict is reachable, not only "inconclusive"', () => {
    const random = createRandom(15)
    let same = 0
    for (let trial = 0; trial < TRIALS; trial++) {
      if (compareRuns(runs(random, 6, 1, 0.01), runs(random, 6, 1, 0.01), { ...options, seed: trial }).verdict === 'no change') same++
    }
    expect(same / TRIALS).toBeGreaterThan(0.9)
  })

  it('power: a +20 % shift with 6 runs a side is called regressed in at least 90 % of trials', () => {
    const random = createRandom(12)
    let regressed = 0
    for (let trial = 0; trial < TRIALS; trial++) {
      if (compareRuns(runs(random, 6), runs(random, 6, 1.2), { ...options, seed: trial }).verdict === 'regressed') regressed++
    }
    expect(regressed / TRIALS).toBeGreaterThanOrEqual(0.9)
  })

  it('a −20 % shift is improved, and for throughput (higher is better) a +20 % shift is improved', () => {
    const random = createRandom(13)
    expect(compareRuns(runs(random, 6), runs(random, 6, 0.8), { ...options, seed: 1 }).verdict).toBe('improved')
    expect(compareRuns(runs(random, 6), runs(random, 6, 1.2), { ...options, higherIsWorse: false, seed: 1 }).verdict).toBe('improved')
  })

  it('says "too few runs" below 4 runs a side, with no p-value', () => {
    const random = createRandom(14)
    const result = compareRuns(runs(random, 3), runs(random, 3, 1.5), options)
    expect(result.verdict).toBe('too few runs')
    expect(result.p).toBeNull()
  })
})

describe('a load level lab-bound in a run on either side', () => {
  /** Two saved runs of one variant, 6 runs each, with one load level of 10 connections; only what compareResults reads. */
  function saved(p50At10: number, labBoundRuns: number[], seed: number): Results {
    const random = createRandom(seed)
    const level = (run: number) => ({
      connections: 10,
      sent: 500,
      failed: 0,
      goodPerSec: 100 / (p50At10 / 70),
      p50Ms: p50At10 * Math.exp(0.01 * normal(random)),
      p90Ms: null,
      p99Ms: null,
      latenciesMs: [],
      answered: 500,
      labBound: labBoundRuns.includes(run) ? ["the machine's CPU was 97 % busy (limit 90 %)"] : [],
    })
    const runs = Array.from({ length: 6 }, (_, run) => ({
      startedAt: '2026-12-07T00:00:00.000Z',
      valid: true,
      calibrationOverheadMs: 1,
      variants: {
        parallel: {
          latency: { requests: 10, failed: 0, p50Ms: 45 * Math.exp(0.01 * normal(random)), p90Ms: null, p99Ms: null, latenciesMs: [] },
          load: [level(run)],
        },
      },
    }))
    const scenario = { name: 'seed' }
    const environment = { cpuModel: 'cpu', cpuCount: 2, node: '20', os: 'linux', cacheBackend: 'redis', gitCommit: null }
    const roles = { api: { placed: false }, upstreams: { placed: false } }
    return {
      startedAt: '2026-12-07T00:00:00.000Z',
      valid: true,
      scenario,
      environment,
      roles,
      runs,
      variants: { parallel: {} },
      run: { connections: [10], quick: true, durationSeconds: 1 },
    } as unknown as Results
  }
  const verdictOf = (baseline: Results, current: Results, metric: string) =>
    compareResults(baseline, current, { noise: {}, baselinePath: 'a', currentPath: null }).rows.find((r) => r.metric === metric)!

  it('is not judged: a +18 % p50@10 is "lab-bound", its change still shown, and the note names the level', () => {
    const comparison = compareResults(saved(70, [], 1), saved(70 * 1.18, [2], 2), { noise: {}, baselinePath: 'a', currentPath: null })
    const row = comparison.rows.find((r) => r.metric === 'p50@10')!
    expect(row.verdict).toBe('lab-bound')
    expect(row.effect!).toBeGreaterThan(10)
    expect(comparison.rows.find((r) => r.metric === 'rps@10')!.verdict).toBe('lab-bound')
    expect(comparisonNotes(comparison).join(' ')).toContain(
      "Not judged, lab-bound in a run on either side (the machine's figures, not the code's): parallel at 10 connections.",
    )
  })

  it('the same change on levels that were never lab-bound is regressed; the one-at-a-time p50 is judged either way', () => {
    expect(verdictOf(saved(70, [], 1), saved(70 * 1.18, [], 2), 'p50@10').verdict).toBe('regressed')
    expect(verdictOf(saved(70, [0], 1), saved(70 * 1.18, [], 2), 'p50@10').verdict).toBe('lab-bound')
    expect(verdictOf(saved(70, [0], 1), saved(70 * 1.18, [3], 2), 'p50').verdict).toBe('no change')
  })
})
