/**
 * What `npm run bench` is asked to do: its flags, read and checked before anything starts (a
 * UsageError names the flag and what it accepts: exit 2), the scenario resolved, the variants
 * found, the baseline read. Nothing is started or measured here, so every bad input costs no run
 * and is tested without a process (test/bench-flags-are-checked-before-anything-starts.unit.test.ts).
 */
import { parseFlags, readNumberFlag, renderHelp, UsageError, type FlagSpec, type FlagValues } from './cli/flags.ts'
import { readRoleUrl, ROLE_URL_FLAGS } from './cli/role-flags.ts'
import { resolveRunSettings } from './cli/resolve-run-settings.ts'
import { DEFAULT_RUN, measures, QUICK_COMPARED, QUICK_RUN, type RunSettings } from './cli/run-settings.ts'
import { resolveScenarioFromFlags, SCENARIO_FLAGS } from './cli/scenario-flags.ts'
import { DEFAULT_TRACE_SAMPLE, readTraceFlags, TRACE_FLAGS } from './cli/trace-flags.ts'
import { resolveVary, VARY_PARAMETERS, type Vary } from './cli/vary.ts'
import { autoProblems, incomparable } from './compare/compare-runs.ts'
import { MIN_RUNS } from './compare/compare-stats.ts'
import { DEFAULT_MAX_RUNS } from './compare/detect.ts'
import { GATE_FLAGS, resolveGate, type Gate } from './gate.ts'
import type { VariantInfo } from './measure/assemble-results.ts'
import { SCHEMA_VERSION, type Results } from './record/results.ts'
import { defaultRunDir, readSavedRun } from './record/write-results.ts'
import type { RoleUrls } from './stack/start-stack.ts'
import type { Scenario } from '../scenario/types.ts'
import { loadVariants } from '../variants/shared/load-variants.ts'

/** The most --runs: each is a whole run on a stack of its own. */
export const MAX_RUNS = 50

export const FLAGS = {
  quick: {
    type: 'boolean',
    help: `a small, fast run for CI and a first look (${QUICK_RUN.productsPerPage} products per page unless --products, the mix's page sizes ${QUICK_RUN.mixLimits.join(',')} unless --limits, fewer samples, ${QUICK_RUN.durationSeconds} s load levels, the variants beyond the story one request at a time only; about 40 s)`,
  },
  sweep: {
    type: 'boolean',
    help: 'also sweep each variant at fixed request rates around its predicted saturation (peak load; adds a few minutes)',
  },
  predict: {
    type: 'boolean',
    help: "measure nothing, start no server: results.json, the report and summary.md from each variant's model alone (its own code run in virtual time), in seconds",
  },
  'model-jitter': {
    type: 'string',
    value: 'MODE',
    help: "how the model counts each service's jitter: mean (default: its mean on every call), seed (drawn per call from the scenario's seed, as the mocks draw it: one request's luck), none",
  },
  vary: {
    type: 'string',
    value: 'PARAM=V1,V2,…',
    help: `the model at each value of one parameter (${Object.keys(VARY_PARAMETERS).join(', ')}); without --predict, each value's latency is measured too (one request at a time, no load levels)`,
  },
  variants: {
    type: 'string',
    value: 'LIST',
    help: "variants to measure, comma-separated (default: all but the combinations of the story's fixes that are not its steps)",
  },
  ablation: {
    type: 'boolean',
    help: "also measure the combinations of the story's fixes that are not its steps (naive-cached, naive-parallel, bulk-parallel, naive-cached-parallel; without --variants as the variants beyond the story are: one request at a time, cache warm, and the top load level unless --quick; with --variants all eight, beside those named, in full), so what each fix is worth in any order comes from measured p50s, not the model's alone",
  },
  connections: {
    type: 'string',
    value: 'LIST',
    help: `load levels, comma-separated (default ${DEFAULT_RUN.connections.join(',')}; quick ${QUICK_RUN.connections.join(',')})`,
  },
  duration: {
    type: 'string',
    value: 'S',
    help: `seconds per load level (default ${DEFAULT_RUN.durationSeconds}; quick ${QUICK_RUN.durationSeconds})`,
  },
  out: { type: 'string', value: 'DIR', help: 'where to write results (default results/<timestamp>/, also reachable as results/latest)' },
  runs: {
    type: 'string',
    value: 'N|auto',
    help: `measure N times, each run on a stack of its own (fresh API and upstream processes, an emptied cache; roles placed by --api/--upstreams are not restarted, their cache is emptied); each run's figures are kept for comparisons (default 1, at most ${MAX_RUNS}). auto, with --baseline: add runs until the comparison could call a change of --detect on every figure of --detect-on, or --max-runs`,
  },
  'max-runs': {
    type: 'string',
    value: 'N',
    help: `with --runs auto: the most runs to add (default ${DEFAULT_MAX_RUNS})`,
  },
  aa: {
    type: 'boolean',
    help: `an A/A: the same code measured as two interleaved sets of --runs N runs each (N ≥ ${MIN_RUNS}), compared; writes noise.json, each figure's noise and the T it implies, for --noise`,
  },
  baseline: {
    type: 'string',
    value: 'PATH|latest',
    help: 'after measuring, compare against a saved run (its directory, its results.json, or latest): a verdict per variant and figure',
  },
  ...GATE_FLAGS,
  ...TRACE_FLAGS,
  ...ROLE_URL_FLAGS,
  ...SCENARIO_FLAGS,
} satisfies Record<string, FlagSpec>

