/**
 * A load level lasts from its first request sent to its last answer: requests per second
 * are counted over that time, not over autocannon's own duration, which for a slow
 * endpoint ends at its next one-second tick (up to a second of idle time, which made
 * `bulk` at 10 connections read 3.99 req/s where 4.9 was true). The server below times the
 * level on its own side, independently.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runLoad } from '../bench/measure/load-phase.ts'

const ANSWER_MS = 400
let server: Server
let url: string
let firstArrival = 0
let lastAnswer = 0

beforeAll(async () => {
  server = createServer((_req, res) => {
    firstArrival ||= performance.now()
    setTimeout(() => {
      res.end('ok')
      lastAnswer = performance.now()
    }, ANSWER_MS)
  })
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('a load level on a slow endpoint', () => {
  it('reports requests per second within 5 % of requests ÷ (last answer − first request), as the server saw them', async () => {
    // 10 connections × 2 requests of 400 ms: about 0.8 s of work, where autocannon counts a whole second or more.
    const { result, elapsedSeconds, good } = await runLoad({ url, connections: 10, amount: 20, timeout: 10 }, 'ok')
    expect(result.requests.total).toBe(20)
    expect(good).toBe(20)
    const serverSeconds = (lastAnswer - firstArrival) / 1000
    const reported = 20 / elapsedSeconds
    const independent = 20 / serverSeconds
    expect(
      Math.abs(reported / independent - 1),
      `reported ${reported.toFixed(2)} req/s, the server saw ${independent.toFixed(2)}`,
    ).toBeLessThan(0.05)
    // autocannon's own figure, for the record: it counts up to its next tick.
    expect(result.duration).toBeGreaterThanOrEqual(elapsedSeconds)
  })
})
