/**
 * `npm run bench -- --sweep`: fixed request rates around each variant's predicted
 * saturation. bulk is never held above its hard capacity and its saturation is measured
 * within 5 % of it, twice; beyond saturation the queues fill, the 503s and 504s come, and the
 * mocks' counters add up; the report's peak-load charts draw. Runs alone (vitest.config.ts): its
 * claims are of the code's capacity, and with another file's bench beside its two sweeps the
 * machine was 93–99 % busy, the harness's event loop 150–230 ms late, and every level rightly
 * flagged lab-bound (a full run, 2026-12-07): the machine's figures, not the code's.
 */
import { writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { computeFloors, computeSaturation } from './helpers/story-oracle.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import { formatMs } from '../bench/record/format.ts'
import type { Results, SweepLevel } from '../bench/record/results.ts'
import { findKnee, judgePeak } from '../bench/measure/judge.ts'
import { SWEEP_FACTORS } from '../bench/measure/plan.ts'
import { assertValidResults } from '../bench/record/write-results.ts'
import { launchChromium, SKIP_BROWSER } from './helpers/chromium.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { benchRun } from './helpers/bench-run.ts'

/**
 * The scenario of these runs: pricing keeps its 16 workers and takes 40 + 175 × 10 = 1,790 ms
 * for a page of 10 (--quick), so bulk's hard capacity is 16 ÷ 1.79 s = 8.94 req/s, the figure
 * of the story's full page. Its queue holds 8 calls: past 1.5 × capacity it fills within a
 * level, and pricing refuses calls with 503.
 */
const SCENARIO = { services: { pricing: { perItemMs: 175, queueLimit: 8 } } }
const BULK_CAPACITY = 16 / 1.79

describe.skipIf(SKIP_REDIS)('npm run bench -- --sweep', () => {
  let out: string
  let results: Results
  let again: Results
  let output: string

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'lab-sweep-'))
    const scenarioFile = join(out, 'scenario.json')
    writeFileSync(scenarioFile, JSON.stringify(SCENARIO))
    // Two runs of the same sweep: its knee and its saturation must not be luck. They run
    // side by side (bulk's load is a few requests a second, mostly waiting), each with its
    // own stack and Redis.
    // The story's one request (--traffic single): the capacity these tests hold the sweep to is its page's.
    const args = [
      '--quick',
      '--sweep',
      '--traffic',
      'single',
      '--scenario',
      scenarioFile,
      '--variants',
      'bulk',
      '--deadline',
      '3000',
      '--duration',
      '1',
    ]
    const runs = await Promise.all([out, join(out, 'again')].map((dir) => benchRun(args, { out: dir })))
    for (const run of runs) expect(run.code, run.output).toBe(0)
    output = runs[0]!.output
    ;[results, again] = runs.map((run) => run.results) as [Results, Results]
  }, 240_000)

  it("predicts bulk's saturation from the scenario and offers load around it", () => {
    assertValidResults(results)
    assertValidResults(again)
    const predicted = computeSaturation(results.scenario, { products: 10, categories: 10 }).bulk!
    const peak = results.variants.bulk!.peakLoad!
    expect(peak.bottleneck).toBe('pricing')
    expect(predicted.bottleneck).toBe('pricing')
    expect(peak.predictedPerSec).toBeCloseTo(predicted.perSec, 2)
    expect(peak.predictedPerSec).toBeCloseTo(BULK_CAPACITY, 2)
    expect(peak.levels).toHaveLength(SWEEP_FACTORS.length)
    peak.levels.forEach((level, i) => expect(level.offeredPerSec).toBeCloseTo(predicted.perSec * SWEEP_FACTORS[i]!, 1))
    expect(peak.verdict).toContain('pricing saturates first')
    // At twice its saturation requests fail: the verdict counts them as the tables write them ("504: 12").
    const top = peak.levels.at(-1)!
    const failed = Object.entries(top.statusCodes).filter(([code]) => !code.startsWith('2'))
    expect(failed.length).toBeGreaterThan(0)
    // The tail as the lab may state it: a p99 from 100 answers up, else the max, called that.
    const tail = top.answered >= 100 ? `p99 ${formatMs(top.p99Ms)}` : `max ${formatMs(top.maxMs)}`
    expect(top.p99Ms === null).toBe(top.answered < 100)
    expect(peak.verdict).toContain(`(${failed.map(([code, n]) => `${code}: ${n}`).join(', ')}), ${tail}`)
  })

  it('never holds bulk above its hard capacity of 16 ÷ 1.79 s, measures it within 5 %, and two runs agree', () => {
    for (const run of [results, again]) {
      const peak = run.variants.bulk!.peakLoad!
      // A knee was found (a level below capacity was held), and it is below the capacity.
      expect(peak.kneePerSec, JSON.stringify(peak.levels.map((l) => [l.offeredPerSec, l.rising, l.p99Ms]))).not.toBeNull()
      expect(peak.kneePerSec!).toBeLessThanOrEqual(BULK_CAPACITY)
      expect(peak.measuredPerSec).toBeGreaterThanOrEqual(BULK_CAPACITY * 0.95)
      expect(peak.measuredPerSec).toBeLessThanOrEqual(BULK_CAPACITY * 1.05)
      // 1.1 × capacity: every request may still be answered within the level, but the queue
      // and the latency grow the whole time: not held.
      const over = peak.levels.find((l) => l.offeredPerSec > BULK_CAPACITY)!
      expect(over.rising, JSON.stringify(over)).toBe(true)
      expect(over.latencyRiseMs!).toBeGreaterThan(over.latencyRisingAboveMs)
      // Below capacity nothing rises (the arrivals are regular, the service time fixed).
      for (const l of peak.levels.filter((l) => l.offeredPerSec < BULK_CAPACITY)) expect(l.rising, JSON.stringify(l)).toBe(false)
      // A figure above W / D is never given without a warning naming why.
      if (peak.measuredPerSec > BULK_CAPACITY) expect(peak.warnings.join(' ')).toMatch(/above the hard capacity/)
      else expect(peak.warnings.join(' ')).not.toMatch(/above the hard capacity/)
    }
    const [first, second] = [results, again].map((run) => run.variants.bulk!.peakLoad!)
    expect(second!.kneePerSec).toBe(first!.kneePerSec)
    expect(Math.abs(second!.measuredPerSec - first!.measuredPerSec)).toBeLessThanOrEqual(BULK_CAPACITY * 0.05)
  })

  it('counts goodput by send time, never above what was offered, and delivered by answer time', () => {
    for (const run of [results, again]) {
      const peaks = Object.values(run.variants).flatMap((v) => (v.peakLoad ? [v.peakLoad] : []))
      expect(peaks.length).toBeGreaterThan(0)
      for (const peak of peaks) {
        expect(peak.levels.length).toBeGreaterThan(0)
        for (const level of peak.levels) {
          // At most one request more than the rate × the window can be sent in the window.
          expect(level.goodputPerSec).toBeLessThanOrEqual(level.offeredPerSec + 1 / level.windowSeconds)
          expect(level.requests).toBe(Math.round(level.offeredPerSec * (level.windowSeconds / 0.75)))
          // The open load keeps its schedule, or the level says it did not: more than 5 % sent late is lab-bound.
          expect(
            level.latePercent <= 5 || level.selfCheck.labBound.some((reason) => reason.includes('sent') && reason.includes('late')),
            `${level.latePercent} % late, ${level.selfCheck.labBound.join('; ')}`,
          ).toBe(true)
        }
        // Past saturation what is delivered is the capacity, not what was offered.
        const top = peak.levels.at(-1)!
        expect(top.throughputPerSec).toBeLessThan(top.offeredPerSec * 0.8)
      }
    }
  })

  it("fills pricing's queue past its capacity, gets its 503s through the API's pool, and the mocks' counters add up", () => {
    const peak = results.variants.bulk!.peakLoad!
    const top = peak.levels.at(-1)!
    // 16 workers and 8 places in line; 2 × 8.94 req/s offered against 8.94 served: the queue fills.
    expect(top.upstreams.pricing.rejected).toBeGreaterThan(0)
    expect(top.statusCodes['502'], 'the API names the upstream that refused').toBeGreaterThan(0)
    expect(peak.verdict).toMatch(/refused with 503, its queue full/)
    for (const run of [results, again]) {
      for (const level of run.variants.bulk!.peakLoad!.levels) {
        for (const [service, u] of Object.entries(level.upstreams)) {
          expect(u.served + u.rejected + u.cancelled, `${service} at ${level.offeredPerSec} req/s`).toBe(u.calls)
        }
      }
    }
  })

  it('shows the queue and the failures beyond saturation, and none well below it', () => {
    const peak = results.variants.bulk!.peakLoad!
    const lowest = peak.levels[0]!
    const highest = peak.levels.at(-1)!
    expect(lowest.errors + lowest.timeouts + lowest.non2xx, 'at half its saturation').toBe(0)
    expect(highest.upstreams.pricing.queued, 'at twice its saturation, calls queue').toBeGreaterThan(0)
    expect(highest.upstreams.pricing.longestWaitMs).toBeGreaterThan(lowest.upstreams.pricing.longestWaitMs)
    expect(output).toMatch(/Peak: bulk: pricing saturates first/)
  })

  it.skipIf(SKIP_BROWSER)('draws the peak-load charts in the report, and the level table says what rose', async () => {
    const browser = await launchChromium()
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(String(error)))
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text())
      })
      await page.goto(pathToFileURL(join(out, 'report.html')).href)
      for (const id of ['goodput-chart', 'sweep-p99-chart']) {
        const drawn = await page.$eval(`#${id}`, (canvas) => {
          const c = canvas as HTMLCanvasElement
          const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
          let n = 0
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) n++
          return n
        })
        expect(drawn, id).toBeGreaterThan(500)
      }
      const body = (await page.textContent('body'))!
      expect(body).toContain('Peak hours')
      expect(body).toContain('still rising')
      expect(errors).toEqual([])
    } finally {
      await browser.close()
    }
  })
})

