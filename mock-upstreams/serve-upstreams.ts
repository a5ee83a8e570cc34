/**
 * Serves the msw handlers over real HTTP: one node:http server per service, each on
 * its own port: free ports on 127.0.0.1 by default; `npm run upstreams -- --host H --port P`
 * puts them on H, at P and the four ports after it (one origin per service, as in production,
 * so the API keeps a connection pool per service). msw's handlers define what each service answers; this
 * adapter does the rest of a call: it counts it, gives it a worker, draws its latency and
 * its fault, holds it, and writes the answer.
 *
 * A request is turned into a Fetch `Request` at the service's origin and answered by msw's
 * `getResponse` the first time it is seen. The answer depends only on the request (the data
 * is seeded), so it is kept, serialised, and written again for the same method, path and
 * body: building Fetch objects and routing through msw cost ~0.3 ms of CPU per call on this
 * project's machines (`npm run self-test -- --cpu-prof DIR`), more than everything else the
 * mocks do per call, and that CPU is the lab's, taken from the API under test. Written by
 * hand because msw has no server of its own for Node (its interceptors patch clients).
 *
 * Every server also answers the admin endpoints of admin-paths.ts: the counters, their
 * reset, the injected faults' switch, and a bare echo for calibration.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getResponse } from 'msw'
import type { HttpHandler } from 'msw'
import { SERVICE_NAMES, type Scenario, type ServiceName } from '../scenario/types.ts'
import { ECHO_PATH, FAULTS_PATH, RESET_PATH, STATS_PATH } from './protocol.ts'
import { ADMIN_PREFIX, CPU_PATH, hello, HELLO_PATH, LAB_TOKEN_HEADER, labTokenRefusal, readRoleCpu, urlHost } from '../roles/protocol.ts'
import {
  BEHIND_ADAPTER_HEADER,
  createUpstreamHandlers,
  ENDPOINT_HEADER,
  injectedErrorBody,
  ITEMS_HEADER,
  upstreamOrigin,
} from './handlers.ts'
import { createFaultInjector, type FaultInjector } from './faults.ts'
import { createLatencyModels, sleepUntil, untilAborted, type LatencyModel } from './latency.ts'
import { createCapacities, takeWorker, type Capacity } from './capacity.ts'
import { createUpstreamStats, type UpstreamStats } from './stats.ts'

/** Request bodies larger than this are refused: the mocks only take lists of ids. */
const MAX_BODY_BYTES = 1024 * 1024
/** Answers kept for requests seen before: at most this many, the oldest dropped first, and only for bodies up to MAX_KEPT_BODY_BYTES. */
const MAX_KEPT_ANSWERS = 20_000
const MAX_KEPT_BODY_BYTES = 16 * 1024

/** What msw answered to a request, serialised: written again to the same request. */
interface KeptAnswer {
  status: number
  headers: Record<string, string | number>
  payload: Buffer
  endpoint: string
  /** The ids the answer carries, for its latency; undefined for an answer given at once (a 4xx). */
  items?: number
}

/** What a service needs to answer calls: its handlers, latency and capacity, the answers kept, and the shared counters and faults. */
interface Service {
  name: ServiceName
  handlers: HttpHandler[]
  latency: LatencyModel
  capacity: Capacity
  kept: Map<string, KeptAnswer>
  stats: UpstreamStats
  faults: FaultInjector
  hello: UpstreamsHello
}

export interface RunningUpstreams {
  /** Base URL of each service, e.g. http://127.0.0.1:41234 */
  urls: Record<ServiceName, string>
  /** What GET /__lab/hello answers: who they are, their host, scenario and ports. */
  hello: UpstreamsHello
  stats: UpstreamStats
  faults: FaultInjector
  close(): Promise<void>
}

import type { UpstreamsHello } from './protocol.ts'

export type { UpstreamsHello } from './protocol.ts'

/** Where to listen: `host` (default 127.0.0.1) and the first service's `port` (the others follow it); 0 or none: free ports. */
export interface UpstreamsAddress {
  host?: string
  port?: number
}

