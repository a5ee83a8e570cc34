/**
 * The overhead hop by hop (bench/measure/hops.ts): a waterfall's hops, the Redis reads alone on
 * the path, the fan-out widths to calibrate, and what is left beyond the calibrated hops. Pure
 * figures, checked by hand.
 */
import { describe, expect, it } from 'vitest'
import { cacheReadsOnPath, fanOutWidths, hopGroups, judgeHops } from '../bench/measure/hops.ts'
import type { Calibration, HopCalibration } from '../bench/record/results.ts'
import type { Stage, StageName } from '../variants/shared/stage-timing.ts'

const stage = (name: StageName, startMs: number, durationMs: number): Stage => ({ name, startMs, durationMs })
const calibrated = (overheadMs: number, waitMs = 40): Calibration => ({ waitMs, samples: 25, rounds: 3, roundP50sMs: [waitMs + overheadMs], callP50Ms: waitMs + overheadMs, overheadMs })

/** A median waterfall of cached: one stage after another; medians of starts and of durations overlap a hair (inventory "ends" 0.06 ms after the cache read starts). */
const CACHED = [stage('catalog', 0.09, 101.21), stage('inventory', 101.3, 41.21), stage('cache', 142.45, 0.45), stage('reviews', 142.92, 41.16), stage('categories', 184.1, 41.22)]
/** parallel: after the catalog, three calls and the Redis read at once. */
const PARALLEL = [stage('catalog', 0.07, 101.17), stage('inventory', 101.24, 41.7), stage('cache', 101.39, 0.65), stage('reviews', 101.55, 41.72), stage('categories', 101.59, 41.78)]

const HOPS: HopCalibration = { request: calibrated(1.12), atOnce: { '3': calibrated(1.34) }, cacheRead: calibrated(0.43, 0) }

describe('hopGroups', () => {
  it('makes one hop of stages that follow one another, even where their medians overlap a hair', () => {
    expect(hopGroups(CACHED).map((group) => group.stages.map((s) => s.name))).toEqual([['catalog'], ['inventory'], ['cache'], ['reviews'], ['categories']])
  })

  it('makes one hop of a fan-out, the lookup made beside it included', () => {
    const groups = hopGroups(PARALLEL)
    expect(groups.map((group) => group.stages.map((s) => s.name))).toEqual([['catalog'], ['inventory', 'cache', 'reviews', 'categories']])
    expect(groups[1]!.startMs).toBe(101.24)
    expect(groups[1]!.endMs).toBeCloseTo(101.59 + 41.78, 9)
  })
})

describe('cacheReadsOnPath', () => {
  it('counts a cache stage alone on the path as a Redis read, not one beside a fan-out', () => {
    expect(cacheReadsOnPath(CACHED, HOPS.cacheRead)).toBe(1)
    expect(cacheReadsOnPath(PARALLEL, HOPS.cacheRead)).toBe(0)
  })

  it('does not count a lookup an in-memory tier answered (under half a calibrated read), nor any without a calibrated read', () => {
    const inMemory = CACHED.map((s) => (s.name === 'cache' ? { ...s, durationMs: 0.02 } : s))
    expect(cacheReadsOnPath(inMemory, HOPS.cacheRead)).toBe(0)
    expect(cacheReadsOnPath(CACHED, null)).toBe(0)
  })
})

describe('fanOutWidths', () => {
  it('lists the widths wider than one on any path, once each, in order', () => {
    expect(fanOutWidths([{ callsAtOnceOnPath: [1, 3] }, { callsAtOnceOnPath: [1, 1, 1] }, { callsAtOnceOnPath: [1, 50, 3] }])).toEqual([3, 50])
    expect(fanOutWidths([{ callsAtOnceOnPath: [1, 1] }])).toEqual([])
  })
})

describe('judgeHops', () => {
  const one = calibrated(1.17)

  it('cached: its own hop, four calls alone and the Redis read: 1.12 + 4 × 1.17 + 0.43 = 6.23 ms bare; +7.6 over the floor leaves 1.37 ms, 0.23 per hop', () => {
    const hops = judgeHops({ callsAtOnceOnPath: [1, 1, 1, 1] }, 7.6, CACHED, one, HOPS)
    expect(hops).toEqual({ count: 6, cacheReads: 1, calibratedMs: 6.23, beyondMs: 1.37, beyondPerHopMs: 0.23, withinTarget: true })
  })

  it('parallel: its own hop, the catalog, one of three at once: 1.12 + 1.17 + 1.34 = 3.63 ms bare; +5.2 leaves 1.57 ms, 0.52 per hop, over the target', () => {
    const hops = judgeHops({ callsAtOnceOnPath: [1, 3] }, 5.2, PARALLEL, one, HOPS)
    expect(hops).toEqual({ count: 3, cacheReads: 0, calibratedMs: 3.63, beyondMs: 1.57, beyondPerHopMs: 0.52, withinTarget: false })
  })

  it('has no figure without a model or an overhead, or when a fan-out on the path was not calibrated', () => {
    expect(judgeHops(undefined, 5.2, PARALLEL, one, HOPS)).toBeNull()
    expect(judgeHops({ callsAtOnceOnPath: [1, 3] }, null, PARALLEL, one, HOPS)).toBeNull()
    expect(judgeHops({ callsAtOnceOnPath: [1, 4] }, 5.2, PARALLEL, one, HOPS)).toBeNull()
  })
})
