/**
 * One benchmark run on a started stack, in order: check correctness, warm up, calibrate,
 * plan, then measure latency one request at a time, throughput under load and (--sweep)
 * peak load, and assemble results.json. Each phase lives in its own file; this one only
 * runs them in order. Rendering and writing are the caller's.
 */
import { join, relative } from 'node:path'
import { Pool } from 'undici'
import { assembleResults, type VariantInfo } from './assemble-results.ts'
import { CALIBRATION_ROUNDS, calibrateHops, calibrateUpstreamHop, MAX_CALLS_AT_ONCE, WARM_UP_CALLS } from './calibrate.ts'
import { fanOutWidths } from './hops.ts'
import { checkCorrectness, type CorrectnessCheck } from './check-correctness.ts'
import { expectedFailures, type VariantModel } from './floors.ts'
import { createHttpClient, type HttpClient } from './http-client.ts'
import { judgePeak } from './judge.ts'
import { runLatencyPhase } from './latency-phase.ts'
import { loadStream, runLoadPhase, warmsUpUnderLoad } from './load-phase.ts'
import { measureMixCase } from './mix-case.ts'
import { cacheOutcome, createTrafficMix, mixQuery, type MixRequest, type TrafficMix } from './traffic-mix.ts'
import type { PhaseContext } from './phase-context.ts'
import { planLoadLevels, planRun, probeMs, type Expectations, type Probe } from './plan.ts'
import { createStepRunner, type StepRunner } from './steps.ts'
import { createRawSamples, type RawSamples } from './raw-samples.ts'
import { runSweepPhase } from './sweep-phase.ts'
import { measureTraceCost, type TraceCost } from './trace-cost.ts'
import { assembleSliders, modelOtherStops } from './sliders.ts'
import type { Progress } from '../cli/progress.ts'
import { measures, type RunSettings } from '../cli/run-settings.ts'
import type { MeasuredRun, PeakLoad, Sliders } from '../record/results.ts'
import { modelVariants } from '../stack/model-process.ts'
import type { LoadInput, MixModel, ModelOutcome } from '../../model/types.ts'
import type { Stack } from '../stack/stack-roles.ts'
import type { TraceCounts } from '../../lab-api/protocol.ts'
import { TRACE_FILE, type TraceSettings } from '../../lab-api/trace-file.ts'
import { injectsFaults } from '../../scenario/faults.ts'
import { COMBINATION_VARIANTS } from '../../scenario/story.ts'
import type { Scenario } from '../../scenario/types.ts'
import { parseServerTiming } from '../../variants/shared/stage-timing.ts'

/**
 * `startedAt`: when the command started, so the run's duration includes starting the stack.
 * `modelled`: each variant's model when the caller has it already (a what-if, a --runs' later runs); else it is
 * derived here. Returns what was measured and the models it was read against.
 */
