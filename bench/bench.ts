/**
 * `npm run bench -- [flags]`: measures every variant and writes results.json, report.html
 * and summary.md. Processes: this one runs the harness (correctness check, tinybench,
 * autocannon); the API under test and the mocked upstreams each run in a child process;
 * Redis is a redis-server child (or REDIS_URL). Ctrl-C stops them all. With --api and
 * --upstreams, those roles run where their URLs say, and only the harness runs here.
 *
 * One run flows one way: the request (flags, checked before anything starts) → the
 * measurement (runs.ts: each run on a stack of its own; what-if.ts for --predict and --vary)
 * → the finishing step (comparison, thresholds, schema, frozen) → the renderings → the files.
 */
import { relative } from 'node:path'
import { resolveBenchRequest, type BenchRequest } from './bench-request.ts'
import { UsageError } from './cli/flags.ts'
import { createProgress, type Progress } from './cli/progress.ts'
import { finishAa, finishRun, finishWhatIf } from './finish.ts'
import { EXIT, exitCode } from './gate.ts'
import { CorrectnessError } from './measure/check-correctness.ts'
import { combineRuns } from './measure/combine-runs.ts'
import { measureEachValue, measureRuns, type Interruption } from './measure/runs.ts'
import { runWhatIf } from './measure/what-if.ts'
import { aaLoop, splitAa, untilDetected, withAuto } from './runs-compared.ts'
import { formatDuration } from './record/format.ts'
import type { Results, WhatIf } from './record/results.ts'
import { writeRun, type RunFiles } from './record/write-results.ts'
import { renderSummaryMarkdown } from './report/render-markdown.ts'
import { renderReport } from './report/render-report.ts'
import { renderTerminalSummary } from './report/render-terminal.ts'
import { renderWhatIfMarkdown, renderWhatIfReport, renderWhatIfTerminal } from './report/render-what-if.ts'
import { targetUnit } from './report/render-comparison.ts'
import { describeFaults } from './report/report-rows.ts'
import { RoleError } from './stack/remote-roles.ts'
import { startTraceFile } from '../lab-api/trace-file.ts'

async function main(): Promise<number> {
  // From the process's start, so a run's duration includes loading the lab.
  const request = await resolveBenchRequest(process.argv.slice(2), new Date(performance.timeOrigin))
  if ('help' in request) {
    console.log(request.help)
    return 0
  }
  if (request.predict) {
    // Exiting kills the model process (lab-process.ts), even one stuck in a loop that never yields.
    process.on('SIGINT', () => process.exit(130))
    process.on('SIGTERM', () => process.exit(143))
    console.error(announce(request))
    return write(finishWhatIf(await runWhatIf(whatIfOf(request)), request.startedAt), request)
  }
  const progress = createProgress()
  const interruption = stopOnSignals(request, progress)
  if (request.settings.trace?.dir) startTraceFile(request.settings.trace.dir)
  console.error(announce(request))
  try {
    if (request.vary) {
      const measure = measureEachValue({ ...request, vary: request.vary }, progress, interruption)
      const measured = await runWhatIf({ ...whatIfOf(request), measure })
      progress.stop()
      const code = await write(finishWhatIf(measured, request.startedAt), request)
      return interruption.code ?? code
    }
    const loop = request.auto ? untilDetected(request, progress) : request.aa ? aaLoop(request.runs) : {}
    const runs = await measureRuns({ ...request, runs: request.aa ? 2 * request.runs : request.runs }, progress, interruption, loop)
    if (runs.measured.length === 0) {
      process.stderr.write('\nInterrupted before the first run was measured: no results are written.\n')
      return interruption.code ?? 130
    }
    progress.stop()
    const interrupted = interruption.code !== undefined
    const finished = request.aa
      ? finishAa(splitAa(runs, request.runs, interrupted), request)
      : request.auto
        ? finishRun(withAuto(combineRuns(runs, 'enough', interrupted), request, runs, interrupted), request)
        : finishRun(combineRuns(runs, request.runs, interrupted), request)
    const code = await write(finished, request)
    return interruption.code ?? code
  } finally {
    progress.stop()
  }
}

