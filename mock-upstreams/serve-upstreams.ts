/**
 * Serves the msw handlers over real HTTP: one node:http server per service, each on
 * its own free port on 127.0.0.1. A request is turned into a Fetch `Request` at the
 * service's origin and answered by msw's `getResponse`, which is lighter than msw's
 * express-based middleware: a loopback round trip through it costs about 0.3 ms on this
 * project's machines, and one through the middleware more.
 *
 * Every server also answers the admin endpoints of admin-paths.ts: the counters, their
 * reset, the injected faults' switch, and a bare echo for calibration.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getResponse } from 'msw'
import type { HttpHandler } from 'msw'
import { SERVICE_NAMES, type Scenario, type ServiceName } from '../scenario/types.ts'
import { ECHO_PATH, FAULTS_PATH, RESET_PATH, STATS_PATH } from './admin-paths.ts'
import { createUpstreamHandlers, ENDPOINT_HEADER, FAULT_HEADER, RECEIVED_AT_HEADER, SEND_AT_HEADER, upstreamOrigin } from './handlers.ts'
import { createFaultInjector, type FaultInjector } from './faults.ts'
import { sleepUntil, untilAborted } from './latency.ts'
import { createCapacities, takeWorker, type Capacity } from './capacity.ts'
import { createUpstreamStats, type UpstreamStats } from './stats.ts'

/** Request bodies larger than this are refused: the mocks only take lists of ids. */
const MAX_BODY_BYTES = 1024 * 1024

export interface RunningUpstreams {
  /** Base URL of each service, e.g. http://127.0.0.1:41234 */
  urls: Record<ServiceName, string>
  stats: UpstreamStats
  faults: FaultInjector
  close(): Promise<void>
}

export async function startUpstreams(scenario: Scenario): Promise<RunningUpstreams> {
  const capacities = createCapacities(scenario)
  const stats = createUpstreamStats((service) => capacities[service].waiting)
  const faults = createFaultInjector(scenario)
  const handlers = createUpstreamHandlers(scenario, stats, undefined, faults)
  const servers: Server[] = []
  const urls = {} as Record<ServiceName, string>
  try {
    for (const service of SERVICE_NAMES) {
      const server = createServer((req, res) => {
        req.headers[RECEIVED_AT_HEADER] = String(performance.now())
        answer(service, handlers[service], capacities[service], stats, faults, req, res).catch((error: unknown) => {
          sendJson(res, 500, { error: 'Internal Server Error', message: `mock ${service} failed: ${String(error)}` })
        })
      })
      // Keep connections open between benchmark samples so no sample pays for a handshake.
      server.keepAliveTimeout = 65_000
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ host: '127.0.0.1', port: 0 }, resolve)
      })
      urls[service] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    }
  } catch (error) {
    await closeServers(servers)
    throw error
  }
  return { urls, stats, faults, close: () => closeServers(servers) }
}

async function answer(
  service: ServiceName,
  handlers: HttpHandler[],
  capacity: Capacity,
  stats: UpstreamStats,
  faults: FaultInjector,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = req.url ?? '/'
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
    await sleepUntil(Number(req.headers[RECEIVED_AT_HEADER]) + ms)
    return sendJson(res, 200, { waitedMs: ms })
  }

  // The call is in flight from arrival; it holds a worker from when it gets one. It ends
  // served, refused (503, counted by takeWorker) or cancelled by the caller: exactly one.
  const end = stats.begin(service)
  let endpoint = 'unmatched'
  let outcome: 'served' | 'rejected' | 'cancelled' = 'served'
  let held: { heldMs: number; configuredMs: number } | undefined
  const closed = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) closed.abort(new Error('the caller closed the connection'))
  })
  try {
    const worker = await takeWorker(capacity, stats, service, Number(req.headers[RECEIVED_AT_HEADER]), closed.signal)
    if (!worker) {
      outcome = 'rejected'
      endpoint = 'rejected: queue full'
      return sendJson(res, 503, { error: 'Service Unavailable', message: `mock ${service} is at capacity: every worker busy and the queue full` })
    }
    try {
      // The latency runs from when a worker takes the call; the wait before it comes on top.
      req.headers[RECEIVED_AT_HEADER] = String(worker.startedAt)
      const answered = await forward(service, handlers, req, res, closed.signal)
      endpoint = answered.endpoint
      if (answered.sendAt !== undefined) held = { heldMs: performance.now() - worker.startedAt, configuredMs: answered.sendAt - worker.startedAt }
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
 * Answers one request through msw, holding the answer until the handler's send-at time.
 * Returns the endpoint, and the send-at time when the handler set one (every answer but a 4xx).
 */
async function forward(
  service: ServiceName,
  handlers: HttpHandler[],
  req: IncomingMessage,
  res: ServerResponse,
  closed: AbortSignal,
): Promise<{ endpoint: string; sendAt?: number }> {
  const url = req.url ?? '/'
  const body = await readBody(req)
  if (body === undefined) {
    sendJson(res, 413, { error: 'Payload Too Large', message: `body over ${MAX_BODY_BYTES} bytes` })
    return { endpoint: 'too large' }
  }
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value)
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item)
  }
  const method = req.method ?? 'GET'
  const request = new Request(`${upstreamOrigin(service)}${url}`, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' || body.length === 0 ? undefined : new Uint8Array(body),
  })
  const response = await getResponse(handlers, request)
  if (!response) {
    sendJson(res, 404, { error: 'Not Found', message: `mock ${service} has no handler for ${method} ${url}` })
    return { endpoint: 'unmatched' }
  }
  const payload = Buffer.from(await response.arrayBuffer())
  const stamped = response.headers.get(SEND_AT_HEADER)
  const sendAt = stamped === null ? undefined : Number(stamped)
  const endpoint = response.headers.get(ENDPOINT_HEADER) ?? 'unknown'
  const fault = response.headers.get(FAULT_HEADER)
  // An injected hang holds the call (and its worker) until the caller gives up.
  if (fault === 'hang') await untilAborted(closed)
  // Everything above ran inside the call's latency; only the write is left after it.
  if (sendAt !== undefined) await sleepUntil(sendAt, closed)
  if (fault === 'reset') {
    // A TCP reset, not a polite close: the caller sees ECONNRESET and no answer.
    res.socket?.resetAndDestroy()
    return { endpoint, sendAt }
  }
  res.writeHead(response.status, {
    'content-type': response.headers.get('content-type') ?? 'application/json',
    'content-length': payload.length,
  })
  res.end(payload)
  return { endpoint, sendAt }
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy()
  const payload = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
  res.end(payload)
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
