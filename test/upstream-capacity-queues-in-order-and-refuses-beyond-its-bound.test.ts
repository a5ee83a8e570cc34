/** A mocked service at capacity: the next calls wait in FIFO order; beyond the queue, 503 at once. */
import { Pool } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import { createCapacity } from '../mock-upstreams/capacity.ts'
import { startUpstreams, type RunningUpstreams } from '../mock-upstreams/serve-upstreams.ts'
import { FAST_SERVICES } from './helpers/lab.ts'

describe('createCapacity', () => {
  it('grants workers up to the limit, then queues in FIFO order, then refuses', async () => {
    const capacity = createCapacity(2, 2)
    const order: string[] = []
    const a = capacity.acquire()!
    const b = capacity.acquire()!
    expect([a.queued, b.queued]).toEqual([false, false])
    const c = capacity.acquire()!
    const d = capacity.acquire()!
    expect([c.queued, d.queued]).toEqual([true, true])
    expect(capacity.acquire()).toBeUndefined()
    void c.ready.then(() => order.push('c'))
    void d.ready.then(() => order.push('d'))
    ;(await b.ready)()
    await new Promise((resolve) => setImmediate(resolve))
    expect(order).toEqual(['c'])
    ;(await a.ready)()
    await new Promise((resolve) => setImmediate(resolve))
    expect(order).toEqual(['c', 'd'])
    expect(capacity.busy).toBe(2)
    expect(capacity.waiting).toBe(0)
  })

  it('drops a waiting call whose caller went away, and frees its place', async () => {
    const capacity = createCapacity(1, 1)
    const holder = capacity.acquire()!
    const gone = new AbortController()
    const waiting = capacity.acquire(gone.signal)!
    gone.abort(new Error('closed'))
    await expect(waiting.ready).rejects.toThrow('closed')
    expect(capacity.waiting).toBe(0)
    ;(await holder.ready)()
    expect(capacity.busy).toBe(0)
  })
})

describe('a mocked service over HTTP, 2 workers and a queue of 2', () => {
  let upstreams: RunningUpstreams | undefined
  afterEach(() => upstreams?.close())

  it('keeps at most 2 calls in service, queues 2 in arrival order, and answers the 5th with 503 at once', async () => {
    const scenario = resolveScenario(FAST_SERVICES, { services: { inventory: { latencyMs: 300, workers: 2, queueLimit: 2 } } })
    upstreams = await startUpstreams(scenario)
    const pool = new Pool(upstreams.urls.inventory, { connections: 10 })
    const finished: number[] = []
    const calls: Promise<number>[] = []
    for (let id = 1; id <= 5; id++) {
      calls.push(
        pool.request({ method: 'GET', path: `/stock/${id}` }).then(async (response) => {
          await response.body.text()
          finished.push(id)
          return response.statusCode
        }),
      )
      // Arrival order is the order sent: give each request time to reach the server.
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const statuses = await Promise.all(calls)
    await pool.close()
    expect(statuses).toEqual([200, 200, 200, 200, 503])
    // The refused call answers first, then the two served at once, then the queue in order.
    expect(finished[0]).toBe(5)
    expect(finished.slice(3)).toEqual([3, 4])
    const stats = upstreams.stats.snapshot().services.inventory
    expect(stats).toMatchObject({ calls: 5, maxBusy: 2, queued: 2, rejected: 1, cancelled: 0 })
    expect(stats.longestWaitMs).toBeGreaterThan(0)
  })
})
