/**
 * Calibration: what one upstream call costs on this machine with no lab code in it, on the
 * hop the variants' calls take: from the API process, through its own keep-alive pool, to
 * the upstream process's bare echo endpoint (no msw, no data, the same precise wait as a
 * mocked call). Its time over the wait is the least overhead any upstream call can have here.
 *
 * Taken warm: after the correctness check and the warm-up have run every code path, and
 * after WARM_UP_CALLS more that are thrown away (the first calls after start-up cost about
 * twice what later ones do). Then ROUNDS rounds of `samples` calls: the median of each
 * round, and the median of those, so one noisy round cannot move it.
 */
import { median } from './stats.ts'
import { round } from '../record/format.ts'
import type { Calibration } from '../record/results.ts'
import type { ApiProcess } from '../stack/api-process.ts'
import { ECHO_PATH } from '../../mock-upstreams/admin-paths.ts'
import type { ServiceName } from '../../scenario/types.ts'

const WARM_UP_CALLS = 10
export const CALIBRATION_ROUNDS = 3

export async function calibrateUpstreamHop(api: Pick<ApiProcess, 'timeUpstreamCalls'>, service: ServiceName, samples: number, waitMs = 40): Promise<Calibration> {
  const path = `${ECHO_PATH}?ms=${waitMs}`
  await api.timeUpstreamCalls(service, path, WARM_UP_CALLS)
  const roundP50sMs: number[] = []
  for (let i = 0; i < CALIBRATION_ROUNDS; i++) roundP50sMs.push(median(await api.timeUpstreamCalls(service, path, samples)))
  const callMs = median(roundP50sMs)
  return { waitMs, samples, rounds: CALIBRATION_ROUNDS, roundP50sMs: roundP50sMs.map((ms) => round(ms)), callP50Ms: round(callMs), overheadMs: round(callMs - waitMs) }
}
