/**
 * report.html: one self-contained page rendered from results.json, with chart.js, the
 * sheet (page/report.css) and the page's script (page/report.js) inlined, so it opens
 * from disk with no network. Every interpolation is escaped by the `html` tag; the
 * embedded JSON cannot close its script tag.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { embedJson, html, trusted, type SafeHtml } from './html.ts'
import { comparisonSection } from './render-comparison.ts'
import { faultSeries, pageData } from './page/page-data.ts'
import {
  cacheOutageText,
  describeFaults,
  describeServiceFaults,
  faultRows,
  formatApiCpu,
  formatHeld,
  formatHitRatio, formatWithModel,
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
  stepRows,
  targetLines,
  validityText,
  type StepRow,
} from './report-model.ts'
import { overheldShare } from '../record/derived.ts'
import { formatMs, formatPercent, formatShare, formatTail } from '../record/format.ts'
import { HOP_TARGET_MS, type Results } from '../record/results.ts'
import { SERVICE_NAMES, type Scenario } from '../../scenario/types.ts'

const asset = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))
const CHART_JS = asset('../../node_modules/chart.js/dist/chart.umd.min.js')
const STYLE = asset('./page/report.css')
const SCRIPT = asset('./page/report.js')

/** The page's script reads no raw latency: each run's are left out of the embedded copy (results.json has them). */
function withoutRawLatencies(results: Results): Results {
  return {
    ...results,
    runs: results.runs.map((run) => ({
      ...run,
      variants: Object.fromEntries(Object.entries(run.variants).map(([name, v]) => [name, { latency: { ...v.latency, latenciesMs: [] }, load: v.load.map((l) => ({ ...l, latenciesMs: [] })) }])),
    })),
  }
}

export async function renderReport(results: Results): Promise<string> {
  const [chartJs, style, script] = await Promise.all([readFile(CHART_JS, 'utf8'), readFile(STYLE, 'utf8'), readFile(SCRIPT, 'utf8')])
  const title = `api-speedup-lab: ${results.scenario.name}`
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
${comparisonSection(results)}
${renderSteps(results)}

<section>
  <h2>Latency per variant</h2>
  <div class="chart tall"><canvas id="latency-chart" aria-label="p50 and p99 latency per variant, with the floor"></canvas></div>
</section>

<section>
  <h2>Where the time goes</h2>
  <p class="note">Stages from the <code>Server-Timing</code> header (median start and duration over the samples). Sequential stages form a staircase; in <code>parallel</code> they overlap. Under each measured stage, an outlined bar is the model's ideal: when the stage starts and how long it takes in the variant's virtual run, where the lab costs nothing — the gap between them is the lab's overhead, stage by stage.</p>
  <div class="waterfalls">
  ${Object.entries(results.variants).flatMap(([name, v]) => [
    ...(v.coldStages?.length
      ? [html`<figure><figcaption>${name}, cache cold</figcaption><div class="chart short"><canvas class="waterfall" data-variant="${name}" data-case="cold" aria-label="stage waterfall of ${name} with the price cache cold"></canvas></div></figure>
  `]
      : []),
    html`<figure><figcaption>${name}${v.coldStages?.length ? ', cache warm' : ''}</figcaption><div class="chart short"><canvas class="waterfall" data-variant="${name}" data-case="warm" aria-label="stage waterfall of ${name}"></canvas></div></figure>
  `,
  ])}</div>
</section>

<section>
  <h2>Upstream calls per request</h2>
  <p class="note">Counted by the mocked services. The N+1 shows as one inventory call per product.</p>
  <div class="chart"><canvas id="calls-chart" aria-label="upstream calls per request per variant"></canvas></div>
</section>

${renderMix(results)}

<section>
  <h2>Under load</h2>
  <p class="note">autocannon, ${results.run.durationSeconds} s per level, in the harness's process (never the API's). A level lasts from its first request to its last answer. <em>Good</em>: 2xx answers with the reference body, per second, apart from every answer; errors, timeouts, non-2xx answers and body mismatches are listed below when there are any. Latencies are over every response (2xx or not); p90 and p99 are given from 20 and 100 responses up, below them "—": the max stands for the tail. <em>API CPU</em>: the API process's CPU while requests were in flight, per response, after a garbage collection before the level: its event loop's thread alone (the requests' own work), then all its threads (with the runtime's JIT compiler and GC helpers, whose share varies from run to run). <em>Lab CPU</em>: the load generator's (harness) and the mocked upstreams' CPU in percent of one core, the machine's in percent of all its cores; a level is <em>lab-bound</em> (✕ in the charts, its figures the machine's rather than the code's) when a lab process or the machine passed 90 %, the mocks held their answers later than max(5 ms, 3 % of their configured latency) at p99, the harness's event loop was over 20 ms late at p99, or (sweep) the generator sent more than 5 % of its requests late.</p>
  <div class="pair">
    <div class="chart"><canvas id="throughput-chart" aria-label="good answers per second against connections"></canvas></div>
    <div class="chart"><canvas id="p99-chart" aria-label="p99 latency against connections"></canvas></div>
  </div>
  ${renderLoadTable(results)}
