/**
 * What the model says of a variant, as types: the calls of a virtual run and what they
 * yield. A leaf: the harness reads these shapes without loading the virtual run.
 */
import type { ServiceName } from '../scenario/types.ts'
import type { Stage } from '../variants/shared/stage-timing.ts'
import type { ProductQuery } from '../variants/shared/upstream-clients.ts'

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
}

export interface Floor {
  /** With the price cache warm (for variants without a cache: the only figure). */
  warmMs: number
  /** With the price cache empty; equals warmMs for variants without a cache. */
  coldMs: number
  /** Upstream calls on the critical path (warm): the lab's overhead is paid per call. */
  callsOnPath: number
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
}

export interface VariantModel {
  floor: Floor
  saturation: Saturation
  /** Null when no mix sample was asked for (traffic single, or a model made without one). */
  mix: MixModel | null
}

/** A variant's model, or why it has none. */
export type ModelOutcome = { model: VariantModel } | { notModelled: string }

/**
 * How the model counts each service's jitter: 'mean' adds the jitter's mean to every call
 * (the default: the floor is what a request costs on average); 'seed' draws it per call, in
 * call order, from the scenario's seed with the mocks' own generator (one request's draws,
 * the cold run first); 'none' leaves it out.
 */
export const JITTER_MODES = ['mean', 'seed', 'none'] as const
export type JitterMode = (typeof JITTER_MODES)[number]
