/**
 * results.json: the contract between a run and everything rendered from it (report.html,
 * summary.md, the terminal table, the README's table). Declared once, with TypeBox: each
 * schema below is the JSON Schema ajv checks every file against (write-results.ts, the
 * tests), and `Static<typeof …>` is the TypeScript type the code reads and writes, so the
 * two cannot drift. Documented field by field in results/README.md.
 */
import { Type, type Static, type TSchema } from 'typebox'
import { JITTER_MODES, SERVICE_NAMES, type Scenario, type ServiceName } from '../../scenario/types.ts'
import { CACHE_BACKENDS } from '../../variants/shared/cache-stats.ts'
import { STAGE_NAMES } from '../../variants/shared/stage-timing.ts'

/**
 * 12: the overhead counted per hop against this machine's calibration of each kind of hop
 * (environment.hopCalibration: the request's own hop, calls made several at once, a Redis read;
 * each variant's `hops`), and the model's `callsAtOnceOnPath`.
 * 10: repeated runs and comparisons (--runs, --baseline, npm run compare): `runs`, each run's
 * own figures with its raw latencies (bounded); `comparison`, the verdicts against a baseline;
 * `thresholds`, the --threshold checks; run.runs.
 * 9: swr (the price cache's getOrSet, bentocache): the price cache's counts have `stale`, the
 * hits served past their TTL; scenario.cacheGraceSeconds.
 * 7: the traffic mix (scenario.traffic): each variant's `mix` in the latency phase, with the
 * price cache's hits and misses as the API counted them and the model's expectation.
 * 6: each variant's whole model is recorded (`model`: calls, critical path, saturation,
 * expected failures, ideal waterfalls warm and cold), and `kind` tells a measured run
 * ('run') from a what-if (`--predict`, `--vary`; what-if.ts) (results/README.md).
 */
export const SCHEMA_VERSION = 14

const ISO_DATE = String.raw`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`
/**
 * `schema` described: a copy with `description`, so the JSON Schema documents every field (results/README.md is generated
 * from it, scripts/results-readme.ts) and a schema used in several places keeps each place's own words.
 */
const doc = <T extends TSchema>(description: string, schema: T): T =>
  Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(schema), description: { value: description, enumerable: true } }) as T
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
  strict(Object.fromEntries(SERVICE_NAMES.map((name) => [name, schema])) as Record<ServiceName, T>)
/** Responses per HTTP status, e.g. { "200": 180, "504": 12 }. */
const statusCounts = () => mapOf(count())

/** A p99 (p90) over fewer than 100 (20) values is not stated: null, and the max stands for the tail. */
const stated = () => nullable(nonNegative())

const LatencyStatsSchema = strict({
  samples: doc('The n of every figure below.', Type.Integer({ minimum: 1 })),
  p50Ms: nonNegative(),
  p75Ms: nonNegative(),
  p99Ms: stated(),
  meanMs: nonNegative(),
  minMs: nonNegative(),
  maxMs: nonNegative(),
  sdMs: nonNegative(),
  rme: doc('Relative margin of error of the mean, in percent (95 % confidence).', nonNegative()),
})
export type LatencyStats = Static<typeof LatencyStatsSchema>

/** Median start and duration of a stage, from Server-Timing. */
const StageSchema = strict({ name: Type.Enum(STAGE_NAMES), startMs: num(), durationMs: nonNegative() })

/** A Node process's event loop over a level: its busy share (perf_hooks' utilisation) and its delay p99, in ms. */
const LoopReadingSchema = strict({ utilizationPercent: Type.Number({ minimum: 0, maximum: 100 }), delayP99Ms: nonNegative() })
export type LoopReading = Static<typeof LoopReadingSchema>

/**
 * Is it the code or the machine? How busy the lab's own processes and the machine were during
 * a level, and whether that makes its figures the lab's rather than the code's (self-check.ts).
 */
