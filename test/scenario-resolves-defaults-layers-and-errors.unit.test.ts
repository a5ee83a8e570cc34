import { describe, expect, it } from 'vitest'
import { DEFAULT_SCENARIO } from '../scenario/defaults.ts'
import { resolveScenario, ScenarioError } from '../scenario/resolve-scenario.ts'

describe('resolveScenario', () => {
  it('gives the seed preset (the story of the README) with no input', () => {
    const scenario = resolveScenario()
    expect(scenario.productsPerPage).toBe(50)
    expect(scenario.services.catalog.latencyMs).toBe(100)
    for (const service of ['inventory', 'pricing', 'reviews', 'categories'] as const) {
      expect(scenario.services[service].latencyMs).toBe(40)
    }
    expect(scenario.services.pricing.perItemMs).toBe(35)
    expect(scenario.cacheTtlSeconds).toBe(300)
    expect(scenario).toEqual(DEFAULT_SCENARIO)
  })

  it('applies later layers field by field over earlier ones', () => {
    const scenario = resolveScenario(
      { productsPerPage: 20, services: { pricing: { perItemMs: 10 } } },
      { services: { pricing: { latencyMs: 5 } } },
    )
    expect(scenario.productsPerPage).toBe(20)
    expect(scenario.services.pricing).toEqual({
      latencyMs: 5,
      perItemMs: 10,
      jitter: { kind: 'none' },
      workers: 16,
      queueLimit: 256,
      faults: { errorRate: 0, hangRate: 0, resetRate: 0 },
    })
    expect(scenario.services.inventory.latencyMs).toBe(40)
  })

  it('replaces a jitter whole rather than merging its parameters', () => {
    const scenario = resolveScenario(
      { services: { reviews: { jitter: { kind: 'lognormal', medianMs: 3, sigma: 0.5 } } } },
      { services: { reviews: { jitter: { kind: 'uniform', maxMs: 2 } } } },
    )
    expect(scenario.services.reviews.jitter).toEqual({ kind: 'uniform', maxMs: 2 })
  })

  it('returns a deeply frozen object', () => {
    const scenario = resolveScenario()
    expect(Object.isFrozen(scenario)).toBe(true)
    expect(Object.isFrozen(scenario.services.pricing)).toBe(true)
    expect(() => {
      ;(scenario.services.pricing as { latencyMs: number }).latencyMs = 1
    }).toThrow(TypeError)
  })

  it.each([
    [{ productsPerPage: 0 }, 'productsPerPage', 'an integer from 1 to 500'],
    [{ productsPerPage: 2.5 }, 'productsPerPage', 'an integer from 1 to 500'],
    [{ services: { pricing: { latencyMs: -1 } } }, 'services.pricing.latencyMs', 'a number from 0 to 60000'],
    [{ services: { pricing: { latencyMs: '40' } } }, 'services.pricing.latencyMs', 'a number from 0 to 60000'],
    [{ services: { reviews: { jitter: { kind: 'gaussian' } } } }, 'services.reviews.jitter.kind', 'one of "none", "uniform", "lognormal"'],
    [{ services: { reviews: { jitter: { kind: 'uniform' } } } }, 'services.reviews.jitter.maxMs', 'a number from 0 to 60000'],
    [{ seed: -1 }, 'seed', 'an integer from 0 to 4294967295'],
    [{ services: { inventory: { faults: { errorRate: 1.5 } } } }, 'services.inventory.faults.errorRate', 'a number from 0 to 1'],
    [{ services: { inventory: { faults: { hangRate: -0.1 } } } }, 'services.inventory.faults.hangRate', 'a number from 0 to 1'],
    [
      { services: { inventory: { faults: { errorRate: 0.6, resetRate: 0.6 } } } },
      'services.inventory.faults',
      'rates that add up to at most 1',
    ],
  ])('rejects %j naming the field, the value and the accepted range', (input, field, accepted) => {
    const error = catchError(() => resolveScenario(input))
    expect(error).toBeInstanceOf(ScenarioError)
    expect((error as ScenarioError).field).toBe(field)
    expect(error.message).toContain(field)
    expect(error.message).toContain(accepted)
  })

  it("rejects an API pool that would hide a service's queue, naming the service and the least pool that does not", () => {
    const error = catchError(() => resolveScenario({ upstreamConnections: 128 }))
    expect(error).toBeInstanceOf(ScenarioError)
    expect((error as ScenarioError).field).toBe('upstreamConnections')
    // catalog: 64 workers + a queue of 256: the first service whose calls the pool would hold back.
    expect(error.message).toContain('catalog: 64 workers + a queue of 256 = 320')
    expect(error.message).toContain('Raise upstreamConnections to 321 or more')
    expect(() =>
      resolveScenario({
        upstreamConnections: 128,
        services: {
          catalog: { queueLimit: 8 },
          inventory: { queueLimit: 8 },
          pricing: { queueLimit: 8 },
          reviews: { queueLimit: 8 },
          categories: { queueLimit: 8 },
        },
      }),
    ).not.toThrow()
    expect(resolveScenario().upstreamConnections).toBeGreaterThan(64 + 256)
  })

  it('rejects unknown fields with a "did you mean"', () => {
    const error = catchError(() => resolveScenario({ productsPerPag: 10 }))
    expect(error.message).toContain('"productsPerPag"')
    expect(error.message).toContain('Did you mean "productsPerPage"?')
    const nested = catchError(() => resolveScenario({ services: { pricing: { latncyMs: 10 } } }))
    expect(nested.message).toContain('Did you mean "services.pricing.latencyMs"?')
    const service = catchError(() => resolveScenario({ services: { inventroy: {} } }))
    expect(service.message).toContain('Did you mean "services.inventory"?')
    const fault = catchError(() => resolveScenario({ services: { pricing: { faults: { errorRte: 0.1 } } } }))
    expect(fault.message).toContain('Did you mean "services.pricing.faults.errorRate"?')
  })
})

function catchError(run: () => unknown): Error {
  try {
    run()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}
