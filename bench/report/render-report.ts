/**
 * report.html: one self-contained page rendered from results.json, with chart.js, the
 * sheet (page/report.css) and the page's script (page/report.js) inlined, so it opens
 * from disk with no network. Every interpolation is escaped by the `html` tag; the
 * embedded JSON cannot close its script tag.
 *
 * The page answers first (DESIGN, "The reader first"): the verdict, what each fix buys,
 * and how far to trust it on the first screen; peak load, latency and the waterfalls
 * beneath; everything that serves the lab rather than the lesson (calibration, hops,
 * fidelity, roles, self-checks, the glossary, the code) folded, never lost.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { embedJson, html, trusted, wide, type SafeHtml } from './html.ts'
import { renderDiff, renderScenarioTable } from './shared-sections.ts'
import { comparisonSection } from './render-comparison.ts'
import { renderAttribution } from './render-attribution.ts'
import { renderSlidersPanel, slidersScript } from './render-sliders.ts'
import { faultSeries, pageData, type PageData, type Waterfall, type WaterfallGroup } from './page/page-data.ts'
import { lesson, peakRows, trustLine, unrankedReason, type FixRow, type Lesson } from './lesson.ts'
import {
  cacheOutageText,
  coldCosts,
  describeChange,
  describeFixChange,
  describeFaults,
  expiryText,
  faultRows,
  formatApiCpu,
  formatHeld,
  formatHitRatio,
  formatWithModel,
  formatLoadShares,
  formatNon2xx,
  formatOverheadWithVerdict,
  formatHopOverhead,
  formatRise,
  formatSelfCheck,
  headline,
  headlineText,
  publishedNote,
  loadFailures,
  mixNote,
  overviewNote,
  mixRows,
  OWN_FIX_COMMANDS,
  stepRows,
  targetLines,
  validityText,
  type StepRow,
  isStoryScenario,
} from './report-rows.ts'
import { DEFAULT_SCENARIO } from '../../scenario/defaults.ts'
import { overheldShare } from '../record/derived.ts'
import { formatMs, formatPercent, formatShare, formatTail } from '../record/format.ts'
import { HOP_TARGET_MS, type Results } from '../record/results.ts'

const asset = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))
const CHART_JS = asset('../../node_modules/chart.js/dist/chart.umd.min.js')
const STYLE = asset('./page/report.css')
const SCRIPT = asset('./page/report.js')

export async function renderReport(results: Results): Promise<string> {
  const [chartJs, style, script, slidersJs] = await Promise.all([
    readFile(CHART_JS, 'utf8'),
    readFile(STYLE, 'utf8'),
    readFile(SCRIPT, 'utf8'),
    slidersScript(),
  ])
  const title = `api-speedup-lab: ${results.scenario.name}`
  // What the page's script draws, computed once: the charts' captions below read the same figures.
  const data = pageData(results, describeFaults(results.scenario) ? faultSeries(faultRows(results)) : null)
  // The lesson first, open; the instrument beneath it, folded (DESIGN, "The reader first").
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${trusted(style)}</style>
</head>
<body>
${renderHeader(results, title)}
${renderAttribution(results.attribution)}
${renderSlidersPanel(data.sliders)}
${comparisonSection(results)}
${renderPeak(results)}
${renderLatency(results, data)}
${renderWaterfalls(results, data)}
${renderColdAndExpiry(results)}
${renderBeyond(results)}
${renderFaults(results)}
${renderPeakLoad(results)}
${renderTimelines(results)}
${renderMix(results)}
${renderOwnFix(results)}
${renderTrust(results)}

<script type="application/json" id="page-data">${embedJson(data)}</script>
${data.sliders && slidersJs}
<script>${trusted(chartJs)}</script>
<script type="module">${trusted(script)}</script>
</body>
</html>
`
  return page.html
}

/** A folded section: its heading is the summary, the rest one click away (printed folded unless opened). */
function fold(id: string, heading: string, body: SafeHtml | SafeHtml[], open = false): SafeHtml {
  return html`<details class="fold" id="${id}"${open ? trusted(' open') : ''}><summary><h2>${heading}</h2></summary>
  <div class="folded">${body}</div>
</details>`
}