export async function startUpstreams(
  scenario: Scenario,
  { host = '127.0.0.1', port = 0 }: UpstreamsAddress = {},
): Promise<RunningUpstreams> {
  const capacities = createCapacities(scenario)
  const stats = createUpstreamStats((service) => capacities[service].waiting)
  const faults = createFaultInjector(scenario)
  const handlers = createUpstreamHandlers(scenario, stats, undefined, faults)
  const latency = createLatencyModels(scenario)
  const servers: Server[] = []
  const urls = {} as Record<ServiceName, string>
  const ports = {} as Record<ServiceName, number>
  const greeting: UpstreamsHello = { ...hello('upstreams', scenario), ports }
  try {
    for (const [index, name] of SERVICE_NAMES.entries()) {
      const service: Service = {
        name,
        handlers: handlers[name],
        latency: latency[name],
        capacity: capacities[name],
        kept: new Map(),
        stats,
        faults,
        hello: greeting,
      }
      const server = createServer((req, res) => {
        answer(service, performance.now(), req, res).catch((error: unknown) => {
          sendJson(res, 500, { error: 'Internal Server Error', message: `mock ${name} failed: ${String(error)}` })
        })
      })
      // Keep connections open between benchmark samples so no sample pays for a handshake.
      server.keepAliveTimeout = 65_000
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ host, port: port === 0 ? 0 : port + index }, resolve)
      })
      ports[name] = (server.address() as AddressInfo).port
      urls[name] = `http://${urlHost(host)}:${ports[name]}`
    }
  } catch (error) {
    await closeServers(servers)
    throw error
  }
  return { urls, hello: greeting, stats, faults, close: () => closeServers(servers) }
}

async function answer(service: Service, receivedAt: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { name, stats, faults } = service
  const url = req.url ?? '/'
  if (url.startsWith(ADMIN_PREFIX)) {
    const refusal = labTokenRefusal(req.headers[LAB_TOKEN_HEADER])
    if (refusal) return sendJson(res, 401, { error: 'Unauthorized', message: `mock ${name}: ${refusal}` })
  }
  if (url === HELLO_PATH && req.method === 'GET') return sendJson(res, 200, service.hello)
  if (url === CPU_PATH && req.method === 'GET') return sendJson(res, 200, readRoleCpu())
  if (url === STATS_PATH && req.method === 'GET') return sendJson(res, 200, stats.snapshot())
  if (url === RESET_PATH && req.method === 'POST') {
    stats.reset()
    return sendJson(res, 200, { reset: true })
  }
  if ((url === `${FAULTS_PATH}?enabled=true` || url === `${FAULTS_PATH}?enabled=false`) && req.method === 'POST') {
    faults.setEnabled(url.endsWith('true'))
    return sendJson(res, 200, { enabled: faults.enabled })
  }
  if (url.startsWith(`${ECHO_PATH}?ms=`) && req.method === 'GET') {
    const ms = Math.min(Math.max(Number(url.slice(ECHO_PATH.length + 4)) || 0, 0), 10_000)
    await sleepUntil(receivedAt + ms)
    return sendJson(res, 200, { waitedMs: ms })
  }

  // The call is in flight from arrival; it holds a worker from when it gets one. It ends
  // served, refused (503, counted by takeWorker) or cancelled by the caller: exactly one.
  const end = stats.begin(name)
  let endpoint = 'unmatched'
  let outcome: 'served' | 'rejected' | 'cancelled' = 'served'
  let held: { heldMs: number; configuredMs: number } | undefined
  const closed = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) closed.abort(new Error('the caller closed the connection'))
  })
  try {
    const worker = await takeWorker(service.capacity, stats, name, receivedAt, closed.signal)
    if (!worker) {
      outcome = 'rejected'
      endpoint = 'rejected: queue full'
      return sendJson(res, 503, {
        error: 'Service Unavailable',
        message: `mock ${name} is at capacity: every worker busy and the queue full`,
      })
    }
    try {
      // The latency runs from when a worker takes the call; the wait before it comes on top.
      const answered = await serve(service, worker.startedAt, req, res, closed.signal)
      endpoint = answered.endpoint
      if (answered.sendAt !== undefined)
        held = { heldMs: performance.now() - worker.startedAt, configuredMs: answered.sendAt - worker.startedAt }
    } finally {
      worker.release()
    }
  } catch (error) {
    if (!closed.signal.aborted) throw error
    outcome = 'cancelled'
    endpoint = 'cancelled by the caller'
  } finally {
    end(endpoint, outcome === 'served' ? { outcome, held } : { outcome })
  }
}

