/**
 * results.json: the contract between a run and everything rendered from it (report.html,
 * summary.md, the terminal table, the README's table). Declared once, with TypeBox: each
 * schema below is the JSON Schema ajv checks every file against (write-results.ts, the
 * tests), and `Static<typeof …>` is the TypeScript type the code reads and writes, so the
 * two cannot drift. Every field carries its `description` (doc()), and results/README.md is generated
 * from them (`npm run results-readme`).
 */
import { Type, type Static, type TSchema } from 'typebox'
import { JITTER_MODES, SERVICE_NAMES, type Scenario, type ServiceName } from '../../scenario/types.ts'
import { FIXES } from '../../scenario/story.ts'
import { CACHE_BACKENDS } from '../../variants/shared/cache-stats.ts'
import { STAGE_NAMES } from '../../variants/shared/stage-timing.ts'
import { MIN_MEASURED_T } from './noise-band.ts'

/** The contract's version; what each version changed is in results-history.ts, and results/README.md. */
export const SCHEMA_VERSION = 17

const ISO_DATE = String.raw`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`
/** A copy of `schema` with one annotation added: the original, used elsewhere too, keeps its own (TypeBox's hidden keys copied). */
const annotated = <T extends TSchema>(schema: T, keyword: 'description' | 'title', value: string): T =>
  Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(schema), [keyword]: { value, enumerable: true } }) as T
/**
 * `schema` described, so the JSON Schema documents every field (results/README.md is generated from it,
 * scripts/results-readme.ts) and a schema used in several places keeps each place's own words.
 */
const doc = <T extends TSchema>(description: string, schema: T): T => annotated(schema, 'description', description)
/** `schema` with a `title`: an object used in several places, documented once under that name in results/README.md. */
const named = <T extends TSchema>(title: string, schema: T): T => annotated(schema, 'title', title)
const num = () => Type.Number()
const nonNegative = () => Type.Number({ minimum: 0 })
const count = () => Type.Integer({ minimum: 0 })
const text = () => Type.String()
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
/** An object with exactly these fields, all required: a misspelt or missing field is an error. */
const strict = <P extends Record<string, TSchema>>(properties: P) => Type.Object(properties, { additionalProperties: false })
/**
 * Any keys, each holding `schema`: `additionalProperties`, which checks every key. (TypeBox's
 * Record writes `patternProperties: { "^.*$": … }`, and `.` does not match a line break,
 * so a key with one would go unchecked.)
 */
const mapOf = <T extends TSchema>(schema: T, options: { minProperties?: number } = {}) =>
  Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: schema, ...options })
/** One entry per upstream service. */
const perService = <T extends TSchema>(schema: T) =>
  strict(Object.fromEntries(SERVICE_NAMES.map((name) => [name, doc(`The ${name} service's.`, schema)])) as Record<ServiceName, T>)
/** Responses per HTTP status, e.g. { "200": 180, "504": 12 }. */
const statusCounts = () => mapOf(count())

/** A p99 (p90) over fewer than 100 (20) values is not stated: null, and the max stands for the tail. */
const stated = () => nullable(nonNegative())

const LatencyStatsSchema = named(
  'LatencyStats',
  strict({
    samples: doc('The n of every figure below.', Type.Integer({ minimum: 1 })),
    p50Ms: doc("Median of the good answers' times (200 only), each from the request sent to its answer, in ms.", nonNegative()),
    p75Ms: doc('75th percentile of the same times, in ms.', nonNegative()),
    p99Ms: doc('99th percentile of the same times, in ms; null below 100 samples (maxMs stands for the tail).', stated()),
    meanMs: doc("Arithmetic mean of the same times, in ms (tinybench's).", nonNegative()),
    minMs: doc('The fastest good answer, in ms.', nonNegative()),
    maxMs: doc('The slowest good answer, in ms.', nonNegative()),
    sdMs: doc("Standard deviation of the same times, in ms (tinybench's).", nonNegative()),
    rme: doc('Relative margin of error of the mean, in percent (95 % confidence).', nonNegative()),
  }),
)
export type LatencyStats = Static<typeof LatencyStatsSchema>

/** Median start and duration of a stage, from Server-Timing. */
const StageSchema = named(
  'Stage',
  strict({
    name: doc(
      "The stage, as Server-Timing names it: an upstream service's calls (`catalog`, `inventory`, `pricing`, `reviews`, `categories`) or `cache`, the price-cache lookup.",
      Type.Enum(STAGE_NAMES),
    ),
    startMs: doc(
      "When the stage began, from the start of the API's handling of the request, in ms: measured, the median over the answers; in a model, virtual time.",
      num(),
    ),
    durationMs: doc(
      "From the stage's first start to its last end (one span however often it ran), in ms: measured, the median over the answers; in a model, virtual time.",
      nonNegative(),
    ),
  }),
)

/** A Node process's event loop over a level: its busy share (perf_hooks' utilisation) and its delay p99, in ms. */
const LoopReadingSchema = named(
  'LoopReading',
  strict({
    utilizationPercent: doc(
      "Share of the time the event loop was busy over the level (perf_hooks' event-loop utilisation), in percent.",
      Type.Number({ minimum: 0, maximum: 100 }),
    ),
    delayP99Ms: doc(
      "p99 of the event loop's delay over the level, in ms, less the delay histogram's 10 ms resolution; 0 without a sample.",
      nonNegative(),
    ),
  }),
)
export type LoopReading = Static<typeof LoopReadingSchema>

/**
 * Is it the code or the machine? How busy the lab's own processes and the machine were during
 * a level, and whether that makes its figures the lab's rather than the code's (self-check.ts).
 */
const SelfCheckSchema = named(
  'SelfCheck',
  strict({
    cpuPercent: doc(
      "CPU over the level, in percent of one core, all threads: the harness (load generator), the API under test, the mocked upstreams, Redis; null where the OS does not tell or Redis is not the lab's.",
      strict({
        harness: doc(
          'The harness process (the load generator and phases), read from /proc; null where the OS does not tell.',
          nullable(nonNegative()),
        ),
        api: doc(
          'The API under test: from /proc by its pid, or as it reads its own CPU when placed by URL; null where neither tells.',
          nullable(nonNegative()),
        ),
        upstreams: doc(
          "The mocked upstreams' process: from /proc by its pid, or as it reads its own CPU when placed by URL; null where neither tells.",
          nullable(nonNegative()),
        ),
        redis: doc(
          'The redis-server the lab started; null for a Redis it did not start, for the in-process map, and where the OS does not tell.',
          nullable(nonNegative()),
        ),
      }),
    ),
    machineCpuPercent: doc(
      "The whole machine's CPU over the level, in percent of all its cores; null where the OS does not tell.",
      nullable(Type.Number({ minimum: 0, maximum: 100 })),
    ),
    hostCpuPercent: doc(
      "The CPU of the API's and the upstreams' hosts over the level, in percent of all their cores, when they run on another host than the harness (another kernel); null when they share its machine (machineCpuPercent covers them).",
      strict({
        api: doc(
          "The API's host, as the API read its own /proc/stat; null when it shares the harness's machine (or that cannot be told).",
          nullable(Type.Number({ minimum: 0, maximum: 100 })),
        ),
        upstreams: doc(
          "The upstreams' host, as the mocks read their own /proc/stat; null when it shares the harness's machine (or that cannot be told).",
          nullable(Type.Number({ minimum: 0, maximum: 100 })),
        ),
      }),
    ),
    eventLoop: doc(
      "Each Node process's event loop; null when it could not be read.",
      strict({
        harness: doc("The harness's own event loop over the level (perf_hooks).", LoopReadingSchema),
        api: doc(
          "The API's event loop over the level, from its own readings between two reads of /__lab/process.",
          nullable(LoopReadingSchema),
        ),
        upstreams: doc(
          "The mocked upstreams' event loop since their counters were reset at the level's start; null without their counters.",
          nullable(LoopReadingSchema),
        ),
      }),
    ),
    mockOvershoot: doc(
      "How much longer than configured the mocks held their served calls (all services), p50 and p99, in ms, and the calls' mean configured latency; null when none was served.",
      nullable(
        strict({
          calls: doc(
            'Served calls with a configured latency that the mocks timed, all services: the n of p50Ms and p99Ms.',
            Type.Integer({ minimum: 1 }),
          ),
          p50Ms: doc(
            'Median time the mocks held a call beyond its configured latency, in ms (a call held no longer counts as 0.001).',
            nonNegative(),
          ),
          p99Ms: doc(
            '99th percentile of that hold beyond configured, in ms; above max(5 ms, 3 % of meanConfiguredMs) the level is lab-bound.',
            nonNegative(),
          ),
          meanConfiguredMs: doc('The mean latency configured for those calls, in ms.', nonNegative()),
        }),
      ),
    ),
    mockCpuMsPerCall: doc(
      "The mocked upstreams' CPU per call they received, in ms (all threads): what each upstream call costs the lab; null without a reading or a call.",
      nullable(nonNegative()),
    ),
    labBound: doc(
      "Why the level's figures are the lab's or the machine's rather than the code's, one sentence each; empty when none (self-check.ts, LAB_LIMITS).",
      Type.Array(text()),
    ),
  }),
)
export type SelfCheck = Static<typeof SelfCheckSchema>

/** What a load level's answers were: the fields shared by the connection levels and the sweep's rate levels. */
const answers = {
  connections: doc(
    'Load levels: the connections autocannon kept busy. Sweep levels: the most requests in flight at once, each on its own connection.',
    Type.Integer({ minimum: 1 }),
  ),
  durationSeconds: doc('How long the level actually ran, in seconds: from its first request sent to its last answer.', nonNegative()),
  answered: doc(
    'Answers that succeeded (2xx; in the sweep, 200 with the reference body): the n of p50Ms, p99Ms (p90Ms) and maxMs. A failure has no place in the latency figures: it is counted by status, error and timeout.',
    count(),
  ),
  p50Ms: doc(
    'Median time of the answers counted in `answered`, in ms: load levels as autocannon timed each (request written to response read), sweep levels from when each was due; 0 when none came.',
    nonNegative(),
  ),
  p99Ms: doc('99th percentile of the same times, in ms; null below 100 answers (maxMs stands for the tail).', stated()),
  maxMs: doc('The slowest of the same answers, in ms; 0 when none came.', nonNegative()),
  errors: doc(
    "Requests that got no answer: a connection error (reset, refused), or (`timeouts`) none within the client's timeout. Each failure counts in one of the two.",
    count(),
  ),
  timeouts: doc(
    "Requests with no answer within the client's timeout (load levels: 30 s; sweep levels: the deadline + 5 s); not also counted in `errors`.",
    count(),
  ),
  non2xx: doc('Responses with a status outside 2xx (e.g. 503 from a full queue, 504 past the deadline).', count()),
  statusCodes: doc(
    'Responses per HTTP status, 2xx included, e.g. { "200": 180, "504": 12 }; requests with no answer (errors, timeouts) are not in it.',
    statusCounts(),
  ),
  mismatches: doc('2xx responses whose body differed from the reference body.', count()),
}

