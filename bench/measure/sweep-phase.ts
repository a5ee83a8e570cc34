/**
 * The peak-load sweep (--sweep): each variant at increasing offered load, as a fixed
 * request rate (an open model, see open-load.ts: a slow server cannot slow the load
 * down), around the saturation predicted from the scenario. Per level: goodput counted
 * by send time and by answer time, latency, failures, whether the latency and the
 * bottleneck's queue were still rising, how late the generator sent, how busy the API's
 * event loop was, and what each mocked service saw (its queue, its 503s, how long its
 * workers were held against the latency configured).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { RISING_FRACTION, runOpenLoad, summarizeOpenLoad } from './open-load.ts'
import type { PhaseContext, Target } from './phase-context.ts'
import { apiLoopBetween, judgeSelfCheck, startSelfCheck } from './self-check.ts'
import { percentiles, statedPercentile } from './stats.ts'
import { nonOkStatuses, round, roundStated } from '../record/format.ts'
import type { SweepLevel } from '../record/results.ts'
import type { SweepPlan } from './plan.ts'
import { SERVICE_NAMES, type ServiceName } from '../../scenario/types.ts'
import { eventLoopMsBetween, trafficFigures } from './level-figures.ts'
import { buildTimeline, startCounterReadings } from './timeline.ts'

/** How often the bottleneck's queue is read during a level. */
const QUEUE_SAMPLE_MS = 250
/** A queue that grew by less than this many calls is not rising, whatever the rate. */
const MIN_QUEUE_RISE = 1

/** Each swept variant at each planned rate, from a freshly filled cache; the levels measured, per variant. */
export async function runSweepPhase(context: PhaseContext, deadlineMs: number, sweeps: SweepPlan[]): Promise<Record<string, SweepLevel[]>> {
  const measured: Record<string, SweepLevel[]> = {}
  for (const { variant, predicted, levels } of sweeps) {
    // The predicted saturation is the warm mix's: the sweep starts with every price list cached.
    await context.fillMix(variant)
    measured[variant] = []
    for (const [index, level] of levels.entries()) {
      // Every variant's level at the same share of its saturation is sent the same sequence of the mix.
      const measure = (): Promise<SweepLevel> =>
        measureSweepLevel({ ...context, deadlineMs }, variant, predicted.bottleneck, level.offeredPerSec, level.seconds, `sweep:${index}`)
      measured[variant].push(await context.run(level.step, measure))
    }
  }
  return measured
}

export async function measureSweepLevel(
  context: Pick<Target, 'api' | 'upstreams' | 'path' | 'reference' | 'redisPid' | 'traffic'> & { deadlineMs: number },
  variant: string,
  bottleneck: ServiceName,
  offeredPerSec: number,
  durationSeconds: number,
  /** The mix's stream this level sends (the same for every variant's level at the same index). */
  stream: string,
): Promise<SweepLevel> {
  const { api, upstreams, path, reference, deadlineMs } = context
  // A level does not pay for the garbage of the ones before it.
  await api.collectGarbage()
  await upstreams.resetStats()
  const before = await api.usage()
  const watch = await startSelfCheck({ api, upstreams, redisPid: context.redisPid })
  const traffic =
    context.traffic?.mix.kind === 'mix'
      ? { prefix: `/${variant}`, next: context.traffic.mix.stream(stream), references: context.traffic.references }
      : undefined
  const startedAt = performance.now()
  const sampling = sampleQueue(upstreams, bottleneck, durationSeconds)
  const readings = startCounterReadings(() => api.counters())
  const run = await runOpenLoad({
    origin: api.url,
    path: `/${variant}${path}`,
    ratePerSec: offeredPerSec,
    durationSeconds,
    timeoutMs: deadlineMs + 5000,
    reference,
    traffic,
  })
  // A request the generator timed out may still run in the API: the level ends when the API is idle.
  await api.drained()
  const timeline = buildTimeline(
    run.requests.map((r) => ({ atMs: r.doneMs ?? r.sentMs, goodMs: r.good && r.doneMs !== null ? r.doneMs - r.dueMs : null })),
    await readings.stop(),
  )
  const queue = await sampling
  const reading = await watch.stop()
  const after = await api.usage()
  const elapsedMs = performance.now() - startedAt
  const stats = await settledStats(upstreams)
  const level = summarizeOpenLoad(run)

  const eventLoopMs = eventLoopMsBetween(before, after)
  // No good answer at all within the level: 0, as before any answer came.
  const [p50, max] = level.goodLatenciesMs.length ? percentiles(level.goodLatenciesMs, [50, 100]) : [0, 0]
  const non2xx = Object.values(nonOkStatuses(level.statusCodes)).reduce((sum, n) => sum + n, 0)
  return {
    offeredPerSec: round(offeredPerSec),
    connections: Math.max(1, level.maxInFlight),
    durationSeconds: round(level.durationSeconds),
    requests: level.sent,
    goodputPerSec: round(level.goodputPerSec),
    throughputPerSec: round(level.throughputPerSec),
    windowSeconds: round(level.windowSeconds),
    answered: level.goodLatenciesMs.length,
    p50Ms: round(p50),
    p99Ms: roundStated(statedPercentile(level.goodLatenciesMs, 99)),
    maxMs: round(max),
    errors: level.errors,
    timeouts: level.timeouts,
    non2xx,
    statusCodes: level.statusCodes,
    mismatches: level.mismatches,
    ...risingFigures(level, queue, offeredPerSec, durationSeconds),
    latePercent: round(level.latePercent, 1),
    maxLateMs: round(level.maxLateMs),
    // Over the same span as the CPU reading: from before the first request to after the last answer.
    apiEventLoopPercent: eventLoopMs === null || elapsedMs <= 0 ? null : round(Math.min(100, (eventLoopMs / elapsedMs) * 100), 1),
    upstreams: upstreamFigures(stats),
    selfCheck: judgeSelfCheck(reading, apiLoopBetween(before.eventLoop, after.eventLoop), stats, round(level.latePercent, 1)),
    ...trafficFigures(
      run.requests.flatMap((r) => (r.good && r.doneMs !== null ? [{ ms: r.doneMs - r.dueMs, cache: r.cache }] : [])),
      before,
      after,
      level.durationSeconds,
      timeline,
    ),
  }
}

