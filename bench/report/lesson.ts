/**
 * The lesson of a run, said first in every rendering (terminal, summary.md, report.html,
 * README): which fix saved the most time, what each fix bought one request at a time and at
 * the top load level, the top load level of every variant, and one line on how far to trust
 * it. Computed from results.json only, never written by hand: another scenario names
 * another fix.
 */
import { compareMedians, medianInterval, type Change } from './noise.ts'
import { attribute } from '../../model/shapley.ts'
import { formatMs, formatShare } from '../record/format.ts'
import type { Attribution, LoadLevel, Results } from '../record/results.ts'
import { COMBINATION_VARIANTS, isStoryVariant, STORY, storyFix } from '../../scenario/story.ts'

/** One step of the story: what its fix bought against the step before it. */
export interface FixRow {
  /** Its place in the story: 0 for the starting point, then 1, 2, 3. */
  step: number
  variant: string
  parent: string | null
  /** "the N+1 fix"; "the starting point" for the first step. */
  fix: string
  /** Warm p50 one request at a time, and its n; null when no good answer came. */
  p50Ms: number | null
  samples: number | null
  parentP50Ms: number | null
  /** The parent's p50 minus this one's: the time the fix saved (negative: it cost time); null for the start or without both. */
  savedMs: number | null
  /** savedMs as a share of the starting point's p50, in percent. */
  savedPercentOfStart: number | null
  /** p50 against the parent's, in percent (negative: faster). */
  changePercent: number | null
  /** Whether the change lies beyond the run's noise (noise.ts); null when either side kept no samples. */
  change: Change | null
  /** The time saved as far as the run's noise allows: the parent's median interval less this one's (noise.ts); null without samples. */
  savedRangeMs: [number, number] | null
  coldP50Ms: number | null
  coldSamples: number | null
  /** At the run's top load level; null when the variant had none. */
  top: TopLevel | null
}

export interface TopLevel {
  connections: number
  goodPerSec: number
  /** Requests that got no good answer, in percent of those sent. */
  failedPercent: number
  labBound: boolean
}

export interface Lesson {
  /** The story's first measured step, the reference every saving is a share of. */
  start: FixRow
  /** The fixes, the most time saved first. */
  ranked: FixRow[]
  /** The fixes with no saving to rank (unrankedReason says why), in the story's order. */
  unranked: FixRow[]
  /**
   * "The N+1 fix saved the most time: 2.02 s of naive's 4.04 s (50 %)."; with all eight combinations measured
   * (--ablation), what each fix is worth in any order: "The price cache is worth the most in any order: …".
   */
  verdict: string
  /** How the savings in the table were counted, in a clause. */
  counted: string
  /** Whether the verdict is what each fix is worth in any order (all eight combinations measured), not the table's story order. */
  verdictInAnyOrder: boolean
}

/** The story's measured steps as rows, in the story's order; a step is set against its parent in the story, when that was measured. */
export function fixRows(results: Results): FixRow[] {
  const measured = STORY.filter((s) => results.variants[s.variant])
  const start = measured[0] ? (results.variants[measured[0].variant]!.latency?.p50Ms ?? null) : null
  const top = results.run.connections.length ? Math.max(...results.run.connections) : null
  return measured.map((s, i) => {
    const v = results.variants[s.variant]!
    const step = STORY.indexOf(s)
    // Its parent in the story, when measured: a step is never credited with the saving of one the run left out.
    const before = i > 0 && step > 0 && results.variants[STORY[step - 1]!.variant] ? STORY[step - 1]!.variant : null
    const parent = before === null ? null : results.variants[before]!
    const p50Ms = v.latency?.p50Ms ?? null
    const parentP50Ms = parent?.latency?.p50Ms ?? null
    const savedMs = p50Ms !== null && parentP50Ms !== null ? parentP50Ms - p50Ms : null
    return {
      step,
      variant: s.variant,
      parent: before,
      fix: storyFix(s.variant)!,
      p50Ms,
      samples: v.latency?.samples ?? null,
      parentP50Ms,
      savedMs,
      savedPercentOfStart: savedMs !== null && start ? (savedMs / start) * 100 : null,
      changePercent: savedMs !== null && parentP50Ms ? (-savedMs / parentP50Ms) * 100 : null,
      change: before === null ? null : changeAgainst(results, before, s.variant),
      savedRangeMs: before === null ? null : savedRange(results, before, s.variant),
      coldP50Ms: v.coldLatency?.p50Ms ?? null,
      coldSamples: v.coldLatency?.samples ?? null,
      top: top === null ? null : topLevel(v.load, top),
    }
  })
}

