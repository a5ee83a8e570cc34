/**
 * What the report's what-if sliders work out in the page (model/structure.ts): each variant's
 * runs as structures of calls, at each page size the products slider stops at (the calls a page
 * makes depend on its size: naive makes one per product), for every variant the run modelled
 * (those it measured and the eight combinations of the story's fixes, whose Shapley shares move
 * with the sliders), and whether each structure gave the model's own floors at other values.
 */
import type { Sliders } from '../record/results.ts'
import { modelScenarios } from '../stack/model-process.ts'
import type { JitterMode, ModelOutcome } from '../../model/types.ts'
import { resolveScenario } from '../../scenario/resolve-scenario.ts'
import type { Scenario } from '../../scenario/types.ts'

/** The page sizes the products slider stops at, beside the run's own. */
export const PRODUCT_STOPS = [10, 20, 50, 100] as const

/** The structures at the stops other than the run's page size (no faults' model, no mix), in a process of their own. */
export async function modelOtherStops(
  scenario: Scenario,
  variants: string[],
  jitter: JitterMode,
): Promise<Map<number, Record<string, ModelOutcome>>> {
  const stops = PRODUCT_STOPS.filter((products) => products !== scenario.productsPerPage)
  const outcomes = await modelScenarios(
    stops.map((productsPerPage) => resolveScenario(scenario, { productsPerPage })),
    variants,
    { jitter, structure: 'only' },
  )
  return new Map(stops.map((products, i) => [products, outcomes[i]!]))
}

/** The sliders' record: the run's own models at its page size, the others' at theirs. */
export function assembleSliders(
  scenario: Scenario,
  atRun: Record<string, ModelOutcome>,
  others: Map<number, Record<string, ModelOutcome>>,
): Sliders {
  const variants = Object.keys(atRun)
  const products = [...new Set([...others.keys(), scenario.productsPerPage])].sort((a, b) => a - b)
  const structureOf = (outcome: ModelOutcome | undefined) => (outcome && 'model' in outcome ? outcome.model.structure : null)
  return {
    products,
    variants,
    at: products.map((p) =>
      Object.fromEntries(variants.map((name) => [name, structureOf(p === scenario.productsPerPage ? atRun[name] : others.get(p)?.[name])])),
    ),
  }
}