/** Whether the level's latency or the bottleneck's queue was still rising, judged on the figures as stated (never "1.7 against 1.7, still rising"). */
function risingFigures(
  level: Pick<ReturnType<typeof summarizeOpenLoad>, 'latencyRiseMs' | 'risingAboveMs'>,
  queue: Array<[number, number]>,
  offeredPerSec: number,
  durationSeconds: number,
): Pick<SweepLevel, 'latencyRiseMs' | 'latencyRisingAboveMs' | 'queueRise' | 'queueRisingAbove' | 'rising'> {
  const latencyRiseMs = level.latencyRiseMs === null ? null : round(level.latencyRiseMs)
  const latencyRisingAboveMs = round(level.risingAboveMs)
  const rise = riseOf(queue, durationSeconds * 1000)
  const queueRise = rise === null ? null : round(rise, 1)
  const queueRisingAbove = round(Math.max(MIN_QUEUE_RISE, RISING_FRACTION * offeredPerSec * (durationSeconds / 2)), 1)
  const rising = (latencyRiseMs ?? 0) > latencyRisingAboveMs || (queueRise ?? 0) > queueRisingAbove
  return { latencyRiseMs, latencyRisingAboveMs, queueRise, queueRisingAbove, rising }
}

/** What each mocked service saw during the level: its calls, queue and 503s, and how long its workers were held per call against the latency configured. */
function upstreamFigures(stats: Awaited<ReturnType<typeof settledStats>>): SweepLevel['upstreams'] {
  return Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const s = stats.services[name]
      const perCall = (ms: number): number | null => (s.timedCalls ? round(ms / s.timedCalls) : null)
      return [
        name,
        {
          calls: s.calls,
          served: s.served,
          rejected: s.rejected,
          cancelled: s.cancelled,
          maxBusy: s.maxBusy,
          queued: s.queued,
          longestWaitMs: s.longestWaitMs,
          heldMsPerCall: perCall(s.heldMs),
          configuredMsPerCall: perCall(s.configuredMs),
        },
      ]
    }),
  ) as SweepLevel['upstreams']
}

/**
 * The bottleneck's queue length, read every QUEUE_SAMPLE_MS while the level sends: [ms since
 * the start, calls waiting]. A read that fails is a missing sample, never the level's end;
 * a read that comes after the schedule is over is not taken.
 */
async function sampleQueue(
  upstreams: Target['upstreams'],
  service: ServiceName,
  durationSeconds: number,
): Promise<Array<[number, number]>> {
  const samples: Array<[number, number]> = []
  const started = performance.now()
  const endMs = durationSeconds * 1000
  for (let at = QUEUE_SAMPLE_MS; at <= endMs; at += QUEUE_SAMPLE_MS) {
    if (performance.now() - started > endMs) break
    await sleep(Math.max(0, started + at - performance.now()))
    try {
      const waiting = (await upstreams.stats()).services[service].waiting
      samples.push([performance.now() - started, waiting])
    } catch {
      // A swamped mock that did not answer in time: this reading is missing.
    }
  }
  return samples
}

/** Longest the mocks are given to finish the calls still out (the API aborts them once it answers) before their counters are read. */
const SETTLE_MS = 2000

/** The mocks' counters once no call is in flight, so calls = served + rejected + cancelled; as they are after SETTLE_MS otherwise. */
async function settledStats(upstreams: Target['upstreams']): Promise<Awaited<ReturnType<Target['upstreams']['stats']>>> {
  const until = performance.now() + SETTLE_MS
  for (;;) {
    const stats = await upstreams.stats()
    if (SERVICE_NAMES.every((name) => stats.services[name].inFlight === 0) || performance.now() > until) return stats
    await sleep(20)
  }
}

/** The mean of the samples in the last quarter minus that of the second quarter; null when a quarter has none. */
function riseOf(samples: Array<[number, number]>, scheduleMs: number): number | null {
  const mean = (from: number, to: number): number | null => {
    const inside = samples.filter(([at]) => at >= from && at < to).map(([, n]) => n)
    return inside.length ? inside.reduce((a, b) => a + b, 0) / inside.length : null
  }
  const second = mean(scheduleMs / 4, scheduleMs / 2)
  const last = mean((scheduleMs * 3) / 4, scheduleMs + 1)
  return second === null || last === null ? null : last - second
}
