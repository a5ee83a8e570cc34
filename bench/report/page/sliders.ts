/**
 * The what-if sliders, in the page (a run's report and a --predict's): every service's base
 * latency, pricing's per-item cost, the page size and the price cache's hit ratio. As they move,
 * each variant's floor, its gain against its parent and each fix's Shapley share are worked out
 * again from the structures of the model's virtual runs (model/structure.ts: the same code as the
 * harness's), with no server and no network. Bundled by esbuild into the page (render-sliders.ts).
 */
import type { SlidersPageData } from '../render-sliders.ts'
import { attribute } from '../../../model/shapley.ts'
import { workOut } from '../../../model/structure.ts'
import { COMBINATION_VARIANTS } from '../../../scenario/story.ts'
import { SERVICE_NAMES, type ServiceName } from '../../../scenario/types.ts'

/** Where the sliders are: the values a figure is worked out at. */
export interface SliderValues {
  latencyMs: Record<ServiceName, number>
  pricingPerItemMs: number
  productsPerPage: number
  /** The price cache's hit ratio, 0 to 1: a floor is hit × warm + (1 − hit) × cold. */
  hitRatio: number
}

export interface WorkedOut {
  /** Each variant's floor at these values, in ms; null when it has no structure there. */
  floorsMs: Record<string, number | null>
  /** Whether each variant's figure is exact: its structure gave the floors of the model's own runs at every value it was checked at. */
  exact: Record<string, boolean>
  attribution: ReturnType<typeof attribute>
}

/** The figures at `values`: each variant's floor, and each fix's Shapley share of the floors. */
export function workOutAt(data: SlidersPageData, values: SliderValues): WorkedOut {
  const { sliders, start } = data
  const stop = sliders.products.indexOf(values.productsPerPage)
  const at = sliders.at[stop] ?? {}
  const structureValues = {
    latencyMs: values.latencyMs,
    perItemMs: { ...start.perItemMs, pricing: values.pricingPerItemMs },
    workers: start.workers,
  }
  const floorsMs: Record<string, number | null> = {}
  const exact: Record<string, boolean> = {}
  for (const name of sliders.variants) {
    const structure = at[name]
    if (!structure) {
      floorsMs[name] = null
      exact[name] = false
      continue
    }
    const warm = workOut(structure.warm, structureValues)
    const cold = workOut(structure.cold, structureValues)
    floorsMs[name] = values.hitRatio * warm + (1 - values.hitRatio) * cold
    exact[name] = structure.exact === true
  }
  return { floorsMs, exact, attribution: attribute(floorsMs, 'lower') }
}

/** The sliders' values as the page's inputs hold them. */
function readInputs(data: SlidersPageData, root: HTMLElement): SliderValues {
  const value = (name: string): number => Number((root.querySelector(`input[name="${name}"]`) as HTMLInputElement).value)
  return {
    latencyMs: Object.fromEntries(SERVICE_NAMES.map((name) => [name, value(`latency-${name}`)])) as Record<ServiceName, number>,
    pricingPerItemMs: value('pricing-per-item'),
    productsPerPage: data.sliders.products[value('products')] ?? data.start.productsPerPage,
    hitRatio: value('hit-ratio') / 100,
  }
}

const ms = (value: number | null): string => {
  if (value === null) return '—'
  if (Math.abs(value) >= 999.5) return `${(value / 1000).toFixed(2)} s`
  if (Math.abs(value) >= 99.95) return `${value.toFixed(0)} ms`
  return `${value.toFixed(1)} ms`
}

const percent = (value: number): string => `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(0)} %`

/** Redraws the panel's figures from its inputs. */
function redraw(data: SlidersPageData, root: HTMLElement): void {
  const values = readInputs(data, root)
  const worked = workOutAt(data, values)
  for (const output of Array.from(root.querySelectorAll<HTMLOutputElement>('output[data-for]'))) {
    const input = root.querySelector<HTMLInputElement>(`input[name="${output.dataset.for}"]`)!
    output.value =
      input.name === 'products' ? String(values.productsPerPage) : input.name === 'hit-ratio' ? `${input.value} %` : `${input.value} ms`
  }
  for (const row of Array.from(root.querySelectorAll<HTMLTableRowElement>('tr[data-variant]'))) {
    const name = row.dataset.variant!
    const floor = worked.floorsMs[name] ?? null
    const parent = data.parents[name] ?? null
    const parentFloor = parent === null ? null : (worked.floorsMs[parent] ?? null)
    row.dataset.floorMs = floor === null ? '' : String(floor)
    row.querySelector('.floor')!.textContent = `${worked.exact[name] ? '' : '≈ '}${ms(floor)}`
    row.querySelector('.vs-parent')!.textContent =
      floor !== null && parentFloor ? `${percent(((floor - parentFloor) / parentFloor) * 100)} vs ${parent}` : '—'
    row.classList.toggle('approximate', !worked.exact[name])
  }
  const shares = root.querySelector<HTMLElement>('.slider-shares')!
  const a = worked.attribution
  shares.replaceChildren()
  const missing = data.sliders.variants.filter((name) => worked.floorsMs[name] === null)
  if (!a || a.gain <= 0) {
    shares.textContent = a
      ? 'No fix saves time at these values.'
      : `It needs all 8 combinations of the story's fixes; not modelled here: ${missing.join(', ')}.`
    return
  }
  for (const share of a.shares) {
    const item = document.createElement('li')
    item.dataset.fix = share.fix
    item.dataset.shapleyMs = String(share.shapley)
    const approximate = !Object.entries(worked.exact).every(([name, exact]) => exact || !COMBINATION_VARIANTS.includes(name))
    item.textContent = `${share.fix}: ${approximate ? '≈ ' : ''}${ms(share.shapley)} (${Math.round(share.percentOfGain)} %), in the story's order ${ms(share.inStoryOrder)}`
    shares.append(item)
  }
}

const element = document.getElementById('page-data')
const data = (element ? (JSON.parse(element.textContent ?? 'null') as { sliders: SlidersPageData | null }) : null)?.sliders
const root = document.getElementById('what-if-sliders')
if (data && root) {
  const all = root.querySelector<HTMLInputElement>('input[name="latency-all"]')!
  all.addEventListener('input', () => {
    for (const name of SERVICE_NAMES) root.querySelector<HTMLInputElement>(`input[name="latency-${name}"]`)!.value = all.value
  })
  root.addEventListener('input', () => redraw(data, root))
  redraw(data, root)
}
