/**
 * The comparison against a baseline and the --threshold checks, in the three renderings:
 * a line per variant for the terminal, a table for summary.md (a pull request's comment),
 * and the report's "Against baseline" section with a forest plot: each figure's change and
 * its 95 % interval, against the ±T band inside which a change is no change.
 *
 * The plot is inline SVG drawn here rather than a chart.js chart: a row per figure with an
 * interval is a few lines and tests can read it without running the page's script.
 */
import { html, type SafeHtml } from './html.ts'
import type { ComparisonFigures, Results, ThresholdCheck } from '../record/results.ts'

type Row = ComparisonFigures['rows'][number]

const signed = (x: number, digits = 1): string => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(digits)}`

/** A row's change: "+14.2 % [+12.0, +16.1]", or in points for a share; "—" when there is none. */
export function formatChange(row: Row): string {
  if (row.effect === null) return '—'
  const unit = row.points ? ' pt' : ' %'
  const interval = row.low === null || row.high === null ? '' : ` [${signed(row.low)}, ${signed(row.high)}]`
  return `${signed(row.effect)}${unit}${interval}`
}

const unitOf = (row: { points: boolean }): string => (row.points ? ' pt' : ' %')

/** Where a row's T came from, in words. */
const FROM: Record<Row['thresholdFrom'], string> = { default: 'default', '--noise': '--noise', 'A/A': 'from the A/A' }

/**
 * A row's verdict with what the comparison could have detected: "inconclusive: could call changes
 * beyond ±9.8 % (T ±5 %, default)". A regression or an improvement says only its verdict.
 */
export function formatVerdict(row: Row): string {
  const t = `T ±${row.threshold}${unitOf(row)}, ${FROM[row.thresholdFrom]}`
  if (row.verdict === 'regressed' || row.verdict === 'improved') return `${row.verdict} (${t})`
  if (row.verdict === 'lab-bound' || row.verdict === 'not estimable') return row.verdict
  if (row.mdc === null) return `${row.verdict}; nothing could have been called: ${row.mdcWhy} (${t})`
  return `${row.verdict}: could call changes beyond ±${row.mdc.toFixed(1)}${unitOf(row)} (${t})`
}

/** --runs auto and --aa, in a sentence: how many runs, and what they reached. */
export function runsSentence(run: Pick<Results['run'], 'auto' | 'aa' | 'runs'>): string | undefined {
  if (run.aa)
    return `An A/A: the same code as two interleaved sets of runs, set A (this run, ${run.runs} runs) against set B; ${run.aa.noiseFile ? `each figure's T is in ${run.aa.noiseFile}, for --noise` : 'not valid, so no noise file was written'}.`
  const auto = run.auto
  if (!auto) return undefined
  const figures = `${auto.on.join(', ')} of every variant`
  const unit = (metric: string) => (metric.startsWith('failures') ? ' pt' : ' %')
  const target = auto.detect === null ? "twice each figure's T" : `${auto.detect}${targetUnit(auto.on)}`
  const w = auto.worst
  const reach = w
    ? `${w.variant} ${w.metric} could call ${w.mdc === null ? 'no change' : `changes beyond ±${w.mdc.toFixed(1)}${unit(w.metric)}`} (target ${w.target}${unit(w.metric)})`
    : 'no figure could be compared'
  const after = `${run.runs} run${run.runs === 1 ? '' : 's'}`
  switch (auto.stopped) {
    case 'reached':
      return `--runs auto: ${after} reached the target, a change of ${target} callable on ${figures}${w ? `; the farthest, ${reach}` : ''}.`
    case 'cap':
      return `--runs auto: the cap of ${auto.maxRuns} runs came before the target (${target} on ${figures}): ${reach}. Smaller changes may pass unseen.`
    case 'unreachable':
      return `--runs auto: stopped after ${after}: a targeted figure can never be called (lab-bound or not estimable, see below), so no number of runs reaches the target (${target} on ${figures}).`
    default:
      return `--runs auto: stopped after ${after}, before the target (${target} on ${figures}), ${auto.stopped === 'interrupted' ? 'interrupted (Ctrl-C)' : 'a run failed'}: ${reach}.`
  }
}

/** The unit of a target over these figures: points for failure shares, percent for the others. */
export function targetUnit(on: readonly string[]): string {
  const shares = on.filter((metric) => metric.startsWith('failures')).length
  return shares === 0 ? ' %' : shares === on.length ? ' pt' : ' (percent; points for failures)'
}

function formatValue(value: number | null, unit: string): string {
  if (value === null) return 'not estimable'
  if (unit === 'ms') return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`
  if (unit === '/s') return `${value.toFixed(1)}/s`
  return `${value.toFixed(2)} %`
}