/**
 * One second of a load or sweep level (the last may be shorter, or run on while the API drains): the answers that came in it,
 * and what the API counted in it (pricing calls begun, price-cache hits and lookups that were
 * not hits), read from the API every second; null when a reading failed.
 */
const TimelinePointSchema = named(
  'TimelinePoint',
  strict({
    atSeconds: doc("The end of the second, from the level's first request, in seconds.", nonNegative()),
    seconds: doc(
      "The span's length, in seconds: about one; the last runs to the last reading, once the API has drained what the level left in flight, and one under 250 ms joins the span before it.",
      nonNegative(),
    ),
    answers: doc('Answers that came in the span, good or not: responses of any status, connection errors and timeouts.', count()),
    good: doc(
      'Good answers in the span (load: 2xx; sweep: 200 with the reference body): the n of p50Ms, p99Ms (null below 100) and maxMs; 0 without one.',
      count(),
    ),
    failed: doc('Answers in the span that were not good: `answers` − `good`.', count()),
    p50Ms: doc(
      'Median time of the good answers that came in the span (timed as the level times them), in ms; null without one.',
      nullable(nonNegative()),
    ),
    p99Ms: doc('99th percentile of the same, in ms; null below 100 good answers in the span.', stated()),
    maxMs: doc('The slowest good answer that came in the span, in ms; null without one.', nullable(nonNegative())),
    pricingCalls: doc(
      'Pricing calls the API began in the span, from its counters; null when a reading bounding the span failed.',
      nullable(count()),
    ),
    cacheHits: doc(
      'Price-cache lookups that hit in the span, as the API counted them; null when a reading bounding the span failed.',
      nullable(count()),
    ),
    cacheMisses: doc(
      'Lookups in the span that were not hits (misses, unusable values, Redis unavailable); null when a reading bounding the span failed.',
      nullable(count()),
    ),
  }),
)
export type TimelinePoint = Static<typeof TimelinePointSchema>

/** Price-cache lookups by outcome, as the API counted them (variants/shared/price-cache.ts, PriceCacheCounts). */
const PriceCacheSchema = named(
  'PriceCache',
  strict({
    hits: doc(
      'Lookups that found a usable price list (values found less the unusable ones; for swr, the lists bentocache served fresh or stale).',
      count(),
    ),
    misses: doc('Lookups that found no price list stored (for swr, a refresh the request waited for); each goes on to pricing.', count()),
    unusable: doc(
      'Lookups that found a stored value that could not be used (e.g. not a price list for this page); each goes on to pricing, and the value is overwritten.',
      count(),
    ),
    unavailable: doc(
      'Lookups Redis did not answer: an outage, a command timeout, or a lookup shed past scenario.cacheMaxPendingCommands; each goes on to pricing.',
      count(),
    ),
    stale: doc(
      'Of the hits, price lists served past their TTL, within the grace, while one request refreshed them (swr); 0 for the others.',
      count(),
    ),
  }),
)
export type PriceCacheFigures = Static<typeof PriceCacheSchema>

/** What the traffic mix did to a level: the cache's hits, the mean beside the mean of hits alone, pricing's load, the seconds. */
const trafficFigures = {
  meanMs: doc(
    "Mean time of the level's good answers (load: 2xx; sweep: 200 with the reference body), timed as p50Ms, in ms; null without one.",
    nullable(nonNegative()),
  ),
  meanHitMs: doc(
    "Mean time of the level's good answers whose Server-Timing shows a price-cache hit (a `cache` stage, no `pricing` stage), in ms; null without one.",
    nullable(nonNegative()),
  ),
  meanMissMs: doc(
    'Mean time of the good answers that looked the cache up and went on to pricing (a miss, an unusable value, Redis unavailable), in ms; null without one.',
    nullable(nonNegative()),
  ),
  priceCache: doc('The lookups of the level, counted by the API; null when it made none.', nullable(PriceCacheSchema)),
  hitRatio: doc(
    'hits ÷ lookups over the level, as the API counted them (unusable and unavailable lookups count as lookups); null without a lookup.',
    nullable(Type.Number({ minimum: 0, maximum: 1 })),
  ),
  pricingCallsPerSec: doc('Pricing calls the API began, per second of the level.', nonNegative()),
  timeline: doc(
    "The level second by second: the API's counters read every second, one point per span between two readings; a span after the last answer joins the last point, so the counts add up to the level's.",
    Type.Array(TimelinePointSchema),
  ),
}

const LoadLevelSchema = named(
  'LoadLevel',
  strict({
    ...answers,
    requestsPerConnection: doc(
      "Null: the level ran for the run's duration. A number: it ran until each connection had made that many requests (slow variants).",
      nullable(Type.Integer({ minimum: 1 })),
    ),
    requests: doc('Responses received (2xx and not).', count()),
    requestsPerSec: doc(
      "Responses received (any status; connection errors and timeouts not counted) per second of the level's duration.",
      nonNegative(),
    ),
    goodPerSec: doc('Good answers per second: 2xx with the reference body.', nonNegative()),
    p90Ms: doc("90th percentile of the 2xx answers' times (as autocannon timed each), in ms; null below 20 answers.", stated()),
    apiCpuMsPerRequest: doc(
      "CPU time (user + system) of the API process, all its threads, while requests were in flight, per request it handled (those the load generator dropped at the level's end included), in ms; null below 20.",
      nullable(nonNegative()),
    ),
    apiEventLoopMsPerRequest: doc(
      "CPU time of the API's event-loop thread alone while requests were in flight, per request it handled, in ms; null below 20 requests or where the OS does not tell.",
      nullable(nonNegative()),
    ),
    selfCheck: doc(
      "Is it the code or the machine: how busy the lab's processes, the machine and the event loops were over the level, and why its figures are lab-bound, if they are.",
      SelfCheckSchema,
    ),
    ...trafficFigures,
    model: doc(
      "The same level in virtual time (model/virtual-level.ts): the variant's own code sent the same sequence by as many connections, on upstreams with the scenario's workers and queues, without the lab's own time per request or injected faults. Null without a model, under traffic single, and in a what-if.",
      nullable(
        strict({
          requestsPerSec: doc(
            "Answers per second in virtual time, good or failed, from the level's first request to its last answer.",
            nonNegative(),
          ),
          goodPerSec: doc('Answers in virtual time that were not failures (answered before the deadline), per second.', nonNegative()),
          meanMs: doc('The mean time of the good answers, in ms; null without one.', nullable(nonNegative())),
          hitRatio: doc('Null without a price-cache lookup.', nullable(Type.Number({ minimum: 0, maximum: 1 }))),
          pricingCallsPerSec: doc("Pricing calls the variant's code made in virtual time, per second of the level.", nonNegative()),
          sequenceEnded: doc(
            "The sequence given to the model ran out before the level's end: its figures cover fewer requests.",
            Type.Boolean(),
          ),
        }),
      ),
    ),
  }),
)
export type LoadLevel = Static<typeof LoadLevelSchema>

/** What one mocked service saw during a sweep level. calls = served + rejected + cancelled. */
const UpstreamLevelSchema = named(
  'UpstreamLevel',
  strict({
    calls: doc(
      'Calls the service received during the level: served + rejected + cancelled (counted once none is in flight, or after 2 s).',
      count(),
    ),
    served: doc('Calls a worker finished and answered (an injected error too).', count()),
    rejected: doc('Calls refused with 503: every worker busy and the queue full.', count()),
    cancelled: doc('Calls the API gave up on (its deadline) before the answer.', count()),
    maxBusy: doc("The most of the service's workers busy at once during the level (never more than its `workers`).", count()),
    queued: doc('Calls that had to wait for a worker before getting one.', count()),
    longestWaitMs: doc('The longest a call waited for a worker, in ms; 0 when none waited.', nonNegative()),
    heldMsPerCall: doc(
      'Worker time per timed served call (answered after its configured latency), from getting a worker to the answer written, in ms; null when no such call was served.',
      nullable(nonNegative()),
    ),
    configuredMsPerCall: doc(
      'The latency configured for the served calls the mocks timed, per call, in ms: what heldMsPerCall is set against; null when none was served.',
      nullable(nonNegative()),
    ),
  }),
)

