/** summary.md (fit for a pull request) and the table printed in the terminal. */
import { cacheOutageText, describeFaults, faultRows, formatLoadShares, formatMs, formatNon2xx, formatOverheadWithVerdict, formatPercent, formatShare, headline, headlineText, isStoryScenario, stepRows, targetLines } from './report-model.ts'
import { round } from './latency-phase.ts'
import type { Results } from './results.ts'

export function renderSummaryMarkdown(results: Results): string {
  const rows = stepRows(results)
  const h = headline(results)
  const outage = cacheOutageText(results)
  const lines = [
    `# api-speedup-lab: scenario "${escapeMarkdown(results.scenario.name)}"`,
    '',
    h ? `**${headlineText(h)}** (p50, one request at a time, price cache warm)` : '',
    '',
    results.valid ? '' : `> **This run is invalid**: ${results.problems.map(escapeMarkdown).join('; ')}.`,
    '',
    ...(outage ? [`> ${escapeMarkdown(outage)}`, ''] : []),
    stepTableMarkdown(results),
    '',
    `Floor: the configured upstream latency on the critical path. Lab overhead: p50 minus floor (✓ within max(3 %, 5 ms)). ${rows.some((r) => r.coldP50Ms !== null) ? 'Cold: p50 with the cache flushed before each request.' : ''}` +
      (isStoryScenario(results.scenario) ? '' : ' Published: the story\'s figures, for its own scenario (50 products, 40 ms services), not this one.'),
    '',
    ...targetLines(results).map((line) => `- ${line}`),
    '',
    '## Under load',
    '',
    '| variant | connections | req/s | p50 | p90 | p99 | errors | timeouts | non-2xx | mismatches | API CPU per request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...Object.entries(results.variants).flatMap(([name, v]) =>
      v.load.map(
        (l) =>
          `| ${name} | ${l.connections} | ${l.requestsPerSec.toFixed(1)} | ${l.p50Ms} ms | ${l.p90Ms} ms | ${l.p99Ms} ms | ${l.errors} | ${l.timeouts} | ${formatNon2xx(l)} | ${l.mismatches} | ${l.apiCpuMsPerRequest === null ? '—' : `${l.apiCpuMsPerRequest.toFixed(2)} ms`} |`,
      ),
    ),
    '',
    ...faultsMarkdown(results),
    ...peakLoadMarkdown(results),
    `Scenario: ${results.scenario.productsPerPage} products per page, seed ${results.scenario.seed}. ` +
      `Machine: ${results.environment.cpuCount} × ${escapeMarkdown(results.environment.cpuModel)}, Node ${results.environment.node}, ` +
      `cache: ${results.environment.cacheBackend}. Commit ${results.environment.gitCommit ?? 'unknown'}, ${results.finishedAt}.`,
    '',
  ]
  return lines.filter((line, i, all) => !(line === '' && all[i - 1] === '')).join('\n')
}

function faultsMarkdown(results: Results): string[] {
  const faults = describeFaults(results.scenario)
  if (!faults) return []
  return [
    '## Under injected faults',
    '',
    `Injected into the upstreams' calls: ${escapeMarkdown(faults)}. Expected: the share of requests with at least one faulty call, from the calls each makes.`,
    '',
    '| variant | calls/request | expected to fail | failed, one at a time | statuses | median time to fail | failed under load |',
    '|---|---:|---:|---:|---|---:|---:|',
    ...faultRows(results).map(
      (r) =>
        `| ${r.variant}${r.cold ? ', cold cache' : ''} | ${r.calls} | ${formatShare(r.expectedPercent)} | ${formatShare(r.measuredPercent)} (${r.failed} of ${r.requests}) | ${r.statuses} | ${formatMs(r.failedP50Ms)} | ${formatLoadShares(r.load)} |`,
    ),
    '',
  ]
}

function peakLoadMarkdown(results: Results): string[] {
  const swept = Object.entries(results.variants).filter(([, v]) => v.peakLoad !== null)
  if (!swept.length) return []
  return [
    '## Peak hours (fixed request rates)',
    '',
    '| variant | bottleneck | predicted req/s | measured req/s | measured vs predicted | knee req/s |',
    '|---|---|---:|---:|---:|---:|',
    ...swept.map(([name, v]) => {
      const p = v.peakLoad!
      return `| ${name} | ${p.bottleneck} | ${p.predictedPerSec.toFixed(1)} | ${p.measuredPerSec.toFixed(1)} | ${formatPercent(p.errorPercent)} | ${p.kneePerSec === null ? 'none' : p.kneePerSec.toFixed(1)} |`
    }),
    '',
    ...swept.map(([, v]) => `- ${escapeMarkdown(v.peakLoad!.verdict)}`),
    '',
  ]
}

/** The step table alone, in Markdown: also what the README shows. */
export function stepTableMarkdown(results: Results): string {
  const rows = stepRows(results)
  return [
    '| step | variant | p50 | p99 | cold p50 | floor | lab overhead | vs parent | published |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${escapeMarkdown(r.summary)} | \`${r.variant}\` | ${formatMs(r.p50Ms)} | ${formatMs(r.p99Ms)} | ${formatMs(r.coldP50Ms)} | ${formatMs(r.floorMs)} | ${formatOverheadWithVerdict(r)} | ${formatPercent(r.gainPercent)} | ${r.published ?? '—'} |`,
    ),
  ].join('\n')
}

export function renderTerminalSummary(results: Results): string {
  const rows = stepRows(results)
  const top = Math.max(...results.run.connections)
  const table = [
    ['variant', 'p50', 'p99', 'cold p50', 'floor', 'lab overhead', 'vs parent', 'calls/req', `req/s @${top}`, 'published'],
    ...rows.map((r) => {
      const level = results.variants[r.variant]!.load.find((l) => l.connections === top)
      return [
        r.variant,
        formatMs(r.p50Ms),
        formatMs(r.p99Ms),
        formatMs(r.coldP50Ms),
        formatMs(r.floorMs),
        formatOverheadWithVerdict(r),
        formatPercent(r.gainPercent),
        String(round(r.calls, 1)),
        level ? level.requestsPerSec.toFixed(1) : '—',
        r.published ?? '—',
      ]
    }),
  ]
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)))
  const render = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')
  const h = headline(results)
  const outage = cacheOutageText(results)
  return [
    '',
    h ? headlineText(h) : '',
    render(table[0]!),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...table.slice(1).map(render),
    '',
    ...targetLines(results),
    ...Object.values(results.variants).flatMap((v) => (v.peakLoad ? [`Peak: ${v.peakLoad.verdict}`] : [])),
    results.valid
      ? describeFaults(results.scenario)
        ? 'Valid run: no differing body, and every failed request came from an injected fault.'
        : 'Valid run: no failed request, no differing body.'
      : `INVALID RUN: ${results.problems.join('; ')}`,
    ...(outage ? [outage] : []),
  ].join('\n')
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|#]/g, (char) => `\\${char}`).replace(/\n/g, ' ')
}
