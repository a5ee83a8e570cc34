/**
 * A user's variant, added as a file to variants/ of a fresh copy of the project, gets
 * what the story's variants get: a floor, an overhead, a saturation and expected failures,
 * derived from its code, in results.json and in the report (checked in Chromium).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Results } from '../bench/record/results.ts'
import { launchChromium, SKIP_BROWSER } from './helpers/chromium.ts'
import { freshCopy } from './helpers/fresh-copy.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { benchRun } from './helpers/bench-run.ts'
import { ROOT } from './helpers/run-cli.ts'

describe.skipIf(SKIP_REDIS)('a variant added to variants/', () => {
  let clone: string
  let out: string
  let results: Results

  beforeAll(async () => {
    clone = await freshCopy('lab-clone-')
    const fixture = readFileSync(join(ROOT, 'test/fixtures/variants/concurrent-inventory.ts'), 'utf8')
    writeFileSync(join(clone, 'variants/concurrent-inventory.ts'), fixture.replaceAll('../../../variants/shared/', './shared/'))
    const run = await benchRun(['--quick', '--variants', 'naive,concurrent-inventory'], { root: clone, out: join(clone, 'out') })
    expect(run.code, run.output).toBe(0)
    ;({ out, results } = run)
  }, 120_000)

  it('has its floor, overhead, saturation and expected failures in results.json', () => {
    const v = results.variants['concurrent-inventory']!
    expect(v.notModelled).toBeNull()
    expect(v.parent).toBe('naive')
    // --quick: 10 products. catalog 100 + the slowest of 10 inventory calls 40 + pricing 40 + 35 × 10 + reviews 40 + categories 40.
    expect(v.floorMs).toBe(100 + 40 + 390 + 40 + 40)
    expect(v.overheadMs).not.toBeNull()
    expect(v.latency!.p50Ms).toBeGreaterThanOrEqual(v.floorMs!)
    expect(v.failures.expectedPercent).toBe(0)
    expect(v.failures.expectedCalls).toBe(14)
    // Outside the sweep too: inventory is asked for 10 × 40 ms per request, and has 16 workers.
    expect(v.model!.bottleneck).toBe('inventory')
    expect(v.model!.saturationPerSec).toBe(40)
    expect(v.model!.demandMs.inventory).toBe(400)
    expect(v.model!.maxInFlight).toBe(10)
    expect(v.model!.callsOnPath).toBe(5)
    expect(v.model!.expectedFailurePercent).toBe(0)
  })

  it.skipIf(SKIP_BROWSER)('shows them in the report', async () => {
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      await page.goto(pathToFileURL(join(out, 'report.html')).href)
      // The row of the table of every figure, step by step (folded: its text is there all the same).
      const row = (await page.locator('table.steps tr', { hasText: 'concurrent-inventory' }).first().textContent())!
      expect(row).toContain('610 ms')
      expect(row).toMatch(/\+\d+\.\d ms/)
      expect(row).toContain('40.0/s inventory')
    } finally {
      await browser.close()
    }
  })
})
