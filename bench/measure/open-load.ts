/**
 * An open-model load generator for the sweep: requests leave on a fixed schedule
 * (rate λ), whether or not earlier ones have come back, as customers arrive at a shop.
 * autocannon cannot do this for a slow endpoint: its overallRate caps the connections
 * at the rate and keeps one request outstanding per connection, which turns a
 * 4-second endpoint into a closed loop of a few requests. Written here for that reason;
 * undici does the HTTP.
 *
 * Every request is recorded: when it was due, when it left (never before it was due; how
 * late it left is the generator's own error, reported), when and how it came back. Latency
 * runs from when a request was due, so a lagging generator cannot hide a slow server. The
 * connections are never capped: each request in flight has its own, so none waits inside
 * the client for one. The level's figures are computed from the records (summarizeOpenLoad).
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises'
import { Pool } from 'undici'
import { cacheOutcome, matchesReference, serverTimingOf } from './answers.ts'
import type { LoadTraffic } from './mix-types.ts'
import { median } from './stats.ts'

export interface OpenLoadOptions {
  origin: string
  path: string
  ratePerSec: number
  durationSeconds: number
  /** A request unanswered after this long counts as a timeout. */
  timeoutMs: number
  /** The body every 200 must match. */
  reference: string
  /** The traffic mix instead of `path`: each request the next of its stream, each 200 checked against the reference for its path. */
  traffic?: LoadTraffic
}

/** One request of a level; times in ms from the level's start (its first request due). */
export interface SentRequest {
  dueMs: number
  sentMs: number
  /** When its answer (or its failure) came; null while in flight. */
  doneMs: number | null
  /** The HTTP status, or how it failed without one. */
  outcome: number | 'timeout' | 'error'
  /** A 200 with the reference body. */
  good: boolean
  /** A 200 whose body differed from the reference. */
  mismatch: boolean
  /** What the answer's Server-Timing said of the price cache: a hit, a lookup that went to pricing, or no lookup. */
  cache: 'hit' | 'miss' | null
}

export interface OpenLoadRun {
  requests: SentRequest[]
  ratePerSec: number
  /** The schedule's length: `durationSeconds`. */
  sendingSeconds: number
  /** The most requests in flight at once: the connections the level needed (and had). */
  maxInFlight: number
  timeoutMs: number
}

export async function runOpenLoad(options: OpenLoadOptions): Promise<OpenLoadRun> {
  const { origin, path, ratePerSec, durationSeconds, timeoutMs, reference, traffic } = options
  // connections: null: a new connection whenever every open one is busy. A cap would make
  // requests beyond it wait inside the client, leaving late and unreported.
  const pool = new Pool(origin, { connections: null, keepAliveTimeout: 60_000 })
  const total = Math.max(1, Math.round(ratePerSec * durationSeconds))
  const interval = 1000 / ratePerSec
  const requests: SentRequest[] = []
  let inFlight = 0
  let maxInFlight = 0
  const started = performance.now()
  const one = async (record: SentRequest): Promise<void> => {
    const next = traffic?.next().path
    try {
      const response = await pool.request({
        method: 'GET',
        path: next === undefined ? path : `${traffic!.prefix}${next}`,
        signal: AbortSignal.timeout(timeoutMs),
      })
      const body = await response.body.text()
      record.outcome = response.statusCode
      if (next !== undefined && response.statusCode === 200) record.cache = cacheOutcome(serverTimingOf(response.headers))
      record.good =
        response.statusCode === 200 && (next === undefined ? body === reference : matchesReference(traffic!.references, next, body))
      record.mismatch = response.statusCode === 200 && !record.good
    } catch (error) {
      record.outcome = (error as Error).name === 'TimeoutError' ? 'timeout' : 'error'
    } finally {
      record.doneMs = performance.now() - started
      inFlight--
    }
  }
  const pending: Promise<void>[] = []
  try {
    for (let i = 0; i < total; i++) {
      const dueMs = i * interval
      const wait = started + dueMs - performance.now()
      // Behind schedule, still yield once: the answers that came in are read before the
      // next request leaves, rather than after a burst of all the overdue ones.
      if (wait > 0) await sleep(wait)
      else await yieldToLoop()
      // A timer can fire early (MEASURED.md): the rest is waited out on the event loop.
      while (performance.now() - started < dueMs) await yieldToLoop()
      const record: SentRequest = {
        dueMs,
        sentMs: performance.now() - started,
        doneMs: null,
        outcome: 'error',
        good: false,
        mismatch: false,
        cache: null,
      }
      requests.push(record)
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      pending.push(one(record))
    }
    await Promise.all(pending)
  } finally {
    await pool.close()
  }
  return { requests, ratePerSec, sendingSeconds: durationSeconds, maxInFlight, timeoutMs }
}

/** A request sent later than this after it was due counts as late. */
export const LATE_MS = 2

/**
 * Above this rise of the latency, per second of sending, a level is still filling a queue:
 * 3 %, the rise an overload of 3 % causes (each second, 3 % more arrives than leaves, and
 * waits 0.03 s longer). An overload of 10 % rises by 0.1 s per second: 0.5 s over a 10 s level.
 */
export const RISING_FRACTION = 0.03
/** A rise smaller than this is noise whatever the level's length. */
const MIN_RISE_MS = 5

