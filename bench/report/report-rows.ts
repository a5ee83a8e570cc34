/**
 * What every rendering of a run shows (terminal, summary.md, report.html, README):
 * the steps of the story as rows, the headline, the targets and the notes on faults and
 * the cache. Computed from results.json only.
 */
import { formatMs, formatPercent, formatShare, formatStatuses, formatTail, nonOkStatuses, round } from '../record/format.ts'
import {
  HOP_TARGET_MS,
  type CaseFailures,
  type LoadLevel,
  type ModelFigures,
  type Results,
  type Roles,
  type SelfCheck,
  type SweepLevel,
  type VariantResult,
} from '../record/results.ts'
import { changeAgainst, failedPercent, type FixRow } from './lesson.ts'
import type { Change } from './noise.ts'
import { DEFAULT_SCENARIO } from '../../scenario/defaults.ts'
import { injectsFaults } from '../../scenario/faults.ts'
import { beyondTheStory, isStoryVariant, publishedFigure, STORY_VARIANTS } from '../../scenario/story.ts'
import { FAULT_KINDS, SERVICE_NAMES, type Scenario, type ServiceName } from '../../scenario/types.ts'

export interface StepRow {
  variant: string
  parent: string | null
  summary: string
  /** Null: no good answer came (under injected faults). */
  p50Ms: number | null
  /** The p99, or from fewer than 100 samples the max, called that: "149 ms", "max 4.05 s"; "—" without an answer. */
  tail: string
  /** The n of p50Ms and tail. */
  samples: number | null
  coldP50Ms: number | null
  coldSamples: number | null
  floorMs: number | null
  /** The parent's floor: a step whose floor equals it should measure the same. */
  parentFloorMs: number | null
  overheadMs: number | null
  withinTolerance: boolean | null
  overheadToleranceMs: number | null
  overheadPerCallMs: number | null
  /** The overhead hop by hop against this machine's calibrated hops (results' `hops`). */
  hops: VariantResult['hops']
  /** Change of p50 against the parent's p50, in percent (negative: faster). Null without a measured parent. */
  gainPercent: number | null
  /** Whether that change lies beyond the run's noise (noise.ts): only then is it coloured. Null without both sides' samples. */
  change: Change | null
  published: string | null
  /** One of the story's steps, or beyond it (the ecosystem's fixes, a user's own variants). */
  group: 'story' | 'beyond'
  /** Beyond the story: what the variant teaches, and the scenario preset that shows it (null: the default); null for others. */
  lesson: string | null
  preset: string | null
  calls: number
  /** The model's Little's-law saturation and its bottleneck: "8.9/s pricing"; "—" without a model. */
  saturation: string
}

export function stepRows(results: Results): StepRow[] {
  return Object.entries(results.variants).map(([variant, v]) => {
    const parent = v.parent === null ? undefined : results.variants[v.parent]
    return {
      variant,
      parent: v.parent,
      summary: v.summary,
      p50Ms: v.latency?.p50Ms ?? null,
      tail: v.latency ? formatTail(v.latency.p99Ms, v.latency.maxMs) : '—',
      samples: v.latency?.samples ?? null,
      coldP50Ms: v.coldLatency?.p50Ms ?? null,
      coldSamples: v.coldLatency?.samples ?? null,
      floorMs: v.floorMs,
      parentFloorMs: parent?.floorMs ?? null,
      overheadMs: v.overheadMs,
      withinTolerance: v.withinTolerance,
      overheadToleranceMs: v.overheadToleranceMs,
      overheadPerCallMs: v.overheadPerCallMs,
      hops: v.hops,
      gainPercent: parent?.latency && v.latency ? percentChange(parent.latency.p50Ms, v.latency.p50Ms) : null,
      change: v.parent !== null && parent ? changeAgainst(results, v.parent, variant) : null,
      published: publishedFigure(variant) ?? null,
      group: isStoryVariant(variant) ? 'story' : 'beyond',
      lesson: beyondTheStory(variant)?.lesson ?? null,
      preset: beyondTheStory(variant)?.preset ?? null,
      calls: Object.values(v.upstreamCalls).reduce((sum, n) => sum + n, 0),
      saturation: formatSaturation(v.model),
    }
  })
}

/** "8.9/s pricing": the rate at which the bottleneck's workers are all busy; "never" when no call costs anything; "—" without a model. */
export function formatSaturation(model: Pick<ModelFigures, 'saturationPerSec' | 'bottleneck'> | null): string {
  if (!model) return '—'
  if (model.saturationPerSec === null || model.bottleneck === null) return 'never'
  const perSec = model.saturationPerSec
  // Two significant digits below 10/s, so a slow service's 0.040/s does not read 0.0.
  return `${perSec >= 100 ? Math.round(perSec).toLocaleString('en-US') : perSec >= 10 ? perSec.toFixed(1) : perSec.toPrecision(2)}/s ${model.bottleneck}`
}

