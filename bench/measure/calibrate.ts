/**
 * Calibration: what one upstream call costs on this machine with no lab code in it, on the
 * hop the variants' calls take (one call, or several at once as a fan-out makes them; and the hop to Redis): from the API process, through its own keep-alive pool, to
 * the upstream process's bare echo endpoint (no msw, no data, the same precise wait as a
 * mocked call). Its time over the wait is the least overhead any upstream call can have here.
 *
 * Taken warm: after the correctness check and the warm-up have run every code path, and
 * after WARM_UP_CALLS more that are thrown away (the first calls after start-up cost about
 * twice what later ones do). Then ROUNDS rounds of `samples` calls: the median of each
 * round, and the median of those, so one noisy round cannot move it.
 */
import { createHttpClient, type HttpClient } from './http-client.ts'
import { median } from './stats.ts'
import { round } from '../record/format.ts'
import type { Calibration, HopCalibration } from '../record/results.ts'
import { labTokenHeaders } from '../../roles/protocol.ts'
import type { ApiProcess } from '../stack/api-process.ts'
import { ECHO_PATH } from '../../mock-upstreams/protocol.ts'
import { ADMIN_PATHS } from '../../lab-api/protocol.ts'
import type { ServiceName } from '../../scenario/types.ts'

export const WARM_UP_CALLS = 10
/** The widest fan-out calibrated (the API's admin route takes no more): a path with a wider one has no figure per hop. */
export { MAX_CALLS_AT_ONCE } from '../../lab-api/protocol.ts'
export const CALIBRATION_ROUNDS = 3
/** The wait of every calibration: an upstream call's in the default scenario. */
const ECHO_WAIT_MS = 40

/** With `atOnce` k > 1: k calls made together to k services, timed from the first call to the last answer (a fan-out's hop). */
export async function calibrateUpstreamHop(
  api: Pick<ApiProcess, 'timeUpstreamCalls'>,
  service: ServiceName,
  samples: number,
  waitMs = ECHO_WAIT_MS,
  atOnce = 1,
  warmUp = WARM_UP_CALLS,
): Promise<Calibration> {
  const path = `${ECHO_PATH}?ms=${waitMs}`
  return calibrationOf(await rounds((n) => api.timeUpstreamCalls(service, path, n, atOnce), samples, warmUp), samples, waitMs)
}

/**
 * The API → Redis hop: bare reads through the API's own Redis client of a key never set (no
 * value to carry or parse), each after `idleMs` of waiting, as a price-cache lookup follows an
 * upstream call's wait. Warm and in rounds, as the upstream hop. Its whole time is overhead: a
 * lookup costs nothing in the model.
 */
export async function calibrateCacheRead(
  api: Pick<ApiProcess, 'timeCacheReads'>,
  samples: number,
  idleMs = ECHO_WAIT_MS,
  warmUp = WARM_UP_CALLS,
): Promise<Calibration> {
  return calibrationOf(await rounds((n) => api.timeCacheReads(n, idleMs), samples, warmUp), samples, 0)
}

/** `warmUp` calls thrown away, then CALIBRATION_ROUNDS rounds of `samples`: each round's median. */
async function rounds(time: (samples: number) => Promise<number[]>, samples: number, warmUp: number): Promise<number[]> {
  await time(warmUp)
  const roundP50sMs: number[] = []
  for (let i = 0; i < CALIBRATION_ROUNDS; i++) roundP50sMs.push(median(await time(samples)))
  return roundP50sMs
}

/** A calibration from its rounds' medians: the median of those, and its time over the wait. */
function calibrationOf(roundP50sMs: number[], samples: number, waitMs: number): Calibration {
  const callMs = median(roundP50sMs)
  return {
    waitMs,
    samples,
    rounds: CALIBRATION_ROUNDS,
    roundP50sMs: roundP50sMs.map((ms) => round(ms)),
    callP50Ms: round(callMs),
    overheadMs: round(callMs - waitMs),
  }
}

/**
 * Every other kind of hop on the variants' paths (hops.ts), beside the API's single call: the
 * request's own (a bare call from the harness to the API's echo, through its server but no
 * variant's code, with the same wait), `widths` calls at once from the API, and a Redis read
 * when the API's cache is Redis: null when it is the in-process map, or when Redis did not
 * answer every read (with the reason; a variant whose path reads Redis then has no figure per hop).
 */
export async function calibrateHops(
  api: Pick<ApiProcess, 'url' | 'timeUpstreamCalls' | 'timeCacheReads' | 'cacheBackend'>,
  widths: readonly number[],
  samples: number,
  warmUp = WARM_UP_CALLS,
): Promise<HopCalibration> {
  const client = createHttpClient(api.url, 30_000, 1, labTokenHeaders())
  const request = await rounds((n) => timeEcho(client, api.url, n), samples, warmUp)
    .then((roundP50sMs) => calibrationOf(roundP50sMs, samples, ECHO_WAIT_MS))
    .finally(() => client.close())
  const atOnce: Record<string, Calibration> = {}
  for (const k of widths) atOnce[String(k)] = await calibrateUpstreamHop(api, 'inventory', samples, ECHO_WAIT_MS, k, warmUp)
  if (api.cacheBackend !== 'redis') return { request, atOnce, cacheRead: null, cacheReadUncalibrated: null, cacheReadRetries: 0 }
  // A read Redis did not answer within its command timeout (the route's 503) is a busy moment of the machine: the whole
  // calibration is taken again, up to CALIBRATION_RETRIES times, and the retries recorded. Only a Redis that never answers
  // leaves the hop uncalibrated, and the run goes on without its figure, saying why. Anything else is the lab's fault.
  for (let retries = 0; ; retries++) {
    try {
      return {
        request,
        atOnce,
        cacheRead: await calibrateCacheRead(api, samples, ECHO_WAIT_MS, warmUp),
        cacheReadUncalibrated: null,
        cacheReadRetries: retries,
      }
    } catch (error) {
      if (!/ answered 503: /.test((error as Error).message)) throw error
      if (retries === CALIBRATION_RETRIES)
        return {
          request,
          atOnce,
          cacheRead: null,
          cacheReadUncalibrated: `${(error as Error).message} (tried ${retries + 1} times)`,
          cacheReadRetries: retries,
        }
    }
  }
}

/** Times a calibration whose reads Redis did not all answer is taken again before the hop is left uncalibrated. */
export const CALIBRATION_RETRIES = 2

/** `samples` calls to the API's echo made by the harness itself, on its own keep-alive connection, one at a time: the request's own hop. */
async function timeEcho(client: HttpClient, url: string, samples: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const started = performance.now()
    const answer = await client.get(`${ADMIN_PATHS.echo}?ms=${ECHO_WAIT_MS}`)
    if (answer.status !== 200) throw new Error(`Could not time the request's own hop: the API's echo at ${url} answered ${answer.status}.`)
    times.push(performance.now() - started)
  }
  return times
}
