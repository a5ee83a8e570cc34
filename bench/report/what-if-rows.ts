/**
 * What every rendering of a what-if shows (terminal, summary.md, report.html): one row per
 * variant at each value, the model's figures and, when measured, the p50 beside its floor,
 * and each step's gain against its parent. Computed from the what-if's results.json only.
 */
import { formatMs, formatShare } from '../record/format.ts'
import type { WhatIf } from '../record/results.ts'
import { describeFaults, formatOverhead, formatSaturation, percentChange } from './report-rows.ts'

export interface WhatIfRow {
  /** The varied parameter's value; null without --vary. */
  value: number | null
  variant: string
  parent: string | null
  notModelled: string | null
  floorMs: number | null
  coldFloorMs: number | null
  /** The floor's change against the parent's floor at the same value, in percent: what the step should buy. */
  floorGainPercent: number | null
  calls: number | null
  callsOnPath: number | null
  maxInFlight: number | null
  saturation: string
  expectedFailurePercent: number | null
  modelWallMs: number | null
  /** Measured (a --vary run without --predict): the p50 and its n, null when nothing was. */
  p50Ms: number | null
  samples: number | null
  /** The p50's change against the parent's p50 at the same value: what the step bought. */
  p50GainPercent: number | null
  /** "+12.3 ms (+5.6 %) ✓", or "—". */
  overhead: string
  withinTolerance: boolean | null
  /** The API's deadline at this value: a floor past it answers 504, never 200. */
  deadlineMs: number
  /** The measured p50 is at or above the floor (null when either is missing): a p50 under its floor is a model or a lab gone wrong. */
  atOrAboveFloor: boolean | null
}

export function whatIfRows(w: WhatIf): WhatIfRow[] {
  return w.points.flatMap((point) =>
    Object.entries(point.variants).map(([variant, v]): WhatIfRow => {
      const parent = w.variants[variant]?.parent ?? null
      const p = parent === null ? undefined : point.variants[parent]
      const m = v.measured
      const p50Ms = m?.p50Ms ?? null
      const overhead = m ? formatOverhead(m.overheadMs, v.floorMs) : '—'
      return {
        value: point.value,
        variant,
        parent,
        notModelled: v.notModelled,
        floorMs: v.floorMs,
        coldFloorMs: v.coldFloorMs,
        floorGainPercent: v.floorMs !== null && p?.floorMs ? percentChange(p.floorMs, v.floorMs) : null,
        calls: v.model ? Object.values(v.model.calls).reduce((sum, n) => sum + n, 0) : null,
        callsOnPath: v.model?.callsOnPath ?? null,
        maxInFlight: v.model?.maxInFlight ?? null,
        saturation: formatSaturation(v.model),
        expectedFailurePercent: v.model?.expectedFailurePercent ?? null,
        modelWallMs: v.modelWallMs,
        p50Ms,
        samples: m ? m.samples : null,
        p50GainPercent: p50Ms !== null && p?.measured?.p50Ms ? percentChange(p.measured.p50Ms, p50Ms) : null,
        overhead: m?.withinTolerance === null || !m ? overhead : `${overhead} ${m.withinTolerance ? '✓' : '✗'}`,
        withinTolerance: m?.withinTolerance ?? null,
        atOrAboveFloor: p50Ms !== null && v.floorMs !== null ? p50Ms >= v.floorMs : null,
        deadlineMs: point.scenario.requestDeadlineMs,
      }
    }),
  )
}

/** "products per page = 20", "base latency of every service = 40 ms", or the scenario's name without --vary. */
export function formatValue(w: WhatIf, value: number | null): string {
  if (!w.vary || value === null) return w.points[0]!.scenario.name
  return `${value}${w.vary.unit ? ` ${w.vary.unit}` : ''}`
}

/** The page's and the terminal's title: what was predicted or varied. */
export function whatIfTitle(w: WhatIf): string {
  const what = w.measured ? 'measured against the model' : 'predicted from the code alone'
  if (!w.vary) return `What each variant should cost, ${what}`
  return `${capitalize(w.vary.label)} at ${w.vary.values.join(', ')}${w.vary.unit ? ` ${w.vary.unit}` : ''}: each variant ${what}`
}

