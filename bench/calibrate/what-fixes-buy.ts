/**
 * The calibrated scenario through the model: the eight combinations of the story's fixes run in
 * virtual time at the team's own latencies. Which one the endpoint's shape matches (the calls it
 * makes to each service, and how many at once), and what each fix would buy at these latencies,
 * in any order (each fix's Shapley share of the warm floor, as a run reports it).
 */
import { mostAtOnce, type EndpointShape } from './calibrate-traces.ts'
import { attributeFixes } from '../measure/attribution.ts'
import type { Attribution } from '../record/results.ts'
import { modelVariants } from '../stack/model-process.ts'
import { replay, valuesOf } from '../../model/structure.ts'
import type { CallStructure } from '../../model/types.ts'
import { resolveScenario } from '../../scenario/resolve-scenario.ts'
import { COMBINATION_VARIANTS, COMBINATIONS, type Fix } from '../../scenario/story.ts'
import { SERVICE_NAMES, type Scenario, type ServiceName } from '../../scenario/types.ts'

/** A combination's calls per request at the calibrated values, as the endpoint's shape counts them. */
export interface VariantShape {
  calls: Partial<Record<ServiceName, number>>
  atOnce: number
}

export interface WhatFixesBuy {
  attribution: Attribution
  /** The combination whose calls match the endpoint's (exactly, or the closest), and the fixes it has. */
  match: {
    variant: string
    fixes: readonly Fix[]
    exact: boolean
    cache: 'warm' | 'cold'
    /** Other combinations whose calls agree as well (a cache that missed makes naive's calls): the calls cannot tell them apart. */
    alike: Array<{ variant: string; cache: 'warm' | 'cold' }>
  } | null
  /** Each combination's warm floor at these latencies, in ms. */
  floorsMs: Record<string, number>
}

export async function whatFixesBuy(scenario: Scenario, shape: EndpointShape | null, seen: readonly ServiceName[]): Promise<WhatFixesBuy> {
  const outcomes = await modelVariants(scenario, [...COMBINATION_VARIANTS], { structure: 'also' })
  // The shapes at the endpoint's own page size: its calls follow the page it lists.
  const atItsPage =
    shape?.products !== undefined && shape.products !== scenario.productsPerPage
      ? resolveScenario(scenario, { productsPerPage: shape.products })
      : scenario
  const shaped = atItsPage === scenario ? outcomes : await modelVariants(atItsPage, [...COMBINATION_VARIANTS], { structure: 'only' })
  const floorsMs: Record<string, number> = {}
  const shapes: Array<{ variant: string; cache: 'warm' | 'cold'; shape: VariantShape }> = []
  for (const variant of COMBINATION_VARIANTS) {
    const outcome = outcomes[variant]
    if (!outcome || !('model' in outcome)) continue
    floorsMs[variant] = outcome.model.floor.warmMs
    const at = shaped[variant]
    const structure = at && 'model' in at ? at.model.structure : null
    if (!structure) continue
    shapes.push({ variant, cache: 'warm', shape: shapeOfStructure(structure.warm, atItsPage) })
    shapes.push({ variant, cache: 'cold', shape: shapeOfStructure(structure.cold, atItsPage) })
  }
  return { attribution: attributeFixes(outcomes), match: shape ? closest(shape, shapes, seen) : null, floorsMs }
}

/** A structure replayed at the scenario's values: its calls per service, and the most in flight at once. */
export function shapeOfStructure(structure: CallStructure, scenario: Scenario): VariantShape {
  const { startMs, endMs } = replay(structure, valuesOf(scenario))
  const calls: VariantShape['calls'] = {}
  for (const [s] of structure.calls) calls[SERVICE_NAMES[s]!] = (calls[SERVICE_NAMES[s]!] ?? 0) + 1
  const atOnce = mostAtOnce(startMs.map((start, i) => [start, endMs[i]!] as const))
  return { calls, atOnce }
}

/**
 * The combination closest to the endpoint: the fewest calls apart, service by service, then the
 * nearest at once. Only the services the traces hold count (`seen`): one absent from them, or
 * ignored, says nothing of how many calls it would get. Combinations the calls cannot tell apart
 * are named beside the match.
 */
function closest(
  endpoint: EndpointShape,
  shapes: Array<{ variant: string; cache: 'warm' | 'cold'; shape: VariantShape }>,
  seen: readonly ServiceName[],
): WhatFixesBuy['match'] {
  const distance = (shape: VariantShape): [number, number] => [
    seen.reduce((sum, s) => sum + Math.abs((shape.calls[s] ?? 0) - (endpoint.calls[s] ?? 0)), 0),
    Math.abs(shape.atOnce - endpoint.atOnce),
  ]
  const fixesOf = (variant: string) => COMBINATIONS.find((c) => c.variant === variant)!.fixes
  // Ties go to the fewest fixes: calls alone cannot tell a cache that missed from no cache.
  const ranked = shapes
    .map((s) => ({ ...s, d: distance(s.shape) }))
    .sort(
      (a, b) =>
        a.d[0] - b.d[0] || a.d[1] - b.d[1] || fixesOf(a.variant).length - fixesOf(b.variant).length || (a.cache === 'warm' ? -1 : 1),
    )
  const best = ranked[0]
  if (!best) return null
  const tied = ranked.filter((r) => r.d[0] === best.d[0] && r.d[1] === best.d[1] && r.variant !== best.variant)
  return {
    variant: best.variant,
    fixes: fixesOf(best.variant),
    exact: best.d[0] === 0 && best.d[1] === 0,
    cache: best.cache,
    alike: [...new Map(tied.map((t) => [t.variant, { variant: t.variant, cache: t.cache }])).values()],
  }
}
