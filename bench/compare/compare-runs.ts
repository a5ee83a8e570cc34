/**
 * "Did my change help?": two runs' per-run figures compared variant by variant, by name
 * (--baseline, npm run compare), and the --threshold checks. The figures compared, per
 * variant, each a value per run:
 *
 * - p50, p90, p99: one request at a time (the latency phase's warm case);
 * - rps@N, p50@N, p90@N, p99@N, failures@N: at the load level of N connections (rps: good
 *   answers per second; failures: the share of requests sent that were not a good answer);
 * - failures: the share over the latency phase and every load level.
 *
 * A p99 over fewer than 300 good answers in a run is "not estimable" and never gets a
 * verdict. A level's figure where any run on either side was lab-bound (its selfCheck) is
 * "lab-bound": its change is shown, not judged, since it is the machine's, not the code's
 * (an A/A comparison on 2 cores once called a lab-bound p50@10 regressed by +18 %). The
 * statistics are compare-stats.ts'.
 */
import {
  alphaFor,
  compareRuns,
  medianInterval,
  MIN_NOISE_PERCENT,
  MIN_RUNS,
  NOISE_POINTS,
  smallestP,
  type Verdict,
} from './compare-stats.ts'
import { DEFAULT_DETECT_ON, targetedRows, targetOf, thresholdFor, type DetectTarget, type NoiseSetting } from './detect.ts'
import { median } from '../measure/stats.ts'
import { scenarioDifferences } from '../../roles/protocol.ts'
import { round } from '../record/format.ts'
import type { ComparisonFigures, MeasuredRun, Results, RunSample, ThresholdCheck } from '../record/results.ts'

export interface MetricSpec {
  unit: 'ms' | '/s' | '%'
  higherIsWorse: boolean
  /** A share in percent: its effect is a difference in points. */
  points: boolean
  value(sample: RunSample, variant: string): number | null | undefined
  /** For a load level's figure: whether that run's level was lab-bound. */
  labBound?(sample: RunSample, variant: string): boolean
}

const TIME_METRICS = ['p50', 'p90', 'p99'] as const
const LEVEL_METRICS = ['rps', 'p50', 'p90', 'p99', 'failures'] as const

/** The figure a metric name reads, or undefined for a name that is not one. */
export function metricSpec(name: string): MetricSpec | undefined {
  if ((TIME_METRICS as readonly string[]).includes(name)) {
    const key = `${name}Ms` as 'p50Ms' | 'p90Ms' | 'p99Ms'
    return { unit: 'ms', higherIsWorse: true, points: false, value: (s, v) => (s.variants[v] ? s.variants[v].latency[key] : undefined) }
  }
  if (name === 'failures') {
    return {
      unit: '%',
      higherIsWorse: true,
      points: true,
      value(s, v) {
        const figures = s.variants[v]
        if (!figures) return undefined
        const sent = figures.latency.requests + figures.load.reduce((sum, l) => sum + l.sent, 0)
        const failed = figures.latency.failed + figures.load.reduce((sum, l) => sum + l.failed, 0)
        return sent ? (100 * failed) / sent : null
      },
    }
  }
  const match = /^([a-z0-9]+)@([1-9]\d*)$/.exec(name)
  if (!match || !(LEVEL_METRICS as readonly string[]).includes(match[1]!)) return undefined
  const [, figure, at] = match
  const connections = Number(at)
  const level = (s: RunSample, v: string) => s.variants[v]?.load.find((l) => l.connections === connections)
  const labBound = (s: RunSample, v: string) => (level(s, v)?.labBound.length ?? 0) > 0
  if (figure === 'rps') return { unit: '/s', higherIsWorse: false, points: false, labBound, value: (s, v) => level(s, v)?.goodPerSec }
  if (figure === 'failures') {
    return {
      unit: '%',
      higherIsWorse: true,
      points: true,
      labBound,
      value: (s, v) => {
        const l = level(s, v)
        return l ? (l.sent ? (100 * l.failed) / l.sent : null) : undefined
      },
    }
  }
  const key = `${figure}Ms` as 'p50Ms' | 'p90Ms' | 'p99Ms'
  return {
    unit: 'ms',
    higherIsWorse: true,
    points: false,
    labBound,
    value: (s, v) => {
      const l = level(s, v)
      return l ? l[key] : undefined
    },
  }
}

