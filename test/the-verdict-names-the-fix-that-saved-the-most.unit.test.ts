/**
 * The report's first line is computed from the run, never written by hand: it names the fix
 * that saved the most time, says so only beyond the run's noise, calls a tie a tie, and a
 * change is coloured only when the two medians' intervals do not overlap. On hand-made runs,
 * with every expected figure worked out by hand.
 */
import { describe, expect, it } from 'vitest'
import { lesson, trustLine, unrankedReason } from '../bench/report/lesson.ts'
import { compareMedians, medianInterval } from '../bench/report/noise.ts'
import { describeChange, stepRows } from '../bench/report/report-rows.ts'
import type { Results } from '../bench/record/results.ts'

/** A run of the story's four steps, one request at a time, with these samples (ms) each; only the fields the lesson reads. */
function runOf(samples: Record<string, number[]>, floors: Record<string, number> = {}): Results {
  const parents: Record<string, string | null> = { naive: null, bulk: 'naive', cached: 'bulk', parallel: 'cached' }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const variants = Object.fromEntries(
    Object.entries(samples).map(([name, xs]) => [
      name,
      {
        parent: parents[name] ?? null,
        summary: name,
        latency: { samples: xs.length, p50Ms: median(xs), p99Ms: null, maxMs: Math.max(...xs) },
        coldLatency: null,
        floorMs: floors[name] ?? null,
        overheadMs: null,
        withinTolerance: null,
        load: [],
        upstreamCalls: { catalog: 1 },
        model: null,
      },
    ]),
  )
  return {
    run: { connections: [50] },
    variants,
    runs: [
      { variants: Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, { latency: { latenciesMs: xs }, load: [] }])) },
    ],
  } as unknown as Results
}

const around = (ms: number, n = 5, spread = 0.004) => Array.from({ length: n }, (_, i) => ms * (1 - spread + (2 * spread * i) / (n - 1)))

describe('the interval of a median, from its samples', () => {
  it('is the whole range below six samples, with the coverage it has (n = 5: 1 − 2/32)', () => {
    expect(medianInterval([5, 1, 4, 2, 3])).toEqual({ low: 1, high: 5, coverage: 0.9375 })
  })

  it('narrows as samples grow: 20 samples, the 6th to the 15th (coverage 95.9 %)', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1)
    const interval = medianInterval(values)!
    expect([interval.low, interval.high]).toEqual([6, 15])
    expect(interval.coverage).toBeCloseTo(0.9586, 3)
  })

  it('calls two medians different only when their intervals do not overlap and they are more than 5 % apart', () => {
    expect(compareMedians([100, 101, 102], [50, 51, 52])).toBe('faster')
    expect(compareMedians([100, 101, 102], [150, 151, 152])).toBe('slower')
    expect(compareMedians([100, 101, 102], [101.5, 102.5, 103])).toBe('within noise')
    // Disjoint, but 3 % apart: within the drift of a p50 from run to run.
    expect(compareMedians([100, 101, 102], [97, 97.5, 98])).toBe('within noise')
    // One sample a side says nothing of the noise.
    expect(compareMedians([100], [50])).toBeNull()
    expect(compareMedians([], [1, 2])).toBeNull()
  })
})