function renderHeader(results: Results, title: string): SafeHtml {
  const h = headline(results)
  const l = lesson(results)
  const outage = cacheOutageText(results)
  const underLoad = loadFailures(results)
  return html`<header>
  <p class="kicker">api-speedup-lab · scenario “${results.scenario.name}” · ${results.finishedAt.slice(0, 16).replace('T', ' ')} UTC${results.run.quick ? ' · quick run' : ''}</p>
  <h1 id="verdict">${l ? l.verdict : h ? headlineText(h) : title}</h1>
  <p class="lede">${h ? html`<strong>${headlineText(h)}</strong>: ` : ''}p50, one request at a time, price cache warm${l ? `; ${l.verdictInAnyOrder ? `the table below: ${l.counted}` : l.counted}` : ''}. ${scenarioLede(results)}</p>
  ${!results.valid && html`<div class="invalid"><strong>Invalid run — do not trust these numbers.</strong><ul>${results.problems.map((p) => html`<li>${p}</li>`)}</ul></div>`}
  ${l && renderFixes(results, l)}
  <p class="trust" id="trust-line"><strong>How far to trust it:</strong> ${trustLine(results)} <a href="#trust">Can I trust these numbers?</a></p>
  ${underLoad && underLoad.failed > 0 && html`<p class="caution" id="load-failures">${underLoad.text}</p>`}
  ${outage && html`<p class="caution" id="cache-outages">${outage}</p>`}
</header>`
}

/** "What each fix buys": the starting point, then the story's fixes, the most time saved first, then any the run could not rank. */
/**
 * The scenario's own description, when the run measured it as described: the default's says it
 * is "calibrated to the story", which a --quick page of 10 or a changed latency makes untrue.
 * Otherwise, what this run changed.
 */
function scenarioLede(results: Results): string {
  const { scenario } = results
  if (scenario.name !== DEFAULT_SCENARIO.name || isStoryScenario(scenario)) return scenario.description
  const changed = [
    ...(scenario.productsPerPage === DEFAULT_SCENARIO.productsPerPage
      ? []
      : [`${scenario.productsPerPage} products per page${results.run.quick ? ' (--quick)' : ''}`]),
    ...(JSON.stringify(scenario.services) === JSON.stringify(DEFAULT_SCENARIO.services) ? [] : ['services changed by flags']),
  ]
  return `Scenario "${scenario.name}", ${changed.join(', ')}: not the story's calibrated scenario, so not its times.`
}

function renderFixes(results: Results, l: Lesson): SafeHtml {
  const { start, ranked, unranked } = l
  const connections = Math.max(...results.run.connections)
  const atPeak = `${connections} conn.`
  const row = (r: FixRow, rank: string): SafeHtml => {
    const change = describeFixChange(r)
    const saved =
      r.savedMs === null
        ? r === start
          ? 'start'
          : html`<small>${unrankedReason(r)}</small>`
        : html`<strong>${formatMs(r.savedMs)}</strong><br><small>${formatShare(r.savedPercentOfStart)} of ${start.variant}</small>`
    return html`<tr class="${r === start ? 'start' : ''}">
      <td class="num">${rank}</td>
      <td><code class="swatch" data-variant="${r.variant}">${r.variant}</code> <small>step ${r.step}</small><br>${r === start ? 'the starting point' : r.fix}</td>
      <td class="num">${saved}</td>
      <td class="num">${formatMs(r.p50Ms)}${r.samples !== null && html` <small>n = ${r.samples}</small>`}${r.parentP50Ms !== null && html`<br><small class="${change.tone}">${change.text} vs ${formatMs(r.parentP50Ms)}</small>`}</td>
      <td class="num">${formatMs(r.coldP50Ms)}${r.coldSamples !== null && html`<br><small>n = ${r.coldSamples}</small>`}</td>
      <td class="num">${r.top ? html`${r.top.goodPerSec.toFixed(1)}${r.top.labBound ? html` <small class="over" title="lab-bound: the machine's figure, not the code's">✕</small>` : ''}` : '—'}</td>
      <td class="num${r.top && r.top.failedPercent > 0 ? ' bad' : ''}">${r.top ? formatShare(r.top.failedPercent) : '—'}</td>
    </tr>`
  }
  return html`<h2 class="inline" id="fixes">What each fix buys</h2>
  ${wide(html`<table class="fixes">
    <thead><tr><th class="num">rank</th><th>fix</th><th class="num">time saved</th><th class="num">p50 vs parent</th><th class="num">cold p50</th><th class="num">good/s at ${atPeak}</th><th class="num">failed at ${atPeak}</th></tr></thead>
    <tbody>${row(start, '—')}${ranked.map((r, i) => row(r, `#${i + 1}`))}${unranked.map((r) => row(r, '—'))}</tbody>
  </table>`)}
  <p class="note key"><em>Time saved</em>: the parent's p50 minus the fix's, one request at a time, cache warm. <em>Cold</em>: the cache flushed before each request. At ${connections} connections: <em>good/s</em>, answers with the right body per second; <em>failed</em>, requests without one (504: past the ${formatMs(results.scenario.requestDeadlineMs)} deadline; 503: refused). ✕: lab-bound.</p>`
}

