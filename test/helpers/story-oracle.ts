/**
 * The test oracle of the model: what each story variant should cost, written by hand from
 * its code, as the lab computed it before the model was derived from the code
 * (model/). The derived figures must equal these for the story's four variants. Nothing
 * outside the tests reads it.
 */
import { jitterMeanMs } from '../../scenario/jitter.ts'
import { SERVICE_NAMES, type Scenario, type ServiceName } from '../../scenario/types.ts'
import type { Floor as ModelFloor, Saturation } from '../../model/types.ts'

type StoryVariant = 'naive' | 'bulk' | 'cached' | 'parallel'

/** Products on the scenario's page and the distinct categories among them, as the oracle needs them. */
export async function pageShape(scenario: Scenario): Promise<PageShape> {
  const { createDataset } = await import('../../mock-upstreams/data.ts')
  const items = createDataset(scenario.seed, scenario.catalogSize).catalogPage(1, scenario.productsPerPage).items
  return { products: items.length, categories: new Set(items.map((p) => p.categoryId)).size }
}

/** Products on the page and distinct categories among them: the items each call carries. */
export interface PageShape {
  products: number
  categories: number
}

/** Upstream calls, in sequence or concurrently: `call` is `times` calls in a row, each carrying `items` ids. */
type CallTree = { call: ServiceName; items: number; times: number } | { sequence: CallTree[] } | { concurrently: CallTree[] }

const call = (service: ServiceName, items: number, times = 1): CallTree => ({ call: service, items, times })
const sequence = (...calls: CallTree[]): CallTree => ({ sequence: calls })
const concurrently = (...calls: CallTree[]): CallTree => ({ concurrently: calls })

/** Each story variant's calls per request, warm (price cache filled) and cold (empty). */
function storyCalls(page: PageShape): Record<StoryVariant, { warm: CallTree; cold: CallTree }> {
  const { products, categories } = page
  const catalog = call('catalog', products)
  const bulkStock = call('inventory', products)
  const pricing = call('pricing', products)
  const reviews = call('reviews', products)
  const paths = call('categories', categories)
  const naive = sequence(catalog, call('inventory', 1, products), pricing, reviews, paths)
  const bulk = sequence(catalog, bulkStock, pricing, reviews, paths)
  return {
    naive: { warm: naive, cold: naive },
    bulk: { warm: bulk, cold: bulk },
    cached: { warm: sequence(catalog, bulkStock, reviews, paths), cold: bulk },
    parallel: {
      warm: sequence(catalog, concurrently(bulkStock, reviews, paths)),
      cold: sequence(catalog, concurrently(bulkStock, pricing, reviews, paths)),
    },
  }
}

/**
 * The critical path of some calls: its configured latency, and the calls on it. Of calls
 * made concurrently, the slowest is on the path (on a tie, the first written).
 */
function criticalPath(calls: CallTree, ms: (service: ServiceName, items: number) => number): { ms: number; calls: number } {
  if ('call' in calls) return { ms: calls.times * ms(calls.call, calls.items), calls: calls.times }
  const parts = ('sequence' in calls ? calls.sequence : calls.concurrently).map((part) => criticalPath(part, ms))
  if ('sequence' in calls)
    return parts.reduce((sum, part) => ({ ms: sum.ms + part.ms, calls: sum.calls + part.calls }), { ms: 0, calls: 0 })
  return parts.reduce((slowest, part) => (part.ms > slowest.ms ? part : slowest))
}

/** Every call of the tree, whatever their order: the service, the ids each carries, and how many in a row. */
function eachCall(calls: CallTree): Array<{ service: ServiceName; items: number; times: number }> {
  if ('call' in calls) return [{ service: calls.call, items: calls.items, times: calls.times }]
  return ('sequence' in calls ? calls.sequence : calls.concurrently).flatMap(eachCall)
}

function callsPerService(calls: CallTree): Record<ServiceName, number> {
  const counts = Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])) as Record<ServiceName, number>
  for (const { service, times } of eachCall(calls)) counts[service] += times
  return counts
}

/** Configured latency of one call to `service` carrying `items` ids: base + per item × items + the jitter's mean. */
function callMs(scenario: Scenario, service: ServiceName, items: number): number {
  const { latencyMs, perItemMs, jitter } = scenario.services[service]
  return latencyMs + perItemMs * items + jitterMeanMs(jitter)
}

/** What the oracle states of a floor: the figures the hand-written formulas give (the model's Floor has more). */
export type Floor = Pick<ModelFloor, 'warmMs' | 'coldMs' | 'callsOnPath' | 'calls' | 'coldCalls'>

export function computeFloors(scenario: Scenario, page: PageShape): Record<string, Floor> {
  const ms = (service: ServiceName, items: number): number => callMs(scenario, service, items)
  return Object.fromEntries(
    Object.entries(storyCalls(page)).map(([variant, { warm, cold }]) => {
      const path = criticalPath(warm, ms)
      return [
        variant,
        {
          warmMs: path.ms,
          coldMs: criticalPath(cold, ms).ms,
          callsOnPath: path.calls,
          calls: callsPerService(warm),
          coldCalls: callsPerService(cold),
        },
      ]
    }),
  )
}

/** Worker time an injected hang adds to a call, on average (until the deadline or the call's timeout). */
function hungMs(scenario: Scenario, service: ServiceName): number {
  return scenario.services[service].faults.hangRate * Math.min(scenario.requestDeadlineMs, scenario.upstreamTimeoutMs)
}

/**
 * The throughput at which each story variant should saturate, from the scenario alone:
 * a service with W workers, asked for D worker-seconds per request, is fully busy at
 * W / D requests per second (Little's law), D counting the jitter's mean and the worker time
 * injected hangs hold (hungMs); the variant saturates at the lowest of these
 * (on a tie, the service named is the first in SERVICE_NAMES order). Cached variants are
 * taken warm (no pricing call).
 */
export function computeSaturation(scenario: Scenario, page: PageShape): Record<string, Saturation> {
  return Object.fromEntries(
    Object.entries(storyCalls(page)).map(([variant, { warm }]) => {
      const demandSeconds = Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])) as Record<ServiceName, number>
      for (const { service, items, times } of eachCall(warm))
        demandSeconds[service] += (times * (callMs(scenario, service, items) + hungMs(scenario, service))) / 1000
      const limits = SERVICE_NAMES.filter((service) => demandSeconds[service] > 0)
        .map((service) => ({ service, perSec: scenario.services[service].workers / demandSeconds[service] }))
        .sort((a, b) => a.perSec - b.perSec)
      const first = limits[0] ?? { service: 'catalog' as ServiceName, perSec: Infinity }
      return [variant, { perSec: first.perSec, bottleneck: first.service, demandSeconds }]
    }),
  )
}
