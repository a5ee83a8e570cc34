/**
 * The cache-aside on a real redis-server: hits and misses, the TTL, and Redis going
 * away (killed, frozen, restarted) without any request hanging or failing.
 */
import { createServer, type AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startCache, startRedisServer, type RedisServer } from '../bench/stack/start-cache.ts'
import { DEFAULT_SCENARIO } from '../scenario/defaults.ts'
import { connectRedisStore, type CacheStore } from '../variants/shared/cache-store.ts'
import { MAX_CACHED_PRICES_LENGTH, priceCacheKey } from '../variants/shared/price-cache.ts'
import { parseServerTiming } from '../variants/shared/stage-timing.ts'
import { startLab, type Lab } from './helpers/lab.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { waitUntil } from './helpers/wait.ts'

const PAGE_ONE_KEY = priceCacheKey(Array.from({ length: 50 }, (_, i) => i + 1))
const COMMAND_TIMEOUT_MS = 50
const MAX_PENDING_COMMANDS = DEFAULT_SCENARIO.cacheMaxPendingCommands
const FLUSH_PATIENCE_MS = 1500

describe.skipIf(SKIP_REDIS)('cached variants on a real Redis', () => {
  let server: RedisServer
  let store: CacheStore
  let lab: Lab
  let warnings: string[]

  beforeEach(async () => {
    warnings = []
    server = await startRedisServer()
    store = await connectRedisStore(server.url, {
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      maxPendingCommands: MAX_PENDING_COMMANDS,
      flushPatienceMs: FLUSH_PATIENCE_MS,
      warn: (m) => warnings.push(m),
    })
    lab = await startLab({
      cache: store,
      scenario: { cacheCommandTimeoutMs: COMMAND_TIMEOUT_MS },
      warn: (m) => warnings.push(m),
      admin: true,
    })
  })
  afterEach(async () => {
    try {
      process.kill(server.pid, 'SIGCONT')
    } catch {
      // the test stopped it already
    }
    await lab.close()
    await store.close()
    await server.stop()
  })

  const pricingCalls = () => lab.upstreams.stats.snapshot().services.pricing.calls

  /** Until page one's price list is in Redis: the write after a miss lands in the background. */
  async function waitForKey(): Promise<void> {
    await waitUntil(async () => (await store.get(PAGE_ONE_KEY)) !== null, 'the price list never reached Redis')
  }

  it.each(['cached', 'parallel'])(
    '%s: a miss calls pricing and stores the list with a TTL; a hit does not call pricing',
    async (variant) => {
      const cold = await lab.get(`/${variant}/products`)
      expect(cold.status).toBe(200)
      expect(pricingCalls()).toBe(1)
      await waitForKey()
      const probe = new Redis(server.url)
      const ttl = await probe.ttl(PAGE_ONE_KEY)
      await probe.quit()
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(lab.scenario.cacheTtlSeconds)
      const warm = await lab.get(`/${variant}/products`)
      expect(warm.body).toBe(cold.body)
      expect(pricingCalls()).toBe(1)
      expect(warnings).toEqual([])
    },
  )

  it('a key of the wrong Redis type is a miss, not an outage, and the next write replaces it', async () => {
    const probe = new Redis(server.url)
    await probe.hset(PAGE_ONE_KEY, 'not', 'a price list')
    const response = await lab.get('/cached/products')
    expect(response.status).toBe(200)
    expect(pricingCalls()).toBe(1)
    await waitForKey()
    expect(await probe.type(PAGE_ONE_KEY)).toBe('string')
    await probe.quit()
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/WRONGTYPE.*treating it as a miss/)
  })

  it.each([
    ['not JSON', '{"prices": [1, 2'],
    ['JSON of the wrong shape', '{"not":"prices"}'],
    [
      'a price list for other products',
      JSON.stringify([{ productId: 999, currency: 'EUR', listCents: 1, amountCents: 1, discountPercent: 0 }]),
    ],
  ])('a cached value that is %s is a miss, one log line, and is overwritten', async (_kind, bad) => {
    const probe = new Redis(server.url)
    try {
      await probe.set(PAGE_ONE_KEY, bad, 'EX', 60)
      const response = await lab.get('/cached/products')
      expect(response.status).toBe(200)
      expect(pricingCalls()).toBe(1)
      await vi.waitFor(async () => expect(JSON.parse((await probe.get(PAGE_ONE_KEY))!)).toHaveLength(50), { timeout: 5000, interval: 10 })
      expect(warnings.filter((w) => w.includes('unusable cached price list'))).toHaveLength(1)
    } finally {
      await probe.quit()
    }
  })

  it('a cached value over the size cap is a miss, left unparsed, one log line, and is overwritten', async () => {
    // Moving 1.6 MB can take longer than 50 ms on a busy machine, which would be an outage,
    // not this case: this lab's store waits longer.
    const patient = await connectRedisStore(server.url, {
      commandTimeoutMs: 5000,
      maxPendingCommands: MAX_PENDING_COMMANDS,
      warn: (m) => warnings.push(m),
    })
    const bigLab = await startLab({ cache: patient, warn: (m) => warnings.push(m) })
    const probe = new Redis(server.url)
    try {
      const huge = `[${'{"productId":1},'.repeat(MAX_CACHED_PRICES_LENGTH / 10)}{}]`
      await probe.set(PAGE_ONE_KEY, huge, 'EX', 60)
      const response = await bigLab.get('/cached/products')
      expect(response.status).toBe(200)
      expect(bigLab.upstreams.stats.snapshot().services.pricing.calls).toBe(1)
      await vi.waitFor(async () => expect(JSON.parse((await probe.get(PAGE_ONE_KEY))!)).toHaveLength(50), { timeout: 5000, interval: 10 })
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/over the \d+-character cap/)
    } finally {
      await probe.quit()
      await bigLab.close()
      await patient.close()
    }
  })

  it('a failed pricing call is never cached: the next request calls pricing again', async () => {
    const failing = await startLab({
      cache: store,
      scenario: { cacheCommandTimeoutMs: COMMAND_TIMEOUT_MS, services: { pricing: { faults: { errorRate: 1 } } } },
    })
    try {
      for (const variant of ['cached', 'parallel']) expect((await failing.get(`/${variant}/products`)).status).toBe(502)
      // Give a background write every chance to land: none may.
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(await store.get(PAGE_ONE_KEY)).toBeNull()
      failing.upstreams.faults.setEnabled(false)
      expect((await failing.get('/cached/products')).status).toBe(200)
      await waitForKey()
      expect(failing.upstreams.stats.snapshot().services.pricing.calls).toBe(3)
    } finally {
      await failing.close()
    }
  })

  it('the key stays bounded for any page size, and every write sets a TTL', async () => {
    const big = await lab.get('/cached/products?limit=500')
    expect(big.status).toBe(200)
    const probe = new Redis(server.url)
    try {
      const keys = await vi.waitUntil(
        async () => {
          const found = await probe.keys('prices:*')
          return found.length > 0 && found
        },
        { timeout: 5000, interval: 10 },
      )
      expect(keys).toHaveLength(1)
      expect(keys[0]).toMatch(/^prices:sha256:[0-9a-f]{64}$/)
      expect(await probe.ttl(keys[0]!)).toBeGreaterThan(0)
      expect(PAGE_ONE_KEY.length).toBeLessThanOrEqual(200)
    } finally {
      await probe.quit()
    }
  })

  it('Redis killed: requests fall back to pricing, one warning for the outage, same body', async () => {
    const before = (await lab.get('/cached/products')).body
    await waitForKey()
    await server.stop()
    lab.upstreams.stats.reset()
    for (let i = 0; i < 5; i++) {
      const response = await lab.get('/cached/products')
      expect(response.status).toBe(200)
      expect(response.body).toBe(before)
    }
    expect(pricingCalls()).toBe(5)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('unavailable')
  })

  it('Redis frozen (SIGSTOP): the lookup fails at the command timeout and pricing answers', async () => {
    const before = (await lab.get('/cached/products')).body
    await waitForKey()
    process.kill(server.pid, 'SIGSTOP')
    lab.upstreams.stats.reset()
    for (let i = 0; i < 3; i++) {
      const response = await lab.get('/cached/products')
      expect(response.status).toBe(200)
      expect(response.body).toBe(before)
      const cache = parseServerTiming(response.serverTiming!).stages.find((s) => s.name === 'cache')!
      // With ioredis's defaults this lookup never returns; here it ends by the command timeout (50 ms), plus 150 ms of slack
      // for a timer fired late on a busy machine (a later lookup of the outage may fail sooner: no lower bound).
      expect(cache.durationMs).toBeLessThan(COMMAND_TIMEOUT_MS + 150)
    }
    expect(pricingCalls()).toBe(3)
    expect(warnings).toHaveLength(1)
  })

  it('during an outage nothing piles up: pending commands stay bounded and drain to zero', async () => {
    await lab.get('/cached/products')
    await waitForKey()
    process.kill(server.pid, 'SIGSTOP')
    // 300 lookups at once against a frozen Redis: each is sent, then fails at the command timeout.
    const lookups = Array.from({ length: 300 }, () => store.get(PAGE_ONE_KEY))
    // Never more than the cap waiting on Redis; the rest were misses without asking, and counted.
    expect(store.stats().pending).toBeLessThanOrEqual(MAX_PENDING_COMMANDS)
    expect(store.stats().shedLookups).toBe(300 - store.stats().pending)
    expect(await Promise.all(lookups)).toEqual(Array(300).fill(null))
    // The timed-out commands are dropped with the connection (while Redis is still frozen).
    await vi.waitFor(() => expect(store.stats().pending).toBe(0), { timeout: 1000, interval: 10 })
    // And further lookups during the freeze are refused at once rather than queued.
    await Promise.all(Array.from({ length: 300 }, () => store.get(PAGE_ONE_KEY)))
    expect(store.stats().pending).toBeLessThan(10)
    process.kill(server.pid, 'SIGCONT')
    await server.stop()
    // Against a dead Redis nothing is even sent.
    await Promise.all(Array.from({ length: 300 }, () => store.get(PAGE_ONE_KEY)))
    expect(store.stats().pending).toBe(0)
  })

  it('Redis back after a freeze: the cache is used again', async () => {
    await lab.get('/cached/products')
    await waitForKey()
    process.kill(server.pid, 'SIGSTOP')
    await lab.get('/cached/products')
    process.kill(server.pid, 'SIGCONT')
    lab.upstreams.stats.reset()
    let hits = 0
    await vi.waitUntil(
      async () => {
        const before = pricingCalls()
        await lab.get('/cached/products')
        if (pricingCalls() === before) hits++
        return hits > 0
      },
      { timeout: 5000, interval: 20 },
    )
    // Back for good: the next request hits too, with no pricing call.
    const afterReturn = pricingCalls()
    await lab.get('/cached/products')
    expect(pricingCalls()).toBe(afterReturn)
    // One line for the outage, one for the return.
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toContain('is unavailable')
    expect(warnings[1]).toContain('is back; using the cache again')
  })

  it('Redis restarted on the same port: the client reconnects and the cache is used again', async () => {
    await lab.get('/cached/products')
    await waitForKey()
    const port = Number(new URL(server.url).port)
    await server.stop()
    await lab.get('/cached/products')
    server = await startRedisServer('redis-server', port)
    // The new Redis is empty: once reconnected, one miss fills it, then requests hit.
    let hit = false
    await vi.waitUntil(
      async () => {
        const before = pricingCalls()
        await lab.get('/cached/products')
        hit = pricingCalls() === before
        return hit
      },
      { timeout: 10_000, interval: 30 },
    )
    // Reconnected for good: the next request hits too.
    const reconnected = pricingCalls()
    await lab.get('/cached/products')
    expect(pricingCalls()).toBe(reconnected)
    expect(warnings.map((w) => (w.includes('is unavailable') ? 'down' : w.includes('is back;') ? 'back' : w))).toEqual(['down', 'back'])
  })

  it('a busy API is not a Redis outage: a reply that came while its own event loop was held past the timeout is a hit', async () => {
    await lab.get('/cached/products')
    await waitForKey()
    let hits = 0
    for (let i = 0; i < 20; i++) {
      const lookup = store.get(PAGE_ONE_KEY)
      // The API's own work holds its event loop for 3 × the command timeout; Redis answers meanwhile.
      const until = performance.now() + 3 * COMMAND_TIMEOUT_MS
      while (performance.now() < until) {
        // busy
      }
      if ((await lookup) !== null) hits++
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(hits).toBe(20)
    expect(store.stats().outages).toBe(0)
    expect(warnings).toEqual([])
  })

  const flush = () => fetch(`${lab.baseUrl}/__lab/cache/flush`, { method: 'POST' })

  it('a flush (before a cold measurement) waits out a short freeze, then empties the cache', async () => {
    await lab.get('/cached/products')
    await waitForKey()
    process.kill(server.pid, 'SIGSTOP')
    const flushing = flush()
    await new Promise((resolve) => setTimeout(resolve, 300))
    process.kill(server.pid, 'SIGCONT')
    const response = await flushing
    expect(response.status, await response.clone().text()).toBe(200)
    expect(await response.json()).toEqual({ flushed: true })
    const probe = new Redis(server.url)
    expect(await probe.dbsize()).toBe(0)
    await probe.quit()
    // The freeze was an outage, counted once, with its two lines.
    expect(store.stats().outages).toBe(1)
    expect(warnings.map((w) => (w.includes('is unavailable') ? 'down' : w.includes('is back;') ? 'back' : w))).toEqual(['down', 'back'])
  })

  it('a flush while Redis stays away: 503 naming Redis and how long it waited, no stack trace, and the API keeps answering', async () => {
    const body = (await lab.get('/cached/products')).body
    await server.stop()
    const response = await flush()
    expect(response.status).toBe(503)
    const answer = (await response.json()) as { error: string; message: string }
    expect(answer.error).toBe('Service Unavailable')
    expect(answer.message).toMatch(
      /^Cannot empty the cache: Redis at redis:\/\/127\.0\.0\.1:\d+\/? stayed unavailable for 1\.5 s \(.+\)\.$/,
    )
    expect(warnings.join('\n')).not.toMatch(/\n\s+at /)
    expect(store.stats().outages).toBe(1)
    const after = await lab.get('/cached/products')
    expect(after.status).toBe(200)
    expect(after.body).toBe(body)
  })

  it('two outages, frozen then killed: one warning each, and one when it came back in between', async () => {
    await lab.get('/cached/products')
    await waitForKey()
    process.kill(server.pid, 'SIGSTOP')
    await lab.get('/cached/products')
    await lab.get('/cached/products')
    process.kill(server.pid, 'SIGCONT')
    await vi.waitUntil(
      async () => {
        await lab.get('/cached/products')
        return warnings.some((w) => w.includes('is back; using the cache again'))
      },
      { timeout: 5000, interval: 20 },
    )
    await server.stop()
    await lab.get('/cached/products')
    await lab.get('/cached/products')
    expect(warnings.map((w) => (w.includes('is unavailable') ? 'down' : w.includes('is back;') ? 'back' : w))).toEqual([
      'down',
      'back',
      'down',
    ])
  })
})

