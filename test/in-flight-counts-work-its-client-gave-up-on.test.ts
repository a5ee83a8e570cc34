/**
 * A request is in flight until its variant's work settles, not until its client goes away:
 * autocannon drops the requests still out at a level's end, and the API goes on serving them
 * (their price-cache lookups, pricing calls and stores). A level waits for the counters'
 * inFlight to reach 0, so that work lands in its own level; counted by the connection alone,
 * it landed in the next (and a price list stored after a flush filled a "cold" cache).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ADMIN_PATHS, type ApiCounters } from '../lab-api/protocol.ts'
import { startLab, type Lab } from './helpers/lab.ts'

describe('the API counts a request in flight until its work settles', () => {
  let lab: Lab
  beforeAll(async () => {
    // The catalog answers after 300 ms, pricing 300 ms after that: well after the client has gone.
    lab = await startLab({
      scenario: { services: { catalog: { latencyMs: 300 }, pricing: { latencyMs: 300, perItemMs: 0 } } },
      admin: true,
    })
  })
  afterAll(() => lab.close())

  const counters = async (): Promise<ApiCounters> => (await (await fetch(`${lab.baseUrl}${ADMIN_PATHS.counters}`)).json()) as ApiCounters

  it('after the client aborts: still in flight, then its pricing call and lookup are counted, then 0', async () => {
    const before = await counters()
    const client = new AbortController()
    const request = fetch(`${lab.baseUrl}/cached/products?page=3&limit=5`, { signal: client.signal }).catch((error: Error) => error)
    await vi.waitFor(async () => expect((await counters()).inFlight).toBe(1))
    client.abort()
    expect(await request).toBeInstanceOf(Error)
    // The connection is closed; the work is still waiting for the catalog.
    await new Promise((resolve) => setTimeout(resolve, 50))
    const during = await counters()
    expect(during.inFlight).toBe(1)
    expect(during.upstreamCalls.pricing - before.upstreamCalls.pricing).toBe(0)
    await vi.waitFor(async () => expect((await counters()).inFlight).toBe(0), { timeout: 5000, interval: 20 })
    const after = await counters()
    expect(after.upstreamCalls.pricing - before.upstreamCalls.pricing).toBe(1)
    expect(after.priceCache.misses - before.priceCache.misses).toBe(1)
  })
})
