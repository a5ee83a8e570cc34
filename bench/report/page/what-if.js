// @ts-check
/**
 * The what-if page's script (--predict, --vary): draws its charts from the one JSON block embedded in
 * the page. For --vary, each variant's floor against the value as a line, the measured
 * p50s as points over it, and each step's gain against its parent; for one scenario, each
 * variant's ideal waterfall. Inlined into the page as it is, after chart.js; no network.
 */
/** @typedef {import('../../record/results.ts').WhatIf} WhatIf */
/** @typedef {import('./page-data.ts').WhatIfPageData} WhatIfPageData */

/** @type {typeof import('chart.js').Chart} */
const Chart = /** @type {any} */ (window).Chart

/** Each fix in the colour of the story's step that brings it (bulk, cached, parallel), as report.css draws it. */
const FIX_COLORS = /** @type {Record<string, string>} */ ({
  'the N+1 fix': '#f0ad4e',
  'the price cache': '#3a8fd9',
  concurrency: '#2f9e57',
})

/** @type {WhatIfPageData} */
const data = JSON.parse(document.getElementById('page-data')?.textContent ?? 'null')
const whatIf = data.whatIf
const names = Object.keys(whatIf.variants)
const points = whatIf.points

Chart.defaults.animation = false
Chart.defaults.responsive = true
Chart.defaults.maintainAspectRatio = false
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
document.querySelectorAll('code.swatch').forEach((element) => {
  const swatch = /** @type {HTMLElement} */ (element)
  swatch.style.setProperty('--swatch', color(swatch.dataset.variant ?? ''))
})
if (whatIf.vary) {
  drawVaryChart(whatIf.vary)
  drawSharesChart(whatIf.vary)
  drawGainChart(whatIf.vary)
}
drawIdealWaterfalls()

/** @param {string} name */
function color(name) {
  return data.variantColors[name] ?? '#999999'
}

/** @param {string} id */
function canvas(id) {
  return /** @type {HTMLCanvasElement} */ (document.getElementById(id))
}

/** @param {{ label: string, unit: string }} vary */
function axisTitle(vary) {
  return `${vary.label}${vary.unit ? ` (${vary.unit})` : ''}`
}

/**
 * The floors as lines, the measured p50s as points, against the value.
 * @param {NonNullable<WhatIf['vary']>} vary
 */
function drawVaryChart(vary) {
  /** @type {any[]} */
  const datasets = names.flatMap((name) => [
    {
      type: 'line',
      label: `${name} floor`,
      data: points.map((p) => ({ x: p.value, y: p.variants[name]?.floorMs ?? null })),
      borderColor: color(name),
      backgroundColor: color(name),
      pointRadius: 2,
      borderWidth: 2,
    },
    ...(whatIf.measured
      ? [
          {
            type: 'scatter',
            label: `${name} p50 measured`,
            data: points.map((p) => ({ x: p.value, y: p.variants[name]?.measured?.p50Ms ?? null })),
            borderColor: color(name),
            backgroundColor: `${color(name)}55`,
            pointStyle: 'circle',
            pointRadius: 6,
            borderWidth: 2,
          },
        ]
      : []),
  ])
  new Chart(canvas('vary-chart'), {
    type: 'line',
    data: { datasets },
    options: {
      scales: {
        x: { type: 'linear', title: { display: true, text: axisTitle(vary) } },
        y: { type: 'logarithmic', title: { display: true, text: 'ms (log scale)' } },
      },
      plugins: {
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y === null ? '—' : `${c.parsed.y.toFixed(1)} ms`}` } },
      },
    },
  })
}

/**
 * Each fix's Shapley share of the warm floor at each value, a line per fix: when each fix matters, whatever its order.
 * @param {NonNullable<WhatIf['vary']>} vary
 */
function drawSharesChart(vary) {
  const fixes = Object.keys(FIX_COLORS)
  /** @type {any[]} */
  const datasets = fixes.map((fix) => ({
    type: 'line',
    label: fix,
    data: points.map((p) => ({ x: p.value, y: p.attribution.warmFloor?.shares.find((s) => s.fix === fix)?.shapley ?? null })),
    borderColor: FIX_COLORS[fix],
    backgroundColor: FIX_COLORS[fix],
    pointRadius: 3,
    borderWidth: 2,
  }))
  new Chart(canvas('shares-chart'), {
    type: 'line',
    data: { datasets },
    options: {
      scales: {
        x: { type: 'linear', title: { display: true, text: axisTitle(vary) } },
        y: { suggestedMin: 0, title: { display: true, text: 'ms saved, in any order (Shapley share; below 0: it costs time)' } },
      },
      plugins: {
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y === null ? '—' : `${c.parsed.y.toFixed(1)} ms`}` } },
      },
    },
  })
}

