/**
 * The report's verdict is the run's, end to end: with pricing costing nothing per product
 * (`--pricing-per-item 0`), the cache has little left to save and the N+1 fix saves the most,
 * where with ten products a page and the default pricing the cache saves about as much or more
 * (bench-quick-run-measures-and-reports names whichever its own run measured). The report,
 * summary.md and the terminal all say the same sentence.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { lesson } from '../bench/report/lesson.ts'
import type { Results } from '../bench/record/results.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { benchRun } from './helpers/bench-run.ts'

describe.skipIf(SKIP_REDIS)('the verdict under --pricing-per-item 0 --quick', () => {
  let out: string
  let output: string
  let exitCode: number | null
  let results: Results

  beforeAll(async () => {
    ;({
      out,
      code: exitCode,
      output,
      results,
    } = await benchRun(['--quick', '--pricing-per-item', '0', '--variants', 'naive,bulk,cached,parallel'], { prefix: 'lab-verdict-' }))
  }, 120_000)

  it('measures a valid run whose largest saving is the N+1 fix, by far (floors: 360 ms against 40 and 80)', () => {
    expect(exitCode, output).toBe(0)
    const p50 = (name: string) => results.variants[name]!.latency!.p50Ms
    const saved = { bulk: p50('naive') - p50('bulk'), cached: p50('bulk') - p50('cached'), parallel: p50('cached') - p50('parallel') }
    expect(saved.bulk).toBeGreaterThan(3 * Math.max(saved.cached, saved.parallel))
  })

  it('names the N+1 fix, with its saving, in the report, summary.md and the terminal', () => {
    const l = lesson(results)!
    expect(l.ranked[0]!.variant).toBe('bulk')
    expect(l.verdict).toMatch(/^The N\+1 fix saved the most time: \d+ ms of naive's \d+ ms \(\d+ %\)\.$/)
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(`<h1 id="verdict">${l.verdict.replaceAll("'", '&#39;')}</h1>`)
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain(`**${l.verdict}**`)
    expect(output.replace(/\s+/g, ' ')).toContain(l.verdict)
  })
})