const SelfCheckSchema = strict({
  cpuPercent: doc(
    "CPU over the level, in percent of one core, all threads: the harness (load generator), the API under test, the mocked upstreams, Redis; null where the OS does not tell or Redis is not the lab's.",
    strict({
      harness: nullable(nonNegative()),
      api: nullable(nonNegative()),
      upstreams: nullable(nonNegative()),
      redis: nullable(nonNegative()),
    }),
  ),
  machineCpuPercent: doc(
    "The whole machine's CPU over the level, in percent of all its cores; null where the OS does not tell.",
    nullable(Type.Number({ minimum: 0, maximum: 100 })),
  ),
  hostCpuPercent: doc(
    "The CPU of the API's and the upstreams' hosts over the level, in percent of all their cores, when they run on another host than the harness (another kernel); null when they share its machine (machineCpuPercent covers them).",
    strict({
      api: nullable(Type.Number({ minimum: 0, maximum: 100 })),
      upstreams: nullable(Type.Number({ minimum: 0, maximum: 100 })),
    }),
  ),
  eventLoop: doc(
    "Each Node process's event loop; null when it could not be read.",
    strict({ harness: LoopReadingSchema, api: nullable(LoopReadingSchema), upstreams: nullable(LoopReadingSchema) }),
  ),
  mockOvershoot: doc(
    "How much longer than configured the mocks held their served calls (all services), p50 and p99, in ms, and the calls' mean configured latency; null when none was served.",
    nullable(strict({ calls: Type.Integer({ minimum: 1 }), p50Ms: nonNegative(), p99Ms: nonNegative(), meanConfiguredMs: nonNegative() })),
  ),
  mockCpuMsPerCall: doc(
    "The mocked upstreams' CPU per call they received, in ms (all threads): what each upstream call costs the lab; null without a reading or a call.",
    nullable(nonNegative()),
  ),
  labBound: doc(
    "Why the level's figures are the lab's or the machine's rather than the code's, one sentence each; empty when none (self-check.ts, LAB_LIMITS).",
    Type.Array(text()),
  ),
})
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
  p50Ms: nonNegative(),
  p99Ms: stated(),
  maxMs: nonNegative(),
  errors: doc(
    "Requests that got no answer: a connection error (reset, refused), or (`timeouts`) none within the client's timeout. Each failure counts in one of the two.",
    count(),
  ),
  timeouts: count(),
  non2xx: count(),
  statusCodes: statusCounts(),
  mismatches: doc('2xx responses whose body differed from the reference body.', count()),
}

/**
 * One second of a load or sweep level (the last may be shorter): the answers that came in it,
 * and what the API counted in it (pricing calls begun, price-cache hits and lookups that were
 * not hits), read from the API every second; null when a reading failed.
 */
const TimelinePointSchema = strict({
  atSeconds: doc("The end of the second, from the level's first request, in seconds.", nonNegative()),
  seconds: nonNegative(),
  answers: count(),
  good: doc('2xx answers: the n of p50Ms, p99Ms (stated: null below 100) and maxMs; null without one.', count()),
  failed: count(),
  p50Ms: nullable(nonNegative()),
  p99Ms: stated(),
  maxMs: nullable(nonNegative()),
  pricingCalls: nullable(count()),
  cacheHits: nullable(count()),
  cacheMisses: nullable(count()),
})
export type TimelinePoint = Static<typeof TimelinePointSchema>

/** Price-cache lookups by outcome, as the API counted them (variants/shared/price-cache.ts, PriceCacheCounts). */
const PriceCacheSchema = strict({
  hits: count(),
  misses: count(),
  unusable: count(),
  unavailable: count(),
  stale: doc(
    'Of the hits, price lists served past their TTL, within the grace, while one request refreshed them (swr); 0 for the others.',
    count(),
  ),
})
export type PriceCacheFigures = Static<typeof PriceCacheSchema>

/** What the traffic mix did to a level: the cache's hits, the mean beside the mean of hits alone, pricing's load, the seconds. */
const trafficFigures = {
  meanMs: doc(
    'Mean of the 2xx answers (null without one), and of those whose Server-Timing says they hit the price cache / did not (a `pricing` stage after the `cache` one: a miss, an unusable value or Redis unavailable); null without one.',
    nullable(nonNegative()),
  ),
  meanHitMs: nullable(nonNegative()),
  meanMissMs: nullable(nonNegative()),
  priceCache: doc('The lookups of the level, counted by the API; null when it made none.', nullable(PriceCacheSchema)),
  hitRatio: nullable(Type.Number({ minimum: 0, maximum: 1 })),
  pricingCallsPerSec: doc('Pricing calls the API began, per second of the level.', nonNegative()),
  timeline: Type.Array(TimelinePointSchema),
}

