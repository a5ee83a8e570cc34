/**
 * `npm run bench -- [flags]`: measures every variant and writes results.json, report.html
 * and summary.md. Processes: this one runs the harness (correctness check, tinybench,
 * autocannon); the API under test and the mocked upstreams each run in a child process;
 * Redis is a redis-server child (or REDIS_URL). Ctrl-C stops them all.
 */
import { relative } from 'node:path'
import { parseFlags, renderHelp, UsageError, type FlagSpec } from './cli/flags.ts'
import { createProgress } from './cli/progress.ts'
import { DEFAULT_RUN, QUICK_RUN, resolveRunSettings } from './cli/run-settings.ts'
import { resolveScenarioFromFlags, SCENARIO_FLAGS } from './cli/scenario-flags.ts'
import { CorrectnessError } from './measure/check-correctness.ts'
import { runBench } from './measure/run-bench.ts'
import { formatDuration } from './record/format.ts'
import { defaultRunDir, writeRun } from './record/write-results.ts'
import { renderSummaryMarkdown } from './report/render-markdown.ts'
import { renderReport } from './report/render-report.ts'
import { renderTerminalSummary } from './report/render-terminal.ts'
import { describeFaults } from './report/report-model.ts'
import { startStack } from './stack/start-stack.ts'
import { loadVariants } from '../variants/shared/load-variants.ts'

const FLAGS = {
  quick: { type: 'boolean', help: `a small, fast run for CI and a first look (${QUICK_RUN.productsPerPage} products per page unless --products, fewer samples, ${QUICK_RUN.durationSeconds} s load levels)` },
  sweep: { type: 'boolean', help: 'also sweep each variant at fixed request rates around its predicted saturation (peak load; adds a few minutes)' },
  variants: { type: 'string', value: 'LIST', help: 'variants to measure, comma-separated (default: all)' },
  connections: { type: 'string', value: 'LIST', help: `load levels, comma-separated (default ${DEFAULT_RUN.connections.join(',')}; quick ${QUICK_RUN.connections.join(',')})` },
  duration: { type: 'string', value: 'S', help: `seconds per load level (default ${DEFAULT_RUN.durationSeconds}; quick ${QUICK_RUN.durationSeconds})` },
  out: { type: 'string', value: 'DIR', help: 'where to write results (default results/<timestamp>/, also reachable as results/latest)' },
  ...SCENARIO_FLAGS,
} satisfies Record<string, FlagSpec>

const USAGE = `Usage: npm run bench -- [flags]

Measures the variants in variants/ against the mocked upstreams: correctness first, then
what each should cost (its own code run in virtual time), then latency one request at a
time (tinybench), throughput under load (autocannon) and, with --sweep, peak hours at
fixed request rates.`

async function main(): Promise<number> {
  const startedAt = new Date()
  const values = parseFlags(process.argv.slice(2), FLAGS)
  if (values.help) {
    console.log(renderHelp(USAGE, FLAGS))
    return 0
  }
  // Everything is validated before anything starts.
  const quickPage = values.quick && values.products === undefined ? { products: String(QUICK_RUN.productsPerPage) } : {}
  const scenario = await resolveScenarioFromFlags({ ...values, ...quickPage })
  const variants = await loadVariants()
  const settings = resolveRunSettings(values, variants.map((v) => v.name))
  const redisUrl = typeof values['redis-url'] === 'string' ? values['redis-url'] : process.env.REDIS_URL
  const outDir = settings.outDir ?? defaultRunDir(startedAt)

  const progress = createProgress()
  let stopStack: (() => Promise<void>) | undefined
  let exiting: Promise<void> | undefined
  const onSignal = (code: number) => () => {
    exiting ??= (async () => {
      progress.stop()
      process.stderr.write(`\nInterrupted: stopping everything the lab started; no results are written.\n`)
      await stopStack?.()
      process.exit(code)
    })()
  }
  process.on('SIGINT', onSignal(130))
  process.on('SIGTERM', onSignal(143))

  console.error(`api-speedup-lab bench: scenario "${scenario.name}", ${scenario.productsPerPage} products per page${settings.quick ? ' (quick run)' : ''}`)
  const faults = describeFaults(scenario)
  if (faults) console.error(`injected faults (off for the correctness check and the warm-up): ${faults}`)
  const stack = await startStack(scenario, redisUrl, (message) => progress.note(message), (stop) => (stopStack = stop))
  try {
    progress.note(`cache: ${stack.redis.description}; API pid ${stack.api.pid}, upstreams pid ${stack.upstreams.pid}`)
    const results = await runBench(scenario, settings, stack, progress, startedAt)
    progress.stop()
    await stack.stop()
    results.durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 100) / 10
    const schemaProblem = await writeRun(outDir, results, { 'report.html': await renderReport(results), 'summary.md': renderSummaryMarkdown(results) })
    if (schemaProblem) console.error(`\nWARNING (a bug in the lab, please report it): ${schemaProblem}`)
    console.log(renderTerminalSummary(results))
    const shown = relative(process.cwd(), outDir) || '.'
    console.log(`\nWrote ${shown}/report.html, summary.md and results.json in ${formatDuration(results.durationSeconds * 1000)}.`)
    return results.valid ? 0 : 1
  } finally {
    progress.stop()
    await stack.stop()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message)
      process.exit(2)
    }
    if (error instanceof CorrectnessError) {
      console.error(`\nCorrectness check failed, nothing was measured or charted:\n${error.message}`)
      process.exit(1)
    }
    console.error(`\nThe run failed: ${(error as Error).message}`)
    process.exit(1)
  },
)
