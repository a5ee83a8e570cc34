/**
 * Trace files read into the few facts calibration needs, whatever wrote them: OTLP JSON (the
 * collector's file exporter, one ExportTraceServiceRequest per line, or one request per file as
 * OTLP/HTTP sends it), Jaeger's JSON (its UI's and API's export: `{ "data": [trace…] }`) and
 * Zipkin v2 JSON (an array of spans). The format is told by content, not by name.
 *
 * Each span keeps only its ids, its kind, its name (compared with --endpoint, never printed), its
 * service and the service it called, its start and duration, its item count and whether it failed:
 * no other attribute or URL is copied, so a production trace's customer data goes no further than
 * this file (nothing here is printed).
 *
 * Written by hand: the formats' maintained packages write them (the OpenTelemetry exporters, the
 * Jaeger and Zipkin exporters) or read them in Go and Java (the collector's receivers); none reads
 * the three in Node. The shapes below are the parts of each format read here, as their own
 * examples show them (opentelemetry-proto's JSON mapping, Jaeger's `/api/traces` answer, Zipkin's
 * zipkin2-api.yaml).
 */
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { createInterface } from 'node:readline'

/** A span, format aside. */
export interface TraceSpan {
  traceId: string
  spanId: string
  parentId: string | undefined
  kind: 'server' | 'client' | 'other'
  /** The span's name: compared with --endpoint, never printed (it may hold an id). */
  name: string
  /** The service that made the span (OTLP's resource service.name, Jaeger's process, Zipkin's localEndpoint). */
  service: string
  /** The service a client span called: peer.service, else the remote endpoint or the server's address. */
  peer: string | undefined
  /** Epoch, in ms. */
  startMs: number
  durationMs: number
  /** The items the call carried, from the items attribute when it has one. */
  items: number | undefined
  error: boolean
  /** Given up on by its request (the lab's `lab.cancelled`): neither a duration nor a failure. */
  cancelled: boolean
}

export type TraceFormat = 'otlp' | 'jaeger' | 'zipkin'

export class TraceFileError extends Error {}

/** A JSON file read whole is refused above this; OTLP JSON lines are read a line at a time, of any size. */
export const MAX_JSON_FILE_BYTES = 256 * 1024 * 1024

/** Every span of `file`, and its format. `itemsKey`: the attribute that holds a call's item count. */
export async function readTraceFile(file: string, itemsKey: string): Promise<{ format: TraceFormat; spans: TraceSpan[] }> {
  const size = await stat(file).then(
    (s) => s.size,
    (error: NodeJS.ErrnoException) => {
      throw new TraceFileError(`${file}: ${error.code === 'ENOENT' ? 'no such file' : `cannot be read (${error.code ?? error.message})`}.`)
    },
  )
  if (size === 0) throw new TraceFileError(`${file}: the file is empty.`)
  const spans: TraceSpan[] = []
  let format: TraceFormat | undefined
  let lineNumber = 0
  let whole = ''
  let lines = 0
  const lineReader = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })
  // One JSON document per line (OTLP's file exporter) or one document over many lines: tried a line at a time, then whole.
  let perLine = true
  if (size > MAX_JSON_FILE_BYTES && !(await startsWithALine(file))) throw new TraceFileError(tooBig(file, size))
  for await (const read of lineReader) {
    // A byte-order mark before the first line is not JSON.
    const line = lineNumber === 0 ? read.replace(/^\uFEFF/, '') : read
    lineNumber++
    if (perLine) {
      if (line.trim() === '') continue
      lines++
      let document: unknown
      try {
        document = JSON.parse(line)
      } catch {
        if (lines > 1) throw new TraceFileError(`${file}: line ${lineNumber} is not valid JSON (the lines before it were).`)
        perLine = false
        if (size > MAX_JSON_FILE_BYTES) throw new TraceFileError(tooBig(file, size))
        whole = `${line}\n`
        continue
      }
      const kind = formatOf(document)
      if (!kind) throw new TraceFileError(notAFormat(file))
      format ??= kind
      for (const span of spansOf(kind, document, itemsKey, `${file} line ${lineNumber}`)) spans.push(span)
    } else whole += `${line}\n`
  }
  if (!perLine) {
    let document: unknown
    try {
      document = JSON.parse(whole)
    } catch (error) {
      throw new TraceFileError(`${file}: not valid JSON${positionOf(error as Error, whole)}.`)
    }
    format = formatOf(document)
    if (!format) throw new TraceFileError(notAFormat(file))
    for (const span of spansOf(format, document, itemsKey, file)) spans.push(span)
  }
  if (!format) throw new TraceFileError(`${file}: no JSON in it.`)
  return { format, spans }
}