/**
 * Each step's floor against its parent's, in percent, as a line per step (measured: points).
 * @param {NonNullable<WhatIf['vary']>} vary
 */
function drawGainChart(vary) {
  /**
   * @param {number | null | undefined} parent
   * @param {number | null | undefined} child
   */
  const gain = (parent, child) => (parent && child !== null && child !== undefined ? ((child - parent) / parent) * 100 : null)
  const steps = names.filter((name) => {
    const parent = whatIf.variants[name]?.parent
    return parent !== null && parent !== undefined && names.includes(parent)
  })
  /** @type {any[]} */
  const datasets = steps.flatMap((name) => {
    const parent = /** @type {string} */ (whatIf.variants[name]?.parent)
    return [
      {
        type: 'line',
        label: `${name} vs ${parent}, floor`,
        data: points.map((p) => ({ x: p.value, y: gain(p.variants[parent]?.floorMs, p.variants[name]?.floorMs) })),
        borderColor: color(name),
        backgroundColor: color(name),
        pointRadius: 2,
        borderWidth: 2,
      },
      ...(whatIf.measured
        ? [
            {
              type: 'scatter',
              label: `${name} vs ${parent}, p50 measured`,
              data: points.map((p) => ({ x: p.value, y: gain(p.variants[parent]?.measured?.p50Ms, p.variants[name]?.measured?.p50Ms) })),
              borderColor: color(name),
              backgroundColor: `${color(name)}55`,
              pointRadius: 6,
              borderWidth: 2,
            },
          ]
        : []),
    ]
  })
  new Chart(canvas('gain-chart'), {
    type: 'line',
    data: { datasets },
    options: {
      scales: {
        x: { type: 'linear', title: { display: true, text: axisTitle(vary) } },
        y: { suggestedMax: 0, title: { display: true, text: '% against the parent (negative: faster)' } },
      },
      plugins: {
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y === null ? '—' : `${c.parsed.y.toFixed(0)} %`}` } },
      },
    },
  })
}

/** Each variant's ideal waterfall (one scenario), warm and, for a variant that uses the price cache, cold. */
function drawIdealWaterfalls() {
  const canvases = /** @type {HTMLCanvasElement[]} */ (Array.from(document.querySelectorAll('canvas.waterfall')))
  /** @param {HTMLCanvasElement} element */
  const stagesOf = (element) => {
    const model = points[0]?.variants[element.dataset.variant ?? '']?.model
    return (element.dataset.case === 'cold' ? model?.coldStages : model?.stages) ?? []
  }
  let longest = 0
  for (const element of canvases) for (const s of stagesOf(element)) longest = Math.max(longest, s.startMs + s.durationMs)
  const stageColor = (/** @type {string} */ name) => data.stageColors[/** @type {keyof typeof data.stageColors} */ (name)] ?? '#999999'
  for (const element of canvases) {
    const stages = stagesOf(element)
    new Chart(element, {
      type: 'bar',
      data: {
        labels: stages.map((s) => s.name),
        datasets: [
          {
            label: 'ideal (the model)',
            data: stages.map((s) => /** @type {[number, number]} */ ([s.startMs, s.startMs + s.durationMs])),
            backgroundColor: stages.map((s) => `${stageColor(s.name)}33`),
            borderColor: stages.map((s) => stageColor(s.name)),
            borderWidth: 1.5,
            borderSkipped: false,
            barPercentage: 0.9,
          },
        ],
      },
      options: {
        indexAxis: 'y',
        scales: {
          x: {
            min: 0,
            max: Math.max(100, Math.ceil(longest / 100) * 100),
            title: { display: true, text: 'virtual ms since the handler started' },
          },
        },
        plugins: { legend: { display: false } },
      },
    })
  }
}