/**
 * A p50 against its parent's, as every rendering writes it: "−50 %" beyond the run's noise;
 * "≈ parent, same floor" for a step whose model says it should equal its parent and whose
 * measurement agrees; "+1 %, within noise" otherwise. `tone` is the colour it may have.
 */
export function describeChange(r: Pick<StepRow, 'gainPercent' | 'change' | 'floorMs' | 'parentFloorMs'>): {
  text: string
  tone: 'gain' | 'loss' | 'neutral'
} {
  if (r.gainPercent === null) return { text: '—', tone: 'neutral' }
  if (r.change === 'within noise') {
    const sameByDesign = r.floorMs !== null && r.parentFloorMs !== null && Math.abs(r.floorMs - r.parentFloorMs) < 0.5
    return { text: sameByDesign ? '≈ parent (same floor)' : `${formatPercent(r.gainPercent)}, within noise`, tone: 'neutral' }
  }
  if (r.change === null) return { text: formatPercent(r.gainPercent), tone: 'neutral' }
  return { text: formatPercent(r.gainPercent), tone: r.change === 'faster' ? 'gain' : 'loss' }
}

/** A fix's p50 against its parent's in the story, as describeChange writes it (no floors: a fix is never equal to its parent by design). */
export function describeFixChange(r: Pick<FixRow, 'changePercent' | 'change'>): { text: string; tone: 'gain' | 'loss' | 'neutral' } {
  return describeChange({ gainPercent: r.changePercent, change: r.change, floorMs: null, parentFloorMs: null })
}

export interface Headline {
  from: string
  to: string
  fromMs: number
  toMs: number
  percent: number
}

/** "naive 4.1 s → parallel 0.15 s, −96 %": the story's first step against its last, p50 (warm). */
export function headline(results: Results): Headline | undefined {
  // The story's first step against its last, of those measured; without any, the first variant against the last.
  const story = Object.keys(results.variants).filter(isStoryVariant)
  const names = story.length ? story : Object.keys(results.variants)
  const from = names[0]
  const to = names.at(-1)
  if (!from || !to || from === to) return undefined
  const fromMs = results.variants[from]!.latency?.p50Ms
  const toMs = results.variants[to]!.latency?.p50Ms
  if (fromMs === undefined || toMs === undefined) return undefined
  return { from, to, fromMs, toMs, percent: percentChange(fromMs, toMs) }
}

export function headlineText(h: Headline): string {
  return `${h.from} ${formatMs(h.fromMs)} → ${h.to} ${formatMs(h.toMs)}, ${formatPercent(h.percent)}`
}

export function percentChange(before: number, after: number): number {
  return before > 0 ? ((after - before) / before) * 100 : 0
}

/** Overhead beside the floor, e.g. "+12.3 ms (+5.6 %)". */
export function formatOverhead(overheadMs: number | null, floorMs: number | null): string {
  if (overheadMs === null || floorMs === null) return '—'
  const sign = overheadMs < 0 ? '−' : '+'
  // A floor of 0 (every latency 0) has no percent to give.
  return `${sign}${formatMs(Math.abs(overheadMs))}${floorMs > 0 ? ` (${formatPercent((overheadMs / floorMs) * 100)})` : ''}`
}

/** The published figures belong to the story's scenario; they compare only when the run used it. */
export function isStoryScenario(scenario: Scenario): boolean {
  return (
    scenario.productsPerPage === DEFAULT_SCENARIO.productsPerPage &&
    JSON.stringify(scenario.services) === JSON.stringify(DEFAULT_SCENARIO.services)
  )
}

/** The name of the preset (scenario/presets/published.json) built to reproduce the write-up's step figures. */
export const PUBLISHED_PRESET = 'published'

/**
 * What the published column is, for this run's scenario: the write-up's figure for each step,
 * and why the default scenario does not reproduce it (its stage timings and its step figures
 * cannot all hold), or that this scenario is the preset that does.
 */
export function publishedNote(scenario: Scenario): string {
  if (scenario.name === PUBLISHED_PRESET)
    return 'the figure the original write-up gave for that step, which this scenario (scenario/presets/published.json) is built to reproduce'
  if (!isStoryScenario(scenario)) return `the figure the original write-up gave for that step — for ${storyScenarioText()}, not this run’s`
  return 'the figure the original write-up gave for that step. The default scenario follows the write-up’s stage timings (50 inventory calls of 40 ms, 1.8 s of pricing), and those cannot all hold with its step figures: pricing alone took 1.8 s, yet the page took 1.2 s after the N+1 fix, so bulk’s floor here is 2.0 s. scenario/presets/published.json reproduces the four step figures instead (--scenario scenario/presets/published.json)'
}

/** What the story's scenario is, for a run on another: "the “seed” scenario: 50 products per page, its default services". */
export function storyScenarioText(): string {
  return `the “${DEFAULT_SCENARIO.name}” scenario: ${DEFAULT_SCENARIO.productsPerPage} products per page and its default services`
}

