/**
 * A warm case makes no pricing call: the price cache is filled just before it. Under
 * `--cache-ttl 1`, with a catalog slow enough that one request outlasts the TTL, the cache
 * expires during the warm case: its figures include pricing calls, and every rendering says so.
 */
import { readFileSync } from 'node:fs'

import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Results } from '../bench/record/results.ts'
import { warmMissLines } from '../bench/report/report-rows.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { benchRun } from './helpers/bench-run.ts'

describe.skipIf(SKIP_REDIS)('a warm case under --cache-ttl 1', () => {
  let out: string
  let output: string
  let results: Results

  beforeAll(async () => {
    const run = await benchRun(['--quick', '--variants', 'cached', '--cache-ttl', '1', '--catalog-latency', '1200', '--connections', '1'], {
      prefix: 'lab-ttl-',
    })
    expect(run.code, run.output).toBe(0)
    ;({ out, output, results } = run)
  }, 120_000)

  it('made pricing calls, and is flagged for them in the terminal, summary.md and the report', () => {
    const calls = results.variants.cached!.upstreamCalls.pricing
    expect(calls).toBeGreaterThan(0)
    const line = `Flagged: cached's warm case made ${Math.round(calls * 100) / 100} pricing calls per request, where a warm cache makes none: the price cache expired during it (TTL 1 s)`
    expect(warmMissLines(results).join('\n')).toContain(line)
    // The terminal breaks its lines at 100 columns: read with the breaks as spaces.
    expect(output.replace(/\s+/g, ' ')).toContain(line)
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain(line)
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(line.replaceAll("'", '&#39;'))
  })

  it('flags no warm case whose cache held', () => {
    const held: Results = {
      ...results,
      variants: { cached: { ...results.variants.cached!, upstreamCalls: { ...results.variants.cached!.upstreamCalls, pricing: 0 } } },
    }
    expect(warmMissLines(held)).toEqual([])
  })
})
