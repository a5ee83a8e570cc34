/**
 * Over HTTP, the mocks keep msw's answer to each distinct request and write it again
 * (serve-upstreams.ts). The kept answer must be msw's answer, the first time and every time
 * after; distinct requests must not share one; and the latency of every call, kept or not,
 * is still drawn, in call order, from the service's seeded jitter sequence.
 */
import { getResponse } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import type { ServiceName } from '../scenario/types.ts'
import { createUpstreamHandlers, upstreamOrigin } from '../mock-upstreams/handlers.ts'
import { createLatencyModel } from '../mock-upstreams/latency.ts'
import { startUpstreams, type RunningUpstreams } from '../mock-upstreams/serve-upstreams.ts'
import { createUpstreamStats } from '../mock-upstreams/stats.ts'

const scenario = resolveScenario({
  seed: 11,
  services: {
    catalog: { latencyMs: 1 },
    inventory: { latencyMs: 1 },
    pricing: { latencyMs: 1, perItemMs: 0.5, jitter: { kind: 'uniform', maxMs: 3 } },
    reviews: { latencyMs: 1 },
    categories: { latencyMs: 1 },
  },
})
const inProcess = createUpstreamHandlers(scenario, createUpstreamStats())

let upstreams: RunningUpstreams
beforeAll(async () => {
  upstreams = await startUpstreams(scenario)
})
afterAll(() => upstreams.close())

type Call = { service: ServiceName; method: 'GET' | 'POST'; path: string; body?: unknown }

const CALLS: Call[] = [
  { service: 'catalog', method: 'GET', path: '/products?page=1&limit=5' },
  { service: 'catalog', method: 'GET', path: '/products?page=2&limit=5' },
  { service: 'catalog', method: 'GET', path: '/products?page=0' },
  { service: 'inventory', method: 'GET', path: '/stock/3' },
  { service: 'inventory', method: 'GET', path: '/stock/999999' },
  { service: 'inventory', method: 'POST', path: '/stock/bulk', body: { ids: [1, 2, 3] } },
  { service: 'pricing', method: 'POST', path: '/prices', body: { ids: [1, 2, 3] } },
  { service: 'pricing', method: 'POST', path: '/prices', body: { ids: [3, 2, 1] } },
  { service: 'pricing', method: 'POST', path: '/prices', body: { ids: [] } },
  { service: 'reviews', method: 'POST', path: '/ratings', body: { ids: [4, 5] } },
  { service: 'categories', method: 'POST', path: '/paths', body: { ids: [1, 2] } },
  { service: 'categories', method: 'GET', path: '/no-such-endpoint' },
]

async function overHttp({ service, method, path, body }: Call): Promise<{ status: number; text: string }> {
  const response = await fetch(`${upstreams.urls[service]}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, text: await response.text() }
}

async function throughMsw({ service, method, path, body }: Call): Promise<{ status: number; text: string } | undefined> {
  const request = new Request(`${upstreamOrigin(service)}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const response = await getResponse(inProcess[service], request)
  return response && { status: response.status, text: await response.text() }
}

describe('the mocks over HTTP', () => {
  it("write msw's answer to each request, the first time and when they write it again, and never one request's answer to another", async () => {
    for (const call of CALLS) {
      const expected = await throughMsw(call)
      for (let time = 0; time < 3; time++) {
        const got = await overHttp(call)
        if (expected) expect({ call, ...got }).toEqual({ call, ...expected })
        else expect({ call, status: got.status }).toEqual({ call, status: 404 })
      }
    }
    // Same endpoint, different ids, different answers.
    const forward = JSON.parse((await overHttp(CALLS[6]!)).text) as { prices: Array<{ productId: number }> }
    const backward = JSON.parse((await overHttp(CALLS[7]!)).text) as { prices: Array<{ productId: number }> }
    expect(forward.prices.map((price) => price.productId)).toEqual([1, 2, 3])
    expect(backward.prices.map((price) => price.productId)).toEqual([3, 2, 1])
  })

  it("draw every call's latency from the service's seeded sequence, for answers written again too", async () => {
    // A fresh server, so the jitter sequence starts at its first draw.
    const fresh = await startUpstreams(scenario)
    try {
      const sizes = [3, 3, 3, 1, 5, 3]
      for (const size of sizes) {
        const answer = await fetch(`${fresh.urls.pricing}/prices`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ids: Array.from({ length: size }, (_, i) => i + 1) }),
        })
        expect(answer.status).toBe(200)
        await answer.text()
      }
      const model = createLatencyModel(scenario.services.pricing, scenario.seed, 'pricing')
      const expected = sizes.reduce((sum, size) => sum + model.draw(size), 0)
      const { pricing } = fresh.stats.snapshot().services
      expect(pricing.timedCalls).toBe(sizes.length)
      expect(pricing.configuredMs).toBeCloseTo(expected, 6)
      expect(pricing.heldMs).toBeGreaterThanOrEqual(pricing.configuredMs)
    } finally {
      await fresh.close()
    }
  })

  it('refuse a body over 1 MB with 413, and keep answering', async () => {
    const huge = JSON.stringify({ ids: [1], pad: 'x'.repeat(1024 * 1024 + 10) })
    const refused = await fetch(`${upstreams.urls.pricing}/prices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: huge,
    })
    expect(refused.status).toBe(413)
    expect(await refused.json()).toMatchObject({ error: 'Payload Too Large' })
    expect((await overHttp(CALLS[6]!)).status).toBe(200)
  })
})
