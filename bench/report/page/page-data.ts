/**
 * What the page's script (report.js) reads besides results.json, computed here so that no
 * name of a variant, a service or a stage is written in the page: the colour of each
 * variant and stage, the services in order, and the faults chart's series.
 */
import type { FaultRow } from '../report-model.ts'
import { STORY_VARIANTS, type STORY } from '../../../scenario/story.ts'
import { SERVICE_NAMES, type ServiceName } from '../../../scenario/types.ts'
import { STAGE_NAMES, type StageName } from '../../../variants/shared/stage-timing.ts'

/** One per step of the story, in its order (red to green); the type checks there is one per step. */
const STORY_COLORS = ['#d9534f', '#f0ad4e', '#3a8fd9', '#2f9e57'] as const satisfies { length: (typeof STORY)['length'] }
/** Any other variant, by its place in the run. */
const OTHER_COLORS = ['#8e44ad', '#16a085', '#7f8c8d', '#c0392b', '#2c3e50']
/** One per stage of STAGE_NAMES, in its order; the type checks there is one per stage. */
const STAGE_COLORS = ['#6c7a89', '#d9534f', '#9b59b6', '#f0ad4e', '#3a8fd9', '#2f9e57'] as const satisfies { length: (typeof STAGE_NAMES)['length'] }

export interface PageData {
  variantColors: Record<string, string>
  /** Also the colour of the service of the same name in the calls chart. */
  stageColors: Record<StageName, string>
  services: readonly ServiceName[]
}

/** The warm fault rows, as the faults chart draws them (shares computed by report-model, not again in the page). */
export type FaultSeries = Array<Pick<FaultRow, 'variant' | 'expectedPercent' | 'measuredPercent' | 'load'>>

/** The page's colours for these variants (a run's or a what-if's), in their order. */
export function pageData(names: string[]): PageData {
  const colorOf = (name: string, index: number): string => {
    const story = (STORY_VARIANTS as readonly string[]).indexOf(name)
    return story >= 0 ? STORY_COLORS[story]! : OTHER_COLORS[index % OTHER_COLORS.length]!
  }
  return {
    variantColors: Object.fromEntries(names.map((name, i) => [name, colorOf(name, i)])),
    stageColors: Object.fromEntries(STAGE_NAMES.map((stage, i) => [stage, STAGE_COLORS[i]!])) as Record<StageName, string>,
    services: SERVICE_NAMES,
  }
}

export function faultSeries(rows: FaultRow[]): FaultSeries {
  return rows.filter((r) => !r.cold).map(({ variant, expectedPercent, measuredPercent, load }) => ({ variant, expectedPercent, measuredPercent, load }))
}