const LoadLevelSchema = strict({
  ...answers,
  requestsPerConnection: doc(
    "Null: the level ran for the run's duration. A number: it ran until each connection had made that many requests (slow variants).",
    nullable(Type.Integer({ minimum: 1 })),
  ),
  requests: doc('Responses received (2xx and not).', count()),
  requestsPerSec: doc('Every answer per second, 2xx or not.', nonNegative()),
  goodPerSec: doc('Good answers per second: 2xx with the reference body.', nonNegative()),
  p90Ms: stated(),
  apiCpuMsPerRequest: doc(
    "CPU time (user + system) of the API process, all its threads, while requests were in flight, per request it handled (those the load generator dropped at the level's end included), in ms; null below 20.",
    nullable(nonNegative()),
  ),
  apiEventLoopMsPerRequest: doc(
    "The same for the event loop's thread alone: the requests' own work, without the runtime's helper threads; null where the OS does not tell.",
    nullable(nonNegative()),
  ),
  selfCheck: SelfCheckSchema,
  ...trafficFigures,
  model: doc(
    "The same level in virtual time (model/virtual-level.ts): the variant's own code sent the same sequence by as many connections, on upstreams with the scenario's workers and queues, without the lab's own time per request or injected faults. Null without a model, under traffic single, and in a what-if.",
    nullable(
      strict({
        requestsPerSec: nonNegative(),
        goodPerSec: nonNegative(),
        meanMs: doc('The mean time of the good answers, in ms; null without one.', nullable(nonNegative())),
        hitRatio: doc('Null without a price-cache lookup.', nullable(Type.Number({ minimum: 0, maximum: 1 }))),
        pricingCallsPerSec: nonNegative(),
        sequenceEnded: doc(
          "The sequence given to the model ran out before the level's end: its figures cover fewer requests.",
          Type.Boolean(),
        ),
      }),
    ),
  ),
})
export type LoadLevel = Static<typeof LoadLevelSchema>

/** What one mocked service saw during a sweep level. calls = served + rejected + cancelled. */
const UpstreamLevelSchema = strict({
  calls: count(),
  served: doc('Calls a worker finished and answered (an injected error too).', count()),
  rejected: doc('Calls refused with 503: every worker busy and the queue full.', count()),
  cancelled: doc('Calls the API gave up on (its deadline) before the answer.', count()),
  maxBusy: count(),
  queued: count(),
  longestWaitMs: nonNegative(),
  heldMsPerCall: doc(
    'Worker time per served call, from getting a worker to the answer written, and the latency configured for those calls; null when none was served.',
    nullable(nonNegative()),
  ),
  configuredMsPerCall: nullable(nonNegative()),
})

const SweepLevelSchema = strict({
  ...answers,
  offeredPerSec: doc('The fixed request rate offered (open model).', nonNegative()),
  requests: doc('Requests sent, on schedule.', count()),
  windowSeconds: doc('The steady window: the last three quarters of the sending time (the first is the ramp), in seconds.', nonNegative()),
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
    'Requests the generator sent more than 2 ms after they were due, in percent, and the latest, in ms: its own error.',
    Type.Number({ minimum: 0, maximum: 100 }),
  ),
  maxLateMs: nonNegative(),
  apiEventLoopPercent: doc(
    "CPU time of the API's event-loop thread while requests were in flight, over the level's duration (first send to last answer), in percent of one core; null where the OS does not tell.",
    nullable(Type.Number({ minimum: 0, maximum: 100 })),
  ),
  upstreams: perService(UpstreamLevelSchema),
  selfCheck: SelfCheckSchema,
  ...trafficFigures,
})
export type SweepLevel = Static<typeof SweepLevelSchema>

const PeakLoadSchema = strict({
  predictedPerSec: doc("Little's law on the scenario: the throughput at which the bottleneck's workers are all busy.", nonNegative()),
  bottleneck: Type.Enum(SERVICE_NAMES),
  measuredPerSec: doc(
    'The most good answers per second any level sustained: per level, the lower of its goodput (by send time, never above what was offered) and its throughput (by answer time: past saturation, the capacity).',
    nonNegative(),
  ),
  errorPercent: doc('measured ÷ predicted − 1, in percent.', num()),
  p99TargetMs: doc('p99 target of the knee: 2 × the floor, at most the deadline.', nonNegative()),
  kneePerSec: doc(
    'The highest offered load held (latency and queue not rising, p99 under target, no error, goodput ≥ 90 %); null if none was.',
    nullable(nonNegative()),
  ),
  verdict: doc('Why it holds or collapses, in one sentence.', text()),
  warnings: doc(
    'What makes the figures above doubtful, each naming its reason: a figure above the hard capacity, a generator that sent late.',
    Type.Array(text()),
  ),
  levels: Type.Array(SweepLevelSchema),
})
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
const CaseFailuresSchema = strict({
  ...failures,
  expectedPercent: doc(
    "The share the model expects to fail, in percent: with faults, from the variant's own code sent 1000 requests (warm; cold: 200) in virtual time with the faults drawn for each call (model.faults): 1 − Π (1 − fault rate of a service) ^ (its calls per request) when it failed exactly the requests a fault was drawn for (at least 30 of them), else the share those runs failed (a retry, a fallback got over some; or it failed some without one); without faults, 0. Null for a variant without a model.",
    nullable(Type.Number({ minimum: 0, maximum: 100 })),
  ),
  expectedCalls: doc('The calls per request (all services) the model expects: retries included, under faults.', nullable(nonNegative())),
})
export type CaseFailures = Static<typeof CaseFailuresSchema>
/** A latency case's failures as measured, before the expectation is set beside them. */
export type Failures = Omit<CaseFailures, 'expectedPercent' | 'expectedCalls'>

