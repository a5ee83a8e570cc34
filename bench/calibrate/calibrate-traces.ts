/**
 * Traces of a team's own endpoint → a scenario the lab runs: which spans are the upstream calls,
 * which of the lab's five services each called service stands for (`--map`), each service's
 * latency fitted (fit.ts), the page size when the traces tell it, and the endpoint's own shape
 * (how many calls of each service per request, one after another or together).
 *
 * Nothing but service names (as mapped), durations, item counts and error flags leaves the
 * spans (read-traces.ts): the scenario, the report and every message are made of those.
 */
import type { TraceSpan } from './read-traces.ts'
import { fitService, type ServiceFit } from './fit.ts'
import { median } from '../measure/stats.ts'
import { SERVICE_NAMES, type ServiceName } from '../../scenario/types.ts'

/** A called service's name → one of the lab's services, or ignored. */
export type ServiceMap = Record<string, ServiceName | 'ignore'>

/** Called services the lab ignores unless mapped: the lab's own cache (its traces' Redis commands). */
const IGNORED_BY_DEFAULT = ['redis']

export class UnmappedServicesError extends Error {
  constructor(readonly found: Array<{ name: string; spans: number; mapped: string | undefined }>) {
    const unmapped = found.filter((f) => f.mapped === undefined)
    super(
      [
        `${unmapped.length === 1 ? 'A called service is' : `${unmapped.length} called services are`} not one of the lab's (${SERVICE_NAMES.join(', ')}). Map each one, or ignore it:`,
        ...unmapped.map((f) => `  --map ${shellQuote(`${f.name}=${suggestService(f.name)}`)}`),
        `(a guess from each name: check it; "ignore" leaves a service out; --map-file takes them as a JSON object.)`,
        'Every service called in the traces:',
        ...found.map((f) => `  ${visible(f.name)}: ${f.spans} spans${f.mapped ? ` → ${f.mapped}` : ' (not mapped)'}`),
      ].join('\n'),
    )
  }
}

/** Words that name each of the lab's services in other systems: a guess to copy and check, else `ignore`. */
const SYNONYMS: Record<ServiceName, readonly string[]> = {
  catalog: ['catalog', 'product', 'listing', 'search'],
  inventory: ['inventory', 'stock', 'warehouse', 'availability'],
  pricing: ['pricing', 'price', 'offer', 'quote'],
  reviews: ['review', 'rating'],
  categories: ['categor', 'taxonomy', 'breadcrumb'],
}

