/**
 * resilient (cockatiel: a timeout, retries with jittered backoff, a breaker per service) against
 * real HTTP mocks: with one call in twenty failing, its failure share and its calls per request
 * are what the model, running its own code with the same faults in virtual time, predicts
 * (within binomial bounds), far fewer requests fail than parallel's and each makes more calls;
 * an attempt gives up at half the time the request has left, so its retries fit before the
 * deadline; with pricing hung, the breaker opens and the requests fail fast with a 503 naming
 * pricing, without calling it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { modelVariant } from '../model/model-variant.ts'
import type { FaultModel } from '../model/types.ts'
import { SERVICE_NAMES, type ScenarioInput } from '../scenario/types.ts'
import { loadVariants } from '../variants/shared/load-variants.ts'
import type { Variant } from '../variants/shared/variant.ts'
import { startLab, type Lab } from './helpers/lab.ts'

const FLAKY: ScenarioInput = { services: Object.fromEntries(SERVICE_NAMES.map((name) => [name, { faults: { errorRate: 0.05 } }])) }
const REQUESTS = 300

describe('resilient', () => {
  let lab: Lab | undefined
  afterEach(async () => {
    await lab?.close()
    lab = undefined
  })
  const variants = async (): Promise<Variant[]> => (await loadVariants()).filter((v) => ['parallel', 'resilient'].includes(v.name))

  /** REQUESTS requests of page one, one at a time, the price cache filled first without faults: failed, and calls per request as the mocks counted them. */
  async function measure(name: string): Promise<{ failed: number; calls: number }> {
    lab!.upstreams.faults.setEnabled(false)
    expect((await lab!.get(`/${name}/products`)).status).toBe(200)
    lab!.upstreams.stats.reset()
    lab!.upstreams.faults.setEnabled(true)
    let failed = 0
    for (let i = 0; i < REQUESTS; i++) if ((await lab!.get(`/${name}/products`)).status !== 200) failed++
    const { services } = lab!.upstreams.stats.snapshot()
    return { failed, calls: SERVICE_NAMES.reduce((sum, service) => sum + services[service].calls, 0) / REQUESTS }
  }

  /** Three standard errors of the difference between a share measured over `n` and the model's over its own requests. */
  const shareBound = (p: number, n: number, modelled: number): number => 3 * Math.sqrt(p * (1 - p) * (1 / n + 1 / modelled)) + 1 / n

  it('with one call in twenty failing: fewer failures than parallel, more calls, both as its own code predicts in virtual time', async () => {
    lab = await startLab({ scenario: FLAKY, variants: await variants() })
    const measured: Record<string, { failed: number; calls: number }> = {}
    const modelled: Record<string, FaultModel> = {}
    for (const variant of await variants()) {
      const outcome = await modelVariant(lab.scenario, variant)
      if (!('model' in outcome)) throw new Error(`${variant.name}: ${outcome.notModelled}`)
      modelled[variant.name] = outcome.model.faults!.warm
      measured[variant.name] = await measure(variant.name)
    }
    for (const name of ['parallel', 'resilient']) {
      const model = modelled[name]!
      const p = model.failed / model.requests
      const share = measured[name]!.failed / REQUESTS
      expect(Math.abs(share - p), `${name}: measured ${share}, model ${p}`).toBeLessThanOrEqual(shareBound(p, REQUESTS, model.requests))
      // Calls per request: each of four calls is retried with probability 0.05 (and again with 0.0025): a spread of about 0.45 per request.
      const modelCalls = SERVICE_NAMES.reduce((sum, service) => sum + model.calls[service], 0)
      expect(
        Math.abs(measured[name]!.calls - modelCalls),
        `${name}: measured ${measured[name]!.calls} calls, model ${modelCalls}`,
      ).toBeLessThanOrEqual(3 * 0.45 * Math.sqrt(1 / REQUESTS + 1 / model.requests) + 0.02)
    }
    // parallel: a request fails when any of its four calls does, 1 − 0.95⁴ ≈ 18.5 %; resilient retries twice: almost none.
    expect(modelled.parallel!.failed / modelled.parallel!.requests).toBeGreaterThan(0.12)
    expect(modelled.resilient!.failed / modelled.resilient!.requests).toBeLessThan(0.01)
    expect(measured.resilient!.failed).toBeLessThan(measured.parallel!.failed)
    // The retries are extra calls for the upstreams: the model's saturation drops with them.
    expect(measured.resilient!.calls).toBeGreaterThan(measured.parallel!.calls)
    expect(modelled.resilient!.saturation.perSec).toBeLessThan(modelled.parallel!.saturation.perSec)
  })

  it('catalog hung: each attempt gives up at half the time left, three attempts fit before the deadline, the answer is a 504 naming catalog, and no call follows it', async () => {
    // 4 s: the third attempt ends with an eighth of it left (500 ms), room for the backoffs on a busy machine.
    lab = await startLab({
      scenario: { requestDeadlineMs: 4000, services: { catalog: { faults: { hangRate: 1 } } } },
      variants: await variants(),
    })
    const sent = performance.now()
    const answer = await lab.get('/resilient/products')
    const tookMs = performance.now() - sent
    expect(answer.status).toBe(504)
    // Its own timeouts' answer, not the deadline's: the last attempt's, naming the service.
    expect(JSON.parse(answer.body)).toMatchObject({ upstream: 'catalog' })
    expect(JSON.parse(answer.body).message).toMatch(/did not answer within \d+ ms \(resilient's timeout for the attempt\)/)
    expect(tookMs).toBeLessThan(4000)
    expect(lab.upstreams.stats.snapshot().services.catalog.calls).toBe(3)
    // The hung calls were abandoned (each attempt's signal reached the HTTP call): the mock saw them go.
    await vi.waitFor(() => expect(lab!.upstreams.stats.snapshot().services.catalog.cancelled).toBe(3), { timeout: 2000, interval: 20 })
    await sleep(1500)
    expect(lab.upstreams.stats.snapshot().services.catalog.calls).toBe(3)
  })

  it('pricing hung: after five calls in a row fail, its circuit opens and requests fail fast with a 503 naming pricing, without calling it', async () => {
    lab = await startLab({
      scenario: { requestDeadlineMs: 1500, services: { pricing: { faults: { hangRate: 1 } } } },
      variants: await variants(),
    })
    // Five pages at once, none cached: each first attempt times out (five failures in a row), and their retries find the circuit open.
    const first = await Promise.all([1, 2, 3, 4, 5].map((page) => lab!.get(`/resilient/products?page=${page}`)))
    for (const answer of first) expect([503, 504]).toContain(answer.status)
    // Five first attempts; a request whose attempt failed before the fifth may have retried once meanwhile.
    const firstCalls = lab.upstreams.stats.snapshot().services.pricing.calls
    expect(firstCalls).toBeGreaterThanOrEqual(5)
    expect(firstCalls).toBeLessThanOrEqual(10)
    const pricingCalls = lab.upstreams.stats.snapshot().services.pricing.calls
    for (const page of [6, 7, 8]) {
      const sent = performance.now()
      const answer = await lab.get(`/resilient/products?page=${page}`)
      const tookMs = performance.now() - sent
      expect(answer.status).toBe(503)
      expect(JSON.parse(answer.body)).toMatchObject({ statusCode: 503, error: 'Service Unavailable', upstream: 'pricing' })
      expect(JSON.parse(answer.body).message).toMatch(/circuit is open/)
      // Answered before the deadline it would otherwise have waited for (an order, with all the slack of it).
      expect(tookMs).toBeLessThan(1500)
    }
    expect(lab.upstreams.stats.snapshot().services.pricing.calls).toBe(pricingCalls)
    // parallel, with no breaker, waits for the deadline every time.
    expect((await lab.get('/parallel/products?page=9')).status).toBe(504)
  })
})
