/**
 * results.json: the contract between a run and everything rendered from it (report.html,
 * summary.md, the terminal table, the README's table). Documented in results/README.md;
 * RESULTS_SCHEMA below is checked against every file written, in the harness and in tests.
 */
import type { Scenario, ServiceName } from './scenario.ts'
import type { CacheBackend } from '../variants/shared/cache-store.ts'
import type { Stage } from '../variants/shared/stage-timing.ts'

export const SCHEMA_VERSION = 2

export interface LatencyStats {
  samples: number
  p50Ms: number
  p75Ms: number
  p99Ms: number
  meanMs: number
  minMs: number
  maxMs: number
  sdMs: number
  /** Relative margin of error of the mean, in percent (95 % confidence). */
  rme: number
}

/** What a load level's answers were: shared by the connection levels and the sweep's rate levels. */
export interface Answers {
  connections: number
  /** How long the level actually ran. */
  durationSeconds: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** Connection errors, and requests unanswered within the client's timeout. */
  errors: number
  timeouts: number
  non2xx: number
  /** Responses per HTTP status, e.g. { "200": 180, "504": 12 }. */
  statusCodes: Record<string, number>
  /** 2xx responses whose body differed from the reference body. */
  mismatches: number
}

export interface LoadLevel extends Answers {
  /** Null: the level ran for the run's duration. A number: it ran until each connection had made that many requests (slow variants). */
  requestsPerConnection: number | null
  /** Responses received (2xx and not). */
  requests: number
  requestsPerSec: number
  p90Ms: number
  /** CPU time (user + system) of the API process per response, in ms. */
  apiCpuMsPerRequest: number | null
}

export interface SweepLevel extends Answers {
  /** The fixed request rate offered (open model). */
  offeredPerSec: number
  /** Requests sent, on schedule. */
  requests: number
  /** 200s with the reference body per second, counted over the steady window: the last three quarters of the sending time. */
  goodputPerSec: number
  /** What the mocks saw during the level. */
  upstreams: Record<ServiceName, { calls: number; maxBusy: number; queued: number; longestWaitMs: number; rejected: number; cancelled: number }>
}

export interface PeakLoad {
  /** Little's law on the scenario: the throughput at which the bottleneck's workers are all busy. */
  predictedPerSec: number
  bottleneck: ServiceName
  /** The most goodput measured at any level. */
  measuredPerSec: number
  /** measured ÷ predicted − 1, in percent. */
  errorPercent: number
  /** p99 target of the knee: 2 × the floor, at most the deadline. */
  p99TargetMs: number
  /** The highest offered load held (p99 under target, no error, goodput ≥ 90 %); null if none was. */
  kneePerSec: number | null
  /** Why it holds or collapses, in one sentence. */
  verdict: string
  levels: SweepLevel[]
}

/** The requests of a latency case that did not answer 200, with the scenario's injected faults. */
export interface Failures {
  /** Requests sent, good or not. */
  requests: number
  /** Requests that did not answer 200; each was tried again, so none is among the samples. */
  failed: number
  /** Failed requests per HTTP status ("no answer" when none came). */
  statusCodes: Record<string, number>
  /** Median time to a failure, in ms; null when none failed. */
  p50Ms: number | null
  /** Faults the mocks injected during the case (summed over services). */
  injected: number
}

export interface LatencyCase {
  /** Over the good answers only (200); null when none came (MAX_FAILURES_IN_A_ROW failed in a row). */
  latency: LatencyStats | null
  /** Upstream calls per request, per service, counted by the mocks. */
  upstreamCalls: Record<ServiceName, number>
  /** The most upstream calls in flight at once across services. */
  maxInFlight: number
  /** Median start and duration of each stage, from Server-Timing. */
  stages: Stage[]
  failures: Failures
  /** 200s whose body differed from the reference. */
  mismatches: number
}

/** Failures of a latency case, and the share the scenario's fault rates predict for the variant's calls. */
export interface CaseFailures extends Failures {
  /** 1 − Π (1 − fault rate of a service) ^ (its calls per request), in percent; null for a variant the lab has no model of. */
  expectedPercent: number | null
  /** The calls per request (all services) that expectation counts: what a request makes when none fails. */
  expectedCalls: number | null
}