/** Every variant at the top load level, in six columns; the whole load phase folded beneath. */
function renderPeak(results: Results): SafeHtml | '' {
  const rows = peakRows(results)
  if (!rows.length) return ''
  const connections = rows[0]!.connections
  const body = rows.map(
    (r) => html`<tr>
      <td><code class="swatch" data-variant="${r.variant}">${r.variant}</code></td>
      <td class="num">${r.goodPerSec.toFixed(1)}${r.labBound.length > 0 && html` <small class="over" title="${`lab-bound: ${r.labBound.join('; ')}`}">✕ lab-bound</small>`}</td>
      <td class="num">${formatMs(r.p50Ms)}</td>
      <td class="num">${r.p50Ms === null ? '—' : r.p99Ms === null ? html`max ${formatMs(r.maxMs)} <small>n = ${r.answered}</small>` : formatMs(r.p99Ms)}</td>
      <td class="num${r.failedPercent > 0 ? ' bad' : ''}">${formatShare(r.failedPercent)}</td>
      <td class="num">${r.hitRatio === null ? '—' : formatShare(r.hitRatio * 100)}</td>
    </tr>`,
  )
  return html`<section id="peak">
  <h2>At peak: ${connections} connections</h2>
  ${wide(html`<table class="peak"><thead><tr><th>variant</th><th class="num">good/s</th><th class="num">p50</th><th class="num">p99</th><th class="num">failed</th><th class="num">hit ratio</th></tr></thead><tbody>${body}</tbody></table>`)}
  <p class="note">${results.run.durationSeconds} s at ${connections} connections, each kept busy (a slow variant: a fixed number of requests each). <em>Good/s</em>: answers with the right body, per second. <em>p50</em>, <em>p99</em>: of those good answers only (from 100 up; below, the max, with its n); a request past the ${formatMs(results.scenario.requestDeadlineMs)} deadline is answered 504 and counted in <em>failed</em>, so a variant that fails many can show a lower p50 than one that fails few. <em>Hit ratio</em>: the price cache's, counted by the API. ✕: the machine, not the code, limited the level (see "Can I trust these numbers?").</p>
  ${fold('under-load', 'Under load, in full', renderUnderLoad(results))}
</section>`
}

function renderUnderLoad(results: Results): SafeHtml {
  return html`<p class="note">autocannon, ${results.run.durationSeconds} s per level, in the harness's process (never the API's). A level lasts from its first request to its last answer. <em>Good</em>: 2xx answers with the reference body, per second, apart from every answer; errors, timeouts, non-2xx answers and body mismatches are listed when there are any. Latencies are over the 2xx answers only (a failure is counted by its status, never timed among them); p90 and p99 are given from 20 and 100 answers up, below them "—": the max stands for the tail. <em>model</em>: the same level run in virtual time by the variant's own code. <em>API CPU</em>: the API process's CPU while requests were in flight, per response, after a garbage collection before the level: its event loop's thread alone (the requests' own work), then all its threads. <em>Lab CPU</em>: the load generator's (harness) and the mocked upstreams' CPU in percent of one core, the machine's in percent of all its cores.</p>
  ${
    results.run.connections.length > 1 &&
    html`<div class="pair">
    <div class="chart"><canvas id="throughput-chart" aria-label="good answers per second against connections"></canvas></div>
    <div class="chart"><canvas id="p99-chart" aria-label="p99 latency against connections"></canvas></div>
  </div>`
  }
  ${renderLoadTable(results)}`
}

/** p50 per variant on a linear axis (a halving looks like a halving), each labelled with its change against its parent; every figure step by step folded. */
function renderLatency(results: Results, { latency, tailLabel }: PageData): SafeHtml {
  const chart = (id: string, rows: typeof latency, caption: string) =>
    html`<figure><figcaption>${caption}</figcaption><div class="chart" style="${`height: ${Math.max(150, 60 + rows.length * 34)}px`}"><canvas id="${id}" aria-label="${`p50 and ${tailLabel} per variant, with the floor, on a linear axis: ${caption}`}"></canvas></div></figure>`
  const fast = latency.filter((r) => r.fast)
  const slow = latency.filter((r) => !r.fast)
  return html`<section id="latency">
  <h2>Latency, one request at a time</h2>
  <div class="${slow.length ? 'pair' : ''}">
    ${chart('latency-chart', fast, slow.length ? `the fast ones: ${fast.map((r) => r.variant).join(', ')}` : 'every variant')}
    ${slow.length > 0 && chart('latency-slow-chart', slow, `the slow ones: ${slow.map((r) => r.variant).join(', ')}`)}
  </div>
  <p class="note">p50 (solid) and ${tailLabel} (light), on linear axes: a halving looks like a halving. The fast and the slow variants (past 4× the fastest) each on an axis that fits them. The black tick is the floor: what the variant's own code takes in virtual time if the lab cost nothing. Beside each name, its change against its parent, coloured only beyond the run's noise.</p>
  ${fold('steps', 'Every figure, step by step', renderSteps(results))}
</section>`
}