/** A level's self-check in a table cell: the lab's processes' and the machine's CPU, "harness 23 · mocks 41 · machine 55 %", with "lab-bound" first when it was. */
export function formatSelfCheck(check: SelfCheck): string {
  const percent = (n: number | null) => (n === null ? '—' : String(Math.round(n)))
  const hosts = check.hostCpuPercent.upstreams === null ? '' : ` · mocks' host ${percent(check.hostCpuPercent.upstreams)}`
  const figures = `harness ${percent(check.cpuPercent.harness)} · mocks ${percent(check.cpuPercent.upstreams)}${hosts} · machine ${percent(check.machineCpuPercent)} %`
  return check.labBound.length ? `lab-bound: ${figures}` : figures
}

/**
 * Every level whose figures are the lab's or the machine's rather than the code's, with why,
 * and what to do about it, in one line; null when none was.
 */
export function labBoundLine(results: Results): string | null {
  const bound = Object.entries(results.variants).flatMap(([name, v]) => [
    ...v.load
      .filter((l) => l.selfCheck.labBound.length)
      .map((l) => `${name} at ${l.connections} connection${l.connections === 1 ? '' : 's'} (${l.selfCheck.labBound.join('; ')})`),
    ...(v.peakLoad?.levels ?? [])
      .filter((l) => l.selfCheck.labBound.length)
      .map((l) => `${name} at ${l.offeredPerSec} req/s offered (${l.selfCheck.labBound.join('; ')})`),
  ])
  if (!bound.length) return null
  return `Lab-bound — these figures are the machine's, not the code's: ${bound.join(', ')}. Fewer connections or a lower rate, a quieter machine, or the roles on separate hosts (docs/roles-on-hosts.md) would measure the code.`
}

/** Where each role ran, in one line: all here, or each placed role's URL and host. */
export function rolesLine(results: Results): string {
  const { generator, api, upstreams, redis } = results.roles
  const host = (h: Roles['generator']) => `${h.hostname} (${h.cores} cores, Node ${h.node})`
  const redisPart =
    redis.address === null
      ? 'no Redis (an in-process map)'
      : `Redis at ${redis.address} (${redis.placed ? (api.placed ? 'the API’s' : 'given by --redis-url or REDIS_URL') : 'started by the lab'})`
  if (!api.placed && !upstreams.placed)
    return `Roles: the load generator, the API and the upstreams all on this machine, ${host(generator)}, started by the lab; ${redisPart}.`
  const place = (name: string, role: Roles['api']) =>
    `${name} at ${role.url} on ${host(role.host)}${role.placed ? ', placed by URL' : ', started by the lab'}${role.sameMachine === null ? ', machine not told' : role.sameMachine ? ', sharing the generator’s machine' : ', another machine'}`
  return `Roles: the load generator on ${host(generator)}; ${place('the API', api)}; ${place('the upstreams', upstreams)}; ${redisPart}.`
}

