/** The HTML both pages draw, the run's report and the what-if's: a code diff, and the scenario's table. */
import { html, type SafeHtml } from './html.ts'
import { describeServiceFaults } from './report-rows.ts'
import { SERVICE_NAMES, type Scenario } from '../../scenario/types.ts'
import { describeJitter } from '../../scenario/jitter.ts'

export function renderDiff(diff: string): SafeHtml {
  const lines = diff.split('\n').filter((line) => !line.startsWith('===') && !line.startsWith('Index:'))
  const kindOf = (line: string): string =>
    line.startsWith('+++') || line.startsWith('---')
      ? 'file'
      : line.startsWith('+')
        ? 'add'
        : line.startsWith('-')
          ? 'del'
          : line.startsWith('@@')
            ? 'hunk'
            : ''
  return html`<pre class="diff">${lines.map((line, i) => html`${i > 0 && '\n'}<span class="${kindOf(line)}">${line}</span>`)}</pre>`
}

/** The scenario's services and settings, and the request measured when there was one. */
export function renderScenarioTable(s: Scenario, path?: string): SafeHtml {
  const services = SERVICE_NAMES.map((name) => {
    const service = s.services[name]
    const jitter = describeJitter(service.jitter)
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