/** The metric names a run has figures for: the one-at-a-time ones, then each load level's. */
export function metricsOf(results: Pick<Results, 'run'>): string[] {
  return [...TIME_METRICS, ...results.run.connections.flatMap((c) => LEVEL_METRICS.map((m) => `${m}@${c}`)), 'failures']
}

/** A metric's values over the runs: null when any run has it not estimable; undefined when the variant or level was not measured. */
export function valuesOf(results: MeasuredRun, variant: string, spec: MetricSpec): number[] | null | undefined {
  const values = results.runs.map((run) => spec.value(run, variant))
  if (values.some((v) => v === undefined)) return undefined
  if (values.some((v) => v === null)) return null
  return values as number[]
}

export interface CompareOptions {
  /** --noise: T's floor in percent, or an A/A's noise file (each figure it names takes its own T). */
  noise: NoiseSetting
  /** --detect and --detect-on: with --fail-on regressed, the figures whose MDC is beyond the target are named. */
  detect?: DetectTarget
  failOnRegressed?: boolean
  baselinePath: string
  currentPath: string | null
}

/** Why two results cannot be compared at all (another schema version, another kind), or undefined. */
export function incomparable(
  baseline: { schemaVersion?: unknown; kind?: unknown },
  current: { schemaVersion?: unknown; kind?: unknown },
  schemaVersion: number,
): string | undefined {
  for (const [side, results] of [
    ['the baseline', baseline],
    ['this run', current],
  ] as const) {
    if (results.kind !== 'run')
      return `${side} is not a measured run (kind "${String(results.kind)}"): a --predict or --vary has no runs to compare.`
    if (results.schemaVersion !== schemaVersion) {
      return `${side} has schemaVersion ${String(results.schemaVersion)}; this lab reads ${schemaVersion}${Number(results.schemaVersion) < 10 ? ' (runs before version 10 kept no per-run figures)' : ''}. Measure it again with this version of the lab.`
    }
  }
  return undefined
}

/** The comparison of `current` against `baseline`, variant by variant and metric by metric. */
export function compareResults(baseline: MeasuredRun, current: MeasuredRun, options: CompareOptions): ComparisonFigures {
  const names = (r: MeasuredRun) => Object.keys(r.variants)
  const common = names(current).filter((name) => name in baseline.variants)
  const metrics = metricsOf(current).filter((m) => metricsOf(baseline).includes(m))
  const noisePercent = Math.max(MIN_NOISE_PERCENT, options.noise.percent ?? 0)
  const pending: Array<{
    row: Omit<Row, 'verdict' | 'p' | 'effect' | 'low' | 'high' | 'mdc' | 'mdcWhy'>
    a: number[] | null
    b: number[] | null
    spec: MetricSpec
    labBound: boolean
  }> = []
  for (const variant of common) {
    for (const metric of metrics) {
      const spec = metricSpec(metric)!
      const a = valuesOf(baseline, variant, spec)
      const b = valuesOf(current, variant, spec)
      // A level one side did not measure for this variant (an overview's): no row.
      if (a === undefined || b === undefined) continue
      pending.push({
        row: {
          variant,
          metric,
          unit: spec.unit,
          baselineRuns: baseline.runs.length,
          currentRuns: current.runs.length,
          baselineMedian: a ? round(median(a), 3) : null,
          currentMedian: b ? round(median(b), 3) : null,
          points: spec.points,
          ...thresholdFor(options.noise, variant, metric, spec.points),
        },
        a,
        b,
        spec,
        labBound: [...baseline.runs, ...current.runs].some((run) => spec.labBound?.(run, variant) ?? false),
      })
    }
  }
  const tested = pending.filter(({ a, b, labBound }) => a && b && !labBound && a.length >= MIN_RUNS && b.length >= MIN_RUNS).length
  const alpha = alphaFor(tested)
  const rows: Row[] = pending.map(({ row, a, b, spec, labBound }, i) => {
    if (!a || !b)
      return {
        ...row,
        verdict: 'not estimable' as Verdict,
        p: null,
        effect: null,
        low: null,
        high: null,
        mdc: null,
        mdcWhy: 'not estimable: never judged',
      }
    const c = compareRuns(a, b, {
      higherIsWorse: spec.higherIsWorse,
      thresholdPercent: row.threshold,
      alpha,
      points: spec.points,
      seed: i + 1,
    })
    const r = (x: number | null) => (x === null ? null : round(x, 2))
    // A lab-bound figure is not judged: what it could have detected is not said either.
    const mdc = labBound ? null : r(c.mdc)
    return {
      ...row,
      verdict: labBound ? 'lab-bound' : c.verdict,
      p: c.p === null ? null : round(c.p, 4),
      effect: r(c.effect),
      low: r(c.low),
      high: r(c.high),
      mdc,
      mdcWhy: mdc !== null ? null : labBound ? 'lab-bound: never judged' : nothingCallable(row.baselineRuns, row.currentRuns, alpha),
    }
  })
  const warnings = [...differences(baseline, current), ...noiseFileDifferences(options.noise, current)]
  const [n, m] = [baseline.runs.length, current.runs.length]
  if (n >= MIN_RUNS && m >= MIN_RUNS && smallestP(n, m) >= alpha) {
    warnings.push(
      `No figure can be called regressed or improved: with ${n} runs against ${m}, the smallest p the exact test can give is ${smallestP(n, m).toFixed(3)}, not below α = ${alpha} (${tested} figures tested). Measure more runs on both sides.`,
    )
  }
  const comparison = {
    baseline: side(baseline, options.baselinePath),
    current: side(current, options.currentPath),
    warnings,
    noisePercent,
    noiseFile: options.noise.file?.path ?? null,
    noisePoints: NOISE_POINTS,
    alpha,
    rows,
    onlyInBaseline: names(baseline).filter((name) => !(name in current.variants)),
    onlyInCurrent: names(current).filter((name) => !(name in baseline.variants)),
  }
  if (options.failOnRegressed) warnings.push(...blindSpots(comparison, options.detect ?? { percent: undefined, on: DEFAULT_DETECT_ON }))
  return comparison
}

