/**
 * What the model says of a variant, as types: the calls of a virtual run and what they
 * yield. A leaf: the harness reads these shapes without loading the virtual run.
 */
import type { ServiceName } from '../scenario/types.ts'
import type { Stage } from '../variants/shared/stage-timing.ts'
import type { ProductQuery } from '../scenario/wire-types.ts'

/** One upstream call of a virtual run: virtual ms from the request's start. */
export interface VirtualCall {
  service: ServiceName
  items: number
  startMs: number
  endMs: number
  /**
   * The order of events within the run: when the call was made and when its answer came.
   * At equal virtual times it tells what could have depended on what: a call made before
   * another's answer came did not wait for it.
   */
  startSeq: number
  endSeq: number
  /**
   * The call's configured latency, exact. Timers count whole milliseconds, so the call waits
   * its whole milliseconds on the clock, and the floor adds the fractions of the calls on
   * its critical path (derive.ts).
   */
  configuredMs: number
}

export interface VirtualRun {
  /** Virtual ms from the request's start to its answer (its promise settled), in whole milliseconds. */
  elapsedMs: number
  /** Where the answer falls in the run's order of events: calls that ended after it are not on its path. */
  answeredSeq: number
  /** Every call, in the order they were made. */
  calls: VirtualCall[]
  stages: Stage[]
  /** Its price-cache lookups, counted as the API counts them (priceCacheCounts): found and usable, or not. */
  lookups: { hits: number; misses: number }
}

export interface Floor {
  /** With the price cache warm (for variants without a cache: the only figure). */
  warmMs: number
  /** With the price cache empty; equals warmMs for variants without a cache. */
  coldMs: number
  /** Upstream calls on the critical path (warm): the lab's overhead is paid per call. */
  callsOnPath: number
  /**
   * For each call on the critical path (warm), in order: how many calls were made with it and
   * answered with it, itself included (1: alone; k: one of a fan-out of k answered together); a
   * call made before the path's previous answer, or answered at another time, is not counted. The lab calibrates each such hop as
   * this machine makes it: k bare calls at once cost more than one.
   */
  callsAtOnceOnPath: number[]
  /** Calls per request to each service, warm and cold: each is a chance for an injected fault. */
  calls: Record<ServiceName, number>
  coldCalls: Record<ServiceName, number>
  /** The most calls in flight at once, warm and cold. */
  maxInFlight: number
  coldMaxInFlight: number
  /** The ideal stage waterfall, warm and cold: the stages as Server-Timing names them, in virtual time. */
  stages: Stage[]
  coldStages: Stage[]
}

export interface Saturation {
  /** Requests per second at which the busiest service's workers are all busy (Little's law). */
  perSec: number
  /** That service. */
  bottleneck: ServiceName
  /** Worker-seconds each request asks of each service. */
  demandSeconds: Record<ServiceName, number>
}

/**
 * The traffic mix's sample, run in order in virtual time from an empty price cache, as the
 * latency phase sends it: per request, its floor and what its price-cache lookups found.
 */
export interface MixModel {
  requests: Array<{ floorMs: number; hits: number; misses: number }>
  /** The load phase's levels, in virtual time (virtual-level.ts), in the order they run; empty when none was given. */
  load: ModelledLevel[]
  /**
   * Little's law over the whole mix once the price cache holds every request's list (each
   * distinct request run cold, then warm, its warm demand weighted by its share): the rate the
   * load and sweep phases, which send the mix, should saturate at.
   */
  saturation: Saturation
}

/** What the model is given of the traffic mix: the latency phase's sample in order, and every distinct request with its share. */
export interface MixInput {
  sample: ProductQuery[]
  catalogue: Array<{ query: ProductQuery; share: number }>
  /** The load phase as the harness will run it, to run in virtual time; absent: not modelled. */
  load?: LoadInput
}

/**
 * How long a load level runs: for `durationSeconds`, or, for a variant so slow that few
 * requests fit in that time, until each connection has made `requestsPerConnection`
 * requests. (autocannon drops the requests still in flight when its time is up, which
 * would under-count a slow variant's throughput by up to one request per connection.)
 */
