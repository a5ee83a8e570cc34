/**
 * A what-if's renderings (--predict, --vary): the terminal table, summary.md and report.html.
 * The page draws, for --vary, each variant's floor against the value as a line and the
 * measured p50s as points over it (when each fix matters), and each step's gain at each
 * value, and each fix's Shapley share at each value; for one scenario, what each fix is worth
 * in any order and the ideal waterfall of each variant.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { embedJson, html, trusted } from './html.ts'
import { colorData, type WhatIfPageData } from './page/page-data.ts'
import { anyOrder } from './lesson.ts'
import { attributionMarkdown, renderAttribution } from './render-attribution.ts'
import { renderSlidersPanel, slidersData, slidersScript } from './render-sliders.ts'
import { renderDiff, renderScenarioTable } from './shared-sections.ts'
import { describeFaults, isStoryScenario, PUBLISHED_PRESET } from './report-rows.ts'
import { formatValue, whatIfLines, whatIfRows, whatIfTitle, type WhatIfRow } from './what-if-rows.ts'
import { formatMs, formatPercent, formatShare } from '../record/format.ts'
import type { WhatIf } from '../record/results.ts'
import { publishedFigure } from '../../scenario/story.ts'
import type { Scenario } from '../../scenario/types.ts'

/** The write-up's figures belong to the story's scenario and to the preset built to reproduce them. */
function publishedApplies(scenario: Scenario): boolean {
  return scenario.name === PUBLISHED_PRESET || isStoryScenario(scenario)
}

interface Column {
  head: string
  cell(r: WhatIfRow): string
  /** Left-aligned (text) rather than right (figures). */
  text?: boolean
}

/** The table's columns: those of a measurement only when measured, the faults' only when injected. */
function columns(w: WhatIf): Column[] {
  const faulty = describeFaults(w.points[0]!.scenario) !== null
  return [
    ...(w.vary ? [{ head: w.vary.parameter, cell: (r: WhatIfRow) => formatValue(w, r.value), text: true }] : []),
    { head: 'variant', cell: (r) => r.variant, text: true },
    { head: 'floor', cell: (r) => formatMs(r.floorMs) },
    { head: 'cold floor', cell: (r) => (r.coldFloorMs === r.floorMs ? '' : formatMs(r.coldFloorMs)) },
    { head: 'vs parent', cell: (r) => formatPercent(r.floorGainPercent) },
    ...(w.measured
      ? [
          { head: 'p50', cell: (r: WhatIfRow) => formatMs(r.p50Ms) },
          { head: 'n', cell: (r: WhatIfRow) => (r.samples === null ? '—' : String(r.samples)) },
          { head: 'lab overhead', cell: (r: WhatIfRow) => r.overhead },
          { head: 'p50 vs parent', cell: (r: WhatIfRow) => formatPercent(r.p50GainPercent) },
        ]
      : []),
    { head: 'calls/req', cell: (r) => (r.calls === null ? '—' : String(r.calls)) },
    { head: 'on path', cell: (r) => (r.callsOnPath === null ? '—' : String(r.callsOnPath)) },
    { head: 'in flight', cell: (r) => (r.maxInFlight === null ? '—' : String(r.maxInFlight)) },
    { head: 'saturates at', cell: (r) => r.saturation },
    // The write-up's figure for each step of the story, beside the floor that should reproduce it (scenario/presets/published.json).
    ...(w.vary || !publishedApplies(w.points[0]!.scenario) || !Object.keys(w.variants).some((name) => publishedFigure(name))
      ? []
      : [{ head: 'published', cell: (r: WhatIfRow) => publishedFigure(r.variant) ?? '—' }]),
    ...(faulty ? [{ head: 'expected to fail', cell: (r: WhatIfRow) => formatShare(r.expectedFailurePercent) }] : []),
  ]
}

/** What each fix is worth in any order, a sentence per value. */
function anyOrderLines(w: WhatIf): string[] {
  return w.points.flatMap((point) => {
    const lead = anyOrder(point.attribution)
    return lead ? [w.vary ? `At ${formatValue(w, point.value)}: ${lead.sentence}` : lead.sentence] : []
  })
}

