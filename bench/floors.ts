/**
 * Floors: the critical path of configured upstream latency for each story variant,
 * what it would take if the lab itself cost nothing (DESIGN.md). Computed from the
 * resolved scenario, so changing a latency or the page size moves the floors with it.
 * Jitter only ever adds, so a floor stays a lower bound under jitter.
 */
import { faultRate, SERVICE_NAMES, type Scenario, type ServiceName } from './scenario.ts'

export interface Floor {
  /** With the price cache warm (for variants without a cache: the only figure). */
  warmMs: number
  /** With the price cache empty; equals warmMs for variants without a cache. */
  coldMs: number
  /** Upstream calls on the critical path (warm): the lab's overhead is paid per call. */
  callsOnPath: number
  /** Calls per request to each service, warm and cold: each is a chance for an injected fault. */
  calls: Record<ServiceName, number>
  coldCalls: Record<ServiceName, number>
}

/** Products on the page and distinct categories among them: the items each call carries. */
export interface PageShape {
  products: number
  categories: number
}

export function computeFloors(scenario: Scenario, page: PageShape): Record<string, Floor> {
  const call = (service: ServiceName, items: number): number =>
    scenario.services[service].latencyMs + scenario.services[service].perItemMs * items
  const catalog = call('catalog', page.products)
  const inventoryEach = call('inventory', 1)
  const inventoryBulk = call('inventory', page.products)
  const pricing = call('pricing', page.products)
  const reviews = call('reviews', page.products)
  const categories = call('categories', page.categories)

  const bulk = catalog + inventoryBulk + pricing + reviews + categories
  const oneEach: Record<ServiceName, number> = { catalog: 1, inventory: 1, pricing: 1, reviews: 1, categories: 1 }
  const noPricing = { ...oneEach, pricing: 0 }
  const naiveCalls = { ...oneEach, inventory: page.products }
  return {
    naive: {
      warmMs: catalog + page.products * inventoryEach + pricing + reviews + categories,
      coldMs: catalog + page.products * inventoryEach + pricing + reviews + categories,
      callsOnPath: 4 + page.products,
      calls: naiveCalls,
      coldCalls: naiveCalls,
    },
    bulk: { warmMs: bulk, coldMs: bulk, callsOnPath: 5, calls: oneEach, coldCalls: oneEach },
    cached: { warmMs: catalog + inventoryBulk + reviews + categories, coldMs: bulk, callsOnPath: 4, calls: noPricing, coldCalls: oneEach },
    parallel: {
      warmMs: catalog + Math.max(inventoryBulk, reviews, categories),
      coldMs: catalog + Math.max(inventoryBulk, pricing, reviews, categories),
      callsOnPath: 2,
      calls: noPricing,
      coldCalls: oneEach,
    },
  }
}

/**
 * The share of requests the scenario's injected faults should fail, in percent: a request
 * succeeds only if none of its calls draws a fault, and each call draws on its own.
 * Sequential or concurrent, the calls a request needs are the same, so is the share.
 */
export function expectedFailurePercent(scenario: Scenario, calls: Record<ServiceName, number>): number {
  const succeeds = SERVICE_NAMES.reduce((p, name) => p * (1 - faultRate(scenario.services[name].faults)) ** calls[name], 1)
  return Math.round((1 - succeeds) * 100 * 100) / 100
}

export interface Saturation {
  /** Requests per second at which the busiest service's workers are all busy (Little's law). */
  perSec: number
  /** That service. */
  bottleneck: ServiceName
  /** Worker-seconds each request asks of each service. */
  demandSeconds: Record<ServiceName, number>
}

/**
 * The throughput at which each story variant should saturate, from the scenario alone:
 * a service with W workers, asked for D worker-seconds per request, is fully busy at
 * W / D requests per second (Little's law); the variant saturates at the lowest of these.
 * Cached variants are taken warm (no pricing call).
 */
export function computeSaturation(scenario: Scenario, page: PageShape): Record<string, Saturation> {
  const seconds = (service: ServiceName, items: number): number =>
    (scenario.services[service].latencyMs + scenario.services[service].perItemMs * items) / 1000
  const common = {
    catalog: seconds('catalog', page.products),
    reviews: seconds('reviews', page.products),
    categories: seconds('categories', page.products === 0 ? 0 : page.categories),
  }
  const demands: Record<string, Record<ServiceName, number>> = {
    naive: { ...common, inventory: page.products * seconds('inventory', 1), pricing: seconds('pricing', page.products) },
    bulk: { ...common, inventory: seconds('inventory', page.products), pricing: seconds('pricing', page.products) },
    cached: { ...common, inventory: seconds('inventory', page.products), pricing: 0 },
    parallel: { ...common, inventory: seconds('inventory', page.products), pricing: 0 },
  }
  return Object.fromEntries(
    Object.entries(demands).map(([variant, demandSeconds]) => {
      const limits = (Object.entries(demandSeconds) as Array<[ServiceName, number]>)
        .filter(([, demand]) => demand > 0)
        .map(([service, demand]) => ({ service, perSec: scenario.services[service].workers / demand }))
        .sort((a, b) => a.perSec - b.perSec)
      const first = limits[0] ?? { service: 'catalog' as ServiceName, perSec: Infinity }
      return [variant, { perSec: first.perSec, bottleneck: first.service, demandSeconds }]
    }),
  )
}