function formatP(p: number | null): string {
  return p === null ? '—' : p < 0.001 ? '< 0.001' : p.toFixed(3)
}

/** The comparison's opening sentence: which runs, T and α. */
export function comparisonHeading(c: ComparisonFigures): string {
  const side = (s: ComparisonFigures['current']) =>
    `commit ${s.gitCommit ?? 'unknown'}, ${s.startedAt}, scenario "${s.scenario}", ${s.runs} run${s.runs === 1 ? '' : 's'}`
  const band = c.noiseFile
    ? `A change inside ±T is no change, each figure's T the one its A/A implied (${c.noiseFile}; figures it does not name: ±${c.noisePercent} %, ±${c.noisePoints} point for failures)`
    : `A change inside ±${c.noisePercent} % (±${c.noisePoints} point for failures) is no change`
  return `Against the baseline ${c.baseline.path} (${side(c.baseline)}); this run: ${side(c.current)}. ${band}; significance α = ${c.alpha} (exact Mann–Whitney U on the per-run values); the interval is a bootstrap 95 % interval of the ratio of medians. "Could call changes beyond ±X": the smallest change this comparison could have called either way (its minimum detectable change).`
}

/** What is said besides the rows: variants on one side only, and too few runs. */
export function comparisonNotes(c: ComparisonFigures): string[] {
  const notes = [...c.warnings]
  if (c.onlyInBaseline.length) notes.push(`Only in the baseline, not compared: ${c.onlyInBaseline.join(', ')}.`)
  if (c.onlyInCurrent.length) notes.push(`Only in this run, not compared: ${c.onlyInCurrent.join(', ')}.`)
  const bound = [
    ...new Set(c.rows.filter((r) => r.verdict === 'lab-bound').map((r) => `${r.variant} at ${/@(\d+)$/.exec(r.metric)![1]} connections`)),
  ]
  if (bound.length)
    notes.push(
      `Not judged, lab-bound in a run on either side (the machine's figures, not the code's): ${bound.join(', ')}. Their changes are shown; fewer connections, or the roles on other hosts, measure the code.`,
    )
  if (c.rows.some((r) => r.verdict === 'too few runs'))
    notes.push(
      `Too few runs for a verdict: below 4 runs a side there is no p-value (--runs 5 or more on both sides; at more than 10 comparisons α is 0.01, which 4 runs a side cannot reach).`,
    )
  return notes
}

/** The rows the terminal shows of a variant: its one-at-a-time p50 and p90, the top level's rps and p99, failures, and any other row with a verdict either way. */
function keyRows(c: ComparisonFigures, variant: string): Row[] {
  const rows = c.rows.filter((r) => r.variant === variant)
  const levels = [...new Set(rows.map((r) => /@(\d+)$/.exec(r.metric)?.[1]).filter((x): x is string => x !== undefined))].map(Number)
  const top = levels.length ? Math.max(...levels) : null
  const key = new Set(['p50', 'p90', 'failures', ...(top === null ? [] : [`rps@${top}`, `p99@${top}`])])
  return rows.filter((r) => key.has(r.metric) || r.verdict === 'regressed' || r.verdict === 'improved')
}