</section>

${renderTimelines(results)}

${renderFaults(results)}

${renderPeakLoad(results)}

${renderDiffs(results)}

<section class="context">
  <h2>Scenario and environment</h2>
  <div class="pair">
    ${renderScenario(results)}
    ${renderEnvironment(results)}
  </div>
</section>

<script type="application/json" id="results">${embedJson(withoutRawLatencies(results))}</script>
<script type="application/json" id="page-data">${embedJson(pageData(Object.keys(results.variants)))}</script>
<script>${trusted(chartJs)}</script>
<script type="module">${trusted(script)}</script>
</body>
</html>
`
  return page.html
}

function renderMix(results: Results): SafeHtml | '' {
  const rows = mixRows(results)
  if (!rows.length) return ''
  return html`<section id="mix">
  <h2>The traffic mix</h2>
  <p class="note">${mixNote(results)}</p>
  <div class="wide"><table>
    <thead><tr><th>variant</th><th class="num">requests</th><th class="num">p50</th><th class="num">p99</th><th class="num">mean</th><th class="num">mean of hits</th><th class="num">hit ratio</th><th class="num">pricing calls per request</th><th class="num">saturates at (the mix, warm)</th><th class="num">under load</th><th class="num">hit ratio</th><th class="num">mean</th><th class="num">mean of hits</th><th class="num">pricing calls/s</th></tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr><td><code class="swatch" data-variant="${r.variant}">${r.variant}</code></td><td class="num">${r.requests}</td><td class="num">${formatMs(r.p50Ms)}</td><td class="num">${r.tail}</td><td class="num">${formatMs(r.meanMs)}</td><td class="num">${formatMs(r.meanHitMs)}</td><td class="num">${r.hitRatio}</td><td class="num">${r.pricingCallsPerRequest ?? '—'}</td><td class="num">${r.saturation}</td><td class="num">${r.load ? `${r.load.connections} connections` : '—'}</td><td class="num">${r.load?.hitRatio ?? '—'}</td><td class="num">${r.load?.mean ?? '—'}</td><td class="num">${formatMs(r.load?.meanHitMs ?? null)}</td><td class="num">${r.load?.pricingCallsPerSec ?? '—'}</td></tr>`,
    )}</tbody>
  </table></div>
</section>`
}