describe('the verdict', () => {
  it("names the N+1 fix under the default scenario: 2.02 s of naive's 4.04 s against the cache's 1.79 s", () => {
    const l = lesson(runOf({ naive: around(4040), bulk: around(2020), cached: around(230), parallel: around(145) }))!
    expect(l.verdict).toBe("The N+1 fix saved the most time: 2.02 s of naive's 4.04 s (50 %).")
    expect(l.ranked.map((r) => r.variant)).toEqual(['bulk', 'cached', 'parallel'])
    expect(l.ranked.map((r) => Math.round(r.savedMs!))).toEqual([2020, 1790, 85])
    expect(l.start.variant).toBe('naive')
  })

  it('names the cache when the cache saves more (ten products a page: 360 ms against 390 ms)', () => {
    const l = lesson(runOf({ naive: around(970), bulk: around(610), cached: around(220), parallel: around(140) }))!
    expect(l.verdict).toBe("The price cache saved the most time: 390 ms of naive's 970 ms (40 %).")
    expect(l.ranked.map((r) => r.variant)).toEqual(['cached', 'bulk', 'parallel'])
  })

  it('calls a tie a tie: savings whose ranges overlap are "about the same"', () => {
    // bulk saves 400 ± 8, cached 398 ± 5: the run cannot tell them apart.
    const l = lesson(runOf({ naive: around(1000), bulk: around(600), cached: around(202), parallel: around(140) }))!
    expect(l.verdict).toMatch(
      /^The N\+1 fix and the price cache saved about the same time, within this run's noise: 400 ms \(40 %\) and 398 ms \(40 %\) of naive's 1\.00 s\.$/,
    )
  })

  it('claims nothing when the largest saving is within the noise', () => {
    const l = lesson(
      runOf({
        naive: [100, 110, 120, 130, 140],
        bulk: [99, 109, 119, 129, 139],
        cached: [101, 111, 121, 131, 141],
        parallel: [100, 110, 120, 130, 140],
      }),
    )!
    expect(l.verdict).toMatch(/^No fix saved more than this run's noise/)
  })

  it('names the largest saving beyond the noise, not a larger one within it', () => {
    // naive and bulk spread over 1.2 s: bulk's 300 ms is within it; parallel's 200 ms against a tight cached is not.
    const wide = [700, 1000, 1300, 1600, 1900]
    const l = lesson(runOf({ naive: wide, bulk: wide.map((x) => x - 300), cached: around(1000), parallel: around(800) }))!
    expect(l.ranked.map((r) => [r.variant, r.change])).toEqual([
      ['bulk', 'within noise'],
      ['parallel', 'faster'],
      ['cached', 'within noise'],
    ])
    expect(l.verdict).toBe("Concurrency saved the most time: 200 ms of naive's 1.30 s (15 %).")
  })

  it('never ties in a fix whose saving is within the noise', () => {
    // bulk saves 393.6–406.4 ms, parallel 394.8–401.2: a tie; cached's 2 ms is within the noise and stays out.
    const l = lesson(runOf({ naive: around(1000), bulk: around(600), cached: around(598), parallel: around(200) }))!
    expect(l.verdict).toBe(
      "The N+1 fix and concurrency saved about the same time, within this run's noise: 400 ms (40 %) and 398 ms (40 %) of naive's 1.00 s.",
    )
  })

  it('credits no fix with the saving of a step the run left out, and lists a fix it cannot rank with why', () => {
    const l = lesson(runOf({ naive: around(4040), cached: around(230), parallel: around(145) }))!
    expect(l.ranked.map((r) => r.variant)).toEqual(['parallel'])
    expect(l.unranked.map((r) => [r.variant, unrankedReason(r)])).toEqual([
      ['cached', 'not ranked: the step before it (bulk) was not measured'],
    ])
    // bulk never answered: neither it nor cached, whose parent it is, has a saving to rank.
    const failed = runOf({ naive: around(4040), bulk: around(2020), cached: around(230), parallel: around(145) })
    ;(failed.variants.bulk as { latency: unknown }).latency = null
    const f = lesson(failed)!
    expect(f.unranked.map((r) => [r.variant, unrankedReason(r)])).toEqual([
      ['bulk', 'not ranked: no good answer one request at a time'],
      ['cached', 'not ranked: bulk had no good answer one request at a time'],
    ])
    expect(f.ranked.map((r) => r.variant)).toEqual(['parallel'])
  })

  it('has none without two steps of the story', () => {
    expect(lesson(runOf({ parallel: around(145) }))).toBeUndefined()
  })
})

describe('a change against the parent', () => {
  it('is coloured beyond the noise, reads "same floor" for a step built to equal its parent, and "within noise" otherwise', () => {
    const results = runOf(
      { naive: around(4040), bulk: around(2020), cached: around(150), parallel: around(150.5) },
      { naive: 3970, bulk: 2010, cached: 140, parallel: 140 },
    )
    const row = (name: string) => stepRows(results).find((r) => r.variant === name)!
    expect(describeChange(row('bulk'))).toEqual({ text: '−50 %', tone: 'gain' })
    expect(describeChange(row('parallel'))).toEqual({ text: '≈ parent (same floor)', tone: 'neutral' })
    const differentFloors = runOf(
      { naive: around(4040), bulk: around(2020), cached: around(150), parallel: around(151) },
      { cached: 220, parallel: 140 },
    )
    expect(describeChange(stepRows(differentFloors).find((r) => r.variant === 'parallel')!)).toEqual({
      text: '+1 %, within noise',
      tone: 'neutral',
    })
  })
})

describe('the trust line', () => {
  it('gives the runs and each sample size, and asks for more runs after one', () => {
    const line = trustLine(runOf({ naive: around(4040, 3), bulk: around(2020, 3), cached: around(230, 35), parallel: around(145, 50) }))
    expect(line).toBe(
      '1 run; n = 3 (naive, bulk), 35 (cached), 50 (parallel); no variant has a model to check the measurement against; no level lab-bound. For a verdict on a change: --runs 5 and a baseline.',
    )
  })
})