export async function runBench(
  scenario: Scenario,
  settings: RunSettings,
  stack: Stack,
  progress: Progress,
  startedAt = new Date(),
  modelled?: Record<string, ModelOutcome>,
): Promise<{ results: MeasuredRun; models: Record<string, ModelOutcome> }> {
  const { api, upstreams } = stack
  const client = createHttpClient(api.url)
  const steps = createStepRunner(progress, api, settings.trace)
  const raw = createRawSamples()
  try {
    const variants = await selectVariants(client, settings)
    const names = variants.map((v) => v.name)
    const path = `/products?page=1&limit=${scenario.productsPerPage}`
    const { mix, sample, mixChecked } = trafficOf(scenario, path)

    // Injected faults are off while the run checks correctness, warms up and fills the
    // cache, and on for every measurement.
    const faulty = injectsFaults(scenario)
    const setFaults = async (enabled: boolean): Promise<void> => {
      if (faulty) await upstreams.setFaults(enabled)
    }
    await setFaults(false)

    // Correctness first: identical bodies, or the run stops here. This round also warms up.
    const check = await steps.run({ phase: 'correctness', label: `same body from ${names.join(', ')}`, estimateMs: 0 }, () =>
      checkAll(api.url, names, path, mixChecked),
    )
    const probe = await warmUp(steps, stack, client, check, path)
    // What a bare call from the API to an upstream costs here, so the lab's overhead can be
    // read against it: measured now that both processes are warm.
    const calibrationSamples = settings.quick ? 10 : 25
    const calibration = await steps.run(
      {
        phase: 'calibration',
        label: 'a bare call from the API to an upstream',
        estimateMs: (CALIBRATION_ROUNDS * calibrationSamples + 10) * 42,
      },
      () => calibrateUpstreamHop(api, 'catalog', calibrationSamples),
    )
    // What each variant should cost, derived from its own code in virtual time (the first run; a --runs' later ones reuse it).
    const { outcomes, sliders } = modelled
      ? { outcomes: modelled, sliders: null }
      : await modelStep(steps, scenario, settings, names, mixInputOf(scenario, settings, names, probe, mix, sample))
    const { expected, mixModels, models, notModelled } = deriveModels(
      scenario,
      Object.fromEntries(names.map((name) => [name, outcomes[name]!])),
    )
    const hopCalibration = await calibrateOtherHops(
      steps,
      api,
      expected,
      settings.quick ? { samples: 5, warmUp: 5 } : { samples: calibrationSamples, warmUp: WARM_UP_CALLS },
    )
    const traceCost = settings.trace ? await traceCostStep(steps, api, client, names, path) : null
    const plan = planRun(scenario, settings, names, probe, expected, sample.length)
    progress.plan(plan.steps)
    await setFaults(true)

    const context = phaseContext({ client, stack, path, check, mix, raw, steps, probe, setFaults })
    const { latency, load, peak } = await measurePhases(context, scenario, plan, {
      expected,
      mixModels,
      sample,
      references: check.references,
    })
    const traced = await api.flushTraces()

    const results = await assembleResults({
      startedAt,
      scenario,
      settings,
      variants,
      path,
      faulty,
      cache: { backend: api.cacheBackend, description: stack.redis.description },
      calibration,
      hopCalibration,
      models,
      notModelled,
      outcomes,
      sliders,
      latency,
      load,
      peak,
      cacheOutages: steps.cacheOutages,
      raw,
      roles: stack.roles,
      trace: traced && traceRecord(settings.trace!, traced, traceCost!),
    })
    return { results, models: outcomes }
  } finally {
    await client.close()
  }
}

/** --trace, --otlp: what a traced request costs the API, on parallel when it is measured (else the last variant). */
async function traceCostStep(steps: StepRunner, api: Stack['api'], client: HttpClient, names: string[], path: string): Promise<TraceCost> {
  const variant = names.includes('parallel') ? 'parallel' : names[names.length - 1]!
  return steps.run(
    { phase: 'calibration', label: `what tracing costs the API: ${variant}, traced and not`, estimateMs: 3000 },
    async () => ({
      variant,
      ...(await measureTraceCost(api, `/${variant}${path}`)),
    }),
  )
}

/** What --trace and --otlp wrote and sent in this run, and what a traced request cost. */
function traceRecord(trace: TraceSettings, counts: TraceCounts, cost: TraceCost): NonNullable<MeasuredRun['run']['trace']> {
  const file = trace.dir ? relative(process.cwd(), join(trace.dir, TRACE_FILE)) : null
  return { file, otlpUrl: trace.otlpUrl ?? null, sample: trace.ratio, ...counts, cost }
}

/**
 * The model step, three model processes at once: the measured variants (with the mix), the eight
 * combinations of the story's fixes not among them (for what each fix is worth in any order:
 * attribution.ts), and every one of them at the other page sizes the report's sliders stop at.
 */
async function modelStep(
  steps: StepRunner,
  scenario: Scenario,
  settings: RunSettings,
  names: string[],
  mixInput: ReturnType<typeof mixInputOf>,
): Promise<{ outcomes: Record<string, ModelOutcome>; sliders: Sliders }> {
  const combinations = COMBINATION_VARIANTS.filter((name) => !names.includes(name))
  const jitter = settings.modelJitter
  return steps.run({ phase: 'model', label: `${names.join(', ')} in virtual time`, estimateMs: 6000 }, async () => {
    const [measuring, others, stops] = await Promise.all([
      modelVariants(scenario, names, { jitter, mix: mixInput, structure: 'also' }),
      modelVariants(scenario, combinations, { jitter, structure: 'also' }),
      modelOtherStops(scenario, [...names, ...combinations], jitter),
    ])
    const outcomes = { ...others, ...measuring }
    return { outcomes, sliders: assembleSliders(scenario, outcomes, stops) }
  })
}