/** Upstream calls per request, per service, counted by the mocks. */
const CallsSchema = perService(nonNegative())

const FaultFiguresSchema = strict({
  requests: count(),
  failed: count(),
  faulted: doc(
    "Requests during which a fault was drawn; of those, the ones that succeeded (a retry, a fallback got over it); and requests that failed with none drawn (the deadline, the code's own timeout).",
    count(),
  ),
  absorbed: count(),
  failedWithoutFault: count(),
  calls: CallsSchema,
  saturationPerSec: nullable(nonNegative()),
  bottleneck: nullable(Type.Enum(SERVICE_NAMES)),
})

/** What a variant should cost, from its own code run in virtual time (model/), beyond its floor. */
export const ModelSchema = strict({
  callsOnPath: doc('Upstream calls on the critical path (warm): the chain whose answers set the floor.', count()),
  callsAtOnceOnPath: doc(
    'For each of them, in order: how many calls were in flight with it, itself included (1: alone; k: one of a fan-out of k).',
    Type.Array(Type.Integer({ minimum: 1 })),
  ),
  calls: doc('Calls per request to each service, warm and cold (the price cache filled, empty).', CallsSchema),
  coldCalls: CallsSchema,
  maxInFlight: doc('The most calls in flight at once, warm and cold.', count()),
  coldMaxInFlight: count(),
  demandMs: doc(
    "Worker time each request asks of each service (warm), in ms: its calls' configured latency, the jitter's mean and what injected hangs hold.",
    perService(nonNegative()),
  ),
  saturationPerSec: doc(
    "Little's law: the rate at which the bottleneck's workers are all busy; null when no call costs anything (it never saturates).",
    nullable(nonNegative()),
  ),
  bottleneck: nullable(Type.Enum(SERVICE_NAMES)),
  expectedFailurePercent: doc(
    "The share of requests the scenario's injected faults should fail, warm and cold, in percent (from `faults` when there are any).",
    Type.Number({ minimum: 0, maximum: 100 }),
  ),
  coldExpectedFailurePercent: Type.Number({ minimum: 0, maximum: 100 }),
  faults: doc(
    "With injected faults: the variant's own code sent page one `requests` times, one at a time, in virtual time, the faults drawn for every call from the scenario's seed (warm after one fill; cold with the cache emptied before each): how many `failed`, the `calls` per request to each service (retries included) and Little's law on them. Null without faults.",
    nullable(strict({ warm: FaultFiguresSchema, cold: FaultFiguresSchema })),
  ),
  stages: doc(
    "The ideal stage waterfall, warm and cold: each stage's start and duration in virtual time, if the lab cost nothing.",
    Type.Array(StageSchema),
  ),
  coldStages: Type.Array(StageSchema),
})
export type ModelFigures = Static<typeof ModelSchema>

/**
 * The traffic mix in the latency phase: the first `requests` of the scenario's seeded sample,
 * one at a time, to a variant whose price cache starts empty. Every variant is sent the same
 * sequence, as much of it as fits its budget (so a slow variant gets a shorter prefix: compare a
 * variant's hit ratio with its own model's, over the same prefix), and every body is checked
 * against the body the correctness check, or the first variant to answer that path, got.
 */
const MixSchema = strict({
  requests: Type.Integer({ minimum: 1 }),
  distinct: doc("Distinct requests among them: each one's first lookup cannot hit.", Type.Integer({ minimum: 1 })),
  latency: doc(
    'Over the good answers (200): n, p50, p99 (stated), mean and max, in ms; null when none came.',
    nullable(
      strict({ samples: Type.Integer({ minimum: 1 }), p50Ms: nonNegative(), p99Ms: stated(), meanMs: nonNegative(), maxMs: nonNegative() }),
    ),
  ),
  meanHitMs: doc(
    'The mean of the good answers that hit the price cache (Server-Timing: a cache stage and no pricing stage): the article\'s "for cached requests"; and of those that looked it up and went on to pricing. Null when there were none.',
    nullable(nonNegative()),
  ),
  meanMissMs: nullable(nonNegative()),
  priceCache: doc('The lookups, counted by the API; null for a variant that made none.', nullable(PriceCacheSchema)),
  hitRatio: doc('hits ÷ lookups; null without lookups.', nullable(Type.Number({ minimum: 0, maximum: 1 }))),
  expected: doc(
    "The model: the same requests in virtual time, its hit ratio (null without lookups) and mean floor; and Little's law over the whole mix with every price list cached (each distinct request's warm demand weighted by its share), the saturation the load and sweep phases, which send the mix, are judged against (null: no call costs anything). Null without a model.",
    nullable(
      strict({
        hitRatio: nullable(Type.Number({ minimum: 0, maximum: 1 })),
        meanFloorMs: nonNegative(),
        saturationPerSec: nullable(nonNegative()),
        bottleneck: nullable(Type.Enum(SERVICE_NAMES)),
      }),
    ),
  ),
  pricingCallsPerRequest: doc('Pricing calls per request, counted by the mocks.', nonNegative()),
  failed: doc('Requests that did not answer 200 (each is sent once, not tried again), by status.', count()),
  statusCodes: statusCounts(),
  mismatches: doc(
    '200s whose body differed from the body first recorded for the same path (by the correctness check, or by whichever variant answered it first).',
    count(),
  ),
})
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