/** Whether `variant`'s warm p50 moved from `parent`'s beyond the noise of the run's samples (the first run's, as the tables are). */
export function changeAgainst(results: Results, parent: string, variant: string): Change | null {
  const [run] = results.runs
  const before = run?.variants[parent]?.latency.latenciesMs ?? []
  const after = run?.variants[variant]?.latency.latenciesMs ?? []
  return compareMedians(before, after)
}

/** The time a step saved against its parent, low to high, from the two medians' intervals; null without samples on either side. */
function savedRange(results: Results, parent: string, variant: string): [number, number] | null {
  const [run] = results.runs
  const before = medianInterval(run?.variants[parent]?.latency.latenciesMs ?? [])
  const after = medianInterval(run?.variants[variant]?.latency.latenciesMs ?? [])
  return before && after ? [before.low - after.high, before.high - after.low] : null
}

/** The verdict and the ranked fixes; undefined when no fix of the story could be set against a measured parent. */
export function lesson(results: Results): Lesson | undefined {
  const [start, ...fixes] = fixRows(results)
  const ranked = fixes.filter((f) => f.savedMs !== null).sort((a, b) => b.savedMs! - a.savedMs! || a.step - b.step)
  if (!start || start.p50Ms === null || !ranked.length) return undefined
  const unranked = fixes.filter((f) => f.savedMs === null)
  const counted = `each fix against the step before it, in the story's order`
  const of = `of ${start.variant}'s ${formatMs(start.p50Ms)}`
  // Only a saving beyond the noise can be the lesson (a fix with no noise to judge by, n < 2 a side, counts as measured).
  const beyond = ranked.filter((r) => r.savedMs! > 0 && r.change !== 'within noise')
  const best = beyond[0]
  // Runners-up the run cannot tell from the best: their savings' ranges overlap its.
  const tied = beyond.slice(1).filter((r) => overlap(best?.savedRangeMs ?? null, r.savedRangeMs))
  let verdict: string
  if (!best && ranked[0]!.savedMs! <= 0) verdict = `No fix saved time here: every step was as slow as the one before it, or slower.`
  else if (!best)
    verdict = `No fix saved more than this run's noise: the largest saving, ${ranked[0]!.fix}'s ${formatMs(ranked[0]!.savedMs)}, is within it.`
  else if (tied.length) {
    const all = [best, ...tied]
    verdict = `${capitalize(list(all.map((r) => r.fix)))} saved about the same time, within this run's noise: ${list(all.map((r) => `${formatMs(r.savedMs)} (${formatShare(r.savedPercentOfStart)})`))} ${of}.`
  } else
    verdict = `${capitalize(best.fix)} saved the most time: ${formatMs(best.savedMs)} ${of} (${formatShare(best.savedPercentOfStart)}).`
  const inAnyOrder = anyOrderVerdict(results)
  return { start, ranked, unranked, verdict: inAnyOrder ?? verdict, counted, verdictInAnyOrder: inAnyOrder !== undefined }
}

/**
 * With all eight combinations measured (--ablation), the verdict is what each fix is worth in any
 * order, from the measured p50s, and says so. A fix's share is a weighted sum of the eight medians,
 * so the range it can take is read from their intervals (noise.ts): a runner-up whose range meets
 * the best's is named with it. Only with samples enough for a 95 % interval of every median
 * (ANY_ORDER_MIN_SAMPLES); with fewer, the verdict stays the story's, and the any-order sentence
 * beside it gives the shares.
 */
