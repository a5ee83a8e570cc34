/**
 * The calibration report, in the terminal and as a small HTML page: per service, the fitted
 * figures beside the traces' own p50, p90 and p99 and the number of calls behind them; the
 * services ignored; the page size; the endpoint's own shape, calls per request one after another
 * or together, the combination of the fixes it matches and what each would buy. One set of rows
 * and sentences (calibrationReport), two renderings.
 */
import type { Calibration } from './calibrate-traces.ts'
import type { ServiceFit } from './fit.ts'
import type { WhatFixesBuy } from './what-fixes-buy.ts'
import { formatMs } from '../record/format.ts'
import { anyOrder } from '../report/lesson.ts'
import { COMBINATION_VARIANTS, COMBINATIONS, FIXES } from '../../scenario/story.ts'
import { SERVICE_NAMES } from '../../scenario/types.ts'
import { empiricalDraw } from '../../scenario/jitter.ts'
import { html } from '../report/html.ts'

/** Why a service has no per-item cost, in a few words (the note under the table says more). */
const SHORT: Record<Exclude<ServiceFit['perItemFrom'], 'slope'>, string> = {
  'no slope the calls can tell': 'none told',
  'one item count': 'one count',
  'no item counts': 'no counts',
}

const NOTE =
  'base + per item × items + jitter. The base is where a lognormal fitted to the calls’ quantiles starts (the 1st percentile when none fits), with its 90 % interval over resamples of the calls: the split between base and jitter rests on the jitter’s skew alone, which a few hundred calls tell loosely. Their sum, which the lab runs, is the calls’ own distribution whatever the split. A per-item cost is a Theil–Sen slope over the calls’ item counts, kept when Kendall’s test tells it from none (none told), else 0 (one count: every call carried as many; no counts: no item attribute).'

const ms = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2))

/** The fitted jitter at p50 and p90: the empirical distribution's own. */
export function jitterAt(fit: ServiceFit, p: number): number {
  return empiricalDraw(fit.jitterQuantilesMs, p)
}

export interface CalibrationReport {
  title: string
  header: string[]
  rows: string[][]
  notes: string[]
}

export function calibrationReport(calibration: Calibration, sources: string[], fixes: WhatFixesBuy | null): CalibrationReport {
  const header = [
    'service',
    'calls',
    'trace p50',
    'p90',
    'p99',
    'base',
    'per item',
    'jitter p50',
    'p90',
    'lognormal fit',
    'errors',
    'most at once',
  ]
  const rows = SERVICE_NAMES.flatMap((service) => {
    const fit = calibration.services[service]
    if (!fit) return []
    const items = fit.perItemFrom === 'slope' ? `${ms(fit.perItemMs)} ms` : `0 (${SHORT[fit.perItemFrom]})`
    const lognormal = fit.lognormal
      ? `median ${ms(fit.lognormal.medianMs)}, σ ${fit.lognormal.sigma.toFixed(2)} (±${fit.lognormal.errorPercent.toFixed(0)} %)`
      : 'none fits'
    return [
      [
        service,
        String(fit.calls),
        `${ms(fit.observed.p50Ms)} ms`,
        `${ms(fit.observed.p90Ms)} ms`,
        fit.timed >= 100 ? `${ms(fit.observed.p99Ms)} ms` : `n = ${fit.timed}`,
        fit.baseIntervalMs ? `${ms(fit.baseMs)} ms [${ms(fit.baseIntervalMs[0])}–${ms(fit.baseIntervalMs[1])}]` : `${ms(fit.baseMs)} ms`,
        items,
        `${ms(jitterAt(fit, 0.5))} ms`,
        `${ms(jitterAt(fit, 0.9))} ms`,
        lognormal,
        `${fit.errorPercent.toFixed(1)} %`,
        String(fit.maxConcurrent),
      ],
    ]
  })
  const missing = SERVICE_NAMES.filter((s) => !calibration.services[s] && !calibration.failedOnly.includes(s))
  return {
    title: `Calibrated from ${calibration.calls} upstream calls in ${calibration.traces} traces (${sources.join(', ')}); ${calibration.spans} spans read.`,
    header,
    rows,
    notes: [
      NOTE,
      ...(missing.length ? [`Not in the traces, at the lab's defaults: ${missing.join(', ')}.`] : []),
      ...(calibration.failedOnly.length
        ? [`Every call failed, so no latency is told, the lab's defaults kept: ${calibration.failedOnly.join(', ')}.`]
        : []),
      ...(calibration.ignored.length ? [`Ignored: ${calibration.ignored.map((i) => `${i.name} (${i.spans} spans)`).join(', ')}.`] : []),
      calibration.productsPerPage !== undefined
        ? `Page size: ${calibration.productsPerPage} products (the catalog's items per call).`
        : "Page size: not told by the traces (no item count on the catalog's calls): the lab's default is kept.",
      ...shapeLines(calibration, fixes),
      ...fixLines(fixes, calibration),
    ],
  }
}

