/** The table and the verdicts printed in the terminal at the end of a run. */
import { cacheOutageText, overviewNote, formatColdP50, formatWithModel, formatOverheadWithVerdict, headline, headlineText, loadFailures, mixNote, mixRows, stepRows, targetLines, validityText } from './report-model.ts'
import { formatMs, formatPercent, round } from '../record/format.ts'
import type { Results } from '../record/results.ts'
import { comparisonTerminal, thresholdLines } from './render-comparison.ts'

/** A laid-out table (header, rule, rows) with "beyond the story:" before its rows past the story's. */
function withBeyondLine(lines: string[], storyRows: number, beyondRows: number): string[] {
  if (beyondRows === 0 || storyRows === 0) return lines
  return [...lines.slice(0, 2 + storyRows), 'beyond the story:', ...lines.slice(2 + storyRows)]
}

export function renderTerminalSummary(results: Results): string {
  const rows = stepRows(results)
  const top = Math.max(...results.run.connections)
  const header = ['variant', 'p50', 'p99', 'n', 'cold p50', 'floor', 'lab overhead', 'vs parent', 'calls/req', 'saturates at', `good/s @${top}`, 'published']
  // The story's steps first; the rows beyond it after a line that says so.
  const beyond = rows.filter((r) => r.group === 'beyond')
  const ordered = [...rows.filter((r) => r.group === 'story'), ...beyond]
  const table = [
    header,
    ...ordered.map((r) => {
      const level = results.variants[r.variant]!.load.find((l) => l.connections === top)
      return [
        r.variant,
        formatMs(r.p50Ms),
        r.tail,
        r.samples === null ? '—' : String(r.samples),
        formatColdP50(r),
        formatMs(r.floorMs),
        formatOverheadWithVerdict(r),
        formatPercent(r.gainPercent),
        String(round(r.calls, 1)),
        r.saturation,
        level ? formatWithModel(level.goodPerSec, level.model?.goodPerSec, level) : '—',
        r.published ?? '—',
      ]
    }),
  ]
  const mix = mixRows(results)
  const mixTable = [
    ['the mix', 'requests', 'p50', 'p99', 'mean', 'mean of hits', 'hit ratio', 'pricing/req', 'saturates at', 'under load', 'hit ratio', 'mean', 'mean of hits', 'pricing/s'],
    ...mix.map((r) => [
      r.variant,
      r.requests,
      formatMs(r.p50Ms),
      r.tail,
      formatMs(r.meanMs),
      formatMs(r.meanHitMs),
      r.hitRatio,
      r.pricingCallsPerRequest === null ? '—' : String(round(r.pricingCallsPerRequest, 2)),
      r.saturation,
      r.load ? `${r.load.connections} conn.` : '—',
      r.load?.hitRatio ?? '—',
      r.load?.mean ?? '—',
      formatMs(r.load?.meanHitMs ?? null),
      r.load?.pricingCallsPerSec ?? '—',
    ]),
  ]
  const layout = (rowsOf: string[][]) => {
    const widths = rowsOf[0]!.map((_, column) => Math.max(...rowsOf.map((row) => row[column]!.length)))
    const render = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')
    return [render(rowsOf[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...rowsOf.slice(1).map(render)]
  }
  const h = headline(results)
  const outage = cacheOutageText(results)
  const underLoad = loadFailures(results)
  return [
    '',
    h ? headlineText(h) : '',
    ...withBeyondLine(layout(table), ordered.length - beyond.length, beyond.length),
    ...beyond.map((r) => `${r.variant}: ${r.lesson ?? r.summary}${r.preset === null ? '' : ` (--scenario ${r.preset})`}`),
    ...(overviewNote(results) ? [overviewNote(results)!] : []),
    '',
    ...(mix.length ? [...layout(mixTable), '', mixNote(results), ''] : []),
    ...targetLines(results),
    ...Object.values(results.variants).flatMap((v) => (v.peakLoad ? [`Peak: ${v.peakLoad.verdict}`, ...v.peakLoad.warnings.map((w) => `Warning: ${w}`)] : [])),
    results.valid ? validityText(results) : `INVALID RUN: ${results.problems.join('; ')}`,
    ...(underLoad ? [underLoad.text] : []),
    ...(outage ? [outage] : []),
    ...(results.runs.length > 1 ? [`${results.runs.length} runs, each on a stack of its own: the tables are the first run's; each run's own figures are in results.json (runs), and a comparison reads them.`] : []),
    ...(results.comparison ? ['', ...comparisonTerminal(results.comparison)] : []),
    ...thresholdLines(results.thresholds),
  ].join('\n')
}
