/**
 * What the terminal prints at the end of a run: the lesson and nothing else, in about 30 lines
 * none wider than 100 columns (the verdict, what each fix buys, the top load level, how far
 * to trust it, and what went wrong if anything did). Every other figure is in report.html and
 * summary.md.
 */
import { anyOrder, lesson, peakRows, trustLine, type FixRow, type Lesson } from './lesson.ts'
import {
  cacheOutageText,
  describeFixChange,
  faultLine,
  headline,
  headlineText,
  loadFailures,
  validityText,
  warmMissLines,
} from './report-rows.ts'
import { formatMs, formatShare, formatTail } from '../record/format.ts'
import type { Results } from '../record/results.ts'
import { comparisonTerminal, thresholdLines } from './render-comparison.ts'

/** The terminal's width: no line is wider. */
export const TERMINAL_COLUMNS = 100

export function renderTerminalSummary(results: Results): string {
  const h = headline(results)
  const l = lesson(results)
  const outage = cacheOutageText(results)
  const underLoad = loadFailures(results)
  const inAnyOrder = anyOrder(results.attribution)
  const paragraphs = [...(l ? [l.verdict] : []), ...(h ? [`${headlineText(h)}: p50, one request at a time, price cache warm.`] : [])]
  const lines = [
    ...paragraphs.flatMap((p) => wrap(p)),
    ...(l
      ? [
          '',
          ...wrap(`What each fix buys, ${l.counted} (good/s and failed at ${Math.max(...results.run.connections)} connections):`),
          ...layout(fixTable(l), 2),
        ]
      : []),
    ...(inAnyOrder ? ['', ...wrap(inAnyOrder.sentence)] : []),
    ...peakTable(results),
    '',
    ...wrap(`How far to trust it: ${trustLine(results)}`),
    ...[
      results.valid ? validityText(results) : `INVALID RUN: ${results.problems.join('; ')}`,
      ...(underLoad && underLoad.failed > 0 ? [underLoad.text] : []),
      ...(outage ? [outage] : []),
      ...warmMissLines(results),
      ...(faultLine(results) ? [faultLine(results)!] : []),
      ...(traceLine(results) ? [traceLine(results)!] : []),
      ...Object.values(results.variants).flatMap((v) =>
        v.peakLoad ? [`Peak: ${v.peakLoad.verdict}`, ...v.peakLoad.warnings.map((w) => `Warning: ${w}`)] : [],
      ),
    ].flatMap((p) => wrap(p)),
    ...(results.comparison ? ['', ...comparisonTerminal(results.comparison, results.run).flatMap((p) => wrap(p, '    '))] : []),
    ...thresholdLines(results.thresholds).flatMap((p) => wrap(p)),
  ]
  return lines.join('\n')
}

/** The ranked fixes, the starting point last: rank and fix, time saved, p50 and its change, cold p50, the top level. */
function fixTable({ start, ranked, unranked }: Lesson): string[][] {
  const row = (r: FixRow, rank: string): string[] => [
    `${rank} ${r.variant}`,
    r === start ? 'start' : r.fix,
    r.savedMs === null ? (r === start ? '' : 'not ranked') : `${formatMs(r.savedMs)} (${formatShare(r.savedPercentOfStart)})`,
    formatMs(r.p50Ms),
    r.parentP50Ms === null ? '' : describeFixChange(r).text,
    formatMs(r.coldP50Ms),
    r.top ? `${r.top.goodPerSec.toFixed(1)}${r.top.labBound ? ' ✕' : ''}` : '—',
    r.top ? formatShare(r.top.failedPercent) : '—',
  ]
  return [
    ['', 'fix', 'time saved', 'p50', 'vs parent', 'cold p50', 'good/s', 'failed'],
    row(start, ' —'),
    ...ranked.map((r, i) => row(r, `#${i + 1}`)),
    ...unranked.map((r) => row(r, ' —')),
  ]
}

/** Every variant at the run's top load level, in six columns. */
function peakTable(results: Results): string[] {
  const rows = peakRows(results)
  if (!rows.length) return []
  return [
    '',
    `At ${rows[0]!.connections} connections:`,
    ...layout(
      [
        ['variant', 'good/s', 'p50', 'p99', 'failed', 'hit ratio'],
        ...rows.map((r) => [
          r.variant,
          `${r.goodPerSec.toFixed(1)}${r.labBound.length ? ' ✕' : ''}`,
          formatMs(r.p50Ms),
          r.p50Ms === null ? '—' : r.p99Ms === null ? `${formatTail(null, r.maxMs)} (n = ${r.answered})` : formatMs(r.p99Ms),
          formatShare(r.failedPercent),
          r.hitRatio === null ? '—' : formatShare(r.hitRatio * 100),
        ]),
      ],
      1,
    ),
  ]
}

/**
 * A table laid out in columns: the first `left` left-aligned, the rest right-aligned, a rule under the header.
 * Two spaces between columns, or one when two would pass TERMINAL_COLUMNS (a long change such as
 * "−34 %, within noise" widens its column).
 */
function layout(rows: string[][], left: number): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => [...row[column]!].length)))
  const wide = 2 + widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1)
  const gap = wide > TERMINAL_COLUMNS ? ' ' : '  '
  const render = (row: string[]) =>
    '  ' +
    row
      .map((cell, column) => {
        const pad = ' '.repeat(widths[column]! - [...cell].length)
        return column < left ? cell + pad : pad + cell
      })
      .join(gap)
      .trimEnd()
  return [render(rows[0]!), '  ' + widths.map((w) => '─'.repeat(w)).join(gap), ...rows.slice(1).map(render)]
}

/** A paragraph broken into lines of at most TERMINAL_COLUMNS, at spaces; the lines after the first indented. */
export function wrap(text: string, indent = '  '): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : lines.length ? `${indent}${word}` : word
    if ([...next].length > TERMINAL_COLUMNS && line) {
      lines.push(line)
      line = `${indent}${word}`
    } else line = next
  }
  if (line) lines.push(line)
  return lines
}

/** --trace, --otlp: what was written and sent, and what a traced request cost the API. */
function traceLine(results: Results): string | undefined {
  const trace = results.run.trace
  if (!trace) return undefined
  const where = [trace.file, trace.otlpUrl].filter((w): w is string => w !== null).join(' and ')
  const failed = trace.exportFailures ? `; ${trace.exportFailures} batches were refused by the collector, their spans missing there` : ''
  const { cost } = trace
  return `Traces: ${trace.spans} spans of ${trace.requests} requests to ${where} (every latency request, ${formatShare(trace.sample * 100)} under load, and half the ${cost.requests} of the cost's step, lab.phase trace-cost)${failed}. A traced request cost the API process ${cost.addedCpuMs.toFixed(2)} ms of CPU more than an untraced one (${cost.untracedCpuMs.toFixed(2)} ms; ${cost.variant}).`
}
