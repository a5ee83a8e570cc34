/**
 * The scenario: every number the lab runs on, resolved once and frozen.
 *
 * `resolveScenario()` is the only place that applies defaults and checks values.
 * Everything downstream (mock upstreams, variants, harness, report) receives the
 * frozen result and never falls back to a default of its own.
 */
import { suggest } from './suggest.ts'

export const SERVICE_NAMES = ['catalog', 'inventory', 'pricing', 'reviews', 'categories'] as const
export type ServiceName = (typeof SERVICE_NAMES)[number]

export type JitterKind = 'none' | 'uniform' | 'lognormal'
export const JITTER_KINDS: readonly JitterKind[] = ['none', 'uniform', 'lognormal']

/** Random extra latency added to every call, drawn from the scenario's seeded generator. */
export type Jitter =
  | { kind: 'none' }
  /** Adds a uniform draw from [0, maxMs]. */
  | { kind: 'uniform'; maxMs: number }
  /** Adds a lognormal draw with median `medianMs` and shape `sigma` (heavy right tail). */
  | { kind: 'lognormal'; medianMs: number; sigma: number }

export interface ServiceScenario {
  /** Latency of every call, in ms, before per-item latency and jitter. @default 40 (catalog: 100) */
  latencyMs: number
  /** Extra latency per id in the call, in ms. @default 0 (pricing: 35) */
  perItemMs: number
  /** Random extra latency per call. @default { kind: 'none' } */
  jitter: Jitter
  /**
   * Calls served at once (a worker pool). Further calls wait in a FIFO queue, and the
   * wait is part of their latency. @default catalog 64, inventory 16, pricing 16, reviews 32, categories 32
   */
  workers: number
  /** Calls that may wait for a worker; one more is answered 503 at once. @default 256 */
  queueLimit: number
  /** Faults injected into this service's calls, drawn from the seeded generator. @default no faults */
  faults: Faults
}

/**
 * The share of calls (0 to 1, together at most 1) that fail, each drawn per call in
 * call order from the scenario's seed. `error`: the call takes its usual time, then
 * answers 500. `hang`: it never answers (the caller's timeout or deadline ends it).
 * `reset`: it takes its usual time, then the connection is reset with no answer.
 */
export interface Faults {
  errorRate: number
  hangRate: number
  resetRate: number
}