/** The lab's targets, as one line each: the story reproduced, the fidelity of its floors. */
export function targetLines(results: Results): string[] {
  const lines: string[] = []
  if (results.story) {
    const { ordered, naiveToParallelPercent } = results.story
    const target = isStoryScenario(results.scenario)
      ? `${naiveToParallelPercent <= -90 ? '✓' : '✗'} (target: −90 % or better)`
      : '(the −90 % target is for the story’s scenario, not this one)'
    lines.push(
      `Story: p50 order ${STORY_VARIANTS.join(' > ')} ${ordered ? 'holds ✓' : 'does NOT hold ✗'}; ${STORY_VARIANTS[0]} → ${STORY_VARIANTS.at(-1)} ${formatPercent(naiveToParallelPercent)} ${target}.`,
    )
  }
  const faults = faultLine(results)
  if (faults) lines.push(faults)
  const labBound = labBoundLine(results)
  if (labBound) lines.push(labBound)
  lines.push(...warmMissLines(results))
  for (const [name, v] of Object.entries(results.variants)) {
    if (v.notModelled) lines.push(`Not modelled: ${name}: ${v.notModelled}. Its floor, overhead and saturation show "—".`)
  }
  lines.push(rolesLine(results))
  const { calibration, hopCalibration } = results.environment
  const others = [
    `the request's own hop (a bare call from the harness to the API's echo) +${hopCalibration.request.overheadMs.toFixed(2)} ms`,
    ...Object.entries(hopCalibration.atOnce).map(
      ([k, c]) => `${k} calls at once from the API +${c.overheadMs.toFixed(2)} ms (first call to last answer)`,
    ),
    hopCalibration.cacheRead
      ? `a Redis read from the API ${hopCalibration.cacheRead.overheadMs.toFixed(2)} ms${hopCalibration.cacheReadRetries ? ` (taken ${hopCalibration.cacheReadRetries + 1} times: Redis did not answer a read in time before)` : ''}`
      : '',
    hopCalibration.cacheReadUncalibrated
      ? `a Redis read not calibrated (${hopCalibration.cacheReadUncalibrated}): no figure per hop for a variant that reads Redis on its path`
      : '',
  ].filter(Boolean)
  lines.push(
    `Calibration: ${results.roles.api.placed || results.roles.upstreams.placed ? 'from the API’s host,' : 'on this machine'} a bare call from the API to an upstream that waits ${calibration.waitMs} ms takes ${formatMs(calibration.callP50Ms)} (+${calibration.overheadMs.toFixed(2)} ms; the median of ${calibration.rounds} rounds of ${calibration.samples}, warm), with no lab code in it: the least overhead any upstream call can have here. The other hops, as bare: ${others.join('; ')}.`,
  )
  const hopped = Object.entries(results.variants).filter(([, v]) => v.hops !== null)
  if (hopped.length) {
    const within = hopped.filter(([, v]) => v.hops!.withinTarget).length
    const each = hopped.map(
      ([name, v]) =>
        `${name} ${signedMs(v.hops!.beyondPerHopMs)} ${v.hops!.withinTarget ? '✓' : '✗'} (${v.hops!.count} hops; bare, they cost +${v.hops!.calibratedMs.toFixed(1)} of its ${signedMs(v.overheadMs ?? 0, 1)})`,
    )
    lines.push(
      `Overhead per hop beyond this machine's calibrated hops (the lab's and the code's own work; target ≤ ${HOP_TARGET_MS} ms): ${within} of ${hopped.length} variants within — ${each.join(', ')}.`,
    )
  }
  const judged = Object.entries(results.variants).filter(([, v]) => v.withinTolerance !== null)
  if (judged.length) {
    const within = judged.filter(([, v]) => v.withinTolerance).map(([name]) => name)
    const outside = judged
      .filter(([, v]) => !v.withinTolerance)
      .map(([name, v]) => {
        // Enough digits to tell them apart: 6.64 over a tolerance of 6.6 does not read "6.6 > 6.6".
        const digits = v.overheadMs?.toFixed(1) === v.overheadToleranceMs?.toFixed(1) ? 2 : 1
        return `${name} +${v.overheadMs?.toFixed(digits)} ms > ${v.overheadToleranceMs?.toFixed(digits)} ms`
      })
    lines.push(
      `Fidelity (p50 within max(3 % of the floor, 5 ms) of the floor): ${within.length} of ${judged.length} variants${outside.length ? ` — outside: ${outside.join(', ')}` : ' ✓'}.`,
    )
  }
  return lines
}

/**
 * A warm case makes no pricing call: its prices come from the cache filled just before it.
 * One that made some measured something else, and says so: the cache expired during it (a
 * TTL shorter than the case) or was unavailable.
 */
export function warmMissLines(results: Results): string[] {
  return Object.entries(results.variants).flatMap(([name, v]) => {
    // Only a variant with a cold case, or that read the cache warm, uses the price cache.
    if (v.coldLatency === null && v.coldFailures === null && v.cacheReadsPerRequest === 0) return []
    const perRequest = v.upstreamCalls.pricing
    if (perRequest <= 0) return []
    const unavailable = results.cacheOutages.some((o) => o.phase === 'latency' && o.step.startsWith(`${name} (warm`))
    const why = unavailable
      ? 'the price cache was unavailable during it'
      : `the price cache expired during it (TTL ${results.scenario.cacheTtlSeconds} s)`
    return [
      `Flagged: ${name}'s warm case made ${round(perRequest, 2)} pricing calls per request, where a warm cache makes none: ${why}, so its warm figures include pricing calls (waited for, or refreshing in the background).`,
    ]
  })
}

/** A cold p50 with its n: "1.90 s (n = 6)", or "—". */
export function formatColdP50(row: StepRow): string {
  return row.coldP50Ms === null ? '—' : `${formatMs(row.coldP50Ms)} (n = ${row.coldSamples})`
}

/** "+0.23 ms", "−0.10 ms": a signed figure, to `digits` decimals. */
function signedMs(ms: number, digits = 2): string {
  return `${ms < 0 ? '−' : '+'}${Math.abs(ms).toFixed(digits)} ms`
}

/** "+0.23 ms per hop beyond bare ✓": per hop, beyond what the path's hops cost bare (the calibrated hops); '' without a figure. */
export function formatHopOverhead(row: Pick<StepRow, 'hops'>): string {
  return row.hops ? `${signedMs(row.hops.beyondPerHopMs)} per hop beyond bare ${row.hops.withinTarget ? '✓' : '✗'}` : ''
}

/** "+14.1 ms (+6 %) ✗" — the overhead and whether it is within the fidelity tolerance. */
export function formatOverheadWithVerdict(row: StepRow): string {
  const text = formatOverhead(row.overheadMs, row.floorMs)
  return row.withinTolerance === null ? text : `${text} ${row.withinTolerance ? '✓' : '✗'}`
}

/** The API's CPU per request at a load level, the event loop's thread / all threads, in ms: "2.10 / 3.02"; "—" when not given. */
export function formatApiCpu(level: Pick<LoadLevel, 'apiCpuMsPerRequest' | 'apiEventLoopMsPerRequest'>): string {
  if (level.apiCpuMsPerRequest === null) return '—'
  return `${level.apiEventLoopMsPerRequest === null ? '—' : level.apiEventLoopMsPerRequest.toFixed(2)} / ${level.apiCpuMsPerRequest.toFixed(2)}`
}