describe.skipIf(SKIP_REDIS)('startCache', () => {
  it('starts its own redis-server on 127.0.0.1 and stops it', async () => {
    const cache = await startCache({ commandTimeoutMs: 50, maxPendingCommands: MAX_PENDING_COMMANDS, warn: () => {} })
    try {
      expect(cache.store.backend).toBe('redis')
      expect(cache.startedByLab).toBe(true)
      expect(cache.description).toMatch(/^redis at redis:\/\/127\.0\.0\.1:\d+ /)
      await cache.store.set('k', 'v', 10)
      expect(await cache.store.get('k')).toBe('v')
    } finally {
      await cache.stop()
    }
  })

  it('uses REDIS_URL when given, and redacts its password', async () => {
    const server = await startRedisServer()
    try {
      const url = server.url.replace('redis://', 'redis://:s3cret@')
      // redis-server has no password here; ioredis warns and carries on, which is what we need to see the redaction.
      const cache = await startCache({ redisUrl: url, commandTimeoutMs: 50, maxPendingCommands: MAX_PENDING_COMMANDS, warn: () => {} })
      expect(cache.startedByLab).toBe(false)
      expect(cache.description).not.toContain('s3cret')
      expect(cache.description).toContain('***')
      await cache.stop()
    } finally {
      await server.stop()
    }
  })
})