/**
 * The traffic mix, and its sample: what the latency phase sends each variant after its own cases, and the model runs too.
 * The correctness check covers the sample's first distinct requests besides the measured one (without a sample, the
 * mix's most asked-for).
 */
function trafficOf(scenario: Scenario, path: string): { mix: TrafficMix; sample: MixRequest[]; mixChecked: string[] } {
  const mix = createTrafficMix(scenario)
  const sample = mix.kind === 'mix' ? mix.sequence(scenario.traffic.sample, MIX_SAMPLE_STREAM) : []
  const mixChecked =
    mix.kind === 'mix'
      ? [...new Set([...sample, ...mix.catalogue].map((r) => r.path))].filter((p) => p !== path).slice(0, MIX_PATHS_CHECKED)
      : []
  return { mix, sample, mixChecked }
}

/** Every variant and path at once, a connection each: identical bodies, or the run stops (CorrectnessError). */
async function checkAll(url: string, names: string[], path: string, mixChecked: string[]): Promise<CorrectnessCheck> {
  const checking = createHttpClient(url, undefined, names.length * (1 + mixChecked.length))
  try {
    return await checkCorrectness(checking, names, path, mixChecked)
  } finally {
    await checking.close()
  }
}

/** The mix the model runs in virtual time: the sample, the catalogue with each request's share, and the load levels' sequences. */
function mixInputOf(scenario: Scenario, settings: RunSettings, names: string[], probe: Probe, mix: TrafficMix, sample: MixRequest[]) {
  if (mix.kind !== 'mix') return undefined
  return {
    sample: sample.map(mixQuery),
    catalogue: mix.catalogue.map((r) => ({ query: mixQuery(r), share: r.share })),
    load: loadInput(mix, planLoadLevels(settings, names, probe), probe, scenario.productsPerPage),
  }
}

/** What the run reads each variant against, from its model: floors, saturation (the mix's, which the load phase sends), expected failures. */
function deriveModels(scenario: Scenario, outcomes: Record<string, ModelOutcome>) {
  const expected: Expectations = { floors: {}, saturation: {}, mixFloorsMs: {}, failurePercent: {} }
  const mixModels: Record<string, MixModel | null> = {}
  const models: Record<string, VariantModel> = {}
  const notModelled: Record<string, string> = {}
  for (const [name, outcome] of Object.entries(outcomes)) {
    if ('model' in outcome) {
      models[name] = outcome.model
      expected.floors[name] = outcome.model.floor
      expected.failurePercent[name] = {
        warm: expectedFailures(scenario, outcome.model, false).percent,
        cold: expectedFailures(scenario, outcome.model, true).percent,
      }
      // The load phase and the sweep send the mix: its saturation is the one to sweep around.
      expected.saturation[name] = outcome.model.mix?.saturation ?? outcome.model.saturation
      mixModels[name] = outcome.model.mix
      if (outcome.model.mix) expected.mixFloorsMs[name] = outcome.model.mix.requests.map((r) => r.floorMs)
    } else notModelled[name] = outcome.notModelled
  }
  return { expected, mixModels, models, notModelled }
}

/**
 * The other kinds of hop on the models' paths, so the overhead can be read hop by hop (hops.ts):
 * the request's own, each fan-out width, and a Redis read. `hopSamples`: a --quick run takes half
 * the calls (its figures per hop are rough; its other figures too).
 */
function calibrateOtherHops(steps: StepRunner, api: Stack['api'], expected: Expectations, hopSamples: { samples: number; warmUp: number }) {
  const widths = fanOutWidths(Object.values(expected.floors)).filter((k) => k <= MAX_CALLS_AT_ONCE)
  const kinds = 1 + widths.length + (api.cacheBackend === 'redis' ? 1 : 0)
  return steps.run(
    {
      phase: 'calibration',
      label: `the other hops: the request's own${widths.length ? `, ${widths.join(', ')} calls at once` : ''}${api.cacheBackend === 'redis' ? ', a Redis read' : ''}`,
      estimateMs: kinds * (CALIBRATION_ROUNDS * hopSamples.samples + hopSamples.warmUp) * 42,
    },
    () => calibrateHops(api, widths, hopSamples.samples, hopSamples.warmUp),
  )
}

