/**
 * The admin endpoints every mocked service's server also answers, for whoever measures
 * the API over HTTP (see serve-upstreams.ts): read and reset the counters, switch the
 * injected faults, and a bare echo that measures what the machine's loopback costs; and what
 * they answer. Types and constants only: the harness reads them without loading msw.
 */
import type { Hello, RoleCpu } from '../roles/protocol.ts'
import type { FaultKind, ServiceName } from '../scenario/types.ts'

/** The upstreams' hello: each service's port, in SERVICE_NAMES order. */
export type UpstreamsHello = Hello & { ports: Record<ServiceName, number> }

/** `GET`: every service's counters (a StatsSnapshot). */
export const STATS_PATH = '/__lab/stats'
/** `POST`: the counters back to zero (calls in flight stay counted as in flight). */
export const RESET_PATH = '/__lab/reset'
/** `GET /__lab/echo?ms=40`: a bare answer after `ms`, with no msw and no data: what a bare loopback call costs (calibration). */
export const ECHO_PATH = '/__lab/echo'
/** `POST /__lab/faults?enabled=false`: no injected faults until `?enabled=true`, which resumes their sequences. */
export const FAULTS_PATH = '/__lab/faults'

export interface ServiceStats {
  calls: number
  inFlight: number
  maxInFlight: number
  /** Calls per endpoint, keyed "METHOD /path-pattern". */
  endpoints: Record<string, number>
  /** The most workers busy at once: never more than the service's `workers`. */
  maxBusy: number
  /** Calls that had to wait for a worker, and the longest such wait. */
  queued: number
  longestWaitMs: number
  /** Calls a worker finished: answered, whatever the status (an injected error or reset too). */
  served: number
  /** Calls refused with 503 because the queue was full. */
  rejected: number
  /** Calls whose caller closed the connection before the answer (e.g. the API's deadline). */
  cancelled: number
  /** Faults injected by the scenario, per kind. */
  faults: Record<FaultKind, number>
  /** Calls waiting for a worker when the snapshot was taken. */
  waiting: number
  /**
   * Of the served calls with a configured latency (`timedCalls`): the worker time they held,
   * from getting a worker to the answer written, and the latency configured for them, summed,
   * in ms. Held beyond configured is the mock's own cost: on a loaded machine, the CPU.
   */
  timedCalls: number
  heldMs: number
  configuredMs: number
}

export interface StatsSnapshot {
  services: Record<ServiceName, ServiceStats>
  /** The most calls in flight at once across all services. */
  maxInFlightOverall: number
  /**
   * Of the served calls with a configured latency, all services: how much longer than
   * configured each held its worker (to the answer written), p50 and p99 in ms. The mocks'
   * own error: on a loaded machine, their timers fire late and their CPU queues answers.
   */
  overshoot: { calls: number; p50Ms: number; p99Ms: number; meanConfiguredMs: number }
  /** This process's event loop since the reset: busy share, and delay p99 in ms (perf_hooks). */
  eventLoop: { utilizationPercent: number; delayP99Ms: number }
}

/** The mocks as whoever measures them holds them (bench/stack/upstream-process.ts makes one): these endpoints as calls, and their process. */
export interface UpstreamProcess {
  urls: Record<ServiceName, string>
  /** The process's pid when the lab started it here; null for mocks running elsewhere (their CPU is read through /__lab/cpu). */
  pid: number | null
  hello: UpstreamsHello
  stats(): Promise<StatsSnapshot>
  /** The mocks process's CPU and its host's, read by the process itself. */
  cpu(): Promise<RoleCpu>
  resetStats(): Promise<void>
  /** Switches the scenario's injected faults off, or on again (each service's sequence resumes where it stopped). */
  setFaults(enabled: boolean): Promise<void>
  stop(): Promise<void>
}

/** How a call that got past the queue ended; `held` when it had a configured latency (not a 4xx). */
export type CallEnd =
  { outcome: 'served'; held?: { heldMs: number; configuredMs: number } } | { outcome: 'cancelled' } | { outcome: 'rejected' }

export interface UpstreamStats {
  /**
   * Marks a call as started; the returned function marks it finished, by the endpoint that
   * answered and how it ended (a refusal is counted by `rejected`, at once). A call begun
   * before a reset() ends uncounted: the new period never saw it begin.
   */
  begin(service: ServiceName): (endpoint: string, end: CallEnd) => void
  /** A call got a worker; `busy` workers are now taken. */
  working(service: ServiceName, busy: number): void
  /** A call waited `waitMs` for a worker. */
  queued(service: ServiceName, waitMs: number): void
  /** A call refused at once: the queue was full (counted as it begins, so never across a reset). */
  rejected(service: ServiceName): void
  injected(service: ServiceName, fault: FaultKind): void
  snapshot(): StatsSnapshot
  reset(): void
}
