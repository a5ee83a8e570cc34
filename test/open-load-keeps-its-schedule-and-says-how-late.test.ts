/**
 * The sweep's open-model generator: every request leaves on its schedule, never before it
 * is due, on its own connection (none waits inside the client for one), and how late it
 * left is recorded. A level's figures come from those records: goodput by send time never
 * exceeds the rate offered, delivered is the rate the requests were answered at, and a
 * queue that grows shows as a latency that rises.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LATE_MS, runOpenLoad, summarizeOpenLoad, type OpenLoadRun, type SentRequest } from '../bench/measure/open-load.ts'

const HOLD_MS = 300
const BODY = '{"ok":true}'
let server: Server
let origin: string

beforeAll(async () => {
  server = createServer((_req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(BODY), HOLD_MS))
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('runOpenLoad', () => {
  it('sends on schedule, never early, with a connection for every request in flight', async () => {
    // 200 req/s of 300 ms requests: 60 in flight at once, each on its own connection.
    const run = await runOpenLoad({ origin, path: '/', ratePerSec: 200, durationSeconds: 1, timeoutMs: 5000, reference: BODY })
    expect(run.requests).toHaveLength(200)
    for (const r of run.requests) expect(r.sentMs).toBeGreaterThanOrEqual(r.dueMs)
    expect(run.maxInFlight).toBeGreaterThanOrEqual(55)
    const level = summarizeOpenLoad(run)
    expect(level.statusCodes).toEqual({ '200': 200 })
    // The server's timer may fire a millisecond early (MEASURED.md), never much more.
    expect(level.goodLatenciesMs.every((ms) => ms >= HOLD_MS - 2)).toBe(true)
    expect(level.goodputPerSec).toBeLessThanOrEqual(200)
    expect(level.goodputPerSec).toBeGreaterThan(190)
    // Answered at the rate sent: within 10 % on a shared machine.
    expect(level.throughputPerSec).toBeGreaterThan(180)
    expect(level.throughputPerSec).toBeLessThan(220)
    // Lateness is measured, whatever the machine makes of it: a request sent more than 2 ms after it was due is late.
    expect(LATE_MS).toBe(2)
    const lateness = run.requests.map((r) => r.sentMs - r.dueMs)
    expect(level.latePercent).toBeCloseTo((lateness.filter((ms) => ms > 2).length / 200) * 100, 5)
    expect(level.maxLateMs).toBeCloseTo(Math.max(0, ...lateness), 1)
  })
})

describe('summarizeOpenLoad', () => {
  /** A level of `n` requests at `rate`, served one at a time by `servers` workers of `serviceMs` each, first in first out. */
  const simulate = (rate: number, seconds: number, servers: number, serviceMs: number): OpenLoadRun => {
    const free = Array.from({ length: servers }, () => 0)
    const requests: SentRequest[] = []
    for (let i = 0; i < rate * seconds; i++) {
      const dueMs = (i * 1000) / rate
      const worker = free.indexOf(Math.min(...free))
      const doneMs = Math.max(dueMs, free[worker]!) + serviceMs
      free[worker] = doneMs
      requests.push({ dueMs, sentMs: dueMs, doneMs, outcome: 200, good: true, mismatch: false, cache: null })
    }
    return { requests, ratePerSec: rate, sendingSeconds: seconds, maxInFlight: servers, timeoutMs: 60_000 }
  }

  it('below capacity: goodput and delivered are the rate offered, and nothing rises', () => {
    // 16 workers of 1.79 s: 8.94 req/s. Offered 8.
    const level = summarizeOpenLoad(simulate(8, 20, 16, 1790))
    expect(level.goodputPerSec).toBeCloseTo(8, 5)
    expect(level.throughputPerSec).toBeCloseTo(8, 1)
    expect(level.latencyRiseMs).toBe(0)
  })

  it('10 % past capacity: every request answered, yet delivered is the capacity and the latency rises', () => {
    const level = summarizeOpenLoad(simulate(9.83, 20, 16, 1790))
    // Goodput by send time: all of them, eventually; never more than offered.
    expect(level.goodputPerSec).toBeLessThanOrEqual(9.83 + 1e-9)
    expect(level.throughputPerSec).toBeCloseTo(16 / 1.79, 1)
    expect(level.latencyRiseMs!).toBeGreaterThan(level.risingAboveMs)
  })

  it('times delivered from the spacing of the answers, so one late or early answer cannot move it', () => {
    const run = simulate(10, 20, 100, 50)
    // One answer of the window comes 4.9 s late.
    const late = run.requests.find((r) => r.dueMs >= 10_000)!
    late.doneMs = late.dueMs + 4900
    expect(summarizeOpenLoad(run).throughputPerSec).toBeCloseTo(10, 0)
  })

  it('counts a failure as slower than any answer, and no failure among the latencies', () => {
    const run = simulate(10, 4, 100, 50)
    for (const r of run.requests.filter((r) => r.dueMs >= 3000)) Object.assign(r, { outcome: 504, good: false })
    const level = summarizeOpenLoad(run)
    expect(level.goodLatenciesMs).toHaveLength(30)
    expect(level.statusCodes).toEqual({ '200': 30, '504': 10 })
    expect(level.latencyRiseMs).toBe(60_000 - 50)
  })
})
