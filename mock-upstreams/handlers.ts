/**
 * The five mocked services as msw request handlers. Each service lives at its own
 * origin (`http://<service>.upstream.lab`); served over HTTP, each gets its own
 * loopback port and requests are mapped onto that origin.
 *
 * Every call is counted and held for the latency the scenario gives it (base +
 * per-item × ids + seeded jitter), measured from when the request arrived, then
 * answered with seeded data. In-process (setupServer) the handler itself counts and
 * waits. Served over HTTP, the adapter does both around the handler (see
 * serve-upstreams.ts): the handler only stamps the moment the answer may leave, so
 * msw's own routing and serialisation happen inside the latency, not after it.
 */
import { http, HttpResponse, type HttpHandler, type JsonBodyType } from 'msw'
import { SERVICE_NAMES, type FaultKind, type Scenario, type ServiceName } from '../scenario/types.ts'
import { createDataset, type Dataset } from './data.ts'
import { createLatencyModel, sleepUntil, untilAborted, type LatencyModel } from './latency.ts'
import type { UpstreamStats } from './stats.ts'
import { createCapacities, takeWorker } from './capacity.ts'
import { createFaultInjector, type FaultInjector } from './faults.ts'

/** Ids one list call may carry: a bound, so a bad caller cannot make the mock allocate without limit. */
export const MAX_IDS_PER_CALL = 1000

/** Set by the HTTP adapter: `performance.now()` in the upstream process when the request arrived. */
export const RECEIVED_AT_HEADER = 'x-lab-received-at'
/** Set by a handler behind the adapter: when (`performance.now()`) the answer may leave. */
export const SEND_AT_HEADER = 'x-lab-send-at'
/** Set by a handler behind the adapter: which endpoint answered, for the per-endpoint counters. */
export const ENDPOINT_HEADER = 'x-lab-endpoint'
/** Set by a handler behind the adapter: `hang` or `reset`, a fault for the adapter to act out on the connection. */
export const FAULT_HEADER = 'x-lab-fault'

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
  const models = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, createLatencyModel(scenario.services[name], scenario.seed, name)]),
  ) as Record<ServiceName, LatencyModel>
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
      const stampedAt = request.headers.get(RECEIVED_AT_HEADER)
      const behindAdapter = stampedAt !== null
      let received = behindAdapter ? Number(stampedAt) : performance.now()
      const end = behindAdapter ? undefined : stats.begin(service)
      let release: (() => void) | undefined
      // In-process, the handler counts how the call ended itself (behind the adapter, the adapter does).
      let outcome: 'served' | 'rejected' | 'cancelled' = 'served'
      let configuredMs: number | undefined
      try {
        if (!behindAdapter) {
          // In-process, the handler takes a worker itself (behind the adapter, the adapter has).
          const worker = await takeWorker(capacities[service], stats, service, received)
          if (!worker) {
            outcome = 'rejected'
            return HttpResponse.json({ error: 'Service Unavailable', message: `mock ${service} is at capacity` }, { status: 503 })
          }
          release = worker.release
          received = worker.startedAt
        }
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
          return await injectFault(service, fault, endpoint, behindAdapter ? undefined : request.signal, sendAt)
        }
        if (behindAdapter) {
          headers[SEND_AT_HEADER] = String(sendAt)
          return HttpResponse.json(result.body, { headers })
        }
        // Serialise before the wait, so the answer leaves as soon as the latency is up.
        const response = HttpResponse.json(result.body, { headers })
        await sleepUntil(sendAt)
        return response
      } finally {
        release?.()
        if (end) {
          // The caller gave up before the answer (an injected hang always ends so).
          if (outcome === 'served' && request.signal.aborted) outcome = 'cancelled'
          const held = configuredMs === undefined ? undefined : { heldMs: performance.now() - received, configuredMs }
          end(endpoint, outcome === 'served' ? { outcome, held } : { outcome })
        }
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

/**
 * A fault drawn for a call. Behind the adapter, the response only says what to do and
 * when; the adapter holds the connection (hang) or resets it (reset). In-process, the
 * handler acts it out itself: msw's network error stands in for a reset.
 */
async function injectFault(service: ServiceName, fault: FaultKind, endpoint: string, inProcess: AbortSignal | undefined, sendAt: number): Promise<Response> {
  const headers = { [ENDPOINT_HEADER]: endpoint }
  const body = { error: 'Internal Server Error', message: `mock ${service}: injected fault (error) on ${endpoint}` }
  if (!inProcess) {
    if (fault === 'error') return HttpResponse.json(body, { status: 500, headers: { ...headers, [SEND_AT_HEADER]: String(sendAt) } })
    return HttpResponse.json(null, { headers: { ...headers, [FAULT_HEADER]: fault, [SEND_AT_HEADER]: String(sendAt) } })
  }
  if (fault === 'hang') {
    await untilAborted(inProcess).catch(() => {})
    return HttpResponse.error()
  }
  await sleepUntil(sendAt, inProcess)
  return fault === 'error' ? HttpResponse.json(body, { status: 500, headers }) : HttpResponse.error()
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