/** A self-check with nothing saturated: the figures are the code's. */
const QUIET: SweepLevel['selfCheck'] = {
  cpuPercent: { harness: 20, api: 30, upstreams: 25, redis: 1 },
  machineCpuPercent: 40,
  hostCpuPercent: { api: null, upstreams: null },
  eventLoop: {
    harness: { utilizationPercent: 20, delayP99Ms: 11 },
    api: { utilizationPercent: 30, delayP99Ms: 11 },
    upstreams: { utilizationPercent: 25, delayP99Ms: 11 },
  },
  mockOvershoot: { calls: 100, p50Ms: 0.1, p99Ms: 0.4, meanConfiguredMs: 40 },
  mockCpuMsPerCall: 0.4,
  labBound: [],
}

/** A level of the story's one request: no lookups to count. */
const NO_TRAFFIC = { meanMs: 100, meanHitMs: null, meanMissMs: null, priceCache: null, hitRatio: null, pricingCallsPerSec: 0, timeline: [] }

describe('findKnee', () => {
  const level = (offeredPerSec: number, failed: number, p99Ms = 100): SweepLevel => ({
    ...NO_TRAFFIC,
    offeredPerSec,
    connections: 10,
    durationSeconds: 10,
    requests: offeredPerSec * 10,
    answered: offeredPerSec * 10,
    goodputPerSec: (offeredPerSec * 10 - failed) / 10,
    throughputPerSec: (offeredPerSec * 10 - failed) / 10,
    windowSeconds: 7.5,
    latencyRiseMs: 0,
    latencyRisingAboveMs: 150,
    queueRise: 0,
    queueRisingAbove: 1,
    rising: false,
    latePercent: 0,
    maxLateMs: 0.5,
    apiEventLoopPercent: 50,
    p50Ms: 50,
    p99Ms,
    maxMs: p99Ms,
    errors: 0,
    timeouts: 0,
    non2xx: failed,
    statusCodes: failed ? { '200': offeredPerSec * 10 - failed, '502': failed } : { '200': offeredPerSec * 10 },
    mismatches: 0,
    upstreams: {} as SweepLevel['upstreams'],
    selfCheck: QUIET,
  })

  it('without faults, a level with a single failure is past the knee', () => {
    expect(findKnee([level(10, 0), level(20, 1)], 200)?.offeredPerSec).toBe(10)
    expect(findKnee([level(10, 0), level(20, 0, 300)], 200)?.offeredPerSec).toBe(10)
  })

  it('with too few answers for a p99, holds a level only if its slowest answer is under the target', () => {
    const few = (maxMs: number): SweepLevel => ({ ...level(5, 0), answered: 50, p99Ms: null, maxMs })
    expect(findKnee([level(2, 0), few(150)], 200)?.offeredPerSec).toBe(5)
    expect(findKnee([level(2, 0), few(250)], 200)?.offeredPerSec).toBe(2)
  })

  it('under injected faults, tolerates the failures they explain and no more', () => {
    // 10 % expected to fail: 200 requests may fail 20 + 3 × √18 ≈ 32.7 times.
    expect(findKnee([level(10, 9), level(20, 30)], 200, 0.1)?.offeredPerSec).toBe(20)
    expect(findKnee([level(10, 9), level(20, 40)], 200, 0.1)?.offeredPerSec).toBe(10)
  })
})