export const USAGE = `Usage: npm run bench -- [flags]

Measures the variants in variants/ against the mocked upstreams: correctness first, then
what each should cost (its own code run in virtual time), then latency one request at a
time (tinybench), throughput under load (autocannon) and, with --sweep, peak hours at
fixed request rates.

With --predict, nothing is started or measured: each variant's model alone. With --vary,
the model at each value of one parameter and (without --predict) each value's latency.`

export interface BenchRequest {
  /** When the command started: a run's duration includes loading the lab. */
  startedAt: Date
  /** --predict: the model alone, nothing started. */
  predict: boolean
  scenario: Scenario
  vary: Vary | undefined
  settings: RunSettings
  /** The variants to measure, in story order. */
  variants: VariantInfo[]
  where: RoleUrls
  outDir: string
  /** The runs to make: --runs N; with --runs auto, the most (--max-runs); with --aa, each set's. */
  runs: number
  /** --runs auto: runs are added until the comparison against the baseline reaches --detect's target. */
  auto: boolean
  /** --aa: 2 × runs runs, the odd-numbered set A, the even-numbered set B, compared. */
  aa: boolean
  gate: Gate
  baseline: { path: string; results: Results } | undefined
}

/** The flags `npm run bench` was given, checked: the request, or `{ help }` for --help. Throws a UsageError for a bad one. */
export async function resolveBenchRequest(argv: string[], startedAt: Date, env = process.env): Promise<BenchRequest | { help: string }> {
  const values = parseFlags(argv, FLAGS)
  if (values.help) return { help: renderHelp(USAGE, FLAGS) }
  if (values.predict === true || values.vary !== undefined) refuseWithWhatIf(values)
  const varyingProducts = typeof values.vary === 'string' && values.vary.startsWith('products=')
  const quickPage = {
    ...(values.quick && values.products === undefined && !varyingProducts ? { products: String(QUICK_RUN.productsPerPage) } : {}),
    ...(values.quick && values.limits === undefined ? { limits: QUICK_RUN.mixLimits.join(',') } : {}),
  }
  const scenario = await resolveScenarioFromFlags({ ...values, ...quickPage })
  const vary = typeof values.vary === 'string' ? await resolveVary(values.vary, { ...values, ...quickPage }) : undefined
  const found = await loadVariants()
  const trace = readTraceFlags(values, scenario.seed, DEFAULT_TRACE_SAMPLE)
  if (trace && vary)
    throw new UsageError(
      'Flag --trace and --otlp trace a measured run, not a --vary: each value runs on a stack of its own, and one trace file would mix their scenarios.',
    )
  if (trace && values.api !== undefined)
    throw new UsageError(
      'Flag --trace and --otlp trace the API the lab starts: for one given by --api, start it with `npm run serve -- --trace DIR`.',
    )
  const settings = {
    ...resolveRunSettings(
      values,
      found.map((v) => v.name),
    ),
    ...(trace ? { trace } : {}),
  }
  const { runs, auto, aa } = readRuns(values)
  // A quick run whose runs are compared takes more one-at-a-time samples: see QUICK_COMPARED.
  if (settings.quick && (runs > 1 || auto || aa)) Object.assign(settings, QUICK_COMPARED)
  const variants = found.filter((v) => measures(settings, v.name)).map(({ name, parent }) => ({ name, parent }))
  const gate = await resolveGate(
    values,
    variants.map((v) => v.name),
    settings.connections,
    settings.maxSamples,
    { auto },
  )
  if (gate.failOnRegressed && values.baseline === undefined)
    throw new UsageError('Flag --fail-on regressed needs --baseline: there is nothing to regress against.')
  // The baseline is read before anything starts: a path that cannot be compared costs no run.
  const baseline =
    typeof values.baseline === 'string'
      ? await readSavedRun(values.baseline, (saved) =>
          incomparable(saved, { schemaVersion: SCHEMA_VERSION, kind: 'run' }, SCHEMA_VERSION),
        ).catch((error: Error) => {
          throw new UsageError(`Flag --baseline: ${error.message}`)
        })
      : undefined
  const cannot =
    auto && baseline
      ? autoProblems(
          baseline.results,
          variants.map((v) => v.name),
          gate.detect,
        )
      : []
  if (cannot.length) throw new UsageError(`Flag --runs auto cannot reach a target against this baseline: ${cannot.join('; ')}.`)
  const redisUrl = typeof values['redis-url'] === 'string' ? values['redis-url'] : env.REDIS_URL
  return {
    startedAt,
    predict: values.predict === true,
    scenario,
    vary,
    settings,
    variants,
    where: { redisUrl, api: readRoleUrl(values, 'api'), upstreams: readRoleUrl(values, 'upstreams') },
    outDir: settings.outDir ?? defaultRunDir(startedAt),
    runs,
    auto,
    aa,
    gate,
    baseline,
  }
}