/** What the measuring phases share: the target, the steps, and how to fill the price cache before a warm case or a level. */
function phaseContext({
  client,
  stack,
  path,
  check,
  mix,
  raw,
  steps,
  probe,
  setFaults,
}: {
  client: HttpClient
  stack: Stack
  path: string
  check: CorrectnessCheck
  mix: TrafficMix
  raw: RawSamples
  steps: StepRunner
  probe: Probe
  setFaults(enabled: boolean): Promise<void>
}): PhaseContext {
  const { api, upstreams } = stack
  return {
    client,
    api,
    upstreams,
    path,
    reference: check.reference,
    traffic: { mix, references: check.references },
    redisPid: stack.redis.pid,
    raw,
    run: (step, work) => steps.run(step, work),
    // A price list filled minutes earlier could expire mid-measurement, and the stampede to
    // pricing that follows would depend on how long the run had taken so far. Without
    // faults: under faults the last cold attempt may have failed to refill it.
    async fillCache(variant) {
      if (!probe.usesCache(variant)) return
      await setFaults(false)
      await api.flushCache()
      await client.get(`/${variant}${path}`)
      await setFaults(true)
    },
    async fillMix(variant) {
      if (!probe.usesCache(variant)) return
      await setFaults(false)
      await api.flushCache()
      await fetchAll(
        api.url,
        mix.catalogue.map((r) => `/${variant}${r.path}`),
        FILL_CONNECTIONS,
      )
      await setFaults(true)
    },
  }
}

/** The measurements, in order: latency one request at a time (and the mix's sample), the load levels, the sweep (--sweep). */
async function measurePhases(
  context: PhaseContext,
  scenario: Scenario,
  plan: ReturnType<typeof planRun>,
  {
    expected,
    mixModels,
    sample,
    references,
  }: { expected: Expectations; mixModels: Record<string, MixModel | null>; sample: MixRequest[]; references: Map<string, string> },
) {
  const latency = await runLatencyPhase(context, plan.cases)
  for (const c of plan.mixCases) {
    const spec = {
      variant: c.variant,
      requests: sample.slice(0, c.count),
      model: mixModels[c.variant] ?? null,
      references,
    }
    latency[c.variant] = { ...latency[c.variant], mix: await context.run(c.step, () => measureMixCase(context, spec)) }
  }
  const load = await runLoadPhase(
    context,
    plan.load,
    Object.fromEntries(Object.entries(mixModels).map(([name, m]) => [name, m?.load ?? []])),
  )
  const swept = await runSweepPhase(context, scenario.requestDeadlineMs, plan.sweep)
  const peak: Record<string, PeakLoad> = {}
  for (const { variant, predicted } of plan.sweep)
    peak[variant] = judgePeak(
      variant,
      scenario,
      predicted,
      expected.floors[variant]!,
      expected.failurePercent[variant]!.warm,
      swept[variant]!,
    )
  return { latency, load, peak }
}

/**
 * The load phase for the model to run in virtual time: the levels in the order they will run and
 * the sequences they send (the streams measureLoadLevel draws), long enough for a level of
 * requests half as long as the fastest probe, or each connection's count.
 */