export const FAULT_KINDS = ['error', 'hang', 'reset'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export interface Scenario {
  /** Shown in the terminal and the report. @default "seed" */
  name: string
  /** One line saying what this scenario is about. @default the story's description */
  description: string
  /** Seed of every random draw: data, jitter and injected faults. Same seed, same run. @default 1 */
  seed: number
  /** Products in the generated catalog. @default 5000 */
  catalogSize: number
  /** Products per page: the `limit` the API uses when none is given, and the one benchmarks request. @default 50 */
  productsPerPage: number
  /** The five mocked upstream services. */
  services: Record<ServiceName, ServiceScenario>
  /** How long a cached price list lives in Redis, in seconds. @default 300 */
  cacheTtlSeconds: number
  /** A Redis command that has not answered by then counts as a cache miss, in ms. @default 50 */
  cacheCommandTimeoutMs: number
  /** A single upstream call that has not answered by then fails the request with 504, in ms. @default 5000 */
  upstreamTimeoutMs: number
  /** The whole request's deadline: past it the API answers 504, naming the stage it was waiting for, and aborts the calls still out. @default 5000 */
  requestDeadlineMs: number
  /** Keep-alive connections the API may open to each upstream. @default 128 */
  upstreamConnections: number
}

/** Accepted ranges, in one place: validation and the API's query schema both read them. */
export const LIMITS = {
  seed: { min: 0, max: 2 ** 32 - 1 },
  catalogSize: { min: 1, max: 1_000_000 },
  productsPerPage: { min: 1, max: 500 },
  latencyMs: { min: 0, max: 60_000 },
  perItemMs: { min: 0, max: 10_000 },
  jitterMs: { min: 0, max: 60_000 },
  sigma: { min: 0, max: 5 },
  cacheTtlSeconds: { min: 1, max: 86_400 * 365 },
  cacheCommandTimeoutMs: { min: 1, max: 10_000 },
  upstreamTimeoutMs: { min: 1, max: 600_000 },
  upstreamConnections: { min: 1, max: 10_000 },
  requestDeadlineMs: { min: 1, max: 600_000 },
  workers: { min: 1, max: 100_000 },
  queueLimit: { min: 0, max: 1_000_000 },
  faultRate: { min: 0, max: 1 },
} as const

const NO_JITTER: Jitter = { kind: 'none' }
const NO_FAULTS: Faults = { errorRate: 0, hangRate: 0, resetRate: 0 }

/**
 * The "seed" preset: the story of DESIGN.md. The only table of defaults in the lab.
 *
 * Capacities (workers) are chosen so that at 50 connections naive's fan-out saturates
 * the services and parallel's does not. Unconstrained, naive at 50 connections would
 * run 50 / 3.97 s = 12.6 req/s, keeping 12.6 × 50 × 40 ms = 25 inventory calls and
 * 12.6 × 1.79 s = 22.5 pricing calls busy: more than 16 workers each, so calls queue,
 * latency passes the 5 s deadline and requests fail with 504. Parallel (warm) at 50
 * connections would run 50 / 0.14 s = 357 req/s, keeping 35.7 catalog calls busy (of
 * 64), 14.3 inventory calls (of 16) and 14.3 each of reviews and categories (of 32),
 * and no pricing call: it holds. Little's law gives each variant's saturation
 * throughput, workers ÷ (calls per request × seconds per call) for the busiest service:
 * naive 16 ÷ (50 × 0.04) = 8 req/s (inventory), bulk 16 ÷ 1.79 = 8.9 req/s (pricing),
 * cached and parallel (warm) 16 ÷ 0.04 = 400 req/s (inventory).
 */
export const DEFAULT_SCENARIO: Scenario = deepFreeze({
  name: 'seed',
  description: 'Product listing aggregating five services, calibrated to the story: 4–8 s before, 0.35 s after.',
  seed: 1,
  catalogSize: 5000,
  productsPerPage: 50,
  services: {
    catalog: { latencyMs: 100, perItemMs: 0, jitter: NO_JITTER, workers: 64, queueLimit: 256, faults: NO_FAULTS },
    inventory: { latencyMs: 40, perItemMs: 0, jitter: NO_JITTER, workers: 16, queueLimit: 256, faults: NO_FAULTS },
    pricing: { latencyMs: 40, perItemMs: 35, jitter: NO_JITTER, workers: 16, queueLimit: 256, faults: NO_FAULTS },
    reviews: { latencyMs: 40, perItemMs: 0, jitter: NO_JITTER, workers: 32, queueLimit: 256, faults: NO_FAULTS },
    categories: { latencyMs: 40, perItemMs: 0, jitter: NO_JITTER, workers: 32, queueLimit: 256, faults: NO_FAULTS },
  },
  cacheTtlSeconds: 300,
  cacheCommandTimeoutMs: 50,
  upstreamTimeoutMs: 5000,
  requestDeadlineMs: 5000,
  upstreamConnections: 128,
})

/** A bad scenario value: names the field, the value received and what is accepted. */
export class ScenarioError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly accepted: string,
    hint = '',
  ) {
    super(`Invalid scenario field "${field}": got ${show(value)}; expected ${accepted}.${hint ? ` ${hint}` : ''}`)
    this.name = 'ScenarioError'
  }
}

/** A partial scenario, as written in a scenario file or produced from CLI flags. */
export type ScenarioInput = Record<string, unknown>

/**
 * Resolves a scenario from the defaults and any number of partial layers (a scenario
 * file, then CLI flags), later layers winning field by field. Validates every field
 * and returns a deeply frozen object.
 */
export function resolveScenario(...layers: Array<ScenarioInput | Scenario>): Scenario {
  let merged: unknown = DEFAULT_SCENARIO
  for (const layer of layers) merged = mergeDeep(merged, layer, '')
  return deepFreeze(validateScenario(merged))
}

function validateScenario(raw: unknown): Scenario {
  const obj = readObject(raw, '(scenario)')
  checkKeys(obj, Object.keys(DEFAULT_SCENARIO), '')
  const servicesRaw = readObject(obj.services, 'services')
  checkKeys(servicesRaw, SERVICE_NAMES, 'services.')
  const services = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, validateService(servicesRaw[name], `services.${name}`)]),
  ) as Record<ServiceName, ServiceScenario>
  return {
    name: readString(obj.name, 'name', 80),
    description: readString(obj.description, 'description', 500),
    seed: readInt(obj.seed, 'seed', LIMITS.seed),
    catalogSize: readInt(obj.catalogSize, 'catalogSize', LIMITS.catalogSize),
    productsPerPage: readInt(obj.productsPerPage, 'productsPerPage', LIMITS.productsPerPage),
    services,
    cacheTtlSeconds: readInt(obj.cacheTtlSeconds, 'cacheTtlSeconds', LIMITS.cacheTtlSeconds),
    cacheCommandTimeoutMs: readInt(obj.cacheCommandTimeoutMs, 'cacheCommandTimeoutMs', LIMITS.cacheCommandTimeoutMs),
    upstreamTimeoutMs: readInt(obj.upstreamTimeoutMs, 'upstreamTimeoutMs', LIMITS.upstreamTimeoutMs),
    requestDeadlineMs: readInt(obj.requestDeadlineMs, 'requestDeadlineMs', LIMITS.requestDeadlineMs),
    upstreamConnections: readInt(obj.upstreamConnections, 'upstreamConnections', LIMITS.upstreamConnections),
  }
}