/**
 * --fail-on regressed: the targeted figures whose regression of the target's size could pass the
 * gate unseen, because this comparison could not have called it (its MDC is beyond the target).
 */
function blindSpots(comparison: ComparisonFigures, detect: DetectTarget): string[] {
  const unit = (row: { points: boolean }) => (row.points ? ' pt' : ' %')
  const blind = targetedRows(comparison, detect).filter((row) => row.mdc === null || row.mdc > targetOf(detect, row.threshold))
  if (blind.length === 0) return []
  const named = blind.map((row) =>
    row.mdc === null
      ? `${row.variant} ${row.metric} nothing (${row.mdcWhy})`
      : `${row.variant} ${row.metric} only beyond ±${row.mdc.toFixed(1)}${unit(row)} (target ${targetOf(detect, row.threshold)}${unit(row)})`,
  )
  return [
    `--fail-on regressed cannot be trusted to catch a change of the target's size: with these runs it could call ${named.join('; ')}. A smaller regression would pass unseen: measure more runs (--runs auto adds them until the target is reached).`,
  ]
}

type Row = ComparisonFigures['rows'][number]

/** Why nothing could be called on a judged figure (minimumDetectableChange's null): the run counts, the exact test's reach, or a median of 0. */
function nothingCallable(n: number, m: number, alpha: number): string {
  if (n < MIN_RUNS || m < MIN_RUNS) return `fewer than ${MIN_RUNS} runs a side (${n} against ${m})`
  if (smallestP(n, m) >= alpha) return `with ${n} runs against ${m}, the exact test cannot reach α = ${alpha}`
  return 'a median of 0, which a ratio cannot be moved from'
}

/**
 * Why --runs auto cannot start against this baseline: fewer than MIN_RUNS runs (no change could
 * ever be called), or a targeted figure no run can help (not measured, not estimable or
 * lab-bound in the baseline). Each named; empty when it can start.
 */
export function autoProblems(baseline: MeasuredRun, variants: readonly string[], detect: DetectTarget): string[] {
  if (baseline.runs.length < MIN_RUNS)
    return [
      `the baseline has ${baseline.runs.length} run${baseline.runs.length === 1 ? '' : 's'}; no change can be called below ${MIN_RUNS} a side`,
    ]
  return variants
    .filter((variant) => variant in baseline.variants)
    .flatMap((variant) =>
      detect.on.flatMap((metric) => {
        const spec = metricSpec(metric)!
        const values = valuesOf(baseline, variant, spec)
        if (values === undefined) return [`${variant} ${metric} was not measured in the baseline`]
        if (values === null) return [`${variant} ${metric} is not estimable in the baseline`]
        if (baseline.runs.some((run) => spec.labBound?.(run, variant) ?? false))
          return [`${variant} ${metric} is lab-bound in the baseline`]
        return []
      }),
    )
}

