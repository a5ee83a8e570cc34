/**
 * The API's requests as OpenTelemetry traces (`--trace DIR`, `--otlp URL`), so a team sees the
 * lab's requests in the tools it already reads (Jaeger, Tempo, Honeycomb, a collector):
 * a server span per request, a span per stage (the Server-Timing names), a client span per
 * upstream call (`peer.service`: the lab's service) and a span per Redis command.
 *
 * From the API's own timing points, not the maintained instrumentations: the app stays the
 * app (no span in variants/), and nothing is patched. Upstream calls are read from undici's
 * diagnostics channels (`undici:request:*`, which @opentelemetry/instrumentation-undici reads
 * too), Redis commands from ioredis's tracing channel (`ioredis:command`); a request's calls
 * find its span through an AsyncLocalStorage entered when its work starts. With tracing off
 * nothing subscribes: no span is made, and the channels cost what they cost without a reader.
 *
 * Spans are made by the OpenTelemetry SDK (BasicTracerProvider, BatchSpanProcessor) and
 * written by its exporters: to a file, as the collector's file exporter writes OTLP JSON
 * (one ExportTraceServiceRequest per line, @opentelemetry/otlp-transformer's JSON
 * serializer), and over OTLP/HTTP (@opentelemetry/exporter-trace-otlp-http). The file
 * exporter is a few lines by hand: the SDK has none for OTLP JSON.
 *
 * Which requests: `ratio` of them, drawn from the seed (the harness sets 1 in the latency
 * phase, `--trace-sample` under load, 0 around them: calibration, warm-up, the correctness check).
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks'
import diagnostics from 'node:diagnostics_channel'
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Span } from '@opentelemetry/api'
import type { ExportResult } from '@opentelemetry/core'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TraceCounts } from './protocol.ts'
import { ITEMS_ATTRIBUTE, TRACE_FILE, type TracePhase, type TraceSettings } from './trace-file.ts'
import { createRandom, deriveSeed } from '../scenario/random.ts'
import type { ServiceName } from '../scenario/types.ts'
import { parseServerTiming } from '../variants/shared/stage-timing.ts'

export type { TracePhase, TraceSettings } from './trace-file.ts'

const SERVICE_NAME = 'api-speedup-lab-api'
const ITEMS_HEADER = 'x-lab-items'

export interface ApiTracing {
  /** Hooks the app's requests: a server span and its stages for each request drawn. */
  attach(app: FastifyInstance): void
  /** When a traced request's work starts: its calls and commands are its children from here. */
  workStarted(request: FastifyRequest): void
  setPhase(phase: TracePhase): void
  counts(): TraceCounts
  /** Every span ended so far, exported. */
  flush(): Promise<TraceCounts>
  shutdown(): Promise<void>
}

/** The SDK's packages, loaded only when tracing is on: an API process without --trace does not pay their 160 ms of start-up. */
async function loadSdk() {
  const [api, core, otlp, transformer, resources, sdk] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/otlp-transformer'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ])
  return { ...api, ...core, ...otlp, ...transformer, ...resources, ...sdk }
}

type Sdk = Awaited<ReturnType<typeof loadSdk>>

