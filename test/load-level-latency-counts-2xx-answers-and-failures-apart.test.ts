/**
 * A load level's p50/p90/p99/max are the lab's percentiles of the 2xx answers autocannon
 * timed (to the fraction of a millisecond, not its histogram's whole ones). A failure is
 * never among them: a fast 503 would flatter the latency and a 504 at the deadline would
 * stand for a wait no page was served after; failures are counted by status instead.
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
    setTimeout(
      () => res.writeHead(failing ? 504 : 200, { 'content-type': 'application/json' }).end(failing ? '{"error":"late"}' : '{"ok":true}'),
      failing ? SLOW_MS : FAST_MS,
    )
  })
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('runLoad', () => {
  it('times the 2xx answers, counts the 504s apart, and checks only the 2xx bodies', async () => {
    const { result, latenciesMs, statusCodes, mismatches, good } = await runLoad(
      { url, connections: 1, amount: 30, timeout: 10 },
      '{"ok":true}',
    )
    expect(result.requests.total).toBe(30)
    expect(statusCodes).toEqual({ '200': 20, '504': 10 })
    // Good answers apart from all: the 504s are answers, never good ones.
    expect(good).toBe(20)
    // The 20 answers that succeeded, not the 10 slow 504s (a busy machine may slow a 200, rarely past 60 ms).
    expect(latenciesMs).toHaveLength(20)
    expect(latenciesMs.filter((ms) => ms < SLOW_MS - 5).length).toBeGreaterThanOrEqual(15)
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