export function renderWhatIfTerminal(w: WhatIf): string {
  const cols = columns(w)
  const rows = whatIfRows(w)
  const table = [
    cols.map((c) => c.head),
    ...rows.map((r, i) => cols.map((c, k) => (k === 0 && w.vary && i > 0 && rows[i - 1]!.value === r.value ? '' : c.cell(r)))),
  ]
  const widths = cols.map((_, k) => Math.max(...table.map((row) => row[k]!.length)))
  const render = (row: string[]) =>
    row
      .map((cell, k) => (cols[k]!.text ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!)))
      .join('  ')
      .trimEnd()
  return [
    '',
    whatIfTitle(w),
    render(table[0]!),
    widths.map((n) => '─'.repeat(n)).join('  '),
    ...table.slice(1).map(render),
    '',
    ...anyOrderLines(w),
    ...whatIfLines(w),
  ].join('\n')
}

export function renderWhatIfMarkdown(w: WhatIf): string {
  const cols = columns(w)
  const escape = (text: string) => text.replace(/[\\`*_{}[\]<>|#]/g, (char) => `\\${char}`)
  return [
    `# ${whatIfTitle(w)}`,
    '',
    `Scenario “${w.points[0]!.scenario.name}”${w.vary ? `, ${w.vary.label} varied` : ''}; ${w.finishedAt.slice(0, 16).replace('T', ' ')} UTC, commit ${w.environment.gitCommit ?? 'unknown'}.`,
    '',
    `| ${cols.map((c) => c.head).join(' | ')} |`,
    `|${cols.map((c) => (c.text ? '---' : '---:')).join('|')}|`,
    ...whatIfRows(w).map((r) => `| ${cols.map((c) => escape(c.cell(r)) || ' ').join(' | ')} |`),
    '',
    ...(w.points.length === 1
      ? attributionMarkdown(w.points[0]!.attribution, escape)
      : anyOrderLines(w).map((line) => `- ${escape(line)}`)),
    ...whatIfLines(w).map((line) => `- ${escape(line)}`),
    '',
  ].join('\n')
}

const asset = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))
const CHART_JS = asset('../../node_modules/chart.js/dist/chart.umd.min.js')
const STYLE = asset('./page/report.css')
const SCRIPT = asset('./page/what-if.js')