function validateService(raw: unknown, path: string): ServiceScenario {
  const obj = readObject(raw, path)
  checkKeys(obj, ['latencyMs', 'perItemMs', 'jitter', 'workers', 'queueLimit', 'faults'], `${path}.`)
  return {
    latencyMs: readNumber(obj.latencyMs, `${path}.latencyMs`, LIMITS.latencyMs),
    perItemMs: readNumber(obj.perItemMs, `${path}.perItemMs`, LIMITS.perItemMs),
    jitter: validateJitter(obj.jitter, `${path}.jitter`),
    workers: readInt(obj.workers, `${path}.workers`, LIMITS.workers),
    queueLimit: readInt(obj.queueLimit, `${path}.queueLimit`, LIMITS.queueLimit),
    faults: validateFaults(obj.faults, `${path}.faults`),
  }
}

function validateFaults(raw: unknown, path: string): Faults {
  const obj = readObject(raw, path)
  checkKeys(obj, ['errorRate', 'hangRate', 'resetRate'], `${path}.`)
  const faults = {
    errorRate: readNumber(obj.errorRate, `${path}.errorRate`, LIMITS.faultRate),
    hangRate: readNumber(obj.hangRate, `${path}.hangRate`, LIMITS.faultRate),
    resetRate: readNumber(obj.resetRate, `${path}.resetRate`, LIMITS.faultRate),
  }
  const total = faultRate(faults)
  if (total > 1 + 1e-9) throw new ScenarioError(path, obj, 'rates that add up to at most 1', `These add up to ${Math.round(total * 1000) / 1000}.`)
  return faults
}

/** The share of a service's calls that fail, whatever the fault. */
export function faultRate(faults: Faults): number {
  return faults.errorRate + faults.hangRate + faults.resetRate
}

/** Whether the scenario injects any fault at all. */
export function injectsFaults(scenario: Scenario): boolean {
  return SERVICE_NAMES.some((name) => faultRate(scenario.services[name].faults) > 0)
}

function validateJitter(raw: unknown, path: string): Jitter {
  const obj = readObject(raw, path)
  const kind = obj.kind
  if (typeof kind !== 'string' || !(JITTER_KINDS as readonly string[]).includes(kind)) {
    throw new ScenarioError(`${path}.kind`, kind, `one of ${JITTER_KINDS.map((k) => `"${k}"`).join(', ')}`)
  }
  switch (kind as JitterKind) {
    case 'none':
      checkKeys(obj, ['kind'], `${path}.`)
      return { kind: 'none' }
    case 'uniform':
      checkKeys(obj, ['kind', 'maxMs'], `${path}.`)
      return { kind: 'uniform', maxMs: readNumber(obj.maxMs, `${path}.maxMs`, LIMITS.jitterMs) }
    case 'lognormal':
      checkKeys(obj, ['kind', 'medianMs', 'sigma'], `${path}.`)
      return {
        kind: 'lognormal',
        medianMs: readNumber(obj.medianMs, `${path}.medianMs`, LIMITS.jitterMs),
        sigma: readNumber(obj.sigma, `${path}.sigma`, LIMITS.sigma),
      }
  }
}

/** Deep merge of plain objects; anything else in `over` replaces what is in `base`. */
function mergeDeep(base: unknown, over: unknown, path: string): unknown {
  if (!isPlainObject(over)) return over
  if (!isPlainObject(base)) return over
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue
    // A jitter is replaced whole: merging { kind: 'none' } into a lognormal would leave stray fields.
    out[key] = key === 'jitter' ? value : mergeDeep(base[key], value, path ? `${path}.${key}` : key)
  }
  return out
}

function checkKeys(obj: Record<string, unknown>, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      const close = suggest(key, known)
      throw new ScenarioError(
        `${prefix}${key}`,
        obj[key],
        `no such field (known fields here: ${known.join(', ')})`,
        close ? `Did you mean "${prefix}${close}"?` : '',
      )
    }
  }
}

function readObject(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new ScenarioError(field, value, 'an object')
  return value
}

function readString(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new ScenarioError(field, value, `a string of at most ${maxLength} characters`)
  }
  return value
}

function readNumber(value: unknown, field: string, range: { min: number; max: number }): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < range.min || value > range.max) {
    throw new ScenarioError(field, value, `a number from ${range.min} to ${range.max}`)
  }
  return value
}

function readInt(value: unknown, field: string, range: { min: number; max: number }): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ScenarioError(field, value, `an integer from ${range.min} to ${range.max}`)
  }
  return value
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}