describe('judgePeak', () => {
  const scenario = resolveScenario()
  const page = { products: 50, categories: 41 }
  const floor = {
    ...computeFloors(scenario, page).naive!,
    maxInFlight: 1,
    coldMaxInFlight: 1,
    callsAtOnceOnPath: [],
    stages: [],
    coldStages: [],
  }
  const predicted = computeSaturation(scenario, page).naive!
  const held = (offeredPerSec: number): SweepLevel => ({
    ...NO_TRAFFIC,
    offeredPerSec,
    connections: 30,
    durationSeconds: 20,
    requests: offeredPerSec * 17,
    answered: offeredPerSec * 17,
    goodputPerSec: offeredPerSec,
    throughputPerSec: offeredPerSec,
    windowSeconds: 12.75,
    latencyRiseMs: 0,
    latencyRisingAboveMs: 255,
    queueRise: 0,
    queueRisingAbove: 1,
    rising: false,
    latePercent: 0,
    maxLateMs: 1,
    apiEventLoopPercent: 5,
    p50Ms: 4000,
    p99Ms: 4100,
    maxMs: 4100,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    statusCodes: { '200': offeredPerSec * 17 },
    mismatches: 0,
    upstreams: Object.fromEntries(
      ['catalog', 'inventory', 'pricing', 'reviews', 'categories'].map((name) => [
        name,
        {
          calls: 1,
          served: 1,
          rejected: 0,
          cancelled: 0,
          maxBusy: 16,
          queued: 0,
          longestWaitMs: 0,
          heldMsPerCall: 40,
          configuredMsPerCall: 40,
        },
      ]),
    ) as SweepLevel['upstreams'],
    selfCheck: QUIET,
  })

  it('calls a saturation measured at a level that was held a lower bound, naming the level that was not', () => {
    const collapsed: SweepLevel = {
      ...held(8.8),
      goodputPerSec: 0.2,
      throughputPerSec: 0.2,
      rising: true,
      non2xx: 140,
      statusCodes: { '200': 10, '504': 140 },
    }
    const peak = judgePeak('naive', scenario, predicted, floor, 0, [held(4), held(7.2), collapsed])
    expect(peak.measuredPerSec).toBe(7.2)
    expect(peak.kneePerSec).toBe(7.2)
    expect(peak.verdict).toContain('at least 7.2 measured (the most offered that was held; at 8.8 req/s it was not)')
    expect(peak.warnings).toEqual([])
  })

  it('says lab-bound, not CPU-bound, when the self-check saw the lab saturated, and warns at that level', () => {
    const slow = held(7.2)
    slow.upstreams.inventory = { ...slow.upstreams.inventory, heldMsPerCall: 46, configuredMsPerCall: 40 }
    slow.selfCheck = { ...QUIET, machineCpuPercent: 97.5, labBound: ["the machine's CPU was 97.5 % busy (limit 90 %)"] }
    const peak = judgePeak('naive', scenario, predicted, floor, 0, [held(4), slow])
    expect(peak.verdict).toContain(
      "Lab-bound: at 7.2 req/s offered, the machine's CPU was 97.5 % busy (limit 90 %): the measured saturation is the machine's, not the code's.",
    )
    expect(peak.verdict).not.toContain('CPU-bound')
    expect(peak.warnings).toEqual([
      "At 7.2 req/s offered, lab-bound: the machine's CPU was 97.5 % busy (limit 90 %). That level's figures are the machine's, not the code's.",
    ])
  })

  it("says CPU-bound when the bottleneck's workers were held longer than configured", () => {
    const slow = held(7.2)
    slow.upstreams.inventory = { ...slow.upstreams.inventory, heldMsPerCall: 46, configuredMsPerCall: 40 }
    const peak = judgePeak('naive', scenario, predicted, floor, 0, [held(4), slow])
    expect(peak.verdict).toContain(
      "CPU-bound: at 7.2 req/s offered, inventory's workers were held 46.0 ms per call against 40.0 ms configured (+15 %)",
    )
  })
})
