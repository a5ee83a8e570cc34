/**
 * The mocks' counters: every call ends served, refused or cancelled, and with the calls in
 * flight they add up to the calls received. A call begun before a reset() ends uncounted in
 * the new period, which never saw it begin, so a level's counters never count a call twice
 * or an outcome without its call.
 */
import { describe, expect, it } from 'vitest'
import { createUpstreamStats } from '../mock-upstreams/stats.ts'

describe('upstream stats', () => {
  it('add up: calls = served + rejected + cancelled + in flight', () => {
    const stats = createUpstreamStats()
    const ends = [stats.begin('pricing'), stats.begin('pricing'), stats.begin('pricing')]
    const refused = stats.begin('pricing')
    stats.rejected('pricing')
    refused('rejected: queue full', { outcome: 'rejected' })
    ends[0]!('POST /prices', { outcome: 'served', held: { heldMs: 42, configuredMs: 40 } })
    ends[1]!('POST /prices', { outcome: 'served' })
    ends[2]!('cancelled by the caller', { outcome: 'cancelled' })
    const pricing = stats.snapshot().services.pricing
    expect(pricing).toMatchObject({
      calls: 4,
      served: 2,
      rejected: 1,
      cancelled: 1,
      inFlight: 0,
      timedCalls: 1,
      heldMs: 42,
      configuredMs: 40,
    })
    expect(pricing.served + pricing.rejected + pricing.cancelled + pricing.inFlight).toBe(pricing.calls)
  })

  it('do not count in a new period the end of a call begun before the reset', () => {
    const stats = createUpstreamStats()
    const before = stats.begin('inventory')
    stats.reset()
    expect(stats.snapshot().services.inventory).toMatchObject({ calls: 0, inFlight: 1 })
    before('cancelled by the caller', { outcome: 'cancelled' })
    expect(stats.snapshot().services.inventory).toMatchObject({ calls: 0, cancelled: 0, served: 0, inFlight: 0 })
  })

  it('report the queue as it is when read', () => {
    let waiting = 3
    const stats = createUpstreamStats((service) => (service === 'pricing' ? waiting : 0))
    expect(stats.snapshot().services.pricing.waiting).toBe(3)
    waiting = 0
    expect(stats.snapshot().services.pricing.waiting).toBe(0)
    expect(stats.snapshot().services.catalog.waiting).toBe(0)
  })
})
