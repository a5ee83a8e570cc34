/**
 * What each of the story's fixes is worth whatever order it comes in: its Shapley value, the
 * mean over the 3! = 6 orders of applying the fixes of what it gains where it comes in that
 * order, from a figure of each of the eight combinations (scenario/story.ts, COMBINATIONS).
 * The shares add up to the whole gain (naive's figure to parallel's), exactly. Beside each, what
 * the fix gains in the story's order (its step against its parent), which depends on that order.
 * Pure: the harness records it (bench/measure/attribution.ts) and the report's sliders work it
 * out again in the page.
 *
 * Written by hand: three players and eight values need no library, and none we know of is kept
 * for this in TypeScript.
 */
import { COMBINATIONS, FIXES, STORY, type Fix } from '../scenario/story.ts'

/** Whether a smaller figure is the better one (a floor, a p50) or a larger one (a saturation rate). */
export type Better = 'lower' | 'higher'

export interface FixShare {
  fix: Fix
  /** The mean of its gain over the six orders, in the figure's unit: what it is worth, order-free. */
  shapley: number
  /** Its share of the whole gain, in percent (the shares add up to 100). */
  percentOfGain: number
  /** Its gain in the story's order (its step against its parent), in the figure's unit. */
  inStoryOrder: number
  /** Its gain applied first (to naive) and last (to the other two together): the range the order moves it in. */
  appliedFirst: number
  appliedLast: number
}

export interface Attribution {
  /** The figure before any fix (naive's) and with all three (parallel's). */
  start: number
  end: number
  /** The whole gain, start to end, as an improvement (positive when the fixes helped). */
  gain: number
  /** The fixes, most worth first (by Shapley share). */
  shares: FixShare[]
}

/** The combination of exactly these fixes. */
function combinationOf(fixes: ReadonlySet<Fix>): string {
  const found = COMBINATIONS.find((c) => c.fixes.length === fixes.size && c.fixes.every((fix) => fixes.has(fix)))
  if (!found) throw new Error(`No variant combines ${[...fixes].join(', ') || 'no fix'} (scenario/story.ts, COMBINATIONS).`)
  return found.variant
}

/** Every order of the fixes. */
function orders(fixes: readonly Fix[]): Fix[][] {
  if (fixes.length <= 1) return [[...fixes]]
  return fixes.flatMap((first, i) => orders([...fixes.slice(0, i), ...fixes.slice(i + 1)]).map((rest) => [first, ...rest]))
}

/**
 * Each fix's Shapley share of `figure` (a value for each of the eight combinations' variants);
 * null when a combination has no figure (not modelled, not measured).
 */
export function attribute(figure: Readonly<Record<string, number | null | undefined>>, better: Better): Attribution | null {
  const value = (fixes: ReadonlySet<Fix>): number | null => figure[combinationOf(fixes)] ?? null
  for (const c of COMBINATIONS) if (typeof figure[c.variant] !== 'number' || !Number.isFinite(figure[c.variant])) return null
  const improvement = (before: number, after: number): number => (better === 'lower' ? before - after : after - before)
  const gainOf = (fix: Fix, before: ReadonlySet<Fix>): number => improvement(value(before)!, value(new Set([...before, fix]))!)
  const all = orders(FIXES)
  const start = value(new Set())!
  const end = value(new Set(FIXES))!
  const gain = improvement(start, end)
  const storyOrder = STORY.slice(1).map((step) => step.fix as Fix)
  const shares = FIXES.map((fix): FixShare => {
    const shapley = all.reduce((sum, order) => sum + gainOf(fix, new Set(order.slice(0, order.indexOf(fix)))), 0) / all.length
    return {
      fix,
      shapley,
      percentOfGain: gain === 0 ? 0 : (100 * shapley) / gain,
      inStoryOrder: gainOf(fix, new Set(storyOrder.slice(0, storyOrder.indexOf(fix)))),
      appliedFirst: gainOf(fix, new Set()),
      appliedLast: gainOf(fix, new Set(FIXES.filter((other) => other !== fix))),
    }
  })
  return { start, end, gain, shares: shares.sort((a, b) => b.shapley - a.shapley) }
}
