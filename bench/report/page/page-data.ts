/**
 * Everything the report page's script (report.js) draws, computed here from results.json and
 * embedded in the page as one JSON block: the page gets its data one way, and the script
 * only draws. No name of a variant, a service or a stage is written in the script.
 */
import type { FaultRow } from '../report-rows.ts'
import { describeChange, stepRows } from '../report-rows.ts'
import { sustainedPerSec } from '../../record/derived.ts'
import type { LoadLevel, Results, SweepLevel, TimelinePoint, WhatIf } from '../../record/results.ts'
import { slidersData, type SlidersPageData } from '../render-sliders.ts'
import { isStoryVariant, STORY_VARIANTS, type STORY } from '../../../scenario/story.ts'
import { SERVICE_NAMES, type ServiceName } from '../../../scenario/types.ts'
import { STAGE_NAMES, type Stage, type StageName } from '../../../variants/shared/stage-timing.ts'

/** One per step of the story, in its order (red to green); the type checks there is one per step. */
const STORY_COLORS = ['#d9534f', '#f0ad4e', '#3a8fd9', '#2f9e57'] as const satisfies { length: (typeof STORY)['length'] }
/** Any other variant, by its place in the run. */
const OTHER_COLORS = ['#8e44ad', '#16a085', '#7f8c8d', '#c0392b', '#2c3e50']
/** One per stage of STAGE_NAMES, in its order; the type checks there is one per stage. */
const STAGE_COLORS = ['#6c7a89', '#d9534f', '#9b59b6', '#f0ad4e', '#3a8fd9', '#2f9e57'] as const satisfies {
  length: (typeof STAGE_NAMES)['length']
}

/**
 * The waterfalls drawn on one time axis: the story's fast warm ones (the punchline: calls in
 * sequence against calls that overlap), its slow ones (within 4× of the fastest they are
 * not), its cold cases, and the variants beyond it.
 */
export const WATERFALL_GROUPS = ['fast', 'slow', 'cold', 'beyond'] as const
export type WaterfallGroup = (typeof WATERFALL_GROUPS)[number]

export interface Waterfall {
  variant: string
  cold: boolean
  group: WaterfallGroup
  /** The stages drawn, in STAGE_NAMES order, the same rows in every waterfall of the group. */
  rows: StageName[]
  measured: Array<[number, number] | null>
  /** The model's ideal stages (its virtual run), on the same rows; null without a model. */
  ideal: Array<[number, number] | null> | null
}

/** The colours of a page's variants and stages, and the services in order: all the what-if page's script needs besides the what-if. */
export interface ColorData {
  variantColors: Record<string, string>
  /** Also the colour of the service of the same name in the calls chart. */
  stageColors: Record<StageName, string>
  services: readonly ServiceName[]
}

export function colorData(names: string[]): ColorData {
  return { variantColors: variantColors(names), stageColors: stageColors(), services: SERVICE_NAMES }
}

/** The what-if page's one JSON block: the colours, the what-if itself (what-if.js draws from it) and the sliders' data. */
export interface WhatIfPageData extends ColorData {
  whatIf: WhatIf
  sliders: SlidersPageData | null
}

export interface PageData extends ColorData {
  sliders: SlidersPageData | null
  /**
   * Per variant measured: p50, its tail (p99 or the max), floor, and its label with its change against its parent; `fast`:
   * within 4× of the fastest p50, drawn on an axis of their own so a halving among them still looks like one.
   */
  latency: Array<{ variant: string; label: string; fast: boolean; p50Ms: number | null; tailMs: number | null; floorMs: number | null }>
  /** What the tail bars are: "p99", "max (n < 100)", or both when some variants have 100 samples and some not. */
  tailLabel: string
  waterfalls: Waterfall[]
  /** Each group's time axis, in ms: its longest stage end, rounded up. */
  axisMs: Record<WaterfallGroup, number>
  calls: Array<{ variant: string; calls: Record<ServiceName, number> }>
  load: {
    connections: number[]
    series: Array<{ variant: string; levels: Array<{ connections: number; goodPerSec: number; tailMs: number; labBound: boolean }> }>
  }
  faults: FaultSeries | null
  timelines: Array<{ variant: string; phase: 'load' | 'sweep'; levels: Array<{ durationSeconds: number; timeline: TimelinePoint[] }> }>
  sweep: Array<{
    variant: string
    kneePerSec: number | null
    levels: Array<{ offeredPerSec: number; sustainedPerSec: number; tailMs: number; labBound: boolean }>
  }>
}

