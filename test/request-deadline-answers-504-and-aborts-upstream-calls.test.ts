/** A request past its deadline: 504 naming the stage it waited for, its upstream calls aborted, the API still up. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLab, type Lab } from './helpers/lab.ts'
import { waitUntil } from './helpers/wait.ts'

let lab: Lab
beforeAll(async () => {
  // Pricing takes 2 s; the deadline is 300 ms.
  lab = await startLab({ scenario: { requestDeadlineMs: 300, services: { pricing: { latencyMs: 2000, perItemMs: 0 } } } })
})
afterAll(() => lab.close())

/** The pricing calls the mock saw cancelled, once there are `count` (the mock learns a moment after the API gives up), or after 1 s. */
async function waitForCancelled(count: number): Promise<number> {
  const cancelled = (): number => lab.upstreams.stats.snapshot().services.pricing.cancelled
  await waitUntil(() => cancelled() >= count, `pricing never saw ${count} calls cancelled`, { timeout: 1000 }).catch(() => {})
  return cancelled()
}

describe.each(['bulk', 'parallel'])('%s past its deadline', (variant) => {
  it('answers 504 naming the stage it was waiting for, and the mock sees its call go away', async () => {
    await lab.cache.flush()
    lab.upstreams.stats.reset()
    const response = await lab.get(`/${variant}/products`)
    expect(response.status).toBe(504)
    const body = JSON.parse(response.body)
    expect(body).toMatchObject({ statusCode: 504, error: 'Gateway Timeout', stage: 'pricing', deadlineMs: 300 })
    expect(body.message).toBe('The request missed its 300 ms deadline while waiting for pricing.')
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/)
    // The pricing call was aborted: its connection closed before the answer.
    expect(await waitForCancelled(1)).toBe(1)
    expect(lab.upstreams.stats.snapshot().services.pricing.inFlight).toBe(0)
  })
})

it('stays up and answers afterwards', async () => {
  const index = await lab.get('/')
  expect(index.status).toBe(200)
  const again = await lab.get('/naive/products?limit=2')
  expect(again.status).toBe(504)
  expect(JSON.parse(again.body).stage).toBe('pricing')
})
