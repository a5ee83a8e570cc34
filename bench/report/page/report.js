// @ts-check
/**
 * The report page's script: draws every chart from the JSON embedded in the page (the
 * results, and the colours and series render-report.ts computed). Inlined into report.html
 * as it is, as a module script, which runs once the page is parsed and after chart.js;
 * lint and the type-checker read it like the rest of the lab. No network, no animation.
 */
/** @typedef {import('../../record/results.ts').Results} Results */
/** @typedef {import('../../record/results.ts').LoadLevel} LoadLevel */
/** @typedef {import('../../record/results.ts').SweepLevel} SweepLevel */
/** @typedef {import('./page-data.ts').PageData} PageData */
/** @typedef {import('./page-data.ts').FaultSeries} FaultSeries */
/** @typedef {import('chart.js').ChartConfiguration} ChartConfiguration */

/** @type {typeof import('chart.js').Chart} */
const Chart = /** @type {any} */ (window).Chart

/** @type {Results} */
const results = embedded('results')
/** @type {PageData} */
const data = embedded('page-data')
const names = Object.keys(results.variants)
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
drawLatencyChart()
drawWaterfalls()
drawCallsChart()
drawLoadChart('throughput-chart', 'goodPerSec', 'good answers per second')
drawLoadChart('p99-chart', 'tail', 'p99 ms (log; max below n = 100)')
drawFaultsChart()
drawTimelines()
drawSweepChart('goodput-chart', 'sustained', 'good answers sustained, req/s (log scale)')
drawSweepChart('sweep-p99-chart', 'tail', 'p99 ms (log; max below n = 100)')

/**
 * The JSON in a script element of the page, or undefined when the page has none.
 * @param {string} id
 * @returns {any}
 */
function embedded(id) {
  const element = document.getElementById(id)
  return element ? JSON.parse(element.textContent ?? 'null') : undefined
}

/** @param {string} name */
function color(name) {
  return data.variantColors[name] ?? '#999999'
}

/** @param {string} name */
function variant(name) {
  return /** @type {Results['variants'][string]} */ (results.variants[name])
}

/**
 * A canvas the page is known to hold.
 * @param {string} id
 */
function canvas(id) {
  return /** @type {HTMLCanvasElement} */ (document.getElementById(id))
}

/**
 * The tail of a distribution as the lab may state it: the p99, or from too few values for one, the max.
 * @param {{ p99Ms: number | null, maxMs: number }} figures
 */
function tail(figures) {
  return figures.p99Ms ?? figures.maxMs
}

