/**
 * The "seed" preset: the story the README tells, and the only table of defaults in the lab.
 * `resolveScenario()` layers a scenario file and CLI flags over it; `--help` reads it.
 */
import { deepFreeze } from './deep-freeze.ts'
import type { Faults, Jitter, Scenario, Traffic } from './types.ts'

const NO_JITTER: Jitter = { kind: 'none' }
const NO_FAULTS: Faults = { errorRate: 0, hangRate: 0, resetRate: 0 }

/**
 * A shop's listing traffic: most visits land on the first page of the whole catalogue at the
 * default size; fewer change the size or open a category; each page deeper is visited less.
 * Ranked page first, then size, then listing (whole catalogue, then 4 categories), Zipf with
 * s = 1.1 over the 10 × 2 × 5 = 100 distinct requests puts 81 % of requests on pages 1–3
 * and 23 % on the top request, the long tail the rest: the shape listing analytics
 * usually show (page 1 dominant, a steep drop after page 3).
 */
const DEFAULT_TRAFFIC: Traffic = { kind: 'mix', zipfExponent: 1.1, pages: 10, categories: 4, limits: [50, 20], sample: 0 }

/**
 * Capacities (workers) are chosen so that at 50 connections naive's fan-out saturates
 * the services and parallel's does not. Unconstrained, naive at 50 connections would
 * run 50 / 3.97 s = 12.6 req/s, keeping 12.6 × 50 × 40 ms = 25 inventory calls and
 * 12.6 × 1.79 s = 22.5 pricing calls busy: more than 16 workers each, so calls queue,
 * latency passes the 5 s deadline and requests fail with 504. Parallel (warm) at 50
 * connections would run 50 / 0.14 s = 357 req/s, keeping 35.7 catalog calls busy (of
 * 64), 14.3 inventory calls (of 16) and 14.3 each of reviews and categories (of 32),
 * and no pricing call: it holds. Little's law gives each variant's saturation
 * throughput, workers ÷ (calls per request × seconds per call) for the busiest service:
 * naive 16 ÷ (50 × 0.04) = 8 req/s (inventory), bulk 16 ÷ 1.79 = 8.9 req/s (pricing),
 * cached and parallel (warm) 16 ÷ 0.04 = 400 req/s (inventory).
 */
export const DEFAULT_SCENARIO: Scenario = deepFreeze({
  name: 'seed',
  description: 'Product listing aggregating five services, calibrated to the story: 4–8 s before, 0.35 s after.',
  seed: 1,
  catalogSize: 5000,
  productsPerPage: 50,
  services: {
    catalog: { latencyMs: 100, perItemMs: 0, jitter: NO_JITTER, workers: 64, queueLimit: 256, faults: NO_FAULTS },
    inventory: { latencyMs: 40, perItemMs: 0, jitter: NO_JITTER, workers: 16, queueLimit: 256, faults: NO_FAULTS },
    pricing: { latencyMs: 40, perItemMs: 35, jitter: NO_JITTER, workers: 16, queueLimit: 256, faults: NO_FAULTS },
    reviews: { latencyMs: 40, perItemMs: 0, jitter: NO_JITTER, workers: 32, queueLimit: 256, faults: NO_FAULTS },
    categories: { latencyMs: 40, perItemMs: 0, jitter: NO_JITTER, workers: 32, queueLimit: 256, faults: NO_FAULTS },
  },
  cacheTtlSeconds: 300,
  cacheGraceSeconds: 300,
  cacheCommandTimeoutMs: 50,
  cacheMaxPendingCommands: 256,
  upstreamTimeoutMs: 5000,
  requestDeadlineMs: 5000,
  upstreamConnections: 512,
  traffic: DEFAULT_TRAFFIC,
})