/**
 * Serves one call that has a worker: the service's answer (kept, or asked of msw), its
 * latency and fault drawn, held until the latency is up, then written. Returns the
 * endpoint, and the send-at time for an answer that took the latency (every one but a 4xx).
 */
async function serve(
  service: Service,
  startedAt: number,
  req: IncomingMessage,
  res: ServerResponse,
  closed: AbortSignal,
): Promise<{ endpoint: string; sendAt?: number }> {
  const body = await readBody(req)
  if (body === undefined) {
    sendJson(res, 413, { error: 'Payload Too Large', message: `body over ${MAX_BODY_BYTES} bytes` })
    return { endpoint: 'too large' }
  }
  const method = req.method ?? 'GET'
  const url = req.url ?? '/'
  const key = `${method} ${url}\n${body.toString('latin1')}`
  let answer = service.kept.get(key)
  if (!answer) {
    answer = await askMsw(service, method, url, req, body)
    if (body.length <= MAX_KEPT_BODY_BYTES) keep(service.kept, key, answer)
  }
  const { endpoint, items } = answer
  if (items === undefined) {
    res.writeHead(answer.status, answer.headers).end(answer.payload)
    return { endpoint }
  }
  // The same order of draws as in-process: the latency, then the fault.
  const sendAt = startedAt + service.latency.draw(items)
  const fault = service.faults.draw(service.name)
  if (fault) service.stats.injected(service.name, fault)
  // An injected hang holds the call (and its worker) until the caller gives up.
  if (fault === 'hang') await untilAborted(closed)
  await sleepUntil(sendAt, closed)
  if (fault === 'reset') {
    // A TCP reset, not a polite close: the caller sees ECONNRESET and no answer.
    res.socket?.resetAndDestroy()
  } else if (fault === 'error') {
    sendJson(res, 500, injectedErrorBody(service.name, endpoint))
  } else {
    res.writeHead(answer.status, answer.headers).end(answer.payload)
  }
  return { endpoint, sendAt }
}

/** Asks msw's handlers for the answer to a request, as a Fetch `Request` at the service's origin. */
async function askMsw(service: Service, method: string, url: string, req: IncomingMessage, body: Buffer): Promise<KeptAnswer> {
  const headers = new Headers({ [BEHIND_ADAPTER_HEADER]: '1' })
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value)
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item)
  }
  const request = new Request(`${upstreamOrigin(service.name)}${url}`, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' || body.length === 0 ? undefined : new Uint8Array(body),
  })
  const response = await getResponse(service.handlers, request)
  if (!response) {
    const payload = Buffer.from(JSON.stringify({ error: 'Not Found', message: `mock ${service.name} has no handler for ${method} ${url}` }))
    return { status: 404, headers: jsonHeaders(payload), payload, endpoint: 'unmatched' }
  }
  const payload = Buffer.from(await response.arrayBuffer())
  const items = response.headers.get(ITEMS_HEADER)
  return {
    status: response.status,
    headers: {
      'content-type': response.headers.get('content-type') ?? 'application/json',
      'content-length': payload.length,
      // The ids the answer carries, for the API's client spans (--trace): the lab's own traces say each call's item count.
      ...(items === null ? {} : { [ITEMS_HEADER]: items }),
    },
    payload,
    endpoint: response.headers.get(ENDPOINT_HEADER) ?? 'unknown',
    items: items === null ? undefined : Number(items),
  }
}

/** Keeps an answer, dropping the oldest kept once there are MAX_KEPT_ANSWERS. */
function keep(kept: Map<string, KeptAnswer>, key: string, answer: KeptAnswer): void {
  if (kept.size >= MAX_KEPT_ANSWERS) kept.delete(kept.keys().next().value as string)
  kept.set(key, answer)
}

function jsonHeaders(payload: Buffer): Record<string, string | number> {
  return { 'content-type': 'application/json', 'content-length': payload.length }
}

/** The request's body, or undefined once it passes MAX_BODY_BYTES (the rest is read and dropped). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.once('end', () => resolve(size > MAX_BODY_BYTES ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)))
    req.once('error', reject)
  })
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy()
  const payload = Buffer.from(JSON.stringify(body))
  res.writeHead(status, jsonHeaders(payload)).end(payload)
}

async function closeServers(servers: Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) return resolve()
          server.close(() => resolve())
          // Idle keep-alive connections would hold close() open until they time out.
          server.closeAllConnections()
        }),
    ),
  )
}