export async function renderWhatIfReport(w: WhatIf): Promise<string> {
  const [chartJs, style, script, slidersJs] = await Promise.all([
    readFile(CHART_JS, 'utf8'),
    readFile(STYLE, 'utf8'),
    readFile(SCRIPT, 'utf8'),
    slidersScript(),
  ])
  const sliders = slidersData(
    w.sliders,
    w.points[0]!.scenario,
    Object.fromEntries(Object.entries(w.variants).map(([name, v]) => [name, v.parent])),
  )
  const cols = columns(w)
  const title = whatIfTitle(w)
  const rows = whatIfRows(w)
  const single = w.points.length === 1 && !w.vary
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>api-speedup-lab: ${title}</title>
<style>${trusted(style)}</style>
</head>
<body>
<header>
  <p class="kicker">api-speedup-lab · scenario “${w.points[0]!.scenario.name}” · ${w.finishedAt.slice(0, 16).replace('T', ' ')} UTC · ${w.measured ? 'what-if, measured' : 'prediction, nothing measured'}</p>
  <h1>${title}</h1>
  ${w.valid ? '' : html`<div class="invalid"><strong>Invalid run — do not trust the measured figures.</strong><ul>${w.problems.map((p) => html`<li>${p}</li>`)}</ul></div>`}
</header>
${single ? renderAttribution(w.points[0]!.attribution) : ''}
${renderSlidersPanel(sliders)}
${
  w.vary
    ? html`<section>
  <h2>When each fix matters</h2>
  <p class="note">Each fix's worth in any order (its Shapley share of the model's warm floor, over the 8 combinations of the three fixes) at each value: order-free, where the steps below depend on the story's order.</p>
  <div class="chart"><canvas id="shares-chart" aria-label="each fix's Shapley share of the warm floor against ${w.vary.label}"></canvas></div>
  <p class="note">Each variant's floor (a line: its own code in virtual time at each value)${w.measured ? html` and its measured p50 (points; one request at a time)` : ''}, against ${w.vary.label}. Where two lines meet, the step between them buys nothing.</p>
  <div class="chart tall"><canvas id="vary-chart" aria-label="floor per variant against ${w.vary.label}"></canvas></div>
  <h3>Each step's gain against its parent</h3>
  <div class="chart"><canvas id="gain-chart" aria-label="each step's gain against its parent, at each value"></canvas></div>
</section>`
    : ''
}
<section>
  <h2>${single ? 'Each variant' : 'At each value'}</h2>
  <div class="wide"><table class="what-if"><thead><tr>${cols.map((c) => html`<th>${c.head}</th>`)}</tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr class="${r.notModelled ? 'not-modelled' : ''}">${cols.map((c) => html`<td class="${c.text ? '' : 'num'}${c.head === 'lab overhead' && r.withinTolerance === false ? ' over' : ''}">${c.head === 'variant' ? html`<code class="swatch" data-variant="${r.variant}">${r.variant}</code>` : c.cell(r)}</td>`)}</tr>`,
  )}</tbody></table></div>
  <p class="note"><em>Floor</em>: what the variant's own code takes in virtual time — the configured upstream latency on its critical path, and its own timers; <em>cold</em>: with the price cache empty. <em>vs parent</em>: the floor against its parent's at the same value. <em>On path</em>: upstream calls on the critical path; <em>in flight</em>: the most at once. <em>Saturates at</em>: Little's law, the rate at which the named service's workers are all busy.</p>
  <ul class="targets">${whatIfLines(w).map((line) => html`<li>${line}</li>`)}</ul>
</section>
${
  single
    ? html`<section>
  <h2>Where the time should go</h2>
  <p class="note">Each variant's ideal stage waterfall: when each stage starts and how long it takes in its virtual run, warm (and cold, for a variant that uses the price cache).</p>
  <div class="waterfalls">${Object.entries(w.points[0]!.variants).flatMap(([name, v]) =>
    v.model
      ? [
          ...(v.coldFloorMs !== v.floorMs
            ? [
                html`<figure><figcaption>${name}, cache cold</figcaption><div class="chart short"><canvas class="waterfall" data-variant="${name}" data-case="cold" aria-label="ideal stage waterfall of ${name}, cache cold"></canvas></div></figure>`,
              ]
            : []),
          html`<figure><figcaption>${name}${v.coldFloorMs !== v.floorMs ? ', cache warm' : ''}</figcaption><div class="chart short"><canvas class="waterfall" data-variant="${name}" data-case="warm" aria-label="ideal stage waterfall of ${name}"></canvas></div></figure>`,
        ]
      : [],
  )}</div>
</section>`
    : ''
}
<section>
  <h2>The code of each step</h2>
  ${Object.entries(w.variants).flatMap(([name, v]) => (v.diffFromParent === null ? [] : [html`<details><summary><code>${name}</code> against <code>${v.parent ?? ''}</code></summary>${renderDiff(v.diffFromParent)}</details>`]))}
</section>
<section class="context">
  <h2>Scenario${w.vary ? html` (at ${w.vary.parameter} = ${w.vary.values[0]!}${w.vary.unit ? ` ${w.vary.unit}` : ''})` : ''}</h2>
  ${renderScenarioTable(w.points[0]!.scenario)}
</section>
<script type="application/json" id="page-data">${embedJson({ ...colorData(Object.keys(w.variants)), whatIf: w, sliders } satisfies WhatIfPageData)}</script>
${sliders && slidersJs}
<script>${trusted(chartJs)}</script>
<script type="module">${trusted(script)}</script>
</body>
</html>
`
  return page.html
}
