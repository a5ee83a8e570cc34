/**
 * A level's timeline: the answers between two readings of the API's counters, with what the
 * counters say of that span. Every answer lands in exactly one span; a failed reading blanks
 * the counts of the two spans it bounds, never the answers; a level with no answer at all
 * still shows what the API counted.
 */
import { describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { buildTimeline, startCounterReadings, type CounterReading } from '../bench/measure/timeline.ts'
import type { ApiCounters } from '../lab-api/protocol.ts'

const counters = (pricing: number, hits: number, misses: number): ApiCounters => ({
  priceCache: { hits, misses, unusable: 0, unavailable: 0, stale: 0 },
  upstreamCalls: { catalog: 0, inventory: 0, pricing, reviews: 0, categories: 0 },
  inFlight: 0,
  handled: 0,
  cacheReads: 0,
})

describe('startCounterReadings', () => {
  it('reads at the start, every second, and as it stops; a last span under 250 ms joins the one before', async () => {
    const read = async () => counters(0, 0, 0)
    const short = startCounterReadings(read)
    await sleep(1100)
    // The reading at 1 s and the one as it stops would bound a span of ~100 ms: one span of ~1.1 s instead.
    expect((await short.stop()).length).toBe(2)
    const long = startCounterReadings(read)
    await sleep(1600)
    const readings = await long.stop()
    expect(readings.length).toBe(3)
    expect(readings.at(-1)!.atMs - readings.at(-2)!.atMs).toBeGreaterThanOrEqual(250)
  })
})

describe('buildTimeline', () => {
  const readings: CounterReading[] = [
    { atMs: 0, counters: counters(0, 0, 0) },
    { atMs: 1000, counters: counters(3, 10, 3) },
    { atMs: 2000, counters: counters(3, 25, 3) },
    { atMs: 2400, counters: counters(4, 26, 4) },
  ]

  it('puts each answer in the span it came in, counts per span from the readings, and adds up', () => {
    const answers = [
      { atMs: 100, goodMs: 50 },
      { atMs: 900, goodMs: null },
      { atMs: 1000, goodMs: 70 }, // at a reading: the span it ends
      { atMs: 1500, goodMs: 60 },
      { atMs: 2450, goodMs: 80 }, // after the last reading (it came as the reading was taken): the last span
    ]
    const points = buildTimeline(answers, readings)
    expect(points.map((p) => [p.atSeconds, p.seconds, p.answers, p.good, p.failed])).toEqual([
      [1, 1, 3, 2, 1],
      [2, 1, 1, 1, 0],
      [2.4, 0.4, 1, 1, 0],
    ])
    expect(points.map((p) => [p.pricingCalls, p.cacheHits, p.cacheMisses])).toEqual([
      [3, 10, 3],
      [0, 15, 0],
      [1, 1, 1],
    ])
    expect(points[0]!.p50Ms).toBe(60)
    expect(points[0]!.maxMs).toBe(70)
    // p99 is stated from 100 good answers up.
    expect(points[0]!.p99Ms).toBeNull()
    expect(points.reduce((sum, p) => sum + p.answers, 0)).toBe(answers.length)
  })

  it('a failed reading blanks the counts of its two spans, not their answers', () => {
    const failed = readings.map((r, i) => (i === 1 ? { ...r, counters: undefined } : r))
    const points = buildTimeline(
      [
        { atMs: 500, goodMs: 10 },
        { atMs: 1500, goodMs: 10 },
        { atMs: 2100, goodMs: 10 },
      ],
      failed,
    )
    expect(points.map((p) => p.pricingCalls)).toEqual([null, null, 1])
    expect(points.map((p) => p.answers)).toEqual([1, 1, 1])
  })

  it('a level with no answer still shows what the API counted; spans after the last answer join the last point, their counts kept', () => {
    expect(buildTimeline([], readings).map((p) => p.pricingCalls)).toEqual([3, 0, 1])
    // The API drained after the last answer (at 300 ms): its lookups and pricing calls until the last reading are the level's too.
    const [only, ...none] = buildTimeline([{ atMs: 300, goodMs: 10 }], readings)
    expect(none).toEqual([])
    expect([only!.atSeconds, only!.seconds, only!.answers]).toEqual([2.4, 2.4, 1])
    expect([only!.pricingCalls, only!.cacheHits, only!.cacheMisses]).toEqual([4, 26, 4])
  })
})