const HopsSchema = strict({
  count: doc("Hops on the path: 1 (the request's own) + the calls on the path + the Redis reads on it.", Type.Integer({ minimum: 1 })),
  cacheReads: doc('The Redis reads alone on the path.', count()),
  calibratedMs: doc("The sum of the hops' calibrated overheads, in ms.", num()),
  beyondMs: num(),
  beyondPerHopMs: doc('beyondMs ÷ count.', num()),
  withinTarget: doc('beyondPerHopMs at most HOP_TARGET_MS (0.3 ms).', Type.Boolean()),
})

const VariantResultSchema = strict({
  parent: nullable(text()),
  summary: doc("First sentence of the variant file's comment: what it changes.", text()),
  notModelled: doc(
    'Why the lab has no model of this variant (its virtual run threw, never answered, or looped); null when it has one.',
    nullable(text()),
  ),
  floorMs: doc(
    "Configured upstream latency on the critical path (warm cache), from the variant's virtual run; null when it has no model.",
    nullable(nonNegative()),
  ),
  coldFloorMs: nullable(nonNegative()),
  overheadMs: doc("Measured p50 minus the floor: the lab's own overhead.", nullable(num())),
  overheadPerCallMs: doc('The overhead divided by the upstream calls on the critical path.', nullable(num())),
  overheadToleranceMs: doc("The lab's fidelity target: p50 within max(3 % of the floor, 5 ms) of the floor.", nullable(nonNegative())),
  withinTolerance: nullable(Type.Boolean()),
  hops: doc(
    "The overhead hop by hop, against this machine's calibration of each (environment.hopCalibration); null when not modelled, not measured, or a hop has no calibration.",
    nullable(HopsSchema),
  ),
  latency: doc('Warm (or only) measurement, over good answers; null when none came.', nullable(LatencyStatsSchema)),
  upstreamCalls: CallsSchema,
  maxInFlight: doc('The most upstream calls in flight at once across services.', count()),
  cacheReadsPerRequest: doc('Read round trips to Redis per request, warm, counted by the API (0 with the in-process map).', nonNegative()),
  stages: Type.Array(StageSchema),
  model: doc(
    "The rest of the variant's model (calls, saturation, expected failures, ideal waterfalls); null when not modelled.",
    nullable(ModelSchema),
  ),
  coldLatency: doc(
    'For variants that use the price cache: measured with the cache flushed before each sample.',
    nullable(LatencyStatsSchema),
  ),
  failures: CaseFailuresSchema,
  coldFailures: nullable(CaseFailuresSchema),
  coldUpstreamCalls: nullable(CallsSchema),
  coldStages: nullable(Type.Array(StageSchema)),
  mix: doc("The traffic mix's sample (scenario.traffic); null with traffic single.", nullable(MixSchema)),
  load: Type.Array(LoadLevelSchema),
  peakLoad: doc('The --sweep: offered load against goodput and latency; null when not swept or not modelled.', nullable(PeakLoadSchema)),
  diffFromParent: doc("Unified diff of this variant's file against its parent's; null for a root.", nullable(text())),
  errors: doc('Failed requests in the latency phase, warm and cold.', count()),
  mismatches: count(),
})
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
const CalibrationSchema = strict({
  waitMs: nonNegative(),
  samples: doc('Calls per round.', Type.Integer({ minimum: 1 })),
  rounds: Type.Integer({ minimum: 1 }),
  roundP50sMs: doc('The median call of each round, in ms.', Type.Array(nonNegative(), { minItems: 1 })),
  callP50Ms: doc("The median of the rounds' medians.", nonNegative()),
  overheadMs: doc('callP50Ms − waitMs: the least overhead an upstream call can have on this machine.', num()),
})
export type Calibration = Static<typeof CalibrationSchema>

