/**
 * The load phase: autocannon against one variant at a time, at each level of
 * connections, for a fixed duration. It runs in the harness's process, never in the
 * API's. Every error, timeout, non-2xx and body mismatch is counted and reported.
 */
import autocannon from 'autocannon'
import type { ApiProcess } from './api-process.ts'
import { round } from './latency-phase.ts'
import type { LoadLevel } from './results.ts'

export interface LoadContext {
  api: ApiProcess
  path: string
  reference: string
}

/** A request still unanswered after this long counts as a timeout. */
const REQUEST_TIMEOUT_SECONDS = 30

export async function measureLoadLevel(context: LoadContext, variant: string, connections: number, durationSeconds: number): Promise<LoadLevel> {
  const { api, path, reference } = context
  const before = await api.usage()
  const result = await autocannon({
    url: `${api.url}/${variant}${path}`,
    connections,
    duration: durationSeconds,
    timeout: REQUEST_TIMEOUT_SECONDS,
    expectBody: reference,
  })
  const after = await api.usage()
  const requests = result.requests.total
  const cpuMs = (after.cpuUserMicros - before.cpuUserMicros + after.cpuSystemMicros - before.cpuSystemMicros) / 1000
  return {
    connections,
    durationSeconds: round(result.duration),
    requests,
    requestsPerSec: round(requests / Math.max(result.duration, 0.001)),
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
    apiCpuMsPerRequest: requests > 0 ? round(cpuMs / requests, 3) : null,
  }
}
