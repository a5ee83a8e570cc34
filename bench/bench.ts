/**
 * `npm run bench -- [flags]`: measures every variant and writes results.json, report.html
 * and summary.md. Processes: this one runs the harness (correctness check, tinybench,
 * autocannon); the API under test and the mocked upstreams each run in a child process;
 * Redis is a redis-server child (or REDIS_URL). Ctrl-C stops them all. With --api and
 * --upstreams, those roles run where their URLs say, and only the harness runs here.
 */
import { join, relative } from 'node:path'
import { parseFlags, readNumberFlag, renderHelp, UsageError, type FlagSpec } from './cli/flags.ts'
import { createProgress } from './cli/progress.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import { DEFAULT_RUN, QUICK_RUN, resolveRunSettings, VARY_RUN, type RunSettings } from './cli/run-settings.ts'
import { resolveScenarioFromFlags, SCENARIO_FLAGS } from './cli/scenario-flags.ts'
import { readRoleUrl, ROLE_URL_FLAGS } from './cli/role-flags.ts'
import { resolveVary, VARY_PARAMETERS, type Vary } from './cli/vary.ts'
import { EXIT, exitCode, GATE_FLAGS, resolveGate } from './gate.ts'
import { checkThresholds, compareResults, incomparable } from './measure/compare-runs.ts'
import type { VariantInfo } from './measure/assemble-results.ts'
import { CorrectnessError } from './measure/check-correctness.ts'
import { runBench } from './measure/run-bench.ts'
import { runWhatIf, type WhatIfRequest } from './measure/what-if.ts'
import { formatDuration } from './record/format.ts'
import { SCHEMA_VERSION, type Results, type WhatIf } from './record/results.ts'
import { defaultRunDir, readSavedRun, writeRun } from './record/write-results.ts'
import { renderSummaryMarkdown } from './report/render-markdown.ts'
import { renderReport } from './report/render-report.ts'
import { renderTerminalSummary } from './report/render-terminal.ts'
import { renderWhatIfMarkdown, renderWhatIfReport, renderWhatIfTerminal } from './report/render-what-if.ts'
import { describeFaults } from './report/report-model.ts'
import { RoleError } from './stack/remote-roles.ts'
import { startStack, type RoleUrls, type Stack } from './stack/start-stack.ts'
import type { ModelOutcome } from '../model/types.ts'
import type { Scenario } from '../scenario/types.ts'
import { loadVariants } from '../variants/shared/load-variants.ts'

/** The most --runs: each is a whole run on a stack of its own. */
const MAX_RUNS = 50

const FLAGS = {
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
  variants: { type: 'string', value: 'LIST', help: 'variants to measure, comma-separated (default: all)' },
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
    value: 'N',
    help: `measure N times, each run on a stack of its own (fresh API and upstream processes, an emptied cache; roles placed by --api/--upstreams are not restarted, their cache is emptied); each run's figures are kept for comparisons (default 1, at most ${MAX_RUNS})`,
  },
  baseline: {
    type: 'string',
    value: 'PATH|latest',
    help: 'after measuring, compare against a saved run (its directory, its results.json, or latest): a verdict per variant and figure',
  },
  ...GATE_FLAGS,
  ...ROLE_URL_FLAGS,
  ...SCENARIO_FLAGS,
} satisfies Record<string, FlagSpec>

const USAGE = `Usage: npm run bench -- [flags]

Measures the variants in variants/ against the mocked upstreams: correctness first, then
what each should cost (its own code run in virtual time), then latency one request at a
time (tinybench), throughput under load (autocannon) and, with --sweep, peak hours at
fixed request rates.

With --predict, nothing is started or measured: each variant's model alone. With --vary,
the model at each value of one parameter and (without --predict) each value's latency.`

