/**
 * An upstream that answers 200 with an error body, sends a list of nulls, sends a body
 * that is not JSON or is huge, cuts its body short or resets the connection: the API answers 502
 * naming that upstream, with a JSON body and no stack trace, and stays up.
 */
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import type { ServiceName } from '../scenario/types.ts'
import { startUpstreams, type RunningUpstreams } from '../mock-upstreams/serve-upstreams.ts'
import { buildApp } from '../variants/shared/app.ts'
import { createInProcessStore } from '../variants/shared/cache-store.ts'
import { FAST_SERVICES } from './helpers/lab.ts'

type Fault = (res: ServerResponse) => void

const FAULTS: Record<string, Fault> = {
  '200 with an error body': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"error":"internal"}'),
  'a list of nulls': (res) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"items":[null],"prices":[null],"ratings":[null],"paths":[null],"total":1}'),
  'a body that is not JSON': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>oops</html>'),
  'a body cut short': (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
    res.write('{"items":[')
    setTimeout(() => res.socket?.destroy(), 20)
  },
  'a reset connection': (res) => res.socket?.destroy(),
  'a huge body (12 MB)': (res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(`{"items":[],"pad":"${' '.repeat(12 * 1024 * 1024)}"}`),
  'a 500': (res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}'),
}

let upstreams: RunningUpstreams
let liar: Server
let fault: Fault = FAULTS['200 with an error body']!
let liarUrl: string

beforeAll(async () => {
  upstreams = await startUpstreams(resolveScenario(FAST_SERVICES))
  liar = createServer((req, res) => {
    req.resume()
    req.on('end', () => fault(res))
  })
  await new Promise<void>((resolve) => liar.listen({ host: '127.0.0.1', port: 0 }, resolve))
  liarUrl = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`
})
afterAll(async () => {
  liar.closeAllConnections()
  await new Promise((resolve) => liar.close(resolve))
  await upstreams.close()
})

async function askWithLiar(service: ServiceName, variant: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const scenario = resolveScenario(FAST_SERVICES)
  const app = await buildApp({
    scenario,
    upstreamUrls: { ...upstreams.urls, [service]: liarUrl },
    cache: createInProcessStore(),
    warn: () => {},
  })
  try {
    const response = await app.inject({ method: 'GET', url: `/${variant}/products?limit=3` })
    const afterwards = await app.inject({ method: 'GET', url: '/' })
    expect(afterwards.statusCode).toBe(200)
    return { status: response.statusCode, body: response.json() }
  } finally {
    await app.close()
  }
}

describe.each(Object.keys(FAULTS))('an upstream answering with %s', (name) => {
  it.each([
    ['catalog', 'naive'],
    ['inventory', 'naive'],
    ['inventory', 'bulk'],
    ['pricing', 'cached'],
    ['reviews', 'parallel'],
    ['categories', 'parallel'],
  ] as const)('%s in %s → 502 naming it', async (service, variant) => {
    fault = FAULTS[name]!
    const { status, body } = await askWithLiar(service, variant)
    expect(status).toBe(502)
    expect(body).toMatchObject({ statusCode: 502, error: 'Bad Gateway', upstream: service })
    expect(String(body.message)).toContain(`Upstream "${service}"`)
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/)
  })
})

describe('an upstream that never answers', () => {
  it.each([
    ['catalog', 'naive'],
    ['pricing', 'bulk'],
    ['reviews', 'parallel'],
  ] as const)('%s in %s → 504 at the deadline, naming it, and the API stays up', async (service, variant) => {
    fault = () => {} // accepts the request, never answers
    const scenario = resolveScenario(FAST_SERVICES, { requestDeadlineMs: 300 })
    const app = await buildApp({
      scenario,
      upstreamUrls: { ...upstreams.urls, [service]: liarUrl },
      cache: createInProcessStore(),
      warn: () => {},
    })
    try {
      const response = await app.inject({ method: 'GET', url: `/${variant}/products?limit=3` })
      expect(response.statusCode).toBe(504)
      expect(response.json()).toMatchObject({ statusCode: 504, error: 'Gateway Timeout', deadlineMs: 300 })
      expect(response.json().waitingFor).toContain(service)
      expect((await app.inject({ method: 'GET', url: '/' })).statusCode).toBe(200)
    } finally {
      await app.close()
    }
  })
})
