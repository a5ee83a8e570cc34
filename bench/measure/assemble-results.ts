/**
 * results.json from what a run measured: each variant's figures beside its model and its
 * code, the verdicts, and the run's context (scenario, environment, calibration).
 */
import { inOverview } from '../cli/run-settings.ts'
import { expectedFailures, recordModel, type VariantModel } from './floors.ts'
import { cacheReadsOnPath, judgeHops } from './hops.ts'
import { findProblems, judgeFidelity, judgeStory } from './judge.ts'
import type { RawSamples } from './raw-samples.ts'
import { summarizeRun } from './run-samples.ts'
import type { RunSettings } from '../cli/run-settings.ts'
import { diffAgainstParent, summarizeVariant } from '../record/code-diffs.ts'
import { describeEnvironment } from '../record/environment.ts'
import { round } from '../record/format.ts'
import {
  SCHEMA_VERSION,
  type CacheOutage,
  type Calibration,
  type CaseFailures,
  type HopCalibration,
  type Failures,
  type LatencyCase,
  type LatencyMeasurements,
  type LoadLevel,
  type MeasuredRun,
  type PeakLoad,
  type Roles,
  type VariantResult,
} from '../record/results.ts'
import type { PlacedRole, StackRoles } from '../stack/stack-roles.ts'
import { describeHost } from '../../roles/protocol.ts'
import type { Scenario } from '../../scenario/types.ts'
import type { CacheBackend } from '../../variants/shared/cache-stats.ts'

import { attributeFixes } from './attribution.ts'
import type { Sliders } from '../record/results.ts'
import type { ModelOutcome } from '../../model/types.ts'

export interface VariantInfo {
  name: string
  parent: string | null
}

/** Everything a run measured, and what it measured against. */
export interface Measured {
  startedAt: Date
  scenario: Scenario
  settings: RunSettings
  variants: VariantInfo[]
  path: string
  faulty: boolean
  /** What the API's price cache used ('redis' or 'in-process'), and where it lived, password redacted. */
  cache: { backend: CacheBackend; description: string }
  calibration: Calibration
  /** The other kinds of hop on the paths, calibrated: the request's own, calls at once, a Redis read. */
  hopCalibration: HopCalibration
  /** Each modelled variant's model, derived from its code in virtual time. */
  models: Record<string, VariantModel>
  /** Why a variant has no model: its virtual run threw, never answered, or looped. */
  notModelled: Record<string, string>
  /** Every model the run derived: the measured variants' and the eight combinations of the story's fixes. */
  outcomes: Record<string, ModelOutcome>
  /** What the report's what-if sliders work out (sliders.ts); null in a --runs' later runs. */
  sliders: Sliders | null
  latency: LatencyMeasurements
  load: Record<string, LoadLevel[]>
  peak: Record<string, PeakLoad>
  cacheOutages: CacheOutage[]
  /** The phases' raw latencies, for the run's own figures. */
  raw: RawSamples
  /** Where the API, the upstreams and Redis ran. */
  roles: StackRoles
  /** --trace, --otlp: what the API's tracing wrote and sent; null without. */
  trace: MeasuredRun['run']['trace']
}

/** Where each role ran, for results.json: the harness's own host, and whether each role shared its machine (its kernel). */
export function describeRoles(roles: StackRoles): Roles {
  const { bootId, ...generator } = describeHost()
  // A role the lab started runs here; one placed by URL, where its kernel is this one (unknown off Linux: null, not assumed).
  const same = (theirs: string | null): boolean | null => (theirs === null || bootId === null ? null : theirs === bootId)
  const place = ({ url, placed, host: { bootId: theirs, ...host } }: PlacedRole): Roles['api'] => ({
    url,
    placed,
    host,
    sameMachine: placed ? same(theirs) : true,
  })
  return { generator, api: place(roles.api), upstreams: place(roles.upstreams), redis: roles.redis }
}

