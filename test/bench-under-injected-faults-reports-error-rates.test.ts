/**
 * `npm run bench` with faults injected from the scenario: the correctness check and the
 * warm-up run without them, every measurement after runs with them; failed requests are
 * counted (never samples), set against the share the scenario predicts, and shown in
 * every rendering. A variant that never answers is a result, not a crash.
 */
import { readFileSync } from 'node:fs'

import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_FAILURES_IN_A_ROW } from '../bench/measure/plan.ts'
import type { Results } from '../bench/record/results.ts'
import { faultRows } from '../bench/report/report-rows.ts'
import { assertValidResults } from '../bench/record/write-results.ts'
import { drawnCanvases, launchChromium, SKIP_BROWSER } from './helpers/chromium.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { benchRun } from './helpers/bench-run.ts'

interface Run {
  out: string
  exitCode: number | null
  output: string
  results: Results
}

async function bench(args: string[]): Promise<Run> {
  const { out, code: exitCode, output, results } = await benchRun(['--quick', ...args], { prefix: 'lab-faults-' })
  return { out, exitCode, output, results }
}

/** Output read with its line breaks as spaces (the terminal breaks lines at 100 columns). */
const flat = (text: string): string => text.replace(/\s+/g, ' ')

describe.skipIf(SKIP_REDIS)('npm run bench under injected faults', () => {
  let faulty: Run
  let broken: Run

  beforeAll(async () => {
    // One faulty call in 25 for every service; and a pricing service that always fails.
    ;[faulty, broken] = await Promise.all([
      bench(['--variants', 'naive,bulk,parallel', '--faults', 'error=0.03,reset=0.01', '--seed', '5']),
      bench(['--variants', 'bulk,cached', '--pricing-faults', 'error=1']),
    ])
  }, 180_000)

  it('runs to the end with a valid run: every failure is a 502 or 504 from an injected fault', () => {
    expect(faulty.exitCode, faulty.output).toBe(0)
    expect(() => assertValidResults(faulty.results)).not.toThrow()
    expect(faulty.results.valid, faulty.results.problems.join('; ')).toBe(true)
    // The terminal breaks its lines at 100 columns: read with the breaks as spaces.
    expect(flat(faulty.output)).toContain(
      'in the latency phase every failed request failed as injected faults make requests fail (502, 504; 503 from a circuit they opened)',
    )
    expect(faulty.output).toContain('injected faults (off for the correctness check and the warm-up): catalog: error 3 %, reset 1 %;')
    expect(faulty.results.scenario.services.inventory.faults).toEqual({ errorRate: 0.03, hangRate: 0, resetRate: 0.01 })
  })

  it('counts failures apart from the samples, each explained by an injected fault, beside the share expected', () => {
    const { naive, bulk, parallel } = faulty.results.variants
    // 14 calls for naive (10 products), 5 for bulk, 4 for parallel warm: 1 − 0.96^calls.
    expect(naive!.failures.expectedPercent).toBeCloseTo(43.5, 0)
    expect(bulk!.failures.expectedPercent).toBeCloseTo(18.5, 0)
    expect(parallel!.failures.expectedPercent).toBeCloseTo(15.1, 0)
    for (const [name, v] of Object.entries(faulty.results.variants)) {
      const { failures } = v
      expect(failures.requests, name).toBe(v.latency!.samples + failures.failed)
      expect(
        Object.values(failures.statusCodes).reduce((a, b) => a + b, 0),
        name,
      ).toBe(failures.failed)
      expect(
        Object.keys(failures.statusCodes).every((status) => status === '502' || status === '504'),
        name,
      ).toBe(true)
      // A request fails only on an injected fault (parallel can draw two in one request).
      expect(failures.injected, name).toBeGreaterThanOrEqual(failures.failed)
      expect(v.errors, name).toBe(failures.failed + (v.coldFailures?.failed ?? 0))
    }
    // Under load, the failures are answers with their status, never mismatches.
    const naiveLoad = naive!.load[0]!
    expect(naiveLoad.statusCodes['502']).toBeGreaterThan(0)
    expect(naiveLoad.mismatches).toBe(0)
  })

  it('says what the faults did in the terminal and in summary.md', () => {
    expect(flat(faulty.output)).toMatch(
      /Injected faults \(catalog: error 3 %, reset 1 %; .*\)\. Requests failed — naive \d+ % \(\d+ of \d+, expected 44 %/,
    )
    const summary = readFileSync(join(faulty.out, 'summary.md'), 'utf8')
    expect(summary).toContain('## Under injected faults')
    // Calls per request: the model's with the faults (naive stops at its first failed call: fewer than 14) · the mocks'; then the saturation with them.
    expect(summary).toMatch(/\| naive \| (1[0-3]|\d)(\.\d+)? · [\d.]+ \| [^|]+\/s inventory \| 44 % \| \d+ % \(\d+ of \d+\) \|/)
  })

  it('reports a variant that never answers as a result: no latency, every failure counted, no crash', () => {
    expect(broken.exitCode, broken.output).toBe(0)
    expect(() => assertValidResults(broken.results)).not.toThrow()
    const { bulk, cached } = broken.results.variants
    expect(bulk!.latency).toBeNull()
    expect(bulk!.failures).toMatchObject({
      failed: MAX_FAILURES_IN_A_ROW,
      statusCodes: { '502': MAX_FAILURES_IN_A_ROW },
      expectedPercent: 100,
    })
    expect(bulk!.load[0]!.statusCodes).toEqual({ '502': expect.any(Number) as unknown })
    // cached is warm from the warm-up (run without faults), so it never calls pricing: the cache hides the fault.
    expect(cached!.latency).not.toBeNull()
    expect(cached!.failures.failed).toBe(0)
    expect(cached!.failures.expectedPercent).toBe(0)
    expect(cached!.coldLatency).toBeNull()
    // At peak: no good answer, so no latency (not a fast 0 ms), every request failed.
    expect(broken.output).toMatch(/^ {2}bulk +0\.0( ✕)? +— +— +100 % +— *$/m)
    expect(readFileSync(join(broken.out, 'summary.md'), 'utf8')).toMatch(/^\| `bulk` \| 0\.0( ✕)? \| — \| — \| 100 % \| — \|$/m)
  })

  describe.skipIf(SKIP_BROWSER)('report.html in headless Chromium', () => {
    let browser: Awaited<ReturnType<typeof launchChromium>>
    beforeAll(async () => {
      browser = await launchChromium()
    })
    afterAll(() => browser?.close())

    it.each(['faulty', 'broken'])('draws the faults chart and table with no console error (%s run)', async (which) => {
      const run = which === 'faulty' ? faulty : broken
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
      const errors: string[] = []
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text())
      })
      page.on('pageerror', (error) => errors.push(String(error)))
      await page.goto(pathToFileURL(join(run.out, 'report.html')).href, { waitUntil: 'load' })
      expect(errors).toEqual([])
      const faultsChart = (await drawnCanvases(page)).find((canvas) => canvas.id === 'faults-chart')
      expect(faultsChart?.drawn).toBeGreaterThan(500)
      // It draws the shares the tables print (computed once, in report-rows), not shares of its own.
      const datasets = await page.evaluate(() =>
        (
          window as unknown as { Chart: { getChart(id: string): { data: { datasets: Array<{ label: string; data: unknown[] }> } } } }
        ).Chart.getChart('faults-chart')!.data.datasets.map((d) => ({
          label: d.label,
          data: d.data,
        })),
      )
      const warm = faultRows(run.results).filter((r) => !r.cold)
      expect(datasets[0]).toEqual({ label: 'expected to fail', data: warm.map((r) => r.expectedPercent) })
      expect(datasets[1]).toEqual({ label: 'one at a time (warm)', data: warm.map((r) => r.measuredPercent) })
      expect(datasets.slice(2).map((d) => d.data)).toEqual(
        run.results.run.connections.map((c) => warm.map((r) => r.load.find((l) => l.connections === c)!.percent)),
      )
      const rows = await page.$$eval('section:has(#faults-chart) tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''))
      const measured = Object.values(run.results.variants).reduce((n, v) => n + 1 + (v.coldFailures ? 1 : 0), 0)
      expect(rows).toHaveLength(measured)
      expect(await page.textContent('.valid')).toContain(
        'in the latency phase every failed request failed as injected faults make requests fail (502, 504; 503 from a circuit they opened)',
      )
    })
  })
})
