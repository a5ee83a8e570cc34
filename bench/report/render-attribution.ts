/**
 * "What each fix is worth, in any order", in every rendering (report.html of a run and of a
 * what-if, summary.md, the terminal): each fix's Shapley share (results.json `attribution`,
 * model/shapley.ts) ranked, beside what the story's order credits it with, and the
 * starting figure drawn as a bar cut into what each fix removed and what is left.
 */
import { html, wide, type SafeHtml } from './html.ts'
import { anyOrder } from './lesson.ts'
import { formatMs, formatShare } from '../record/format.ts'
import type { Attribution } from '../record/results.ts'

type FixFigure = NonNullable<Attribution['warmFloor']>

/** A figure in its unit: "1.75 s", "12.3 req/s". */
function formatIn(figure: FixFigure, value: number): string {
  return figure.unit === 'ms' ? formatMs(value) : `${value.toFixed(1)} req/s`
}

/** The fixes' CSS hue, in the story's order whatever their rank. */
const FIX_CLASS: Record<string, string> = { 'the N+1 fix': 'fix-n1', 'the price cache': 'fix-cache', concurrency: 'fix-concurrency' }

/** The starting figure as a bar: each fix's share (ranked) and the remainder, the end figure (lower is better only). */
function stackedBar(figure: FixFigure, label: string): SafeHtml {
  const width = (value: number): string => `${Math.max(0, (100 * value) / figure.start).toFixed(2)}%`
  return html`<div class="fix-stack" role="img" aria-label="${label}">
    ${figure.shares.map(
      (s) =>
        html`<span class="${FIX_CLASS[s.fix] ?? ''}" style="width:${width(s.shapley)}" title="${`${s.fix}: ${formatIn(figure, s.shapley)}`}">${s.fix} ${formatIn(figure, s.shapley)}</span>`,
    )}
    <span class="rest" style="width:${width(figure.end)}" title="${`left with all three: ${formatIn(figure, figure.end)}`}">${formatIn(figure, figure.end)}</span>
  </div>`
}

function table(figure: FixFigure, caption: string): SafeHtml {
  return wide(html`<table class="fix-shares">
    <caption>${caption}</caption>
    <thead><tr><th class="num">rank</th><th>fix</th><th class="num">worth in any order</th><th class="num">share</th><th class="num">in the story's order</th><th class="num">applied first</th><th class="num">applied last</th></tr></thead>
    <tbody>${figure.shares.map(
      (s, i) => html`<tr>
        <td class="num">#${i + 1}</td>
        <td><span class="swatch-fix ${FIX_CLASS[s.fix] ?? ''}"></span>${s.fix}</td>
        <td class="num"><strong>${formatIn(figure, s.shapley)}</strong></td>
        <td class="num">${formatShare(s.percentOfGain)}</td>
        <td class="num">${formatIn(figure, s.inStoryOrder)}</td>
        <td class="num">${formatIn(figure, s.appliedFirst)}</td>
        <td class="num">${formatIn(figure, s.appliedLast)}</td>
      </tr>`,
    )}</tbody>
  </table>`)
}

/** The section, or nothing when the eight combinations have no figure to share out. */
export function renderAttribution(attribution: Attribution | null | undefined): SafeHtml | '' {
  const lead = anyOrder(attribution)
  const missing = Object.entries(attribution?.notModelled ?? {})
  if (!attribution || !lead)
    return missing.length
      ? html`<section id="any-order"><h2>What each fix is worth, in any order</h2><p class="caution">It needs all 8 combinations of the story's fixes; not modelled: ${missing.map(([v, why]) => `${v} (${why})`).join('; ')}.</p></section>`
      : ''
  const figure = lead.figure
  const others: Array<[string, FixFigure | null]> = [
    ...(lead.source === 'measured' ? ([["the model's warm floor", attribution.warmFloor]] as Array<[string, FixFigure | null]>) : []),
    ["the model's cold floor (price cache empty)", attribution.coldFloor],
    ["the model's saturation rate (higher is better)", attribution.saturation],
  ]
  return html`<section id="any-order">
  <h2>What each fix is worth, in any order</h2>
  <p>${lead.sentence}</p>
  ${
    figure.shares.every((s) => s.shapley >= 0)
      ? stackedBar(
          figure,
          `${formatIn(figure, figure.start)} with no fix, cut into what each fix removes, in any order, and the ${formatIn(figure, figure.end)} left with all three`,
        )
      : html`<p class="caution">A fix costs time here in any order (a negative share): the starting figure cannot be cut into the three, so no bar is drawn.</p>`
  }
  <p class="note key">The bar: naive's ${formatIn(figure, figure.start)} (${lead.of === 'the measured p50s' ? 'measured p50' : 'warm floor'}), cut into what each fix removes and, grey, the ${formatIn(figure, figure.end)} left with all three. <em>Worth in any order</em>: the fix's gain averaged over the 6 orders in which the three could be applied (its Shapley share); the three add up to the whole gain. <em>In the story's order</em>: its step against its parent, which depends on what came before it; <em>applied first</em>, <em>applied last</em>: its gain when it comes first and when it comes last (after one other fix alone, it can gain less or more than either).</p>
  ${table(figure, `Shapley shares of ${lead.of}`)}
  <details class="more"><summary>The same for the model's other figures</summary>
    ${others.map(([name, f]) => (f ? table(f, `Shapley shares of ${name}: ${formatIn(f, f.start)} → ${formatIn(f, f.end)}`) : ''))}
  </details>
  ${missing.length > 0 && html`<p class="caution">Not modelled: ${missing.map(([v, why]) => `${v} (${why})`).join('; ')}.</p>`}
</section>`
}

/** The same in Markdown: the sentence and the ranked table. */
export function attributionMarkdown(attribution: Attribution | null | undefined, escape: (text: string) => string): string[] {
  const lead = anyOrder(attribution)
  if (!lead) return []
  const f = lead.figure
  return [
    `### What each fix is worth, in any order`,
    '',
    escape(lead.sentence),
    '',
    `| rank | fix | worth in any order | share | in the story's order | applied first | applied last |`,
    `| ---: | --- | ---: | ---: | ---: | ---: | ---: |`,
    ...f.shares.map(
      (s, i) =>
        `| #${i + 1} | ${escape(s.fix)} | ${formatIn(f, s.shapley)} | ${formatShare(s.percentOfGain)} | ${formatIn(f, s.inStoryOrder)} | ${formatIn(f, s.appliedFirst)} | ${formatIn(f, s.appliedLast)} |`,
    ),
    '',
  ]
}
