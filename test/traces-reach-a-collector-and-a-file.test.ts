/**
 * `--otlp URL` and `--trace DIR`: the API's requests as OpenTelemetry traces. A small OTLP/HTTP
 * receiver (a plain node server on loopback that keeps what it is sent) gets valid OTLP JSON,
 * the same spans the file holds: a server span per traced request with its stages, and a client
 * span for every upstream call the mocks counted (naive and bulk make the same calls on every
 * request, so each traced request of the latency phase has exactly the mocks' calls per request,
 * service by service), each under its request's span. Without the flags, nothing is traced.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Results } from '../bench/record/results.ts'
import { TRACE_FILE } from '../lab-api/trace-file.ts'
import { SERVICE_NAMES } from '../scenario/types.ts'
import { benchRun } from './helpers/bench-run.ts'
import { SKIP_REDIS } from './helpers/redis.ts'

/** OTLP JSON as the spec writes it (opentelemetry-proto's JSON mapping): the parts read here. */
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: number | string } }>
}
type ExportRequest = {
  resourceSpans: Array<{ resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>
}

const SERVER = 2
const CLIENT = 3
const attribute = (span: OtlpSpan, key: string): string | number | undefined => {
  const value = span.attributes.find((a) => a.key === key)?.value
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue))
}
const spansOf = (requests: ExportRequest[]): OtlpSpan[] =>
  requests.flatMap((r) => r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)))

describe.skipIf(SKIP_REDIS)('the API traced: --otlp URL and --trace DIR', () => {
  let collector: Server
  const received: Array<{ contentType: string | undefined; body: ExportRequest }> = []
  let results: Results
  let output: string
  let code: number | null
  let dir: string

  beforeAll(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v1/traces')
          received.push({
            contentType: req.headers['content-type'],
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest,
          })
        res.writeHead(req.url === '/v1/traces' ? 200 : 404, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
    const port = (collector.address() as { port: number }).port
    dir = await mkdtemp(join(tmpdir(), 'lab-traces-'))
    ;({ results, output, code } = await benchRun(
      ['--quick', '--variants', 'naive,bulk', '--otlp', `http://127.0.0.1:${port}/v1/traces`, '--trace', dir, '--trace-sample', '1'],
      { prefix: 'lab-traced-' },
    ))
  }, 120_000)

  afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())))

  it('sends OTLP JSON to the collector, the same spans it writes to the file, and records both', () => {
    expect(code, output).toBe(0)
    expect(received.length).toBeGreaterThan(0)
    for (const { contentType } of received) expect(contentType).toMatch(/^application\/json/)
    const sent = spansOf(received.map((r) => r.body))
    const written = spansOf(
      readFileSync(join(dir, TRACE_FILE), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ExportRequest),
    )
    expect(sent.map((s) => s.spanId).sort()).toEqual(written.map((s) => s.spanId).sort())
    const trace = results.run.trace!
    expect(trace).toMatchObject({ otlpUrl: expect.stringContaining('/v1/traces') as string, sample: 1, exportFailures: 0 })
    expect(trace.spans).toBe(sent.length)
    expect(trace.requests).toBe(sent.filter((s) => s.kind === SERVER).length)
    expect(received[0]!.body.resourceSpans[0]!.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'api-speedup-lab-api' },
    })
  })

  it("gives each traced request of the latency phase a client span for every call the mocks counted, under its request's span", () => {
    const spans = spansOf(received.map((r) => r.body))
    const byId = new Map(spans.map((s) => [s.spanId, s]))
    // Every span but the server spans has its parent in the same trace.
    for (const span of spans) {
      if (span.kind === SERVER) continue
      expect(byId.get(span.parentSpanId!)?.traceId, span.name).toBe(span.traceId)
    }
    for (const variant of ['naive', 'bulk']) {
      const servers = spans.filter(
        (s) => s.kind === SERVER && attribute(s, 'lab.variant') === variant && attribute(s, 'lab.phase') === 'latency',
      )
      expect(servers.length, variant).toBeGreaterThanOrEqual(results.variants[variant]!.latency!.samples)
      const perRequest = results.variants[variant]!.upstreamCalls
      for (const server of servers) {
        const calls = spans.filter((s) => s.parentSpanId === server.spanId && s.kind === CLIENT && attribute(s, 'peer.service') !== 'redis')
        const counted = Object.fromEntries(
          SERVICE_NAMES.map((service) => [service, calls.filter((c) => attribute(c, 'peer.service') === service).length]),
        )
        expect(counted, variant).toEqual(perRequest)
        expect(attribute(server, 'http.response.status_code')).toBe(200)
        // Each call inside its request, and its item count from the mocks' answer.
        for (const call of calls) {
          expect(BigInt(call.startTimeUnixNano) >= BigInt(server.startTimeUnixNano) - 1_000_000n).toBe(true)
          expect(BigInt(call.endTimeUnixNano) <= BigInt(server.endTimeUnixNano)).toBe(true)
          expect(Number(attribute(call, 'lab.items'))).toBeGreaterThanOrEqual(1)
        }
        // The stages, the Server-Timing names, as children.
        const stages = spans.filter((s) => s.parentSpanId === server.spanId && s.kind === 1).map((s) => s.name)
        expect(stages).toEqual(expect.arrayContaining(['catalog', 'inventory', 'pricing']))
      }
    }
    // naive's N+1: one inventory call per product on each request.
    expect(results.variants.naive!.upstreamCalls.inventory).toBe(results.scenario.productsPerPage)
  })

  it('traces the load phase too, at --trace-sample, the cost step labelled, and nothing of the lab’s other steps', () => {
    const spans = spansOf(received.map((r) => r.body))
    const phases = new Set(spans.filter((s) => s.kind === SERVER).map((s) => attribute(s, 'lab.phase')))
    expect([...phases].sort()).toEqual(['latency', 'load', 'trace-cost'])
    // The cost step: 4 rounds of 20 requests traced (and 20 not).
    expect(spans.filter((s) => s.kind === SERVER && attribute(s, 'lab.phase') === 'trace-cost')).toHaveLength(80)
    expect(results.run.trace!.cost).toMatchObject({ variant: 'bulk', requests: 160 })
  })
})