function renderSteps(results: Results): SafeHtml {
  const row = (r: StepRow): SafeHtml => {
    const change = describeChange(r)
    return html`<tr>
      <td><code class="swatch" data-variant="${r.variant}">${r.variant}</code></td>
      <td>${r.summary}</td>
      <td class="num">${formatMs(r.p50Ms)}</td>
      <td class="num">${r.tail}</td>
      <td class="num">${r.samples ?? '—'}</td>
      <td class="num">${formatMs(r.coldP50Ms)}${r.coldSamples !== null && html`<br><small>n = ${r.coldSamples}</small>`}</td>
      <td class="num">${formatMs(r.floorMs)}</td>
      <td class="num${r.withinTolerance === false ? ' over' : ''}" title="${r.overheadToleranceMs === null ? '' : `tolerance ${r.overheadToleranceMs} ms`}">${formatOverheadWithVerdict(r)}${r.overheadPerCallMs !== null && html`<br><small>${r.overheadPerCallMs.toFixed(1)} ms per call on the path</small>`}${r.hops !== null && html`<br><small class="${r.hops.withinTarget ? 'within' : 'over'}" title="${`${r.hops.count} hops on the path; their calibrated cost on this machine: +${r.hops.calibratedMs.toFixed(2)} ms`}">${formatHopOverhead(r)}</small>`}</td>
      <td class="num ${change.tone}">${change.text}</td>
      <td class="num nowrap">${r.saturation}</td>
      <td class="num">${r.published ?? '—'}</td>
    </tr>`
  }
  const rows = stepRows(results)
  return html`${wide(html`<table class="steps">
    <thead><tr><th>variant</th><th>what changed</th><th class="num">p50</th><th class="num">p99</th><th class="num">n</th><th class="num">cold p50</th><th class="num">floor</th><th class="num">lab overhead</th><th class="num">vs parent</th><th class="num">saturates at (predicted)</th><th class="num">published</th></tr></thead>
    <tbody>${rows.map(row)}</tbody>
  </table>`)}
  <p class="note"><em>Floor</em>: what the variant's own code takes in virtual time. <em>Lab overhead</em>: measured p50 minus floor, ✓ within max(3 % of the floor, 5 ms); under it, per call on the critical path, and per hop beyond what this machine's hops cost bare (target ${HOP_TARGET_MS} ms). <em>vs parent</em>: coloured only when the two medians' 95 % intervals do not overlap. <em>Saturates at (predicted)</em>: the model's Little's-law rate at which the named service's workers are all busy; <code>--sweep</code> measures it. <em>Published</em>: ${publishedNote(results.scenario)}.</p>`
}

/**
 * The story's warm waterfalls, each group on an axis that fits it: the fast ones (cache warm,
 * the punchline), then the slow ones; the cold cases and the variants beyond the story folded,
 * each on their own axis. Then the upstream calls per request.
 */
function renderWaterfalls(results: Results, data: PageData): SafeHtml {
  const figure = (w: Waterfall) => {
    const caption = `${w.variant}${w.cold ? ', cache cold' : results.variants[w.variant]!.coldStages?.length ? ', cache warm' : ''}`
    return html`<figure><figcaption>${caption}</figcaption><div class="chart short"><canvas class="waterfall" data-variant="${w.variant}" data-case="${w.cold ? 'cold' : 'warm'}" aria-label="${`stage waterfall of ${caption}`}"></canvas></div></figure>`
  }
  const group = (g: WaterfallGroup) => data.waterfalls.filter((w) => w.group === g)
  const axis = (g: WaterfallGroup) => `0–${data.axisMs[g].toLocaleString('en-US')} ms`
  const open = (['fast', 'slow'] as const).filter((g) => group(g).length)
  return html`<section id="where-the-time-goes">
  <h2>Where the time goes</h2>
  <p class="note">Stages from the <code>Server-Timing</code> header (median start and duration), one request at a time. Sequential stages form a staircase; in <code>parallel</code> they overlap. An outlined bar under each is the model's ideal stage: the gap is the lab's overhead. A stage keeps its row from chart to chart; the charts of a group share their time axis.</p>
  ${
    open.length
      ? open.map(
          (g) =>
            html`<h3 class="axis">${group(g)
              .map((w) => w.variant)
              .join(', ')}: ${axis(g)}</h3><div class="waterfalls">${group(g).map(figure)}</div>`,
        )
      : html`<p class="note">None of the story's variants was measured in this run.</p>`
  }
  ${group('cold').length > 0 && fold('cold-waterfalls', 'The same, cache cold', html`<p class="note">The price cache flushed before every request: pricing is back on the path. Time axis ${axis('cold')}.</p><div class="waterfalls">${group('cold').map(figure)}</div>`)}
  ${group('beyond').length > 0 && fold('beyond-waterfalls', 'The same, beyond the story', html`<p class="note">Time axis ${axis('beyond')}.</p><div class="waterfalls">${group('beyond').map(figure)}</div>`)}
  <h3>Upstream calls per request</h3>
  <div class="chart"><canvas id="calls-chart" aria-label="upstream calls per request per variant"></canvas></div>
  <p class="note">Warm, counted by the mocked services: the N+1 shows as one inventory call per product.</p>