export interface VariantResult {
  parent: string | null
  /** First line of the variant file's comment: what it changes. */
  summary: string
  /** Configured upstream latency on the critical path (warm cache); null for a variant the lab has no model of. */
  floorMs: number | null
  coldFloorMs: number | null
  /** Measured p50 minus the floor: the lab's own overhead. */
  overheadMs: number | null
  /** The overhead divided by the upstream calls on the critical path. */
  overheadPerCallMs: number | null
  /** The lab's fidelity target: p50 within max(3 % of the floor, 5 ms) of the floor. */
  overheadToleranceMs: number | null
  withinTolerance: boolean | null
  /** Warm (or only) measurement, over good answers; null when none came. */
  latency: LatencyStats | null
  upstreamCalls: Record<ServiceName, number>
  maxInFlight: number
  stages: Stage[]
  /** For variants that use the price cache: measured with the cache flushed before each sample. */
  coldLatency: LatencyStats | null
  failures: CaseFailures
  coldFailures: CaseFailures | null
  coldUpstreamCalls: Record<ServiceName, number> | null
  coldStages: Stage[] | null
  load: LoadLevel[]
  /** The --sweep: offered load against goodput and latency; null when not swept or not a story variant. */
  peakLoad: PeakLoad | null
  /** Unified diff of this variant's file against its parent's; null for a root. */
  diffFromParent: string | null
  /** Failed requests in the latency phase, warm and cold. */
  errors: number
  mismatches: number
}

/** One bare loopback HTTP call that waits `waitMs`, measured on this machine before the run. */
export interface Calibration {
  waitMs: number
  samples: number
  callP50Ms: number
  /** callP50Ms − waitMs: the least overhead an upstream call can have on this machine. */
  overheadMs: number
}

export interface Environment {
  node: string
  os: string
  cpuModel: string
  cpuCount: number
  memoryGiB: number
  gitCommit: string | null
  cacheBackend: CacheBackend
  /** Where the cache lived, password redacted. */
  cache: string
  tools: Record<string, string>
  calibration: Calibration
}

export interface Results {
  schemaVersion: typeof SCHEMA_VERSION
  startedAt: string
  finishedAt: string
  durationSeconds: number
  /**
   * False when a body differed from the reference, or a request failed in the latency
   * phase: such numbers are not to be trusted. Errors under load are results, not this.
   */
  valid: boolean
  problems: string[]
  run: {
    quick: boolean
    variants: string[]
    /** The request measured, e.g. /products?page=1&limit=50 under each variant's prefix. */
    path: string
    connections: number[]
    durationSeconds: number
    sweep: boolean
  }
  /** Whether the run reproduced the story: p50 naive > bulk > cached > parallel, and naive → parallel. Null when a story variant was not measured. */
  story: { ordered: boolean; naiveToParallelPercent: number } | null
  scenario: Scenario
  environment: Environment
  /**
   * The steps during which the price cache was unavailable: Redis went away (a command
   * failed or timed out), or lookups were skipped because too many commands were already
   * waiting. The cached variants then answered from the pricing service, as they are built
   * to, so those steps' figures include pricing calls. Empty on a healthy run.
   */
  cacheOutages: CacheOutage[]
  variants: Record<string, VariantResult>
}

export interface CacheOutage {
  phase: string
  /** The step, as the progress line named it, e.g. "cached (warm cache), 50 samples". */
  step: string
  /** How many times Redis went away during it (one warning each). */
  outages: number
  /** Lookups answered as misses without asking Redis, because MAX_PENDING_COMMANDS were already waiting. */
  shedLookups: number
}

const ISO_DATE = String.raw`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`
const num = { type: 'number' } as const
const nonNegative = { type: 'number', minimum: 0 } as const
const count = { type: 'integer', minimum: 0 } as const
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] })
const strict = (properties: Record<string, object>) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
})

const latencyStats = strict({
  samples: { type: 'integer', minimum: 1 },
  p50Ms: nonNegative,
  p75Ms: nonNegative,
  p99Ms: nonNegative,
  meanMs: nonNegative,
  minMs: nonNegative,
  maxMs: nonNegative,
  sdMs: nonNegative,
  rme: nonNegative,
})
const calls = {
  type: 'object',
  additionalProperties: false,
  required: ['catalog', 'inventory', 'pricing', 'reviews', 'categories'],
  properties: Object.fromEntries(['catalog', 'inventory', 'pricing', 'reviews', 'categories'].map((s) => [s, nonNegative])),
}
const stages = {
  type: 'array',
  items: strict({
    name: { enum: ['catalog', 'inventory', 'cache', 'pricing', 'reviews', 'categories'] },
    startMs: num,
    durationMs: nonNegative,
  }),
}
/** Schema of the fields of Answers. */
const answers = {
  connections: { type: 'integer', minimum: 1 },
  durationSeconds: nonNegative,
  p50Ms: nonNegative,
  p99Ms: nonNegative,
  maxMs: nonNegative,
  errors: count,
  timeouts: count,
  non2xx: count,
  statusCodes: { type: 'object', additionalProperties: count },
  mismatches: count,
}
const loadLevel = strict({
  ...answers,
  requestsPerConnection: nullable({ type: 'integer', minimum: 1 }),
  requests: count,
  requestsPerSec: nonNegative,
  p90Ms: nonNegative,
  apiCpuMsPerRequest: nullable(nonNegative),
})

