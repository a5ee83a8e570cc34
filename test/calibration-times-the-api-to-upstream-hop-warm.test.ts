/**
 * The calibration is taken on the hop the variants' calls take: from the API, through its
 * own pool, to an upstream process's bare echo. It is warm (calls thrown away first) and
 * repeated (the median of three rounds' medians). The admin route behind it checks what it
 * is asked and names an upstream that does not answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { calibrateUpstreamHop, CALIBRATION_ROUNDS } from '../bench/measure/calibrate.ts'
import { median } from '../bench/measure/stats.ts'
import { ECHO_PATH } from '../mock-upstreams/admin-paths.ts'
import { ADMIN_PATHS } from '../variants/shared/admin-paths.ts'
import { startLab, type Lab } from './helpers/lab.ts'

let lab: Lab
beforeAll(async () => {
  lab = await startLab({ admin: true })
})
afterAll(() => lab.close())

const ask = (body: unknown) =>
  fetch(`${lab.baseUrl}${ADMIN_PATHS.timeUpstreamCalls}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

/** The ApiProcess method, over the same HTTP route the harness uses. */
const api = {
  async timeUpstreamCalls(service: string, path: string, samples: number): Promise<number[]> {
    const response = await ask({ service, path, samples })
    expect(response.status).toBe(200)
    return ((await response.json()) as { timesMs: number[] }).timesMs
  },
}

describe('calibrateUpstreamHop', () => {
  it('times warm calls from the API to the echo, and takes the median of the rounds\' medians', async () => {
    const calls: number[] = []
    const counting = {
      async timeUpstreamCalls(service: string, path: string, samples: number) {
        calls.push(samples)
        expect(service).toBe('catalog')
        expect(path).toBe(`${ECHO_PATH}?ms=20`)
        return api.timeUpstreamCalls(service, path, samples)
      },
    }
    const calibration = await calibrateUpstreamHop(counting, 'catalog', 5, 20)
    // Warm-up calls first, thrown away; then the rounds.
    expect(calls).toEqual([10, ...Array.from({ length: CALIBRATION_ROUNDS }, () => 5)])
    expect(calibration).toMatchObject({ waitMs: 20, samples: 5, rounds: CALIBRATION_ROUNDS })
    expect(calibration.roundP50sMs).toHaveLength(CALIBRATION_ROUNDS)
    expect(calibration.callP50Ms).toBeCloseTo(median(calibration.roundP50sMs), 1)
    // A call cannot beat its wait (a timer may fire a little early); its overhead is a few ms on loopback, not tens.
    expect(calibration.callP50Ms).toBeGreaterThanOrEqual(19)
    expect(calibration.overheadMs).toBeLessThan(30)
  })
})

describe(`POST ${ADMIN_PATHS.timeUpstreamCalls}`, () => {
  it('answers each call\'s time, in order', async () => {
    const times = await api.timeUpstreamCalls('pricing', `${ECHO_PATH}?ms=5`, 4)
    expect(times).toHaveLength(4)
    for (const ms of times) expect(ms).toBeGreaterThanOrEqual(4)
  })

  it.each([
    [{ service: 'nowhere', path: '/', samples: 1 }],
    [{ service: 'catalog', path: 'no-slash', samples: 1 }],
    [{ service: 'catalog', path: '/', samples: 0 }],
    [{ service: 'catalog', path: '/', samples: 5000 }],
    [{ service: 'catalog', path: '/' }],
  ])('refuses %j with 400, calling no upstream', async (body) => {
    const before = lab.upstreams.stats.snapshot().services.catalog.calls
    expect((await ask(body)).status).toBe(400)
    expect(lab.upstreams.stats.snapshot().services.catalog.calls).toBe(before)
  })

  it('answers 502 naming the service when the path is not there', async () => {
    const response = await ask({ service: 'reviews', path: '/no-such-endpoint', samples: 1 })
    expect(response.status).toBe(502)
    expect(((await response.json()) as { message: string }).message).toContain('reviews')
  })
})