</section>`
}

/** What a cold cache costs, and whether anything expired: said plainly, with the preset that shows expiry. */
function renderColdAndExpiry(results: Results): SafeHtml | '' {
  const costs = coldCosts(results)
  const expiry = expiryText(results)
  if (!costs.length && !expiry) return ''
  return html`<section id="cold-and-expiry">
  <h2>Cold start and expiry</h2>
  ${costs.length > 0 && html`<p>A cold price cache (flushed before each request) puts pricing back on the path: ${costs.join('; ')}.</p>`}
  ${expiry && html`<p id="expiry">${expiry.text}</p>`}
</section>`
}

/** The variants beyond the story: each against its parent, with its lesson and the preset that shows it. */
function renderBeyond(results: Results): SafeHtml | '' {
  const rows = stepRows(results).filter((r) => r.group === 'beyond')
  if (!rows.length) return ''
  const top = peakRows(results)
  return html`<section id="beyond-the-story">
  <h2>Beyond the story</h2>
  ${wide(
    html`<table class="beyond"><thead><tr><th>variant</th><th class="num">p50</th><th class="num">vs parent</th><th class="num">good/s at peak</th><th class="num">failed at peak</th><th>its lesson</th></tr></thead><tbody>${rows.map(
      (r) => {
        const change = describeChange(r)
        const peak = top.find((p) => p.variant === r.variant)
        return html`<tr><td><code class="swatch" data-variant="${r.variant}">${r.variant}</code><br><small>on ${r.parent ?? '—'}</small></td><td class="num">${formatMs(r.p50Ms)}</td><td class="num ${change.tone}">${change.text}</td><td class="num">${peak ? html`${peak.goodPerSec.toFixed(1)}${peak.labBound.length > 0 && html` <small class="over" title="${`lab-bound: ${peak.labBound.join('; ')}`}">✕</small>`}` : '—'}</td><td class="num${peak && peak.failedPercent > 0 ? ' bad' : ''}">${peak ? formatShare(peak.failedPercent) : '—'}</td><td>${r.lesson ?? r.summary}${r.preset !== null && html` <small>Shown best with <code>--scenario ${r.preset}</code>.</small>`}</td></tr>`
      },
    )}</tbody></table>`,
  )}
  ${overviewNote(results) && html`<p class="note">${overviewNote(results)}</p>`}
</section>`
}

/** The three commands of "Try your own fix", open; the code of each step folded beneath. */
function renderOwnFix(results: Results): SafeHtml {
  const diffs = Object.entries(results.variants).flatMap(([name, v]) => {
    if (v.diffFromParent === null) return []
    const row = stepRows(results).find((r) => r.variant === name)
    const change = row ? describeChange(row).text : '—'
    return [
      html`<details><summary><code>${name}</code> against <code>${v.parent ?? ''}</code>${change !== '—' && ` — p50 ${change}`}</summary>${renderDiff(v.diffFromParent)}</details>`,
    ]
  })
  return html`<section id="own-fix">
  <h2>Try your own fix</h2>
  <ol class="commands">${OWN_FIX_COMMANDS.map((c) => html`<li>${c.what}:<br><code>${c.command}</code></li>`)}</ol>
  <p class="note">Before measuring, the lab runs your variant's own code in virtual time: its floor, calls and saturation come from what the code did. <code>npm run bench -- --predict</code> gives that alone, in seconds.</p>
  ${diffs.length > 0 && fold('code', 'The code of each step', diffs)}
