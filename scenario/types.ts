/**
 * The scenario's shape: every number the lab runs on, as one typed object. The defaults
 * are in defaults.ts, the checks in resolve-scenario.ts; every layer (the mocks, the API,
 * the harness, the report) reads the frozen result and never a default of its own.
 */

export const SERVICE_NAMES = ['catalog', 'inventory', 'pricing', 'reviews', 'categories'] as const
export type ServiceName = (typeof SERVICE_NAMES)[number]

export const JITTER_KINDS = ['none', 'uniform', 'lognormal', 'empirical'] as const
export type JitterKind = (typeof JITTER_KINDS)[number]

/** Random extra latency added to every call, drawn from the scenario's seeded generator. */
export type Jitter =
  | { kind: 'none' }
  /** Adds a uniform draw from [0, maxMs]. */
  | { kind: 'uniform'; maxMs: number }
  /** Adds a lognormal draw with median `medianMs` and shape `sigma` (heavy right tail). */
  | { kind: 'lognormal'; medianMs: number; sigma: number }
  /**
   * Adds a draw from a measured distribution (`npm run calibrate` writes it from traces): its
   * quantiles at evenly spaced probabilities from 0 to 1, ascending; a draw falls between the
   * two quantiles around a uniform probability, linearly.
   */
  | { kind: 'empirical'; quantilesMs: number[] }

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

export const TRAFFIC_KINDS = ['mix', 'single'] as const
export type TrafficKind = (typeof TRAFFIC_KINDS)[number]

/**
 * Which listing pages the measured requests ask for. `mix`: a seeded sequence over a catalogue
 * of distinct requests (the whole catalogue and `categories` top-level categories, pages 1 to
 * `pages`, each size in `limits`), ranked page first, then size, then listing, with Zipf
 * popularity over the ranks. `single`: every request is page 1 of the whole catalogue at
 * `productsPerPage`, as in the story.
 */
export interface Traffic {
  /** @default "mix" */
  kind: TrafficKind
  /** The Zipf exponent s: the request of rank r is asked for in proportion to 1 / r^s. @default 1.1 */
  zipfExponent: number
  /** Pages of each listing asked for, from page 1. @default 10 */
  pages: number
  /** Top-level categories with a listing of their own, besides the whole catalogue. @default 4 */
  categories: number
  /** Page sizes asked for, the most popular first. @default [50, 20] */
  limits: number[]
  /**
   * Requests of the mix the latency phase sends to each variant, one at a time from an empty
   * cache, within a time budget; 0: none (the load levels send the mix). A few requests from
   * an empty cache mostly miss, so the default run sends none; long-tail.json asks for 12.
   * @default 0
   */
  sample: number
}

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
  /**
   * How long past its TTL a price list may still be served, stale, while one request refreshes
   * it (swr's stale-while-revalidate, and its fallback while pricing fails); older, it is
   * refreshed, never served. 0: no grace. The other variants do not read it. @default 300
   */
  cacheGraceSeconds: number
  /** A Redis command that has not answered by then counts as a cache miss, in ms. @default 50 */
  cacheCommandTimeoutMs: number
  /**
   * Redis commands the API lets wait at once; beyond them a lookup is a miss without asking,
   * so a slow or frozen Redis cannot grow a queue. @default 256
   */
  cacheMaxPendingCommands: number
  /** A single upstream call that has not answered by then fails the request with 504, in ms. @default 5000 */
  upstreamTimeoutMs: number
  /** The whole request's deadline: past it the API answers 504, naming the stage it was waiting for, and aborts the calls still out. @default 5000 */
  requestDeadlineMs: number
  /**
   * Keep-alive connections the API may open to each upstream: more than any service's workers
   * + queueLimit, so the mock's queue and its 503 are never hidden behind the API's pool. @default 512
   */
  upstreamConnections: number
  /** The requests measured: a seeded mix of listing pages, or the story's one page. */
  traffic: Traffic
}

/** A partial scenario, as written in a scenario file or produced from CLI flags. */
export type ScenarioInput = Record<string, unknown>

/** Accepted ranges, in one place: validation and the API's query schema both read them. */
export const LIMITS = {
  seed: { min: 0, max: 2 ** 32 - 1 },
  catalogSize: { min: 1, max: 1_000_000 },
  productsPerPage: { min: 1, max: 500 },
  latencyMs: { min: 0, max: 60_000 },
  perItemMs: { min: 0, max: 10_000 },
  jitterMs: { min: 0, max: 60_000 },
  sigma: { min: 0, max: 5 },
  /** An empirical jitter's quantiles: from 2 (a uniform) to 101 (every percentile). */
  quantiles: { min: 2, max: 101 },
  cacheTtlSeconds: { min: 1, max: 86_400 * 365 },
  cacheGraceSeconds: { min: 0, max: 86_400 * 365 },
  cacheCommandTimeoutMs: { min: 1, max: 10_000 },
  cacheMaxPendingCommands: { min: 1, max: 100_000 },
  upstreamTimeoutMs: { min: 1, max: 600_000 },
  upstreamConnections: { min: 1, max: 10_000 },
  requestDeadlineMs: { min: 1, max: 600_000 },
  workers: { min: 1, max: 100_000 },
  queueLimit: { min: 0, max: 1_000_000 },
  faultRate: { min: 0, max: 1 },
  zipfExponent: { min: 0, max: 5 },
  trafficPages: { min: 1, max: 1000 },
  /** The data set has eight top-level categories (mock-upstreams/data.ts). */
  trafficCategories: { min: 0, max: 8 },
  trafficLimits: { min: 1, max: 8 },
  trafficSample: { min: 0, max: 1000 },
} as const

/**
 * How the model counts each service's jitter: 'mean' adds the jitter's mean to every call
 * (the default: the floor is what a request costs on average); 'seed' draws it per call, in
 * call order, from the scenario's seed with the mocks' own generator (one request's draws,
 * the cold run first); 'none' leaves it out.
 */
export const JITTER_MODES = ['mean', 'seed', 'none'] as const
export type JitterMode = (typeof JITTER_MODES)[number]