const SweepLevelSchema = named(
  'SweepLevel',
  strict({
    ...answers,
    offeredPerSec: doc('The fixed request rate offered (open model).', nonNegative()),
    requests: doc('Requests sent, on schedule.', count()),
    windowSeconds: doc(
      'The steady window: the last three quarters of the sending time (the first is the ramp), in seconds.',
      nonNegative(),
    ),
    goodputPerSec: doc(
      'Good answers (200, reference body) to the requests sent in the window, per second of it: never more than offered.',
      nonNegative(),
    ),
    throughputPerSec: doc(
      'Delivered: the rate at which the requests sent in the window were answered well, from the spacing of their good answers (the first and last 5 % set aside): held, the rate offered; past saturation, the capacity. Below 10 good answers, their number ÷ the window.',
      nonNegative(),
    ),
    latencyRiseMs: doc(
      "Median latency of the requests sent in the last quarter minus the second quarter's (a failure counts as the client's timeout), in ms; null when a quarter sent none.",
      nullable(num()),
    ),
    latencyRisingAboveMs: doc(
      'The rise above which the latency was still rising: 3 % of the time between the two quarters (a 3 % overload), at least 5 ms.',
      nonNegative(),
    ),
    queueRise: doc(
      "The bottleneck's mean queue (calls waiting for a worker) in the last quarter minus the second quarter's, read every 250 ms; null when a quarter had no reading.",
      nullable(num()),
    ),
    queueRisingAbove: doc(
      'The growth above which the queue was still rising: 3 % of the offered rate over the time between the quarters, at least 1 call.',
      nonNegative(),
    ),
    rising: doc("The latency or the bottleneck's queue was still rising: the level was not held, however it ended.", Type.Boolean()),
    latePercent: doc(
      'Requests the generator sent more than 2 ms after they were due, in percent of those sent: its own error (maxLateMs gives the latest).',
      Type.Number({ minimum: 0, maximum: 100 }),
    ),
    maxLateMs: doc("The latest any request left after it was due, in ms: the generator's own error.", nonNegative()),
    apiEventLoopPercent: doc(
      "CPU time of the API's event-loop thread while requests were in flight ÷ the level's wall time (start of sending to after the API drained), in percent of one core, at most 100; null where the OS does not tell.",
      nullable(Type.Number({ minimum: 0, maximum: 100 })),
    ),
    upstreams: doc(
      'What each mocked service saw during the level: its calls and how they ended, its busiest workers and queue, and how long its workers were held per call.',
      perService(UpstreamLevelSchema),
    ),
    selfCheck: doc(
      "The level's self-check, as for a load level; here a generator that sent more than 5 % of its requests late also makes it lab-bound.",
      SelfCheckSchema,
    ),
    ...trafficFigures,
  }),
)
export type SweepLevel = Static<typeof SweepLevelSchema>

const PeakLoadSchema = named(
  'PeakLoad',
  strict({
    predictedPerSec: doc("Little's law on the scenario: the throughput at which the bottleneck's workers are all busy.", nonNegative()),
    bottleneck: doc(
      'The service whose workers are all busy first at predictedPerSec (the lowest workers ÷ demand); under the traffic mix, over the whole mix with every price list cached.',
      Type.Enum(SERVICE_NAMES),
    ),
    measuredPerSec: doc(
      'The most good answers per second any level sustained: per level, the lower of its goodput (by send time, never above what was offered) and its throughput (by answer time: past saturation, the capacity).',
      nonNegative(),
    ),
    errorPercent: doc('measured ÷ predicted − 1, in percent.', num()),
    p99TargetMs: doc('p99 target of the knee: 2 × the floor, at most the deadline.', nonNegative()),
    kneePerSec: doc(
      "Highest offered rate held: not rising, p99 (max below 100 answers) ≤ p99TargetMs, no wrong body, failures within the faults' expected share + 3σ (none without), goodput ≥ 90 % of what should succeed; null if none.",
      nullable(nonNegative()),
    ),
    verdict: doc('Why it holds or collapses, in one sentence.', text()),
    warnings: doc(
      'What makes the figures doubtful, each with its reason: a measured rate or knee above the hard capacity, a lab-bound level, a generator that sent over 10 % of a level late; empty when none.',
      Type.Array(text()),
    ),
    levels: doc('The rate levels, in the order run: 0.5, 0.9, 1.1, 1.5 and 2 × predictedPerSec offered.', Type.Array(SweepLevelSchema)),
  }),
)
export type PeakLoad = Static<typeof PeakLoadSchema>

/** The requests of a latency case that did not answer 200, with the scenario's injected faults. */
const failures = {
  requests: doc('Requests sent, good or not.', count()),
  failed: doc('Requests that did not answer 200; each was tried again, so none is among the samples.', count()),
  statusCodes: doc('Failed requests per HTTP status ("no answer" when none came).', statusCounts()),
  p50Ms: doc('Median time to a failure, in ms; null when none failed.', nullable(nonNegative())),
  injected: doc('Faults the mocks injected during the case (summed over services).', count()),
}

/** Failures of a latency case, and the share the scenario's fault rates predict for the variant's calls. */
const CaseFailuresSchema = named(
  'CaseFailures',
  strict({
    ...failures,
    expectedPercent: doc(
      "The share the model expects to fail, in percent: with faults, from the variant's own code sent 1000 requests (warm; cold: 200) in virtual time with the faults drawn for each call (model.faults): 1 − Π (1 − fault rate of a service) ^ (its calls per request) when it failed exactly the requests a fault was drawn for (at least 30 of them), else the share those runs failed (a retry, a fallback got over some; or it failed some without one); without faults, 0. Null for a variant without a model.",
      nullable(Type.Number({ minimum: 0, maximum: 100 })),
    ),
    expectedCalls: doc('The calls per request (all services) the model expects: retries included, under faults.', nullable(nonNegative())),
  }),
)
export type CaseFailures = Static<typeof CaseFailuresSchema>
/** A latency case's failures as measured, before the expectation is set beside them. */
export type Failures = Omit<CaseFailures, 'expectedPercent' | 'expectedCalls'>

/** Upstream calls per request, per service, counted by the mocks. */
const CallsSchema = named('Calls', perService(nonNegative()))

const FaultFiguresSchema = named(
  'FaultFigures',
  strict({
    requests: doc('Requests the model sent: page one, one at a time (1000 warm, 200 cold).', count()),
    failed: doc(
      "Of those, the requests that failed: the variant's code threw (an error the API answers 5xx) or the deadline passed.",
      count(),
    ),
    faulted: doc('Of those, the requests during which a fault was drawn for one of their calls: the n of `absorbed`.', count()),
    absorbed: doc(
      'Of the faulted requests, those that still succeeded: the code got over the fault (a retry, a fallback, a stale list).',
      count(),
    ),
    failedWithoutFault: doc(
      "Requests that failed though no fault was drawn for them: the deadline, or a timeout of the code's own.",
      count(),
    ),
    calls: doc('Calls per request to each service in these runs, failed calls and their retries included.', CallsSchema),
    saturationPerSec: doc(
      "Little's law on those calls: the rate at which the bottleneck's workers are all busy, in req/s; null when no call costs anything.",
      nullable(nonNegative()),
    ),
    bottleneck: doc(
      'The service that saturates first on those calls; null when no call costs anything.',
      nullable(Type.Enum(SERVICE_NAMES)),
    ),
  }),
)

/** What a variant should cost, from its own code run in virtual time (model/), beyond its floor. */
export const ModelSchema = named(
  'Model',
  strict({
    callsOnPath: doc('Upstream calls on the critical path (warm): the chain whose answers set the floor.', count()),
    callsAtOnceOnPath: doc(
      'For each of them, in order: how many calls were in flight with it, itself included (1: alone; k: one of a fan-out of k).',
      Type.Array(Type.Integer({ minimum: 1 })),
    ),
    calls: doc(
      "Calls per request to each service with the price cache warm (the warm virtual run); coldCalls has the cold run's.",
      CallsSchema,
    ),
    coldCalls: doc('Calls per request to each service with the price cache empty (the cold virtual run).', CallsSchema),
    maxInFlight: doc("The most calls in flight at once in the warm virtual run; coldMaxInFlight has the cold run's.", count()),
    coldMaxInFlight: doc('The most calls in flight at once in the cold virtual run (the price cache empty).', count()),
    demandMs: doc(
      "Worker time each request asks of each service (warm), in ms: its calls' configured latency, the jitter's mean and what injected hangs hold.",
      perService(nonNegative()),
    ),
    saturationPerSec: doc(
      "Little's law: the rate at which the bottleneck's workers are all busy; null when no call costs anything (it never saturates).",
      nullable(nonNegative()),
    ),
    bottleneck: doc(
      'The service whose workers are all busy first at saturationPerSec (the lowest workers ÷ demand; on a tie, the first named); null when no call costs anything.',
      nullable(Type.Enum(SERVICE_NAMES)),
    ),
    expectedFailurePercent: doc(
      "The share of requests with the price cache warm that the scenario's injected faults should fail, in percent (from faults.warm when there are faults); 0 without faults.",
      Type.Number({ minimum: 0, maximum: 100 }),
    ),
    coldExpectedFailurePercent: doc(
      'The same share for a request with the price cache empty, in percent (from faults.cold when there are faults).',
      Type.Number({ minimum: 0, maximum: 100 }),
    ),
    faults: doc(
      "With injected faults: the variant's own code sent page one `requests` times, one at a time, in virtual time, the faults drawn for every call from the scenario's seed (warm after one fill; cold with the cache emptied before each): how many `failed`, the `calls` per request to each service (retries included) and Little's law on them. Null without faults.",
      nullable(
        strict({
          warm: doc('The warm runs: 1000 requests after one fill of the price cache made without faults.', FaultFiguresSchema),
          cold: doc('The cold runs: 200 requests, the price cache emptied before each.', FaultFiguresSchema),
        }),
      ),
    ),
    stages: doc(
      "The ideal stage waterfall with the price cache warm: each stage's start and duration in virtual time, if the lab cost nothing; coldStages has the cold one.",
      Type.Array(StageSchema),
    ),
    coldStages: doc('The ideal stage waterfall with the price cache empty, in virtual time.', Type.Array(StageSchema)),
  }),
)
export type ModelFigures = Static<typeof ModelSchema>

/**
 * The traffic mix in the latency phase: the first `requests` of the scenario's seeded sample,
 * one at a time, to a variant whose price cache starts empty. Every variant is sent the same
 * sequence, as much of it as fits its budget (so a slow variant gets a shorter prefix: compare a
 * variant's hit ratio with its own model's, over the same prefix), and every body is checked
 * against the body the correctness check, or the first variant to answer that path, got.
 */
