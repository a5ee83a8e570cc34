/**
 * `npm run bench -- --quick`, end to end: it measures the story in order, writes
 * results.json that matches its schema, summary.md, and a report.html that renders in
 * a real headless Chromium with every chart drawn and no console error.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeFloors } from './helpers/story-oracle.ts'
import { createDataset } from '../mock-upstreams/data.ts'
import { renderSummaryMarkdown } from '../bench/report/render-markdown.ts'
import { renderReport } from '../bench/report/render-report.ts'
import { renderTerminalSummary } from '../bench/report/render-terminal.ts'
import type { Results, VariantResult } from '../bench/record/results.ts'
import { formatMs } from '../bench/record/format.ts'
import { lesson } from '../bench/report/lesson.ts'
import { assertValidResults } from '../bench/record/write-results.ts'
import { drawnCanvases, launchChromium, SKIP_BROWSER } from './helpers/chromium.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { benchRun } from './helpers/bench-run.ts'

describe.skipIf(SKIP_REDIS)('npm run bench -- --quick', () => {
  let out: string
  let exitCode: number | null
  let output: string
  let results: Results

  beforeAll(async () => {
    // A Redis command timeout no busy moment of the machine reaches (2 s for a GET): the warm-cache checks are unconditional.
    ;({ out, code: exitCode, output, results } = await benchRun(['--quick', '--cache-timeout', '2000'], { prefix: 'lab-bench-' }))
  }, 120_000)

  it('exits 0, shows progress and prints the lesson: the verdict, what each fix buys, the top load level, how far to trust it', () => {
    expect(exitCode, output).toBe(0)
    expect(output).toMatch(/\[latency\] naive, \d+ samples · step \d+\/\d+ · ~\d+s left/)
    expect(output).toMatch(/\[load\] parallel, 10 connections/)
    expect(output).toContain(lesson(results)!.verdict.split(' ').slice(0, 4).join(' '))
    expect(output).toMatch(/^ {2}#1 \w+ +the /m)
    expect(output).toMatch(/^ {3}— naive +start +/m)
    expect(output).toMatch(/^At 10 connections:$/m)
    expect(output).toMatch(/^ {2}parallel +\d+\.\d/m)
    expect(output).toContain('How far to trust it: 1 run;')
    expect(output).toContain('Valid run')
  })

  it('prints at most about 30 lines, none wider than 100 columns, from the verdict to where the report is', () => {
    const summary = output.slice(output.lastIndexOf('[load]'))
    const lines = summary
      .split('\n')
      .slice(1)
      .filter((line, i, all) => i < all.length - 1 || line !== '')
    expect(lines.at(-1)).toMatch(/^Wrote .*report\.html/)
    expect(lines.length, summary).toBeLessThanOrEqual(32)
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(100)
  })

  it('writes results.json that matches its schema, with every variant measured', () => {
    expect(() => assertValidResults(results)).not.toThrow()
    expect(results.valid).toBe(true)
    expect(results.run.quick).toBe(true)
    expect(Object.keys(results.variants)).toEqual(['naive', 'bulk', 'cached', 'parallel', 'item-cache', 'resilient', 'swr', 'dataloader'])
    expect(results.environment.cacheBackend).toBe('redis')
    expect(results.environment.cpuCount).toBeGreaterThan(0)
  })

  it("self-checks every load level: each process's CPU, the machine's, the event loops and the mocks' overshoot", () => {
    for (const [name, v] of Object.entries(results.variants)) {
      for (const level of v.load) {
        const check = level.selfCheck
        // On Linux every reading is there; the lab started this Redis, so its CPU is read too.
        for (const process of ['harness', 'api', 'upstreams', 'redis'] as const)
          expect(check.cpuPercent[process], `${name} ${process}`).not.toBeNull()
        expect(check.machineCpuPercent, name).not.toBeNull()
        expect(check.eventLoop.api, name).not.toBeNull()
        expect(check.eventLoop.upstreams, name).not.toBeNull()
        // Every request's calls were held by a mock: at least one served call per request answered.
        expect(check.mockOvershoot!.calls, name).toBeGreaterThanOrEqual(level.answered)
        // The API worked: its CPU was above nothing; a reason, when there is one, is a sentence.
        expect(check.cpuPercent.api!, name).toBeGreaterThan(0)
        for (const reason of check.labBound) expect(reason).toMatch(/limit/)
      }
    }
  })

  it('is checked by a schema that rejects what the contract does not allow', () => {
    const broken = (change: (copy: Results) => void): unknown => {
      const copy = structuredClone(results)
      change(copy)
      return copy
    }
    const rejects = (why: string, document: unknown) => expect(() => assertValidResults(document), why).toThrow(/does not match its schema/)
    rejects(
      'an older schemaVersion',
      broken((r) => Object.assign(r, { schemaVersion: 2 })),
    )
    rejects(
      'a field the contract does not have',
      broken((r) => Object.assign(r.variants.naive!, { surprise: 1 })),
    )
    rejects(
      'a missing field',
      broken((r) => delete (r.variants.bulk as Partial<VariantResult>).floorMs),
    )
    rejects(
      'a negative count',
      broken((r) => (r.variants.cached!.errors = -1)),
    )
    rejects(
      'a status count that is not a count, under a key with a line break',
      broken((r) => Object.assign(r.variants.parallel!.failures.statusCodes, { '50\n2': 'x' })),
    )
    rejects(
      'a stage that does not exist',
      broken((r) => r.variants.parallel!.stages.push({ name: 'lunch' as 'catalog', startMs: 0, durationMs: 1 })),
    )
    rejects(
      'no variant at all',
      broken((r) => (r.variants = {})),
    )
  })

  it("does not lend a --quick run the default scenario's calibrated times: the lede says what the run changed", async () => {
    const page = readFileSync(join(out, 'report.html'), 'utf8')
    expect(results.scenario.description).toContain('calibrated to the story')
    expect(page).not.toContain(results.scenario.description)
    expect(page).toContain(
      'Scenario &#34;seed&#34;, 10 products per page (--quick): not the story&#39;s calibrated scenario, so not its times.',
    )
  })

  it('says what "valid" checked, and beside it how many requests failed under load', async () => {
    // The terminal breaks its lines at 100 columns: its sentences are read with the breaks as spaces.
    const flat = (text: string) => text.replace(/\s+/g, ' ')
    const clean = [renderTerminalSummary(results), renderSummaryMarkdown(results), await renderReport(results)].map(flat)
    for (const text of clean)
      expect(text).toContain('Valid run: every 200 carried the body all 8 variants agreed on, and no request failed in the latency phase.')
    // That nothing failed under load: in summary.md and the report; the terminal, kept to the lesson, speaks of failures only.
    for (const text of clean.slice(1)) expect(text).toMatch(/Under load, every one of \d+ requests was answered 2xx\./)
    expect(clean[0]).not.toMatch(/Under load/)
    // The same run, had naive's level answered 504 six times and timed out twice.
    const collapsed = structuredClone(results)
    const level = collapsed.variants.naive!.load[0]!
    Object.assign(level, { requests: level.requests, non2xx: 6, timeouts: 2, statusCodes: { '200': level.requests - 6, '504': 6 } })
    const sent = Object.values(results.variants).reduce((sum, v) => sum + v.load.reduce((n, l) => n + l.requests, 0), 0) + 2
    for (const text of [renderTerminalSummary(collapsed), renderSummaryMarkdown(collapsed), await renderReport(collapsed)].map(flat)) {
      expect(text).not.toContain('every response answered 200')
      expect(text).toContain(`Under load, 8 of ${sent} requests failed (504: 6, no answer: 2): naive 8.`)
    }
    // One variant: its bodies were compared with nothing but its own first answer, and it says so.
    const alone = structuredClone(results)
    alone.run.variants = ['parallel']
    expect(flat(renderTerminalSummary(alone))).toContain(
      "every 200 carried the body of parallel's first answer (one variant: no other to compare it with)",
    )
  })

  it('states no p99 from fewer than 100 samples: the max, called that, with n beside it', () => {
    const table = renderSummaryMarkdown(results)
    for (const [name, v] of Object.entries(results.variants)) {
      const latency = v.latency!
      expect(latency.samples, name).toBeLessThan(100)
      expect(latency.p99Ms, name).toBeNull()
      // e.g. "| `naive` | 990 ms | max 992 ms | 2 | …"
      expect(table).toContain(`| \`${name}\` | ${formatMs(latency.p50Ms)} | max ${formatMs(latency.maxMs)} | ${latency.samples} |`)
      for (const level of v.load) {
        expect(level.answered, name).toBe(level.requests)
        expect(level.p90Ms === null, name).toBe(level.answered < 20)
        expect(level.p99Ms === null, name).toBe(level.answered < 100)
      }
    }
  })

  it('measures the story in order: naive > bulk > cached > parallel at p50, each at or above its floor', () => {
    const p50 = (name: string) => results.variants[name]!.latency!.p50Ms
    expect(p50('naive')).toBeGreaterThan(p50('bulk'))
    expect(p50('bulk')).toBeGreaterThan(p50('cached'))
    expect(p50('cached')).toBeGreaterThan(p50('parallel'))
    for (const [name, v] of Object.entries(results.variants)) {
      // The mocks never answer early, so no request can beat the floor.
      expect(v.latency!.minMs, name).toBeGreaterThanOrEqual(v.floorMs!)
      expect(v.overheadMs, name).toBeCloseTo(v.latency!.p50Ms - v.floorMs!, 1)
    }
  })

  it("counts the overhead hop by hop against the calibrated hops: the request's own, each call alone or three at once, the Redis read", () => {
    const { calibration, hopCalibration } = results.environment
    expect(Object.keys(hopCalibration.atOnce)).toEqual(['3'])
    expect(hopCalibration.cacheRead).not.toBeNull()
    for (const c of [hopCalibration.request, hopCalibration.atOnce['3']!]) expect(c.callP50Ms).toBeGreaterThanOrEqual(c.waitMs - 1)
    const hops = (name: string) => results.variants[name]!.hops!
    // parallel: its own hop, the catalog, one of three at once; its Redis read is made beside them, off the path.
    expect(hops('parallel')).toMatchObject({ count: 3, cacheReads: 0 })
    expect(hops('parallel').calibratedMs).toBeCloseTo(
      hopCalibration.request.overheadMs + calibration.overheadMs + hopCalibration.atOnce['3']!.overheadMs,
      1,
    )
    // cached: its own hop, four calls one after another, and the Redis read between them.
    expect(hops('cached')).toMatchObject({ count: 6, cacheReads: 1 })
    for (const [name, v] of Object.entries(results.variants)) {
      expect(v.model!.callsAtOnceOnPath, name).toHaveLength(v.model!.callsOnPath)
      expect(v.hops!.beyondMs, name).toBeCloseTo(v.overheadMs! - v.hops!.calibratedMs, 1)
      expect(v.hops!.beyondPerHopMs, name).toBeCloseTo(v.hops!.beyondMs / v.hops!.count, 1)
    }
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(
      /Overhead per hop beyond this machine's calibrated hops \(the lab's and the code's own work; target ≤ 0\.3 ms\): \d of 8 variants within/,
    )
  })

  it('injects no fault by default: no request failed, and none was expected to', () => {
    for (const [name, v] of Object.entries(results.variants)) {
      expect(v.failures, name).toMatchObject({ failed: 0, injected: 0, expectedPercent: 0, statusCodes: {} })
      expect(v.failures.requests, name).toBe(v.latency!.samples)
    }
  })

  it('computes floors from the resolved scenario', () => {
    const floors = computeFloors(results.scenario, {
      products: results.scenario.productsPerPage,
      categories: distinctCategoriesOnFirstPage(results),
    })
    // Beyond the story, by hand: dataloader's one batched call is bulk's path; item-cache's, resilient's and swr's warm page is parallel's.
    const oracle: Record<string, number> = {
      ...Object.fromEntries(Object.entries(floors).map(([name, f]) => [name, f.warmMs])),
      dataloader: floors.bulk!.warmMs,
      'item-cache': floors.parallel!.warmMs,
      resilient: floors.parallel!.warmMs,
      swr: floors.parallel!.warmMs,
    }
    for (const [name, v] of Object.entries(results.variants)) expect(v.floorMs, name).toBe(oracle[name])
  })

  it('counts the upstream calls per request: the N+1, the bulk call, the cache', () => {
    const perPage = results.scenario.productsPerPage
    expect(results.variants.naive!.upstreamCalls).toEqual({ catalog: 1, inventory: perPage, pricing: 1, reviews: 1, categories: 1 })
    expect(results.variants.bulk!.upstreamCalls.inventory).toBe(1)
    for (const name of ['cached', 'parallel']) {
      // Warm: no pricing call (the command timeout is 2 s: no busy moment makes Redis an outage).
      expect(results.cacheOutages).toEqual([])
      expect(results.variants[name]!.upstreamCalls.pricing, name).toBe(0)
      expect(results.variants[name]!.coldUpstreamCalls!.pricing, name).toBe(1)
      expect(results.variants[name]!.coldLatency!.p50Ms, name).toBeGreaterThan(results.variants[name]!.latency!.p50Ms)
    }
    expect(results.variants.parallel!.maxInFlight).toBeGreaterThanOrEqual(3)
    expect(results.variants.cached!.maxInFlight).toBe(1)
  })

  it('records a waterfall per variant, a load level per connection count for the story (none for an overview in --quick), and the diff against the parent', () => {
    expect(results.run.overview).toEqual(['item-cache', 'resilient', 'swr', 'dataloader'])
    for (const [name, v] of Object.entries(results.variants)) {
      expect(
        v.stages.map((s) => s.name),
        name,
      ).toContain('catalog')
      // A --quick run puts the story's variants under load; the others (an overview) one request at a time only.
      expect(
        v.load.map((l) => l.connections),
        name,
      ).toEqual(results.run.overview.includes(name) ? [] : results.run.connections)
      for (const level of v.load) expect(level.requests, `${name} at ${level.connections}`).toBeGreaterThan(0)
    }
    expect(results.variants.naive!.diffFromParent).toBeNull()
    expect(results.variants.bulk!.diffFromParent).toContain(
      "+  const stock = await time('inventory', () => upstreams.inventory.getStockBulk(productIds))",
    )
  })

  it("sets each load level beside the same level in virtual time: the hit ratio the variant's own code gives, within 10 points", () => {
    for (const [name, v] of Object.entries(results.variants)) {
      for (const level of v.load) {
        const where = `${name} at ${level.connections}`
        expect(level.model, where).not.toBeNull()
        expect(level.model!.sequenceEnded, where).toBe(false)
        expect(level.model!.requestsPerSec, where).toBeGreaterThan(0)
        if (level.hitRatio === null) expect(level.model!.hitRatio, where).toBeNull()
        else expect(Math.abs(level.hitRatio - level.model!.hitRatio!), where).toBeLessThanOrEqual(0.1)
      }
    }
  })

  it('writes summary.md that leads with the lesson, then every table under its heading', () => {
    const summary = readFileSync(join(out, 'summary.md'), 'utf8')
    const at = (text: string) => summary.indexOf(text)
    expect(summary).toContain(`**${lesson(results)!.verdict}**`)
    expect(summary).toMatch(/naive .* → parallel .*, −\d+ %: p50, one request at a time/)
    for (const heading of [
      '### What each fix buys',
      '### At peak: 10 connections',
      '**How far to trust it:**',
      '## Every figure, step by step',
      '## Can I trust these numbers?',
      '## Under load, in full',
    ])
      expect(at(heading), heading).toBeGreaterThan(0)
    expect(at('### What each fix buys')).toBeLessThan(at('## Every figure, step by step'))
    expect(summary).toContain('| `bulk` |')
  })

  describe.skipIf(SKIP_BROWSER)('report.html in headless Chromium', () => {
    let browser: Awaited<ReturnType<typeof launchChromium>>
    beforeAll(async () => {
      browser = await launchChromium()
    })
    afterAll(() => browser?.close())

    /** The page at a width, its errors and requests collected; `open`: every folded section opened (and its charts drawn). */
    async function openPage(width: number, height: number, options: { open?: boolean; file?: string } = {}) {
      const page = await browser.newPage({ viewport: { width, height } })
      const errors: string[] = []
      const requests: string[] = []
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text())
      })
      page.on('pageerror', (error) => errors.push(String(error)))
      page.on('request', (request) => requests.push(request.url()))
      await page.goto(pathToFileURL(options.file ?? join(out, 'report.html')).href, { waitUntil: 'load' })
      if (options.open) {
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)))
        // A fold's charts are drawn on its toggle event, which fires after the change.
        await page.waitForFunction(() =>
          Array.from(document.querySelectorAll('canvas')).every((c) =>
            (window as unknown as { Chart: { getChart(c: Element): unknown } }).Chart.getChart(c),
          ),
        )
      }
      return { page, errors, requests }
    }

    it('opens from disk with no console error, draws every chart once its fold is opened, and is saved as a screenshot', async () => {
      const { page, errors, requests } = await openPage(1280, 900, { open: true })
      const canvases = await drawnCanvases(page)
      // Latency, calls (and with more than one load level, throughput and p99 against connections), a warm waterfall per variant, a cold one for the story's variants that use the price cache (the overviews measure it warm only), and each variant's load levels second by second.
      const coldCases = Object.values(results.variants).filter((v) => v.coldStages?.length).length
      expect(coldCases).toBe(2)
      const timelines = Object.values(results.variants).filter((v) => v.load.some((l) => l.timeline.length)).length
      expect(timelines).toBe(4)
      expect(results.run.connections).toEqual([10])
      // The latency chart: the slow variants (past 4× the fastest p50) on an axis of their own.
      const p50s = Object.values(results.variants).map((v) => v.latency!.p50Ms)
      const latencyCharts = p50s.some((ms) => ms > 4 * Math.min(...p50s)) ? 2 : 1
      expect(canvases).toHaveLength(latencyCharts + 1 + Object.keys(results.variants).length + coldCases + timelines)
      for (const canvas of canvases) {
        expect(canvas.width, `${canvas.id} width`).toBeGreaterThan(100)
        expect(canvas.drawn, `${canvas.id} has drawn pixels`).toBeGreaterThan(500)
      }
      expect(await page.textContent('h1')).toBe(lesson(results)!.verdict)
      // Under each measured stage, the model's ideal one: bulk's five stages, from its virtual run.
      const waterfallOf = (selector: string) =>
        page.evaluate((selector) => {
          type Chart = { data: { datasets: Array<{ label: string; data: Array<[number, number] | null> }>; labels: string[] } }
          const canvas = document.querySelector(selector)!
          const chart = (window as unknown as { Chart: { getChart(c: Element): Chart } }).Chart.getChart(canvas)
          return { labels: chart.data.labels, datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })) }
        }, selector)
      const spansOf = (labels: string[], stages: Array<{ name: string; startMs: number; durationMs: number }>) =>
        labels.map((name) => {
          const s = stages.find((stage) => stage.name === name)
          return s ? [s.startMs, s.startMs + s.durationMs] : null
        })
      const waterfall = await waterfallOf('canvas.waterfall[data-variant="bulk"][data-case="warm"]')
      const ideal = results.variants.bulk!.model!.stages
      expect(waterfall.datasets.map((d) => d.label)).toEqual(['measured', 'ideal (the model)'])
      expect(waterfall.datasets[1]!.data).toEqual(spansOf(waterfall.labels, ideal))
      expect(ideal.map((s) => s.name)).toEqual(['catalog', 'inventory', 'pricing', 'reviews', 'categories'])
      // Cold, cached's ideal waterfall has the pricing call its warm one does not.
      const cold = await waterfallOf('canvas.waterfall[data-variant="cached"][data-case="cold"]')
      const coldIdeal = results.variants.cached!.model!.coldStages
      expect(cold.datasets[1]!.data).toEqual(spansOf(cold.labels, coldIdeal))
      expect(coldIdeal.some((s) => s.name === 'pricing')).toBe(true)
      expect(results.variants.cached!.model!.stages.some((s) => s.name === 'pricing')).toBe(false)
      // The stages keep their rows from chart to chart: warm cached and warm parallel share theirs.
      expect((await waterfallOf('canvas.waterfall[data-variant="cached"][data-case="warm"]')).labels).toEqual(
        (await waterfallOf('canvas.waterfall[data-variant="parallel"][data-case="warm"]')).labels,
      )
      await page.screenshot({ path: join(out, 'report.png'), fullPage: true })
      expect(existsSync(join(out, 'report.png'))).toBe(true)
      expect(errors).toEqual([])
      // Self-contained: the only thing loaded is the file itself.
      expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([])
    })

    it.each([
      [1280, 900],
      [1024, 768],
    ])('at %i × %i: the verdict, the whole ranked table and the trust line on the first screen', async (width, height) => {
      const { page, errors } = await openPage(width, height)
      const bottoms = await page.evaluate(() =>
        ['h1', 'table.fixes', '#trust-line'].map((selector) => document.querySelector(selector)!.getBoundingClientRect().bottom),
      )
      for (const [i, bottom] of bottoms.entries()) expect(bottom, ['verdict', 'ranked table', 'trust line'][i]).toBeLessThanOrEqual(height)
      expect(await page.locator('table.fixes tbody tr').count()).toBe(4)
      expect(errors).toEqual([])
    })

    it.each([
      [1280, 900],
      [1024, 768],
      [768, 1024],
    ])('at %i × %i: nothing clipped, every fold opened', async (width, height) => {
      const { page, errors } = await openPage(width, height)
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)))
      const clipped = await page.evaluate(() => {
        const problems: string[] = []
        const page = document.documentElement.clientWidth
        for (const table of Array.from(document.querySelectorAll('table'))) {
          if (!table.getClientRects().length) continue
          const box = table.parentElement!
          const scrolls = getComputedStyle(box).overflowX === 'auto'
          const sticky = getComputedStyle(table.querySelector('td, th')!).position === 'sticky'
          if (table.scrollWidth > box.clientWidth + 1 && !(scrolls && sticky))
            problems.push(`table.${table.className} ${table.scrollWidth} px in ${box.clientWidth} px`)
          if (box.getBoundingClientRect().right > page + 1) problems.push(`table.${table.className}'s box passes the page's edge`)
        }
        for (const canvas of Array.from(document.querySelectorAll('canvas'))) {
          const rect = canvas.getBoundingClientRect()
          if (rect.right > page + 1 || rect.width > canvas.parentElement!.getBoundingClientRect().width + 1)
            problems.push(`canvas ${canvas.id || canvas.getAttribute('data-variant')} passes its box`)
        }
        if (document.documentElement.scrollWidth > page + 1)
          problems.push(`the page is ${document.documentElement.scrollWidth} px wide in ${page}`)
        return problems
      })
      expect(clipped).toEqual([])
      expect(errors).toEqual([])
    })

    it('is folded: the open page is at most about 1,500 words and 6 screens at 1280 px, and opened it holds every figure', async () => {
      const { page } = await openPage(1280, 900)
      const closed = await page.evaluate(() => ({
        words: document.body.innerText.split(/\s+/).filter(Boolean).length,
        height: document.documentElement.scrollHeight,
      }))
      expect(closed.words).toBeLessThanOrEqual(1500)
      expect(closed.height).toBeLessThanOrEqual(6 * 900)
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)))
      const text = (await page.evaluate(() => document.body.innerText)).replace(/\s+/g, ' ')
      // Every figure the report gave before it was folded: each variant's, each load level's, the calibration's.
      const figures: string[] = []
      for (const [name, v] of Object.entries(results.variants)) {
        figures.push(
          formatMs(v.latency!.p50Ms),
          formatMs(v.latency!.maxMs),
          formatMs(v.floorMs),
          `${v.overheadMs! < 0 ? '−' : '+'}${formatMs(Math.abs(v.overheadMs!))}`,
          v.summary,
        )
        if (v.coldLatency) figures.push(formatMs(v.coldLatency.p50Ms))
        if (v.hops)
          figures.push(`${v.hops.beyondPerHopMs < 0 ? '−' : '+'}${Math.abs(v.hops.beyondPerHopMs).toFixed(2)} ms per hop beyond bare`)
        for (const l of v.load)
          figures.push(l.goodPerSec.toFixed(1), l.requestsPerSec.toFixed(1), formatMs(l.p50Ms), formatMs(l.maxMs), String(l.requests))
        expect(name.length).toBeGreaterThan(0)
      }
      const { calibration, hopCalibration } = results.environment
      figures.push(
        formatMs(calibration.callP50Ms),
        `+${calibration.overheadMs.toFixed(2)} ms`,
        `+${hopCalibration.request.overheadMs.toFixed(2)} ms`,
        results.environment.cpuModel,
      )
      expect(figures.filter((figure) => !text.includes(figure))).toEqual([])
    })

    it("draws warm parallel's three concurrent stages at least 40 px wide each at 1280 px", async () => {
      const { page } = await openPage(1280, 900)
      const widths = await page.evaluate(() => {
        type Chart = {
          data: { labels: string[]; datasets: Array<{ data: Array<[number, number] | null> }> }
          scales: { x: { getPixelForValue(v: number): number } }
        }
        const chart = (window as unknown as { Chart: { getChart(c: Element): Chart } }).Chart.getChart(
          document.querySelector('canvas.waterfall[data-variant="parallel"][data-case="warm"]')!,
        )
        return Object.fromEntries(
          chart.data.labels.map((label, i) => {
            const span = chart.data.datasets[0]!.data[i]
            return [label, span ? chart.scales.x.getPixelForValue(span[1]) - chart.scales.x.getPixelForValue(span[0]) : null]
          }),
        )
      })
      for (const stage of ['inventory', 'reviews', 'categories'])
        expect(widths[stage], `${stage}: ${JSON.stringify(widths)}`).toBeGreaterThanOrEqual(40)
    })

    it('shows hostile scenario text as text: no script runs, the embedded JSON stays in its tag', async () => {
      const hostile = '</script><img src=x onerror=alert(1)><script>alert(2)</script>'
      const tampered: Results = structuredClone(results)
      tampered.scenario = { ...tampered.scenario, name: hostile, description: `${hostile} & "quotes"` }
      const file = join(out, 'hostile.html')
      writeFileSync(file, await renderReport(tampered))
      const page = await browser.newPage()
      const dialogs: string[] = []
      const errors: string[] = []
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message())
        void dialog.dismiss()
      })
      page.on('pageerror', (error) => errors.push(String(error)))
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' })
      expect(dialogs).toEqual([])
      expect(errors).toEqual([])
      expect(await page.$$('img')).toHaveLength(0)
      expect(await page.textContent('.kicker')).toContain(hostile)
      // The page's one JSON block still parsed: its charts drew.
      expect(await page.evaluate(() => JSON.parse(document.getElementById('page-data')!.textContent!).latency.length)).toBe(
        Object.keys(results.variants).length,
      )
    })
  })
})

/** Distinct categories on page 1, which the floors of the categories call depend on. */
function distinctCategoriesOnFirstPage(results: Results): number {
  const { seed, catalogSize, productsPerPage } = results.scenario
  return new Set(
    createDataset(seed, catalogSize)
      .products.slice(0, productsPerPage)
      .map((p) => p.categoryId),
  ).size
}