/** Second by second, each variant's load levels one after another (and its sweep's): where pricing calls and the p99 rise together, a price list expired under load. */
function renderTimelines(results: Results): SafeHtml | '' {
  const charts = Object.entries(results.variants).flatMap(([name, v]) => [
    ...(v.load.some((l) => l.timeline.length) ? [{ name, phase: 'load', caption: `${name}, load at ${v.load.map((l) => l.connections).join(', ')} connections` }] : []),
    ...(v.peakLoad?.levels.some((l) => l.timeline.length) ? [{ name, phase: 'sweep', caption: `${name}, sweep at ${v.peakLoad.levels.map((l) => Math.round(l.offeredPerSec)).join(', ')} req/s` }] : []),
  ])
  if (!charts.length) return ''
  return html`<section id="timelines">
  <h2>Second by second</h2>
  <p class="note">Each level, one second per point, the levels one after another (a dotted line where a level starts): p50 and p99 of the good answers in that second (p99 from 100 answers up, else the max), and what the API counted in it, per second: pricing calls begun and price-cache lookups that were not hits. Where a price list expires under load, every request that misses it calls pricing at once: the pricing spike comes first, and the slow answers follow one pricing call's time later.</p>
  <div class="waterfalls">${charts.map(
    (c) => html`<figure><figcaption>${c.caption}</figcaption><div class="chart"><canvas class="timeline" data-variant="${c.name}" data-phase="${c.phase}" aria-label="second by second: ${c.caption}"></canvas></div></figure>`,
  )}</div>
</section>`
}

function renderHeader(results: Results, title: string): SafeHtml {
  const h = headline(results)
  const outage = cacheOutageText(results)
  const underLoad = loadFailures(results)
  return html`<header>
  <p class="kicker">api-speedup-lab · scenario “${results.scenario.name}” · ${results.finishedAt.slice(0, 16).replace('T', ' ')} UTC${results.run.quick ? ' · quick run' : ''}</p>
  <h1>${h ? headlineText(h) : title}</h1>
  <p class="lede">${results.scenario.description} Median latency, one request at a time, price cache warm.</p>
  ${results.valid ? html`<p class="valid">${validityText(results)}</p>` : html`<div class="invalid"><strong>Invalid run — do not trust these numbers.</strong><ul>${results.problems.map((p) => html`<li>${p}</li>`)}</ul></div>`}
  ${underLoad && html`<p class="${underLoad.failed ? 'caution' : 'note'}" id="load-failures">${underLoad.text}</p>`}
  ${outage && html`<p class="caution" id="cache-outages">${outage}</p>`}
</header>`
}

