/**
 * What the app lets something outside it watch (the lab's plugin, lab-api/): its parts, each
 * through its read-only stats (and an operator's flush and probe), and when a variant's work
 * starts and settles. Types only: the app (app.ts) takes an Instrument, and knows no more of it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { CacheStore, PriceCache } from './cache-types.ts'
import type { UpstreamPools } from './upstream-clients.ts'
import type { Scenario, ServiceName } from '../../scenario/types.ts'

/** What an instrument may read of the app: its settings and its parts, each through its read-only `stats` (and an operator's flush and probe). */
export interface AppParts {
  scenario: Scenario
  upstreamUrls: Record<ServiceName, string>
  variants: readonly string[]
  cache: CacheStore
  priceCache: PriceCache
  pools: UpstreamPools
}

/**
 * Added to the app from outside it, before its routes. It may return `workStarted`: called
 * when a variant's work for a request starts, it returns the function the app calls when that
 * work settles (a page, an error, or after its answer: a deadline's 504, a client gone away).
 */
export type Instrument = (app: FastifyInstance, parts: AppParts) => { workStarted?(request: FastifyRequest): () => void } | void
