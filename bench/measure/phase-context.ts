/** What the measuring phases share: the target of every measurement, and the run's steps. */
import type { HttpClient } from './http-client.ts'
import type { RawSamples } from './raw-samples.ts'
import type { TrafficMix } from './mix-types.ts'
import type { Step } from '../cli/progress.ts'
import type { ApiProcess } from '../../lab-api/protocol.ts'
import type { UpstreamProcess } from '../../mock-upstreams/protocol.ts'

/** What a request that got no answer (a connection error, a timeout) is counted as, beside the statuses. */
export const NO_ANSWER = 'no answer'

/** The API and mocks of the stack, the request measured, and the body every 200 must match. */
export interface Target {
  /** The harness's one keep-alive connection to the API, for one request at a time. */
  client: HttpClient
  api: ApiProcess
  upstreams: UpstreamProcess
  /** The measured request, under each variant's prefix, e.g. /products?page=1&limit=50. */
  path: string
  /** The body every 200 must match, byte for byte. */
  reference: string
  /** The traffic mix the load levels send, and each path's reference body; absent: every request is `path`. */
  traffic?: { mix: TrafficMix; references: Map<string, string> }
  /** The redis-server the lab started, whose CPU the self-checks read; null for any other (self-check.ts). */
  redisPid: number | null
  /** Where the phases leave their raw latencies, for the run's own figures (run-samples.ts); absent: not kept. */
  raw?: RawSamples
}

export interface PhaseContext extends Target {
  /** Runs a planned step: shown as progress, and noted when the price cache was unavailable during it. */
  run<T>(step: Step, work: () => Promise<T>): Promise<T>
  /**
   * Before a warm measurement of a variant that uses the price cache: empties it and fills
   * it with one request (faults off), so it starts with the full TTL. Nothing otherwise.
   */
  fillCache(variant: string): Promise<void>
  /**
   * Before the sweep of a variant that uses the price cache: as fillCache, but with every
   * distinct request of the traffic mix, so the sweep meets the steady state its predicted
   * saturation assumes (every price list cached). With traffic single, fillCache.
   */
  fillMix(variant: string): Promise<void>
}
