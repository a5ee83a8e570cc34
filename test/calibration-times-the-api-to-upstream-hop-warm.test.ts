/**
 * The calibration is taken on the hop the variants' calls take: from the API, through its
 * own pool, to an upstream process's bare echo, one call or several at once (a fan-out's
 * hop); and on the hop to Redis, through the API's own client. It is warm (calls thrown away
 * first) and repeated (the median of three rounds' medians). The admin routes behind it check
 * what they are asked and name an upstream that does not answer.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { calibrateCacheRead, calibrateHops, calibrateUpstreamHop, CALIBRATION_ROUNDS } from '../bench/measure/calibrate.ts'
import { startRedisServer } from '../bench/stack/start-cache.ts'
import { DEFAULT_SCENARIO } from '../scenario/defaults.ts'
import { connectRedisStore } from '../variants/shared/cache-store.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { ECHO_PATH } from '../mock-upstreams/protocol.ts'
import { ADMIN_PATHS } from '../lab-api/protocol.ts'
import { startLab, type Lab } from './helpers/lab.ts'

let lab: Lab
beforeAll(async () => {
  lab = await startLab({ admin: true })
})
afterAll(() => lab.close())

const ask = (body: unknown) =>
  fetch(`${lab.baseUrl}${ADMIN_PATHS.timeUpstreamCalls}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

/** The ApiProcess method, over the same HTTP route the harness uses. */
const api = {
  async timeUpstreamCalls(service: string, path: string, samples: number, atOnce = 1): Promise<number[]> {
    const response = await ask({ service, path, samples, ...(atOnce > 1 ? { atOnce } : {}) })
    expect(response.status).toBe(200)
    return ((await response.json()) as { timesMs: number[] }).timesMs
  },
}

describe('calibrateUpstreamHop', () => {
  it("times warm calls from the API to the echo, and takes the median of the rounds' medians", async () => {
    const calls: number[] = []
    const counting = {
      async timeUpstreamCalls(service: string, path: string, samples: number) {
        calls.push(samples)
        expect(service).toBe('catalog')
        expect(path).toBe(`${ECHO_PATH}?ms=20`)
        return api.timeUpstreamCalls(service, path, samples)
      },
    }
    const calibration = await calibrateUpstreamHop(counting, 'catalog', 5, 20)
    // Warm-up calls first, thrown away; then the rounds.
    expect(calls).toEqual([10, ...Array.from({ length: CALIBRATION_ROUNDS }, () => 5)])
    expect(calibration).toMatchObject({ waitMs: 20, samples: 5, rounds: CALIBRATION_ROUNDS })
    expect(calibration.roundP50sMs).toHaveLength(CALIBRATION_ROUNDS)
    // A call cannot beat its wait (a timer may fire a little early); its overhead is about 1 ms on loopback (MEASURED: 1.0–1.5),
    // under 10 ms with slack for a busy machine (three test files on two cores), not tens.
    expect(calibration.callP50Ms).toBeGreaterThanOrEqual(19)
    expect(calibration.overheadMs).toBeLessThan(10)
  })

  it("is the median of the rounds' medians, worked by hand", async () => {
    // Warm-up times, then three rounds: medians 21, 25 and 22 ms; the calibration is their median, 22 ms, 2 over the 20 ms wait.
    const rounds = [
      [90, 90, 90, 90, 90, 90, 90, 90, 90, 90],
      [20.5, 21, 30, 21, 40],
      [25, 24, 26, 25, 25],
      [22, 50, 21, 23, 22],
    ]
    const scripted = { timeUpstreamCalls: () => Promise.resolve(rounds.shift()!) }
    const calibration = await calibrateUpstreamHop(scripted, 'catalog', 5, 20)
    expect(calibration).toEqual({ waitMs: 20, samples: 5, rounds: 3, roundP50sMs: [21, 25, 22], callP50Ms: 22, overheadMs: 2 })
  })

  it('with atOnce, passes it on for every round and the warm-up', async () => {
    const asked: number[] = []
    const counting = {
      async timeUpstreamCalls(service: string, path: string, samples: number, atOnce?: number) {
        asked.push(atOnce ?? 1)
        return api.timeUpstreamCalls(service, path, samples, atOnce)
      },
    }
    const calibration = await calibrateUpstreamHop(counting, 'inventory', 3, 20, 3)
    expect(asked).toEqual(Array.from({ length: 1 + CALIBRATION_ROUNDS }, () => 3))
    expect(calibration.callP50Ms).toBeGreaterThanOrEqual(19)
  })
})