/** A word for a POSIX shell, quoted whatever it holds (a name from a trace may hold a quote); control characters shown as \u escapes. */
function shellQuote(word: string): string {
  return `'${visible(word).replace(/'/g, `'\\''`)}'`
}

/** A name from a trace, its control characters shown as \u escapes: printed, it cannot move the terminal's cursor. */
function visible(name: string): string {
  return [...name].map((c) => (c < ' ' || c === '\u007f' ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('')
}

function suggestService(name: string): string {
  const lower = name.toLowerCase()
  return SERVICE_NAMES.find((service) => SYNONYMS[service].some((word) => lower.includes(word))) ?? 'ignore'
}

export class NoCallsError extends Error {}

export interface EndpointShape {
  /** Endpoints in the traces (root server spans of distinct names with calls below them), and how the one shown was picked. */
  endpoints: number
  picked: 'named' | 'the only one' | 'the most requests'
  /** Its requests seen, at the page size shown (the catalog call's items; the most common), and that page size (undefined when not told). */
  requests: number
  products: number | undefined
  /** Per service, calls per request (the median over requests). */
  calls: Partial<Record<ServiceName, number>>
  /** Per service, the most of its calls in flight at once in a request (the median). */
  serviceAtOnce: Partial<Record<ServiceName, number>>
  /** The most calls in flight at once in a request, whatever their service (the median). */
  atOnce: number
}

export interface Calibration {
  /** Spans read, and the calls among them (client spans that name the service they called). */
  spans: number
  calls: number
  traces: number
  services: Partial<Record<ServiceName, ServiceFit>>
  ignored: Array<{ name: string; spans: number }>
  /** Services every call of which failed: no latency told, the lab's defaults kept. */
  failedOnly: ServiceName[]
  /** The page size the traces tell (the catalog's items per call), or undefined. */
  productsPerPage: number | undefined
  shape: EndpointShape | null
}

export function calibrate(spans: TraceSpan[], map: ServiceMap, endpoint?: string): Calibration {
  // A call its request gave up on (answered already, or past its deadline) is neither a duration nor the service's failure.
  const calls = spans.filter((s) => s.kind === 'client' && s.peer !== undefined && !s.cancelled)
  const byName = new Map<string, TraceSpan[]>()
  for (const call of calls) append(byName, call.peer!, call)
  const mappedAs = (name: string): ServiceName | 'ignore' | undefined =>
    map[name] ??
    ((SERVICE_NAMES as readonly string[]).includes(name) ? (name as ServiceName) : IGNORED_BY_DEFAULT.includes(name) ? 'ignore' : undefined)
  const found = [...byName].map(([name, list]) => ({ name, spans: list.length, mapped: mappedAs(name) })).sort((a, b) => b.spans - a.spans)
  if (found.some((f) => f.mapped === undefined)) throw new UnmappedServicesError(found)
  if (calls.length === 0)
    throw new NoCallsError(
      'No upstream call in the traces: a call is a client span (OTLP kind 3, Jaeger span.kind=client, Zipkin CLIENT) that names the service it called (peer.service, server.address, or Zipkin remoteEndpoint.serviceName).',
    )
  const serviceOf = (span: TraceSpan): ServiceName | undefined => {
    const mapped = span.peer === undefined ? undefined : mappedAs(span.peer)
    return mapped === 'ignore' ? undefined : mapped
  }
  const services: Calibration['services'] = {}
  const failedOnly: ServiceName[] = []
  for (const service of SERVICE_NAMES) {
    const mine = calls.filter((c) => serviceOf(c) === service)
    if (mine.length === 0) continue
    const ok = mine.filter((c) => !c.error)
    if (ok.length === 0) {
      failedOnly.push(service)
      continue
    }
    services[service] = fitService({
      durationsMs: ok.map((c) => c.durationMs),
      items: ok.map((c) => c.items),
      errors: mine.length - ok.length,
      maxConcurrent: maxInFlight(mine),
    })
  }
  const catalogItems = services.catalog?.itemsMode
  return {
    spans: spans.length,
    calls: calls.length,
    traces: new Set(spans.map((s) => s.traceId)).size,
    services,
    ignored: found.filter((f) => f.mapped === 'ignore').map(({ name, spans: n }) => ({ name, spans: n })),
    failedOnly,
    productsPerPage: catalogItems !== undefined && catalogItems >= 1 ? catalogItems : undefined,
    shape: shapeOf(spans, serviceOf, endpoint),
  }
}

/** The most of `calls` in flight at once. */
function maxInFlight(calls: readonly TraceSpan[]): number {
  return mostAtOnce(calls.map((c) => [c.startMs, c.startMs + c.durationMs]))
}

/** The most of these intervals ([start, end], ms) open at once: their starts and ends in time order. */
export function mostAtOnce(intervals: ReadonlyArray<readonly [number, number]>): number {
  const events = intervals.flatMap(([start, end]) => [
    [start, 1],
    [end, -1],
  ])
  // At the same instant an end comes before a start: a call made as another answers did not overlap it.
  events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)
  let now = 0
  let most = 0
  for (const [, step] of events) most = Math.max(most, (now += step!))
  return most
}

/**
 * The endpoint's own shape: its requests are the server spans at the root of a trace (no parent
 * in the files) with calls below them, grouped by the span's name (a route); the group named with
 * --endpoint, else the one with the most requests; of those, the requests at the most common page
 * size (the catalog call's items). Per request, the calls to each service and the most in flight at
 * once. No name is kept: a span's name may hold an id.
 */
function shapeOf(
  spans: TraceSpan[],
  serviceOf: (span: TraceSpan) => ServiceName | undefined,
  endpoint: string | undefined,
): EndpointShape | null {
  const ids = new Set(spans.map((s) => s.spanId))
  const children = new Map<string, TraceSpan[]>()
  for (const span of spans) if (span.parentId) append(children, span.parentId, span)
  const below = (span: TraceSpan): TraceSpan[] => (children.get(span.spanId) ?? []).flatMap((child) => [child, ...below(child)])
  const groups = new Map<string, TraceSpan[][]>()
  for (const root of spans) {
    if (root.kind !== 'server' || (root.parentId !== undefined && ids.has(root.parentId))) continue
    // The endpoint's own calls (not those its upstreams made in turn), made before it answered (not a refresh in the background).
    const calls = below(root).filter(
      (s) => s.kind === 'client' && s.service === root.service && serviceOf(s) !== undefined && s.startMs <= root.startMs + root.durationMs,
    )
    if (calls.length) append(groups, root.name, calls)
  }
  if (groups.size === 0) return null
  if (endpoint !== undefined && !groups.has(endpoint))
    throw new NoCallsError(
      `--endpoint: no server span of that name with upstream calls below it in the traces (${groups.size} endpoints have some).`,
    )
  const chosen = endpoint !== undefined ? groups.get(endpoint)! : [...groups.values()].sort((a, b) => b.length - a.length)[0]!
  // Its calls follow the page it lists: the requests at the most common page size.
  const byPage = new Map<number | undefined, TraceSpan[][]>()
  for (const request of chosen) {
    const page = request.find((c) => serviceOf(c) === 'catalog')?.items
    append(byPage, page, request)
  }
  const [products, requests] = [...byPage].sort((a, b) => b[1].length - a[1].length)[0]!
  const calls: EndpointShape['calls'] = {}
  const serviceAtOnce: EndpointShape['serviceAtOnce'] = {}
  for (const service of SERVICE_NAMES) {
    const mine = requests.map((request) => request.filter((c) => serviceOf(c) === service))
    if (mine.every((c) => c.length === 0)) continue
    calls[service] = median(mine.map((c) => c.length))
    serviceAtOnce[service] = median(mine.map((c) => maxInFlight(c)))
  }
  return {
    endpoints: groups.size,
    picked: endpoint !== undefined ? 'named' : groups.size === 1 ? 'the only one' : 'the most requests',
    requests: requests.length,
    products,
    calls,
    serviceAtOnce,
    atOnce: median(requests.map((request) => maxInFlight(request))),
  }
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
