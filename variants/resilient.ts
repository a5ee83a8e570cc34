/**
 * parallel, made resilient to a flaky upstream with cockatiel: each call gets a timeout, up to
 * two retries with jittered exponential backoff, and a circuit breaker per service. A call that
 * fails now and then is tried again instead of failing the request; a service that keeps
 * failing is not called at all for a while, and its requests fail fast with a 503 naming it.
 */
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, isBrokenCircuitError, isTaskCancelledError, retry, timeout, TimeoutStrategy, wrap, type IPolicy } from 'cockatiel'
import { assemblePage } from './shared/product-page.ts'
import { CircuitOpenError, DeadlineError, UpstreamError } from './shared/upstream-error.ts'
import type { VariantContext } from './shared/variant.ts'
import type { ServiceName } from '../scenario/types.ts'

export const parent = 'parallel'

/** Each attempt's own timeout: well above what the service takes (pricing: 1.8 s for 50 products; the others 100 ms at most). */
const ATTEMPT_TIMEOUT_MS: Record<ServiceName, number> = { catalog: 1000, inventory: 1000, pricing: 3000, reviews: 1000, categories: 1000 }
/** Consecutive failures that open a service's circuit, and how long it stays open before one call may test it. */
const FAILURES_TO_OPEN = 5
const OPEN_FOR_MS = 5000

/** A call ended by its request: not worth a retry. Past the deadline, the service was too slow (a failure); answered, it was not needed (none). */
class RequestEnded extends Error {
  constructor(readonly serviceFailed: boolean, cause: unknown) {
    super(serviceFailed ? 'the request\'s deadline passed while it waited' : 'the request was already answered', { cause })
  }
}

/** One policy per service, for the whole process: the breaker remembers the service's failures across requests. */
function createPolicies(): Record<ServiceName, IPolicy> {
  const policyFor = (service: ServiceName): IPolicy =>
    wrap(
      // An open circuit or an ended request is not worth retrying; anything else may pass on a second try.
      retry(
        handleWhen((error) => !isBrokenCircuitError(error) && !(error instanceof RequestEnded)),
        { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 10, maxDelay: 100 }) },
      ),
      circuitBreaker(
        handleWhen((error) => !(error instanceof RequestEnded) || error.serviceFailed),
        { halfOpenAfter: OPEN_FOR_MS, breaker: new ConsecutiveBreaker(FAILURES_TO_OPEN) },
      ),
      timeout(ATTEMPT_TIMEOUT_MS[service], TimeoutStrategy.Aggressive),
    )
  return { catalog: policyFor('catalog'), inventory: policyFor('inventory'), pricing: policyFor('pricing'), reviews: policyFor('reviews'), categories: policyFor('categories') }
}

export async function getProducts({ query, upstreams, signal, shared, priceCache, time }: VariantContext) {
  const policies = shared(createPolicies)
  // Each call through its service's policy, given the attempt's signal (its timeout abandons the call). The
  // policy gets a signal of its own: cockatiel's default is one for the whole process, a listener per call in flight.
  const resilient = <T>(service: ServiceName, call: (options: { signal: AbortSignal }) => Promise<T>): Promise<T> =>
    policies[service]
      .execute(
        ({ signal: attempt }) =>
          call({ signal: attempt }).catch((error: unknown) => {
            throw signal.aborted ? new RequestEnded(signal.reason instanceof DeadlineError, error) : error
          }),
        new AbortController().signal,
      )
      .catch((error: unknown) => {
        if (error instanceof RequestEnded) throw error.cause
        if (isBrokenCircuitError(error)) throw new CircuitOpenError(service, `${FAILURES_TO_OPEN} calls in a row failed; tried again after ${OPEN_FOR_MS / 1000} s`)
        if (isTaskCancelledError(error)) throw new UpstreamError(service, `did not answer within ${ATTEMPT_TIMEOUT_MS[service]} ms (resilient's timeout), on its last try`, true)
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