export async function createApiTracing(settings: TraceSettings, upstreamUrls: Record<ServiceName, string>): Promise<ApiTracing> {
  const sdk = await loadSdk()
  const { context, SpanKind, SpanStatusCode, trace, OTLPTraceExporter, BasicTracerProvider, BatchSpanProcessor, resourceFromAttributes } =
    sdk
  const exporters: SpanExporter[] = []
  if (settings.dir) exporters.push(fileExporter(sdk, settings.dir))
  if (settings.otlpUrl) exporters.push(new OTLPTraceExporter({ url: settings.otlpUrl, timeoutMillis: 5000 }))
  const counting = countingExporters(sdk, exporters)
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE_NAME }),
    spanProcessors: [
      new BatchSpanProcessor(counting.exporter, { maxQueueSize: 65_536, maxExportBatchSize: 2048, scheduledDelayMillis: 1000 }),
    ],
  })
  const tracer = provider.getTracer('api-speedup-lab')
  const random = createRandom(deriveSeed(settings.seed, 'trace-sample'))
  let phase: TracePhase = { phase: 'serve', ratio: settings.ratio }
  let requests = 0
  const current = new AsyncLocalStorage<Span>()
  const serverSpans = new WeakMap<FastifyRequest, { span: Span; workStartedAt?: number }>()
  const serviceOf = new Map(Object.entries(upstreamUrls).map(([service, url]) => [new URL(url).origin, service]))
  const unsubscribe = [subscribeUpstreamCalls(), subscribeRedisCommands()]

  return {
    attach(app) {
      app.addHook('onRequest', async (request) => {
        const route = request.routeOptions.url ?? ''
        if (!route.endsWith('/products') || phase.ratio <= 0 || random() >= phase.ratio) return
        requests++
        const variant = route.split('/')[1] ?? ''
        const span = tracer.startSpan(`GET ${route}`, {
          kind: SpanKind.SERVER,
          startTime: epochMs(),
          attributes: {
            'http.request.method': request.method,
            'http.route': route,
            'url.path': request.url.split('?')[0],
            'url.query': request.url.split('?')[1] ?? '',
            'lab.variant': variant,
            'lab.phase': phase.phase,
          },
        })
        serverSpans.set(request, { span })
      })
      // The client went away before the answer (autocannon at a level's end): fastify runs no onResponse.
      app.addHook('onRequestAbort', async (request) => {
        const traced = serverSpans.get(request)
        if (!traced) return
        serverSpans.delete(request)
        traced.span.setAttribute('lab.client_gone', true)
        traced.span.end(epochMs())
      })
      app.addHook('onResponse', async (request, reply) => {
        const traced = serverSpans.get(request)
        if (!traced) return
        serverSpans.delete(request)
        const { span, workStartedAt } = traced
        span.setAttribute('http.response.status_code', reply.statusCode)
        if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
        const header = reply.getHeader('server-timing')
        if (typeof header === 'string' && workStartedAt !== undefined) {
          const parent = trace.setSpan(context.active(), span)
          for (const stage of parseServerTiming(header).stages) {
            const start = workStartedAt + stage.startMs
            tracer
              .startSpan(stage.name, { kind: SpanKind.INTERNAL, startTime: start, attributes: { 'lab.stage': stage.name } }, parent)
              .end(start + stage.durationMs)
          }
        }
        span.end(epochMs())
      })
    },
    workStarted(request) {
      const traced = serverSpans.get(request)
      if (!traced) return
      traced.workStartedAt = epochMs()
      // The work is started just after this, from this async context: its calls are made within it.
      current.enterWith(traced.span)
    },
    setPhase(next) {
      phase = next
    },
    counts: () => ({ requests, ...counting.counts() }),
    async flush() {
      await provider.forceFlush()
      return { requests, ...counting.counts() }
    },
    async shutdown() {
      for (const off of unsubscribe) off()
      await provider.shutdown()
    },
  }

  /**
   * The span of the request that made an undici call. A call made while every connection of its pool
   * is busy waits in the pool's queue, and undici creates it later, from another connection's drain:
   * the context there is another request's. Its handler, an AsyncResource made when the code called,
   * keeps the caller's context; undici keeps the handler under a symbol named "handler".
   */
  function callersSpan(request: object): Span | undefined {
    const key = Object.getOwnPropertySymbols(request).find((symbol) => symbol.description === 'handler')
    const handler = key ? (request as Record<symbol, unknown>)[key] : undefined
    return handler instanceof AsyncResource ? handler.runInAsyncScope(() => current.getStore()) : current.getStore()
  }

  /** A client span per upstream call made within a traced request: from undici's request:create to its last byte or error. */
  function subscribeUpstreamCalls(): () => void {
    type UndiciRequest = { origin?: string | URL; method?: string; path?: string }
    const calls = new WeakMap<UndiciRequest, Span>()
    const onCreate = (message: unknown): void => {
      const { request } = message as { request: UndiciRequest }
      const parent = callersSpan(request)
      const service = serviceOf.get(String(request.origin ?? '').replace(/\/$/, ''))
      if (!parent || !service) return
      const origin = new URL(String(request.origin))
      const path = request.path ?? ''
      calls.set(
        request,
        tracer.startSpan(
          `${request.method ?? 'GET'} ${service}`,
          {
            kind: SpanKind.CLIENT,
            startTime: epochMs(),
            attributes: {
              'peer.service': service,
              'server.address': origin.hostname,
              'server.port': Number(origin.port),
              'http.request.method': request.method ?? 'GET',
              'url.path': path.split('?')[0],
            },
          },
          trace.setSpan(context.active(), parent),
        ),
      )
    }
    const onHeaders = (message: unknown): void => {
      const { request, response } = message as { request: UndiciRequest; response: { statusCode: number; headers: Buffer[] | string[] } }
      const span = calls.get(request)
      if (!span) return
      span.setAttribute('http.response.status_code', response.statusCode)
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      const items = headerValue(response.headers, ITEMS_HEADER)
      if (items !== undefined) span.setAttribute(ITEMS_ATTRIBUTE, Number(items))
    }
    const onEnd = (message: unknown): void => {
      const { request, error } = message as { request: UndiciRequest; error?: Error }
      const span = calls.get(request)
      if (!span) return
      calls.delete(request)
      if (error && isAbort(error)) {
        // Given up on by its request (answered already, or past its deadline): not the service's failure.
        span.setAttribute('lab.cancelled', true)
      } else if (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.name })
        span.setAttribute('error.type', error.name)
      }
      span.end(epochMs())
    }
    const channels: Array<[string, (message: unknown) => void]> = [
      ['undici:request:create', onCreate],
      ['undici:request:headers', onHeaders],
      ['undici:request:trailers', onEnd],
      ['undici:request:error', onEnd],
    ]
    for (const [name, listener] of channels) diagnostics.subscribe(name, listener)
    return () => {
      for (const [name, listener] of channels) diagnostics.unsubscribe(name, listener)
    }
  }

  /** A client span per Redis command made within a traced request: ioredis's tracing channel, its start to its settling. */
  function subscribeRedisCommands(): () => void {
    type CommandContext = { command?: string; span?: Span }
    const channel = diagnostics.tracingChannel<unknown, CommandContext>('ioredis:command')
    const end = (ctx: CommandContext): void => {
      ctx.span?.end(epochMs())
      ctx.span = undefined
    }
    const handlers = {
      start(ctx: CommandContext) {
        const parent = current.getStore()
        if (!parent) return
        const name = String(ctx.command ?? 'command').toUpperCase()
        ctx.span = tracer.startSpan(
          name,
          {
            kind: SpanKind.CLIENT,
            startTime: epochMs(),
            attributes: { 'db.system.name': 'redis', 'db.operation.name': name, 'peer.service': 'redis' },
          },
          trace.setSpan(context.active(), parent),
        )
      },
      end() {},
      asyncStart() {},
      asyncEnd: end,
      error(ctx: CommandContext & { error?: unknown }) {
        ctx.span?.setStatus({ code: SpanStatusCode.ERROR })
        end(ctx)
      },
    }
    channel.subscribe(handlers)
    return () => channel.unsubscribe(handlers)
  }
}