async function main(): Promise<number> {
  // From the process's start, so a run's duration includes loading the lab.
  const startedAt = new Date(performance.timeOrigin)
  const values = parseFlags(process.argv.slice(2), FLAGS)
  if (values.help) {
    console.log(renderHelp(USAGE, FLAGS))
    return 0
  }
  // Everything is validated before anything starts.
  const whatIf = values.predict === true || values.vary !== undefined
  if (whatIf) {
    const measuring = values.predict ? 'it measures nothing' : '--vary measures the latency phase alone'
    for (const flag of [
      'sweep',
      'connections',
      'duration',
      'runs',
      'baseline',
      'fail-on',
      'threshold',
      'noise',
      ...(values.predict ? ['redis-url'] : []),
    ]) {
      if (values[flag] !== undefined)
        throw new UsageError(`Flag --${flag} does not go with --${values.predict ? 'predict' : 'vary'}: ${measuring}.`)
    }
    for (const flag of Object.keys(ROLE_URL_FLAGS)) {
      const why = values.predict
        ? 'it starts and measures nothing'
        : '--vary restarts the stack at each value, and the lab cannot restart a role it did not start'
      if (values[flag] !== undefined)
        throw new UsageError(`Flag --${flag} does not go with --${values.predict ? 'predict' : 'vary'}: ${why}.`)
    }
  }
  const varyingProducts = typeof values.vary === 'string' && values.vary.startsWith('products=')
  const quickPage = {
    ...(values.quick && values.products === undefined && !varyingProducts ? { products: String(QUICK_RUN.productsPerPage) } : {}),
    ...(values.quick && values.limits === undefined ? { limits: QUICK_RUN.mixLimits.join(',') } : {}),
  }
  const scenario = await resolveScenarioFromFlags({ ...values, ...quickPage })
  const vary = typeof values.vary === 'string' ? await resolveVary(values.vary, { ...values, ...quickPage }) : undefined
  const variants = await loadVariants()
  const settings = resolveRunSettings(
    values,
    variants.map((v) => v.name),
  )
  const redisUrl = typeof values['redis-url'] === 'string' ? values['redis-url'] : process.env.REDIS_URL
  const where: RoleUrls = { redisUrl, api: readRoleUrl(values, 'api'), upstreams: readRoleUrl(values, 'upstreams') }
  const outDir = settings.outDir ?? defaultRunDir(startedAt)
  const selected = variants
    .filter((v) => !settings.variants.length || settings.variants.includes(v.name))
    .map(({ name, parent }) => ({ name, parent }))
  const runs = readNumberFlag(values, 'runs', true) ?? 1
  if (runs < 1 || runs > MAX_RUNS) throw new UsageError(`Flag --runs: got ${runs}; expected an integer from 1 to ${MAX_RUNS}.`)
  const gate = resolveGate(
    values,
    selected.map((v) => v.name),
    settings.connections,
    settings.maxSamples,
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

  if (whatIf && values.predict) return predict(startedAt, scenario, vary, settings, selected, outDir)

  const progress = createProgress()
  let stopStack: (() => Promise<void>) | undefined
  let exiting: Promise<void> | undefined
  /** A --vary or --runs interrupted once: what was measured so far is written (values or runs), the rest marked not measured. */
  let interrupted: number | undefined
  const onSignal = (code: number) => () => {
    if ((vary || runs > 1) && interrupted === undefined) {
      interrupted = code
      progress.note(
        vary
          ? 'Interrupted: stopping the stack; the values measured so far will be written, the others marked not measured. Ctrl-C again stops at once, writing nothing.'
          : 'Interrupted: stopping the stack; the runs measured so far will be written. Ctrl-C again stops at once, writing nothing.',
      )
      void stopStack?.()
      return
    }
    exiting ??= (async () => {
      progress.stop()
      process.stderr.write(`\nInterrupted: stopping everything the lab started; no results are written.\n`)
      await stopStack?.()
      process.exit(code)
    })()
  }
  process.on('SIGINT', onSignal(130))
  process.on('SIGTERM', onSignal(143))

  const page =
    vary?.parameter === 'products' ? `${vary.values.join(', ')} products per page` : `${scenario.productsPerPage} products per page`
  console.error(
    `api-speedup-lab bench: scenario "${scenario.name}", ${page}${settings.quick ? ' (quick run)' : ''}${vary ? `; ${vary.parameter} at ${vary.values.join(', ')}${vary.unit ? ` ${vary.unit}` : ''}, the latency phase at each` : ''}`,
  )
  const faults = describeFaults(scenario)
  if (faults) console.error(`injected faults (off for the correctness check and the warm-up): ${faults}`)
  /** One run on a stack of its own, started for it and stopped after. */
  const measureAt = async (
    at: Scenario,
    runSettings: RunSettings,
    models?: Record<string, ModelOutcome>,
    onModelled?: (outcomes: Record<string, ModelOutcome>) => void,
    runStartedAt = startedAt,
  ): Promise<Results> => {
    const stack: Stack = await startStack(
      at,
      where,
      (message) => progress.note(message),
      (stop) => (stopStack = stop),
    )
    try {
      const role = (name: string, url: string, pid: number | null, host: string) =>
        pid === null ? `${name} at ${url} (host ${host})` : `${name} pid ${pid}`
      const { api, upstreams } = stack.roles
      progress.note(
        `cache: ${stack.redis.description}; ${role('API', api.url, stack.api.pid, api.host.hostname)}, ${role('upstreams', upstreams.url, stack.upstreams.pid, upstreams.host.hostname)}`,
      )
      return await runBench(at, runSettings, stack, progress, runStartedAt, models, onModelled)
    } finally {
      await stack.stop()
    }
  }
  try {
    if (vary) {
      // The latency phase alone at each value: no load levels, no sweep.
      const sampled = settings.quick
        ? {}
        : { latencyBudgetMs: VARY_RUN.latencyBudgetMs, minSamples: VARY_RUN.minSamples, maxSamples: VARY_RUN.maxSamples }
      const measure: WhatIfRequest['measure'] = async ({ scenario: at, value, variants: measuring, models }) => {
        const where = `${vary.parameter} = ${value}${vary.unit ? ` ${vary.unit}` : ''}`
        if (interrupted !== undefined) return { failed: 'not measured: the run was interrupted (Ctrl-C) before this value' }
        progress.note(`${where}: a stack of its own`)
        try {
          // The reference request alone: the mix's sample would cost each value its time, and a what-if reads p50 against the floor.
          const single = resolveScenario(at, { traffic: { kind: 'single' } })
          return await measureAt(
            single,
            { ...settings, ...sampled, variants: measuring, connections: [...VARY_RUN.connections], sweep: false },
            models,
          )
        } catch (error) {
          // One value that cannot be measured (its stack did not start, a variant answered 504) does not cost the others.
          const why =
            interrupted !== undefined
              ? 'not measured: the run was interrupted (Ctrl-C) while this value was measured'
              : error instanceof CorrectnessError
                ? `not measured: the correctness check failed: ${error.message}`
                : `not measured: ${(error as Error).message}`
          progress.note(`${where}: ${why}`)
          return { failed: why }
        }
      }
      const measured = await runWhatIf({
        startedAt,
        quick: settings.quick,
        modelJitter: settings.modelJitter,
        variants: selected,
        scenario,
        vary,
        measure,
      })
      progress.stop()
      const code = await writeWhatIf(measured, startedAt, outDir)
      return interrupted ?? code
    }
    const measured: Results[] = []
    let failedRun: string | undefined
    // The model is the code's, the same in every run: derived once, in the first.
    let models: Record<string, ModelOutcome> | undefined
    for (let run = 1; run <= runs && interrupted === undefined; run++) {
      if (runs > 1) progress.note(`run ${run} of ${runs}: a stack of its own`)
      try {
        // The first run from the command's start (its duration includes loading the lab), the others from their own.
        measured.push(await measureAt(scenario, settings, models, (outcomes) => (models = outcomes), run === 1 ? startedAt : new Date()))
      } catch (error) {
        // Ctrl-C once during a run: the runs measured before it are written; so they are when a later run fails.
        if (interrupted !== undefined) continue
        if (measured.length === 0) throw error
        failedRun = `Run ${run} of ${runs} failed, so the runs stopped there: ${(error as Error).message}`
        progress.note(failedRun)
        break
      }
    }
    if (measured.length === 0) {
      process.stderr.write('\nInterrupted before the first run was measured: no results are written.\n')
      return interrupted ?? 130
    }
    progress.stop()
    const results = combineRuns(measured, runs, interrupted !== undefined, failedRun)
    results.durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 100) / 10
    results.comparison = baseline
      ? compareResults(baseline.results, results, {
          noisePercent: gate.noisePercent,
          baselinePath: baseline.path,
          currentPath: join(outDir, 'results.json'),
        })
      : null
    results.thresholds = checkThresholds(results, gate.thresholds)
    const schemaProblem = await writeRun(outDir, results, {
      'report.html': await renderReport(results),
      'summary.md': renderSummaryMarkdown(results),
    })
    if (schemaProblem) console.error(`\nWARNING (a bug in the lab, please report it): ${schemaProblem}`)
    console.log(renderTerminalSummary(results))
    const shown = relative(process.cwd(), outDir) || '.'
    console.log(`\nWrote ${shown}/report.html, summary.md and results.json in ${formatDuration(results.durationSeconds * 1000)}.`)
    return interrupted ?? exitCode(results.valid, gate, results.comparison, results.thresholds)
  } finally {
    progress.stop()
  }
}