describe('startCache without Redis', () => {
  it('fails clearly when REDIS_URL points nowhere', async () => {
    const error = await startCache({
      redisUrl: 'redis://:s3cret@127.0.0.1:1',
      commandTimeoutMs: 50,
      maxPendingCommands: MAX_PENDING_COMMANDS,
      warn: () => {},
    }).catch((e: unknown) => e as Error)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/Cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1.*REDIS_URL/)
    expect((error as Error).message).not.toContain('s3cret')
  })

  it('fails clearly, without hanging, when REDIS_URL accepts connections but never answers', async () => {
    const mute = createServer((socket) => socket.on('data', () => {}))
    await new Promise<void>((resolve) => mute.listen({ host: '127.0.0.1', port: 0 }, resolve))
    const { port } = mute.address() as AddressInfo
    try {
      // A hang would fail this test by its timeout; ioredis's defaults wait for ever here.
      await expect(
        startCache({
          redisUrl: `redis://127.0.0.1:${port}`,
          commandTimeoutMs: 50,
          maxPendingCommands: MAX_PENDING_COMMANDS,
          warn: () => {},
        }),
      ).rejects.toThrow(new RegExp(`Cannot connect to Redis at redis://127\\.0\\.0\\.1:${port}/?: no answer within 2000 ms`))
    } finally {
      mute.close()
    }
  })

  it('falls back to an in-process store only when there is no redis-server, and says so loudly', async () => {
    const warnings: string[] = []
    const cache = await startCache({
      commandTimeoutMs: 50,
      maxPendingCommands: MAX_PENDING_COMMANDS,
      warn: (m) => warnings.push(m),
      redisServerPath: null,
    })
    expect(cache.store.backend).toBe('in-process')
    expect(warnings.join('\n')).toMatch(/IN-PROCESS/)
    await cache.stop()
  })
})
