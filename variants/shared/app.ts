/**
 * The API under test: one fastify app serving every variant under its own prefix,
 * `GET /<variant>/products?page=1&limit=50[&category=<id>]`. Built without listening
 * (tests use `inject`, the harness and `npm run serve` call `listen`).
 *
 * It knows nothing of the lab: whoever runs it may add an `instrument` (the lab's plugin,
 * lab-api/), which reads the app's parts through their read-only `stats` and may be told
 * when a variant's work starts and settles.
 */
import { setMaxListeners } from 'node:events'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { LIMITS, type Scenario, type ServiceName } from '../../scenario/types.ts'
import type { CacheStore, PriceCache } from './cache-types.ts'
import type { AppParts, Instrument } from './instrument.ts'
import { loadVariants } from './load-variants.ts'
import { createPriceCache, priceCacheTiming } from './price-cache.ts'
import { productPageSchema } from './page-schema.ts'
import { createStageTimer } from './stage-timing.ts'
import { createUpstreamPools, neverAborted, type UpstreamPools } from './upstream-clients.ts'
import type { ProductQuery } from '../../scenario/wire-types.ts'

export type { AppParts, Instrument } from './instrument.ts'
import { CircuitOpenError, DeadlineError, UpstreamError } from './upstream-error.ts'
import { perProcess, type UpstreamClients, type Variant } from './variant.ts'

export interface AppOptions {
  scenario: Scenario
  upstreamUrls: Record<ServiceName, string>
  cache: CacheStore
  /** Defaults to every variant file in variants/. */
  variants?: Variant[]
  /** fastify's logger (pino); off by default so it costs the benchmark nothing. */
  logger?: boolean
  /** Something that watches the app from outside (the lab's plugin): added before the variants' routes. */
  instrument?: Instrument
  warn?: (message: string) => void
}

/** The accepted values of each query parameter, as said in 400 answers. */
export const QUERY_LIMITS = {
  page: { min: 1, max: 10_000 },
  limit: { min: 1, max: LIMITS.productsPerPage.max },
  category: { min: 1, max: 1_000_000 },
} as const

type QueryParameter = keyof typeof QUERY_LIMITS

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { scenario } = options
  const variants = options.variants ?? (await loadVariants())
  const pools = createUpstreamPools({
    urls: options.upstreamUrls,
    timeoutMs: scenario.upstreamTimeoutMs,
    connections: scenario.upstreamConnections,
  })
  const priceCache = createPriceCache(options.cache, priceCacheTiming(scenario), options.warn)

  const app = Fastify({
    logger: options.logger ?? false,
    // Reject what the schema does not allow instead of quietly fixing it up:
    // unknown parameters are not removed, a repeated parameter is not coerced from an array.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false } },
  })
  app.addHook('onClose', () => pools.close())
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = describeError(error, request.url)
    if (status === 500) (options.warn ?? console.error)(`[api] ${request.method} ${request.url} failed: ${error.stack ?? error.message}`)
    return reply.code(status).send(body)
  })
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `No route ${request.method} ${request.url.split('?')[0]}; try ${variants.map((v) => `/${v.name}/products`).join(', ')}.`,
    }),
  )

  const querystring = {
    type: 'object',
    additionalProperties: false,
    properties: {
      page: { type: 'integer', ...range('page'), default: 1 },
      limit: { type: 'integer', ...range('limit'), default: scenario.productsPerPage },
      category: { type: 'integer', ...range('category') },
    },
  } as const

  // For work no one request owns (swr's refresh, which other requests wait for or which runs
  // after the answer): never aborted by a request; each call still ends at its timeout.
  const background = pools.forRequest(neverAborted())
  const shared = perProcess()

  const parts: AppParts = {
    scenario,
    upstreamUrls: options.upstreamUrls,
    variants: variants.map((v) => v.name),
    cache: options.cache,
    priceCache,
    pools,
  }
  const workStarted = options.instrument?.(app, parts)?.workStarted ?? (() => () => {})

  app.get('/', async () => ({
    variants: variants.map(({ name, parent }) => ({ name, parent, url: `/${name}/products` })),
  }))

  const serve = { scenario, pools, background, shared, priceCache, workStarted }
  for (const variant of variants) {
    app.get<{ Querystring: ProductQuery }>(
      `/${variant.name}/products`,
      { schema: { querystring, response: { 200: productPageSchema } } },
      (request, reply) => answer(variant, serve, request, reply),
    )
  }
  return app
}