/** The notes every rendering adds under the table: what was (not) measured, what was not modelled, the fidelity, the model's cost. */
export function whatIfLines(w: WhatIf): string[] {
  const rows = whatIfRows(w)
  const lines: string[] = []
  lines.push(
    w.measured
      ? `Measured: at each value, a stack of its own, the correctness check and the latency phase${w.run.quick ? ' (quick-sized samples)' : ''}, one request at a time; the p50 is of the warm (or only) case.`
      : 'Nothing was measured: no server was started. Each figure is the variant’s own code run in virtual time against the scenario’s configured latencies (the floor: what it would take if the lab cost nothing).',
  )
  lines.push(
    'Calls per request, on the critical path and in flight, the saturation and the share expected to fail are those of the warm case (the price cache filled): a cached variant’s steady state.',
  )
  const faults = describeFaults(w.points[0]!.scenario)
  if (faults) lines.push(`Injected faults (${faults}): “expected to fail” is 1 − Π(1 − rate)^calls over the calls a request makes, warm.`)
  const at = (r: WhatIfRow): string => `${r.variant}${w.vary ? ` at ${formatValue(w, r.value)}` : ''}`
  for (const r of rows) {
    if (r.notModelled) lines.push(`Not modelled: ${at(r)}: ${r.notModelled}.`)
  }
  const late = rows.filter((r) => Math.max(r.coldFloorMs ?? 0, r.floorMs ?? 0) > r.deadlineMs)
  if (late.length) {
    const each = late.map(
      (r) =>
        `${at(r)} (floor ${formatMs(r.floorMs)}${r.coldFloorMs !== r.floorMs ? `, cold ${formatMs(r.coldFloorMs)}` : ''}, deadline ${formatMs(r.deadlineMs)})`,
    )
    lines.push(
      `Past the deadline: ${each.join(', ')}: a request that takes longer than the API's deadline is answered 504, never 200 (--deadline raises it).`,
    )
  }
  for (const point of w.points) {
    for (const [name, v] of Object.entries(point.variants)) {
      if (v.notMeasured) lines.push(`Not measured: ${name}${w.vary ? ` at ${formatValue(w, point.value)}` : ''}: ${v.notMeasured}.`)
    }
  }
  for (const point of w.points) {
    if (!point.valid) lines.push(`${w.vary ? `At ${formatValue(w, point.value)}` : 'Measured'}: ${point.problems.join('; ')}`)
  }
  const judged = rows.filter((r) => r.withinTolerance !== null)
  if (judged.length) {
    const outside = judged
      .filter((r) => !r.withinTolerance)
      .map((r) => `${r.variant}${w.vary ? ` at ${formatValue(w, r.value)}` : ''} ${r.overhead}`)
    const under = rows.filter((r) => r.atOrAboveFloor === false).map((r) => `${r.variant}${w.vary ? ` at ${formatValue(w, r.value)}` : ''}`)
    lines.push(
      `Fidelity (p50 within max(3 % of the floor, 5 ms) of the floor): ${judged.length - outside.length} of ${judged.length}${outside.length ? ` — outside: ${outside.join(', ')}` : ' ✓'}. ` +
        (under.length ? `Under its floor (a model or a lab gone wrong): ${under.join(', ')} ✗.` : 'Every p50 is at or above its floor ✓.'),
    )
  }
  const walls = rows.flatMap((r) => (r.modelWallMs === null || r.notModelled ? [] : [r.modelWallMs]))
  if (walls.length)
    lines.push(
      `The model took ${formatMs(Math.min(...walls))} to ${formatMs(Math.max(...walls))} of real time per variant${w.vary ? ' and value' : ''} (its cold and warm virtual runs); the whole command ${w.durationSeconds} s.`,
    )
  return lines
}

/** "42 %", for the expected-failure column; "—" without a model. */
export function formatExpected(r: WhatIfRow): string {
  return formatShare(r.expectedFailurePercent)
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
