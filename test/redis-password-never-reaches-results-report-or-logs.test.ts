/**
 * A password in the Redis URL stays secret end to end: `npm run bench` against a real
 * redis-server that requires one writes results, report and summary and prints its
 * progress without it; `npm run serve` logs a Redis outage without it; and a wrong
 * password fails with a clear error that does not echo it.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Results } from '../bench/record/results.ts'
import { findFreePort, startRedisServer, type RedisServer } from '../bench/stack/start-cache.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { runCli } from './helpers/run-cli.ts'

const SECRET = 'hunter2-s3cret-pass'

describe.skipIf(SKIP_REDIS)('a password in the Redis URL', () => {
  let redis: RedisServer
  let port: number
  let url: string

  beforeAll(async () => {
    port = await findFreePort()
    redis = await startRedisServer('redis-server', port, ['--requirepass', SECRET])
    url = `redis://:${SECRET}@127.0.0.1:${port}`
  })
  afterAll(() => redis?.stop())

  it('never reaches results.json, report.html, summary.md or the terminal of npm run bench', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lab-secret-'))
    // A command timeout no busy moment of the machine reaches (2 s for a GET): the warm case's check below is unconditional.
    const run = runCli(
      'bench/bench.ts',
      ['--quick', '--variants', 'bulk,cached', '--connections', '2', '--cache-timeout', '2000', '--out', out],
      { REDIS_URL: url },
    )
    const code = await run.exit
    expect(code, run.output()).toBe(0)
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results
    // It did use that Redis, password and all.
    expect(results.environment.cacheBackend).toBe('redis')
    expect(results.environment.cache).toBe(`redis at redis://:***@127.0.0.1:${port}`)
    // Warm, cached makes no pricing call: it did read this Redis, with its password.
    expect(results.cacheOutages).toEqual([])
    expect(results.variants.cached!.upstreamCalls.pricing).toBe(0)
    expect(results.variants.cached!.cacheReadsPerRequest).toBeGreaterThan(0)
    for (const file of ['results.json', 'report.html', 'summary.md'])
      expect(readFileSync(join(out, file), 'utf8'), file).not.toContain(SECRET)
    expect(run.output()).not.toContain(SECRET)
  }, 120_000)

  it('never reaches the outage warnings of npm run serve', async () => {
    const other = await startRedisServer('redis-server', undefined, ['--requirepass', SECRET])
    const otherUrl = other.url.replace('redis://', `redis://:${SECRET}@`)
    const serve = runCli('bench/serve.ts', ['--port', '0', '--latency', '5', '--pricing-per-item', '0.1', '--redis-url', otherUrl])
    try {
      await serve.waitFor(/Ctrl-C stops/)
      const apiPort = Number(serve.output().match(/http:\/\/127\.0\.0\.1:(\d+)\/cached\/products/)![1])
      expect((await fetch(`http://127.0.0.1:${apiPort}/cached/products`)).status).toBe(200)
      await other.stop()
      expect((await fetch(`http://127.0.0.1:${apiPort}/cached/products`)).status).toBe(200)
      await serve.waitFor(/is unavailable/)
      expect(serve.output()).toContain('redis://:***@127.0.0.1:')
      expect(serve.output()).not.toContain(SECRET)
    } finally {
      serve.child.kill('SIGINT')
      await serve.exit
      await other.stop()
    }
  })

  it('a wrong password stops npm run bench with a clear error that does not echo it', async () => {
    const run = runCli('bench/bench.ts', ['--quick', '--variants', 'bulk', '--out', await mkdtemp(join(tmpdir(), 'lab-secret-'))], {
      REDIS_URL: `redis://:wrong-${SECRET}@127.0.0.1:${port}`,
    })
    expect(await run.exit).not.toBe(0)
    expect(run.output()).toMatch(/Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/)
    expect(run.output()).toMatch(/WRONGPASS|invalid password|NOAUTH/i)
    expect(run.output()).not.toContain(SECRET)
    expect(run.output()).not.toMatch(/\n\s+at /)
  })
})