/** An abort: the request gave the call up (undici's RequestAbortedError, or the signal's own reason). */
function isAbort(error: Error): boolean {
  return error.name === 'AbortError' || error.name === 'RequestAbortedError' || (error as { code?: string }).code === 'UND_ERR_ABORTED'
}

/**
 * Now, in ms since the epoch, to the µs (every span starts and ends on this clock): the SDK's own is
 * Date.now()'s whole ms for a span given its start, and a call made 0.7 ms after the one before it
 * ended would seem to overlap it.
 */
const epochMs = (): number => performance.timeOrigin + performance.now()

/** A raw header list (undici's: name, value, name, value…), one header's value. */
function headerValue(headers: Array<Buffer | string>, name: string): string | undefined {
  for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1])
  return undefined
}

/** As the collector's file exporter writes traces: each batch one ExportTraceServiceRequest, in OTLP JSON, on a line. */
function fileExporter({ JsonTraceSerializer, ExportResultCode }: Sdk, dir: string): SpanExporter {
  const file = join(dir, TRACE_FILE)
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      try {
        const bytes = JsonTraceSerializer.serializeRequest(spans)
        if (bytes) appendFileSync(file, `${Buffer.from(bytes).toString('utf8')}\n`)
        done({ code: ExportResultCode.SUCCESS })
      } catch (error) {
        done({ code: ExportResultCode.FAILED, error: error as Error })
      }
    },
    async shutdown() {},
  }
}

/** The exporters as one, counting the spans they took and the batches one of them refused (a collector gone away). */
function countingExporters(
  { ExportResultCode }: Sdk,
  exporters: SpanExporter[],
): { exporter: SpanExporter; counts(): Omit<TraceCounts, 'requests'> } {
  let spans = 0
  let exportFailures = 0
  const exporter: SpanExporter = {
    export(batch, done) {
      spans += batch.length
      let left = exporters.length
      let failed = false
      if (left === 0) return done({ code: ExportResultCode.SUCCESS })
      for (const each of exporters)
        each.export(batch, (result) => {
          if (result.code !== ExportResultCode.SUCCESS) failed = true
          if (--left === 0) {
            if (failed) exportFailures++
            done({ code: failed ? ExportResultCode.FAILED : ExportResultCode.SUCCESS })
          }
        })
    },
    async shutdown() {
      await Promise.all(exporters.map((each) => each.shutdown()))
    },
    async forceFlush() {
      await Promise.all(exporters.map((each) => each.forceFlush?.()))
    },
  }
  return { exporter, counts: () => ({ spans, exportFailures }) }
}