export function comparisonTerminal(c: ComparisonFigures, run?: Pick<Results['run'], 'auto' | 'aa' | 'runs'>): string[] {
  const variants = [...new Set(c.rows.map((r) => r.variant))]
  const width = Math.max(0, ...variants.map((v) => v.length))
  const runs = run && runsSentence(run)
  return [
    ...(runs ? [runs] : []),
    comparisonHeading(c),
    ...variants.map((variant) => {
      const rows = c.rows.filter((r) => r.variant === variant)
      const worst = rows.some((r) => r.verdict === 'regressed')
        ? 'REGRESSED'
        : rows.some((r) => r.verdict === 'improved')
          ? 'improved'
          : rows.every((r) => r.verdict === 'too few runs' || r.verdict === 'not estimable' || r.verdict === 'lab-bound')
            ? 'too few runs'
            : rows.every((r) => r.verdict === 'no change' || r.verdict === 'not estimable' || r.verdict === 'lab-bound')
              ? 'no change'
              : 'inconclusive'
      return `  ${variant.padEnd(width)}  ${worst.padEnd(12)}  ${keyRows(c, variant)
        .map((r) => `${r.metric} ${formatChange(r)} ${formatVerdict(r)}`)
        .join(' · ')}`
    }),
    ...comparisonNotes(c).map((note) => `  ${note}`),
  ]
}

export function thresholdLines(checks: ThresholdCheck[]): string[] {
  return checks.map((t) => `Threshold ${t.expression}: ${t.passed ? 'held' : 'FAILED'} (${t.why}).`)
}

/** A row's MDC as a table cell: "±9.8 %", or "—" when no change could be called. */
const formatMdc = (r: Row): string => (r.mdc === null ? '—' : `±${r.mdc.toFixed(1)}${unitOf(r)}`)
const formatT = (r: Row): string => `±${r.threshold}${unitOf(r)}${r.thresholdFrom === 'default' ? '' : ` (${r.thresholdFrom})`}`

export function comparisonMarkdown(
  c: ComparisonFigures,
  escape: (text: string) => string,
  run?: Pick<Results['run'], 'auto' | 'aa' | 'runs'>,
): string[] {
  const runs = run && runsSentence(run)
  return [
    '## Against the baseline',
    '',
    ...(runs ? [escape(runs), ''] : []),
    escape(comparisonHeading(c)),
    '',
    ...comparisonNotes(c).map((note) => `> ${escape(note)}`),
    ...(comparisonNotes(c).length ? [''] : []),
    '| variant | figure | baseline | this run | change [95 % CI] | p | verdict | could call beyond | T |',
    '|---|---|---:|---:|---:|---:|---|---:|---:|',
    ...c.rows.map(
      (r) =>
        `| \`${r.variant}\` | ${r.metric} | ${formatValue(r.baselineMedian, r.unit)} | ${formatValue(r.currentMedian, r.unit)} | ${formatChange(r)} | ${formatP(r.p)} | ${r.verdict === 'regressed' ? '**regressed**' : r.verdict} | ${formatMdc(r)} | ${escape(formatT(r))} |`,
    ),
    '',
    'Figures are medians over the runs. p50, p90, p99: one request at a time; @N: at N connections (rps: good answers per second); failures: the share of requests that were not a good answer, its change in points.',
    '',
  ]
}

const PLOT = { width: 720, labelWidth: 190, rowHeight: 18, margin: 24 }