export interface OpenLoadSummary {
  sent: number
  /** From the first request sent to the last answer (or failure), in seconds. */
  durationSeconds: number
  /** The steady window: the last three quarters of the schedule (the first is the ramp), in seconds. */
  windowSeconds: number
  /** The rate offered times the share of good answers (200, reference body) among the requests due in the window: never above the rate offered. */
  goodputPerSec: number
  /**
   * The rate at which the requests due in the window were answered well: their good answers
   * in the order they came, the first and last 5 % set aside (at least one each), as the
   * answers between ÷ the time between them. Held, it is the rate
   * offered; past saturation, what the system can deliver: served first in, first out, the
   * window's requests have the bottleneck to themselves from the first answer to the last,
   * while the latency grows. (Answers counted by when they came, over the window, would
   * include some of the ramp, served before the workers were all busy.)
   */
  throughputPerSec: number
  /** The latency (from due to answer) of every good answer, in ms. */
  goodLatenciesMs: number[]
  statusCodes: Record<string, number>
  errors: number
  timeouts: number
  mismatches: number
  /**
   * Median latency of the requests due in the last quarter minus that of the second quarter,
   * in ms; a request that failed counts as the client's timeout, slower than any answer.
   * Null when a quarter had no request.
   */
  latencyRiseMs: number | null
  /** The rise above which the latency is still rising: RISING_FRACTION of the time between the quarters, at least MIN_RISE_MS. */
  risingAboveMs: number
  /** Share of requests sent more than LATE_MS after they were due, in percent, and the latest. */
  latePercent: number
  maxLateMs: number
  maxInFlight: number
}

/** A level's figures, from its records. */
export function summarizeOpenLoad(run: OpenLoadRun): OpenLoadSummary {
  const { requests, ratePerSec, sendingSeconds, maxInFlight, timeoutMs } = run
  const scheduleMs = sendingSeconds * 1000
  const windowStart = scheduleMs / 4
  const windowSeconds = (scheduleMs - windowStart) / 1000
  const statusCodes: Record<string, number> = {}
  let errors = 0
  let timeouts = 0
  let mismatches = 0
  let due = 0
  let goodDue = 0
  const goodDone: number[] = []
  let late = 0
  let maxLateMs = 0
  let lastMs = 0
  const goodLatenciesMs: number[] = []
  for (const r of requests) {
    if (r.outcome === 'timeout') timeouts++
    else if (r.outcome === 'error') errors++
    else statusCodes[String(r.outcome)] = (statusCodes[String(r.outcome)] ?? 0) + 1
    if (r.mismatch) mismatches++
    const lateMs = r.sentMs - r.dueMs
    if (lateMs > LATE_MS) late++
    maxLateMs = Math.max(maxLateMs, lateMs)
    lastMs = Math.max(lastMs, r.doneMs ?? 0)
    const inWindow = r.dueMs >= windowStart && r.dueMs < scheduleMs
    if (inWindow) due++
    if (!r.good || r.doneMs === null) continue
    goodLatenciesMs.push(r.doneMs - r.dueMs)
    if (!inWindow) continue
    goodDue++
    goodDone.push(r.doneMs)
  }
  const firstSent = requests[0]?.sentMs ?? 0
  // A failure is slower than any answer: it counts as the client's timeout.
  const latencyOf = (r: SentRequest): number => (r.good && r.doneMs !== null ? r.doneMs - r.dueMs : timeoutMs)
  const quarter = (from: number, to: number): number[] => requests.filter((r) => r.dueMs >= from && r.dueMs < to).map(latencyOf)
  const second = quarter(scheduleMs / 4, scheduleMs / 2)
  const last = quarter((scheduleMs * 3) / 4, scheduleMs)
  const latencyRiseMs = second.length && last.length ? median(last) - median(second) : null
  return {
    sent: requests.length,
    durationSeconds: Math.max(0, lastMs - firstSent) / 1000,
    windowSeconds,
    goodputPerSec: due ? ratePerSec * (goodDue / due) : 0,
    throughputPerSec: deliveredPerSec(goodDone, windowSeconds),
    goodLatenciesMs,
    statusCodes,
    errors,
    timeouts,
    mismatches,
    latencyRiseMs,
    risingAboveMs: Math.max(MIN_RISE_MS, RISING_FRACTION * (scheduleMs / 2)),
    latePercent: requests.length ? (late / requests.length) * 100 : 0,
    maxLateMs: Math.max(0, maxLateMs),
    maxInFlight,
  }
}

/** Below this many answers, the rate is n ÷ the window: too few to time the spacing between them. */
const MIN_ANSWERS_FOR_SPACING = 10
/** Share of the answers set aside at each end, so one early or late answer cannot move the rate. */
const TRIM = 0.05

/** Answers per second from the time between them, trimmed (see OpenLoadSummary.throughputPerSec); n ÷ the window when there are too few. */
function deliveredPerSec(doneMs: number[], windowSeconds: number): number {
  if (doneMs.length < MIN_ANSWERS_FOR_SPACING) return doneMs.length / windowSeconds
  const sorted = [...doneMs].sort((a, b) => a - b)
  const cut = Math.max(1, Math.floor(sorted.length * TRIM))
  const first = sorted[cut]!
  const last = sorted[sorted.length - 1 - cut]!
  const between = sorted.length - 1 - 2 * cut
  return last > first ? (between / (last - first)) * 1000 : doneMs.length / windowSeconds
}