describe(`POST ${ADMIN_PATHS.timeUpstreamCalls}`, () => {
  it("answers each call's time, in order", async () => {
    const times = await api.timeUpstreamCalls('pricing', `${ECHO_PATH}?ms=5`, 4)
    expect(times).toHaveLength(4)
    for (const ms of times) expect(ms).toBeGreaterThanOrEqual(4)
  })

  it('with atOnce k, makes the k calls of a sample together: a sample takes about one wait, not k', async () => {
    const times = await api.timeUpstreamCalls('inventory', `${ECHO_PATH}?ms=60`, 3, 3)
    expect(times).toHaveLength(3)
    // Made one after another, three waits of 60 ms would take at least 180 ms.
    for (const ms of times) expect(ms).toBeGreaterThanOrEqual(59)
    for (const ms of times) expect(ms).toBeLessThan(120)
  })

  it('with atOnce, calls the services after the one named, wrapping round: categories, then catalog', async () => {
    // Only catalog serves /products (a counted call): categories answers 404, which the API names.
    const path = '/products?page=1&limit=1'
    const catalogCalls = () => lab.upstreams.stats.snapshot().services.catalog.calls
    const before = catalogCalls()
    const response = await ask({ service: 'categories', path, samples: 1, atOnce: 2 })
    expect(response.status).toBe(502)
    expect(((await response.json()) as { message: string }).message).toContain('categories')
    // The second call of the sample went to catalog, the service after categories.
    await vi.waitFor(() => expect(catalogCalls()).toBe(before + 1))
    // Seven at once from catalog: every service once, then catalog and inventory again.
    const seven = await ask({ service: 'catalog', path, samples: 1, atOnce: 7 })
    expect(seven.status).toBe(502)
    await vi.waitFor(() => expect(catalogCalls()).toBe(before + 3))
  })

  it.each([
    [{ service: 'catalog', path: '/', samples: 1, atOnce: 0 }],
    [{ service: 'catalog', path: '/', samples: 1, atOnce: 65 }],
    [{ service: 'catalog', path: '/', samples: 1, atOnce: 1.5 }],
    [{ service: 'nowhere', path: '/', samples: 1 }],
    [{ service: 'catalog', path: 'no-slash', samples: 1 }],
    [{ service: 'catalog', path: '/', samples: 0 }],
    [{ service: 'catalog', path: '/', samples: 5000 }],
    [{ service: 'catalog', path: '/' }],
  ])('refuses %j with 400, calling no upstream', async (body) => {
    const before = lab.upstreams.stats.snapshot().services.catalog.calls
    expect((await ask(body)).status).toBe(400)
    expect(lab.upstreams.stats.snapshot().services.catalog.calls).toBe(before)
  })

  it('answers 502 naming the service when the path is not there', async () => {
    const response = await ask({ service: 'reviews', path: '/no-such-endpoint', samples: 1 })
    expect(response.status).toBe(502)
    expect(((await response.json()) as { message: string }).message).toContain('reviews')
  })
})

