/**
 * Why a request failed: an upstream service failed a call (the API answers 502 naming it, 504
 * when it timed out, 503 when its circuit is open), or the request's deadline passed (504). The
 * request's signal is aborted with a DeadlineError at its deadline.
 */
import type { ServiceName } from '../../scenario/types.ts'
import type { StageName } from './stage-timing.ts'

export class UpstreamError extends Error {
  constructor(
    readonly service: ServiceName,
    message: string,
    readonly timedOut = false,
  ) {
    super(`Upstream "${service}" ${message}`)
    this.name = 'UpstreamError'
  }
}

/** The caller's circuit breaker for the service is open: the call was not made, the request fails fast (503 naming it). */
export class CircuitOpenError extends UpstreamError {
  constructor(service: ServiceName, why: string) {
    super(service, `is failing: its circuit is open (${why}), so the call was not made`)
    this.name = 'CircuitOpenError'
  }
}

/** The request's deadline passed: 504, naming what it was waiting for. */
export class DeadlineError extends Error {
  constructor(
    readonly deadlineMs: number,
    readonly waitingFor: StageName[],
  ) {
    super(
      `The request missed its ${deadlineMs} ms deadline while waiting for ${waitingFor.length ? waitingFor.join(', ') : 'the API itself'}.`,
    )
    this.name = 'DeadlineError'
  }
}