/** p50 and p99 (the max below 100 samples) per variant, null when it never answered 200 under injected faults, with the floor marked. */
function drawLatencyChart() {
  /** @param {string} name */
  const p50Of = (name) => variant(name).latency?.p50Ms ?? null
  /** @param {string} name */
  const tailOf = (name) => {
    const latency = variant(name).latency
    return latency ? tail(latency) : null
  }
  /** @type {ChartConfiguration} */
  const config = {
    type: 'bar',
    data: {
      labels: names,
      datasets: [
        { label: 'p50', data: names.map(p50Of), backgroundColor: names.map(color) },
        { label: 'p99 (the max below 100 samples)', data: names.map(tailOf), backgroundColor: names.map((n) => `${color(n)}66`) },
        // A line dataset in a bar chart, drawn as one short line per variant: chart.js's types have no place for it.
        /** @type {any} */ ({
          type: 'line',
          label: 'floor',
          data: names.map((n) => variant(n).floorMs),
          showLine: false,
          pointStyle: 'line',
          pointRadius: 28,
          pointBorderWidth: 3,
          borderColor: '#1d2330',
          backgroundColor: '#1d2330',
        }),
      ],
    },
    options: {
      scales: { y: { type: 'logarithmic', title: { display: true, text: 'ms (log scale)' } } },
      plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y === null ? '—' : `${c.parsed.y.toFixed(1)} ms`}` } } },
    },
  }
  new Chart(canvas('latency-chart'), config)
}

/**
 * One waterfall of stages per variant (and, for a variant that uses the price cache, one
 * with it cold), all on the same time axis: the measured stages, and under each the model's
 * ideal one (an outlined ghost bar), so the lab's overhead shows stage by stage. A variant
 * without a model has no ghost bars.
 */
function drawWaterfalls() {
  /**
   * The measured and the ideal stages of a waterfall canvas.
   * @param {HTMLCanvasElement} element
   */
  const stagesOf = (element) => {
    const v = variant(element.dataset.variant ?? '')
    const cold = element.dataset.case === 'cold'
    return { measured: (cold ? v.coldStages : v.stages) ?? [], ideal: v.model ? (cold ? v.model.coldStages : v.model.stages) : null }
  }
  const canvases = /** @type {HTMLCanvasElement[]} */ (Array.from(document.querySelectorAll('canvas.waterfall')))
  let longest = 0
  for (const element of canvases) {
    const { measured, ideal } = stagesOf(element)
    for (const s of [...measured, ...(ideal ?? [])]) longest = Math.max(longest, s.startMs + s.durationMs)
  }
  for (const waterfall of canvases) {
    const { measured, ideal } = stagesOf(waterfall)
    const labels = [...new Set([...measured.map((s) => s.name), ...(ideal ?? []).map((s) => s.name)])]
    /** @param {typeof measured} stages */
    const spans = (stages) =>
      labels.map((name) => {
        const s = stages.find((stage) => stage.name === name)
        return s ? /** @type {[number, number]} */ ([s.startMs, s.startMs + s.durationMs]) : null
      })
    const color = (/** @type {string} */ name) => data.stageColors[/** @type {keyof typeof data.stageColors} */ (name)] ?? '#999999'
    new Chart(waterfall, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            label: 'measured',
            data: spans(measured),
            backgroundColor: labels.map(color),
            borderSkipped: false,
            barPercentage: 0.9,
          },
          ...(ideal
            ? [
                {
                  label: 'ideal (the model)',
                  data: spans(ideal),
                  backgroundColor: 'rgba(0, 0, 0, 0)',
                  borderColor: labels.map(color),
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
        scales: { x: { min: 0, max: Math.ceil(longest / 100) * 100, title: { display: true, text: 'ms since the handler started' } } },
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
}

/** Upstream calls per request, stacked by service. */
function drawCallsChart() {
  new Chart(canvas('calls-chart'), {
    type: 'bar',
    data: {
      labels: names,
      datasets: data.services.map((s) => ({ label: s, data: names.map((n) => variant(n).upstreamCalls[s]), backgroundColor: data.stageColors[s] })),
    },
    options: { indexAxis: 'y', scales: { x: { stacked: true, title: { display: true, text: 'calls per request (warm cache)' } }, y: { stacked: true } } },
  })
}

/**
 * A figure of every variant at every load level.
 * @param {string} id
 * @param {'goodPerSec' | 'tail'} field
 * @param {string} title
 */
function drawLoadChart(id, field, title) {
  const levels = results.run.connections
  new Chart(canvas(id), {
    type: 'line',
    data: {
      labels: levels.map(String),
      datasets: names.map((n) => {
        /** @type {Record<number, LoadLevel>} */
        const byLevel = {}
        for (const l of variant(n).load) byLevel[l.connections] = l
        /** @param {LoadLevel | undefined} l */
        const value = (l) => (l === undefined ? null : field === 'tail' ? tail(l) : l[field])
        /** @param {number} c */
        const bound = (c) => (byLevel[c]?.selfCheck.labBound.length ?? 0) > 0
        return {
          label: n,
          data: levels.map((c) => value(byLevel[c])),
          borderColor: color(n),
          backgroundColor: color(n),
          tension: 0.2,
          // A lab-bound level (the machine's figure, not the code's): a grey cross instead of the variant's dot.
          pointStyle: levels.map((c) => (bound(c) ? 'crossRot' : 'circle')),
          pointRadius: levels.map((c) => (bound(c) ? 8 : 3)),
          pointBorderColor: levels.map((c) => (bound(c) ? LAB_BOUND_COLOR : color(n))),
          pointBorderWidth: levels.map((c) => (bound(c) ? 3 : 1)),
        }
      }),
    },
    options: { scales: { x: { title: { display: true, text: 'connections; ✕ = lab-bound' } }, y: { type: field === 'tail' ? 'logarithmic' : 'linear', title: { display: true, text: title } } } },
  })
}

/** Under injected faults: the share of requests each variant failed, expected, one at a time and at each load level. */
function drawFaultsChart() {
  /** @type {FaultSeries | undefined} */
  const series = embedded('fault-series')
  if (!series) return
  const faultNames = series.map((r) => r.variant)
  const alpha = ['aa', '77', '44', '22']
  new Chart(canvas('faults-chart'), {
    type: 'bar',
    data: {
      labels: faultNames,
      datasets: [
        { label: 'expected to fail', data: series.map((r) => r.expectedPercent), backgroundColor: '#c9ced8' },
        { label: 'one at a time (warm)', data: series.map((r) => r.measuredPercent), backgroundColor: faultNames.map(color) },
        ...results.run.connections.map((connections, i) => ({
          label: `under load, ${connections} conn.`,
          data: series.map((r) => r.load.find((l) => l.connections === connections)?.percent ?? null),
          backgroundColor: faultNames.map((n) => color(n) + alpha[Math.min(i, 3)]),
        })),
      ],
    },
    options: { scales: { y: { min: 0, title: { display: true, text: '% of requests' } } } },
  })
}

/**
 * A figure of every swept variant against the offered load; ◆ marks the knee. Nothing when the run had no sweep.
 * @param {string} id
 * @param {'sustained' | 'tail'} field
 * @param {string} title
 */
function drawSweepChart(id, field, title) {
  const target = document.getElementById(id)
  if (!target) return
  const swept = names.flatMap((n) => {
    const peak = variant(n).peakLoad
    return peak ? [{ name: n, peak }] : []
  })
  /** @type {import('chart.js').ChartConfiguration<'scatter'>['data']['datasets']} */
  const datasets = swept.map(({ name, peak }) => {
    /** @param {SweepLevel} l */
    const knee = (l) => l.offeredPerSec === peak.kneePerSec
    return {
      label: name,
      // Sustained: the lower of goodput (by send time) and delivered (by answer time), as the measured saturation is.
      data: peak.levels.map((l) => ({ x: l.offeredPerSec, y: field === 'tail' ? tail(l) : Math.min(l.goodputPerSec, l.throughputPerSec) })),
      borderColor: color(name),
      backgroundColor: color(name),
      showLine: true,
      tension: 0.1,
      pointRadius: peak.levels.map((l) => (knee(l) || l.selfCheck.labBound.length ? 8 : 3)),
      // A lab-bound level (the machine's figure, not the code's): a grey cross.
      pointStyle: peak.levels.map((l) => (l.selfCheck.labBound.length ? 'crossRot' : knee(l) ? 'rectRot' : 'circle')),
      pointBorderColor: peak.levels.map((l) => (l.selfCheck.labBound.length ? LAB_BOUND_COLOR : color(name))),
      pointBorderWidth: peak.levels.map((l) => (l.selfCheck.labBound.length ? 3 : 1)),
    }
  })
  if (field === 'sustained') {
    const top = Math.max(0, ...swept.flatMap(({ peak }) => peak.levels.map((l) => l.offeredPerSec)))
    datasets.push({ label: 'offered = served', data: [{ x: 0.1, y: 0.1 }, { x: top, y: top }], borderColor: '#999', borderDash: [4, 4], pointRadius: 0, showLine: true })
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
  new Chart(/** @type {HTMLCanvasElement} */ (target), config)
}

/**
 * A count over a span of `seconds`, per second; null without a count or a span.
 * @param {number | null} count
 * @param {number} seconds
 */
function perSecond(count, seconds) {
  return count === null || seconds <= 0 ? null : Math.round((count / seconds) * 10) / 10
}

/** Every level of a variant's load phase (or sweep), second by second, the levels end to end. */
function drawTimelines() {
  document.querySelectorAll('canvas.timeline').forEach((element) => {
    const target = /** @type {HTMLCanvasElement} */ (element)
    const v = variant(target.dataset.variant ?? '')
    /** @type {Array<LoadLevel | SweepLevel>} */
    const levels = target.dataset.phase === 'sweep' ? (v.peakLoad?.levels ?? []) : v.load
    /** @type {Array<{ x: number, point: import('../../record/results.ts').TimelinePoint }>} */
    const points = []
    /** @type {number[]} */
    const starts = []
    let offset = 0
    for (const level of levels) {
      starts.push(offset)
      for (const point of level.timeline) points.push({ x: Math.round((offset + point.atSeconds) * 100) / 100, point })
      offset += Math.max(level.durationSeconds, level.timeline.at(-1)?.atSeconds ?? 0)
    }
    /**
     * @param {string} label
     * @param {(p: import('../../record/results.ts').TimelinePoint) => number | null} value
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
          line('p50 ms', (p) => p.p50Ms, 'ms', color(target.dataset.variant ?? '')),
          line('p99 ms (max below 100)', (p) => p.p99Ms ?? p.maxMs, 'ms', color(target.dataset.variant ?? ''), [6, 3]),
          // Counts over each span (about a second; the last may be shorter), as rates.
          line('pricing calls', (p) => perSecond(p.pricingCalls, p.seconds), 'calls', '#c0392b'),
          line('cache lookups not hit', (p) => perSecond(p.cacheMisses, p.seconds), 'calls', '#e0a030', [2, 2]),
          // Where each level starts.
          ...starts.slice(1).map((x) => ({ label: '', data: [{ x, y: 0 }, { x, y: 1 }], yAxisID: 'edge', borderColor: '#bbb', borderDash: [2, 4], pointRadius: 0, showLine: true })),
        ],
      },
      options: {
        plugins: { legend: { labels: { filter: (item) => item.text !== '' } } },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'seconds, the levels end to end' } },
          ms: { axis: 'y', type: 'logarithmic', position: 'left', title: { display: true, text: 'ms (log)' } },
          calls: { axis: 'y', type: 'linear', position: 'right', min: 0, title: { display: true, text: 'per second' }, grid: { drawOnChartArea: false } },
          edge: { axis: 'y', display: false, min: 0, max: 1 },
        },
      },
    }
    new Chart(target, config)
  })
}

// A module: its names stay out of the page's global scope.
export {}