/**
 * This machine's cost of each kind of hop on the variants' paths, bare: `request`, a bare call
 * from the harness to the API's own echo with the same wait (the request's own hop); `atOnce`,
 * by k (as a string), k bare calls from the API to the mocks' echo made together, from the first
 * call to the last answer (k = 1 is environment.calibration); `cacheRead`, a bare Redis GET from
 * the API after 40 ms idle (null with the in-process map, or when Redis did not answer every
 * read of it: `cacheReadUncalibrated` says why).
 */
const HopCalibrationSchema = strict({
  request: CalibrationSchema,
  atOnce: mapOf(CalibrationSchema),
  cacheRead: nullable(CalibrationSchema),
  cacheReadUncalibrated: nullable(text()),
  cacheReadRetries: doc(
    "How many times the Redis read's calibration was taken again after a read Redis did not answer in time (a busy moment): 0 to 2.",
    count(),
  ),
})
export type HopCalibration = Static<typeof HopCalibrationSchema>

/** The machine and the code: what a what-if records of its environment too. */
const machine = {
  node: text(),
  os: text(),
  cpuModel: text(),
  cpuCount: Type.Integer({ minimum: 1 }),
  memoryGiB: nonNegative(),
  gitCommit: nullable(text()),
  tools: mapOf(text()),
}
const MachineSchema = strict(machine)
export type Machine = Static<typeof MachineSchema>

const EnvironmentSchema = strict({
  ...machine,
  cacheBackend: Type.Enum(CACHE_BACKENDS),
  cache: doc('Where the cache lived, password redacted.', text()),
  calibration: CalibrationSchema,
  hopCalibration: HopCalibrationSchema,
})
export type Environment = Static<typeof EnvironmentSchema>

/** A host a role ran on (scenario/lab-roles.ts's HostInfo, without its boot id). */
const HostSchema = strict({ hostname: text(), cores: Type.Integer({ minimum: 1 }), cpuModel: text(), node: text(), platform: text() })
/**
 * A role's place: its URL, whether the user placed it by URL (--api, --upstreams) rather than the lab starting it, its host, and
 * whether that host is the load generator's machine (the same kernel: the same boot id); null when a side does not tell (off Linux).
 */
const PlacedRoleSchema = strict({ url: text(), placed: Type.Boolean(), host: HostSchema, sameMachine: nullable(Type.Boolean()) })
/** Where each role ran (docs/roles-on-hosts.md). */
const RolesSchema = strict({
  generator: doc('The harness: the load generator, the correctness check, the latency phase.', HostSchema),
  api: PlacedRoleSchema,
  upstreams: PlacedRoleSchema,
  redis: doc(
    'host:port of the Redis the API used, as the API names it (null: the in-process map), and whether it was given rather than started by the lab.',
    strict({ address: nullable(text()), placed: Type.Boolean() }),
  ),
})
export type Roles = Static<typeof RolesSchema>

const CacheOutageSchema = strict({
  phase: text(),
  step: doc('The step, as the progress line named it, e.g. "cached (warm cache), 50 samples".', text()),
  outages: doc('How many times Redis went away during it (one warning each).', count()),
  shedLookups: doc(
    'Lookups answered as misses without asking Redis, because scenario.cacheMaxPendingCommands were already waiting.',
    count(),
  ),
})
export type CacheOutage = Static<typeof CacheOutageSchema>

/** The scenario's own validation (scenario/resolve-scenario.ts) is the full check; here, its shape. */
const ScenarioSchema = Type.Unsafe<Scenario>(
  Type.Object({ name: text(), seed: count(), productsPerPage: Type.Integer({ minimum: 1 }), services: Type.Object({}) }),
)

