// @ts-check
/**
 * The report page's script: draws every chart from the one JSON block render-report.ts
 * embedded (page-data.ts computes every series; this file only draws). Inlined into
 * report.html as it is, as a module script, which runs once the page is parsed and after
 * chart.js; lint and the type-checker read it like the rest of the lab. No network, no
 * animation. A chart inside a folded section is drawn when the section is first opened
 * (a canvas in a closed <details> has no size to draw at).
 */
/** @typedef {import('./page-data.ts').PageData} PageData */
/** @typedef {import('./page-data.ts').Waterfall} Waterfall */
/** @typedef {import('../../record/results.ts').TimelinePoint} TimelinePoint */
/** @typedef {import('chart.js').ChartConfiguration} ChartConfiguration */

/** @type {typeof import('chart.js').Chart} */
const Chart = /** @type {any} */ (window).Chart

/** @type {PageData} */
const data = JSON.parse(document.getElementById('page-data')?.textContent ?? 'null')
/** The colour of a lab-bound level's point: a figure of the machine, not of the code. */
const LAB_BOUND_COLOR = '#8a8f98'

Chart.defaults.animation = false
Chart.defaults.responsive = true
Chart.defaults.maintainAspectRatio = false
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
document.querySelectorAll('code.swatch').forEach((element) => {
  const swatch = /** @type {HTMLElement} */ (element)
  swatch.style.setProperty('--swatch', color(swatch.dataset.variant ?? ''))
})
markWideTables()
window.addEventListener('resize', markWideTables)
document.querySelectorAll('details').forEach((details) => details.addEventListener('toggle', markWideTables))
whenShown('latency-chart', (target) => drawLatencyChart(target, true))
whenShown('latency-slow-chart', (target) => drawLatencyChart(target, false))
document.querySelectorAll('canvas.waterfall').forEach((element) => whenShown(element, drawWaterfall))
whenShown('calls-chart', drawCallsChart)
whenShown('throughput-chart', (target) => drawLoadChart(target, 'goodPerSec', 'good answers per second'))
whenShown('p99-chart', (target) => drawLoadChart(target, 'tailMs', 'p99 ms (log; max below n = 100)'))
whenShown('faults-chart', drawFaultsChart)
document.querySelectorAll('canvas.timeline').forEach((element) => whenShown(element, drawTimeline))
whenShown('goodput-chart', (target) => drawSweepChart(target, 'sustainedPerSec', 'good answers sustained, req/s (log scale)'))
whenShown('sweep-p99-chart', (target) => drawSweepChart(target, 'tailMs', 'p99 ms (log; max below n = 100)'))

/**
 * Draws a chart on `canvas` now when it is visible, else when the folded section holding it is first opened.
 * @param {string | Element} canvas its id, or the element
 * @param {(target: HTMLCanvasElement) => void} draw
 */
function whenShown(canvas, draw) {
  const target = /** @type {HTMLCanvasElement | null} */ (typeof canvas === 'string' ? document.getElementById(canvas) : canvas)
  if (!target) return
  const closed = () => {
    for (let at = target.parentElement; at; at = at.parentElement) if (at instanceof HTMLDetailsElement && !at.open) return at
    return null
  }
  const folded = closed()
  if (!folded) return draw(target)
  const onToggle = () => {
    if (closed()) return
    for (let at = target.parentElement; at; at = at.parentElement)
      if (at instanceof HTMLDetailsElement) at.removeEventListener('toggle', onToggle)
    draw(target)
  }
  // Every enclosing fold: the chart is drawn when the last of them is open.
  for (let at = target.parentElement; at; at = at.parentElement)
    if (at instanceof HTMLDetailsElement) at.addEventListener('toggle', onToggle)
}

/** A table wider than its box scrolls inside it: marked, with a cue above it that says so. */
function markWideTables() {
  document.querySelectorAll('.wide').forEach((element) => {
    const box = /** @type {HTMLElement} */ (element)
    const overflowing = box.scrollWidth > box.clientWidth + 1
    box.classList.toggle('overflowing', overflowing)
    const cue = box.previousElementSibling?.classList.contains('scroll-cue') ? box.previousElementSibling : null
    if (overflowing && !cue) {
      const note = document.createElement('p')
      note.className = 'scroll-cue'
      note.textContent = 'More columns to the right: scroll the table sideways →'
      box.before(note)
    } else if (!overflowing && cue) cue.remove()
  })
}