function renderSteps(results: Results): SafeHtml {
  const row = (r: StepRow): SafeHtml => html`<tr>
      <td><code class="swatch" data-variant="${r.variant}">${r.variant}</code></td>
      <td>${r.summary}</td>
      <td class="num">${formatMs(r.p50Ms)}</td>
      <td class="num">${r.tail}</td>
      <td class="num">${r.samples ?? '—'}</td>
      <td class="num">${formatMs(r.coldP50Ms)}${r.coldSamples !== null && html`<br><small>n = ${r.coldSamples}</small>`}</td>
      <td class="num">${formatMs(r.floorMs)}</td>
      <td class="num${r.withinTolerance === false ? ' over' : ''}" title="${r.overheadToleranceMs === null ? '' : `tolerance ${r.overheadToleranceMs} ms`}">${formatOverheadWithVerdict(r)}${r.overheadPerCallMs !== null && html`<br><small>${r.overheadPerCallMs.toFixed(1)} ms per call on the path</small>`}${r.hops !== null && html`<br><small class="${r.hops.withinTarget ? 'within' : 'over'}" title="${`${r.hops.count} hops on the path; their calibrated cost on this machine: +${r.hops.calibratedMs.toFixed(2)} ms`}">${formatHopOverhead(r)}</small>`}</td>
      <td class="num ${r.gainPercent !== null && r.gainPercent > 0 ? 'loss' : 'gain'}">${formatPercent(r.gainPercent)}</td>
      <td class="num nowrap">${r.saturation}</td>
      <td class="num">${r.published ?? '—'}</td>
    </tr>`
  const rows = stepRows(results)
  const table = (group: StepRow[]): SafeHtml => html`<table class="steps">
    <thead><tr><th>variant</th><th>what changed</th><th>p50</th><th>p99</th><th>n</th><th>cold p50</th><th>floor</th><th>lab overhead</th><th>vs parent</th><th>saturates at</th><th>published</th></tr></thead>
    <tbody>
    ${group.map(row)}
    </tbody>
  </table>`
  const story = rows.filter((r) => r.group === 'story')
  const beyond = rows.filter((r) => r.group === 'beyond')
  return html`<section>
  <h2>The story, step by step</h2>
  ${story.length ? table(story) : html`<p class="note">None of the story's variants was measured in this run.</p>`}
  ${beyond.length > 0 &&
  html`<h3 id="beyond-the-story">Beyond the story</h3>
  <p class="note">The fixes the ecosystem uses, and any variant of your own: each against its parent.${overviewNote(results) && html` ${overviewNote(results)}`}</p>
  ${table(beyond)}
  <ul class="lessons">${beyond.map((r) => html`<li><code>${r.variant}</code>: ${r.lesson ?? r.summary}${r.preset !== null && html` Shown best with <code>--scenario ${r.preset}</code>.`}</li>`)}</ul>`}
  <p class="note"><em>Floor</em>: what the variant's own code takes in virtual time — the configured upstream latency on its critical path, and its own timers: what it would take if the lab cost nothing. <em>Lab overhead</em>: measured p50 minus floor (loopback HTTP, JSON, the event loops); ✓ when within max(3 % of the floor, 5 ms). Under it, per call on the critical path, and per hop <em>beyond bare</em>: beyond what this machine's hops cost bare (the calibration below: the request's own hop, each call on the path alone or k at once, each Redis read alone on it): what the lab's code and the variant's own work on the path (parsing answers, serialising the page) add, ✓ within the lab's target of ${HOP_TARGET_MS} ms. <em>n</em>: samples, one request at a time; <em>p99</em> from 100 samples up, below them the max, called that. <em>Cold</em>: the price cache flushed before every request. <em>Saturates at</em>: the model's Little's-law prediction, the request rate at which the named service's workers are all busy (the worker time each request asks of it, warm, against its workers); <code>--sweep</code> measures it. <em>Published</em>: ${publishedNote(results.scenario)}.</p>
  <ul class="targets">${targetLines(results).map((line) => html`<li>${line}</li>`)}</ul>
</section>`
}

function renderFaults(results: Results): SafeHtml | '' {
  const faults = describeFaults(results.scenario)
  if (!faults) return ''
  const rows = faultRows(results)
  return html`<section>
  <h2>Under injected faults</h2>
  <p class="note">The scenario injects faults into the upstreams' calls: ${faults}. The share expected to fail, the calls per request and the saturation come from each variant's own code run with the same faults in virtual time (page one, 1000 requests warm and 200 cold, the faults drawn for every call from the seed): for code that makes each call once, a request fails when any of its calls draws a fault, 1 − Π(1 − rate)<sup>calls</sup>; a retry, a fallback or a breaker changes that, and every retry is one more call for the upstream. One at a time, a failed request is counted and tried again; the latencies above are those of good answers only. Errors and resets answer 502 naming the upstream; a hang ends at the deadline with a 504. Under load, a level past a variant's saturation also fails with the 504s of the collapse (see "Under load").</p>
  <div class="chart"><canvas id="faults-chart" aria-label="share of requests failed per variant, expected and measured"></canvas></div>
  <script type="application/json" id="fault-series">${embedJson(faultSeries(rows))}</script>
  <table><thead><tr><th>variant</th><th>calls / request: model · measured</th><th>saturates at, with the faults (model)</th><th>expected to fail</th><th>failed, one at a time</th><th>statuses</th><th>median time to fail</th><th>failed under load</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr><td class="nowrap"><code class="swatch" data-variant="${r.variant}">${r.variant}</code>${r.cold && html` <small>cold cache</small>`}</td><td class="num">${r.calls} · ${r.measuredCalls}</td><td class="num">${r.saturation ?? '—'}</td><td class="num">${formatShare(r.expectedPercent)}</td><td class="num${r.failed ? ' bad' : ''}">${formatShare(r.measuredPercent)} <small>(${r.failed} of ${r.requests})</small></td><td>${r.statuses}</td><td class="num">${formatMs(r.failedP50Ms)}</td><td class="num">${formatLoadShares(r.load)}</td></tr>`,
  )}</tbody></table>
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
  return html`<section>
  <h2>Peak hours</h2>
  <p class="note">Each variant at fixed request rates (an open model: the load does not slow down when the server does) around the throughput at which it should saturate, predicted from the scenario alone by Little's law: a service with <em>W</em> workers, asked for <em>D</em> worker-seconds per request, is full at <em>W / D</em> requests per second. Each level is counted over its steady window (the last three quarters of its sending time): <em>goodput</em> is the good answers (200, right body) to the requests sent in the window, per second, never more than offered; <em>delivered</em> is the rate at which those requests were answered well, from the spacing of their answers: past saturation, the capacity. Measured: the best level's lower of the two. A level is <em>still rising</em> when its latency, or its bottleneck's queue, grew from the second quarter to the last by more than a 3 % overload would make them: it was not held, however it ended. The knee: the highest offered load held, not rising, with p99 under its target and no failure.</p>
  <div class="pair">
    <div class="chart"><canvas id="goodput-chart" aria-label="good answers per second against offered load"></canvas></div>
    <div class="chart"><canvas id="sweep-p99-chart" aria-label="p99 against offered load"></canvas></div>
  </div>
  <table><thead><tr><th>variant</th><th>bottleneck</th><th>predicted req/s</th><th>measured req/s</th><th>measured vs predicted</th><th>knee req/s</th><th>p99 target</th></tr></thead><tbody>${rows}</tbody></table>
  <ul class="verdicts">${swept.map(({ peak }) => html`<li>${peak.verdict}</li>`)}</ul>
  ${warnings.length ? html`<ul class="warnings">${warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
  <div class="wide"><table class="load"><thead><tr><th>variant</th><th>offered req/s</th><th>goodput req/s</th><th>delivered req/s</th><th>n</th><th>p50</th><th>p99</th><th>errors / timeouts</th><th>non-2xx</th><th>rise: latency ms / queue</th><th>bottleneck queued / longest wait ms</th><th>bottleneck ms per call: held / configured</th><th>503s</th><th>sent late %</th><th>API loop %</th><th>lab CPU %</th></tr></thead><tbody>${levels}</tbody></table></div>
</section>`
}

function renderLoadTable(results: Results): SafeHtml {
  const rows = Object.entries(results.variants).flatMap(([name, v]) =>
    v.load.map(
      (l) => html`<tr><td><code>${name}</code></td><td class="num">${l.connections}</td><td class="num">${l.requests}</td><td class="num">${l.requestsPerSec.toFixed(1)}</td><td class="num">${formatWithModel(l.goodPerSec, l.model?.goodPerSec, l)}</td><td class="num">${formatMs(l.p50Ms)}</td><td class="num">${formatMs(l.p90Ms)}</td><td class="num">${formatMs(l.p99Ms)}</td><td class="num">${formatMs(l.maxMs)}</td><td class="num">${formatMs(l.meanMs)} / ${formatMs(l.meanHitMs)}</td><td class="num">${formatHitRatio(l.hitRatio, l.model?.hitRatio ?? null, l.priceCache?.stale)}</td><td class="num">${formatWithModel(l.pricingCallsPerSec, l.model?.pricingCallsPerSec, l)}</td>
      <td class="num${l.errors ? ' bad' : ''}">${l.errors}</td><td class="num${l.timeouts ? ' bad' : ''}">${l.timeouts}</td><td class="num${l.non2xx ? ' bad' : ''}">${formatNon2xx(l)}</td><td class="num${l.mismatches ? ' bad' : ''}">${l.mismatches}</td><td class="num">${formatApiCpu(l)}</td><td class="num${l.selfCheck.labBound.length ? ' bad' : ''}" title="${l.selfCheck.labBound.join('; ')}">${formatSelfCheck(l.selfCheck)}</td></tr>`,
    ),
  )
  return html`<div class="wide"><table class="load"><thead><tr><th>variant</th><th>conn.</th><th>answers</th><th>all/s</th><th>good/s</th><th>p50</th><th>p90</th><th>p99</th><th>max</th><th>mean / of hits</th><th>hit ratio</th><th>pricing calls/s</th><th>errors</th><th>timeouts</th><th>non-2xx</th><th>wrong body</th><th>API CPU ms/req: loop / all</th><th>lab CPU %</th></tr></thead><tbody>${rows}</tbody></table></div>`
}

function renderDiffs(results: Results): SafeHtml {
  const rows = stepRows(results)
  const diffs = Object.entries(results.variants).flatMap(([name, v]) => {
    if (v.diffFromParent === null) return []
    const gain = rows.find((r) => r.variant === name)?.gainPercent ?? null
    return [
      html`<details open><summary><code>${name}</code> against <code>${v.parent ?? ''}</code>${gain !== null && ` — ${formatPercent(gain)} p50 against ${v.parent ?? ''}`}</summary>${renderDiff(v.diffFromParent)}</details>
  `,
    ]
  })
  return html`<section>
  <h2>The code of each step</h2>
  ${diffs}</section>`
}

export function renderDiff(diff: string): SafeHtml {
  const lines = diff.split('\n').filter((line) => !line.startsWith('===') && !line.startsWith('Index:'))
  const kindOf = (line: string): string =>
    line.startsWith('+++') || line.startsWith('---') ? 'file' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : ''
  return html`<pre class="diff">${lines.map((line, i) => html`${i > 0 && '\n'}<span class="${kindOf(line)}">${line}</span>`)}</pre>`
}

function renderScenario(results: Results): SafeHtml {
  return renderScenarioTable(results.scenario, results.run.path)
}

/** The scenario's services and settings, and the request measured when there was one. */
export function renderScenarioTable(s: Scenario, path?: string): SafeHtml {
  const services = SERVICE_NAMES.map((name) => {
    const service = s.services[name]
    const jitter = service.jitter.kind === 'none' ? 'none' : JSON.stringify(service.jitter)
    return html`<tr><td>${name}</td><td class="num">${service.latencyMs}</td><td class="num">${service.perItemMs}</td><td>${jitter}</td><td class="num">${service.workers}</td><td>${describeServiceFaults(s, name) ?? 'none'}</td></tr>`
  })
  return html`<div><h3>Scenario “${s.name}”</h3>
  <table><thead><tr><th>service</th><th>latency ms</th><th>per item ms</th><th>jitter</th><th>workers</th><th>faults</th></tr></thead><tbody>${services}</tbody></table>
  <table><tbody>
    <tr><th>products per page</th><td>${s.productsPerPage}</td></tr>
    <tr><th>catalog size</th><td>${s.catalogSize}</td></tr>
    <tr><th>seed</th><td>${s.seed}</td></tr>
    <tr><th>price cache TTL</th><td>${s.cacheTtlSeconds} s (swr: served stale up to ${s.cacheGraceSeconds} s more while it refreshes)</td></tr>
    ${path !== undefined && html`<tr><th>request measured</th><td><code>/&lt;variant&gt;${path}</code></td></tr>`}
  </tbody></table></div>`
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
    ['tools', Object.entries(e.tools).map(([name, version]) => `${name} ${version}`).join(', ')],
  ]
  return html`<div><h3>Environment</h3><table><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>
  ${e.cacheBackend === 'in-process' && html`<p class="invalid">No Redis was available: the cached variants used an in-process map, which leaves out the network round trip a real cache costs.</p>`}</div>`
}