/** A noise file measured in other conditions than this run: its T may not be this run's noise. */
function noiseFileDifferences(noise: NoiseSetting, current: MeasuredRun): string[] {
  const file = noise.file
  if (!file) return []
  const { noise: n } = file
  const env = environmentOf(current)
  const differs = [
    ...(n.scenario !== current.scenario.name ? [`scenario "${n.scenario}", not "${current.scenario.name}"`] : []),
    ...(n.quick !== current.run.quick ? [n.quick ? 'a --quick run' : 'not a --quick run'] : []),
    ...(n.environment !== env ? [`on ${n.environment}`] : []),
  ]
  return differs.length
    ? [
        `The noise file ${file.path} was measured in other conditions (${differs.join('; ')}): its T is another run's noise, not necessarily this one's.`,
      ]
    : []
}

function side(results: MeasuredRun, path: string | null): ComparisonFigures['current'] & { path: string } {
  return {
    path: path ?? '',
    startedAt: results.startedAt,
    gitCommit: results.environment.gitCommit,
    scenario: results.scenario.name,
    runs: results.runs.length,
  }
}

/** Where a run ran, in words: CPU × count, Node, OS (a comparison and a noise file tell machines apart by it). */
export function environmentOf(r: MeasuredRun): string {
  return `${r.environment.cpuModel} × ${r.environment.cpuCount}, Node ${r.environment.node}, ${r.environment.os}`
}

/** What differs between the two runs besides the code: each makes a verdict less about the code. */
function differences(baseline: MeasuredRun, current: MeasuredRun): string[] {
  const warnings: string[] = []
  const fields = scenarioDifferences(baseline.scenario, current.scenario)
  if (fields.length) {
    warnings.push(`The scenarios differ (${fields.join(', ')}): the runs measured different things, not only different code.`)
  }
  if (baseline.run.quick !== current.run.quick) warnings.push(`One run is --quick and the other is not: their samples and levels differ.`)
  if (
    String(baseline.run.connections) !== String(current.run.connections) ||
    baseline.run.durationSeconds !== current.run.durationSeconds
  ) {
    warnings.push(
      `The load levels differ (${baseline.run.connections.join(', ')} connections, ${baseline.run.durationSeconds} s against ${current.run.connections.join(', ')}, ${current.run.durationSeconds} s): levels on one side only are not compared, and the overall failure share covers different levels.`,
    )
  }
  const env = environmentOf
  if (env(baseline) !== env(current))
    warnings.push(`The environments differ: the baseline ran on ${env(baseline)}, this run on ${env(current)}.`)
  const placement = (r: MeasuredRun) =>
    `API ${r.roles.api.placed ? `at ${r.roles.api.url} on ${r.roles.api.host.hostname}` : 'started here'}, upstreams ${r.roles.upstreams.placed ? `at ${r.roles.upstreams.url} on ${r.roles.upstreams.host.hostname}` : 'started here'}`
  if (placement(baseline) !== placement(current))
    warnings.push(`The roles were placed differently: the baseline's ${placement(baseline)}; this run's ${placement(current)}.`)
  const traced = (r: MeasuredRun) => (r.run.trace ? `traced (--trace/--otlp, ${r.run.trace.sample * 100} % under load)` : 'not traced')
  if (traced(baseline) !== traced(current))
    warnings.push(`The baseline was ${traced(baseline)}, this run ${traced(current)}: a traced request costs the API more CPU.`)
  if (baseline.environment.cacheBackend !== current.environment.cacheBackend)
    warnings.push(`The price cache differs: ${baseline.environment.cacheBackend} against ${current.environment.cacheBackend}.`)
  if (!baseline.valid || !current.valid)
    warnings.push(`${!baseline.valid ? 'The baseline' : 'This run'} is not valid (see its problems): its figures are not to be trusted.`)
  return warnings
}

/** A parsed --threshold: `variant.metric OP value[unit]`, e.g. parallel.p50<160ms, naive.failures<1%, cached.rps@50>=30. */
export interface Threshold {
  expression: string
  variant: string
  metric: string
  op: '<' | '<=' | '>' | '>='
  /** In the metric's unit: ms, per second, or percent. */
  value: number
}