/** The forest plot of the ratio rows (shares in points are in the table only: another unit). */
function forestPlot(c: ComparisonFigures): SafeHtml {
  const rows = c.rows.filter((r) => !r.points && r.effect !== null)
  if (!rows.length) return html`<p class="note">No figure has a change to plot (not estimable, or a baseline median of 0).</p>`
  // Past ±100 % a change is drawn at the edge, an arrow marking it; the table has its figure.
  const extent = Math.min(
    100,
    Math.max(
      c.noisePercent * 2,
      ...rows.flatMap((r) => [Math.abs(r.low ?? r.effect!), Math.abs(r.high ?? r.effect!), r.mdc ?? 0, 2 * r.threshold]),
    ) * 1.1,
  )
  const plotWidth = PLOT.width - PLOT.labelWidth - PLOT.margin
  const x = (percent: number) => PLOT.labelWidth + ((Math.max(-extent, Math.min(extent, percent)) + extent) / (2 * extent)) * plotWidth
  const height = rows.length * PLOT.rowHeight + PLOT.margin * 2
  const bottom = height - PLOT.margin
  const fmt = (n: number) => n.toFixed(1)
  return html`<svg class="forest" viewBox="0 0 ${PLOT.width} ${height}" width="${PLOT.width}" height="${height}" role="img" aria-label="change of each figure against the baseline, with its 95 % interval, its ±T band and the smallest change it could call">
  ${rows.map((r, i) => html`<rect class="band" x="${fmt(x(-r.threshold))}" y="${PLOT.margin + i * PLOT.rowHeight}" width="${fmt(x(r.threshold) - x(-r.threshold))}" height="${PLOT.rowHeight}"></rect>`)}
  <line class="zero" x1="${fmt(x(0))}" x2="${fmt(x(0))}" y1="${PLOT.margin}" y2="${bottom}"></line>
  <text class="axis" x="${fmt(x(-extent))}" y="${height - 6}">${signed(-extent, 0)} %</text>
  <text class="axis" x="${fmt(x(0))}" y="${height - 6}" text-anchor="middle">0</text>
  <text class="axis" x="${fmt(x(extent))}" y="${height - 6}" text-anchor="end">${signed(extent, 0)} %</text>
  <text class="axis" x="${fmt(x(0))}" y="14" text-anchor="middle">better ← → worse for times; reversed for rps</text>
  ${rows.map((r, i) => {
    const y = PLOT.margin + i * PLOT.rowHeight + PLOT.rowHeight / 2
    const verdict = r.verdict.replace(/ /g, '-')
    return html`<g class="row ${verdict}" data-variant="${r.variant}" data-metric="${r.metric}" data-verdict="${r.verdict}">
    <text x="${PLOT.labelWidth - 8}" y="${fmt(y + 4)}" text-anchor="end">${r.variant} ${r.metric}</text>
    ${r.low !== null && r.high !== null && html`<line class="interval" x1="${fmt(x(r.low))}" x2="${fmt(x(r.high))}" y1="${fmt(y)}" y2="${fmt(y)}"></line>`}
    ${Math.abs(r.effect!) > extent && html`<text class="clipped" x="${fmt(x(r.effect!) + (r.effect! > 0 ? 6 : -14))}" y="${fmt(y + 4)}">${r.effect! > 0 ? '→' : '←'}</text>`}
    ${r.mdc !== null && r.mdc <= extent && [-r.mdc, r.mdc].map((at) => html`<line class="mdc" x1="${fmt(x(at))}" x2="${fmt(x(at))}" y1="${fmt(y - 6)}" y2="${fmt(y + 6)}"></line>`)}
    <circle cx="${fmt(x(r.effect!))}" cy="${fmt(y)}" r="4"><title>${r.variant} ${r.metric}: ${formatChange(r)}, ${formatVerdict(r)}</title></circle>
  </g>`
  })}
</svg>`
}

export function comparisonSection(results: Pick<Results, 'comparison' | 'thresholds' | 'run'>): SafeHtml | false {
  const c = results.comparison
  if (!c && !results.thresholds.length) return false
  return html`<section id="against-baseline">
  <h2>${c ? 'Against the baseline' : 'Thresholds'}</h2>
  ${
    c &&
    html`${runsSentence(results.run) && html`<p class="runs-sentence">${runsSentence(results.run)}</p>`}
  <p class="note">${comparisonHeading(c)}</p>
  ${comparisonNotes(c).map((note) => html`<p class="caution">${note}</p>`)}
  ${forestPlot(c)}
  <p class="note">Shaded: each figure's ±T, inside which a change is no change. Ticks: the smallest change the comparison could have called either way; a change between the shade and the ticks could not have been called with these runs.</p>
  <table class="comparison">
    <thead><tr><th>variant</th><th>figure</th><th>baseline</th><th>this run</th><th>change [95 % CI]</th><th>p</th><th>verdict</th><th>could call beyond</th><th>T</th></tr></thead>
    <tbody>${c.rows.map((r) => html`<tr class="${r.verdict.replace(/ /g, '-')}"><td><code>${r.variant}</code></td><td>${r.metric}</td><td class="num">${formatValue(r.baselineMedian, r.unit)}</td><td class="num">${formatValue(r.currentMedian, r.unit)}</td><td class="num">${formatChange(r)}</td><td class="num">${formatP(r.p)}</td><td>${r.verdict}</td><td class="num">${formatMdc(r)}</td><td class="num">${formatT(r)}</td></tr>`)}</tbody>
  </table>`
  }
  ${results.thresholds.length > 0 && html`<ul class="thresholds">${thresholdLines(results.thresholds).map((line, i) => html`<li class="${results.thresholds[i]!.passed ? 'held' : 'failed'}">${line}</li>`)}</ul>`}
</section>`
}
