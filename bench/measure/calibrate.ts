/**
 * Calibration: what one loopback HTTP call costs on this machine, with no lab code in it.
 * The harness calls the upstream process's bare echo endpoint (no msw, no data, the same
 * precise wait) the way the API calls a service: another process, a keep-alive undici
 * Pool. Its time over the wait is the least overhead any upstream call can have here.
 */
import { Pool } from 'undici'
import { median } from './stats.ts'
import { round } from '../record/format.ts'
import type { Calibration } from '../record/results.ts'
import { ECHO_PATH } from '../../mock-upstreams/admin-paths.ts'

export async function calibrateLoopback(upstreamUrl: string, samples: number, waitMs = 40): Promise<Calibration> {
  const pool = new Pool(upstreamUrl, { connections: 1, keepAliveTimeout: 60_000 })
  try {
    const call = async (): Promise<number> => {
      const started = performance.now()
      const response = await pool.request({ method: 'GET', path: `${ECHO_PATH}?ms=${waitMs}` })
      await response.body.text()
      return performance.now() - started
    }
    for (let i = 0; i < 3; i++) await call()
    const times: number[] = []
    for (let i = 0; i < samples; i++) times.push(await call())
    const callMs = median(times)
    return { waitMs, samples, callP50Ms: round(callMs), overheadMs: round(callMs - waitMs) }
  } finally {
    await pool.close()
  }
}
