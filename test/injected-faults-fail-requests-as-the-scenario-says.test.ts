/**
 * Faults injected from the scenario (per service: error, hang and reset rates, seeded):
 * the mock acts each one out on a real connection, the API answers it with a JSON 502 or
 * 504 naming the upstream and stays up, the sequence replays for the same seed, and the
 * share of failed requests is what the calls each variant makes predict.
 */
import { setupServer } from 'msw/node'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { expectedFailurePercent } from '../bench/measure/floors.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import type { ScenarioInput, ServiceName } from '../scenario/types.ts'
import { createUpstreamHandlers, upstreamOrigin } from '../mock-upstreams/handlers.ts'
import { createUpstreamStats } from '../mock-upstreams/stats.ts'
import { startLab, type Lab } from './helpers/lab.ts'

const labs: Lab[] = []
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.close()))
})

async function labWith(scenario: ScenarioInput): Promise<Lab> {
  const lab = await startLab({ scenario })
  labs.push(lab)
  return lab
}

const faultsOn = (service: ServiceName, faults: Record<string, number>): ScenarioInput => ({ services: { [service]: { faults } } })

/** Until the condition holds: the mock learns of a closed connection a moment after the API gives up. */
const eventually = (condition: () => boolean): Promise<boolean> =>
  vi
    .waitUntil(condition, { timeout: 5000, interval: 10 })
    .catch((error: unknown) => Promise.reject(new Error('condition never held', { cause: error })))

describe('an upstream fault injected by the scenario', () => {
  it.each([
    ['naive', 'inventory'],
    ['bulk', 'pricing'],
    ['cached', 'reviews'],
    ['parallel', 'categories'],
  ] as const)('error: %s answers 502 naming %s, and the API stays up', async (variant, service) => {
    const lab = await labWith(faultsOn(service, { errorRate: 1 }))
    const answer = await lab.get(`/${variant}/products?limit=5`)
    expect(answer.status).toBe(502)
    const body = JSON.parse(answer.body) as { upstream: string; message: string }
    expect(body.upstream).toBe(service)
    expect(body.message).toContain('answered 500')
    expect(body.message).toContain('injected fault')
    expect(answer.body).not.toMatch(/ at .*\.ts:\d+/)
    expect(lab.upstreams.stats.snapshot().services[service].faults).toEqual({ error: 1, hang: 0, reset: 0 })

    lab.upstreams.faults.setEnabled(false)
    expect((await lab.get(`/${variant}/products?limit=5`)).status).toBe(200)
  })

  it.each(['naive', 'parallel'] as const)('reset: %s answers 502 naming the upstream whose connection was reset', async (variant) => {
    const lab = await labWith(faultsOn('catalog', { resetRate: 1 }))
    const answer = await lab.get(`/${variant}/products?limit=5`)
    expect(answer.status).toBe(502)
    expect(JSON.parse(answer.body)).toMatchObject({
      upstream: 'catalog',
      message: expect.stringMatching(/ECONNRESET|other side closed|socket/i) as unknown,
    })
    expect(lab.upstreams.stats.snapshot().services.catalog.faults.reset).toBe(1)
    lab.upstreams.faults.setEnabled(false)
    expect((await lab.get(`/${variant}/products?limit=5`)).status).toBe(200)
  })

  it.each(['bulk', 'parallel'] as const)(
    'hang: %s answers 504 at its deadline naming the stage, and the hung call is cancelled',
    async (variant) => {
      const lab = await labWith({ requestDeadlineMs: 300, ...faultsOn('inventory', { hangRate: 1 }) })
      const answer = await lab.get(`/${variant}/products?limit=5`)
      expect(answer.status).toBe(504)
      expect(JSON.parse(answer.body)).toMatchObject({ deadlineMs: 300, waitingFor: expect.arrayContaining(['inventory']) as unknown })
      // The API aborted the call, so the mock's worker is free again: nothing piles up behind a hang.
      await eventually(() => lab.upstreams.stats.snapshot().services.inventory.cancelled === 1)
      expect(lab.upstreams.stats.snapshot().services.inventory.inFlight).toBe(0)
    },
  )

  it('is drawn from the seed: the same scenario fails the same requests; switched off and on, the sequence resumes', async () => {
    const statuses = async (lab: Lab, n: number): Promise<number[]> => {
      const seen: number[] = []
      for (let i = 0; i < n; i++) seen.push((await lab.get('/bulk/products?limit=3')).status)
      return seen
    }
    const scenario = { seed: 3, ...faultsOn('inventory', { errorRate: 0.3 }) }
    const reference = await statuses(await labWith(scenario), 60)
    expect(new Set(reference)).toEqual(new Set([200, 502]))
    const paused = await labWith(scenario)
    expect(await statuses(paused, 30)).toEqual(reference.slice(0, 30))
    paused.upstreams.faults.setEnabled(false)
    expect(await statuses(paused, 30)).toEqual(Array(30).fill(200))
    paused.upstreams.faults.setEnabled(true)
    expect(await statuses(paused, 30)).toEqual(reference.slice(30))
    expect(await statuses(await labWith({ ...scenario, seed: 4 }), 60)).not.toEqual(reference)
  })

  it('fails the share of requests that the calls each variant makes predict: N+1 calls, N+1 chances to fail', async () => {
    const scenario = { productsPerPage: 10, seed: 11, ...faultsOn('inventory', { errorRate: 0.04 }) }
    const lab = await labWith(scenario)
    const requests = 150
    const failedShare = async (variant: string): Promise<number> => {
      let failed = 0
      for (let i = 0; i < requests; i++) if ((await lab.get(`/${variant}/products`)).status !== 200) failed++
      return (failed / requests) * 100
    }
    const naive = await failedShare('naive')
    const bulk = await failedShare('bulk')
    const resolved = resolveScenario(scenario)
    const naiveExpected = expectedFailurePercent(resolved, { catalog: 1, inventory: 10, pricing: 1, reviews: 1, categories: 1 })
    const bulkExpected = expectedFailurePercent(resolved, { catalog: 1, inventory: 1, pricing: 1, reviews: 1, categories: 1 })
    expect(naiveExpected).toBeCloseTo(33.5, 1)
    expect(bulkExpected).toBe(4)
    // Binomial noise over 150 requests: about ±4 points for naive, ±1.6 for bulk; 3 standard deviations of slack.
    expect(naive).toBeGreaterThan(naiveExpected - 12)
    expect(naive).toBeLessThan(naiveExpected + 12)
    expect(bulk).toBeLessThan(bulkExpected + 5)
    expect(naive).toBeGreaterThan(bulk * 3)
  }, 60_000)
})