/**
 * The runs of a --runs N as one results.json: the first run's figures in full (the report's
 * tables and charts), every run's own figures in `runs`, valid only when every run was, and
 * each run's problems named by its run.
 */
function combineRuns(measured: Results[], asked: number, interrupted: boolean, failed?: string): Results {
  const [first] = measured
  if (!first) throw new Error('No run was measured.')
  const last = measured[measured.length - 1]!
  const problems = measured.flatMap((r, i) => r.problems.map((problem) => (measured.length > 1 ? `Run ${i + 1}: ${problem}` : problem)))
  if (interrupted && measured.length < asked)
    problems.push(`Interrupted (Ctrl-C) after ${measured.length} of ${asked} runs: the comparison has fewer runs than asked.`)
  if (failed) problems.push(failed)
  return {
    ...first,
    finishedAt: last.finishedAt,
    valid: measured.every((r) => r.valid) && !(interrupted && measured.length < asked) && !failed,
    problems,
    run: { ...first.run, runs: measured.length },
    cacheOutages: measured.flatMap((r, i) =>
      r.cacheOutages.map((outage) => (measured.length > 1 ? { ...outage, step: `run ${i + 1}: ${outage.step}` } : outage)),
    ),
    runs: measured.flatMap((r) => r.runs),
  }
}