const tooBig = (file: string, size: number): string =>
  `${file}: ${Math.round(size / 1024 / 1024)} MB of JSON in one document, above the ${MAX_JSON_FILE_BYTES / 1024 / 1024} MB read whole; export it as OTLP JSON lines (the collector's file exporter), which are read a line at a time.`

/** Whether the file's first MB holds a line's end: JSON lines, read a line at a time; else one document, read whole. */
async function startsWithALine(file: string): Promise<boolean> {
  const handle = await open(file)
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(1024 * 1024), 0, 1024 * 1024, 0)
    return buffer.subarray(0, bytesRead).includes(10)
  } finally {
    await handle.close()
  }
}

const notAFormat = (file: string): string =>
  `${file}: not a trace format the lab reads. It reads OTLP JSON ({"resourceSpans": […]}, one per line or one per file), Jaeger's JSON export ({"data": [{"traceID", "spans", "processes"}]}) and Zipkin v2 JSON ([{"traceId", "id", "timestamp", "duration"}]).`

/** Where JSON.parse stopped, as a line and column: never its message, which quotes the text (a trace may hold customer data). */
function positionOf(error: Error, text: string): string {
  const at = /position (\d+)/.exec(error.message)
  const lineColumn = /line (\d+) column (\d+)/.exec(error.message)
  if (lineColumn) return ` at line ${lineColumn[1]}, column ${lineColumn[2]}`
  if (!at) return ' (it ends too soon or holds something that is not JSON)'
  const before = text.slice(0, Number(at[1]))
  const line = before.split('\n').length
  return ` at line ${line}, column ${Number(at[1]) - before.lastIndexOf('\n')}`
}

function formatOf(document: unknown): TraceFormat | undefined {
  if (isObject(document) && Array.isArray(document.resourceSpans)) return 'otlp'
  if (isObject(document) && Array.isArray(document.data) && document.data.every((t) => isObject(t) && Array.isArray(t.spans)))
    return 'jaeger'
  if (Array.isArray(document) && document.length > 0 && document.every((s) => isObject(s) && 'traceId' in s && 'id' in s)) return 'zipkin'
  return undefined
}

function spansOf(format: TraceFormat, document: unknown, itemsKey: string, where: string): TraceSpan[] {
  const spans =
    format === 'otlp'
      ? otlpSpans(document, itemsKey)
      : format === 'jaeger'
        ? jaegerSpans(document, itemsKey)
        : zipkinSpans(document, itemsKey)
  const broken = spans.findIndex((s) => !(Number.isFinite(s.durationMs) && s.durationMs >= 0 && Number.isFinite(s.startMs)))
  if (broken >= 0)
    throw new TraceFileError(`${where}: span ${broken + 1} has no duration (or a negative one): every span needs its start and end.`)
  return spans
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
const asString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)
const asNumber = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined
}

/** OTLP: resourceSpans → scopeSpans → spans; attributes as [{ key, value: { stringValue | intValue | … } }]; times in ns as strings. */
function otlpSpans(document: unknown, itemsKey: string): TraceSpan[] {
  const out: TraceSpan[] = []
  for (const resourceSpans of asArray((document as Json).resourceSpans).filter(isObject)) {
    const resource = otlpAttributes((resourceSpans.resource as Json | undefined)?.attributes)
    const service = asString(resource['service.name']) ?? 'unknown'
    for (const scope of asArray(resourceSpans.scopeSpans ?? resourceSpans.instrumentationLibrarySpans).filter(isObject)) {
      for (const span of asArray(scope.spans).filter(isObject)) {
        const attributes = otlpAttributes(span.attributes)
        const start = nanosToMs(span.startTimeUnixNano)
        const end = nanosToMs(span.endTimeUnixNano)
        const kind = asNumber(span.kind) ?? kindNumber(span.kind)
        const status = isObject(span.status) ? span.status : {}
        out.push({
          traceId: String(span.traceId ?? ''),
          spanId: String(span.spanId ?? ''),
          parentId: asString(span.parentSpanId),
          kind: kind === 2 ? 'server' : kind === 3 ? 'client' : 'other',
          name: String(span.name ?? ''),
          service,
          peer: asString(attributes['peer.service']) ?? asString(attributes['server.address']) ?? asString(attributes['net.peer.name']),
          startMs: start,
          durationMs: end - start,
          items: asNumber(attributes[itemsKey]),
          error:
            status.code === 2 || status.code === 'STATUS_CODE_ERROR' || (asNumber(attributes['http.response.status_code']) ?? 0) >= 500,
          cancelled: attributes['lab.cancelled'] === true,
        })
      }
    }
  }
  return out
}