const UNITS: Record<MetricSpec['unit'], Record<string, number>> = { ms: { ms: 1, s: 1000 }, '/s': { '': 1, '/s': 1 }, '%': { '%': 1 } }

/**
 * Parses a --threshold, or throws an Error whose message names it and says what is wrong.
 * `variants`: those the run measures; `connections`: its load levels; `maxSamples`: the
 * most one-at-a-time samples a case can have (a p99 one at a time needs 300).
 */
export function parseThreshold(
  expression: string,
  variants: readonly string[],
  connections: readonly number[],
  maxSamples: number,
): Threshold {
  const bad = (why: string) => new Error(`--threshold "${expression}": ${why}`)
  const match = /^\s*([a-z][a-z0-9-]*)\.([a-z0-9@]+)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|%|\/s)?\s*$/.exec(expression)
  if (!match) throw bad('expected VARIANT.METRIC<VALUE, e.g. "parallel.p50<160ms", "naive.failures<1%", "cached.rps@50>=30".')
  const [, variant, metric, op, number, unit = ''] = match
  if (!variants.includes(variant!)) throw bad(`"${variant}" is not a variant this run measures (${variants.join(', ')}).`)
  const spec = metricSpec(metric!)
  if (!spec)
    throw bad(
      `"${metric}" is not a metric; known: p50, p90, p99 (one request at a time), rps@N, p50@N, p90@N, p99@N, failures@N (at N connections), failures.`,
    )
  const at = /@(\d+)$/.exec(metric!)
  if (at && !connections.includes(Number(at[1])))
    throw bad(`this run has no load level of ${at[1]} connections (its levels: ${connections.join(', ') || 'none'}).`)
  if (metric === 'p99' && maxSamples < 300)
    throw bad(
      `a p99 one request at a time needs 300 samples a run and this run takes at most ${maxSamples}: not estimable. Use p99@N, at a load level.`,
    )
  const scale = UNITS[spec.unit][unit]
  if (scale === undefined)
    throw bad(
      `the unit "${unit || '(none)'}" does not fit ${metric}, which is in ${spec.unit === '/s' ? 'requests per second (no unit, or /s)' : spec.unit === 'ms' ? 'ms or s' : '%'}.`,
    )
  // Rounded to a µs (or a millionth): 1.005 s × 1000 is 1004.9999999999999 in floating point.
  return {
    expression: expression.trim(),
    variant: variant!,
    metric: metric!,
    op: op as Threshold['op'],
    value: Math.round(Number(number) * scale * 1e6) / 1e6,
  }
}

/** Checks each threshold against the median of its metric over the runs. A metric not estimable fails its threshold. */
export function checkThresholds(results: MeasuredRun, thresholds: Threshold[]): ThresholdCheck[] {
  return thresholds.map((t) => {
    const spec = metricSpec(t.metric)!
    const values = valuesOf(results, t.variant, spec)
    if (!values)
      return {
        expression: t.expression,
        value: null,
        low: null,
        high: null,
        passed: false,
        why: `${t.variant}.${t.metric} was not ${values === null ? 'estimable' : 'measured'} in this run`,
      }
    const value = round(median(values), 3)
    const passed = t.op === '<' ? value < t.value : t.op === '<=' ? value <= t.value : t.op === '>' ? value > t.value : value >= t.value
    const unit = spec.unit === '/s' ? '/s' : ` ${spec.unit}`
    const range = medianInterval(values)
    // An interval that holds the threshold's value: the runs cannot tell which side the figure is on.
    const undecided = range !== null && range.low <= t.value && t.value <= range.high
    const of =
      results.runs.length > 1
        ? ` (median of ${results.runs.length} runs${range ? `, 95 % interval ${round(range.low, 1)}–${round(range.high, 1)}${unit}` : ''})`
        : ''
    return {
      expression: t.expression,
      value,
      low: range ? round(range.low, 3) : null,
      high: range ? round(range.high, 3) : null,
      passed,
      why: `${t.variant}.${t.metric} = ${value}${unit}${of}${undecided ? `: the interval holds ${t.value}${unit}, so these runs cannot say which side of it the figure is on; measure more runs before trusting this check` : ''}`,
    }
  })
}
