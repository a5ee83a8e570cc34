/**
 * An open-model load generator for the sweep: requests leave on a fixed schedule
 * (rate λ), whether or not earlier ones have come back, as customers arrive at a shop.
 * autocannon cannot do this for a slow endpoint: its overallRate caps the connections
 * at the rate and keeps one request outstanding per connection, which turns a
 * 4-second endpoint into a closed loop of a few requests. Latency is measured from the
 * moment a request was due, so a lagging generator cannot hide a slow server.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { Pool } from 'undici'

export interface OpenLoadOptions {
  origin: string
  path: string
  ratePerSec: number
  durationSeconds: number
  /** A request unanswered after this long counts as a timeout. */
  timeoutMs: number
  /** Connections allowed: enough for every request that can be in flight at once. */
  connections: number
  /** The body every 200 must match. */
  reference: string
}

export interface OpenLoadResult {
  sent: number
  /** Seconds from the first request due to the last answer. */
  durationSeconds: number
  /** 200s with the reference body that came back in the steady window (the last three quarters of the sending time), and its length. */
  okInWindow: number
  windowSeconds: number
  /** Latencies of every answered request, from when it was due, in ms. */
  latenciesMs: number[]
  statusCodes: Record<string, number>
  errors: number
  timeouts: number
  mismatches: number
}

export async function runOpenLoad(options: OpenLoadOptions): Promise<OpenLoadResult> {
  const { origin, path, ratePerSec, durationSeconds, timeoutMs, connections, reference } = options
  const pool = new Pool(origin, { connections, keepAliveTimeout: 60_000 })
  const total = Math.max(1, Math.round(ratePerSec * durationSeconds))
  const interval = 1000 / ratePerSec
  // The first quarter is the ramp: requests are sent but the system is not yet in its steady state.
  const windowStart = (durationSeconds * 1000) / 4
  const windowEnd = durationSeconds * 1000
  const result: OpenLoadResult = {
    sent: 0,
    durationSeconds: 0,
    okInWindow: 0,
    windowSeconds: (windowEnd - windowStart) / 1000,
    latenciesMs: [],
    statusCodes: {},
    errors: 0,
    timeouts: 0,
    mismatches: 0,
  }
  const started = performance.now()
  const one = async (due: number): Promise<void> => {
    try {
      const response = await pool.request({ method: 'GET', path, signal: AbortSignal.timeout(timeoutMs) })
      const body = await response.body.text()
      const done = performance.now()
      result.latenciesMs.push(done - due)
      const code = String(response.statusCode)
      result.statusCodes[code] = (result.statusCodes[code] ?? 0) + 1
      const ok = response.statusCode === 200 && body === reference
      if (response.statusCode === 200 && !ok) result.mismatches++
      if (ok && done - started >= windowStart && done - started <= windowEnd) result.okInWindow++
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') result.timeouts++
      else result.errors++
    }
  }
  const inFlight: Promise<void>[] = []
  try {
    for (let i = 0; i < total; i++) {
      const due = started + i * interval
      const wait = due - performance.now()
      if (wait > 1) await sleep(wait)
      result.sent++
      inFlight.push(one(due))
    }
    await Promise.all(inFlight)
  } finally {
    await pool.close()
  }
  result.durationSeconds = (performance.now() - started) / 1000
  return result
}
