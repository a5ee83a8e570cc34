/**
 * The five mocked services as msw request handlers. Each service lives at its own
 * origin (`http://<service>.upstream.lab`); served over HTTP, each gets its own
 * loopback port and requests are mapped onto that origin.
 *
 * Every call is counted and held for the latency the scenario gives it (base +
 * per-item × ids + seeded jitter), measured from when it got a worker, then answered
 * with seeded data. In-process (setupServer) the handler itself counts, draws the
 * latency and the fault, and waits. Served over HTTP, the adapter does all of that
 * around the handler (see serve-upstreams.ts): the handler only says what the service
 * answers (status, body, endpoint, and how many items the latency is for), which is the
 * same for the same request, so the adapter can keep the answer and write it again.
 *
 * createUpstreamHandlers returns the five services' msw handlers side by side, as msw's own examples lay them out, which
 * is why it runs past 80 lines.
 */
import { http, HttpResponse, type HttpHandler, type JsonBodyType } from 'msw'
import { type FaultKind, type Scenario, type ServiceName } from '../scenario/types.ts'
import { createDataset, type Dataset } from './data.ts'
import { createLatencyModels, sleepUntil, untilAborted } from './latency.ts'
import type { UpstreamStats } from './stats.ts'
import { createCapacities, takeWorker } from './capacity.ts'
import { createFaultInjector, type FaultInjector } from './faults.ts'

/** Ids one list call may carry: a bound, so a bad caller cannot make the mock allocate without limit. */
export const MAX_IDS_PER_CALL = 1000

/** Set by the HTTP adapter on the requests it hands to msw: the adapter holds the call, draws its latency and fault, and counts it. */
export const BEHIND_ADAPTER_HEADER = 'x-lab-behind-adapter'
/** Set by a handler behind the adapter: which endpoint answered, for the per-endpoint counters. */
export const ENDPOINT_HEADER = 'x-lab-endpoint'
/** Set by a handler behind the adapter on an answer that takes the service's latency (not a 4xx): the ids it carries. */
export const ITEMS_HEADER = 'x-lab-items'

export function upstreamOrigin(service: ServiceName): string {
  return `http://${service}.upstream.lab`
}

type Answer = { items: number; body: JsonBodyType; status?: number }

export function createUpstreamHandlers(
  scenario: Scenario,
  stats: UpstreamStats,
  dataset: Dataset = createDataset(scenario.seed, scenario.catalogSize),
  faults: FaultInjector = createFaultInjector(scenario),
): Record<ServiceName, HttpHandler[]> {
  const models = createLatencyModels(scenario)
  const capacities = createCapacities(scenario)

  /** A handler that answers with seeded data once the call's latency is up. */
  const handle = (
    service: ServiceName,
    method: 'get' | 'post',
    path: string,
    answer: (request: Request, params: Record<string, string | readonly string[] | undefined>) => Promise<Answer> | Answer,
  ): HttpHandler =>
    http[method](`${upstreamOrigin(service)}${path}`, async ({ request, params }) => {
      const endpoint = `${method.toUpperCase()} ${path}`
      if (request.headers.has(BEHIND_ADAPTER_HEADER)) {
        // The adapter does the rest; what the service answers is all it needs.
        const result = await answer(request, params)
        const timed = result.status === undefined || result.status < 400
        return HttpResponse.json(result.body, {
          status: result.status,
          headers: { [ENDPOINT_HEADER]: endpoint, ...(timed ? { [ITEMS_HEADER]: String(result.items) } : {}) },
        })
      }
      let received = performance.now()
      const end = stats.begin(service)
      let release: (() => void) | undefined
      // In-process, the handler counts how the call ended itself (behind the adapter, the adapter does).
      let outcome: 'served' | 'rejected' | 'cancelled' = 'served'
      let configuredMs: number | undefined
      try {
        const worker = await takeWorker(capacities[service], stats, service, received)
        if (!worker) {
          outcome = 'rejected'
          return HttpResponse.json({ error: 'Service Unavailable', message: `mock ${service} is at capacity` }, { status: 503 })
        }
        release = worker.release
        received = worker.startedAt
        const result = await answer(request, params)
        const headers: Record<string, string> = { [ENDPOINT_HEADER]: endpoint }
        if (result.status !== undefined && result.status >= 400) {
          return HttpResponse.json(result.body, { status: result.status, headers })
        }
        const sendAt = received + models[service].draw(result.items)
        configuredMs = sendAt - received
        const fault = faults.draw(service)
        if (fault) {
          stats.injected(service, fault)
          return await injectFault(service, fault, endpoint, request.signal, sendAt)
        }
        // Serialise before the wait, so the answer leaves as soon as the latency is up.
        const response = HttpResponse.json(result.body, { headers })
        await sleepUntil(sendAt)
        return response
      } finally {
        release?.()
        // The caller gave up before the answer (an injected hang always ends so).
        if (outcome === 'served' && request.signal.aborted) outcome = 'cancelled'
        const held = configuredMs === undefined ? undefined : { heldMs: performance.now() - received, configuredMs }
        end(endpoint, outcome === 'served' ? { outcome, held } : { outcome })
      }
    })

  return {
    catalog: [
      handle('catalog', 'get', '/products', (request) => {
        const query = new URL(request.url).searchParams
        const page = readQueryInt(query, 'page', 1, 1_000_000)
        const limit = readQueryInt(query, 'limit', scenario.productsPerPage, MAX_IDS_PER_CALL)
        const category = query.has('category') ? readQueryInt(query, 'category', 0, Number.MAX_SAFE_INTEGER) : undefined
        if (typeof page === 'string') return badRequest(page)
        if (typeof limit === 'string') return badRequest(limit)
        if (typeof category === 'string') return badRequest(category)
        const body = dataset.catalogPage(page, limit, category)
        return { items: body.items.length, body }
      }),
    ],
    inventory: [
      handle('inventory', 'get', '/stock/:productId', (_request, params) => {
        const id = Number(params.productId)
        if (!dataset.productById.has(id)) return notFound(`no product ${String(params.productId)}`)
        return { items: 1, body: dataset.stockOf(id) }
      }),
      handle('inventory', 'post', '/stock/bulk', async (request) => {
        const ids = await readProductIds(request, dataset)
        if (typeof ids === 'string') return badRequest(ids)
        return { items: ids.length, body: { items: ids.map((id) => dataset.stockOf(id)) } }
      }),
    ],
    pricing: [
      handle('pricing', 'post', '/prices', async (request) => {
        const ids = await readProductIds(request, dataset)
        if (typeof ids === 'string') return badRequest(ids)
        return { items: ids.length, body: { prices: ids.map((id) => dataset.priceOf(id)) } }
      }),
    ],
    reviews: [
      handle('reviews', 'post', '/ratings', async (request) => {
        const ids = await readProductIds(request, dataset)
        if (typeof ids === 'string') return badRequest(ids)
        return { items: ids.length, body: { ratings: ids.map((id) => dataset.ratingOf(id)) } }
      }),
    ],
    categories: [
      handle('categories', 'post', '/paths', async (request) => {
        const ids = await readIds(request, (id) => dataset.categories.has(id), 'category')
        if (typeof ids === 'string') return badRequest(ids)
        return { items: ids.length, body: { paths: ids.map((categoryId) => dataset.categoryPath(categoryId)) } }
      }),
    ],
  }
}

