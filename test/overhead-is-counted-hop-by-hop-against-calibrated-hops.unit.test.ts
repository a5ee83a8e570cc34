/**
 * The overhead hop by hop (bench/measure/hops.ts): a waterfall's hops, the Redis reads alone on
 * the path, the fan-out widths to calibrate, and what is left beyond the calibrated hops. Pure
 * figures, checked by hand.
 */
import { describe, expect, it } from 'vitest'
import { cacheReadsOnPath, fanOutWidths, hopGroups, judgeHops, loneCacheStages } from '../bench/measure/hops.ts'
import type { Calibration, HopCalibration } from '../bench/record/results.ts'
import type { Stage, StageName } from '../variants/shared/stage-timing.ts'

const stage = (name: StageName, startMs: number, durationMs: number): Stage => ({ name, startMs, durationMs })
const calibrated = (overheadMs: number, waitMs = 40): Calibration => ({
  waitMs,
  samples: 25,
  rounds: 3,
  roundP50sMs: [waitMs + overheadMs],
  callP50Ms: waitMs + overheadMs,
  overheadMs,
})

/** A median waterfall of cached: one stage after another; medians of starts and of durations overlap a hair (inventory "ends" 0.06 ms after the cache read starts). */
const CACHED = [
  stage('catalog', 0.09, 101.21),
  stage('inventory', 101.3, 41.21),
  stage('cache', 142.45, 0.45),
  stage('reviews', 142.92, 41.16),
  stage('categories', 184.1, 41.22),
]
/** parallel: after the catalog, three calls and the Redis read at once. */
const PARALLEL = [
  stage('catalog', 0.07, 101.17),
  stage('inventory', 101.24, 41.7),
  stage('cache', 101.39, 0.65),
  stage('reviews', 101.55, 41.72),
  stage('categories', 101.59, 41.78),
]

const HOPS: HopCalibration = {
  request: calibrated(1.12),
  atOnce: { '3': calibrated(1.34) },
  cacheRead: calibrated(0.43, 0),
  cacheReadUncalibrated: null,
  cacheReadRetries: 0,
}

describe('hopGroups', () => {
  it('makes one hop of each stage that follows another, even where a median waterfall overlaps them a hair', () => {
    expect(hopGroups(CACHED).map((group) => group.stages.map((s) => s.name))).toEqual([
      ['catalog'],
      ['inventory'],
      ['cache'],
      ['reviews'],
      ['categories'],
    ])
  })

  it('makes one hop of a fan-out, the lookup made beside it included', () => {
    const groups = hopGroups(PARALLEL)
    expect(groups.map((group) => group.stages.map((s) => s.name))).toEqual([['catalog'], ['inventory', 'cache', 'reviews', 'categories']])
    expect(groups[1]!.startMs).toBe(101.24)
    expect(groups[1]!.endMs).toBeCloseTo(101.59 + 41.78, 9)
  })

  it('also when the lookup was started first: the calls made beside it join it', () => {
    const lookupFirst = [
      stage('catalog', 0.07, 101.17),
      stage('cache', 101.24, 0.6),
      stage('inventory', 101.4, 41.7),
      stage('reviews', 101.55, 41.72),
    ]
    expect(hopGroups(lookupFirst).map((group) => group.stages.map((s) => s.name))).toEqual([['catalog'], ['cache', 'inventory', 'reviews']])
  })
})

describe('loneCacheStages and cacheReadsOnPath', () => {
  it('counts a cache stage that is a hop of its own, not one beside a fan-out', () => {
    expect(loneCacheStages(CACHED)).toBe(1)
    expect(loneCacheStages(PARALLEL)).toBe(0)
  })

  it('counts no more Redis reads on the path than a request made: none for an in-memory tier or the in-process map', () => {
    expect(cacheReadsOnPath(1, 1)).toBe(1)
    expect(cacheReadsOnPath(1, 0)).toBe(0)
    // A lookup that reads two keys in one round trip is one read; one an earlier variant made beside a fan-out is none on the path.
    expect(cacheReadsOnPath(0, 1)).toBe(0)
    expect(cacheReadsOnPath(1, 0.98)).toBe(1)
  })
})

describe('fanOutWidths', () => {
  it('lists the widths wider than one on any path, once each, in order', () => {
    expect(fanOutWidths([{ callsAtOnceOnPath: [1, 3] }, { callsAtOnceOnPath: [1, 1, 1] }, { callsAtOnceOnPath: [1, 50, 3] }])).toEqual([
      3, 50,
    ])
    expect(fanOutWidths([{ callsAtOnceOnPath: [1, 1] }])).toEqual([])
  })
})

describe('judgeHops', () => {
  const one = calibrated(1.17)

  it('cached: its own hop, four calls alone and the Redis read: 1.12 + 4 × 1.17 + 0.43 = 6.23 ms bare; +7.6 over the floor leaves 1.37 ms, 0.23 per hop', () => {
    const hops = judgeHops({ callsAtOnceOnPath: [1, 1, 1, 1] }, 7.6, 1, one, HOPS)
    expect(hops).toEqual({ count: 6, cacheReads: 1, calibratedMs: 6.23, beyondMs: 1.37, beyondPerHopMs: 0.23, withinTarget: true })
  })

  it('parallel: its own hop, the catalog, one of three at once: 1.12 + 1.17 + 1.34 = 3.63 ms bare; +5.2 leaves 1.57 ms, 0.52 per hop, over the target', () => {
    const hops = judgeHops({ callsAtOnceOnPath: [1, 3] }, 5.2, 0, one, HOPS)
    expect(hops).toEqual({ count: 3, cacheReads: 0, calibratedMs: 3.63, beyondMs: 1.57, beyondPerHopMs: 0.52, withinTarget: false })
  })

  it('judges the figure it shows: +0.30 ms per hop is within the target', () => {
    // 1.12 + 2 × 1.17 = 3.46 ms bare; +4.36 leaves 0.90 ms over 3 hops: 0.30.
    expect(judgeHops({ callsAtOnceOnPath: [1, 1] }, 4.36, 0, one, HOPS)).toMatchObject({
      count: 3,
      beyondMs: 0.9,
      beyondPerHopMs: 0.3,
      withinTarget: true,
    })
  })

  it('has no figure without a model or an overhead, when a fan-out on the path was not calibrated, or a Redis read on it was not', () => {
    expect(judgeHops(undefined, 5.2, 0, one, HOPS)).toBeNull()
    expect(judgeHops({ callsAtOnceOnPath: [1, 3] }, null, 0, one, HOPS)).toBeNull()
    expect(judgeHops({ callsAtOnceOnPath: [1, 4] }, 5.2, 0, one, HOPS)).toBeNull()
    expect(judgeHops({ callsAtOnceOnPath: [1, 1, 1, 1] }, 7.6, 1, one, { ...HOPS, cacheRead: null })).toBeNull()
    // With no Redis read on the path, a missing read calibration does not matter.
    expect(judgeHops({ callsAtOnceOnPath: [1, 3] }, 5.2, 0, one, { ...HOPS, cacheRead: null })).not.toBeNull()
  })
})