/** The warm fault rows, as the faults chart draws them (shares computed by report-rows, not again in the page). */
export type FaultSeries = Array<Pick<FaultRow, 'variant' | 'expectedPercent' | 'measuredPercent' | 'load'>>

/** The colour of each variant (a run's or a what-if's), in their order. */
export function variantColors(names: string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((name, i) => {
      const story = (STORY_VARIANTS as readonly string[]).indexOf(name)
      return [name, story >= 0 ? STORY_COLORS[story]! : OTHER_COLORS[i % OTHER_COLORS.length]!]
    }),
  )
}

export function stageColors(): Record<StageName, string> {
  return Object.fromEntries(STAGE_NAMES.map((stage, i) => [stage, STAGE_COLORS[i]!])) as Record<StageName, string>
}

export function pageData(results: Results, faults: FaultSeries | null = null): PageData {
  const names = Object.keys(results.variants)
  const rows = stepRows(results)
  const tail = (figures: { p99Ms: number | null; maxMs: number }) => figures.p99Ms ?? figures.maxMs
  const waterfalls = waterfallsOf(results)
  const fastestP50 = Math.min(...Object.values(results.variants).flatMap((v) => (v.latency ? [v.latency.p50Ms] : [])))
  return {
    ...colorData(names),
    sliders: slidersData(
      results.sliders,
      results.scenario,
      Object.fromEntries(Object.entries(results.variants).map(([name, v]) => [name, v.parent])),
    ),
    latency: rows.map((r) => {
      const v = results.variants[r.variant]!
      const change = describeChange(r)
      const fast = v.latency !== null && v.latency.p50Ms <= FAST_WITHIN * fastestP50
      return {
        variant: r.variant,
        label: r.parent && change.text !== '—' ? `${r.variant} (${change.text} vs ${r.parent})` : r.variant,
        fast,
        p50Ms: v.latency?.p50Ms ?? null,
        tailMs: v.latency ? tail(v.latency) : null,
        floorMs: v.floorMs,
      }
    }),
    tailLabel: tailLabel(Object.values(results.variants).flatMap((v) => (v.latency ? [v.latency.p99Ms !== null] : []))),
    waterfalls,
    axisMs: Object.fromEntries(WATERFALL_GROUPS.map((group) => [group, axisOf(waterfalls.filter((w) => w.group === group))])) as Record<
      WaterfallGroup,
      number
    >,
    calls: names.map((variant) => ({ variant, calls: results.variants[variant]!.upstreamCalls })),
    load: {
      connections: results.run.connections,
      series: names.map((variant) => ({
        variant,
        levels: results.variants[variant]!.load.map((l: LoadLevel) => ({
          connections: l.connections,
          goodPerSec: l.goodPerSec,
          tailMs: tail(l),
          labBound: l.selfCheck.labBound.length > 0,
        })),
      })),
    },
    faults,
    timelines: names.flatMap((variant) => {
      const v = results.variants[variant]!
      const levels = (phase: Array<LoadLevel | SweepLevel>) =>
        phase.map((l) => ({ durationSeconds: l.durationSeconds, timeline: l.timeline }))
      return [
        ...(v.load.some((l) => l.timeline.length) ? [{ variant, phase: 'load' as const, levels: levels(v.load) }] : []),
        ...(v.peakLoad?.levels.some((l) => l.timeline.length)
          ? [{ variant, phase: 'sweep' as const, levels: levels(v.peakLoad.levels) }]
          : []),
      ]
    }),
    sweep: names.flatMap((variant) => {
      const peak = results.variants[variant]!.peakLoad
      if (!peak) return []
      // Sustained: the lower of goodput (by send time) and delivered (by answer time), as the measured saturation is.
      return [
        {
          variant,
          kneePerSec: peak.kneePerSec,
          levels: peak.levels.map((l) => ({
            offeredPerSec: l.offeredPerSec,
            sustainedPerSec: sustainedPerSec(l),
            tailMs: tail(l),
            labBound: l.selfCheck.labBound.length > 0,
          })),
        },
      ]
    }),
  }
}

