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
import type { Stage } from '../../variants/shared/stage-timing.ts'

/** Server-Timing rounds each figure to 0.01 ms: less overlap than this is none. */
const ROUNDING_MS = 0.05

/** One hop of a measured waterfall: stages that overlap (a fan-out, and a lookup made beside it), or one stage alone; ms from the request's start. */
export interface HopGroup {
  stages: Stage[]
  startMs: number
  endMs: number
}

/**
 * A waterfall's hops, in order: a stage that spends more than half its time within the hop before
 * it is part of it (a fan-out's calls, a lookup made beside them). A median waterfall's stages can
 * overlap a little where they followed one another (medians of starts and of durations do not add
 * up exactly): that is not half a stage.
 */
export function hopGroups(stages: readonly Stage[]): HopGroup[] {
  const groups: HopGroup[] = []
  for (const stage of [...stages].sort((a, b) => a.startMs - b.startMs)) {
    const last = groups.at(-1)
    const endMs = stage.startMs + stage.durationMs
    const overlapMs = last ? Math.min(last.endMs, endMs) - stage.startMs : 0
    if (last && overlapMs > ROUNDING_MS && overlapMs > stage.durationMs / 2) {
      last.stages.push(stage)
      last.endMs = Math.max(last.endMs, endMs)
    } else groups.push({ stages: [stage], startMs: stage.startMs, endMs })
  }
  return groups
}

/**
 * The Redis reads alone on the path: `cache` stages that overlap no other, and last at least half a
 * calibrated read (a lookup an in-memory tier answers is no hop). None without a calibrated read.
 */
export function cacheReadsOnPath(stages: readonly Stage[], cacheRead: Calibration | null): number {
  if (!cacheRead) return 0
  return hopGroups(stages).filter((group) => group.stages.length === 1 && group.stages[0]!.name === 'cache' && group.stages[0]!.durationMs >= cacheRead.overheadMs / 2).length
}

/** The widths of fan-out on the models' paths that need a calibration of their own (k > 1), in order. */
export function fanOutWidths(floors: ReadonlyArray<Pick<Floor, 'callsAtOnceOnPath'>>): number[] {
  return [...new Set(floors.flatMap((floor) => floor.callsAtOnceOnPath).filter((k) => k > 1))].sort((a, b) => a - b)
}

/** A variant's overhead hop by hop; null without a floor or an overhead, or when a hop on its path has no calibration. */
export function judgeHops(floor: Pick<Floor, 'callsAtOnceOnPath'> | undefined, overheadMs: number | null, stages: readonly Stage[], calibration: Calibration, hops: HopCalibration): VariantResult['hops'] {
  if (!floor || overheadMs === null) return null
  const atOnce = (k: number): Calibration | undefined => (k === 1 ? calibration : hops.atOnce[String(k)])
  const calls = floor.callsAtOnceOnPath.map(atOnce)
  if (calls.some((one) => one === undefined)) return null
  const cacheReads = cacheReadsOnPath(stages, hops.cacheRead)
  const calibratedMs = hops.request.overheadMs + calls.reduce((sum, one) => sum + one!.overheadMs, 0) + cacheReads * (hops.cacheRead?.overheadMs ?? 0)
  const count = 1 + calls.length + cacheReads
  const beyondMs = overheadMs - calibratedMs
  return { count, cacheReads, calibratedMs: round(calibratedMs), beyondMs: round(beyondMs), beyondPerHopMs: round(beyondMs / count), withinTarget: beyondMs / count <= HOP_TARGET_MS }
}
