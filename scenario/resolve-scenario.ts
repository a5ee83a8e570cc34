/**
 * Resolving a scenario: the defaults, then a scenario file, then CLI flags, checked field
 * by field and frozen. `resolveScenario()` is the only place that applies defaults and
 * checks values; everything downstream (mock upstreams, variants, harness, report)
 * receives the frozen result and never falls back to a default of its own.
 */
import { deepFreeze } from './deep-freeze.ts'
import { DEFAULT_SCENARIO } from './defaults.ts'
import { faultRate } from './faults.ts'
import { suggest } from './suggest.ts'
import {
  JITTER_KINDS,
  LIMITS,
  SERVICE_NAMES,
  TRAFFIC_KINDS,
  type Faults,
  type Jitter,
  type JitterKind,
  type Scenario,
  type ScenarioInput,
  type ServiceName,
  type ServiceScenario,
  type Traffic,
  type TrafficKind,
} from './types.ts'

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
  const upstreamConnections = readInt(obj.upstreamConnections, 'upstreamConnections', LIMITS.upstreamConnections)
  checkPoolShowsEveryQueue(upstreamConnections, services)
  return {
    name: readString(obj.name, 'name', 80),
    description: readString(obj.description, 'description', 500),
    seed: readInt(obj.seed, 'seed', LIMITS.seed),
    catalogSize: readInt(obj.catalogSize, 'catalogSize', LIMITS.catalogSize),
    productsPerPage: readInt(obj.productsPerPage, 'productsPerPage', LIMITS.productsPerPage),
    services,
    cacheTtlSeconds: readInt(obj.cacheTtlSeconds, 'cacheTtlSeconds', LIMITS.cacheTtlSeconds),
    cacheGraceSeconds: readInt(obj.cacheGraceSeconds, 'cacheGraceSeconds', LIMITS.cacheGraceSeconds),
    cacheCommandTimeoutMs: readInt(obj.cacheCommandTimeoutMs, 'cacheCommandTimeoutMs', LIMITS.cacheCommandTimeoutMs),
    cacheMaxPendingCommands: readInt(obj.cacheMaxPendingCommands, 'cacheMaxPendingCommands', LIMITS.cacheMaxPendingCommands),
    upstreamTimeoutMs: readInt(obj.upstreamTimeoutMs, 'upstreamTimeoutMs', LIMITS.upstreamTimeoutMs),
    requestDeadlineMs: readInt(obj.requestDeadlineMs, 'requestDeadlineMs', LIMITS.requestDeadlineMs),
    upstreamConnections,
    traffic: validateTraffic(obj.traffic, 'traffic'),
  }
}

function validateTraffic(raw: unknown, path: string): Traffic {
  const obj = readObject(raw, path)
  checkKeys(obj, Object.keys(DEFAULT_SCENARIO.traffic), `${path}.`)
  const kind = obj.kind
  if (typeof kind !== 'string' || !(TRAFFIC_KINDS as readonly string[]).includes(kind)) {
    throw new ScenarioError(`${path}.kind`, kind, `one of ${TRAFFIC_KINDS.map((k) => `"${k}"`).join(', ')}`)
  }
  const limits = obj.limits
  if (!Array.isArray(limits) || limits.length < LIMITS.trafficLimits.min || limits.length > LIMITS.trafficLimits.max) {
    throw new ScenarioError(`${path}.limits`, limits, `a list of ${LIMITS.trafficLimits.min} to ${LIMITS.trafficLimits.max} page sizes`)
  }
  const sizes = limits.map((limit, i) => readInt(limit, `${path}.limits[${i}]`, LIMITS.productsPerPage))
  if (new Set(sizes).size !== sizes.length) throw new ScenarioError(`${path}.limits`, limits, 'page sizes each given once')
  return {
    kind: kind as TrafficKind,
    zipfExponent: readNumber(obj.zipfExponent, `${path}.zipfExponent`, LIMITS.zipfExponent),
    pages: readInt(obj.pages, `${path}.pages`, LIMITS.trafficPages),
    categories: readInt(obj.categories, `${path}.categories`, LIMITS.trafficCategories),
    limits: sizes,
    sample: readInt(obj.sample, `${path}.sample`, LIMITS.trafficSample),
  }
}

/**
 * The API's pool to a service must let through every call the service can hold (its workers
 * and its queue) and one more, or the excess would wait unseen in the API's pool: the mock's
 * queue would never fill and its 503 never come.
 */
function checkPoolShowsEveryQueue(connections: number, services: Record<ServiceName, ServiceScenario>): void {
  for (const name of SERVICE_NAMES) {
    const { workers, queueLimit } = services[name]
    if (connections > workers + queueLimit) continue
    throw new ScenarioError(
      'upstreamConnections',
      connections,
      `more than the calls any service can hold (${name}: ${workers} workers + a queue of ${queueLimit} = ${workers + queueLimit})`,
      `The API's pool would hold back calls that ${name} should queue or refuse with 503. Raise upstreamConnections to ${workers + queueLimit + 1} or more, or lower ${name}'s workers or queueLimit.`,
    )
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
  if (total > 1 + 1e-9)
    throw new ScenarioError(path, obj, 'rates that add up to at most 1', `These add up to ${Math.round(total * 1000) / 1000}.`)
  return faults
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
    case 'empirical': {
      checkKeys(obj, ['kind', 'quantilesMs'], `${path}.`)
      const raw = obj.quantilesMs
      const { min, max } = LIMITS.quantiles
      const expected = `${min} to ${max} numbers of ms, ascending, e.g. [0, 3.5, 9, 40] (the quantiles at evenly spaced probabilities from 0 to 1)`
      if (!Array.isArray(raw) || raw.length < min || raw.length > max) throw new ScenarioError(`${path}.quantilesMs`, raw, expected)
      const quantilesMs = raw.map((q, i) => readNumber(q, `${path}.quantilesMs[${i}]`, LIMITS.jitterMs))
      if (quantilesMs.some((q, i) => i > 0 && q < quantilesMs[i - 1]!)) throw new ScenarioError(`${path}.quantilesMs`, raw, expected)
      return { kind: 'empirical', quantilesMs }
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