/** --predict: the model alone, at one scenario or at each value of --vary; nothing is started but the model's own process. */
async function predict(
  startedAt: Date,
  scenario: Scenario,
  vary: Vary | undefined,
  settings: RunSettings,
  variants: VariantInfo[],
  outDir: string,
): Promise<number> {
  // Exiting kills the model process (lab-process.ts), even one stuck in a loop that never yields.
  process.on('SIGINT', () => process.exit(130))
  process.on('SIGTERM', () => process.exit(143))
  const page = vary?.parameter === 'products' ? '' : `, ${scenario.productsPerPage} products per page${settings.quick ? ' (quick)' : ''}`
  console.error(
    `api-speedup-lab bench --predict: scenario "${scenario.name}"${page}${vary ? `, ${vary.parameter} at ${vary.values.join(', ')}` : ''}; nothing is measured`,
  )
  const predicted = await runWhatIf({
    startedAt,
    quick: settings.quick,
    modelJitter: settings.modelJitter,
    variants,
    scenario,
    vary,
    measure: undefined,
  })
  return writeWhatIf(predicted, startedAt, outDir)
}

async function writeWhatIf(whatIf: WhatIf, startedAt: Date, outDir: string): Promise<number> {
  whatIf.durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 100) / 10
  const schemaProblem = await writeRun(outDir, whatIf, {
    'report.html': await renderWhatIfReport(whatIf),
    'summary.md': renderWhatIfMarkdown(whatIf),
  })
  if (schemaProblem) console.error(`\nWARNING (a bug in the lab, please report it): ${schemaProblem}`)
  console.log(renderWhatIfTerminal(whatIf))
  const shown = relative(process.cwd(), outDir) || '.'
  console.log(`\nWrote ${shown}/report.html, summary.md and results.json in ${formatDuration(whatIf.durationSeconds * 1000)}.`)
  return whatIf.valid ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message)
      process.exit(2)
    }
    if (error instanceof RoleError) {
      console.error(`\nA role could not be used, nothing was measured:\n${error.message}`)
      process.exit(EXIT.role)
    }
    if (error instanceof CorrectnessError) {
      console.error(`\nCorrectness check failed, nothing was measured or charted:\n${error.message}`)
      process.exit(1)
    }
    console.error(`\nThe run failed: ${(error as Error).message}`)
    process.exit(1)
  },
)
