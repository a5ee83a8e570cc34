/**
 * Redis going away in the middle of `npm run bench` (frozen with SIGSTOP while the cold
 * case flushes the cache before every request): the run waits out the freeze instead of
 * failing, finishes with every request answered, and says in results.json, report.html,
 * summary.md and the terminal which step Redis was away for, since the cached variant
 * answered from the pricing service meanwhile.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Results } from '../bench/record/results.ts'
import { startRedisServer, type RedisServer } from '../bench/stack/start-cache.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { runCli } from './helpers/run-cli.ts'

describe.skipIf(SKIP_REDIS)('Redis frozen during npm run bench', () => {
  let redis: RedisServer

  beforeAll(async () => {
    redis = await startRedisServer()
  })
  afterAll(async () => {
    try {
      process.kill(redis.pid, 'SIGCONT')
    } catch {
      // already running, or gone
    }
    await redis?.stop()
  })

  it('the run completes, every request answered, and every rendering names the step Redis was away for', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lab-outage-'))
    const run = runCli('bench/bench.ts', ['--quick', '--variants', 'cached', '--connections', '2', '--out', out], { REDIS_URL: redis.url })
    await run.waitFor(/\[latency\] cached \(cold cache\)/)
    process.kill(redis.pid, 'SIGSTOP')
    await new Promise((resolve) => setTimeout(resolve, 400))
    process.kill(redis.pid, 'SIGCONT')
    const code = await run.exit
    expect(code, run.output()).toBe(0)

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results
    expect(results.valid, results.problems.join('; ')).toBe(true)
    expect(results.variants.cached!.errors).toBe(0)
    const cold = results.cacheOutages.find((o) => o.phase === 'latency' && o.step.startsWith('cached (cold cache)'))
    expect(cold, JSON.stringify(results.cacheOutages)).toBeDefined()
    expect(cold!.outages).toBeGreaterThanOrEqual(1)

    const report = readFileSync(join(out, 'report.html'), 'utf8')
    expect(report).toMatch(
      /<p class="caution" id="cache-outages">The price cache was unavailable during the run — latency: cached \(cold cache\), \d+ samples \(Redis away (once|\d+ times)\)/,
    )
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/^> The price cache was unavailable .*latency: cached \(cold cache\)/m)
    // The bench's own summary in the terminal says it too, not only the API's warning lines (its lines broken at 100 columns).
    expect(run.output().replace(/\n {2}/g, ' ')).toMatch(/^The price cache was unavailable .*cached \(cold cache\).*--cache-timeout MS/m)
    expect(run.output()).not.toMatch(/\n\s+at /)
  }, 120_000)
})
