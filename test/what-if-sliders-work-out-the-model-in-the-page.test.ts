/**
 * The report's what-if sliders, in Chromium: a --predict's page works each variant's floor out
 * again from the structures of its virtual runs as the sliders move, with no server and no
 * network. At 20 random settings its floors equal the model's own runs at the same values
 * (within 1 ms where the structure is exact); moving every latency from 40 to 5 ms re-ranks the
 * fixes as the model does at 5 ms.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attribute } from '../model/shapley.ts'
import type { WhatIf } from '../bench/record/results.ts'
import { modelScenarios, modelVariants } from '../bench/stack/model-process.ts'
import type { ModelOutcome } from '../model/types.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import { COMBINATION_VARIANTS } from '../scenario/story.ts'
import { SERVICE_NAMES, type ServiceName } from '../scenario/types.ts'
import { benchWhatIf } from './helpers/bench-run.ts'
import { launchChromium, SKIP_BROWSER } from './helpers/chromium.ts'

interface Setting {
  latencyMs: Record<ServiceName, number>
  pricingPerItemMs: number
  /** The products slider's stop (an index into sliders.products). */
  stop: number
  hitPercent: number
}

const modelled = (outcome: ModelOutcome | undefined) => {
  if (!outcome || !('model' in outcome)) throw new Error(`not modelled: ${JSON.stringify(outcome)}`)
  return outcome.model
}

