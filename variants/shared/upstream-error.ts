/** An upstream service failed a call: the API answers 502 naming it, or 504 when it timed out. */
import type { ServiceName } from '../../scenario/types.ts'

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