describe(`POST ${ADMIN_PATHS.timeCacheReads}`, () => {
  const askReads = (target: Lab, body: unknown) =>
    fetch(`${target.baseUrl}${ADMIN_PATHS.timeCacheReads}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('answers 409 when the price cache is the in-process map: there is no hop to time', async () => {
    const response = await askReads(lab, { samples: 1, idleMs: 0 })
    expect(response.status).toBe(409)
    expect(((await response.json()) as { message: string }).message).toContain('in-process')
  })

  it.each([[{ samples: 0, idleMs: 0 }], [{ samples: 1 }], [{ samples: 1, idleMs: 5000 }], [{ samples: 1, idleMs: 0, key: 'x' }]])(
    'refuses %j with 400',
    async (body) => {
      expect((await askReads(lab, body)).status).toBe(400)
    },
  )

  describe.skipIf(SKIP_REDIS)('on a real Redis', () => {
    it('times bare reads, each after its idle wait, counting no price-cache lookup; and says so when Redis stops answering', async () => {
      const server = await startRedisServer()
      const store = await connectRedisStore(server.url, {
        commandTimeoutMs: 100,
        maxPendingCommands: DEFAULT_SCENARIO.cacheMaxPendingCommands,
        flushPatienceMs: 500,
        warn: () => {},
      })
      const redisLab = await startLab({ cache: store, admin: true })
      try {
        const started = performance.now()
        const response = await askReads(redisLab, { samples: 3, idleMs: 30 })
        const elapsed = performance.now() - started
        expect(response.status).toBe(200)
        const { timesMs } = (await response.json()) as { timesMs: number[] }
        expect(timesMs).toHaveLength(3)
        for (const ms of timesMs) expect(ms).toBeGreaterThan(0)
        // Each read came after its own wait.
        expect(elapsed).toBeGreaterThanOrEqual(3 * 29)
        expect(store.stats().lookups).toEqual({ found: 0, notFound: 0, unavailable: 0 })

        const calibration = await calibrateCacheRead(
          {
            timeCacheReads: async (samples, idleMs) => {
              const answer = await askReads(redisLab, { samples, idleMs })
              expect(answer.status).toBe(200)
              return ((await answer.json()) as { timesMs: number[] }).timesMs
            },
          },
          3,
          1,
        )
        expect(calibration.waitMs).toBe(0)
        expect(calibration.overheadMs).toBe(calibration.callP50Ms)
        expect(calibration.roundP50sMs).toHaveLength(CALIBRATION_ROUNDS)

        // Frozen: the reads time out, and the route does not pass their time off as the hop's.
        process.kill(server.pid, 'SIGSTOP')
        const frozen = await askReads(redisLab, { samples: 2, idleMs: 0 })
        process.kill(server.pid, 'SIGCONT')
        expect(frozen.status).toBe(503)
        expect(((await frozen.json()) as { message: string }).message).toContain('Redis did not answer')
        // Gone before the route is asked: each read fails at once, and is still not taken for the hop.
        await server.stop()
        const gone = await askReads(redisLab, { samples: 2, idleMs: 0 })
        expect(gone.status).toBe(503)
      } finally {
        try {
          process.kill(server.pid, 'SIGCONT')
        } catch {
          // stopped already
        }
        await redisLab.close()
        await store.close()
        await server.stop()
      }
    })
  })
})

describe('calibrateHops', () => {
  const refused =
    'Could not time reads from the API to Redis: the API process answered 503: Redis did not answer every read: no calibration of the hop to it'
  const withReads = (timeCacheReads: () => Promise<number[]>) => ({
    url: lab.baseUrl,
    cacheBackend: 'redis' as const,
    timeUpstreamCalls: api.timeUpstreamCalls,
    timeCacheReads,
  })

  it("times the request's own hop against the API's echo, each fan-out width, and says why a Redis read has no calibration", async () => {
    let asked = 0
    const hops = await calibrateHops(
      withReads(() => (asked++, Promise.reject(new Error(refused)))),
      [2],
      3,
    )
    // The API's echo waits its 40 ms: a call to it cannot take less.
    expect(hops.request.callP50Ms).toBeGreaterThanOrEqual(39)
    expect(Object.keys(hops.atOnce)).toEqual(['2'])
    expect(hops.atOnce['2']!.callP50Ms).toBeGreaterThanOrEqual(39)
    expect(hops.cacheRead).toBeNull()
    // Taken three times (the first, then two retries), each failing at its first round of reads: then left uncalibrated, and why.
    expect(asked).toBe(3)
    expect(hops.cacheReadUncalibrated).toBe(`${refused} (tried 3 times)`)
    expect(hops.cacheReadRetries).toBe(2)
  })

  it('rides out a busy moment: a read Redis did not answer once is taken again, and the retry recorded', async () => {
    let asked = 0
    // The first batch of reads (the warm-up's) is refused, every later one answers in 0.3 ms.
    const hops = await calibrateHops(
      withReads(() => (asked++ === 0 ? Promise.reject(new Error(refused)) : Promise.resolve([0.3, 0.3, 0.3]))),
      [],
      3,
    )
    expect(hops.cacheReadRetries).toBe(1)
    expect(hops.cacheReadUncalibrated).toBeNull()
    expect(hops.cacheRead!.callP50Ms).toBe(0.3)
  })

  it('stops on any other failure: a fault of the lab is not a missing figure', async () => {
    await expect(
      calibrateHops(
        withReads(() => Promise.reject(new Error('Could not time reads from the API to Redis: the API process answered 400: bad body'))),
        [],
        3,
      ),
    ).rejects.toThrow(/answered 400/)
  })
})
