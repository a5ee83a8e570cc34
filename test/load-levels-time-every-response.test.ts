/**
 * A load level's p50/p90/p99/max are the lab's percentiles of every response autocannon
 * received, 2xx or not (what autocannon's own histogram recorded, to the fraction of a
 * millisecond): a level where an overloaded variant answers 504 late shows those 504s in
 * its latencies, never a figure from the few that succeeded, or none.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runLoad } from '../bench/measure/load-phase.ts'

const FAST_MS = 5
const SLOW_MS = 60
let server: Server
let url: string
let served = 0

beforeAll(async () => {
  // Every third request is a slow 504; the others a fast 200 with the reference body.
  server = createServer((_req, res) => {
    const failing = served++ % 3 === 2
    setTimeout(() => res.writeHead(failing ? 504 : 200, { 'content-type': 'application/json' }).end(failing ? '{"error":"late"}' : '{"ok":true}'), failing ? SLOW_MS : FAST_MS)
  })
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('runLoad', () => {
  it('times every response, the 504s included, and checks only the 2xx bodies', async () => {
    const { result, latenciesMs, statusCodes, mismatches, good } = await runLoad({ url, connections: 1, amount: 30, timeout: 10 }, '{"ok":true}')
    expect(result.requests.total).toBe(30)
    expect(statusCodes).toEqual({ '200': 20, '504': 10 })
    // Good answers apart from all: the 504s are answers, never good ones.
    expect(good).toBe(20)
    expect(latenciesMs).toHaveLength(30)
    // The 504s took at least their 60 ms (a timer may fire a little early; a busy machine may slow a 200 too).
    expect(latenciesMs.filter((ms) => ms >= SLOW_MS - 5).length).toBeGreaterThanOrEqual(10)
    expect(mismatches).toBe(0)
    // Fractions of a millisecond, not whole ones.
    expect(latenciesMs.some((ms) => !Number.isInteger(ms))).toBe(true)
  })

  it('counts a 2xx body that differs from the reference as a mismatch, not as a good answer', async () => {
    const { mismatches, good, statusCodes } = await runLoad({ url, connections: 1, amount: 6, timeout: 10 }, '{"ok":false}')
    expect(mismatches).toBe(statusCodes['200'])
    expect(good).toBe(0)
  })
})