describe('faults in the msw handlers used in-process', () => {
  const stats = createUpstreamStats()
  const request = async (scenario: ScenarioInput, signal?: AbortSignal) => {
    stats.reset()
    const server = setupServer(
      ...Object.values(createUpstreamHandlers(resolveScenario({ services: { reviews: { latencyMs: 1 } } }, scenario), stats)).flat(),
    )
    server.listen({ onUnhandledRequest: 'error' })
    try {
      const response = await fetch(`${upstreamOrigin('reviews')}/ratings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ids: [1, 2] }),
        signal,
      })
      return { status: response.status, body: await response.text(), faults: stats.snapshot().services.reviews.faults }
    } finally {
      server.close()
    }
  }

  it('error answers 500, reset is a network error, hang waits until the caller aborts', async () => {
    const error = await request(faultsOn('reviews', { errorRate: 1 }))
    expect(error.status).toBe(500)
    expect(error.body).toContain('injected fault')
    expect(error.faults).toEqual({ error: 1, hang: 0, reset: 0 })
    await expect(request(faultsOn('reviews', { resetRate: 1 }))).rejects.toThrow(TypeError)
    expect(stats.snapshot().services.reviews.faults.reset).toBe(1)
    await expect(request(faultsOn('reviews', { hangRate: 1 }), AbortSignal.timeout(100))).rejects.toThrow(/abort|timeout/i)
    expect(stats.snapshot().services.reviews.faults.hang).toBe(1)
    // The hung handler ends when the caller aborts: nothing is left waiting.
    await eventually(() => stats.snapshot().services.reviews.inFlight === 0)
  })
})
