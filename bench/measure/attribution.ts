/**
 * Each fix's Shapley share (model/shapley.ts) of the model's figures and of the measured p50s,
 * as results.json records them (`attribution`).
 */
import { round } from '../record/format.ts'
import type { Attribution as AttributionRecord } from '../record/results.ts'
import type { ModelOutcome, VariantModel } from '../../model/types.ts'
import { attribute, type Attribution } from '../../model/shapley.ts'
import { COMBINATIONS } from '../../scenario/story.ts'

type FixFigure = NonNullable<AttributionRecord['warmFloor']>

/** A figure's attribution as results.json records it: its unit, rounded to 0.01. */
function recorded(attribution: Attribution | null, unit: 'ms' | 'req/s'): FixFigure | null {
  if (!attribution) return null
  const r = (n: number): number => round(n, 2)
  return {
    unit,
    start: r(attribution.start),
    end: r(attribution.end),
    gain: r(attribution.gain),
    shares: attribution.shares.map((s) => ({
      fix: s.fix,
      shapley: r(s.shapley),
      percentOfGain: r(s.percentOfGain),
      inStoryOrder: r(s.inStoryOrder),
      appliedFirst: r(s.appliedFirst),
      appliedLast: r(s.appliedLast),
    })),
  }
}

/**
 * Each fix's share of the model's figures (warm floor, cold floor, saturation) from the eight
 * combinations' models, and of the measured p50s (one request at a time, cache warm) when
 * all eight were measured.
 */
export function attributeFixes(
  outcomes: Readonly<Record<string, ModelOutcome>>,
  measuredP50sMs: Readonly<Record<string, number | null | undefined>> = {},
): AttributionRecord {
  const models: Record<string, VariantModel> = {}
  const notModelled: Record<string, string> = {}
  for (const { variant } of COMBINATIONS) {
    const outcome = outcomes[variant]
    if (outcome && 'model' in outcome) models[variant] = outcome.model
    else notModelled[variant] = outcome ? outcome.notModelled : `variants/${variant}.ts was not modelled`
  }
  const figure = (read: (model: VariantModel) => number) => Object.fromEntries(Object.entries(models).map(([v, m]) => [v, read(m)]))
  return {
    variants: Object.fromEntries(COMBINATIONS.map((c) => [c.variant, [...c.fixes]])),
    warmFloor: recorded(
      attribute(
        figure((m) => m.floor.warmMs),
        'lower',
      ),
      'ms',
    ),
    coldFloor: recorded(
      attribute(
        figure((m) => m.floor.coldMs),
        'lower',
      ),
      'ms',
    ),
    saturation: recorded(
      attribute(
        figure((m) => m.saturation.perSec),
        'higher',
      ),
      'req/s',
    ),
    p50: recorded(attribute(measuredP50sMs, 'lower'), 'ms'),
    notModelled,
  }
}