const MixSchema = named(
  'Mix',
  strict({
    requests: doc(
      "Requests of the sample sent, from its start in order: as many as fit half a latency case's budget by the model's floors (plus 5 %), at least 2.",
      Type.Integer({ minimum: 1 }),
    ),
    distinct: doc("Distinct requests among them: each one's first lookup cannot hit.", Type.Integer({ minimum: 1 })),
    latency: doc(
      'Over the good answers (200): n, p50, p99 (stated), mean and max, in ms; null when none came.',
      nullable(
        strict({
          samples: doc('Good answers (200): the n of the figures beside it.', Type.Integer({ minimum: 1 })),
          p50Ms: doc('Median time of the good answers, each from the request sent to its answer, in ms.', nonNegative()),
          p99Ms: doc('99th percentile of the same, in ms; null below 100 answers (maxMs stands for the tail).', stated()),
          meanMs: doc('Mean time of the good answers, in ms.', nonNegative()),
          maxMs: doc('The slowest good answer, in ms.', nonNegative()),
        }),
      ),
    ),
    meanHitMs: doc(
      'Mean time of the good answers (200) that hit the price cache (Server-Timing: a `cache` stage, no `pricing`), in ms; null without one.',
      nullable(nonNegative()),
    ),
    meanMissMs: doc(
      'Mean time of the good answers that looked the price cache up and went on to pricing (Server-Timing: a `cache` stage, then `pricing`), in ms; null without one.',
      nullable(nonNegative()),
    ),
    priceCache: doc('The lookups, counted by the API; null for a variant that made none.', nullable(PriceCacheSchema)),
    hitRatio: doc('hits ÷ lookups; null without lookups.', nullable(Type.Number({ minimum: 0, maximum: 1 }))),
    expected: doc(
      "The model: the same requests in virtual time, its hit ratio (null without lookups) and mean floor; and Little's law over the whole mix with every price list cached (each distinct request's warm demand weighted by its share), the saturation the load and sweep phases, which send the mix, are judged against (null: no call costs anything). Null without a model.",
      nullable(
        strict({
          hitRatio: doc(
            "The model's hits ÷ lookups over the same requests run in order from an empty cache in virtual time; null without a lookup.",
            nullable(Type.Number({ minimum: 0, maximum: 1 })),
          ),
          meanFloorMs: doc("The mean of those requests' floors in virtual time, in ms.", nonNegative()),
          saturationPerSec: doc(
            "Little's law over the whole mix with every price list cached, in req/s; null when no call costs anything.",
            nullable(nonNegative()),
          ),
          bottleneck: doc(
            'The service that saturates first over the whole mix; null when no call costs anything.',
            nullable(Type.Enum(SERVICE_NAMES)),
          ),
        }),
      ),
    ),
    pricingCallsPerRequest: doc('Pricing calls per request, counted by the mocks.', nonNegative()),
    failed: doc('Requests that did not answer 200 (each is sent once, not tried again), by status.', count()),
    statusCodes: doc('The failed requests per HTTP status (`no answer` when none came); 200s are not in it.', statusCounts()),
    mismatches: doc(
      '200s whose body differed from the body first recorded for the same path (by the correctness check, or by whichever variant answered it first).',
      count(),
    ),
  }),
)
export type MixFigures = Static<typeof MixSchema>

/**
 * The warm path's hops, each with what it costs on this machine bare (no lab code): the
 * request's own (harness ⇄ API), each upstream call on the critical path as made (alone, or
 * one of k at once: the model's callsAtOnceOnPath), and each Redis read alone on the path (a
 * `cache` stage that was a hop of its own in the answers' waterfalls, no more than the Redis reads
 * a request made). `beyondMs` = overheadMs − calibratedMs: what the lab and the code's own
 * work (parsing, serialising) add to the machine's hops; the lab's target is ≤ HOP_TARGET_MS per hop.
 */
/** The lab's target for its own overhead: per hop, at most the hop's calibration + this, in ms (issue 12). */
export const HOP_TARGET_MS = 0.3

const HopsSchema = named(
  'Hops',
  strict({
    count: doc("Hops on the path: 1 (the request's own) + the calls on the path + the Redis reads on it.", Type.Integer({ minimum: 1 })),
    cacheReads: doc('The Redis reads alone on the path.', count()),
    calibratedMs: doc("The sum of the hops' calibrated overheads, in ms.", num()),
    beyondMs: doc(
      "overheadMs − calibratedMs, in ms: what the lab's code and the variant's own work on the path (parsing answers, serialising the page) add to this machine's bare hops.",
      num(),
    ),
    beyondPerHopMs: doc('beyondMs ÷ count.', num()),
    withinTarget: doc('beyondPerHopMs at most HOP_TARGET_MS (0.3 ms).', Type.Boolean()),
  }),
)

const VariantResultSchema = named(
  'VariantResult',
  strict({
    parent: doc("The variant it improves on, as its file's `parent` export names it; null for a root.", nullable(text())),
    summary: doc("First sentence of the variant file's comment: what it changes.", text()),
    notModelled: doc(
      'Why the lab has no model of this variant (its virtual run threw, never answered, or looped); null when it has one.',
      nullable(text()),
    ),
    floorMs: doc(
      "Configured upstream latency on the critical path (warm cache), from the variant's virtual run; null when it has no model.",
      nullable(nonNegative()),
    ),
    coldFloorMs: doc(
      'The same with the price cache empty (the cold virtual run), in ms; equal to floorMs for a variant without a cache; null when it has no model.',
      nullable(nonNegative()),
    ),
    overheadMs: doc(
      "Warm (or only) p50 minus floorMs, in ms: what the lab and the code's own work on the path add to the configured latency; null without a model or a good answer.",
      nullable(num()),
    ),
    overheadPerCallMs: doc('The overhead divided by the upstream calls on the critical path.', nullable(num())),
    overheadToleranceMs: doc("The lab's fidelity target: p50 within max(3 % of the floor, 5 ms) of the floor.", nullable(nonNegative())),
    withinTolerance: doc(
      'Whether |overheadMs| is at most overheadToleranceMs; null without a floor or a warm p50.',
      nullable(Type.Boolean()),
    ),
    hops: doc(
      "The overhead hop by hop, against this machine's calibration of each (environment.hopCalibration); null when not modelled, not measured, or a hop has no calibration.",
      nullable(HopsSchema),
    ),
    latency: doc('Warm (or only) measurement, over good answers; null when none came.', nullable(LatencyStatsSchema)),
    upstreamCalls: doc(
      'Upstream calls per request sent, per service, counted by the mocks over the warm (or only) latency case; under faults a request that fails early makes fewer.',
      CallsSchema,
    ),
    maxInFlight: doc('The most upstream calls in flight at once across services.', count()),
    cacheReadsPerRequest: doc(
      'Read round trips to Redis per request, warm, counted by the API (0 with the in-process map).',
      nonNegative(),
    ),
    stages: doc(
      "The warm (or only) case's waterfall: each stage's median start and duration over the good answers' Server-Timing (stages in at least half of them), ordered by start.",
      Type.Array(StageSchema),
    ),
    model: doc(
      "The rest of the variant's model (calls, saturation, expected failures, ideal waterfalls); null when not modelled.",
      nullable(ModelSchema),
    ),
    coldLatency: doc(
      'For variants that use the price cache: measured with the cache flushed before each sample.',
      nullable(LatencyStatsSchema),
    ),
    failures: doc(
      "The warm (or only) latency case's requests that did not answer 200, and the share the model expects to fail.",
      CaseFailuresSchema,
    ),
    coldFailures: doc(
      'The same for the cold case; null for a variant without one (it does not use the price cache, or is measured as an overview).',
      nullable(CaseFailuresSchema),
    ),
    coldUpstreamCalls: doc(
      'Upstream calls per request, per service, in the cold case (cache flushed before each request); null like coldFailures.',
      nullable(CallsSchema),
    ),
    coldStages: doc("The cold case's waterfall, as `stages`; null like coldFailures.", nullable(Type.Array(StageSchema))),
    mix: doc(
      "The traffic mix's sample (scenario.traffic); null with traffic single, and for a variant measured as an overview.",
      nullable(MixSchema),
    ),
    load: doc(
      'One entry per load level (connections), in the order run; empty when none ran for the variant (an overview in a --quick run).',
      Type.Array(LoadLevelSchema),
    ),
    peakLoad: doc('The --sweep: offered load against goodput and latency; null when not swept or not modelled.', nullable(PeakLoadSchema)),
    diffFromParent: doc("Unified diff of this variant's file against its parent's; null for a root.", nullable(text())),
    errors: doc('Failed requests in the latency phase, warm and cold.', count()),
    mismatches: doc('200s in the latency phase, warm and cold, whose body differed from the reference body.', count()),
  }),
)
export type VariantResult = Static<typeof VariantResultSchema>

/** What one latency case measured (a variant, warm or cold): the fields of a VariantResult it fills. */
export type LatencyCase = Pick<
  VariantResult,
  'latency' | 'upstreamCalls' | 'maxInFlight' | 'cacheReadsPerRequest' | 'stages' | 'mismatches'
> & {
  failures: Failures
  /** The median count of `cache` stages that were a hop of their own in an answer's waterfall (hops.ts). */
  cacheStagesAlone: number
}

/** Each variant's latency cases: warm (or only) and, for variants that use the price cache, cold. */
export type LatencyMeasurements = Record<string, { warm?: LatencyCase; cold?: LatencyCase; mix?: MixFigures }>

/**
 * One bare upstream call that waits `waitMs`, from the API process through its own pool to
 * the upstream process's echo endpoint, measured on this machine once both are warm.
 */
const CalibrationSchema = named(
  'Calibration',
  strict({
    waitMs: doc(
      'The wait each timed call asked of the echo, in ms (40); 0 for the Redis read, which idles 40 ms before it and whose whole time counts as overhead.',
      nonNegative(),
    ),
    samples: doc('Calls per round.', Type.Integer({ minimum: 1 })),
    rounds: doc(
      'Rounds of `samples` calls taken (3), after warm-up calls thrown away (10; 5 for the other hops under --quick).',
      Type.Integer({ minimum: 1 }),
    ),
    roundP50sMs: doc('The median call of each round, in ms.', Type.Array(nonNegative(), { minItems: 1 })),
    callP50Ms: doc("The median of the rounds' medians.", nonNegative()),
    overheadMs: doc('callP50Ms − waitMs: the least overhead an upstream call can have on this machine.', num()),
  }),
)
export type Calibration = Static<typeof CalibrationSchema>

/**
 * This machine's cost of each kind of hop on the variants' paths, bare: `request`, a bare call
 * from the harness to the API's own echo with the same wait (the request's own hop); `atOnce`,
 * by k (as a string), k bare calls from the API to the mocks' echo made together, from the first
 * call to the last answer (k = 1 is environment.calibration); `cacheRead`, a bare Redis GET from
 * the API after 40 ms idle (null with the in-process map, or when Redis did not answer every
 * read of it: `cacheReadUncalibrated` says why).
 */