export type LevelLength = { durationSeconds: number } | { requestsPerConnection: number }

/**
 * The load phase's plan: the reference request that fills the price cache first, the seeded
 * sequences the levels send (as indexes into the catalogue, by stream name), and each
 * variant's levels in the order they run (their lengths differ by variant).
 */
export interface LoadInput {
  reference: ProductQuery
  streams: Record<string, number[]>
  levels: Record<string, Array<{ connections: number; length: LevelLength; stream: string }>>
  /** Whether the variant's first level follows one request per connection of the reference, all at once (the harness's warm-up under load); default true. */
  warmUp?: Record<string, boolean>
}

/** A load level run in virtual time: what the measured level reports, as the variant's own code gives it. */
export interface ModelledLevel {
  connections: number
  length: LevelLength
  /** Answers counted (within the level's duration), good or failed, and per second from the first request to the last answer. */
  requests: number
  requestsPerSec: number
  /** Answers that were not failures (the variant answered before the deadline), per second. */
  goodPerSec: number
  /** The mean time of those answers, in virtual ms; null without one. */
  meanMs: number | null
  /** The price cache's lookups: every request's, those answered after the duration too. */
  hits: number
  misses: number
  /** Hits over lookups; null without a lookup. */
  hitRatio: number | null
  pricingCalls: number
  pricingCallsPerSec: number
  /** The sequence given ran out before the level's end: its figures cover fewer requests than the level sends. */
  sequenceEnded: boolean
}

/** A virtual run as a structure of calls, replayed at other latencies by structure.ts (the report's sliders). */
export interface CallStructure {
  /** Each call in the order made: its service's index in SERVICE_NAMES, and its ids. */
  calls: Array<[service: number, items: number]>
  /** For each call, the calls (by index) whose answers it waited for, the ones implied by others left out. */
  after: number[][]
  /** The calls whose answers the request's own answer waited for, the implied ones left out. */
  answerAfter: number[]
  /** Each call's time beyond its service's base latency and per-item cost at the run's scenario, in ms; null when none has any (no jitter). */
  offsetsMs: number[] | null
}

export interface VariantModel {
  floor: Floor
  saturation: Saturation
  /** Null when no mix sample was asked for (traffic single, or a model made without one). */
  mix: MixModel | null
  /** What the scenario's injected faults cost the variant's own code, warm and cold; null when it injects none. */
  faults: { warm: FaultModel; cold: FaultModel } | null
  /**
   * Its warm and cold runs as structures of calls, to be worked out at other latencies (structure.ts), and whether they
   * gave the model's own floors at other values too (`exact`; if not, why: its control flow depends on time).
   */
  structure: { warm: CallStructure; cold: CallStructure; exact: true | string } | null
}

/** Whether to learn the structure of a variant's runs (the report's sliders): not, besides the rest, or alone (no faults, no mix). */
export type StructureWanted = 'none' | 'also' | 'only'

/**
 * The variant's own code sent `requests` requests of page one, one at a time (the latency phase's
 * way), with the scenario's faults drawn for every call from its seed, as the mocks draw them:
 * what a retry, a fallback or a breaker does to the failures and the calls is in the figures.
 */
export interface FaultModel {
  requests: number
  /** Requests that failed: the variant threw (an error the API answers 5xx), or the deadline passed. */
  failed: number
  /** Requests during which a fault was drawn for one of their calls. */
  faulted: number
  /** Of those, the ones that succeeded: the code got over the fault (a retry, a fallback, a stale list). */
  absorbed: number
  /** Requests that failed though no fault was drawn: the deadline, a timeout of the code's own. */
  failedWithoutFault: number
  /** Calls per request to each service, those that failed and their retries included. */
  calls: Record<ServiceName, number>
  /** Little's law on those calls: the extra calls (retries) lower it. */
  saturation: Saturation
}

/** A variant's model, or why it has none. */
export type ModelOutcome = { model: VariantModel } | { notModelled: string }

export { JITTER_MODES, type JitterMode } from '../scenario/types.ts'