</section>`
}

/** Everything that serves the lab rather than the lesson, in one folded section: calibration, hops, fidelity, roles, self-checks, the glossary, the scenario and the machine. */
function renderTrust(results: Results): SafeHtml {
  return fold(
    'trust',
    'Can I trust these numbers?',
    html`<p>${results.valid ? html`<span class="valid">${validityText(results)}</span>` : html`<strong>Invalid run:</strong> ${results.problems.join('; ')}`} ${loadFailures(results)?.text ?? ''}</p>
  <ul class="targets">${targetLines(results).map((line) => html`<li>${line}</li>`)}</ul>
  <h3>What the words mean</h3>
  <dl class="glossary">
    <dt>p50, p99, n</dt><dd>The median and the 99th percentile of the good answers' times; a p99 is stated from 100 answers up, below that the max, called that, with its n.</dd>
    <dt>floor</dt><dd>What the variant's own code takes when run in virtual time against the scenario: the configured upstream latency on its critical path, and its own timers. What it would take if the lab cost nothing.</dd>
    <dt>lab overhead</dt><dd>Measured p50 minus floor: loopback HTTP, JSON, the event loops. ✓ within max(3 % of the floor, 5 ms).</dd>
    <dt>per hop beyond bare</dt><dd>The overhead left after this machine's calibrated hops (the request's own, each call alone or k at once, each Redis read alone on the path), per hop: the lab's and the code's own work. Target ${HOP_TARGET_MS} ms.</dd>
    <dt>within noise</dt><dd>Two medians whose 95 % intervals (from their samples' order statistics) overlap: the run cannot tell them apart, and the page does not colour the change.</dd>
    <dt>lab-bound</dt><dd>A level whose figures are the machine's, not the code's: a lab process or the machine past 90 % CPU, the mocks holding their answers later than max(5 ms, 3 % of their latency) at p99, the harness's event loop over 20 ms late at p99, or (sweep) more than 5 % of requests sent late. Marked ✕.</dd>
    <dt>cold</dt><dd>The price cache flushed before every request.</dd>
    <dt>saturates at (predicted)</dt><dd>Little's law from the model: a service with W workers, asked for D worker-seconds per request, is full at W / D requests per second. <code>--sweep</code> measures it.</dd>
  </dl>
  <div class="pair">
    ${renderScenarioTable(results.scenario, results.run.path)}
    ${renderEnvironment(results)}
  </div>`,
  )
}

function renderMix(results: Results): SafeHtml | '' {
  const rows = mixRows(results)
  if (!rows.length) return ''
  const sampled = rows.some((r) => r.requests !== '—')
  const head = sampled
    ? html`<th class="num">requests</th><th class="num">p50</th><th class="num">p99</th><th class="num">mean</th><th class="num">mean of hits</th><th class="num">hit ratio</th><th class="num">pricing calls per request</th>`
    : ''
  const table = html`<table class="mix">
    <thead><tr><th>variant</th>${head}<th class="num">saturates at (predicted, the mix, warm)</th><th class="num">under load</th><th class="num">hit ratio</th><th class="num">mean</th><th class="num">mean of hits</th><th class="num">pricing calls/s</th></tr></thead>
    <tbody>${rows.map(
      (r) =>
        html`<tr><td><code class="swatch" data-variant="${r.variant}">${r.variant}</code></td>${sampled ? html`<td class="num">${r.requests}</td><td class="num">${formatMs(r.p50Ms)}</td><td class="num">${r.tail}</td><td class="num">${formatMs(r.meanMs)}</td><td class="num">${formatMs(r.meanHitMs)}</td><td class="num">${r.hitRatio}</td><td class="num">${r.pricingCallsPerRequest ?? '—'}</td>` : ''}<td class="num">${r.saturation}</td><td class="num">${r.load ? `${r.load.connections} connections` : '—'}</td><td class="num">${r.load?.hitRatio ?? '—'}</td><td class="num">${r.load?.mean ?? '—'}</td><td class="num">${formatMs(r.load?.meanHitMs ?? null)}</td><td class="num">${r.load?.pricingCallsPerSec ?? '—'}</td></tr>`,
    )}</tbody>
  </table>`
  return fold('mix', 'The traffic mix', html`<p class="note">${mixNote(results)}</p>${wide(table)}`)
}

/** Second by second, each variant's load levels one after another (and its sweep's); folded. */
function renderTimelines(results: Results): SafeHtml | '' {
  const charts = Object.entries(results.variants).flatMap(([name, v]) => [
    ...(v.load.some((l) => l.timeline.length)
      ? [{ name, phase: 'load', caption: `${name}, load at ${v.load.map((l) => l.connections).join(', ')} connections` }]
      : []),
    ...(v.peakLoad?.levels.some((l) => l.timeline.length)
      ? [
          {
            name,
            phase: 'sweep',
            caption: `${name}, sweep at ${v.peakLoad.levels.map((l) => Math.round(l.offeredPerSec)).join(', ')} req/s`,
          },
        ]
      : []),
  ])
  if (!charts.length) return ''
  const expiry = expiryText(results)
  const why = expiry?.expired
    ? "Where a price list expires under load, every request that misses it calls pricing at once: the pricing spike comes first, and the slow answers follow one pricing call's time later."
    : expiry
      ? `${expiry.text}`
      : ''
  // Where keys expired, the seconds are the lesson (the stampede at each expiry): open; elsewhere folded.
  return fold(
    'timelines',
    'Second by second',
    html`<p class="note">Each level, one second per point, the levels one after another (a dotted line where a level starts): p50 and p99 of the good answers in that second (p99 from 100 answers up, else the max), and what the API counted in it, per second: pricing calls begun and price-cache lookups that were not hits. ${why}</p>
  <div class="waterfalls">${charts.map(
    (c) =>
      html`<figure><figcaption>${c.caption}</figcaption><div class="chart"><canvas class="timeline" data-variant="${c.name}" data-phase="${c.phase}" aria-label="second by second: ${c.caption}"></canvas></div></figure>`,
  )}</div>`,
    expiry?.expired === true,
  )
}

function renderFaults(results: Results): SafeHtml | '' {
  const faults = describeFaults(results.scenario)
  if (!faults) return ''
  const rows = faultRows(results)
  return html`<section id="faults">
  <h2>Under injected faults</h2>
  <p class="note">The scenario injects faults into the upstreams' calls: ${faults}. The share expected to fail, the calls per request and the saturation come from each variant's own code run with the same faults in virtual time (page one, 1000 requests warm and 200 cold, the faults drawn for every call from the seed): for code that makes each call once, a request fails when any of its calls draws a fault, 1 − Π(1 − rate)<sup>calls</sup>; a retry, a fallback or a breaker changes that, and every retry is one more call for the upstream. One at a time, a failed request is counted and tried again; the latencies above are those of good answers only. Errors and resets answer 502 naming the upstream; a hang ends at the deadline with a 504. Under load, a level past a variant's saturation also fails with the 504s of the collapse (see "Under load, in full").</p>
  <div class="chart"><canvas id="faults-chart" aria-label="share of requests failed per variant, expected and measured"></canvas></div>
  ${wide(
    html`<table class="faults"><thead><tr><th>variant</th><th>calls / request: model · measured</th><th>saturates at, with the faults (model)</th><th>expected to fail</th><th>failed, one at a time</th><th>statuses</th><th>median time to fail</th><th>failed under load</th></tr></thead><tbody>${rows.map(
      (r) =>
        html`<tr><td class="nowrap"><code class="swatch" data-variant="${r.variant}">${r.variant}</code>${r.cold && html` <small>cold cache</small>`}</td><td class="num">${r.calls} · ${r.measuredCalls}</td><td class="num">${r.saturation ?? '—'}</td><td class="num">${formatShare(r.expectedPercent)}</td><td class="num${r.failed ? ' bad' : ''}">${formatShare(r.measuredPercent)} <small>(${r.failed} of ${r.requests})</small></td><td>${r.statuses}</td><td class="num">${formatMs(r.failedP50Ms)}</td><td class="num">${formatLoadShares(r.load)}</td></tr>`,
    )}</tbody></table>`,
  )}
</section>`
}

function renderPeakLoad(results: Results): SafeHtml | '' {
  const swept = Object.entries(results.variants).flatMap(([name, v]) => (v.peakLoad ? [{ name, peak: v.peakLoad }] : []))
  if (!swept.length) return ''
  const rows = swept.map(
    ({ name, peak: p }) =>
      html`<tr><td><code class="swatch" data-variant="${name}">${name}</code></td><td>${p.bottleneck}</td><td class="num">${p.predictedPerSec.toFixed(1)}</td><td class="num">${p.measuredPerSec.toFixed(1)}</td><td class="num">${formatPercent(p.errorPercent)}</td><td class="num">${p.kneePerSec === null ? 'none' : p.kneePerSec.toFixed(1)}</td><td class="num">${formatMs(p.p99TargetMs)}</td></tr>`,
  )
  const levels = swept.flatMap(({ name, peak }) =>
    peak.levels.map((l) => {
      const b = l.upstreams[peak.bottleneck]
      const overheld = overheldShare(l, peak.bottleneck) !== null
      return html`<tr><td><code>${name}</code></td><td class="num">${l.offeredPerSec.toFixed(1)}</td><td class="num">${l.goodputPerSec.toFixed(1)}</td><td class="num">${l.throughputPerSec.toFixed(1)}</td><td class="num">${l.answered}</td><td class="num">${formatMs(l.p50Ms)}</td><td class="num">${formatTail(l.p99Ms, l.maxMs)}</td><td class="num${l.errors + l.timeouts ? ' bad' : ''}">${l.errors} / ${l.timeouts}</td><td class="num${l.non2xx ? ' bad' : ''}">${formatNon2xx(l)}</td><td class="num${l.rising ? ' bad' : ''}">${formatRise(l)}</td><td class="num">${b.queued} / ${Math.round(b.longestWaitMs)}</td><td class="num${overheld ? ' bad' : ''}">${formatHeld(b)}</td><td class="num${b.rejected ? ' bad' : ''}">${b.rejected}</td><td class="num${l.latePercent > 10 ? ' bad' : ''}">${l.latePercent}</td><td class="num">${l.apiEventLoopPercent ?? '—'}</td><td class="num${l.selfCheck.labBound.length ? ' bad' : ''}" title="${l.selfCheck.labBound.join('; ')}">${formatSelfCheck(l.selfCheck)}</td></tr>`
    }),
  )
  const warnings = swept.flatMap(({ peak }) => peak.warnings)
  return html`<section id="peak-hours">
  <h2>Peak hours</h2>
  <p class="note">Each variant at fixed request rates (an open model: the load does not slow down when the server does) around the throughput at which it should saturate, predicted from the scenario alone by Little's law: a service with <em>W</em> workers, asked for <em>D</em> worker-seconds per request, is full at <em>W / D</em> requests per second. Each level is counted over its steady window (the last three quarters of its sending time): <em>goodput</em> is the good answers (200, right body) to the requests sent in the window, per second, never more than offered; <em>delivered</em> is the rate at which those requests were answered well, from the spacing of their answers: past saturation, the capacity. Measured: the best level's lower of the two. A level is <em>still rising</em> when its latency, or its bottleneck's queue, grew from the second quarter to the last by more than a 3 % overload would make them: it was not held, however it ended. The knee: the highest offered load held, not rising, with p99 under its target and no failure.</p>
  <div class="pair">
    <div class="chart"><canvas id="goodput-chart" aria-label="good answers per second against offered load"></canvas></div>
    <div class="chart"><canvas id="sweep-p99-chart" aria-label="p99 against offered load"></canvas></div>
  </div>
  ${wide(html`<table><thead><tr><th>variant</th><th>bottleneck</th><th>predicted req/s</th><th>measured req/s</th><th>measured vs predicted</th><th>knee req/s</th><th>p99 target</th></tr></thead><tbody>${rows}</tbody></table>`)}
  <ul class="verdicts">${swept.map(({ peak }) => html`<li>${peak.verdict}</li>`)}</ul>
  ${warnings.length ? html`<ul class="warnings">${warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
  ${fold('sweep-levels', 'Every level of the sweep', wide(html`<table class="load"><thead><tr><th>variant</th><th>offered req/s</th><th>goodput req/s</th><th>delivered req/s</th><th>n</th><th>p50</th><th>p99</th><th>errors / timeouts</th><th>non-2xx</th><th>rise: latency ms / queue</th><th>bottleneck queued / longest wait ms</th><th>bottleneck ms per call: held / configured</th><th>503s</th><th>sent late %</th><th>API loop %</th><th>lab CPU %</th></tr></thead><tbody>${levels}</tbody></table>`))}
</section>`
}

function renderLoadTable(results: Results): SafeHtml {
  const rows = Object.entries(results.variants).flatMap(([name, v]) =>
    v.load.map(
      (
        l,
      ) => html`<tr><td><code>${name}</code></td><td class="num">${l.connections}</td><td class="num">${l.requests}</td><td class="num">${l.requestsPerSec.toFixed(1)}</td><td class="num">${formatWithModel(l.goodPerSec, l.model?.goodPerSec, l)}</td><td class="num">${formatMs(l.p50Ms)}</td><td class="num">${formatMs(l.p90Ms)}</td><td class="num">${formatMs(l.p99Ms)}</td><td class="num">${formatMs(l.maxMs)}</td><td class="num">${formatMs(l.meanMs)} / ${formatMs(l.meanHitMs)}</td><td class="num">${formatHitRatio(l.hitRatio, l.model?.hitRatio ?? null, l.priceCache?.stale)}</td><td class="num">${formatWithModel(l.pricingCallsPerSec, l.model?.pricingCallsPerSec, l)}</td>
      <td class="num${l.errors ? ' bad' : ''}">${l.errors}</td><td class="num${l.timeouts ? ' bad' : ''}">${l.timeouts}</td><td class="num${l.non2xx ? ' bad' : ''}">${formatNon2xx(l)}</td><td class="num${l.mismatches ? ' bad' : ''}">${l.mismatches}</td><td class="num">${formatApiCpu(l)}</td><td class="num${l.selfCheck.labBound.length ? ' bad' : ''}" title="${l.selfCheck.labBound.join('; ')}">${formatSelfCheck(l.selfCheck)}</td></tr>`,
    ),
  )
  return wide(
    html`<table class="load"><thead><tr><th>variant</th><th>conn.</th><th>answers</th><th>all/s</th><th>good/s</th><th>p50</th><th>p90</th><th>p99</th><th>max</th><th>mean / of hits</th><th>hit ratio</th><th>pricing calls/s</th><th>errors</th><th>timeouts</th><th>non-2xx</th><th>wrong body</th><th>API CPU ms/req: loop / all</th><th>lab CPU %</th></tr></thead><tbody>${rows}</tbody></table>`,
  )
}

function renderEnvironment(results: Results): SafeHtml {
  const e = results.environment
  const rows: Array<[string, string]> = [
    ['CPU', `${e.cpuCount} × ${e.cpuModel}`],
    ['memory', `${e.memoryGiB} GiB`],
    ['OS', e.os],
    ['Node', e.node],
    ['cache', e.cache],
    ['commit', e.gitCommit ?? 'unknown'],
    ['run', `${results.startedAt} → ${results.finishedAt} (${results.durationSeconds} s)`],
    [
      'tools',
      Object.entries(e.tools)
        .map(([name, version]) => `${name} ${version}`)
        .join(', '),
    ],
  ]
  return html`<div><h3>Environment</h3><table><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>
  ${e.cacheBackend === 'in-process' && html`<p class="invalid">No Redis was available: the cached variants used an in-process map, which leaves out the network round trip a real cache costs.</p>`}</div>`
}