const HopCalibrationSchema = named(
  'HopCalibration',
  strict({
    request: doc(
      "The request's own hop: a bare call from the harness, on its own keep-alive connection, to the API's echo (its server, no variant's code) waiting 40 ms.",
      CalibrationSchema,
    ),
    atOnce: doc(
      "By width k, as a string (each k > 1 on a modelled path, at most 64): k bare calls from the API to the mocks' echo made together, from the first call to the last answer.",
      mapOf(CalibrationSchema),
    ),
    cacheRead: doc(
      "A bare Redis GET of a key never set, through the API's client after 40 ms idle; null with the in-process map, or when Redis did not answer its reads (see cacheReadUncalibrated).",
      nullable(CalibrationSchema),
    ),
    cacheReadUncalibrated: doc(
      'Why the Redis read has no calibration: the error of its last try, after three; null when it was calibrated or the cache is the in-process map.',
      nullable(text()),
    ),
    cacheReadRetries: doc(
      "How many times the Redis read's calibration was taken again after a read Redis did not answer in time (a busy moment): 0 to 2.",
      count(),
    ),
  }),
)
export type HopCalibration = Static<typeof HopCalibrationSchema>

/** The machine and the code: what a what-if records of its environment too. */
const machine = {
  node: doc('The Node.js version the harness ran on (process.version).', text()),
  os: doc("The harness's operating system: type, kernel release, and platform/architecture.", text()),
  cpuModel: doc("The model of the harness machine's first CPU, as Node reports it; `unknown` when not told.", text()),
  cpuCount: doc("Logical CPU cores of the harness's machine.", Type.Integer({ minimum: 1 })),
  memoryGiB: doc("Total memory of the harness's machine, in GiB, to 0.1.", nonNegative()),
  gitCommit: doc(
    "The commit the lab's code came from (12 characters), read as it loaded, with `+changes` when tracked files differed; null outside a git checkout.",
    nullable(text()),
  ),
  tools: doc(
    'Installed versions of fastify, undici, msw, ioredis, tinybench, autocannon and chart.js, by name; `unknown` when a package is not found.',
    mapOf(text()),
  ),
}
const MachineSchema = named('Machine', strict(machine))
export type Machine = Static<typeof MachineSchema>

const EnvironmentSchema = named(
  'Environment',
  strict({
    ...machine,
    cacheBackend: doc(
      "Where the API's price cache lived: `redis`, or `in-process` (a map in the API, only on a machine without Redis).",
      Type.Enum(CACHE_BACKENDS),
    ),
    cache: doc('Where the cache lived, password redacted.', text()),
    calibration: doc(
      "A bare call from the API, through its own pool, to an upstream's echo that waits 40 ms, taken warm: the least overhead any upstream call can have on this machine.",
      CalibrationSchema,
    ),
    hopCalibration: doc(
      "This machine's cost of each other kind of hop on the variants' paths, bare: the request's own, k calls at once, a Redis read.",
      HopCalibrationSchema,
    ),
  }),
)
export type Environment = Static<typeof EnvironmentSchema>

/** A host a role ran on (roles/protocol.ts's HostInfo, without its boot id). */
const HostSchema = named(
  'Host',
  strict({
    hostname: doc("The host's name.", text()),
    cores: doc('Logical CPU cores of the host.', Type.Integer({ minimum: 1 })),
    cpuModel: doc("The model of the host's first CPU, as Node reports it; `unknown` when not told.", text()),
    node: doc("The Node.js version of the role's process (process.version).", text()),
    platform: doc("The role process's platform and architecture, e.g. `linux/x64`.", text()),
  }),
)
/**
 * A role's place: its URL, whether the user placed it by URL (--api, --upstreams) rather than the lab starting it, its host, and
 * whether that host is the load generator's machine (the same kernel: the same boot id); null when a side does not tell (off Linux).
 */
const PlacedRoleSchema = named(
  'PlacedRole',
  strict({
    url: doc("The role's URL: the API's; for the upstreams, the first service's (catalog).", text()),
    placed: doc(
      'True when given by URL (--api, --upstreams; with --api, the upstreams it calls too) rather than started by the lab.',
      Type.Boolean(),
    ),
    host: doc('The host the role ran on, as the role itself reported it (its hello), without its boot id.', HostSchema),
    sameMachine: doc(
      "True when the role shares the load generator's kernel (the same boot id), always for a role the lab started; null for a placed one when a side does not tell (off Linux).",
      nullable(Type.Boolean()),
    ),
  }),
)
/** Where each role ran (docs/roles-on-hosts.md). */
const RolesSchema = named(
  'Roles',
  strict({
    generator: doc('The harness: the load generator, the correctness check, the latency phase.', HostSchema),
    api: doc('Where the API under test ran.', PlacedRoleSchema),
    upstreams: doc('Where the mocked upstream services ran.', PlacedRoleSchema),
    redis: doc(
      'host:port of the Redis the API used, as the API names it (null: the in-process map), and whether it was given rather than started by the lab.',
      strict({
        address: doc('host:port of the Redis the API used, as the API names it; null for the in-process map.', nullable(text())),
        placed: doc("True when the lab did not start it: given by --redis-url, or the API's own when --api is given.", Type.Boolean()),
      }),
    ),
  }),
)
export type Roles = Static<typeof RolesSchema>

const CacheOutageSchema = named(
  'CacheOutage',
  strict({
    phase: doc(
      "The run's phase the step belongs to: `correctness`, `warm-up`, `calibration`, `model`, `latency`, `load` or `sweep`.",
      text(),
    ),
    step: doc('The step, as the progress line named it, e.g. "cached (warm cache), 50 samples".', text()),
    outages: doc('How many times Redis went away during it (one warning each).', count()),
    shedLookups: doc(
      'Lookups answered as misses without asking Redis, because scenario.cacheMaxPendingCommands were already waiting.',
      count(),
    ),
  }),
)
export type CacheOutage = Static<typeof CacheOutageSchema>

/** The scenario's own validation (scenario/resolve-scenario.ts) is the full check; here, its shape. */
const ScenarioSchema = named(
  'Scenario',
  Type.Unsafe<Scenario>(
    Type.Object({
      name: doc("The scenario's name, shown in the terminal and the report.", text()),
      seed: doc("Seed of every random draw: data, jitter, injected faults and the traffic mix's sequences. Same seed, same run.", count()),
      productsPerPage: doc(
        'Products per page: the `limit` the API uses when none is given, and the one benchmarks request.',
        Type.Integer({ minimum: 1 }),
      ),
      services: doc(
        'The five mocked upstream services, each with its latency, per-item latency, jitter, workers, queue limit and faults (scenario/types.ts).',
        Type.Object({}),
      ),
    }),
  ),
)

/** One run's figures of one variant: what a comparison tests, run against run. */
const RunVariantSchema = named(
  'RunVariant',
  strict({
    latency: doc(
      'One request at a time, warm (or only) case: its requests, failures, and the percentiles of its good answers.',
      strict({
        requests: doc('Requests sent in the warm (or only) latency case, good or not.', count()),
        failed: doc('Of those, requests that did not answer 200 (each was tried again).', count()),
        p50Ms: doc("Median of the good answers' (200) times, in ms; null when none came.", nullable(nonNegative())),
        p90Ms: doc('Null below 20 good answers.', stated()),
        p99Ms: doc('Null below 300 good answers (MIN_ANSWERS_FOR_RUN_P99): "not estimable".', stated()),
        latenciesMs: doc("Every good answer's time, in ms (at most the latency phase's samples, 50).", Type.Array(nonNegative())),
      }),
    ),
    load: doc(
      "Per load level the variant ran in this run, in order: the figures a comparison tests, with the good answers' times.",
      Type.Array(
        strict({
          connections: doc("The level's connections.", Type.Integer({ minimum: 1 })),
          sent: doc('Requests sent (answered, failed, timed out).', count()),
          failed: doc('Not a good answer: an error status, a different body, a connection error or a timeout.', count()),
          goodPerSec: doc("Good answers per second at this level in this run (the level's goodPerSec): the `rps@N` figure.", nonNegative()),
          p50Ms: doc("Median of the level's good answers' times, in ms; null when none came.", nullable(nonNegative())),
          p90Ms: doc('90th percentile of the same, in ms; null below 20 answers.', stated()),
          p99Ms: doc('99th percentile of the same, in ms; null below 300 answers (MIN_ANSWERS_FOR_RUN_P99): not estimable.', stated()),
          latenciesMs: doc(
            "Good answers' times, in ms: all of them up to KEPT_LATENCIES (1,000), else that many taken at even steps in the order they came.",
            Type.Array(nonNegative()),
          ),
          answered: doc('How many good answers there were (latenciesMs keeps at most 1,000 of them).', count()),
          labBound: doc(
            "Why this run's level was lab-bound (its selfCheck.labBound): the machine's figures, not the code's. Empty when it was not.",
            Type.Array(text()),
          ),
        }),
      ),
    ),
  }),
)
export type RunVariant = Static<typeof RunVariantSchema>

/** One run of a --runs N: a stack of its own (fresh API and upstream processes, an emptied cache). */
const RunSampleSchema = named(
  'RunSample',
  strict({
    startedAt: doc(
      "When this run began (ISO 8601, UTC): the first from the command's start, each later one from its own.",
      Type.String({ pattern: ISO_DATE }),
    ),
    valid: doc(
      "This run's own validity: false when it had a problem (a body that differed from the reference, a latency-phase request that failed beyond what injected faults explain).",
      Type.Boolean(),
    ),
    calibrationOverheadMs: doc("The calibration's overhead in this run: how the machine's floor moved from run to run.", num()),
    variants: doc("This run's figures of each variant, by name.", mapOf(RunVariantSchema, { minProperties: 1 })),
  }),
)
export type RunSample = Static<typeof RunSampleSchema>