/** The body of an injected `error` fault: a 500 saying so. */
export function injectedErrorBody(service: ServiceName, endpoint: string): { error: string; message: string } {
  return { error: 'Internal Server Error', message: `mock ${service}: injected fault (error) on ${endpoint}` }
}

/** A fault drawn for an in-process call, acted out by the handler: msw's network error stands in for a reset. */
async function injectFault(
  service: ServiceName,
  fault: FaultKind,
  endpoint: string,
  signal: AbortSignal,
  sendAt: number,
): Promise<Response> {
  if (fault === 'hang') {
    await untilAborted(signal).catch(() => {})
    return HttpResponse.error()
  }
  await sleepUntil(sendAt, signal)
  return fault === 'error'
    ? HttpResponse.json(injectedErrorBody(service, endpoint), { status: 500, headers: { [ENDPOINT_HEADER]: endpoint } })
    : HttpResponse.error()
}

function badRequest(message: string): Answer {
  return { items: 0, status: 400, body: { error: 'Bad Request', message } }
}

function notFound(message: string): Answer {
  return { items: 0, status: 404, body: { error: 'Not Found', message } }
}

function readQueryInt(query: URLSearchParams, name: string, fallback: number, max: number): number | string {
  const raw = query.get(name)
  if (raw === null) return fallback
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < 1 || value > max) return `query parameter "${name}" must be an integer from 1 to ${max}, got "${raw}"`
  return value
}

function readProductIds(request: Request, dataset: Dataset): Promise<number[] | string> {
  return readIds(request, (id) => dataset.productById.has(id), 'product')
}

/** Reads `{ "ids": [...] }`: a non-empty list of known ids, at most MAX_IDS_PER_CALL. */
async function readIds(request: Request, exists: (id: number) => boolean, kind: string): Promise<number[] | string> {
  let body: unknown
  try {
    body = await request.json()
  } catch {
    return 'body must be JSON: { "ids": [1, 2, 3] }'
  }
  const ids = (body as { ids?: unknown } | null)?.ids
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS_PER_CALL) {
    return `"ids" must be a list of 1 to ${MAX_IDS_PER_CALL} ${kind} ids`
  }
  const unknown = ids.filter((id) => !Number.isSafeInteger(id) || !exists(id as number))
  if (unknown.length > 0) return `unknown ${kind} ids: ${JSON.stringify(unknown.slice(0, 10))}`
  return ids as number[]
}
