/**
 * A level second by second: the API's counters read every second while it runs, and the
 * answers that came in each span between two readings, for the timeline results.json keeps
 * of every load and sweep level (answers, p50, p99, failures, pricing calls, cache hits and
 * lookups that were not hits). A pricing call is counted when the API begins it, an answer
 * when it comes: where a price list expires under load, the pricing spike comes first and
 * the slow answers follow, one pricing call's time later (1.8 s for a page of 50).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { percentiles, statedPercentile } from './stats.ts'
import { round, roundStated } from '../record/format.ts'
import type { TimelinePoint } from '../record/results.ts'
import type { ApiCounters } from '../../lab-api/protocol.ts'

const TIMELINE_SECOND_MS = 1000
/**
 * A last span shorter than this is folded into the one before: a count over a few ms, as a
 * rate per second, would read as a spike (or a drop to zero) that never happened.
 */
const MIN_LAST_SPAN_MS = 250

/** A reading of the API's counters, `atMs` (from the level's start) when its answer came; undefined when the API did not answer it. */
export interface CounterReading {
  atMs: number
  counters: ApiCounters | undefined
}

/** One answer of a level: when it came (ms from the level's start), and its latency if it was a good one. */
export interface TimedAnswer {
  atMs: number
  goodMs: number | null
}

/**
 * Reads `read` now (the level's start, whose time `startedAt` is) and every second after,
 * until stopped; the last reading is taken as it stops (once, however often stop is called),
 * so the last span is as long as the level ran past its last whole second (at least
 * MIN_LAST_SPAN_MS: a shorter one joins the span before it). Each reading is
 * stamped when its answer came: the counts it holds are those of that moment at the latest.
 * A failed reading is kept as undefined: the two spans it bounds have null counts, their
 * answers still counted.
 */
export function startCounterReadings(
  read: () => Promise<ApiCounters>,
  startedAt = performance.now(),
): { stop(): Promise<CounterReading[]> } {
  const readings: CounterReading[] = []
  const stopped = new AbortController()
  const take = async (): Promise<void> => {
    const counters = await read().catch(() => undefined)
    readings.push({ atMs: performance.now() - startedAt, counters })
  }
  const loop = (async () => {
    await take()
    for (let next = TIMELINE_SECOND_MS; !stopped.signal.aborted; next += TIMELINE_SECOND_MS) {
      const waited = await sleep(Math.max(0, startedAt + next - performance.now()), true, { signal: stopped.signal }).catch(() => false)
      if (!waited) break
      await take()
    }
  })()
  let stopping: Promise<CounterReading[]> | undefined
  return {
    stop: () =>
      (stopping ??= (async () => {
        stopped.abort()
        await loop
        const last = readings.at(-1)
        if (readings.length > 1 && last && performance.now() - startedAt - last.atMs < MIN_LAST_SPAN_MS) readings.pop()
        await take()
        return readings
      })()),
  }
}

/**
 * The answers between each two readings, with what the counters say of that span. A span with
 * no answer after the last answer (the API draining what the load generator dropped at the
 * level's end) is not a point of its own, a drop to zero that never happened: it joins the last
 * point, whose counts run to that later reading, so the points' counts add up to the level's
 * (unless no answer came at all: then every span is a point).
 */
export function buildTimeline(answers: TimedAnswer[], readings: CounterReading[]): TimelinePoint[] {
  const lastAnswerMs = answers.reduce((latest, a) => Math.max(latest, a.atMs), 0)
  const points: TimelinePoint[] = []
  /** The last point's answers and the reading it starts from, to extend it. */
  let last: { answers: TimedAnswer[]; from: CounterReading } | undefined
  const sorted = [...answers].sort((a, b) => a.atMs - b.atMs)
  let i = 0
  for (let k = 1; k < readings.length; k++) {
    const from = readings[k - 1]!
    const to = readings[k]!
    const inSpan: TimedAnswer[] = []
    // The last span takes every answer left (one that came as the final reading was taken).
    while (i < sorted.length && (sorted[i]!.atMs <= to.atMs || k === readings.length - 1)) inSpan.push(sorted[i++]!)
    if (inSpan.length === 0 && answers.length > 0 && from.atMs >= lastAnswerMs && last) {
      points[points.length - 1] = toPoint(last.answers, to.atMs, to.atMs - last.from.atMs, last.from.counters, to.counters)
      continue
    }
    points.push(toPoint(inSpan, to.atMs, to.atMs - from.atMs, from.counters, to.counters))
    last = { answers: inSpan, from }
  }
  return points
}

function toPoint(
  answers: TimedAnswer[],
  atMs: number,
  spanMs: number,
  before: ApiCounters | undefined,
  after: ApiCounters | undefined,
): TimelinePoint {
  const goodMs = answers.flatMap((a) => (a.goodMs === null ? [] : [a.goodMs]))
  const [p50, max] = goodMs.length ? percentiles(goodMs, [50, 100]) : [null, null]
  const notHits = (c: ApiCounters): number => c.priceCache.misses + c.priceCache.unusable + c.priceCache.unavailable
  return {
    atSeconds: round(atMs / 1000, 2),
    seconds: round(spanMs / 1000, 3),
    answers: answers.length,
    good: goodMs.length,
    failed: answers.length - goodMs.length,
    p50Ms: p50 === null ? null : round(p50),
    p99Ms: roundStated(statedPercentile(goodMs, 99)),
    maxMs: max === null ? null : round(max),
    pricingCalls: before && after ? after.upstreamCalls.pricing - before.upstreamCalls.pricing : null,
    cacheHits: before && after ? after.priceCache.hits - before.priceCache.hits : null,
    cacheMisses: before && after ? notHits(after) - notHits(before) : null,
  }
}