export async function assembleResults(m: Measured): Promise<MeasuredRun> {
  const variants: Record<string, VariantResult> = {}
  const problems: string[] = []
  for (const { name, parent } of m.variants) {
    const { warm, cold } = m.latency[name]!
    if (!warm) throw new Error(`No warm measurement for ${name}`)
    variants[name] = await assembleVariant(m, name, parent, warm, cold)
    problems.push(...findProblems(name, warm, cold, m.latency[name]!.mix, m.load[name] ?? [], m.peak[name]?.levels ?? [], m.faulty))
  }
  const finishedAt = new Date()
  const { settings } = m
  const environment = describeEnvironment(m.cache.backend, m.cache.description, m.calibration, m.hopCalibration)
  const startedAt = m.startedAt.toISOString()
  const valid = problems.length === 0
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'run',
    startedAt,
    finishedAt: finishedAt.toISOString(),
    durationSeconds: round((finishedAt.getTime() - m.startedAt.getTime()) / 1000, 1),
    valid,
    problems,
    run: {
      quick: settings.quick,
      variants: m.variants.map((v) => v.name),
      path: m.path,
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
      sweep: settings.sweep,
      modelJitter: settings.modelJitter,
      overview: m.variants.map((v) => v.name).filter((name) => inOverview(settings, name)),
      runs: 1,
      // Set by the runs loop (bench.ts): a single run knows nothing of the runs around it.
      auto: null,
      aa: null,
      trace: m.trace,
    },
    story: judgeStory(variants),
    scenario: m.scenario,
    environment,
    roles: describeRoles(m.roles),
    cacheOutages: m.cacheOutages,
    variants,
    runs: [summarizeRun({ startedAt, valid, variants, environment }, m.raw)],
    sliders: m.sliders,
    attribution: attributeFixes(m.outcomes, Object.fromEntries(Object.entries(variants).map(([name, v]) => [name, v.latency?.p50Ms]))),
  }
}

async function assembleVariant(
  m: Measured,
  name: string,
  parent: string | null,
  warm: LatencyCase,
  cold: LatencyCase | undefined,
): Promise<VariantResult> {
  const model = m.models[name]
  const floor = model?.floor
  const recorded = model ? recordModel(m.scenario, model) : undefined
  const failures = (failed: Failures, cold: boolean): CaseFailures => {
    const expected = model ? expectedFailures(m.scenario, model, cold) : undefined
    return { ...failed, expectedPercent: expected?.percent ?? null, expectedCalls: expected?.calls ?? null }
  }
  const fidelity = judgeFidelity(floor, warm.latency)
  return {
    parent,
    summary: await summarizeVariant(name),
    notModelled: m.notModelled[name] ?? null,
    floorMs: recorded?.floorMs ?? null,
    coldFloorMs: recorded?.coldFloorMs ?? null,
    ...fidelity,
    hops: judgeHops(
      floor,
      fidelity.overheadMs,
      cacheReadsOnPath(warm.cacheStagesAlone, warm.cacheReadsPerRequest),
      m.calibration,
      m.hopCalibration,
    ),
    latency: warm.latency,
    upstreamCalls: warm.upstreamCalls,
    maxInFlight: warm.maxInFlight,
    cacheReadsPerRequest: warm.cacheReadsPerRequest,
    stages: warm.stages,
    model: recorded?.model ?? null,
    coldLatency: cold?.latency ?? null,
    coldUpstreamCalls: cold?.upstreamCalls ?? null,
    coldStages: cold?.stages ?? null,
    failures: failures(warm.failures, false),
    coldFailures: cold ? failures(cold.failures, true) : null,
    mix: m.latency[name]!.mix ?? null,
    load: m.load[name] ?? [],
    peakLoad: m.peak[name] ?? null,
    diffFromParent: await diffAgainstParent(name, parent),
    errors: warm.failures.failed + (cold?.failures.failed ?? 0),
    mismatches: warm.mismatches + (cold?.mismatches ?? 0),
  }
}