/** 'lab-bound': a load level's figure where a run on either side was lab-bound; its change is the machine's, not judged. */
export const VERDICTS = ['regressed', 'improved', 'no change', 'inconclusive', 'too few runs', 'not estimable', 'lab-bound'] as const
export const THRESHOLD_SOURCES = ['default', '--noise', 'A/A'] as const
export const AUTO_STOPS = ['reached', 'cap', 'unreachable', 'interrupted', 'failed'] as const
export type AutoStop = (typeof AUTO_STOPS)[number]
export type ThresholdSource = (typeof THRESHOLD_SOURCES)[number]

/** This run against a saved one (--baseline), or two saved runs (npm run compare). */
const ComparisonSchema = named(
  'Comparison',
  strict({
    baseline: doc(
      'The saved run compared against: its results.json, start, git commit, scenario name and number of runs.',
      strict({
        path: doc("The baseline's results.json, its absolute path as read.", text()),
        startedAt: doc("When the baseline's command started (ISO 8601, UTC).", text()),
        gitCommit: doc(
          "The commit the baseline's code came from (`+changes` when the tree was dirty); null outside git.",
          nullable(text()),
        ),
        scenario: doc("The baseline's scenario name.", text()),
        runs: doc('How many runs the baseline holds: the n of its side.', count()),
      }),
    ),
    current: doc(
      'This run, as `baseline`: its results.json, start, git commit, scenario name and number of runs.',
      strict({
        path: doc(
          "This run's results.json, where it is written; the code writes an empty string, never null, when no path is given.",
          nullable(text()),
        ),
        startedAt: doc("When this run's command started (ISO 8601, UTC).", text()),
        gitCommit: doc("The commit this run's code came from (`+changes` when the tree was dirty); null outside git.", nullable(text())),
        scenario: doc("This run's scenario name.", text()),
        runs: doc('How many runs this run holds (--runs): the n of its side.', count()),
      }),
    ),
    warnings: doc('Differences that make the comparison less fair: scenario, machine, Node, quick against full.', Type.Array(text())),
    noisePercent: doc(
      "T, in percent, for the figures the noise file does not name: a change inside ±T is no change. max(5 %, --noise PCT); 5 with --noise FILE. Each row's own T is its `threshold`.",
      nonNegative(),
    ),
    noiseFile: doc(
      'With --noise FILE: the noise file an A/A wrote (--aa), as read; each figure it names takes the T its A/A implied. Null without.',
      nullable(text()),
    ),
    noisePoints: doc('For shares (failures): the band in percentage points.', nonNegative()),
    alpha: doc('0.05, or 0.01 when more than 10 rows are tested (estimable, not lab-bound, at least 4 runs a side).', nonNegative()),
    rows: doc(
      'One per variant on both sides and figure both measured: the medians over the runs, the effect with its interval, the p-value and the verdict.',
      Type.Array(
        strict({
          variant: doc('The variant, by name.', text()),
          metric: doc('e.g. p50 (one request at a time), rps@50, p99@50, failures@50, failures.', text()),
          unit: doc("The figure's unit: `ms`, `/s` (good answers per second) or `%` (a failure share).", text()),
          baselineRuns: doc("Runs on the baseline's side: the n of baselineMedian.", count()),
          currentRuns: doc("Runs on this run's side: the n of currentMedian.", count()),
          baselineMedian: doc('Medians over the runs; null when not estimable on that side.', nullable(num())),
          currentMedian: doc("This run's median over its runs; null when not estimable on this side.", nullable(num())),
          effect: doc(
            'In percent (the ratio of medians − 1), or in points for a share; with its bootstrap 95 % interval.',
            nullable(num()),
          ),
          low: doc(
            "Lower end of the effect's seeded bootstrap 95 % interval (10,000 resamples); null below 4 runs a side or when the effect is not estimable.",
            nullable(num()),
          ),
          high: doc('Upper end of the same interval; null like `low`.', nullable(num())),
          points: doc(
            'True for a share in percent (failures): effect, low and high are differences in percentage points, not a ratio.',
            Type.Boolean(),
          ),
          p: doc('The exact two-sided Mann–Whitney U p; null below 4 runs a side or when not estimable.', nullable(nonNegative())),
          threshold: doc(
            "This row's T, in the effect's unit (percent, or points for a share): a change inside ±T is no change.",
            nonNegative(),
          ),
          thresholdFrom: doc(
            'Where T came from: `default` (5 %, or 1 point for a share), `--noise` (a percentage given), `A/A` (the noise file an A/A wrote, for this variant and figure).',
            Type.Enum(THRESHOLD_SOURCES),
          ),
          mdc: doc(
            "The minimum detectable change, in the effect's unit: the smallest change, either way, that this comparison could have called regressed or improved. The current side's runs scaled (points: shifted), their spread kept, until the same test and the same seeded bootstrap would call them: the interval wholly beyond ±T and p < alpha. Null when none could be: fewer than 4 runs a side, the exact test unable to reach alpha with these run counts, a figure not estimable or lab-bound, or a median of 0 or below (a ratio cannot be moved from 0).",
            nullable(nonNegative()),
          ),
          mdcWhy: doc(
            'Why `mdc` is null, in words (e.g. `with 4 runs against 4, the exact test cannot reach α = 0.01`, `lab-bound: never judged`); null when it is not.',
            nullable(text()),
          ),
          verdict: doc(
            '`regressed`/`improved`: p < alpha and the interval wholly beyond ±T (noisePercent) the worse/better way; `no change`: within ±T; else `inconclusive`; or `too few runs`, `not estimable`, `lab-bound`.',
            Type.Enum(VERDICTS),
          ),
        }),
      ),
    ),
    onlyInBaseline: doc('Variants measured on one side only: reported, not compared.', Type.Array(text())),
    onlyInCurrent: doc('Variants measured in this run only: reported, not compared.', Type.Array(text())),
  }),
)
export type ComparisonFigures = Static<typeof ComparisonSchema>

/** A --threshold, checked against the median over the runs. */
const ThresholdSchema = named(
  'Threshold',
  strict({
    expression: doc('The --threshold as given, trimmed, e.g. `parallel.p50<160ms`.', text()),
    value: doc(
      "The metric's median over the runs, in its unit (ms, /s or %); null when not measured or not estimable, which fails the check.",
      nullable(num()),
    ),
    passed: doc('Whether the median met the condition; false when there is no value.', Type.Boolean()),
    low: doc(
      "Lower end of the median's seeded bootstrap 95 % interval over the runs; null below 4 runs or without a value.",
      nullable(num()),
    ),
    high: doc('Upper end of the same interval; null like `low`.', nullable(num())),
    why: doc('The figure checked, in words, e.g. `parallel.p50 = 152 ms (median of 5 runs)`, or why it could not be.', text()),
  }),
)
export type ThresholdCheck = Static<typeof ThresholdSchema>

const CallStructureSchema = named(
  'CallStructure',
  strict({
    calls: doc(
      "Each call in the order the code made it: its service's index in `catalog, inventory, pricing, reviews, categories`, and its ids.",
      Type.Array(Type.Tuple([count(), count()])),
    ),
    after: doc(
      "For each call, the calls (by index) whose answers it waited for: those that had answered before it was made in every run of the code, at the run's values and at the others the structure was learned at; the ones implied by others left out.",
      Type.Array(Type.Array(count())),
    ),
    answerAfter: doc("The calls whose answers the request's own answer waited for, learned the same way.", Type.Array(count())),
    offsetsMs: doc(
      "Each call's time beyond its service's base latency and per-item cost at the scenario's values (its jitter: the mean, or the seed's draw), in ms; null when no call has any (no jitter).",
      nullable(Type.Array(num())),
    ),
  }),
)

const SlidersSchema = named(
  'Sliders',
  strict({
    products: doc(
      "The page sizes the products slider stops at, ascending (the run's own among them).",
      Type.Array(count(), { minItems: 1 }),
    ),
    variants: doc("The variants worked out: the run's and the eight combinations of the story's fixes.", Type.Array(text())),
    at: doc(
      "At each page size of `products`, in order: each variant's warm and cold runs as structures of calls, learned from its code run at the scenario's values and at 8 others (each service's latency alone ×4, no per-item cost, every latency ×0.5 and ×3), and `exact`: true when the structure gives the floors of all those runs, else why not (its control flow depends on time): the page marks its figures away from the run's values. Null for a variant that could not be modelled there.",
      Type.Array(
        mapOf(nullable(strict({ warm: CallStructureSchema, cold: CallStructureSchema, exact: Type.Union([Type.Literal(true), text()]) }))),
      ),
    ),
  }),
)
export type Sliders = Static<typeof SlidersSchema>

const FixFigureSchema = named(
  'FixFigure',
  strict({
    unit: doc(
      "The figure's unit: `ms` for a floor or a p50 (lower is better), `req/s` for a saturation rate (higher is better).",
      Type.Enum(['ms', 'req/s'] as const),
    ),
    start: doc("The figure with none of the story's fixes (naive's).", num()),
    end: doc("The figure with all three (parallel's).", num()),
    gain: doc('What the three fixes gain together, start to end, as an improvement (positive when they helped), in `unit`.', num()),
    shares: doc(
      'Each fix, most worth first (by Shapley share). The shares add up to `gain`.',
      Type.Array(
        strict({
          fix: doc('The fix, as the story names it.', Type.Enum(FIXES)),
          shapley: doc(
            'Its Shapley share: its gain averaged over the 6 orders in which the three fixes could be applied, in `unit`. What it is worth whatever order it comes in.',
            num(),
          ),
          percentOfGain: doc('Its Shapley share as a percentage of `gain`; the three add up to 100.', num()),
          inStoryOrder: doc("Its gain in the story's order (N+1, cache, concurrency): its step against its parent, in `unit`.", num()),
          appliedFirst: doc('Its gain applied first, to naive, in `unit`.', num()),
          appliedLast: doc('Its gain applied last, to the other two fixes together, in `unit`.', num()),
        }),
        { minItems: 3, maxItems: 3 },
      ),
    ),
  }),
)

