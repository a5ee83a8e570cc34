/**
 * One benchmark run: start the stack (Redis, the upstream process, the API process),
 * check correctness, measure latency one request at a time, then throughput under load,
 * and assemble results.json. Rendering and writing are the caller's.
 */
import { startApiProcess, type ApiProcess } from './api-process.ts'
import { calibrateLoopback } from './calibrate.ts'
import { checkCorrectness } from './check-correctness.ts'
import { diffAgainstParent, summarizeVariant } from './code-diffs.ts'
import { describeEnvironment } from './environment.ts'
import { computeFloors, computeSaturation, expectedFailurePercent, type Saturation } from './floors.ts'
import { createHttpClient } from './http-client.ts'
import { MAX_FAILURES_IN_A_ROW, measureLatencyCase, planSamples, round, type LatencyContext } from './latency-phase.ts'
import { estimateLevelMs, measureLoadLevel, planLevelLength, type LevelLength } from './load-phase.ts'
import type { Progress, Step } from './progress.ts'
import { formatMs, formatStatuses, nonOkStatuses } from './report-model.ts'
import { SCHEMA_VERSION, type LatencyCase, type CacheOutage, type LoadLevel, type PeakLoad, type Results, type SweepLevel, type VariantResult } from './results.ts'
import { findKnee, measureSweepLevel, sweepLevelSeconds, SWEEP_FACTORS } from './sweep-phase.ts'
import type { RunSettings } from './run-settings.ts'
import { injectsFaults, type Scenario, type ServiceName } from './scenario.ts'
import { startRedis, type RunningRedis } from './start-cache.ts'
import { startUpstreamProcess, type UpstreamProcess } from './upstream-process.ts'
import { parseServerTiming } from '../variants/shared/stage-timing.ts'

export interface Stack {
  redis: RunningRedis
  upstreams: UpstreamProcess
  api: ApiProcess
  /** Stops whatever was started, last started first. Safe to call twice. */
  stop(): Promise<void>
}