/** A sweep level's rise from its second quarter to its last: "+412 / +4.5 still rising", "+3 / 0". */
export function formatRise(level: Pick<SweepLevel, 'latencyRiseMs' | 'queueRise' | 'rising'>): string {
  const signed = (n: number | null, digits: number): string => {
    if (n === null) return '—'
    const shown = n.toFixed(digits)
    // A rise that rounds to nothing is written 0, never −0 or +0.0.
    return Number(shown) === 0 ? '0' : `${n > 0 ? '+' : ''}${shown}`
  }
  return `${signed(level.latencyRiseMs, 0)} / ${signed(level.queueRise, 1)}${level.rising ? ' still rising' : ''}`
}

/** A mocked service's worker time per call against the latency configured: "1,931 / 1,790", or "—" when it served none. */
export function formatHeld(upstream: SweepLevel['upstreams'][ServiceName]): string {
  if (upstream.heldMsPerCall === null || upstream.configuredMsPerCall === null) return '—'
  return `${Math.round(upstream.heldMsPerCall).toLocaleString('en-US')} / ${Math.round(upstream.configuredMsPerCall).toLocaleString('en-US')}`
}

/** Non-2xx answers with their statuses, e.g. "12 (504: 12)". */
export function formatNon2xx(level: { non2xx: number; statusCodes: Record<string, number> }): string {
  const codes = nonOkStatuses(level.statusCodes)
  return Object.keys(codes).length ? `${level.non2xx} (${formatStatuses(codes)})` : String(level.non2xx)
}

/** "inventory: error 1 %, hang 0.1 %; pricing: reset 0.5 %", or null when the scenario injects none. */
export function describeFaults(scenario: Scenario): string | null {
  if (!injectsFaults(scenario)) return null
  return SERVICE_NAMES.flatMap((name) => {
    const faults = describeServiceFaults(scenario, name)
    return faults ? [`${name}: ${faults}`] : []
  }).join('; ')
}

/** "error 1 %, hang 0.1 %" for one service, or null when it injects none. */
export function describeServiceFaults(scenario: Scenario, name: ServiceName): string | null {
  const faults = scenario.services[name].faults
  const parts = FAULT_KINDS.filter((kind) => faults[`${kind}Rate`] > 0).map((kind) => `${kind} ${formatShare(faults[`${kind}Rate`] * 100)}`)
  return parts.length ? parts.join(', ') : null
}

export interface FaultRow {
  variant: string
  /** The case measured with the price cache flushed before every request. */
  cold: boolean
  /** Calls per request the model expects (retries included); without a model, as the mocks counted them (a request that fails early makes fewer). */
  calls: number
  /** Calls per request as the mocks counted them: a retry is one more, a request that failed early made fewer. */
  measuredCalls: number
  /** "400/s inventory": Little's law on the calls the model made with the faults (its retries too); null without. */
  saturation: string | null
  expectedPercent: number | null
  /** Failed share of the latency phase's requests (warm case). */
  measuredPercent: number
  failed: number
  requests: number
  /** e.g. "502: 12, 504: 1" */
  statuses: string
  failedP50Ms: number | null
  /** The failed share at each load level (warm rows only): past saturation it includes the 504s of the collapse. */
  load: Array<{ connections: number; percent: number }>
}

/** One row per latency case (cold ones apart): the share of requests the injected faults failed, expected and measured. */
export function faultRows(results: Results): FaultRow[] {
  return Object.entries(results.variants).flatMap(([variant, v]) => {
    const row = (cold: boolean, failures: CaseFailures, calls: Record<string, number>): FaultRow => ({
      variant,
      cold,
      calls:
        failures.expectedCalls ??
        round(
          Object.values(calls).reduce((sum, n) => sum + n, 0),
          1,
        ),
      measuredCalls: round(
        Object.values(calls).reduce((sum, n) => sum + n, 0),
        2,
      ),
      saturation: faultSaturation(v.model?.faults?.[cold ? 'cold' : 'warm'] ?? null),
      expectedPercent: failures.expectedPercent,
      measuredPercent: sharePercent(failures),
      failed: failures.failed,
      requests: failures.requests,
      statuses: formatStatuses(failures.statusCodes),
      failedP50Ms: failures.p50Ms,
      load: [],
    })
    const warm = {
      ...row(false, v.failures, v.upstreamCalls),
      load: v.load.map((l) => ({ connections: l.connections, percent: failedPercent(l) })),
    }
    return v.coldFailures && v.coldUpstreamCalls ? [row(true, v.coldFailures, v.coldUpstreamCalls), warm] : [warm]
  })
}

function faultSaturation(figures: NonNullable<ModelFigures['faults']>['warm'] | null): string | null {
  return figures ? formatSaturation(figures) : null
}

