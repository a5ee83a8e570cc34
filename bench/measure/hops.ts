/**
 * The overhead hop by hop: a run's p50 over its floor, set against what each hop on the warm
 * path costs on this machine bare (calibrate.ts). The hops are the request's own (harness ⇄
 * API), each upstream call on the critical path as the code makes it (alone, or one of k at
 * once: the model's callsAtOnceOnPath, derived from the code), and each Redis read alone on the
 * path (from the measured waterfall: the model counts a lookup as free and does not place it).
 * What is left beyond the calibrated hops is the lab's own cost and the code's own work on the
 * path (parsing answers, serialising the page): the lab's target is HOP_TARGET_MS per hop.
 */
import { round } from '../record/format.ts'
import { HOP_TARGET_MS, type Calibration, type HopCalibration, type VariantResult } from '../record/results.ts'
import type { Floor } from '../../model/types.ts'
import { parseServerTiming, type Stage } from '../../variants/shared/stage-timing.ts'
import { median } from './stats.ts'

/** Server-Timing rounds each figure to 0.01 ms: less overlap than this is none. */
const ROUNDING_MS = 0.05

/** One hop of a measured waterfall: stages that overlap (a fan-out, and a lookup made beside it), or one stage alone; ms from the request's start. */
export interface HopGroup {
  stages: Stage[]
  startMs: number
  endMs: number
}

/**
 * A waterfall's hops, in order: a stage that overlaps the hop before it by more than half of the
 * shorter of the two is part of it (a fan-out's calls, a lookup made beside them, whichever was
 * started first). Taken on each answer's own waterfall, where stages that followed one another
 * do not overlap, or on a median one made of medians of starts and of ends (medianHopWaterfall),
 * where they do not either.
 */
export function hopGroups(stages: readonly Stage[]): HopGroup[] {
  const groups: HopGroup[] = []
  for (const stage of [...stages].sort((a, b) => a.startMs - b.startMs)) {
    const last = groups.at(-1)
    const endMs = stage.startMs + stage.durationMs
    const overlapMs = last ? Math.min(last.endMs, endMs) - stage.startMs : 0
    if (last && overlapMs > ROUNDING_MS && overlapMs > Math.min(stage.durationMs, last.endMs - last.startMs) / 2) {
      last.stages.push(stage)
      last.endMs = Math.max(last.endMs, endMs)
    } else groups.push({ stages: [stage], startMs: stage.startMs, endMs })
  }
  return groups
}

/** The `cache` stages of one answer's waterfall that are a hop of their own: no call made beside them. */
export function loneCacheStages(stages: readonly Stage[]): number {
  return hopGroups(stages).filter((group) => group.stages.length === 1 && group.stages[0]!.name === 'cache').length
}

/** The median count of lone `cache` stages over answers' Server-Timing headers, a whole count (the median of an even number can fall between two); 0 without any. */
export function medianLoneCacheStages(headers: readonly string[]): number {
  return headers.length ? Math.round(median(headers.map((header) => loneCacheStages(parseServerTiming(header).stages)))) : 0
}

/**
 * The Redis reads alone on the path: the lone `cache` stages of the answers' waterfalls (their
 * median count), but no more than the Redis reads a request made (the API's count: a lookup an
 * in-memory tier answered is no hop, and neither is any with the in-process map).
 */
export function cacheReadsOnPath(cacheStagesAlone: number, cacheReadsPerRequest: number): number {
  return Math.min(cacheStagesAlone, Math.round(cacheReadsPerRequest))
}

/** The calibration of a hop of k calls made together: the single call's for 1; undefined for a width not calibrated. */
export function callsCalibration(k: number, calibration: Calibration, hops: HopCalibration): Calibration | undefined {
  return k === 1 ? calibration : hops.atOnce[String(k)]
}

/** The widths of fan-out on the models' paths that need a calibration of their own (k > 1), in order. */
export function fanOutWidths(floors: ReadonlyArray<Pick<Floor, 'callsAtOnceOnPath'>>): number[] {
  return [...new Set(floors.flatMap((floor) => floor.callsAtOnceOnPath).filter((k) => k > 1))].sort((a, b) => a - b)
}

/**
 * A variant's overhead hop by hop; null without a floor or an overhead, or when a hop on its path
 * has no calibration (a fan-out wider than was calibrated, a Redis read when Redis did not answer
 * the calibration's).
 */
export function judgeHops(
  floor: Pick<Floor, 'callsAtOnceOnPath'> | undefined,
  overheadMs: number | null,
  cacheReads: number,
  calibration: Calibration,
  hops: HopCalibration,
): VariantResult['hops'] {
  if (!floor || overheadMs === null) return null
  const calls = floor.callsAtOnceOnPath.map((k) => callsCalibration(k, calibration, hops))
  if (calls.some((one) => one === undefined) || (cacheReads > 0 && !hops.cacheRead)) return null
  const calibratedMs =
    hops.request.overheadMs + calls.reduce((sum, one) => sum + one!.overheadMs, 0) + cacheReads * (hops.cacheRead?.overheadMs ?? 0)
  const count = 1 + calls.length + cacheReads
  const beyondMs = round(overheadMs - calibratedMs)
  const beyondPerHopMs = round(beyondMs / count)
  // The rounded figure, the one shown, is the one judged: "+0.30 ms" is within.
  return { count, cacheReads, calibratedMs: round(calibratedMs), beyondMs, beyondPerHopMs, withinTarget: beyondPerHopMs <= HOP_TARGET_MS }
}

/**
 * The median waterfall of `headers` for telling hops apart: each stage from the median of its
 * starts to the median of its ends. A stage that followed another ended after it in every answer,
 * so its median start is at or after the other's median end: they never overlap, as medians of
 * starts and of durations can (by 0.4 ms against a 0.6 ms Redis read, 2026-12-08: the read then
 * counted as made beside the call before it).
 */
export function medianHopWaterfall(headers: string[]): Stage[] {
  const byName = new Map<Stage['name'], Stage[]>()
  for (const header of headers)
    for (const stage of parseServerTiming(header).stages) {
      const list = byName.get(stage.name)
      if (list) list.push(stage)
      else byName.set(stage.name, [stage])
    }
  return [...byName]
    .filter(([, stages]) => stages.length * 2 >= headers.length)
    .map(([name, stages]) => {
      const startMs = median(stages.map((s) => s.startMs))
      const endMs = median(stages.map((s) => s.startMs + s.durationMs))
      return { name, startMs: round(startMs), durationMs: round(Math.max(0, endMs - startMs)) }
    })
    .sort((a, b) => a.startMs - b.startMs)
}