/** One run's figures of one variant: what a comparison tests, run against run. */
const RunVariantSchema = strict({
  latency: doc(
    'One request at a time, warm (or only) case: its requests, failures, and the percentiles of its good answers.',
    strict({
      requests: count(),
      failed: count(),
      p50Ms: doc('Null when no request was answered.', nullable(nonNegative())),
      p90Ms: doc('Null below 20 good answers.', stated()),
      p99Ms: doc('Null below 300 good answers (MIN_ANSWERS_FOR_RUN_P99): "not estimable".', stated()),
      latenciesMs: doc("Every good answer's time, in ms (at most the latency phase's samples, 50).", Type.Array(nonNegative())),
    }),
  ),
  load: Type.Array(
    strict({
      connections: Type.Integer({ minimum: 1 }),
      sent: doc('Requests sent (answered, failed, timed out).', count()),
      failed: doc('Not a good answer: an error status, a different body, a connection error or a timeout.', count()),
      goodPerSec: nonNegative(),
      p50Ms: nullable(nonNegative()),
      p90Ms: stated(),
      p99Ms: stated(),
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
})
export type RunVariant = Static<typeof RunVariantSchema>

/** One run of a --runs N: a stack of its own (fresh API and upstream processes, an emptied cache). */
const RunSampleSchema = strict({
  startedAt: Type.String({ pattern: ISO_DATE }),
  valid: Type.Boolean(),
  calibrationOverheadMs: doc("The calibration's overhead in this run: how the machine's floor moved from run to run.", num()),
  variants: mapOf(RunVariantSchema, { minProperties: 1 }),
})
export type RunSample = Static<typeof RunSampleSchema>

/** 'lab-bound': a load level's figure where a run on either side was lab-bound; its change is the machine's, not judged. */
export const VERDICTS = ['regressed', 'improved', 'no change', 'inconclusive', 'too few runs', 'not estimable', 'lab-bound'] as const

/** This run against a saved one (--baseline), or two saved runs (npm run compare). */
const ComparisonSchema = strict({
  baseline: strict({ path: text(), startedAt: text(), gitCommit: nullable(text()), scenario: text(), runs: count() }),
  current: strict({ path: nullable(text()), startedAt: text(), gitCommit: nullable(text()), scenario: text(), runs: count() }),
  warnings: doc('Differences that make the comparison less fair: scenario, machine, Node, quick against full.', Type.Array(text())),
  noisePercent: doc('T, in percent: a change inside ±T is no change. max(5 %, --noise).', nonNegative()),
  noisePoints: doc('For shares (failures): the band in percentage points.', nonNegative()),
  alpha: doc('0.05, or 0.01 when more than 10 comparisons have a p-value.', nonNegative()),
  rows: Type.Array(
    strict({
      variant: text(),
      metric: doc('e.g. p50 (one request at a time), rps@50, p99@50, failures@50, failures.', text()),
      unit: text(),
      baselineRuns: count(),
      currentRuns: count(),
      baselineMedian: doc('Medians over the runs; null when not estimable on that side.', nullable(num())),
      currentMedian: nullable(num()),
      effect: doc('In percent (the ratio of medians − 1), or in points for a share; with its bootstrap 95 % interval.', nullable(num())),
      low: nullable(num()),
      high: nullable(num()),
      points: Type.Boolean(),
      p: doc('The exact two-sided Mann–Whitney U p; null below 4 runs a side or when not estimable.', nullable(nonNegative())),
      verdict: Type.Enum(VERDICTS),
    }),
  ),
  onlyInBaseline: doc('Variants measured on one side only: reported, not compared.', Type.Array(text())),
  onlyInCurrent: Type.Array(text()),
})
export type ComparisonFigures = Static<typeof ComparisonSchema>

/** A --threshold, checked against the median over the runs. */
const ThresholdSchema = strict({ expression: text(), value: nullable(num()), passed: Type.Boolean(), why: text() })
export type ThresholdCheck = Static<typeof ThresholdSchema>

/** JSON Schema (draft-07) of results.json, and through Static its type. */
export const RESULTS_SCHEMA = Type.Object(
  {
    schemaVersion: Type.Literal(SCHEMA_VERSION),
    kind: doc('A measured run; a what-if (--predict, --vary) has its own contract (what-if.ts).', Type.Literal('run')),
    startedAt: Type.String({ pattern: ISO_DATE }),
    finishedAt: Type.String({ pattern: ISO_DATE }),
    durationSeconds: nonNegative(),
    valid: doc(
      'False when a body differed from the reference, or a request failed in the latency phase: such numbers are not to be trusted. Errors under load are results, not this.',
      Type.Boolean(),
    ),
    problems: Type.Array(text()),
    run: strict({
      quick: Type.Boolean(),
      variants: Type.Array(text(), { minItems: 1 }),
      path: doc("The request measured, e.g. /products?page=1&limit=50 under each variant's prefix.", text()),
      connections: Type.Array(Type.Integer({ minimum: 1 })),
      durationSeconds: nonNegative(),
      sweep: Type.Boolean(),
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
    }),
    story: doc(
      'Whether the run reproduced the story: p50 in story order, and its first step against its last. Null when a story variant was not measured.',
      nullable(strict({ ordered: Type.Boolean(), naiveToParallelPercent: num() })),
    ),
    scenario: ScenarioSchema,
    environment: EnvironmentSchema,
    roles: doc('Where each role ran: all on this machine unless placed by URL.', RolesSchema),
    cacheOutages: doc(
      "The steps during which the price cache was unavailable: Redis went away (a command failed or timed out), or lookups were skipped because too many commands were already waiting. The cached variants then answered from the pricing service, as they are built to, so those steps' figures include pricing calls. Empty on a healthy run.",
      Type.Array(CacheOutageSchema),
    ),
    variants: mapOf(VariantResultSchema, { minProperties: 1 }),
    runs: doc("Each run's own figures (one without --runs), in the order they ran.", Type.Array(RunSampleSchema, { minItems: 1 })),
    comparison: doc('Against --baseline; null without it.', nullable(ComparisonSchema)),
    thresholds: doc('The --threshold checks, in the order given; empty without them.', Type.Array(ThresholdSchema)),
  },
  { additionalProperties: false, $schema: 'http://json-schema.org/draft-07/schema#', title: 'api-speedup-lab results.json' },
)
export type Results = Static<typeof RESULTS_SCHEMA>
/** A run as measured, before the finishing step adds the comparison against a baseline and the --threshold checks (bench/finish.ts). */
export type MeasuredRun = Omit<Results, 'comparison' | 'thresholds'>

/** What a what-if measured of a variant at one value: the latency phase's figures beside the floor. */
const WhatIfMeasuredSchema = strict({
  p50Ms: doc('Warm (or only) p50 over good answers, and its n; null when none came.', nullable(nonNegative())),
  samples: count(),
  coldP50Ms: nullable(nonNegative()),
  coldSamples: nullable(count()),
  overheadMs: doc(
    "As in a run's variants: p50 − floor, the tolerance max(3 % of the floor, 5 ms), and whether it was within.",
    nullable(num()),
  ),
  overheadToleranceMs: nullable(nonNegative()),
  withinTolerance: nullable(Type.Boolean()),
  upstreamCalls: doc('Upstream calls per request, as the mocks counted them (warm case).', CallsSchema),
})
export type WhatIfMeasured = Static<typeof WhatIfMeasuredSchema>

const WhatIfVariantSchema = strict({
  notModelled: nullable(text()),
  floorMs: nullable(nonNegative()),
  coldFloorMs: nullable(nonNegative()),
  model: nullable(ModelSchema),
  modelWallMs: doc(
    "Real time the model took for this variant (its virtual runs, cold and warm), in ms: the model's own cost.",
    nullable(nonNegative()),
  ),
  measured: doc('Null when nothing was measured (--predict, or see notMeasured).', nullable(WhatIfMeasuredSchema)),
  notMeasured: doc(
    'Why this variant was not measured at this value while others were (its floor is past the deadline: it would answer 504); null otherwise.',
    nullable(text()),
  ),
})
export type WhatIfVariant = Static<typeof WhatIfVariantSchema>

const WhatIfPointSchema = strict({
  value: doc("The varied parameter's value here; null without --vary.", nullable(num())),
  scenario: ScenarioSchema,
  valid: doc("As a run's: false when a body differed or a request failed in the latency phase (measured points only).", Type.Boolean()),
  problems: Type.Array(text()),
  cacheBackend: doc(
    'Measured points: where the cache lived, and what a bare call from the API to an upstream cost here.',
    nullable(Type.Enum(CACHE_BACKENDS)),
  ),
  calibration: nullable(CalibrationSchema),
  variants: mapOf(WhatIfVariantSchema, { minProperties: 1 }),
})
export type WhatIfPoint = Static<typeof WhatIfPointSchema>

/**
 * JSON Schema of a what-if's results.json (--predict, --vary): each variant's model at one
 * scenario, or at each value of one parameter, and with --vary but not --predict, the
 * latency phase measured at each value too.
 */
export const WHAT_IF_SCHEMA = Type.Object(
  {
    schemaVersion: Type.Literal(SCHEMA_VERSION),
    kind: Type.Literal('what-if'),
    startedAt: Type.String({ pattern: ISO_DATE }),
    finishedAt: Type.String({ pattern: ISO_DATE }),
    durationSeconds: nonNegative(),
    measured: doc('False: the model alone (--predict), nothing started or measured.', Type.Boolean()),
    valid: Type.Boolean(),
    problems: Type.Array(text()),
    run: strict({ quick: Type.Boolean(), variants: Type.Array(text(), { minItems: 1 }), modelJitter: Type.Enum(JITTER_MODES) }),
    vary: doc(
      'The parameter varied: its flag (e.g. "latency"), what it sets, in which unit, and the values in the order given; null without --vary.',
      nullable(strict({ parameter: text(), label: text(), unit: text(), values: Type.Array(num(), { minItems: 1 }) })),
    ),
    variants: mapOf(strict({ parent: nullable(text()), summary: text(), diffFromParent: nullable(text()) }), { minProperties: 1 }),
    environment: MachineSchema,
    points: doc('One per value of the varied parameter, in order; one without --vary.', Type.Array(WhatIfPointSchema, { minItems: 1 })),
  },
  { additionalProperties: false, $schema: 'http://json-schema.org/draft-07/schema#', title: 'api-speedup-lab results.json (what-if)' },
)
export type WhatIf = Static<typeof WHAT_IF_SCHEMA>
