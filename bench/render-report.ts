/**
 * report.html: one self-contained page (chart.js inlined, no network) rendered from
 * results.json. Every string that comes from a scenario or a variant file is escaped;
 * the embedded JSON cannot close its script tag.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { cacheOutageText, describeFaults, describeServiceFaults, faultRows, formatLoadShares, formatMs, formatNon2xx, formatOverheadWithVerdict, formatPercent, formatShare, headline, headlineText, isStoryScenario, stepRows, targetLines } from './report-model.ts'
import type { Results } from './results.ts'
import { SERVICE_NAMES } from './scenario.ts'

const CHART_JS = fileURLToPath(new URL('../node_modules/chart.js/dist/chart.umd.min.js', import.meta.url))

export async function renderReport(results: Results): Promise<string> {
  const chartJs = await readFile(CHART_JS, 'utf8')
  const rows = stepRows(results)
  const h = headline(results)
  const outage = cacheOutageText(results)
  const title = `api-speedup-lab: ${results.scenario.name}`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <p class="kicker">api-speedup-lab · scenario “${escapeHtml(results.scenario.name)}” · ${escapeHtml(results.finishedAt.slice(0, 16).replace('T', ' '))} UTC${results.run.quick ? ' · quick run' : ''}</p>
  <h1>${h ? escapeHtml(headlineText(h)) : escapeHtml(title)}</h1>
  <p class="lede">${escapeHtml(results.scenario.description)} Median latency, one request at a time, price cache warm.</p>
  ${
    results.valid
      ? describeFaults(results.scenario)
        ? '<p class="valid">Valid run: every 200 carried the reference body, and every failed request came from an injected fault.</p>'
        : '<p class="valid">Valid run: every response answered 200 with the reference body.</p>'
      : `<div class="invalid"><strong>Invalid run — do not trust these numbers.</strong><ul>${results.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul></div>`
  }
  ${outage ? `<p class="caution" id="cache-outages">${escapeHtml(outage)}</p>` : ''}
</header>

<section>
  <h2>The story, step by step</h2>
  <table class="steps">
    <thead><tr><th>variant</th><th>what changed</th><th>p50</th><th>p99</th><th>cold p50</th><th>floor</th><th>lab overhead</th><th>vs parent</th><th>published</th></tr></thead>
    <tbody>
    ${rows
      .map(
        (r) => `<tr>
      <td><code class="swatch" data-variant="${escapeHtml(r.variant)}">${escapeHtml(r.variant)}</code></td>
      <td>${escapeHtml(r.summary)}</td>
      <td class="num">${formatMs(r.p50Ms)}</td>
      <td class="num">${formatMs(r.p99Ms)}</td>
      <td class="num">${formatMs(r.coldP50Ms)}</td>
      <td class="num">${formatMs(r.floorMs)}</td>
      <td class="num${r.withinTolerance === false ? ' over' : ''}" title="${r.overheadToleranceMs === null ? '' : `tolerance ${r.overheadToleranceMs} ms`}">${escapeHtml(formatOverheadWithVerdict(r))}${r.overheadPerCallMs === null ? '' : `<br><small>${r.overheadPerCallMs.toFixed(1)} ms per call on the path</small>`}</td>
      <td class="num gain">${formatPercent(r.gainPercent)}</td>
      <td class="num">${escapeHtml(r.published ?? '—')}</td>
    </tr>`,
      )
      .join('')}
    </tbody>
  </table>
  <p class="note"><em>Floor</em>: the configured upstream latency on the variant's critical path — what it would take if the lab cost nothing. <em>Lab overhead</em>: measured p50 minus floor (loopback HTTP, JSON, the event loops); ✓ when within max(3 % of the floor, 5 ms). <em>Cold</em>: the price cache flushed before every request. <em>Published</em>: the figure the original write-up gave for that step${isStoryScenario(results.scenario) ? '' : ' — for the story’s own scenario (50 products, 40 ms services), not this run’s'}.</p>
  <ul class="targets">${targetLines(results).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>
</section>

<section>
  <h2>Latency per variant</h2>
  <div class="chart tall"><canvas id="latency-chart" aria-label="p50 and p99 latency per variant, with the floor"></canvas></div>
</section>

<section>
  <h2>Where the time goes</h2>
  <p class="note">Stages from the <code>Server-Timing</code> header (median start and duration over the samples). Sequential stages form a staircase; in <code>parallel</code> they overlap.</p>
  <div class="waterfalls">
  ${Object.keys(results.variants)
    .map((name) => `<figure><figcaption>${escapeHtml(name)}</figcaption><div class="chart short"><canvas class="waterfall" data-variant="${escapeHtml(name)}" aria-label="stage waterfall of ${escapeHtml(name)}"></canvas></div></figure>`)
    .join('\n  ')}
  </div>
</section>

<section>
  <h2>Upstream calls per request</h2>
  <p class="note">Counted by the mocked services. The N+1 shows as one inventory call per product.</p>
  <div class="chart"><canvas id="calls-chart" aria-label="upstream calls per request per variant"></canvas></div>
</section>

<section>
  <h2>Under load</h2>
  <p class="note">autocannon, ${results.run.durationSeconds} s per level, in its own process. Errors, timeouts, non-2xx answers and body mismatches are listed below when there are any.</p>
  <div class="pair">
    <div class="chart"><canvas id="throughput-chart" aria-label="requests per second against connections"></canvas></div>
    <div class="chart"><canvas id="p99-chart" aria-label="p99 latency against connections"></canvas></div>
  </div>
  ${renderLoadTable(results)}
</section>

${renderFaults(results)}

${renderPeakLoad(results)}

<section>
  <h2>The code of each step</h2>
  ${Object.entries(results.variants)
    .filter(([, v]) => v.diffFromParent !== null)
    .map(([name, v]) => {
      const row = rows.find((r) => r.variant === name)
      const gain = row?.gainPercent === null || row === undefined ? '' : ` — ${formatPercent(row.gainPercent)} p50 against ${escapeHtml(v.parent ?? '')}`
      return `<details open><summary><code>${escapeHtml(name)}</code> against <code>${escapeHtml(v.parent ?? '')}</code>${gain}</summary>${renderDiff(v.diffFromParent ?? '')}</details>`
    })
    .join('\n  ')}
</section>

<section class="context">
  <h2>Scenario and environment</h2>
  <div class="pair">
    ${renderScenario(results)}
    ${renderEnvironment(results)}
  </div>
</section>

<script type="application/json" id="results">${embedJson(results)}</script>
<script>${chartJs}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`
}

function renderFaults(results: Results): string {
  const faults = describeFaults(results.scenario)
  if (!faults) return ''
  const all = faultRows(results)
  // The chart draws the warm rows, with the shares computed here rather than again in the page.
  const series = all.filter((r) => !r.cold).map(({ variant, expectedPercent, measuredPercent, load }) => ({ variant, expectedPercent, measuredPercent, load }))
  const rows = all
    .map(
      (r) =>
        `<tr><td class="nowrap"><code class="swatch" data-variant="${escapeHtml(r.variant)}">${escapeHtml(r.variant)}</code>${r.cold ? ' <small>cold cache</small>' : ''}</td><td class="num">${r.calls}</td><td class="num">${formatShare(r.expectedPercent)}</td><td class="num${r.failed ? ' bad' : ''}">${formatShare(r.measuredPercent)} <small>(${r.failed} of ${r.requests})</small></td><td>${escapeHtml(r.statuses)}</td><td class="num">${formatMs(r.failedP50Ms)}</td><td class="num">${escapeHtml(formatLoadShares(r.load))}</td></tr>`,
    )
    .join('')
  return `<section>
  <h2>Under injected faults</h2>
  <p class="note">The scenario injects faults into the upstreams' calls: ${escapeHtml(faults)}. A request fails when any of its calls draws a fault, so the share expected to fail is 1 − Π(1 − rate)<sup>calls</sup> over the calls it makes. One at a time, a failed request is counted and tried again; the latencies above are those of good answers only. Errors and resets answer 502 naming the upstream; a hang ends at the deadline with a 504. Under load, a level past a variant's saturation also fails with the 504s of the collapse (see "Under load").</p>
  <div class="chart"><canvas id="faults-chart" aria-label="share of requests failed per variant, expected and measured"></canvas></div>
  <script type="application/json" id="fault-series">${embedJson(series)}</script>
  <table><thead><tr><th>variant</th><th>calls / request</th><th>expected to fail</th><th>failed, one at a time</th><th>statuses</th><th>median time to fail</th><th>failed under load</th></tr></thead><tbody>${rows}</tbody></table>
</section>`
}

function renderPeakLoad(results: Results): string {
  const swept = Object.entries(results.variants).filter(([, v]) => v.peakLoad !== null)
  if (!swept.length) return ''
  const rows = swept
    .map(([name, v]) => {
      const p = v.peakLoad!
      return `<tr><td><code class="swatch" data-variant="${escapeHtml(name)}">${escapeHtml(name)}</code></td><td>${p.bottleneck}</td><td class="num">${p.predictedPerSec.toFixed(1)}</td><td class="num">${p.measuredPerSec.toFixed(1)}</td><td class="num">${formatPercent(p.errorPercent)}</td><td class="num">${p.kneePerSec === null ? 'none' : p.kneePerSec.toFixed(1)}</td><td class="num">${formatMs(p.p99TargetMs)}</td></tr>`
    })
    .join('')
  const levels = swept.flatMap(([name, v]) =>
    v.peakLoad!.levels.map((l) => {
      const bottleneck = l.upstreams[v.peakLoad!.bottleneck]
      return `<tr><td><code>${escapeHtml(name)}</code></td><td class="num">${l.offeredPerSec.toFixed(1)}</td><td class="num">${l.goodputPerSec.toFixed(1)}</td><td class="num">${l.p50Ms}</td><td class="num">${l.p99Ms}</td><td class="num${l.errors + l.timeouts ? ' bad' : ''}">${l.errors} / ${l.timeouts}</td><td class="num${l.non2xx ? ' bad' : ''}">${formatNon2xx(l)}</td><td class="num">${bottleneck.queued}</td><td class="num">${Math.round(bottleneck.longestWaitMs)}</td><td class="num${bottleneck.rejected ? ' bad' : ''}">${bottleneck.rejected}</td></tr>`
    }),
  )
  return `<section>
  <h2>Peak hours</h2>
  <p class="note">Each variant at fixed request rates (an open model: the load does not slow down when the server does) around the throughput at which it should saturate, predicted from the scenario alone by Little's law: a service with <em>W</em> workers, asked for <em>D</em> worker-seconds per request, is full at <em>W / D</em> requests per second. Goodput: 200s with the right body per second. The knee: the highest offered load held with p99 under its target and no error.</p>
  <div class="pair">
    <div class="chart"><canvas id="goodput-chart" aria-label="goodput against offered load"></canvas></div>
    <div class="chart"><canvas id="sweep-p99-chart" aria-label="p99 against offered load"></canvas></div>
  </div>
  <table><thead><tr><th>variant</th><th>bottleneck</th><th>predicted req/s</th><th>measured req/s</th><th>measured vs predicted</th><th>knee req/s</th><th>p99 target</th></tr></thead><tbody>${rows}</tbody></table>
  <ul class="verdicts">${swept.map(([, v]) => `<li>${escapeHtml(v.peakLoad!.verdict)}</li>`).join('')}</ul>
  <table class="load"><thead><tr><th>variant</th><th>offered req/s</th><th>goodput req/s</th><th>p50 ms</th><th>p99 ms</th><th>errors / timeouts</th><th>non-2xx</th><th>bottleneck queued</th><th>longest wait ms</th><th>503s</th></tr></thead><tbody>${levels.join('')}</tbody></table>
</section>`
}

function renderLoadTable(results: Results): string {
  const rows = Object.entries(results.variants).flatMap(([name, v]) =>
    v.load.map(
      (l) => `<tr><td><code>${escapeHtml(name)}</code></td><td class="num">${l.connections}</td><td class="num">${l.requests}</td><td class="num">${l.requestsPerSec.toFixed(1)}</td><td class="num">${l.p50Ms}</td><td class="num">${l.p90Ms}</td><td class="num">${l.p99Ms}</td><td class="num">${l.maxMs}</td>
      <td class="num${l.errors ? ' bad' : ''}">${l.errors}</td><td class="num${l.timeouts ? ' bad' : ''}">${l.timeouts}</td><td class="num${l.non2xx ? ' bad' : ''}">${formatNon2xx(l)}</td><td class="num${l.mismatches ? ' bad' : ''}">${l.mismatches}</td><td class="num">${l.apiCpuMsPerRequest === null ? '—' : l.apiCpuMsPerRequest.toFixed(2)}</td></tr>`,
    ),
  )
  return `<table class="load"><thead><tr><th>variant</th><th>connections</th><th>responses</th><th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>errors</th><th>timeouts</th><th>non-2xx</th><th>mismatches</th><th>API CPU ms / req</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function renderDiff(diff: string): string {
  const lines = diff.split('\n').filter((line) => !line.startsWith('===') && !line.startsWith('Index:'))
  return `<pre class="diff">${lines
    .map((line) => {
      const kind = line.startsWith('+++') || line.startsWith('---') ? 'file' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : ''
      return `<span class="${kind}">${escapeHtml(line)}</span>`
    })
    .join('\n')}</pre>`
}

function renderScenario(results: Results): string {
  const s = results.scenario
  const services = SERVICE_NAMES.map((name) => {
    const service = s.services[name]
    const jitter = service.jitter.kind === 'none' ? 'none' : JSON.stringify(service.jitter)
    const faults = describeServiceFaults(s, name) ?? 'none'
    return `<tr><td>${name}</td><td class="num">${service.latencyMs}</td><td class="num">${service.perItemMs}</td><td>${escapeHtml(jitter)}</td><td class="num">${service.workers}</td><td>${faults}</td></tr>`
  }).join('')
  return `<div><h3>Scenario “${escapeHtml(s.name)}”</h3>
  <table><thead><tr><th>service</th><th>latency ms</th><th>per item ms</th><th>jitter</th><th>workers</th><th>faults</th></tr></thead><tbody>${services}</tbody></table>
  <table><tbody>
    <tr><th>products per page</th><td>${s.productsPerPage}</td></tr>
    <tr><th>catalog size</th><td>${s.catalogSize}</td></tr>
    <tr><th>seed</th><td>${s.seed}</td></tr>
    <tr><th>price cache TTL</th><td>${s.cacheTtlSeconds} s</td></tr>
    <tr><th>request measured</th><td><code>/&lt;variant&gt;${escapeHtml(results.run.path)}</code></td></tr>
  </tbody></table></div>`
}

function renderEnvironment(results: Results): string {
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
  return `<div><h3>Environment</h3><table><tbody>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>
  ${e.cacheBackend === 'in-process' ? '<p class="invalid">No Redis was available: the cached variants used an in-process map, which leaves out the network round trip a real cache costs.</p>' : ''}</div>`
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/** JSON inside a script element: nothing in it may read as "</script>" or a comment opener. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

const STYLE = `
:root { --ink: #1d2330; --muted: #5b6475; --line: #e3e6ec; --bg: #fafbfc; --good: #2f8f4e; --bad: #c0392b; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 32px 28px 64px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
h1 { font-size: 30px; margin: 4px 0 8px; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 40px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 6px; }
h3 { font-size: 16px; margin: 8px 0; }
.kicker { color: var(--muted); margin: 0; font-size: 13px; text-transform: uppercase; letter-spacing: 0.04em; }
.lede { color: var(--muted); margin: 0 0 8px; }
.note { color: var(--muted); font-size: 13px; }
.valid { color: var(--good); font-weight: 600; margin: 8px 0; }
.caution { border: 1px solid #d39e00; border-radius: 6px; padding: 8px 14px; background: #fff8e5; }
.invalid { color: var(--bad); border: 1px solid var(--bad); border-radius: 6px; padding: 8px 14px; background: #fff5f4; }
table { border-collapse: collapse; width: 100%; background: #fff; margin: 8px 0; font-size: 14px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.gain { font-weight: 600; color: var(--good); }
td.bad { color: var(--bad); font-weight: 700; }
td.over { color: #a35a00; }
td.nowrap { white-space: nowrap; }
ul.targets, ul.verdicts { margin: 6px 0; padding-left: 20px; font-size: 14px; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
code.swatch { border-left: 4px solid var(--swatch, #999); padding-left: 6px; }
.chart { position: relative; height: 300px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.chart.tall { height: 340px; }
.chart.short { height: 190px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.waterfalls { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 4px; font-family: ui-monospace, monospace; }
details { margin: 12px 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
summary { cursor: pointer; padding: 8px 12px; font-weight: 600; }
pre.diff { margin: 0; padding: 10px 12px; overflow-x: auto; font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; border-top: 1px solid var(--line); }
pre.diff .add { background: #e6f6ea; color: #1e5e31; display: inline-block; width: 100%; }
pre.diff .del { background: #fdecea; color: #8c2a1f; display: inline-block; width: 100%; }
pre.diff .hunk { color: #6a5acd; }
pre.diff .file { color: var(--muted); font-weight: 600; }
@media (max-width: 800px) { .pair, .waterfalls { grid-template-columns: 1fr; } }
`

/** Runs in the page: draws every chart from the embedded results. No network, no animation. */
const CLIENT_SCRIPT = `
(function () {
  'use strict';
  var results = JSON.parse(document.getElementById('results').textContent);
  var names = Object.keys(results.variants);
  var STORY = { naive: '#d9534f', bulk: '#f0ad4e', cached: '#3a8fd9', parallel: '#2f9e57' };
  var EXTRA = ['#8e44ad', '#16a085', '#7f8c8d', '#c0392b', '#2c3e50'];
  function color(name) { return STORY[name] || EXTRA[names.indexOf(name) % EXTRA.length]; }
  var SERVICE_COLORS = { catalog: '#6c7a89', inventory: '#d9534f', cache: '#9b59b6', pricing: '#f0ad4e', reviews: '#3a8fd9', categories: '#2f9e57' };
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  document.querySelectorAll('code.swatch').forEach(function (el) { el.style.setProperty('--swatch', color(el.dataset.variant)); });
  // Null when a variant never answered 200 under injected faults.
  function latencyOf(name, field) { var l = results.variants[name].latency; return l ? l[field] : null; }

  new Chart(document.getElementById('latency-chart'), {
    type: 'bar',
    data: {
      labels: names,
      datasets: [
        { label: 'p50', data: names.map(function (n) { return latencyOf(n, 'p50Ms'); }), backgroundColor: names.map(color) },
        { label: 'p99', data: names.map(function (n) { return latencyOf(n, 'p99Ms'); }), backgroundColor: names.map(function (n) { return color(n) + '66'; }) },
        { type: 'line', label: 'floor', data: names.map(function (n) { return results.variants[n].floorMs; }), showLine: false,
          pointStyle: 'line', pointRadius: 28, pointBorderWidth: 3, borderColor: '#1d2330', backgroundColor: '#1d2330' }
      ]
    },
    options: {
      scales: { y: { type: 'logarithmic', title: { display: true, text: 'ms (log scale)' } } },
      plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + (c.parsed.y == null ? '—' : c.parsed.y.toFixed(1) + ' ms'); } } } }
    }
  });

  var longest = 0;
  names.forEach(function (n) { results.variants[n].stages.forEach(function (s) { longest = Math.max(longest, s.startMs + s.durationMs); }); });
  document.querySelectorAll('canvas.waterfall').forEach(function (canvas) {
    var stages = results.variants[canvas.dataset.variant].stages;
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: stages.map(function (s) { return s.name; }),
        datasets: [{ label: 'stage', data: stages.map(function (s) { return [s.startMs, s.startMs + s.durationMs]; }),
          backgroundColor: stages.map(function (s) { return SERVICE_COLORS[s.name] || '#999'; }), borderSkipped: false, barPercentage: 0.8 }]
      },
      options: {
        indexAxis: 'y',
        scales: { x: { min: 0, max: Math.ceil(longest / 100) * 100, title: { display: true, text: 'ms since the request arrived' } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { var r = c.raw; return 'starts ' + r[0].toFixed(1) + ' ms, takes ' + (r[1] - r[0]).toFixed(1) + ' ms'; } } } }
      }
    });
  });

  var services = ['catalog', 'inventory', 'pricing', 'reviews', 'categories'];
  new Chart(document.getElementById('calls-chart'), {
    type: 'bar',
    data: {
      labels: names,
      datasets: services.map(function (s) {
        return { label: s, data: names.map(function (n) { return results.variants[n].upstreamCalls[s]; }), backgroundColor: SERVICE_COLORS[s] };
      })
    },
    options: { indexAxis: 'y', scales: { x: { stacked: true, title: { display: true, text: 'calls per request (warm cache)' } }, y: { stacked: true } } }
  });

  function loadChart(id, field, title) {
    var levels = results.run.connections;
    new Chart(document.getElementById(id), {
      type: 'line',
      data: {
        labels: levels.map(String),
        datasets: names.map(function (n) {
          var byLevel = {};
          results.variants[n].load.forEach(function (l) { byLevel[l.connections] = l; });
          return { label: n, data: levels.map(function (c) { return byLevel[c] ? byLevel[c][field] : null; }), borderColor: color(n), backgroundColor: color(n), tension: 0.2 };
        })
      },
      options: { scales: { x: { title: { display: true, text: 'connections' } }, y: { type: field === 'p99Ms' ? 'logarithmic' : 'linear', title: { display: true, text: title } } } }
    });
  }
  loadChart('throughput-chart', 'requestsPerSec', 'requests per second');
  loadChart('p99-chart', 'p99Ms', 'p99 ms (log scale)');

  function sweepChart(id, field, title) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    var swept = names.filter(function (n) { return results.variants[n].peakLoad; });
    var datasets = [];
    swept.forEach(function (n) {
      var peak = results.variants[n].peakLoad;
      datasets.push({ label: n, data: peak.levels.map(function (l) { return { x: l.offeredPerSec, y: l[field] }; }),
        borderColor: color(n), backgroundColor: color(n), showLine: true, tension: 0.1,
        pointRadius: peak.levels.map(function (l) { return l.offeredPerSec === peak.kneePerSec ? 8 : 3; }),
        pointStyle: peak.levels.map(function (l) { return l.offeredPerSec === peak.kneePerSec ? 'rectRot' : 'circle'; }) });
    });
    if (field === 'goodputPerSec') {
      var top = 0;
      swept.forEach(function (n) { results.variants[n].peakLoad.levels.forEach(function (l) { top = Math.max(top, l.offeredPerSec); }); });
      datasets.push({ label: 'offered = served', data: [{ x: 0.1, y: 0.1 }, { x: top, y: top }], borderColor: '#999', borderDash: [4, 4], pointRadius: 0, showLine: true });
    }
    new Chart(canvas, {
      type: 'scatter',
      data: { datasets: datasets },
      options: { scales: { x: { type: 'logarithmic', title: { display: true, text: 'offered load, req/s (log scale); ◆ = knee' } },
        y: { type: 'logarithmic', title: { display: true, text: title } } } }
    });
  }
  var faultSeries = document.getElementById('fault-series');
  if (faultSeries) {
    var faultRows = JSON.parse(faultSeries.textContent);
    var faultNames = faultRows.map(function (r) { return r.variant; });
    new Chart(document.getElementById('faults-chart'), {
      type: 'bar',
      data: {
        labels: faultNames,
        datasets: [
          { label: 'expected to fail', data: faultRows.map(function (r) { return r.expectedPercent; }), backgroundColor: '#c9ced8' },
          { label: 'one at a time (warm)', data: faultRows.map(function (r) { return r.measuredPercent; }), backgroundColor: faultNames.map(color) }
        ].concat(results.run.connections.map(function (connections, i) {
          return { label: 'under load, ' + connections + ' conn.', data: faultRows.map(function (r) {
            var level = r.load.filter(function (l) { return l.connections === connections; })[0];
            return level ? level.percent : null;
          }), backgroundColor: faultNames.map(function (n) { return color(n) + ['aa', '77', '44', '22'][Math.min(i, 3)]; }) };
        }))
      },
      options: { scales: { y: { min: 0, title: { display: true, text: '% of requests' } } } }
    });
  }
  sweepChart('goodput-chart', 'goodputPerSec', 'goodput, req/s (log scale)');
  sweepChart('sweep-p99-chart', 'p99Ms', 'p99 ms (log scale)');
})();
`