/** @param {string} name */
function color(name) {
  return data.variantColors[name] ?? '#999999'
}

/**
 * p50 and its tail per variant on a linear axis, the floor marked; each label carries its change against its parent.
 * @param {HTMLCanvasElement} target
 * @param {boolean} fast the variants within 4× of the fastest, or the others: each on an axis that fits them
 */
function drawLatencyChart(target, fast) {
  const rows = data.latency.filter((r) => r.fast === fast)
  /** @type {ChartConfiguration} */
  const config = {
    type: 'bar',
    data: {
      labels: rows.map((r) => r.label),
      datasets: [
        {
          label: 'p50',
          data: rows.map((r) => r.p50Ms),
          backgroundColor: rows.map((r) => color(r.variant)),
          grouped: false,
          barPercentage: 0.55,
          order: 1,
        },
        {
          label: data.tailLabel,
          data: rows.map((r) => r.tailMs),
          backgroundColor: rows.map((r) => `${color(r.variant)}44`),
          grouped: false,
          barPercentage: 0.85,
          order: 2,
        },
        // A line dataset in a bar chart, drawn as one short tick per variant: chart.js's types have no place for it.
        /** @type {any} */ ({
          type: 'line',
          label: 'floor',
          data: rows.map((r) => r.floorMs),
          showLine: false,
          pointStyle: 'line',
          rotation: 90,
          pointRadius: 12,
          pointBorderWidth: 3,
          borderColor: '#1d2330',
          backgroundColor: '#1d2330',
          order: 0,
        }),
      ],
    },
    options: {
      indexAxis: 'y',
      scales: { x: { type: 'linear', min: 0, title: { display: true, text: 'ms (linear: a halving looks like a halving)' } } },
      plugins: {
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.x === null ? '—' : `${c.parsed.x.toFixed(1)} ms`}` } },
      },
    },
  }
  new Chart(target, config)
}

/**
 * One waterfall: the measured stages and, under each, the model's ideal one (an outlined ghost
 * bar), on its group's time axis and rows, so a stage keeps its row and scale from chart to chart.
 * @param {HTMLCanvasElement} target
 */
function drawWaterfall(target) {
  const cold = target.dataset.case === 'cold'
  const w = data.waterfalls.find((x) => x.variant === target.dataset.variant && x.cold === cold)
  if (!w) return
  const colour = (/** @type {string} */ name) => data.stageColors[/** @type {keyof typeof data.stageColors} */ (name)] ?? '#999999'
  new Chart(target, {
    type: 'bar',
    data: {
      labels: w.rows,
      datasets: [
        { label: 'measured', data: w.measured, backgroundColor: w.rows.map(colour), borderSkipped: false, barPercentage: 0.9 },
        ...(w.ideal
          ? [
              {
                label: 'ideal (the model)',
                data: w.ideal,
                backgroundColor: 'rgba(0, 0, 0, 0)',
                borderColor: w.rows.map(colour),
                borderWidth: 1.5,
                borderSkipped: false,
                barPercentage: 0.9,
              },
            ]
          : []),
      ],
    },
    options: {
      indexAxis: 'y',
      scales: { x: { min: 0, max: data.axisMs[w.group], title: { display: true, text: 'ms since the handler started' } } },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (c) => {
              const [start, end] = /** @type {[number, number]} */ (c.raw)
              return `${c.dataset.label}: starts ${start.toFixed(1)} ms, takes ${(end - start).toFixed(1)} ms`
            },
          },
        },
      },
    },
  })
}

/** Upstream calls per request, stacked by service. */
function drawCallsChart(/** @type {HTMLCanvasElement} */ target) {
  new Chart(target, {
    type: 'bar',
    data: {
      labels: data.calls.map((c) => c.variant),
      datasets: data.services.map((s) => ({ label: s, data: data.calls.map((c) => c.calls[s]), backgroundColor: data.stageColors[s] })),
    },
    options: {
      indexAxis: 'y',
      scales: { x: { stacked: true, title: { display: true, text: 'calls per request (warm cache)' } }, y: { stacked: true } },
    },
  })
}

/**
 * A figure of every variant at every load level; a lab-bound level is a grey cross.
 * @param {HTMLCanvasElement} target
 * @param {'goodPerSec' | 'tailMs'} field
 * @param {string} title
 */
function drawLoadChart(target, field, title) {
  const levels = data.load.connections
  new Chart(target, {
    type: 'line',
    data: {
      labels: levels.map(String),
      datasets: data.load.series.map((s) => {
        /** @param {number} c */
        const at = (c) => s.levels.find((l) => l.connections === c)
        /** @param {number} c */
        const bound = (c) => at(c)?.labBound ?? false
        return {
          label: s.variant,
          data: levels.map((c) => at(c)?.[field] ?? null),
          borderColor: color(s.variant),
          backgroundColor: color(s.variant),
          tension: 0.2,
          pointStyle: levels.map((c) => (bound(c) ? 'crossRot' : 'circle')),
          pointRadius: levels.map((c) => (bound(c) ? 8 : 3)),
          pointBorderColor: levels.map((c) => (bound(c) ? LAB_BOUND_COLOR : color(s.variant))),
          pointBorderWidth: levels.map((c) => (bound(c) ? 3 : 1)),
        }
      }),
    },
    options: {
      scales: {
        x: { title: { display: true, text: 'connections; ✕ = lab-bound' } },
        y: { type: field === 'tailMs' ? 'logarithmic' : 'linear', title: { display: true, text: title } },
      },
    },
  })
}

/** Under injected faults: the share of requests each variant failed, expected, one at a time and at each load level. */
function drawFaultsChart(/** @type {HTMLCanvasElement} */ target) {
  const series = data.faults
  if (!series) return
  const names = series.map((r) => r.variant)
  const alpha = ['aa', '77', '44', '22']
  new Chart(target, {
    type: 'bar',
    data: {
      labels: names,
      datasets: [
        { label: 'expected to fail', data: series.map((r) => r.expectedPercent), backgroundColor: '#c9ced8' },
        { label: 'one at a time (warm)', data: series.map((r) => r.measuredPercent), backgroundColor: names.map(color) },
        ...data.load.connections.map((connections, i) => ({
          label: `under load, ${connections} conn.`,
          data: series.map((r) => r.load.find((l) => l.connections === connections)?.percent ?? null),
          backgroundColor: names.map((n) => color(n) + alpha[Math.min(i, 3)]),
        })),
      ],
    },
    options: { scales: { y: { min: 0, title: { display: true, text: '% of requests' } } } },
  })
}

/**
 * A figure of every swept variant against the offered load; ◆ marks the knee, a grey cross a lab-bound level.
 * @param {HTMLCanvasElement} target
 * @param {'sustainedPerSec' | 'tailMs'} field
 * @param {string} title
 */
function drawSweepChart(target, field, title) {
  /** @type {import('chart.js').ChartConfiguration<'scatter'>['data']['datasets']} */
  const datasets = data.sweep.map((s) => ({
    label: s.variant,
    data: s.levels.map((l) => ({ x: l.offeredPerSec, y: l[field] })),
    borderColor: color(s.variant),
    backgroundColor: color(s.variant),
    showLine: true,
    tension: 0.1,
    pointRadius: s.levels.map((l) => (l.offeredPerSec === s.kneePerSec || l.labBound ? 8 : 3)),
    pointStyle: s.levels.map((l) => (l.labBound ? 'crossRot' : l.offeredPerSec === s.kneePerSec ? 'rectRot' : 'circle')),
    pointBorderColor: s.levels.map((l) => (l.labBound ? LAB_BOUND_COLOR : color(s.variant))),
    pointBorderWidth: s.levels.map((l) => (l.labBound ? 3 : 1)),
  }))
  if (field === 'sustainedPerSec') {
    const top = Math.max(0, ...data.sweep.flatMap((s) => s.levels.map((l) => l.offeredPerSec)))
    datasets.push({
      label: 'offered = served',
      data: [
        { x: 0.1, y: 0.1 },
        { x: top, y: top },
      ],
      borderColor: '#999',
      borderDash: [4, 4],
      pointRadius: 0,
      showLine: true,
    })
  }
  /** @type {import('chart.js').ChartConfiguration<'scatter'>} */
  const config = {
    type: 'scatter',
    data: { datasets },
    options: {
      scales: {
        x: { type: 'logarithmic', title: { display: true, text: 'offered load, req/s (log scale); ◆ = knee, ✕ = lab-bound' } },
        y: { type: 'logarithmic', title: { display: true, text: title } },
      },
    },
  }
  new Chart(target, config)
}

/**
 * A count over a span of `seconds`, per second; null without a count or a span.
 * @param {number | null} count
 * @param {number} seconds
 */
function perSecond(count, seconds) {
  return count === null || seconds <= 0 ? null : Math.round((count / seconds) * 10) / 10
}

/**
 * Every level of a variant's load phase (or sweep), second by second, the levels end to end.
 * @param {HTMLCanvasElement} target
 */
function drawTimeline(target) {
  const variant = target.dataset.variant ?? ''
  const series = data.timelines.find((t) => t.variant === variant && t.phase === target.dataset.phase)
  if (!series) return
  /** @type {Array<{ x: number, point: TimelinePoint }>} */
  const points = []
  /** @type {number[]} */
  const starts = []
  let offset = 0
  for (const level of series.levels) {
    starts.push(offset)
    for (const point of level.timeline) points.push({ x: Math.round((offset + point.atSeconds) * 100) / 100, point })
    offset += Math.max(level.durationSeconds, level.timeline.at(-1)?.atSeconds ?? 0)
  }
  /**
   * @param {string} label
   * @param {(p: TimelinePoint) => number | null} value
   * @param {string} axis
   * @param {string} colour
   * @param {number[]} [dash]
   */
  const line = (label, value, axis, colour, dash = []) => ({
    label,
    data: points.map(({ x, point }) => ({ x, y: value(point) })),
    yAxisID: axis,
    borderColor: colour,
    backgroundColor: colour,
    borderDash: dash,
    pointRadius: 2,
    showLine: true,
    spanGaps: false,
  })
  /** @type {import('chart.js').ChartConfiguration<'scatter'>} */
  const config = {
    type: 'scatter',
    data: {
      datasets: [
        line('p50 ms', (p) => p.p50Ms, 'ms', color(variant)),
        line('p99 ms (max below 100)', (p) => p.p99Ms ?? p.maxMs, 'ms', color(variant), [6, 3]),
        // Counts over each span (about a second; the last may be shorter), as rates.
        line('pricing calls', (p) => perSecond(p.pricingCalls, p.seconds), 'calls', '#c0392b'),
        line('cache lookups not hit', (p) => perSecond(p.cacheMisses, p.seconds), 'calls', '#e0a030', [2, 2]),
        // Where each level starts.
        ...starts.slice(1).map((x) => ({
          label: '',
          data: [
            { x, y: 0 },
            { x, y: 1 },
          ],
          yAxisID: 'edge',
          borderColor: '#bbb',
          borderDash: [2, 4],
          pointRadius: 0,
          showLine: true,
        })),
      ],
    },
    options: {
      plugins: { legend: { labels: { filter: (item) => item.text !== '' } } },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'seconds, the levels end to end' } },
        ms: { axis: 'y', type: 'logarithmic', position: 'left', title: { display: true, text: 'ms (log)' } },
        calls: {
          axis: 'y',
          type: 'linear',
          position: 'right',
          min: 0,
          title: { display: true, text: 'per second' },
          grid: { drawOnChartArea: false },
        },
        edge: { axis: 'y', display: false, min: 0, max: 1 },
      },
    },
  }
  new Chart(target, config)
}

// A module: its names stay out of the page's global scope.
export {}
