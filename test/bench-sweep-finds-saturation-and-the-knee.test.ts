/**
 * `npm run bench -- --sweep` on a scenario with few workers: fixed request rates around
 * each variant's predicted saturation, the queue and the 504s beyond it, and a report
 * whose peak-load charts draw.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { computeSaturation } from '../bench/measure/floors.ts'
import { formatMs } from '../bench/record/format.ts'
import type { Results, SweepLevel } from '../bench/record/results.ts'
import { findKnee } from '../bench/measure/judge.ts'
import { SWEEP_FACTORS } from '../bench/measure/plan.ts'
import { assertValidResults } from '../bench/record/write-results.ts'
import { launchChromium, SKIP_BROWSER } from './helpers/chromium.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { runCli } from './helpers/run-cli.ts'

describe.skipIf(SKIP_REDIS)('npm run bench -- --sweep', () => {
  let out: string
  let results: Results
  let output: string

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'lab-sweep-'))
    const run = runCli('bench/bench.ts', ['--quick', '--sweep', '--workers', '2', '--deadline', '1500', '--variants', 'bulk,parallel', '--duration', '1', '--out', out])
    expect(await run.exit, run.output()).toBe(0)
    output = run.output()
    results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results
  }, 150_000)

  it('predicts each variant\'s saturation from the scenario and offers load around it', () => {
    assertValidResults(results)
    const predicted = computeSaturation(results.scenario, { products: 10, categories: 10 })
    for (const name of ['bulk', 'parallel']) {
      const peak = results.variants[name]!.peakLoad!
      expect(peak.bottleneck).toBe(predicted[name]!.bottleneck)
      expect(peak.predictedPerSec).toBeCloseTo(predicted[name]!.perSec, 1)
      expect(peak.levels).toHaveLength(SWEEP_FACTORS.length)
      peak.levels.forEach((level, i) => expect(level.offeredPerSec).toBeCloseTo(predicted[name]!.perSec * SWEEP_FACTORS[i]!, 1))
      expect(peak.verdict).toContain(`${peak.bottleneck} saturates first`)
      // At twice its saturation, with a 1.5 s deadline, requests miss it: the verdict counts
      // them as the tables write them ("504: 12").
      const top = peak.levels.at(-1)!
      const failed = Object.entries(top.statusCodes).filter(([code]) => !code.startsWith('2'))
      expect(failed.length, name).toBeGreaterThan(0)
      // The tail as the lab may state it: a p99 from 100 answers up, else the max, called that.
      const tail = top.answered >= 100 ? `p99 ${formatMs(top.p99Ms)}` : `max ${formatMs(top.maxMs)}`
      expect(top.p99Ms === null).toBe(top.answered < 100)
      expect(peak.verdict).toContain(`(${failed.map(([code, n]) => `${code}: ${n}`).join(', ')}), ${tail}`)
    }
    // bulk: 2 pricing workers, 0.39 s of pricing per request.
    expect(results.variants.bulk!.peakLoad!.bottleneck).toBe('pricing')
    expect(results.variants.parallel!.peakLoad!.bottleneck).toBe('catalog')
  })

  it('shows the queue and the missed deadlines beyond saturation, and none well below it', () => {
    for (const name of ['bulk', 'parallel']) {
      const peak = results.variants[name]!.peakLoad!
      const lowest = peak.levels[0]!
      const highest = peak.levels.at(-1)!
      expect(lowest.errors + lowest.timeouts + lowest.non2xx, `${name} at half its saturation`).toBe(0)
      expect(highest.upstreams[peak.bottleneck].queued, `${name} at twice its saturation queues`).toBeGreaterThan(0)
      expect(highest.p99Ms ?? highest.maxMs).toBeGreaterThan(lowest.p99Ms ?? lowest.maxMs)
      // Goodput never exceeds what was offered by more than the measuring window's error.
      for (const level of peak.levels) expect(level.goodputPerSec).toBeLessThanOrEqual(level.offeredPerSec * 1.25)
    }
    expect(output).toMatch(/Peak: bulk: pricing saturates first/)
  })

  it.skipIf(SKIP_BROWSER)('draws the peak-load charts in the report', async () => {
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
      expect(await page.textContent('body')).toContain('Peak hours')
      expect(errors).toEqual([])
    } finally {
      await browser.close()
    }
  })
})

describe('findKnee', () => {
  const level = (offeredPerSec: number, failed: number, p99Ms = 100): SweepLevel => ({
    offeredPerSec,
    connections: 10,
    durationSeconds: 10,
    requests: offeredPerSec * 10,
    answered: offeredPerSec * 10,
    goodputPerSec: (offeredPerSec * 10 - failed) / 10,
    p50Ms: 50,
    p99Ms,
    maxMs: p99Ms,
    errors: 0,
    timeouts: 0,
    non2xx: failed,
    statusCodes: failed ? { '200': offeredPerSec * 10 - failed, '502': failed } : { '200': offeredPerSec * 10 },
    mismatches: 0,
    upstreams: {} as SweepLevel['upstreams'],
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