export function anyOrderVerdict(results: Pick<Results, 'attribution' | 'runs'>): string | undefined {
  const measured = results.attribution?.p50
  if (!measured || measured.gain <= 0) return undefined
  const [run] = results.runs
  const intervals = Object.fromEntries(
    COMBINATION_VARIANTS.map((name) => [name, medianInterval(run?.variants[name]?.latency.latenciesMs ?? [])]),
  )
  if (Object.values(intervals).some((i) => i === null || i.coverage < 0.95)) return undefined
  // Each combination's weight in each fix's share: the shares of a figure that is 1 for that combination and 0 for the others.
  const weights = new Map(
    COMBINATION_VARIANTS.map((name) => [
      name,
      attribute(Object.fromEntries(COMBINATION_VARIANTS.map((v) => [v, v === name ? 1 : 0])), 'lower')!.shares,
    ]),
  )
  const range = (fix: string): [number, number] => {
    let low = 0
    let high = 0
    for (const name of COMBINATION_VARIANTS) {
      const w = weights.get(name)!.find((s) => s.fix === fix)!.shapley
      const { low: l, high: h } = intervals[name]!
      low += w * (w > 0 ? l : h)
      high += w * (w > 0 ? h : l)
    }
    return [low, high]
  }
  const [best, ...rest] = measured.shares
  const bestRange = range(best!.fix)
  const tied = rest.filter((s) => overlap(bestRange, range(s.fix)))
  const of = `of the ${formatMs(measured.gain)} the three fixes save together`
  const source = 'Shapley shares of the measured p50s of all 8 combinations'
  if (tied.length) {
    const all = [best!, ...tied]
    return `${capitalize(list(all.map((s) => s.fix)))} are worth about the same in any order, within this run's noise: ${list(all.map((s) => `${formatMs(s.shapley)} (${formatShare(s.percentOfGain)})`))} ${of} (${source}).`
  }
  return `${capitalize(best!.fix)} is worth the most in any order: ${formatMs(best!.shapley)} ${of} (${formatShare(best!.percentOfGain)}; ${source}).`
}

type FixFigure = NonNullable<Attribution['warmFloor']>

/** What each fix is worth whatever order it comes in, as the lesson says it. */
export interface AnyOrder {
  /** `measured`: the Shapley shares of the measured p50s of all eight combinations (--ablation); `model`: of the model's warm floors. */
  source: 'measured' | 'model'
  figure: FixFigure
  /** "the model's warm floors", "the measured p50s": what the shares are of. */
  of: string
  /** "In any order (…): the price cache is worth 1.75 s (46 %), concurrency 1.06 s (28 %) and the N+1 fix 1.02 s (27 %) of the 3.83 s the three save together." */
  sentence: string
}

/** The Shapley shares the lesson leads with: the measured p50s' when all eight combinations were measured, else the model's warm floors'. */
export function anyOrder(attribution: Attribution | null | undefined): AnyOrder | undefined {
  if (!attribution) return undefined
  const source = attribution.p50 ? 'measured' : 'model'
  const figure = attribution.p50 ?? attribution.warmFloor
  if (!figure || figure.gain <= 0) return undefined
  const of = source === 'measured' ? 'the measured p50s' : "the model's warm floors"
  const parts = figure.shares.map(
    (s, i) => `${s.fix}${i === 0 ? ' is worth' : ''} ${formatMs(s.shapley)} (${formatShare(s.percentOfGain)})`,
  )
  const sentence = `In any order (Shapley shares of ${of}, all 8 combinations of the three fixes): ${list(parts)} of the ${formatMs(figure.gain)} the three save together.`
  return { source, figure, of, sentence }
}

/** Why a fix has no saving to rank: its parent was not measured, or one of the two has no good answer. */
export function unrankedReason(row: FixRow): string {
  if (row.parent === null) return `not ranked: the step before it (${STORY[row.step - 1]?.variant ?? '—'}) was not measured`
  return row.p50Ms === null
    ? 'not ranked: no good answer one request at a time'
    : `not ranked: ${row.parent} had no good answer one request at a time`
}

/** A variant's level at the run's top number of connections (null when it did not run it): good answers per second and the share failed. */
function topLevel(load: LoadLevel[], connections: number): TopLevel | null {
  const top = load.find((l) => l.connections === connections)
  if (!top) return null
  return {
    connections: top.connections,
    goodPerSec: top.goodPerSec,
    failedPercent: failedPercent(top),
    labBound: top.selfCheck.labBound.length > 0,
  }
}

