/**
 * parallel, made resilient to a flaky upstream with cockatiel: each call gets a timeout, up to
 * two retries with jittered exponential backoff, and a circuit breaker per service. A call that
 * fails now and then is tried again instead of failing the request; a service that keeps
 * failing is not called at all for a while, and its requests fail fast with a 503 naming it.
 */
import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type IPolicy,
} from 'cockatiel'
import { assemblePage } from './shared/product-page.ts'
import { CircuitOpenError, UpstreamError } from './shared/upstream-error.ts'
import type { VariantContext } from './shared/variant.ts'
import type { ServiceName } from '../scenario/types.ts'

export const parent = 'parallel'

/** Consecutive failures that open a service's circuit, and how long it stays open before one call may test it. */
const FAILURES_TO_OPEN = 5
const OPEN_FOR_MS = 5000

/** A call ended by its request (its deadline passed, or it was answered): neither the service's failure nor worth a retry. */
class RequestEnded extends Error {}

/** One policy per service, for the whole process: the breaker remembers the service's failures across requests. */
function createPolicies(): Record<ServiceName, IPolicy> {
  const policy = (): IPolicy =>
    wrap(
      // An open circuit or an ended request is not worth retrying; anything else may pass on a second try.
      retry(
        handleWhen((error) => !isBrokenCircuitError(error) && !(error instanceof RequestEnded)),
        { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 10, maxDelay: 100 }) },
      ),
      circuitBreaker(
        handleWhen((error) => !(error instanceof RequestEnded)),
        { halfOpenAfter: OPEN_FOR_MS, breaker: new ConsecutiveBreaker(FAILURES_TO_OPEN) },
      ),
    )
  return { catalog: policy(), inventory: policy(), pricing: policy(), reviews: policy(), categories: policy() }
}

export async function getProducts({ query, upstreams, signal, timeLeftMs, shared, priceCache, time }: VariantContext) {
  const policies = shared(createPolicies)
  // Each call through its service's policy; retries stop when the request ends.
  const resilient = <T>(service: ServiceName, call: (options: { signal: AbortSignal }) => Promise<T>): Promise<T> =>
    policies[service]
      .execute(async () => {
        // Each attempt may take half the time the request has left, so a retry always fits before the deadline.
        const attemptMs = timeLeftMs() / 2
        const attempt = Number.isFinite(attemptMs) ? timeout(Math.max(1, attemptMs), TimeoutStrategy.Aggressive) : undefined
        try {
          return await (attempt ? attempt.execute(({ signal: own }) => call({ signal: own }), signal) : call({ signal }))
        } catch (error) {
          if (signal.aborted) throw new RequestEnded('the request ended', { cause: error })
          if (error instanceof TaskCancelledError)
            throw new UpstreamError(
              service,
              `did not answer within ${Math.round(attemptMs)} ms (resilient's timeout for the attempt)`,
              true,
            )
          throw error
        }
      }, signal)
      .catch((error: unknown) => {
        if (error instanceof RequestEnded) throw error.cause
        if (isBrokenCircuitError(error))
          throw new CircuitOpenError(
            service,
            `${FAILURES_TO_OPEN} calls in a row failed; one call tests it ${OPEN_FOR_MS / 1000} s after it opened`,
          )
        throw error
      })

  const page = await time('catalog', () => resilient('catalog', (options) => upstreams.catalog.listProducts(query, options)))
  const productIds = page.items.map((product) => product.id)
  const categoryIds = [...new Set(page.items.map((product) => product.categoryId))]

  // None of these four needs another's answer: start them together and wait for the slowest.
  const [stock, prices, ratings, paths] = await Promise.all([
    // One round trip for the page instead of one per product: 50 × 40 ms becomes 40 ms.
    time('inventory', () => resilient('inventory', (options) => upstreams.inventory.getStockBulk(productIds, options))),
    // Prices change rarely: serve them from Redis and recalculate only on a miss.
    (async () => {
      let prices = await time('cache', () => priceCache.get(productIds))
      if (!prices) {
        prices = await time('pricing', () => resilient('pricing', (options) => upstreams.pricing.calculatePrices(productIds, options)))
        priceCache.set(productIds, prices)
      }
      return prices
    })(),
    time('reviews', () => resilient('reviews', (options) => upstreams.reviews.getRatingSummaries(productIds, options))),
    time('categories', () => resilient('categories', (options) => upstreams.categories.getAncestorPaths(categoryIds, options))),
  ])

  return assemblePage(page, { stock, prices, ratings, paths })
}