/** What each request's handler needs of the app: its settings and parts, shared by every request. */
interface Serving {
  scenario: Scenario
  pools: UpstreamPools
  background: UpstreamClients
  shared: ReturnType<typeof perProcess>
  priceCache: PriceCache
  workStarted: (request: FastifyRequest) => () => void
}

/** One request to a variant: its work under the request's deadline, and the page with its Server-Timing. */
async function answer(
  variant: Variant,
  { scenario, pools, background, shared, priceCache, workStarted }: Serving,
  request: FastifyRequest<{ Querystring: ProductQuery }>,
  reply: FastifyReply,
): Promise<unknown> {
  const timer = createStageTimer()
  // The request's deadline: when it passes, the calls still out are aborted and the
  // answer is a 504 naming the stages that were still waiting.
  const deadline = new AbortController()
  // Every call of the request listens to it: a fan-out of 50 calls is not a leak.
  setMaxListeners(0, deadline.signal)
  const clock = setTimeout(() => deadline.abort(new DeadlineError(scenario.requestDeadlineMs, timer.running())), scenario.requestDeadlineMs)
  const missed = new Promise<never>((_, reject) =>
    deadline.signal.addEventListener('abort', () => reject(deadline.signal.reason), { once: true }),
  )
  const deadlineAt = performance.now() + scenario.requestDeadlineMs
  const timeLeftMs = (): number => deadlineAt - performance.now()
  const release = workStarted(request)
  // A getProducts that throws at once, or returns no promise, is handled as one that awaits.
  const work = Promise.resolve().then(() =>
    variant.getProducts({
      query: request.query,
      upstreams: pools.forRequest(deadline.signal),
      background,
      signal: deadline.signal,
      timeLeftMs,
      shared,
      priceCache,
      time: timer.time,
    }),
  )
  void work.then(release, release)
  try {
    const page = await Promise.race([work, missed])
    reply.header('server-timing', timer.serverTiming())
    return page
  } finally {
    clearTimeout(clock)
    // Answered (a page, or an error from one call): the calls still out, siblings of
    // the one that failed, are not needed; they are aborted, as at the deadline.
    if (!deadline.signal.aborted) deadline.abort(new Error('the request was already answered'))
    // Whatever the work does after that (its aborted calls reject) is not an answer.
    work.catch(() => {})
    missed.catch(() => {})
  }
}

function range(parameter: QueryParameter): { minimum: number; maximum: number } {
  return { minimum: QUERY_LIMITS[parameter].min, maximum: QUERY_LIMITS[parameter].max }
}

/** Every error becomes a JSON answer that says what went wrong; never a stack trace. */
function describeError(error: FastifyError, url: string): { status: number; body: Record<string, unknown> } {
  if (error.validation && error.validationContext === 'querystring') {
    const issue = error.validation[0]
    const parameter =
      (issue?.params as { additionalProperty?: string } | undefined)?.additionalProperty ?? issue?.instancePath.replace(/^\//, '') ?? ''
    const raw = new URLSearchParams(url.split('?')[1] ?? '').getAll(parameter)
    const limits = QUERY_LIMITS[parameter as QueryParameter]
    const accepted = limits
      ? `one integer from ${limits.min} to ${limits.max}`
      : `no such parameter; accepted: ${Object.keys(QUERY_LIMITS).join(', ')}`
    const got = raw.length === 0 ? 'nothing' : raw.map((value) => JSON.stringify(value)).join(' and ')
    const message = `Query parameter "${parameter}": got ${got}; expected ${accepted}.`
    return { status: 400, body: { statusCode: 400, error: 'Bad Request', message, parameter, accepted } }
  }
  if (error instanceof DeadlineError) {
    return {
      status: 504,
      body: {
        statusCode: 504,
        error: 'Gateway Timeout',
        message: error.message,
        stage: error.waitingFor[0] ?? null,
        waitingFor: error.waitingFor,
        deadlineMs: error.deadlineMs,
      },
    }
  }
  if (error instanceof UpstreamError) {
    const status = error instanceof CircuitOpenError ? 503 : error.timedOut ? 504 : 502
    const name = { 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' }[status]
    return { status, body: { statusCode: status, error: name, message: error.message, upstream: error.service } }
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
  if (status === 500) {
    return { status, body: { statusCode: 500, error: 'Internal Server Error', message: 'The API failed unexpectedly; see its log.' } }
  }
  return { status, body: { statusCode: status, error: 'Bad Request', message: error.message } }
}
