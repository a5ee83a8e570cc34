/**
 * Floors: the critical path of configured upstream latency for each story variant,
 * what it would take if the lab itself cost nothing (DESIGN.md). Computed from the
 * resolved scenario, so changing a latency or the page size moves the floors with it.
 * Jitter only ever adds, so a floor stays a lower bound under jitter.
 */
import type { Scenario, ServiceName } from './scenario.ts'

export interface Floor {
  /** With the price cache warm (for variants without a cache: the only figure). */
  warmMs: number
  /** With the price cache empty; equals warmMs for variants without a cache. */
  coldMs: number
  /** Upstream calls on the critical path (warm): the lab's overhead is paid per call. */
  callsOnPath: number
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
  return {
    naive: {
      warmMs: catalog + page.products * inventoryEach + pricing + reviews + categories,
      coldMs: catalog + page.products * inventoryEach + pricing + reviews + categories,
      callsOnPath: 4 + page.products,
    },
    bulk: { warmMs: bulk, coldMs: bulk, callsOnPath: 5 },
    cached: { warmMs: catalog + inventoryBulk + reviews + categories, coldMs: bulk, callsOnPath: 4 },
    parallel: {
      warmMs: catalog + Math.max(inventoryBulk, reviews, categories),
      coldMs: catalog + Math.max(inventoryBulk, pricing, reviews, categories),
      callsOnPath: 2,
    },
  }
}