const upstreamLevel = strict({ calls: count, maxBusy: count, queued: count, longestWaitMs: nonNegative, rejected: count, cancelled: count })
const sweepLevel = strict({
  ...answers,
  offeredPerSec: nonNegative,
  requests: count,
  goodputPerSec: nonNegative,
  upstreams: strict(Object.fromEntries(['catalog', 'inventory', 'pricing', 'reviews', 'categories'].map((s) => [s, upstreamLevel]))),
})
const failures = strict({
  requests: count,
  failed: count,
  statusCodes: { type: 'object', additionalProperties: count },
  p50Ms: nullable(nonNegative),
  injected: count,
  expectedPercent: nullable({ type: 'number', minimum: 0, maximum: 100 }),
  expectedCalls: nullable(nonNegative),
})
const peakLoad = strict({
  predictedPerSec: nonNegative,
  bottleneck: { enum: ['catalog', 'inventory', 'pricing', 'reviews', 'categories'] },
  measuredPerSec: nonNegative,
  errorPercent: num,
  p99TargetMs: nonNegative,
  kneePerSec: nullable(nonNegative),
  verdict: { type: 'string' },
  levels: { type: 'array', items: sweepLevel },
})

/** JSON Schema (draft-07) of results.json. */
export const RESULTS_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'api-speedup-lab results.json',
  ...strict({
    schemaVersion: { const: SCHEMA_VERSION },
    startedAt: { type: 'string', pattern: ISO_DATE },
    finishedAt: { type: 'string', pattern: ISO_DATE },
    durationSeconds: nonNegative,
    valid: { type: 'boolean' },
    problems: { type: 'array', items: { type: 'string' } },
    run: strict({
      quick: { type: 'boolean' },
      variants: { type: 'array', items: { type: 'string' }, minItems: 1 },
      path: { type: 'string' },
      connections: { type: 'array', items: { type: 'integer', minimum: 1 } },
      durationSeconds: nonNegative,
      sweep: { type: 'boolean' },
    }),
    story: nullable(strict({ ordered: { type: 'boolean' }, naiveToParallelPercent: num })),
    // The scenario's own validation (bench/scenario.ts) is the full check; here, its shape.
    scenario: {
      type: 'object',
      required: ['name', 'seed', 'productsPerPage', 'services'],
      properties: { name: { type: 'string' }, seed: count, productsPerPage: { type: 'integer', minimum: 1 }, services: { type: 'object' } },
    },
    environment: strict({
      node: { type: 'string' },
      os: { type: 'string' },
      cpuModel: { type: 'string' },
      cpuCount: { type: 'integer', minimum: 1 },
      memoryGiB: nonNegative,
      gitCommit: nullable({ type: 'string' }),
      cacheBackend: { enum: ['redis', 'in-process'] },
      cache: { type: 'string' },
      tools: { type: 'object', additionalProperties: { type: 'string' } },
      calibration: strict({ waitMs: nonNegative, samples: { type: 'integer', minimum: 1 }, callP50Ms: nonNegative, overheadMs: num }),
    }),
    cacheOutages: { type: 'array', items: strict({ phase: { type: 'string' }, step: { type: 'string' }, outages: count, shedLookups: count }) },
    variants: {
      type: 'object',
      minProperties: 1,
      additionalProperties: strict({
        parent: nullable({ type: 'string' }),
        summary: { type: 'string' },
        floorMs: nullable(nonNegative),
        coldFloorMs: nullable(nonNegative),
        overheadMs: nullable(num),
        overheadPerCallMs: nullable(num),
        overheadToleranceMs: nullable(nonNegative),
        withinTolerance: nullable({ type: 'boolean' }),
        latency: nullable(latencyStats),
        upstreamCalls: calls,
        maxInFlight: count,
        stages,
        coldLatency: nullable(latencyStats),
        failures,
        coldFailures: nullable(failures),
        coldUpstreamCalls: nullable(calls),
        coldStages: nullable(stages),
        load: { type: 'array', items: loadLevel },
        peakLoad: nullable(peakLoad),
        diffFromParent: nullable({ type: 'string' }),
        errors: count,
        mismatches: count,
      }),
    },
  }),
} as const