/** Starts Redis, the upstreams and the API; if any part fails, stops what had started. */
export async function startStack(scenario: Scenario, redisUrl: string | undefined, warn: (message: string) => void, onStarted?: (stop: () => Promise<void>) => void): Promise<Stack> {
  const stops: Array<() => Promise<void>> = []
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const stopPart of stops.reverse()) await stopPart().catch(() => {})
    })())
  onStarted?.(stop)
  try {
    const redis = await startRedis({ redisUrl, warn })
    stops.push(redis.stop)
    const upstreams = await startUpstreamProcess(scenario)
    stops.push(upstreams.stop)
    const api = await startApiProcess(scenario, upstreams.urls, redis.url)
    stops.push(api.stop)
    return { redis, upstreams, api, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

export interface VariantInfo {
  name: string
  parent: string | null
}

/** `startedAt`: when the command started, so the run's duration includes starting the stack. */
export async function runBench(scenario: Scenario, settings: RunSettings, stack: Stack, progress: Progress, startedAt = new Date()): Promise<Results> {
  const { api, upstreams } = stack
  const client = createHttpClient(api.url)
  // Every step runs through here, which notes the steps during which the cache was
  // unavailable (Redis away, or lookups shed): the cached variants then answered from
  // pricing, and the report says where.
  const cacheOutages: CacheOutage[] = []
  let before = { outages: 0, shedLookups: 0 }
  const run = async <T>(step: Step, work: () => Promise<T>): Promise<T> => {
    const result = await progress.run(step, work)
    const usage = await api.usage()
    const now = { outages: usage.cacheOutages, shedLookups: usage.cacheShedLookups }
    const outages = now.outages - before.outages
    const shedLookups = now.shedLookups - before.shedLookups
    if (outages || shedLookups) cacheOutages.push({ phase: step.phase, step: step.label, outages, shedLookups })
    before = now
    return result
  }
  try {
    const served = (JSON.parse((await client.get('/')).body) as { variants: VariantInfo[] }).variants
    const selected = settings.variants.length ? served.filter((v) => settings.variants.includes(v.name)) : served
    const names = selected.map((v) => v.name)
    const path = `/products?page=1&limit=${scenario.productsPerPage}`

    // 0. What a bare loopback call costs here, so the lab's overhead can be read against it.
    const calibrationSamples = settings.quick ? 10 : 25
    const calibration = await run({ phase: 'calibration', label: 'a bare loopback call', estimateMs: (calibrationSamples + 3) * 42 }, () =>
      calibrateLoopback(upstreams.urls.catalog, calibrationSamples),
    )

    // Injected faults are off while the run checks correctness and warms up, and on for
    // every measurement after.
    const faulty = injectsFaults(scenario)
    if (faulty) await upstreams.setFaults(false)

    // 1. Correctness first: identical bodies, or the run stops here. This round also warms up.
    const check = await run({ phase: 'correctness', label: `same body from ${names.join(', ')}`, estimateMs: 0 }, () =>
      checkCorrectness(client, names, path),
    )
    const page = JSON.parse(check.reference) as { items: { category: { id: number } }[] }
    const pageShape = { products: page.items.length, categories: new Set(page.items.map((item) => item.category.id)).size }
    const usesCache = (name: string): boolean =>
      parseServerTiming(check.answers[name]?.serverTiming ?? '').stages.some((stage) => stage.name === 'cache')

    // For the variants that use the cache: time a cold and a warm request, which also
    // leaves the cache warm. (Variants share the price list, so the check may have been warm.)
    const coldMs: Record<string, number> = {}
    const warmMs: Record<string, number> = {}
    const timeRequest = async (name: string): Promise<number> => {
      const started = performance.now()
      await client.get(`/${name}${path}`)
      return performance.now() - started
    }
    for (const name of names) {
      coldMs[name] = check.answers[name]!.ms
      if (!usesCache(name)) continue
      await run({ phase: 'warm-up', label: `${name}, cold and warm`, estimateMs: check.answers[name]!.ms }, async () => {
        await api.flushCache()
        coldMs[name] = await timeRequest(name)
        warmMs[name] = await timeRequest(name)
      })
    }

    // 2. Plan: samples per case from the time one request took, load levels from --duration.
    const plan = (ms: number): number => planSamples(ms, settings.latencyBudgetMs, settings.minSamples, settings.maxSamples)
    const floors = computeFloors(scenario, pageShape)
    // Under injected faults a sample takes 1 / (1 − the share expected to fail) requests.
    const attempts = (name: string, cold: boolean): number => {
      const calls = cold ? floors[name]?.coldCalls : floors[name]?.calls
      return calls ? Math.min(MAX_FAILURES_IN_A_ROW, 1 / Math.max(0.05, 1 - expectedFailurePercent(scenario, calls) / 100)) : 1
    }
    const cases = names.flatMap((name) => {
      const cold = coldMs[name]!
      const warm = warmMs[name] ?? cold
      const warmCase = { variant: name, cold: false, samples: plan(warm), estimateMs: plan(warm) * warm * attempts(name, false) }
      if (!usesCache(name)) return [warmCase]
      return [{ variant: name, cold: true, samples: plan(cold), estimateMs: plan(cold) * (cold + 1) * attempts(name, true) }, warmCase]
    })
    const caseStep = (c: (typeof cases)[number]): Step => ({
      phase: 'latency',
      label: `${c.variant}${c.cold ? ' (cold cache)' : usesCache(c.variant) ? ' (warm cache)' : ''}, ${c.samples} samples`,
      estimateMs: c.estimateMs,
    })
    const levelLength = (name: string): LevelLength => planLevelLength(settings.durationSeconds, warmMs[name] ?? coldMs[name]!)
    const loadStep = (name: string, connections: number): Step => {
      const length = levelLength(name)
      return {
        phase: 'load',
        label: `${name}, ${connections} connection${connections === 1 ? '' : 's'}, ${'durationSeconds' in length ? `${length.durationSeconds}s` : `${length.requestsPerConnection} requests each`}`,
        estimateMs: estimateLevelMs(length, warmMs[name] ?? coldMs[name]!) + 300,
      }
    }
    progress.plan(cases.map(caseStep))
    progress.plan(names.flatMap((name) => settings.connections.map((connections) => loadStep(name, connections))))
    const saturation = computeSaturation(scenario, pageShape)
    const swept = settings.sweep ? names.filter((name) => saturation[name] && floors[name]) : []
    const levelSeconds = (name: string, factor: number): number =>
      sweepLevelSeconds(settings.durationSeconds, warmMs[name] ?? coldMs[name]!, factor, scenario.requestDeadlineMs)
    const sweepStep = (name: string, factor: number): Step => ({
      phase: 'sweep',
      label: `${name}, ${(saturation[name]!.perSec * factor).toFixed(1)} req/s for ${levelSeconds(name, factor)}s`,
      estimateMs: levelSeconds(name, factor) * 1000 + 500,
    })
    progress.plan(swept.flatMap((name) => SWEEP_FACTORS.map((factor) => sweepStep(name, factor))))

    if (faulty) await upstreams.setFaults(true)

    // What is measured warm, at load and in the sweep starts from a cache filled just before,
    // with the full TTL and without faults (under faults the last cold attempt may have failed
    // to refill it). Otherwise a price list filled minutes earlier could expire mid-level, and
    // the stampede to pricing that follows would depend on how long the run had taken so far.
    const fillCache = async (name: string): Promise<void> => {
      if (!usesCache(name)) return
      if (faulty) await upstreams.setFaults(false)
      await api.flushCache()
      await client.get(`/${name}${path}`)
      if (faulty) await upstreams.setFaults(true)
    }

    // 3. Latency, one request at a time.
    const context: LatencyContext = { client, api, upstreams, path, reference: check.reference }
    const measured: Record<string, { warm?: LatencyCase; cold?: LatencyCase }> = {}
    for (const c of cases) {
      if (!c.cold) await fillCache(c.variant)
      const result = await run(caseStep(c), () => measureLatencyCase(context, c))
      measured[c.variant] = { ...measured[c.variant], [c.cold ? 'cold' : 'warm']: result }
    }

    // 4. Load, one variant and level at a time.
    const load: Record<string, LoadLevel[]> = {}
    for (const name of names) {
      await fillCache(name)
      for (const connections of settings.connections) {
        const level = await run(loadStep(name, connections), () =>
          measureLoadLevel({ api, path, reference: check.reference }, name, connections, levelLength(name)),
        )
        load[name] = [...(load[name] ?? []), level]
      }
    }

    // 5. Peak load (--sweep): fixed request rates around each variant's predicted saturation.
    const peak: Record<string, PeakLoad> = {}
    for (const name of swept) {
      await fillCache(name)
      const predicted = saturation[name]!
      const levels = []
      for (const factor of SWEEP_FACTORS) {
        levels.push(
          await run(sweepStep(name, factor), () =>
            measureSweepLevel(
              { api, upstreams, path, reference: check.reference, deadlineMs: scenario.requestDeadlineMs },
              name,
              predicted.perSec * factor,
              levelSeconds(name, factor),
            ),
          ),
        )
      }
      const p99TargetMs = Math.min(2 * floors[name]!.warmMs, scenario.requestDeadlineMs)
      const measuredPerSec = Math.max(...levels.map((l) => l.goodputPerSec))
      peak[name] = {
        predictedPerSec: round(predicted.perSec),
        bottleneck: predicted.bottleneck,
        measuredPerSec,
        errorPercent: round((measuredPerSec / predicted.perSec - 1) * 100, 1),
        p99TargetMs,
        kneePerSec: findKnee(levels, p99TargetMs, expectedFailurePercent(scenario, floors[name]!.calls) / 100)?.offeredPerSec ?? null,
        verdict: describePeak(name, scenario, predicted, measuredPerSec, levels),
        levels,
      }
    }

    // 6. Results.
    const variants: Record<string, VariantResult> = {}
    const problems: string[] = []
    for (const { name, parent } of selected) {
      const { warm, cold } = measured[name]!
      if (!warm) throw new Error(`No warm measurement for ${name}`)
      const floor = floors[name]
      const overheadMs = floor && warm.latency ? round(warm.latency.p50Ms - floor.warmMs) : null
      const toleranceMs = floor ? round(Math.max(0.03 * floor.warmMs, 5)) : null
      const expected = (calls: Record<ServiceName, number> | undefined) => ({
        expectedPercent: calls ? expectedFailurePercent(scenario, calls) : null,
        expectedCalls: calls ? Object.values(calls).reduce((sum, n) => sum + n, 0) : null,
      })
      variants[name] = {
        parent,
        summary: await summarizeVariant(name),
        floorMs: floor?.warmMs ?? null,
        coldFloorMs: floor ? floor.coldMs : null,
        overheadMs,
        overheadPerCallMs: floor && overheadMs !== null ? round(overheadMs / floor.callsOnPath) : null,
        overheadToleranceMs: toleranceMs,
        withinTolerance: overheadMs !== null && toleranceMs !== null ? Math.abs(overheadMs) <= toleranceMs : null,
        latency: warm.latency,
        upstreamCalls: warm.upstreamCalls,
        maxInFlight: warm.maxInFlight,
        stages: warm.stages,
        coldLatency: cold?.latency ?? null,
        coldUpstreamCalls: cold?.upstreamCalls ?? null,
        coldStages: cold?.stages ?? null,
        failures: { ...warm.failures, ...expected(floor?.calls) },
        coldFailures: cold ? { ...cold.failures, ...expected(floor?.coldCalls) } : null,
        load: load[name] ?? [],
        peakLoad: peak[name] ?? null,
        diffFromParent: await diffAgainstParent(name, parent),
        errors: warm.failures.failed + (cold?.failures.failed ?? 0),
        mismatches: warm.mismatches + (cold?.mismatches ?? 0),
      }
      const v = variants[name]!
      // Under injected faults, a 502 or 504 is a result (the variant's exposure to them);
      // anything else, or any failure without faults, means the numbers cannot be trusted.
      const statuses = { ...warm.failures.statusCodes }
      for (const [status, n] of Object.entries(cold?.failures.statusCodes ?? {})) statuses[status] = (statuses[status] ?? 0) + n
      const unexplained = Object.entries(statuses).filter(([status]) => !faulty || (status !== '502' && status !== '504'))
      if (unexplained.length) {
        const total = unexplained.reduce((sum, [, n]) => sum + n, 0)
        problems.push(`${name}: ${total} failed request(s) in the latency phase (${formatStatuses(Object.fromEntries(unexplained))})${faulty ? ' not explained by the injected faults' : ''}`)
      }
      if (!warm.latency && !faulty) problems.push(`${name}: no good answer in the latency phase`)
      if (v.mismatches) problems.push(`${name}: ${v.mismatches} response(s) in the latency phase differed from the reference body`)
      // Under load, errors, timeouts and 503/504s are results (a variant collapsing at peak
      // is the story), reported in every rendering. A wrong body is never a result.
      for (const level of v.load) {
        if (level.mismatches) problems.push(`${name} at ${level.connections} connections: ${level.mismatches} response(s) differed from the reference body`)
      }
    }
    const finishedAt = new Date()
    return {
      schemaVersion: SCHEMA_VERSION,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationSeconds: round((finishedAt.getTime() - startedAt.getTime()) / 1000, 1),
      valid: problems.length === 0,
      problems,
      run: { quick: settings.quick, variants: names, path, connections: settings.connections, durationSeconds: settings.durationSeconds, sweep: settings.sweep },
      story: storyCheck(variants),
      scenario,
      environment: describeEnvironment(api.cacheBackend, stack.redis.description, calibration),
      cacheOutages,
      variants,
    }
  } finally {
    await client.close()
  }
}

/** The story reproduced? p50 ordering naive > bulk > cached > parallel, and the change naive → parallel. */
function storyCheck(variants: Record<string, VariantResult>): Results['story'] {
  const p50s = ['naive', 'bulk', 'cached', 'parallel'].map((name) => variants[name]?.latency?.p50Ms)
  // A variant that was not measured, or never answered under injected faults: no story to tell.
  if (p50s.some((p50) => p50 === undefined)) return null
  const [naive, bulk, cached, parallel] = p50s as [number, number, number, number]
  return { ordered: naive > bulk && bulk > cached && cached > parallel, naiveToParallelPercent: round(((parallel - naive) / naive) * 100, 1) }
}

/** One sentence: why a variant holds or collapses, and which service saturates first. */
function describePeak(name: string, scenario: Scenario, predicted: Saturation, measuredPerSec: number, levels: SweepLevel[]): string {
  const service: ServiceName = predicted.bottleneck
  const workers = scenario.services[service].workers
  const demand = predicted.demandSeconds[service]
  const top = levels.at(-1)
  const because = `${service} saturates first: ${workers} workers ÷ ${round(demand, 3)} s of ${service} per request = ${round(predicted.perSec, 1)} req/s predicted, ${round(measuredPerSec, 1)} measured`
  if (!top) return `${name}: ${because}.`
  const failed = top.errors + top.timeouts + top.non2xx
  const failedCodes = nonOkStatuses(top.statusCodes)
  const wait = top.upstreams[service].longestWaitMs
  // Short of the prediction: the bottleneck's workers were held longer than configured,
  // which on a small machine is the CPU the load generator, the API and the mocks share.
  const heldMs = measuredPerSec > 0 ? (workers / measuredPerSec) * 1000 : 0
  const short = measuredPerSec < 0.75 * predicted.perSec
  const offered = `at ${round(top.offeredPerSec, 1)} req/s offered`
  const outcome =
    top.requests + failed === 0
      ? `${offered} no request came back within the level (${top.durationSeconds} s); calls waited up to ${Math.round(wait)} ms for a worker of ${service}`
      : failed
        ? `${offered} calls waited up to ${Math.round(wait)} ms for a worker of ${service} and ${failed} requests failed${Object.keys(failedCodes).length ? ` (${formatStatuses(failedCodes)})` : ''}, p99 ${formatMs(top.p99Ms)}`
        : `${offered} it still answered every request, p99 ${formatMs(top.p99Ms)} (longest wait for a worker of ${service}: ${Math.round(wait)} ms)`
  const shortfall = short
    ? ` Measured ${Math.round((1 - measuredPerSec / predicted.perSec) * 100)} % below the prediction: at its best, ${service} took ${Math.round(heldMs)} ms of worker time per request instead of the configured ${Math.round(demand * 1000)} ms — the machine's CPU, shared by the load generator, the API and the mocks, held the workers longer.`
    : ''
  return `${name}: ${because}; ${outcome}.${shortfall}`
}