/** The first line: what is measured, at which scenario; and the injected faults, if any. */
function announce({ scenario, settings, vary, predict, auto, aa, runs, gate }: BenchRequest): string {
  const page =
    vary?.parameter === 'products' ? `${vary.values.join(', ')} products per page` : `${scenario.productsPerPage} products per page`
  const varying = vary ? `; ${vary.parameter} at ${vary.values.join(', ')}${vary.unit ? ` ${vary.unit}` : ''}` : ''
  if (predict) {
    const shape = vary?.parameter === 'products' ? '' : `, ${scenario.productsPerPage} products per page${settings.quick ? ' (quick)' : ''}`
    return `api-speedup-lab bench --predict: scenario "${scenario.name}"${shape}${vary ? `, ${vary.parameter} at ${vary.values.join(', ')}` : ''}; nothing is measured`
  }
  const faults = describeFaults(scenario)
  return [
    `api-speedup-lab bench: scenario "${scenario.name}", ${page}${settings.quick ? ' (quick run)' : ''}${vary ? `${varying}, the latency phase at each` : ''}`,
    ...(faults ? [`injected faults (off for the correctness check and the warm-up): ${faults}`] : []),
    ...(auto
      ? [
          `--runs auto: runs are added until the comparison could call a change of ${gate.detect.percent === undefined ? "twice each figure's T" : `${gate.detect.percent}${targetUnit(gate.detect.on)}`} on ${gate.detect.on.join(', ')} of every variant, at most ${runs} runs`,
        ]
      : []),
    ...(aa
      ? [`--aa: the same code as two interleaved sets of ${runs} runs (${2 * runs} runs, A B B A …), compared; noise.json written`]
      : []),
  ].join('\n')
}

function whatIfOf(request: BenchRequest) {
  const { startedAt, settings, variants, scenario, vary } = request
  return { startedAt, quick: settings.quick, modelJitter: settings.modelJitter, variants, scenario, vary, measure: undefined }
}

/**
 * Ctrl-C (130) or SIGTERM (143). During a --vary or a --runs, the first one stops the stack and
 * what was measured so far is written; otherwise, or the second time, everything the lab started
 * is stopped at once and nothing is written.
 */
function stopOnSignals({ vary, runs, auto, aa }: BenchRequest, progress: Progress): Interruption {
  let stopStack: (() => Promise<void>) | undefined
  let exiting: Promise<void> | undefined
  let code: number | undefined
  const onSignal = (signalCode: number) => () => {
    if ((vary || runs > 1 || auto || aa) && code === undefined) {
      code = signalCode
      const kept = vary
        ? 'the values measured so far will be written, the others marked not measured'
        : 'the runs measured so far will be written'
      progress.note(`Interrupted: stopping the stack; ${kept}. Ctrl-C again stops at once, writing nothing.`)
      void stopStack?.()
      return
    }
    exiting ??= (async () => {
      progress.stop()
      process.stderr.write(`\nInterrupted: stopping everything the lab started; no results are written.\n`)
      await stopStack?.()
      process.exit(signalCode)
    })()
  }
  process.on('SIGINT', onSignal(130))
  process.on('SIGTERM', onSignal(143))
  return {
    get code() {
      return code
    },
    stopWith: (stop) => (stopStack = stop),
  }
}

/** Every rendering of sealed results at once: report.html and summary.md (written beside results.json), and the terminal's summary. */
async function renderOutputs(results: Results | WhatIf): Promise<{ files: RunFiles; terminal: string }> {
  if (results.kind === 'what-if') {
    return {
      files: { 'report.html': await renderWhatIfReport(results), 'summary.md': renderWhatIfMarkdown(results) },
      terminal: renderWhatIfTerminal(results),
    }
  }
  return {
    files: { 'report.html': await renderReport(results), 'summary.md': renderSummaryMarkdown(results) },
    terminal: renderTerminalSummary(results),
  }
}

/** Renders the sealed results, writes them (results.json last), prints the terminal's summary, and says the exit code. */
async function write(
  { results, schemaProblem, data }: { results: Results | WhatIf; schemaProblem: string | undefined; data?: Record<string, unknown> },
  request: BenchRequest,
): Promise<number> {
  const { files, terminal } = await renderOutputs(results)
  await writeRun(request.outDir, results, files, data)
  if (schemaProblem) console.error(`\nWARNING (a bug in the lab, please report it): ${schemaProblem}`)
  console.log(terminal)
  const shown = relative(process.cwd(), request.outDir) || '.'
  console.log(`\nWrote ${shown}/report.html, summary.md and results.json in ${formatDuration(results.durationSeconds * 1000)}.`)
  if (results.kind === 'what-if') return results.valid ? EXIT.ok : EXIT.invalid
  return exitCode(results.valid, request.gate, results.comparison, results.thresholds)
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message)
      process.exit(EXIT.usage)
    }
    if (error instanceof RoleError) {
      console.error(`\nA role could not be used, nothing was measured:\n${error.message}`)
      process.exit(EXIT.role)
    }
    if (error instanceof CorrectnessError) {
      console.error(`\nCorrectness check failed, nothing was measured or charted:\n${error.message}`)
      process.exit(EXIT.invalid)
    }
    console.error(`\nThe run failed: ${(error as Error).message}`)
    process.exit(EXIT.invalid)
  },
)
