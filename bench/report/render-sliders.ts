/**
 * The what-if sliders' panel, in a run's report and a --predict's: the inputs and the table
 * page/sliders.ts fills, and that script bundled by esbuild for the page (it imports the
 * model's structure and the Shapley share, so the page works them out with the harness's code).
 */
import { fileURLToPath } from 'node:url'
import { html, trusted, type SafeHtml } from './html.ts'
import type { Sliders } from '../record/results.ts'
import { valuesOf, type StructureValues } from '../../model/structure.ts'
import { SERVICE_NAMES, type Scenario } from '../../scenario/types.ts'

const SCRIPT = fileURLToPath(new URL('./page/sliders.ts', import.meta.url))

/** The what-if sliders' data (sliders.ts works them out in the page): the structures, and the values they start at. */
export interface SlidersPageData {
  sliders: Sliders
  /** The scenario's values, where the sliders start (the cache's hit ratio at 100 %: the warm floor). */
  start: StructureValues & { productsPerPage: number }
  /** Each variant's parent, for its gain. */
  parents: Record<string, string | null>
  /** The variants the table shows (the run's); the other combinations of the fixes are worked out for the shares only. */
  shown: string[]
}

export function slidersData(sliders: Sliders | null, scenario: Scenario, parents: Record<string, string | null>): SlidersPageData | null {
  if (!sliders) return null
  return { sliders, start: { ...valuesOf(scenario), productsPerPage: scenario.productsPerPage }, parents, shown: Object.keys(parents) }
}

/** The sliders' ranges, in ms. */
export const LATENCY_RANGE_MS = { min: 0, max: 200 }
export const PER_ITEM_RANGE_MS = { min: 0, max: 100 }

let bundled: Promise<string> | undefined

/** page/sliders.ts and what it imports, as one script element for the page, after its JSON block. */
export async function slidersScript(): Promise<SafeHtml> {
  return html`<script>${trusted(await bundle())}</script>`
}

function bundle(): Promise<string> {
  bundled ??= import('esbuild').then(async ({ build }) => {
    const result = await build({
      entryPoints: [SCRIPT],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      write: false,
      minify: true,
      logLevel: 'silent',
    })
    // Inside a script element: nothing in it may read as its end tag.
    return result.outputFiles[0]!.text.replace(/<\/(script)/gi, '<\\/$1')
  })
  return bundled
}

/** A range input; its maximum is raised to its starting value when that is beyond, and a latency slides by any amount (a scenario's may be 100.4 ms). */
function slider(name: string, label: string, min: number, max: number, value: number, step: number | 'any' = 'any'): SafeHtml {
  return html`<label class="slider"><span>${label}</span><input type="range" name="${name}" min="${min}" max="${Math.max(max, Math.ceil(value))}" step="${step}" value="${value}"><output data-for="${name}"></output></label>`
}

/** The panel: folded, so the page opens on the lesson. Its script (slidersScript) goes after the page's JSON block. */
export function renderSlidersPanel(data: SlidersPageData | null): SafeHtml | '' {
  if (!data) return ''
  const { start, sliders } = data
  const productStop = sliders.products.indexOf(start.productsPerPage)
  const approximate = Object.entries(sliders.at[productStop] ?? {}).flatMap(([name, s]) =>
    s && s.exact !== true && data.shown.includes(name) ? [[name, s.exact] as const] : [],
  )
  return html`<details class="fold" id="what-if-sliders"><summary><h2>What if? Move a latency</h2></summary>
  <div class="folded">
  <p class="note">The model's floors worked out again in this page, with no server, as the sliders move: each variant's calls as its own code made them in virtual time, each call waiting for the answers it waited for there (learned from its code run at 9 settings) and for a worker of its service, at the sliders' latencies. The cache's hit ratio weighs the warm floor against the cold one.</p>
  <div class="sliders">
    ${slider('latency-all', 'every service', LATENCY_RANGE_MS.min, LATENCY_RANGE_MS.max, start.latencyMs.inventory)}
    ${SERVICE_NAMES.map((name) => slider(`latency-${name}`, name, LATENCY_RANGE_MS.min, LATENCY_RANGE_MS.max, start.latencyMs[name]))}
    ${slider('pricing-per-item', 'pricing, per item', PER_ITEM_RANGE_MS.min, PER_ITEM_RANGE_MS.max, start.perItemMs.pricing)}
    ${slider('products', 'products per page', 0, sliders.products.length - 1, productStop, 1)}
    ${slider('hit-ratio', "price cache's hit ratio", 0, 100, 100, 1)}
  </div>
  <table class="slider-floors"><thead><tr><th>variant</th><th class="num">floor</th><th class="num">vs parent</th></tr></thead>
  <tbody>${data.shown.map((name) => html`<tr data-variant="${name}"><td><code class="swatch" data-variant="${name}">${name}</code></td><td class="num floor"></td><td class="num vs-parent"></td></tr>`)}</tbody></table>
  <h3>What each fix is worth here, in any order</h3>
  <ol class="slider-shares"></ol>
  <p class="note">Exact for code whose calls depend on answers only. ≈: a variant whose structure did not give the floors of its code's own runs at those settings (its control flow depends on time), replayed from its own run's order of answers, approximate${approximate.length ? html`: ${approximate.map(([name, why]) => `${name} (${why})`).join('; ')}` : ''}. The page sizes are those the model ran at: ${sliders.products.join(', ')}.</p>
  </div>
</details>`
}