/** A seeded generator (mulberry32): the same 20 settings every run, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe.skipIf(SKIP_BROWSER)("the report's what-if sliders", () => {
  let whatIf: WhatIf
  let browser: Browser
  let page: Page
  const errors: string[] = []
  const requests: string[] = []

  beforeAll(async () => {
    const run = await benchWhatIf(['--predict'], { prefix: 'lab-sliders-' })
    expect(run.code, run.output).toBe(0)
    whatIf = run.results
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))
    page.on('request', (request) => !request.url().startsWith('file:') && requests.push(request.url()))
    await page.goto(pathToFileURL(join(run.out, 'report.html')).href)
    await page.locator('#what-if-sliders summary').click()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
  })

  /** Sets the sliders and reads each row's floor, and the fixes as the page ranks them. */
  const at = async (setting: Setting) =>
    page.evaluate((s) => {
      const root = document.getElementById('what-if-sliders')!
      const set = (name: string, value: number) => {
        ;(root.querySelector(`input[name="${name}"]`) as HTMLInputElement).value = String(value)
      }
      for (const [name, ms] of Object.entries(s.latencyMs)) set(`latency-${name}`, ms)
      set('pricing-per-item', s.pricingPerItemMs)
      set('products', s.stop)
      set('hit-ratio', s.hitPercent)
      root.dispatchEvent(new Event('input', { bubbles: true }))
      const floors = Object.fromEntries(
        Array.from(root.querySelectorAll<HTMLTableRowElement>('tr[data-variant]')).map((row) => [
          row.dataset.variant!,
          { ms: Number(row.dataset.floorMs), exact: !row.classList.contains('approximate') },
        ]),
      )
      const items = Array.from(root.querySelectorAll<HTMLElement>('.slider-shares li'))
      const fixes = items.map((li) => li.dataset.fix!)
      const shares = Object.fromEntries(items.map((li) => [li.dataset.fix!, Number(li.dataset.shapleyMs)]))
      return { floors, fixes, shares }
    }, setting)

  it("starts at the scenario's values: each variant's warm floor, as --predict gave it", async () => {
    const start = await at({
      latencyMs: Object.fromEntries(
        SERVICE_NAMES.map((name) => [name, whatIf.points[0]!.scenario.services[name].latencyMs]),
      ) as Setting['latencyMs'],
      pricingPerItemMs: whatIf.points[0]!.scenario.services.pricing.perItemMs,
      stop: whatIf.sliders!.products.indexOf(whatIf.points[0]!.scenario.productsPerPage),
      hitPercent: 100,
    })
    for (const [name, v] of Object.entries(whatIf.points[0]!.variants)) {
      expect(start.floors[name]!.ms, name).toBeCloseTo(v.floorMs!, 2)
      expect(start.floors[name]!.exact, name).toBe(true)
    }
    expect(start.fixes).toEqual(whatIf.points[0]!.attribution.warmFloor!.shares.map((s) => s.fix))
  })

  it('re-ranks the fixes as the model does when every latency goes from 40 to 5 ms', async () => {
    const page5 = await at({
      latencyMs: Object.fromEntries(SERVICE_NAMES.map((name) => [name, 5])) as Setting['latencyMs'],
      pricingPerItemMs: 35,
      stop: whatIf.sliders!.products.indexOf(50),
      hitPercent: 100,
    })
    const scenario = resolveScenario({ services: Object.fromEntries(SERVICE_NAMES.map((name) => [name, { latencyMs: 5 }])) })
    const outcomes = await modelVariants(scenario, [...COMBINATION_VARIANTS])
    const model = attribute(Object.fromEntries(COMBINATION_VARIANTS.map((v) => [v, modelled(outcomes[v]).floor.warmMs])), 'lower')!
    expect(page5.fixes).toEqual(model.shares.map((s) => s.fix))
    // At 40 ms the N+1 fix and concurrency are each worth about a quarter; at 5 ms the cache is worth nearly all of it.
    expect(page5.fixes[0]).toBe('the price cache')
  })

  it('gives the model’s own floors at 20 random settings, within 1 ms where the structure is exact', async () => {
    const next = random(20261207)
    const int = (max: number) => Math.floor(next() * (max + 1))
    const products = whatIf.sliders!.products
    const settings: Setting[] = Array.from({ length: 20 }, () => ({
      latencyMs: Object.fromEntries(SERVICE_NAMES.map((name) => [name, int(200)])) as Setting['latencyMs'],
      pricingPerItemMs: int(100),
      stop: int(products.length - 1),
      hitPercent: int(100),
    }))
    const base = whatIf.points[0]!.scenario
    const scenarios = settings.map((s) =>
      resolveScenario(base, {
        productsPerPage: products[s.stop]!,
        services: Object.fromEntries(
          SERVICE_NAMES.map((name) => [
            name,
            name === 'pricing' ? { latencyMs: s.latencyMs[name], perItemMs: s.pricingPerItemMs } : { latencyMs: s.latencyMs[name] },
          ]),
        ),
      }),
    )
    const names = Object.keys(whatIf.points[0]!.variants)
    const outcomes = await modelScenarios(scenarios, [...new Set([...names, ...COMBINATION_VARIANTS])])
    let compared = 0
    for (const [i, setting] of settings.entries()) {
      const shown = await at(setting)
      const floorAt = (name: string) => {
        const { floor } = modelled(outcomes[i]![name])
        return (setting.hitPercent / 100) * floor.warmMs + (1 - setting.hitPercent / 100) * floor.coldMs
      }
      // The shares come from the eight combinations, the queued ones (concurrency without the N+1 fix) among them.
      const model = attribute(Object.fromEntries(COMBINATION_VARIANTS.map((v) => [v, floorAt(v)])), 'lower')!
      for (const s of model.shares)
        expect(Math.abs(shown.shares[s.fix]! - s.shapley), `${s.fix} at ${JSON.stringify(setting)}`).toBeLessThanOrEqual(1)
      for (const name of names) {
        const expected = floorAt(name)
        if (!shown.floors[name]!.exact) continue
        expect(Math.abs(shown.floors[name]!.ms - expected), `${name} at ${JSON.stringify(setting)}`).toBeLessThanOrEqual(1)
        compared++
      }
    }
    // Every variant of the lab is exact: its calls depend on answers only (a timeout it arms never fires at these values).
    expect(compared).toBe(20 * names.length)
    expect(errors).toEqual([])
    expect(requests).toEqual([])
  }, 60_000)
})