const kindNumber = (kind: unknown): number | undefined =>
  ({ SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5 })[String(kind)]

function otlpAttributes(raw: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const attribute of asArray(raw).filter(isObject)) {
    const value = isObject(attribute.value) ? attribute.value : {}
    out[String(attribute.key)] = value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue
  }
  return out
}

/** Nanoseconds as OTLP JSON writes them (a string of digits, or a number), in ms; NaN when missing. */
function nanosToMs(raw: unknown): number {
  if (typeof raw === 'string' && /^\d+$/.test(raw)) return Number(BigInt(raw) / 1000n) / 1000
  return typeof raw === 'number' ? raw / 1e6 : Number.NaN
}

/** Jaeger: data → { spans, processes }; tags as [{ key, type, value }]; startTime and duration in µs. */
function jaegerSpans(document: unknown, itemsKey: string): TraceSpan[] {
  const out: TraceSpan[] = []
  for (const trace of asArray((document as Json).data).filter(isObject)) {
    const processes = isObject(trace.processes) ? trace.processes : {}
    for (const span of asArray(trace.spans).filter(isObject)) {
      const tags: Record<string, unknown> = {}
      for (const tag of asArray(span.tags).filter(isObject)) tags[String(tag.key)] = tag.value
      const process = processes[String(span.processID)]
      const parent = asArray(span.references)
        .filter(isObject)
        .find((r) => r.refType === 'CHILD_OF')
      const kind = String(tags['span.kind'] ?? '')
      out.push({
        traceId: String(span.traceID ?? trace.traceID ?? ''),
        spanId: String(span.spanID ?? ''),
        parentId: asString(parent?.spanID) ?? asString(span.parentSpanID),
        kind: kind === 'server' ? 'server' : kind === 'client' ? 'client' : 'other',
        name: String(span.operationName ?? ''),
        service: asString(isObject(process) ? process.serviceName : undefined) ?? 'unknown',
        peer:
          asString(tags['peer.service']) ??
          asString(tags['server.address']) ??
          asString(tags['net.peer.name']) ??
          asString(tags['peer.hostname']),
        startMs: (asNumber(span.startTime) ?? Number.NaN) / 1000,
        durationMs: (asNumber(span.duration) ?? Number.NaN) / 1000,
        items: asNumber(tags[itemsKey]),
        error:
          tags.error === true ||
          tags.error === 'true' ||
          (asNumber(tags['http.status_code'] ?? tags['http.response.status_code']) ?? 0) >= 500,
        cancelled: tags['lab.cancelled'] === true,
      })
    }
  }
  return out
}

/** Zipkin v2: an array of spans; kind CLIENT | SERVER; tags as a map of strings; timestamp and duration in µs. */
function zipkinSpans(document: unknown, itemsKey: string): TraceSpan[] {
  return asArray(document)
    .filter(isObject)
    .map((span) => {
      const tags = isObject(span.tags) ? span.tags : {}
      const local = isObject(span.localEndpoint) ? span.localEndpoint : {}
      const remote = isObject(span.remoteEndpoint) ? span.remoteEndpoint : {}
      return {
        traceId: String(span.traceId ?? ''),
        spanId: String(span.id ?? ''),
        parentId: asString(span.parentId),
        kind: span.kind === 'SERVER' ? 'server' : span.kind === 'CLIENT' ? 'client' : 'other',
        name: String(span.name ?? ''),
        service: asString(local.serviceName) ?? 'unknown',
        peer: asString(remote.serviceName) ?? asString(tags['peer.service']) ?? asString(tags['server.address']),
        startMs: (asNumber(span.timestamp) ?? Number.NaN) / 1000,
        durationMs: (asNumber(span.duration) ?? Number.NaN) / 1000,
        items: asNumber(tags[itemsKey]),
        error: 'error' in tags || (asNumber(tags['http.status_code'] ?? tags['http.response.status_code']) ?? 0) >= 500,
        cancelled: tags['lab.cancelled'] === 'true',
      } satisfies TraceSpan
    })
}