/** "1 conn. 0 % · 10 conn. 3.1 % · 50 conn. 100 %", or "—". */
export function formatLoadShares(load: FaultRow['load']): string {
  return load.length ? load.map((l) => `${l.connections} conn. ${formatShare(l.percent)}`).join(' · ') : '—'
}

export function sharePercent(failures: Pick<CaseFailures, 'failed' | 'requests'>): number {
  return failures.requests ? (failures.failed / failures.requests) * 100 : 0
}

/** One line on what the faults did, for every rendering; null without faults. */
export function faultLine(results: Results): string | null {
  const faults = describeFaults(results.scenario)
  if (!faults) return null
  const rows = faultRows(results)
  const parts = rows.map(
    (r) =>
      `${r.variant}${r.cold ? ' cold' : ''} ${formatShare(r.measuredPercent)} (${r.failed} of ${r.requests}${r.expectedPercent === null ? '' : `, expected ${formatShare(r.expectedPercent)}`}${r.load.length ? `; under load ${formatLoadShares(r.load)}` : ''})`,
  )
  return `Injected faults (${faults}). Requests failed — ${parts.join(', ')}. Every call is a chance to fail: the fewer calls a request makes, the fewer fail; a retry turns a failed call into one more call.`
}

/** What the price cache being unavailable during the run means for its figures, for every rendering; null when it never was. */
export function cacheOutageText(results: Results): string | null {
  const steps = results.cacheOutages
  if (!steps.length) return null
  const where = steps.map((o) => {
    const what = [
      o.outages ? `Redis away ${o.outages === 1 ? 'once' : `${o.outages} times`}` : '',
      o.shedLookups ? `${o.shedLookups} lookup${o.shedLookups === 1 ? '' : 's'} skipped` : '',
    ].filter(Boolean)
    return `${o.phase}: ${o.step} (${what.join(', ')})`
  })
  return [
    `The price cache was unavailable during the run — ${where.join('; ')}.`,
    'Meanwhile the cached variants answered from the pricing service, as they are built to, so those figures include pricing calls.',
    steps.some((o) => o.outages)
      ? `A Redis command that takes over ${results.scenario.cacheCommandTimeoutMs} ms counts as an outage: on a busy machine, run again, or raise it with --cache-timeout MS.`
      : '',
    steps.some((o) => o.shedLookups)
      ? `A lookup is skipped (a miss) when ${results.scenario.cacheMaxPendingCommands} commands already wait for Redis: the API had fallen far behind.`
      : '',
  ]
    .filter(Boolean)
    .join(' ')
}

/**
 * What "valid" checked, in one sentence (for a valid run): the bodies, compared across
 * variants or, with one variant, only with its own first answer; and the latency phase.
 * Failures under load are not part of it: loadFailures says them beside it.
 */
export function validityText(results: Results): string {
  const [only, ...others] = results.run.variants
  const bodies = others.length
    ? `every 200 carried the body all ${results.run.variants.length} variants agreed on`
    : `every 200 carried the body of ${only}'s first answer (one variant: no other to compare it with)`
  const latency = describeFaults(results.scenario)
    ? 'in the latency phase every failed request failed as injected faults make requests fail (502, 504; 503 from a circuit they opened)'
    : 'no request failed in the latency phase'
  return `Valid run: ${bodies}, and ${latency}.`
}

/** How many requests failed under load (connection levels and sweep), by status: results, not faults of the lab. Null without load. */
export function loadFailures(results: Results): { failed: number; text: string } | null {
  const phases = [
    {
      where: 'under load',
      levels: Object.entries(results.variants).flatMap(([variant, v]) =>
        v.load.map((l) => ({ ...l, variant, sent: l.requests + l.errors + l.timeouts })),
      ),
    },
    {
      where: 'in the sweep',
      levels: Object.entries(results.variants).flatMap(([variant, v]) =>
        (v.peakLoad?.levels ?? []).map((l) => ({ ...l, variant, sent: l.requests })),
      ),
    },
  ].filter((phase) => phase.levels.length)
  if (!phases.length) return null
  let failed = 0
  const parts = phases.map(({ where, levels }) => {
    const sent = levels.reduce((sum, l) => sum + l.sent, 0)
    const noAnswer = levels.reduce((sum, l) => sum + l.errors + l.timeouts, 0)
    const wrongBody = levels.reduce((sum, l) => sum + l.mismatches, 0)
    const failedHere = noAnswer + wrongBody + levels.reduce((sum, l) => sum + l.non2xx, 0)
    failed += failedHere
    if (!failedHere) return `${where}, every one of ${sent} requests was answered 2xx`
    const statuses: Record<string, number> = {}
    for (const l of levels) for (const [code, n] of Object.entries(nonOkStatuses(l.statusCodes))) statuses[code] = (statuses[code] ?? 0) + n
    const why = [
      ...(Object.keys(statuses).length ? [formatStatuses(statuses)] : []),
      ...(noAnswer ? [`no answer: ${noAnswer}`] : []),
      ...(wrongBody ? [`wrong body: ${wrongBody}`] : []),
    ].join(', ')
    // Whose: the variants that failed, most failures first.
    const byVariant = new Map<string, number>()
    for (const l of levels) byVariant.set(l.variant, (byVariant.get(l.variant) ?? 0) + l.errors + l.timeouts + l.non2xx + l.mismatches)
    const whose = [...byVariant]
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([variant, n]) => `${variant} ${n}`)
      .join(', ')
    return `${where}, ${failedHere} of ${sent} requests failed (${why}): ${whose}`
  })
  const tables = phases.length > 1 ? 'the peak-load and peak-hours tables say' : 'the peak-load table says'
  const why = failed ? ` A failure under load is a result, not a fault of the lab: ${tables} where.` : ''
  return { failed, text: `${capitalize(parts.join('; '))}.${why}` }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** One variant's traffic mix: the latency phase's sample, and the busiest load level's. */