/** Every waterfall of the run: warm story variants, their cold cases, and the variants beyond the story (warm and cold). */
function waterfallsOf(results: Results): Waterfall[] {
  const end = (stages: Stage[]) => Math.max(0, ...stages.map((s) => s.startMs + s.durationMs))
  const storyEnds = Object.entries(results.variants)
    .filter(([variant]) => isStoryVariant(variant))
    .map(([, v]) => end(v.stages))
    .filter((ms) => ms > 0)
  const fastest = Math.min(...storyEnds)
  const cases = Object.entries(results.variants).flatMap(([variant, v]) => {
    const story = isStoryVariant(variant)
    const warmGroup: WaterfallGroup = !story ? 'beyond' : end(v.stages) <= FAST_WITHIN * fastest ? 'fast' : 'slow'
    const warm = { variant, cold: false, group: warmGroup, measured: v.stages, ideal: v.model?.stages ?? null }
    const cold = v.coldStages?.length
      ? [
          {
            variant,
            cold: true,
            group: (story ? 'cold' : 'beyond') as WaterfallGroup,
            measured: v.coldStages,
            ideal: v.model?.coldStages ?? null,
          },
        ]
      : []
    return [warm, ...cold]
  })
  // One set of rows per group, in STAGE_NAMES order: a stage keeps its row from chart to chart.
  const rowsOf = (group: WaterfallGroup): StageName[] => {
    const present = new Set(cases.filter((c) => c.group === group).flatMap((c) => [...c.measured, ...(c.ideal ?? [])].map((s) => s.name)))
    return STAGE_NAMES.filter((name) => present.has(name))
  }
  const spans = (stages: Stage[], rows: StageName[]) =>
    rows.map((name) => {
      const s = stages.find((stage) => stage.name === name)
      return s ? ([s.startMs, s.startMs + s.durationMs] as [number, number]) : null
    })
  return cases.map((c) => {
    const rows = rowsOf(c.group)
    return {
      variant: c.variant,
      cold: c.cold,
      group: c.group,
      rows,
      measured: spans(c.measured, rows),
      ideal: c.ideal ? spans(c.ideal, rows) : null,
    }
  })
}

/** A story waterfall (a variant's p50) within this many times the fastest one's shares its axis. */
const FAST_WITHIN = 4

/** The tail bars' name: p99 where stated (100 samples up), else the max. */
function tailLabel(stated: boolean[]): string {
  if (stated.every(Boolean)) return 'p99'
  return stated.some(Boolean) ? 'p99 (the max below 100 samples)' : 'max (fewer than 100 samples)'
}

/** A time axis that fits the group's longest stage end: rounded up to 50 ms below a second, to 500 ms above. */
function axisOf(waterfalls: Waterfall[]): number {
  const longest = Math.max(0, ...waterfalls.flatMap((w) => [...w.measured, ...(w.ideal ?? [])].map((span) => span?.[1] ?? 0)))
  const step = longest < 1000 ? 50 : 500
  return Math.max(step, Math.ceil((longest * 1.02) / step) * step)
}

export function faultSeries(rows: FaultRow[]): FaultSeries {
  return rows
    .filter((r) => !r.cold)
    .map(({ variant, expectedPercent, measuredPercent, load }) => ({ variant, expectedPercent, measuredPercent, load }))
}
