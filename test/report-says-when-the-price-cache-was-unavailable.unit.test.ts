/**
 * The line every rendering (report, summary.md, terminal) prints when the price cache was
 * unavailable during a run: which steps, why (Redis away, lookups skipped at the cap), and
 * what it means for their figures. Nothing on a healthy run.
 */
import { describe, expect, it } from 'vitest'
import { cacheOutageText } from '../bench/report/report-rows.ts'
import type { CacheOutage, Results } from '../bench/record/results.ts'
import { DEFAULT_SCENARIO } from '../scenario/defaults.ts'

const MAX_PENDING_COMMANDS = DEFAULT_SCENARIO.cacheMaxPendingCommands
const run = (cacheOutages: CacheOutage[]) =>
  ({ cacheOutages, scenario: { cacheCommandTimeoutMs: 50, cacheMaxPendingCommands: MAX_PENDING_COMMANDS } }) as unknown as Results

describe('cacheOutageText', () => {
  it('says nothing on a healthy run', () => {
    expect(cacheOutageText(run([]))).toBeNull()
  })

  it('names each step, how often Redis went away in it, and the timeout to raise', () => {
    const text = cacheOutageText(
      run([
        { phase: 'latency', step: 'cached (cold cache), 10 samples', outages: 1, shedLookups: 0 },
        { phase: 'sweep', step: 'parallel, 600.0 req/s for 10s', outages: 3, shedLookups: 0 },
      ]),
    )!
    expect(text).toContain(
      'latency: cached (cold cache), 10 samples (Redis away once); sweep: parallel, 600.0 req/s for 10s (Redis away 3 times).',
    )
    expect(text).toContain('answered from the pricing service')
    expect(text).toContain('over 50 ms counts as an outage')
    expect(text).not.toContain('skipped')
  })

  it('counts lookups skipped at the cap apart from outages, and explains the cap', () => {
    const text = cacheOutageText(run([{ phase: 'sweep', step: 'cached, 800.0 req/s for 10s', outages: 2, shedLookups: 41 }]))!
    expect(text).toContain('sweep: cached, 800.0 req/s for 10s (Redis away 2 times, 41 lookups skipped).')
    expect(text).toContain(`when ${MAX_PENDING_COMMANDS} commands already wait for Redis`)
    const shedOnly = cacheOutageText(run([{ phase: 'sweep', step: 'cached, 800.0 req/s for 10s', outages: 0, shedLookups: 1 }]))!
    expect(shedOnly).toContain('(1 lookup skipped)')
    expect(shedOnly).not.toContain('counts as an outage')
  })
})