export interface MixRow {
  variant: string
  /** "12 (7 distinct)"; "—" for a variant measured as an overview (no sample of the mix, its load level only) */
  requests: string
  p50Ms: number | null
  tail: string
  meanMs: number | null
  /** The mean of the answers that hit the price cache: the article's "for cached requests". */
  meanHitMs: number | null
  /** "42 % (model 42 %)"; "—" for a variant with no price cache. */
  hitRatio: string
  pricingCallsPerRequest: number | null
  /** The model's saturation over the whole mix, warm: "400/s inventory". */
  saturation: string
  /** The busiest load level with the mix: connections, hit ratio, mean, mean of hits, pricing calls per second; with the model's beside them. */
  load: { connections: number; hitRatio: string; mean: string; meanHitMs: number | null; pricingCallsPerSec: string } | null
}

/** The traffic mix's rows, or none when the run sent the story's one request (traffic single). */
export function mixRows(results: Results): MixRow[] {
  if (results.scenario.traffic?.kind !== 'mix') return []
  return Object.entries(results.variants).flatMap(([variant, v]) => {
    const mix = v.mix
    const top = [...v.load].sort((a, b) => b.connections - a.connections)[0]
    // An overview has no sample of the mix: its row is its load level's.
    if (!mix && !(results.run.overview ?? []).includes(variant)) return []
    return [
      {
        variant,
        requests: mix ? `${mix.requests} (${mix.distinct} distinct)` : '—',
        p50Ms: mix?.latency?.p50Ms ?? null,
        tail: mix?.latency ? formatTail(mix.latency.p99Ms, mix.latency.maxMs) : '—',
        meanMs: mix?.latency?.meanMs ?? null,
        meanHitMs: mix?.meanHitMs ?? null,
        hitRatio: mix ? formatHitRatio(mix.hitRatio, mix.expected?.hitRatio ?? null, mix.priceCache?.stale) : '—',
        pricingCallsPerRequest: mix?.pricingCallsPerRequest ?? null,
        saturation: mix?.expected ? formatSaturation(mix.expected) : '—',
        load: top
          ? {
              connections: top.connections,
              hitRatio: formatHitRatio(top.hitRatio, top.model?.hitRatio ?? null, top.priceCache?.stale),
              mean: `${formatMs(top.meanMs)}${top.model?.meanMs === null || top.model?.meanMs === undefined ? '' : ` (model ${formatMs(top.model.meanMs)})`}`,
              meanHitMs: top.meanHitMs,
              pricingCallsPerSec: formatWithModel(top.pricingCallsPerSec, top.model?.pricingCallsPerSec, top),
            }
          : null,
      },
    ]
  })
}

/** "42 %", "42 % (model 42 %)"; "—" without lookups. */
export function formatHitRatio(measured: number | null, expected: number | null, stale = 0): string {
  if (measured === null) return '—'
  return `${formatShare(measured * 100)}${expected === null ? '' : ` (model ${formatShare(expected * 100)})`}${stale > 0 ? `, ${stale} stale` : ''}`
}

/** A level's figure with the model's beside it, e.g. "61.1 (model 96.6)"; the model's figure is marked "≥" when its sequence ran out (it covers fewer requests). */
export function formatWithModel(measured: number, model: number | null | undefined, level: Pick<LoadLevel, 'model'>): string {
  if (model === null || model === undefined) return measured.toFixed(1)
  return `${measured.toFixed(1)} (model ${level.model?.sequenceEnded ? '≥ ' : ''}${model.toFixed(1)})`
}