/** Requests at a load level that got no good answer (an error status, a wrong body, no answer), in percent of those sent. */
export function failedPercent(level: Pick<LoadLevel, 'requests' | 'errors' | 'timeouts' | 'non2xx' | 'mismatches'>): number {
  const sent = level.requests + level.errors + level.timeouts
  return sent ? ((level.non2xx + level.mismatches + level.errors + level.timeouts) / sent) * 100 : 0
}

/** Every variant at the run's top load level: what the peak table shows. */
export interface PeakRow {
  variant: string
  story: boolean
  connections: number
  goodPerSec: number
  /** Null without a good answer (every request failed): no latency, never a fast 0. */
  p50Ms: number | null
  /** The p99, or below 100 answers the max, called that, with n. */
  p99Ms: number | null
  maxMs: number
  answered: number
  failedPercent: number
  hitRatio: number | null
  labBound: string[]
}

export function peakRows(results: Results): PeakRow[] {
  const connections = Math.max(...results.run.connections)
  return Object.entries(results.variants).flatMap(([variant, v]) => {
    const top = v.load.find((l) => l.connections === connections)
    if (!top) return []
    return [
      {
        variant,
        story: isStoryVariant(variant),
        connections: top.connections,
        goodPerSec: top.goodPerSec,
        p50Ms: top.answered ? top.p50Ms : null,
        p99Ms: top.p99Ms,
        maxMs: top.maxMs,
        answered: top.answered,
        failedPercent: failedPercent(top),
        hitRatio: top.hitRatio,
        labBound: top.selfCheck.labBound,
      },
    ]
  })
}

/**
 * How far to trust the run, in one line: its runs and samples, whether the measurement
 * agreed with the model, the levels the machine limited, and what to do for a verdict.
 */
export function trustLine(results: Results): string {
  const runs = results.runs.length
  const bySamples = new Map<number, string[]>()
  for (const [name, v] of Object.entries(results.variants)) {
    if (!isStoryVariant(name) || !v.latency) continue
    bySamples.set(v.latency.samples, [...(bySamples.get(v.latency.samples) ?? []), name])
  }
  const samples = [...bySamples].map(([n, names]) => `${n} (${names.join(', ')})`).join(', ')
  const judged = Object.entries(results.variants).filter(([, v]) => v.withinTolerance !== null)
  const within = judged.filter(([, v]) => v.withinTolerance).length
  const model = judged.length
    ? within === judged.length
      ? `every p50 within the model's tolerance of its floor`
      : `${within} of ${judged.length} p50s within the model's tolerance of their floor`
    : 'no variant has a model to check the measurement against'
  // The levels the machine limited, grouped by level: "at 50 conn.: bulk, parallel".
  const bound = new Map<string, string[]>()
  for (const [name, v] of Object.entries(results.variants)) {
    for (const l of v.load)
      if (l.selfCheck.labBound.length) bound.set(`${l.connections} conn.`, [...(bound.get(`${l.connections} conn.`) ?? []), name])
    for (const l of v.peakLoad?.levels ?? [])
      if (l.selfCheck.labBound.length) bound.set('the sweep', [...new Set([...(bound.get('the sweep') ?? []), name])])
  }
  const limited = bound.size
    ? `lab-bound (✕, the machine's figures, not the code's) ${[...bound].map(([at, names]) => `at ${at}: ${names.join(', ')}`).join('; ')}`
    : 'no level lab-bound'
  const more = runs === 1 ? ' For a verdict on a change: --runs 5 and a baseline.' : ''
  return `${runs} run${runs === 1 ? '' : 's'}${runs > 1 ? ' (the tables: the first)' : ''}; n = ${samples || '—'}; ${model}; ${limited}.${more}`
}

/** Whether two ranges share a point; false when either is unknown. */
function overlap(a: [number, number] | null, b: [number, number] | null): boolean {
  return a !== null && b !== null && a[0] <= b[1] && b[0] <= a[1]
}

/** "a", "a and b", "a, b and c". */
function list(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