/** --runs N, --runs auto (with --baseline; --max-runs), --aa (--runs N a set): checked against each other. */
function readRuns(values: FlagValues): { runs: number; auto: boolean; aa: boolean } {
  const aa = values.aa === true
  const auto = values.runs === 'auto'
  if (values['max-runs'] !== undefined && !auto) throw new UsageError('Flag --max-runs goes with --runs auto: it caps the runs added.')
  if (auto) {
    if (values.baseline === undefined)
      throw new UsageError(
        'Flag --runs auto needs --baseline: the runs are added until the comparison against it could call a change of --detect.',
      )
    if (aa) throw new UsageError('Flag --runs auto does not go with --aa: an A/A measures --runs N runs in each set.')
    const maxRuns = readNumberFlag(values, 'max-runs', true) ?? DEFAULT_MAX_RUNS
    if (maxRuns < MIN_RUNS || maxRuns > MAX_RUNS)
      throw new UsageError(
        `Flag --max-runs: got ${maxRuns}; expected an integer from ${MIN_RUNS} (the fewest a comparison can call on) to ${MAX_RUNS}.`,
      )
    return { runs: maxRuns, auto, aa }
  }
  if (typeof values.runs === 'string' && !/^\s*\d+\s*$/.test(values.runs))
    throw new UsageError(`Flag --runs: got "${values.runs}"; expected an integer from 1 to ${MAX_RUNS}, or auto.`)
  const runs = readNumberFlag(values, 'runs', true) ?? 1
  if (aa) {
    if (values.runs === undefined || runs < MIN_RUNS || 2 * runs > MAX_RUNS)
      throw new UsageError(
        `Flag --aa needs --runs N, the runs in each set, from ${MIN_RUNS} (the fewest a comparison can call on) to ${MAX_RUNS / 2}; got ${values.runs === undefined ? 'none' : runs}.`,
      )
    for (const flag of ['baseline', 'fail-on', 'detect', 'detect-on'])
      if (values[flag] !== undefined)
        throw new UsageError(`Flag --${flag} does not go with --aa: an A/A compares the same code with itself.`)
    return { runs, auto, aa }
  }
  if (runs < 1 || runs > MAX_RUNS) throw new UsageError(`Flag --runs: got ${runs}; expected an integer from 1 to ${MAX_RUNS}, or auto.`)
  return { runs, auto, aa }
}

/** --predict and --vary measure no load level and compare nothing: the flags that would are refused. */
function refuseWithWhatIf(values: FlagValues): void {
  const what = values.predict ? 'predict' : 'vary'
  const measuring = values.predict ? 'it measures nothing' : '--vary measures the latency phase alone'
  const measuringFlags = [
    'sweep',
    'connections',
    'duration',
    'runs',
    'max-runs',
    'aa',
    'baseline',
    'fail-on',
    'threshold',
    'noise',
    'detect',
    'detect-on',
    'ablation',
  ]
  for (const flag of [...measuringFlags, ...(values.predict ? ['redis-url', 'trace', 'otlp', 'trace-sample'] : [])]) {
    if (values[flag] !== undefined) throw new UsageError(`Flag --${flag} does not go with --${what}: ${measuring}.`)
  }
  const why = values.predict
    ? 'it starts and measures nothing'
    : '--vary restarts the stack at each value, and the lab cannot restart a role it did not start'
  for (const flag of Object.keys(ROLE_URL_FLAGS)) {
    if (values[flag] !== undefined) throw new UsageError(`Flag --${flag} does not go with --${what}: ${why}.`)
  }
}