const AttributionSchema = named(
  'Attribution',
  strict({
    variants: doc(
      "The eight combinations of the story's fixes, each a variant (scenario/story.ts, COMBINATIONS): which fixes each has.",
      mapOf(Type.Array(Type.Enum(FIXES))),
    ),
    warmFloor: doc(
      "Each fix's share of the warm floor (the model's); null when a combination could not be modelled.",
      nullable(FixFigureSchema),
    ),
    coldFloor: doc(
      "Each fix's share of the cold floor (the model's, price cache empty); null when a combination could not be modelled.",
      nullable(FixFigureSchema),
    ),
    saturation: doc(
      "Each fix's share of the saturation rate (the model's, one request's calls, Little's law); null when a combination could not be modelled.",
      nullable(FixFigureSchema),
    ),
    p50: doc(
      "Each fix's share of the measured p50 (one request at a time, cache warm): only when all eight combinations were measured (--ablation); null otherwise.",
      nullable(FixFigureSchema),
    ),
    notModelled: doc('The combinations the model could not run, by name, with why; empty when all eight were.', mapOf(text())),
  }),
)
export type Attribution = Static<typeof AttributionSchema>

/** JSON Schema (draft-07) of results.json, and through Static its type. */
export const RESULTS_SCHEMA = Type.Object(
  {
    schemaVersion: doc(
      `The contract's version, ${SCHEMA_VERSION} (SCHEMA_VERSION): --baseline and \`npm run compare\` refuse a file of another version.`,
      Type.Literal(SCHEMA_VERSION),
    ),
    kind: doc('A measured run; a what-if (--predict, --vary) has its own contract (what-if.ts).', Type.Literal('run')),
    startedAt: doc('When the command started (ISO 8601, UTC).', Type.String({ pattern: ISO_DATE })),
    finishedAt: doc(
      "When measuring ended (with --runs, the last run's), before the comparison and the files (ISO 8601, UTC).",
      Type.String({ pattern: ISO_DATE }),
    ),
    durationSeconds: doc(
      'The whole command, in seconds: from its start (loading the lab, starting each stack, every run) to the finishing step.',
      nonNegative(),
    ),
    valid: doc(
      'False when a body differed from the reference (any phase), a latency or mix request failed beyond what injected faults explain, or --runs was cut short. Errors under load are results, not this.',
      Type.Boolean(),
    ),
    problems: doc('Why the run is invalid, one sentence each (prefixed `Run N:` with several runs); empty when valid.', Type.Array(text())),
    run: doc(
      'How the run measured, as opposed to what (the scenario): its flags and settings.',
      strict({
        quick: doc('Whether --quick was given: fewer samples, shorter load levels, a smaller page unless --products.', Type.Boolean()),
        variants: doc('The variants measured, in story order.', Type.Array(text(), { minItems: 1 })),
        path: doc("The request measured, e.g. /products?page=1&limit=50 under each variant's prefix.", text()),
        connections: doc(
          'The load levels asked for, in connections (an overview variant runs the top one only, none with --quick).',
          Type.Array(Type.Integer({ minimum: 1 })),
        ),
        durationSeconds: doc(
          "Seconds each load level was set to run (--duration), before a slow variant's level counts requests instead.",
          nonNegative(),
        ),
        sweep: doc(
          "Whether the peak-load sweep (--sweep) ran: fixed request rates around each variant's predicted saturation.",
          Type.Boolean(),
        ),
        modelJitter: doc(
          "How the model counted each service's jitter: its mean on every call, drawn from the seed, or none (--model-jitter).",
          Type.Enum(JITTER_MODES),
        ),
        overview: doc(
          "The variants measured as an overview: in a run of every variant (no --variants), the lab's own beyond the story, with half the latency budget (at least 3 samples a case, or the run's own minimum when lower), the cache warm only (no cold case) and the top load level only (with --quick, none). Empty when --variants named them.",
          Type.Array(text()),
        ),
        runs: doc(
          "--runs: how many runs were made; the variants' figures are the first run's, `runs` holds every run's own.",
          Type.Integer({ minimum: 1 }),
        ),
        auto: doc(
          '--runs auto: the runs were added one at a time until every targeted figure could call a change of `detect`, or `maxRuns` was reached; null with --runs N.',
          nullable(
            strict({
              detect: doc(
                "The change each targeted figure was to detect (--detect), in its unit (percent, or points for a share); null when it was each figure's 2 × T.",
                nullable(nonNegative()),
              ),
              on: doc('The targeted figures (--detect-on), e.g. `p50`, for every variant compared.', Type.Array(text(), { minItems: 1 })),
              maxRuns: doc('The cap (--max-runs).', Type.Integer({ minimum: 1 })),
              stopped: doc(
                'Why the runs stopped (`runs` is how many it took): `reached` (every targeted figure could call its target), `cap` (--max-runs came first), `unreachable` (a targeted figure can never be called: lab-bound or not estimable), `interrupted` (Ctrl-C), `failed` (a run failed).',
                Type.Enum(AUTO_STOPS),
              ),
              worst: doc(
                'The targeted figure furthest from its target when the runs stopped: its MDC (null: no change could be called) and its target.',
                nullable(
                  strict({
                    variant: doc('The variant, by name.', text()),
                    metric: doc('The figure, e.g. `p50`.', text()),
                    mdc: doc(
                      "Its minimum detectable change, in the effect's unit; null when none could be called.",
                      nullable(nonNegative()),
                    ),
                    target: doc("Its target, in the effect's unit.", nonNegative()),
                  }),
                ),
              ),
            }),
          ),
        ),
        aa: doc(
          "--aa: this run is set A of an A/A, compared against set B (the same code, their runs interleaved A B B A A B …); its noise file's path, relative to the working directory. Null otherwise.",
          nullable(
            strict({
              noiseFile: doc(
                'The noise file written (noise.json beside results.json); null when the A/A was not valid (a run failed, Ctrl-C, a body that differed): no noise file is written from it.',
                nullable(text()),
              ),
            }),
          ),
        ),
        trace: doc(
          "--trace and --otlp: the API's requests as OpenTelemetry traces, what was written and sent (every run's together with --runs); null without them.",
          nullable(
            strict({
              file: doc(
                'The OTLP JSON lines file (one ExportTraceServiceRequest per line), relative to the working directory; null with --otlp alone.',
                nullable(text()),
              ),
              otlpUrl: doc('The OTLP/HTTP endpoint the spans were sent to; null with --trace alone.', nullable(text())),
              sample: doc(
                'The share of requests traced under load and in the sweep (--trace-sample); the latency phase traces every request.',
                num(),
              ),
              requests: doc('Requests traced: each a server span with its stages, upstream calls and Redis commands.', count()),
              spans: doc('Spans exported, of every kind.', count()),
              exportFailures: doc(
                'Batches an exporter refused (a collector that did not answer): their spans are missing from it.',
                count(),
              ),
              cost: doc(
                "What a traced request cost the API process beyond one not drawn for tracing, measured before the latency phase on this run's stack (the first run's with --runs): 4 rounds of 20 warm requests of one variant, 5 at a time, traced and not in turn, the process's CPU (exports included) per request. What every request pays once tracing is on, drawn or not (a hook, the channels' subscribers), is in both figures, so not in the difference.",
                strict({
                  variant: doc('The variant whose requests were timed (parallel when measured).', text()),
                  untracedCpuMs: doc('API CPU per request, untraced: the median of the 4 rounds, in ms.', nonNegative()),
                  addedCpuMs: doc(
                    "The CPU a traced request adds: the median of the rounds' differences, in ms (below 0 within noise).",
                    num(),
                  ),
                  requests: doc('Requests timed, traced and not: the n behind both figures.', Type.Integer({ minimum: 1 })),
                }),
              ),
            }),
          ),
        ),
      }),
    ),
    story: doc(
      'Whether the run reproduced the story: p50 in story order, and its first step against its last. Null when a story variant was not measured.',
      nullable(
        strict({
          ordered: doc('True when the warm p50s fall strictly in story order: naive > bulk > cached > parallel.', Type.Boolean()),
          naiveToParallelPercent: doc(
            "parallel's warm p50 against naive's: (parallel − naive) ÷ naive, in percent (negative: faster).",
            num(),
          ),
        }),
      ),
    ),
    scenario: doc('The resolved scenario, every field (scenario/types.ts).', ScenarioSchema),
    environment: doc(
      "The machine and the code, where the price cache lived, and this machine's calibration of each kind of hop.",
      EnvironmentSchema,
    ),
    roles: doc('Where each role ran: all on this machine unless placed by URL.', RolesSchema),
    cacheOutages: doc(
      "The steps during which the price cache was unavailable: Redis went away (a command failed or timed out), or lookups were skipped because too many commands were already waiting. The cached variants then answered from the pricing service, as they are built to, so those steps' figures include pricing calls. Empty on a healthy run.",
      Type.Array(CacheOutageSchema),
    ),
    variants: doc(
      "Each measured variant's figures, by name, in story order; with --runs, the first run's.",
      mapOf(VariantResultSchema, { minProperties: 1 }),
    ),
    runs: doc("Each run's own figures (one without --runs), in the order they ran.", Type.Array(RunSampleSchema, { minItems: 1 })),
    attribution: doc(
      "What each of the story's fixes is worth whatever order it comes in, from the eight combinations of the three: the model's figures in every run, and the measured p50s when all eight were measured (--ablation).",
      AttributionSchema,
    ),
    sliders: doc(
      "What the report's what-if sliders work out in the page without a server: each variant's calls as structures, at each page size the products slider stops at. Null in a run's later runs (the first run's are kept).",
      nullable(SlidersSchema),
    ),
    comparison: doc('Against --baseline; null without it.', nullable(ComparisonSchema)),
    thresholds: doc('The --threshold checks, in the order given; empty without them.', Type.Array(ThresholdSchema)),
  },
  { additionalProperties: false, $schema: 'http://json-schema.org/draft-07/schema#', title: 'api-speedup-lab results.json' },
)
export type Results = Static<typeof RESULTS_SCHEMA>
/** A run as measured, before the finishing step adds the comparison against a baseline and the --threshold checks (bench/finish.ts). */
export type MeasuredRun = Omit<Results, 'comparison' | 'thresholds'>