function loadInput(
  mix: TrafficMix,
  levels: ReturnType<typeof planLoadLevels>,
  probe: Probe,
  productsPerPage: number,
): LoadInput | undefined {
  const fastestMs = Math.max(MIN_MODELLED_REQUEST_MS, Math.min(...levels.map((l) => probeMs(probe, l.variant))) / 2)
  const counts = new Map<string, number>()
  for (const { connections, length } of levels) {
    const perConnection =
      'durationSeconds' in length ? Math.ceil((length.durationSeconds * 1000) / fastestMs) + 1 : length.requestsPerConnection
    const stream = loadStream(connections)
    counts.set(stream, Math.max(counts.get(stream) ?? 0, connections * perConnection))
  }
  // Past MAX_MODELLED_REQUESTS a level is not modelled (its sequence would be long to send and to run): no level gets a model.
  if ([...counts.values()].some((count) => count > MAX_MODELLED_REQUESTS)) return undefined
  const streams = Object.fromEntries([...counts].map(([stream, count]) => [stream, mix.sequence(count, stream).map((r) => r.rank - 1)]))
  const byVariant: LoadInput['levels'] = {}
  const warmUp: Record<string, boolean> = {}
  for (const { variant, connections, length } of levels) {
    warmUp[variant] ??= warmsUpUnderLoad(length)
    byVariant[variant] = [...(byVariant[variant] ?? []), { connections, length, stream: loadStream(connections) }]
  }
  return { reference: { page: 1, limit: productsPerPage }, streams, levels: byVariant, warmUp }
}

/** A modelled level's requests are drawn for requests at least this long: bounds the sequence sent to the model process. */
const MIN_MODELLED_REQUEST_MS = 10
/** The longest sequence a level is modelled with (50 connections for 5 s of requests 10 ms long: 25,000); past it, the levels have no model. */
const MAX_MODELLED_REQUESTS = 100_000

/** Requests at once when the whole mix fills the cache before a sweep: pricing's workers, by default. */
const FILL_CONNECTIONS = 16

/** GETs every path, `connections` at a time; a failure is an error naming the path (the fill runs without faults). */
async function fetchAll(origin: string, paths: string[], connections: number): Promise<void> {
  const pool = new Pool(origin, { connections })
  try {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < paths.length) {
        const path = paths[next++]!
        const response = await pool.request({ method: 'GET', path })
        await response.body.text()
        if (response.statusCode !== 200)
          throw new Error(`Could not fill the price cache before the sweep: ${path} answered ${response.statusCode}.`)
      }
    }
    await Promise.all(Array.from({ length: Math.min(connections, paths.length) }, worker))
  } finally {
    await pool.close()
  }
}

/** The seeded stream the latency phase's mix sample is drawn from. */
const MIX_SAMPLE_STREAM = 'sample'
/** Requests of the mix's sample, besides the measured one, that the correctness check covers (the slowest variant's answer costs seconds each). */
const MIX_PATHS_CHECKED = 1

/** The variants the API serves, in story order; only those asked for by --variants. */
async function selectVariants(client: HttpClient, settings: RunSettings): Promise<VariantInfo[]> {
  const served = (JSON.parse((await client.get('/')).body) as { variants: VariantInfo[] }).variants
  return served.filter((v) => measures(settings, v.name))
}

/**
 * The first estimates, for the plan: one request per variant from the correctness check,
 * and, for the variants that use the price cache (their Server-Timing has a `cache` stage),
 * one warm request. The check's request was their cold one when it went on to pricing (the
 * cache starts empty, and the check sends every variant at once); otherwise (a price list
 * another variant had stored) the cache is emptied and one cold request timed first.
 */
async function warmUp(steps: StepRunner, stack: Stack, client: HttpClient, check: CorrectnessCheck, path: string): Promise<Probe> {
  const usesCache = (name: string): boolean =>
    parseServerTiming(check.answers[name]?.serverTiming ?? '').stages.some((stage) => stage.name === 'cache')
  const timeRequest = async (name: string): Promise<number> => {
    const started = performance.now()
    await client.get(`/${name}${path}`)
    return performance.now() - started
  }
  const probe: Probe = { coldMs: {}, warmMs: {}, usesCache }
  for (const [name, answer] of Object.entries(check.answers)) {
    probe.coldMs[name] = answer.ms
    if (!usesCache(name)) continue
    // The check's answer was cold when it went on to pricing (the cache starts empty): then one warm request is enough.
    const checkWasCold = cacheOutcome(answer.serverTiming) === 'miss'
    await steps.run(
      { phase: 'warm-up', label: `${name}, ${checkWasCold ? 'warm' : 'cold and warm'}`, estimateMs: checkWasCold ? 300 : answer.ms },
      async () => {
        if (!checkWasCold) {
          await stack.api.flushCache()
          probe.coldMs[name] = await timeRequest(name)
        }
        probe.warmMs[name] = await timeRequest(name)
      },
    )
  }
  return probe
}