export function renderCalibration(report: CalibrationReport): string {
  const { header, rows } = report
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 || i === 9 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`.trimEnd()
  return [report.title, '', line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line), '', ...report.notes].join('\n')
}

/** The same as a page of its own: the table and the sentences, every value escaped. */
export function renderCalibrationHtml(report: CalibrationReport): string {
  const numeric = (i: number) => i !== 0 && i !== 9
  const page = html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Calibration: api-speedup-lab</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2433}table{border-collapse:collapse;display:block;overflow-x:auto}th,td{padding:.3rem .6rem;border-bottom:1px solid #dde2ea;white-space:nowrap}th{text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}p{max-width:60rem}</style>
</head><body><h1>Your latencies, from your traces</h1><p>${report.title}</p>
<table><thead><tr>${report.header.map((h) => html`<th>${h}</th>`)}</tr></thead>
<tbody>${report.rows.map((row) => html`<tr>${row.map((cell, i) => (numeric(i) ? html`<td class="num">${cell}</td>` : html`<td>${cell}</td>`))}</tr>`)}</tbody></table>
${report.notes.map((note) => html`<p>${note}</p>`)}</body></html>`
  return `<!doctype html>\n${page.html}\n`
}

function shapeLines(calibration: Calibration, fixes: WhatFixesBuy | null): string[] {
  const shape = calibration.shape
  if (!shape) return ["The endpoint's own shape: no server span with calls below it in the traces, so no variant is matched."]
  const parts = SERVICE_NAMES.flatMap((service) => {
    const calls = shape.calls[service]
    if (calls === undefined) return []
    const atOnce = shape.serviceAtOnce[service] ?? 1
    const how = calls <= 1 ? '' : atOnce <= 1 ? ' one after another' : atOnce >= calls ? ' all at once' : `, up to ${atOnce} at once`
    const perProduct = calls > 1 && calls === shape.products ? ' (one per product)' : ''
    return [`${calls} ${service} ${calls === 1 ? 'call' : 'calls'}${how}${perProduct}`]
  })
  const which =
    shape.picked === 'named'
      ? 'the endpoint named'
      : shape.picked === 'the only one'
        ? 'the endpoint'
        : `the endpoint with the most requests, of ${shape.endpoints} (--endpoint NAME picks one)`
  const lines = [
    `Your endpoint (${which}, ${shape.products === undefined ? '' : `at ${shape.products} products per page, `}the median of ${shape.requests} requests) makes ${parts.join(', ')}; at most ${shape.atOnce} ${shape.atOnce === 1 ? 'call' : 'calls'} in flight at once.`,
  ]
  const match = fixes?.match
  if (match) {
    const has = match.fixes.length ? `with ${list(match.fixes)}` : 'none of the three fixes: its N+1, no price cache, one call at a time'
    const missing = FIXES.filter((f) => !match.fixes.includes(f))
    const cacheOf = (variant: string, cache: string) =>
      COMBINATIONS.find((c) => c.variant === variant)!.fixes.includes('the price cache') ? ` (${cache} cache)` : ''
    const alike = match.alike.length
      ? ` The calls alone do not tell it from ${list(match.alike.map((a) => `${a.variant}'s${cacheOf(a.variant, a.cache)}`))}.`
      : ''
    lines.push(
      `${match.exact ? 'Its calls match' : 'Its calls come closest to'} ${match.variant}'s${cacheOf(match.variant, match.cache)}: ${has}.${missing.length ? ` Not yet: ${list(missing)}.` : ''}${alike}`,
    )
  }
  return lines
}

const list = (items: readonly string[]): string =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`

/** What each fix would buy at these latencies, in any order: the model's warm floors of the eight combinations. */
function fixLines(fixes: WhatFixesBuy | null, calibration: Calibration): string[] {
  if (!fixes) return []
  const pricing = calibration.services.pricing
  const sentence = anyOrder(fixes.attribution)?.sentence
  const floors = COMBINATION_VARIANTS.filter((v) => fixes.floorsMs[v] !== undefined).map((v) => `${v} ${formatMs(fixes.floorsMs[v]!)}`)
  return [
    '',
    `At these latencies, from the model (each combination of the fixes run in virtual time): warm floors ${floors.join(', ')}.`,
    ...(sentence ? [sentence] : []),
    ...(pricing && pricing.perItemFrom !== 'slope'
      ? [
          `Pricing's per-item cost is not told by these traces (${pricing.perItemFrom}): its whole latency is charged to every call, whatever its ids, so the N+1 and the bulk call cost it alike and a per-product pricing call would be charged a whole page's.`,
        ]
      : []),
  ]
}