/** What a what-if measured of a variant at one value: the latency phase's figures beside the floor. */
const WhatIfMeasuredSchema = named(
  'WhatIfMeasured',
  strict({
    p50Ms: doc('Warm (or only) p50 over good answers, and its n; null when none came.', nullable(nonNegative())),
    samples: doc('Good answers in the warm (or only) case: the n of p50Ms; 0 when none came.', count()),
    coldP50Ms: doc(
      'p50 of the cold case (price cache flushed before each sample), in ms; null without a cold case or a good answer in it.',
      nullable(nonNegative()),
    ),
    coldSamples: doc(
      'Good answers in the cold case: the n of coldP50Ms; null without a cold case or a good answer in it.',
      nullable(count()),
    ),
    overheadMs: doc(
      "Warm (or only) p50 minus floorMs at this value, in ms, as in a run's variants; null without a floor or a good answer.",
      nullable(num()),
    ),
    overheadToleranceMs: doc('The fidelity target max(3 % of the floor, 5 ms), in ms; null without a floor.', nullable(nonNegative())),
    withinTolerance: doc('Whether |overheadMs| is within overheadToleranceMs; null without a floor or a p50.', nullable(Type.Boolean())),
    upstreamCalls: doc('Upstream calls per request, as the mocks counted them (warm case).', CallsSchema),
  }),
)
export type WhatIfMeasured = Static<typeof WhatIfMeasuredSchema>

const WhatIfVariantSchema = named(
  'WhatIfVariant',
  strict({
    notModelled: doc(
      'Why the lab has no model of this variant at this value (its virtual run threw, never answered, or looped); null when it has one.',
      nullable(text()),
    ),
    floorMs: doc(
      'Configured upstream latency on the critical path with the price cache warm, at this value, in ms; null when not modelled.',
      nullable(nonNegative()),
    ),
    coldFloorMs: doc('The same with the price cache empty, in ms; null when not modelled.', nullable(nonNegative())),
    model: doc("The rest of the variant's model at this value, as in a run; null when not modelled.", nullable(ModelSchema)),
    modelWallMs: doc(
      'Real time the model took for this variant at this value (cold and warm runs, the mix, the fault runs), in ms; null when its model process failed or found no variant file.',
      nullable(nonNegative()),
    ),
    measured: doc('Null when nothing was measured (--predict, or see notMeasured).', nullable(WhatIfMeasuredSchema)),
    notMeasured: doc(
      'Why this variant was not measured at this value while others were: its slower floor (warm or cold) is at or past 95 % of the deadline, so it would answer 504; null otherwise.',
      nullable(text()),
    ),
  }),
)
export type WhatIfVariant = Static<typeof WhatIfVariantSchema>

const WhatIfPointSchema = named(
  'WhatIfPoint',
  strict({
    value: doc("The varied parameter's value here; null without --vary.", nullable(num())),
    scenario: doc('The scenario resolved at this value, every field.', ScenarioSchema),
    valid: doc("As a run's: false when a body differed or a request failed in the latency phase (measured points only).", Type.Boolean()),
    problems: doc(
      "Why this value's measurement is not to be trusted, or why it could not be made, one sentence each; empty otherwise.",
      Type.Array(text()),
    ),
    cacheBackend: doc(
      "Where the price cache lived on this value's stack: `redis` or `in-process`; null when nothing was measured.",
      nullable(Type.Enum(CACHE_BACKENDS)),
    ),
    calibration: doc(
      "What a bare call from the API to an upstream cost on this value's stack, as a run's environment.calibration; null when nothing was measured.",
      nullable(CalibrationSchema),
    ),
    variants: doc(
      'Each variant at this value, by name: its model, and what was measured of it.',
      mapOf(WhatIfVariantSchema, { minProperties: 1 }),
    ),
    attribution: doc(
      "What each of the story's fixes is worth at this value whatever order it comes in, from the model of the eight combinations.",
      AttributionSchema,
    ),
  }),
)
export type WhatIfPoint = Static<typeof WhatIfPointSchema>

/**
 * JSON Schema of a what-if's results.json (--predict, --vary): each variant's model at one
 * scenario, or at each value of one parameter, and with --vary but not --predict, the
 * latency phase measured at each value too.
 */
export const WHAT_IF_SCHEMA = Type.Object(
  {
    schemaVersion: doc(
      `The contract's version, ${SCHEMA_VERSION} (SCHEMA_VERSION), shared with a measured run's.`,
      Type.Literal(SCHEMA_VERSION),
    ),
    kind: doc("`what-if`: a --predict or --vary; a measured run's file says `run`.", Type.Literal('what-if')),
    startedAt: doc('When the command started (ISO 8601, UTC).', Type.String({ pattern: ISO_DATE })),
    finishedAt: doc('When the last value was done, before the files were written (ISO 8601, UTC).', Type.String({ pattern: ISO_DATE })),
    durationSeconds: doc(
      'The whole command, in seconds, from its start to the finishing step: the model and every value measured.',
      nonNegative(),
    ),
    measured: doc(
      "True when each value's latency phase was measured (--vary without --predict); false for the model alone (--predict): nothing started or measured.",
      Type.Boolean(),
    ),
    valid: doc("False when a value's measurement was not to be trusted or could not be made; true for --predict.", Type.Boolean()),
    problems: doc(
      "Every value's problems, one sentence each, prefixed with its value under --vary (e.g. `latency=80: …`); empty when none.",
      Type.Array(text()),
    ),
    run: doc(
      "How the what-if ran: --quick, the variants, and the model's jitter mode.",
      strict({
        quick: doc(
          "Whether --quick was given: a 10-product page unless --products, and, when measured, --quick's fewer samples per value.",
          Type.Boolean(),
        ),
        variants: doc('The variants modelled, in story order.', Type.Array(text(), { minItems: 1 })),
        modelJitter: doc(
          "How the model counted each service's jitter: `mean` on every call (the default), `seed` drawn per call from the seed, or `none` (--model-jitter).",
          Type.Enum(JITTER_MODES),
        ),
      }),
    ),
    vary: doc(
      'The parameter varied: its flag (e.g. `latency`), what it sets, its unit, and the values in ascending order; null without --vary.',
      nullable(
        strict({
          parameter: doc('The flag varied, e.g. `latency`, `products`, `pricing-per-item`, `cache-ttl`.', text()),
          label: doc('What the parameter sets, in words, e.g. `base latency of every service`.', text()),
          unit: doc("The values' unit: `ms`, `s`, or empty for a count.", text()),
          values: doc('The values, ascending, whatever order they were given in.', Type.Array(num(), { minItems: 1 })),
        }),
      ),
    ),
    variants: doc(
      'Each variant, by name: its parent, summary and diff against its parent, as in a run.',
      mapOf(
        strict({
          parent: doc('The variant it improves on; null for a root.', nullable(text())),
          summary: doc("First sentence of the variant file's comment: what it changes.", text()),
          diffFromParent: doc("Unified diff of the variant's file against its parent's; null for a root.", nullable(text())),
        }),
        { minProperties: 1 },
      ),
    ),
    environment: doc(
      "The machine and the code: Node, OS, CPU, memory, git commit and tool versions (the cache and calibration are each point's).",
      MachineSchema,
    ),
    points: doc('One per value of the varied parameter, in order; one without --vary.', Type.Array(WhatIfPointSchema, { minItems: 1 })),
    sliders: doc(
      "As a run's: what the page's what-if sliders work out, at the scenario of a --predict; null with --vary (its page draws the values it was given).",
      nullable(SlidersSchema),
    ),
  },
  { additionalProperties: false, $schema: 'http://json-schema.org/draft-07/schema#', title: 'api-speedup-lab results.json (what-if)' },
)
export type WhatIf = Static<typeof WHAT_IF_SCHEMA>

/** The noise file's own version (noise.json): --noise FILE refuses another. */
export const NOISE_FILE_VERSION = 1

/**
 * noise.json: what an A/A measured (`npm run bench -- --aa --runs N`), the same code as two
 * interleaved sets of runs, and the T each figure's A/A implies; --noise FILE reads it.
 */
export const NOISE_SCHEMA = Type.Object(
  {
    kind: doc("Always `noise`: an A/A's noise file.", Type.Literal('noise')),
    version: doc(`The noise file's version, ${NOISE_FILE_VERSION}.`, Type.Literal(NOISE_FILE_VERSION)),
    createdAt: doc('When the A/A started (ISO 8601, UTC).', Type.String({ pattern: ISO_DATE })),
    gitCommit: doc('The commit measured (`+changes` when the tree was dirty); null outside git.', nullable(text())),
    environment: doc('Where it ran: CPU model × count, Node, OS; a comparison on another says so.', text()),
    scenario: doc("The A/A's scenario name; a comparison of another scenario says so.", text()),
    quick: doc('Whether the A/A was --quick: a run of the other kind says so.', Type.Boolean()),
    runs: doc('Runs in each set, interleaved A B B A A B …, so neither set always runs first.', Type.Integer({ minimum: 1 })),
    figures: doc(
      'One per variant and figure both sets measured.',
      Type.Array(
        strict({
          variant: doc('The variant, by name.', text()),
          metric: doc('The figure, as in a comparison: p50, rps@10, failures, …', text()),
          unit: doc('`ms`, `/s` or `%`.', text()),
          points: doc('True for a share (failures): effect, interval and T in points.', Type.Boolean()),
          a: doc("Set A's per-run values, in the figure's unit; empty when not estimable.", Type.Array(num())),
          b: doc("Set B's, the same way.", Type.Array(num())),
          effect: doc(
            "Set A against set B, as the A/A's results.json compares them: the ratio of medians − 1 in percent (points for a share); null when not estimable.",
            nullable(num()),
          ),
          low: doc(
            "Lower end of the effect's seeded bootstrap 95 % interval: how far apart the same code's two sets can seem.",
            nullable(num()),
          ),
          high: doc('Upper end of the same interval.', nullable(num())),
          t: doc(
            'The T this A/A implies: the farthest end of its interval from 0, rounded up to a tenth, at least 1 (percent, or points). What the same code measured twice, with this many runs, could show. Null when the figure was not estimable, lab-bound, below 4 runs a set, or had a median of 0: such a figure keeps the default T.',
            nullable(Type.Number({ minimum: MIN_MEASURED_T })),
          ),
        }),
      ),
    ),
  },
  { additionalProperties: false, $schema: 'http://json-schema.org/draft-07/schema#', title: 'api-speedup-lab noise.json' },
)
export type NoiseFile = Static<typeof NOISE_SCHEMA>