/** What the mix table means, in a sentence or two. */
export function mixNote(results: Results): string {
  const { traffic } = results.scenario
  return (
    `The mix: requests drawn from ${traffic.pages} pages × ${traffic.limits.length} page sizes (${traffic.limits.join(', ')}) × ${traffic.categories + 1} listings, Zipf s = ${traffic.zipfExponent}, seeded. ` +
    'In the latency phase, each variant is sent the same first requests of one sample, one at a time, its price cache emptied first; "model" is the hit ratio its own code gives in virtual time. ' +
    "Hits and misses are the API's own counts; the mean of hits is over the answers that hit (the article's \"for cached requests\"); \"stale\" counts the hits served past their TTL, within the grace, while one request refreshed them (swr); a request that waited for another's refresh is a hit. Under load and in the sweep, every variant at a level is sent the same seeded sequence; every load level starts from the reference page's price list alone, the sweep from every list cached; under load, \"model\" is the same levels run in virtual time by the variant's own code, on upstreams with the scenario's workers and queues (without the lab's own time per request or injected faults); \"saturates at\" is the model's Little's law over the whole mix with every price list cached, which the sweep is judged against."
  )
}

/** What the default run measured lighter, for every rendering; null when nothing was. */
export function overviewNote(results: Results): string | null {
  const overview = results.run.overview ?? []
  if (overview.length === 0) return null
  return `In a run of every variant, ${overview.join(', ')} ${overview.length === 1 ? 'is' : 'are'} measured as an overview: half the latency budget (at least 3 samples a case, or the run's own minimum when lower), the price cache warm only, no sample of the mix one at a time, and the top load level only${results.run.quick ? ' (in a --quick run, no load level)' : ''}; --variants ${overview[0]} measures one in full.`
}

/** The three commands of "Try your own fix" (README): copy a variant, name its parent and change it, measure it beside its parent. */
export const OWN_FIX_COMMANDS = [
  { what: 'Copy the variant you start from; every .ts file in variants/ is a variant', command: 'cp variants/naive.ts variants/my-fix.ts' },
  {
    what: "Set its parent (export const parent = 'naive') and change the code; keep the answer byte-identical",
    command: '$EDITOR variants/my-fix.ts',
  },
  {
    what: 'Measure it beside its parent: its floor from its own code, then its measurement',
    command: 'npm run bench -- --quick --variants naive,my-fix',
  },
] as const

/**
 * Whether a price list expired during the run's load levels, and what that means for its figures.
 * Every load level of a variant that uses the cache starts from a cache filled just before it,
 * and its sweep from one fill for all its levels: a key is at most that old when a level ends (plus
 * EXPIRY_MARGIN_SECONDS for the steps between the fill and the level). So no key expired when the TTL
 * is longer than that; the key the fill stored did expire when the TTL is shorter than a level that
 * ran from its fill; between the two, it may have. Null when no variant used the cache under load.
 */
export function expiryText(results: Results): { expired: boolean; text: string } | null {
  const cached = Object.values(results.variants).filter(
    (v) => v.coldLatency !== null || v.coldFailures !== null || v.cacheReadsPerRequest > 0,
  )
  const spans = cached.flatMap((v) => [
    ...v.load.map((l) => l.durationSeconds),
    ...(v.peakLoad ? [v.peakLoad.levels.reduce((sum, l) => sum + l.durationSeconds, 0)] : []),
  ])
  if (!spans.length) return null
  const ttl = results.scenario.cacheTtlSeconds
  const longest = Math.max(...spans)
  const swept = cached.some((v) => v.peakLoad)
  const levels = `${swept ? 'a sweep of' : 'levels of'} up to ${longest.toFixed(0)} s, each from a cache filled just before it`
  if (ttl > longest + EXPIRY_MARGIN_SECONDS) {
    return {
      expired: false,
      text: `No key expired: the TTL is ${ttl} s, against ${levels}. Under load, a price list that was missing is a cold fill of a page not asked for before, not an expiry. To watch keys expire under load, and the stampede to pricing that follows: npm run bench -- --scenario ${FLASH_SALE_PRESET}.`,
    }
  }
  if (ttl < longest) {
    return {
      expired: true,
      text: `Keys expired during the load levels: the TTL is ${ttl} s, against ${levels}. Each expiry sends the requests that miss it to pricing at once; the second-by-second charts show the pricing calls and the p99 rising together.`,
    }
  }
  return {
    expired: false,
    text: `Keys may have expired at the end of the longest level: the TTL is ${ttl} s, against ${levels}. The second-by-second charts show where pricing calls rose.`,
  }
}

/** The seconds between a level's fill and its first request (a warm-up round, a garbage collection, the self-check's first reading), at most. */
const EXPIRY_MARGIN_SECONDS = 5

/** The preset that shows a price list expiring under load. */
export const FLASH_SALE_PRESET = 'scenario/presets/flash-sale.json'

/** What a cold cache costs, variant by variant: "cached 2.03 s cold against 235 ms warm (8.6×)". */
export function coldCosts(results: Results): string[] {
  return Object.entries(results.variants).flatMap(([name, v]) => {
    if (!v.coldLatency || !v.latency || !isStoryVariant(name)) return []
    return [
      `${name} ${formatMs(v.coldLatency.p50Ms)} cold (n = ${v.coldLatency.samples}) against ${formatMs(v.latency.p50Ms)} warm, ${(v.coldLatency.p50Ms / v.latency.p50Ms).toFixed(1)}×`,
    ]
  })
}
