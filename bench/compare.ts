/**
 * `npm run compare -- A B [flags]`: compares two saved runs without measuring anything: B
 * against A, variant by variant (by name) and figure by figure, with the same statistics
 * and verdicts as `npm run bench -- --baseline A`, and the same gate (--fail-on regressed,
 * --threshold, checked on B). A and B: a run's directory, its results.json, or latest.
 */
import { writeFile } from 'node:fs/promises'
import { parseFlags, renderHelp, UsageError, type FlagSpec } from './cli/flags.ts'
import { EXIT, exitCode, GATE_FLAGS, resolveGate } from './gate.ts'
import { checkThresholds, compareResults, incomparable } from './compare/compare-runs.ts'
import { SCHEMA_VERSION, type Results } from './record/results.ts'
import { readSavedRun } from './record/write-results.ts'
import { comparisonMarkdown, comparisonTerminal, thresholdLines } from './report/render-comparison.ts'

const FLAGS = {
  ...GATE_FLAGS,
  markdown: {
    type: 'string',
    value: 'FILE',
    help: 'also write the comparison as Markdown (a table, fit for a pull request comment) to FILE',
  },
} satisfies Record<string, FlagSpec>

const USAGE = `Usage: npm run compare -- A B [flags]

Compares the saved run B against the saved run A without measuring: for each variant in
both, each figure's change (the ratio of medians over the runs, with a bootstrap 95 %
interval), an exact Mann–Whitney U test on the per-run values, and a verdict: regressed,
improved, no change or inconclusive (too few runs below 4 a side). A load level that was
lab-bound in a run on either side is not judged ("lab-bound": the machine's figures, not
the code's). A and B: a run's directory, its results.json, or latest.

Exit codes: 0 compared; 2 a bad flag, or A or B cannot be read or compared; ${EXIT.regressed} with
--fail-on regressed when a figure regressed; ${EXIT.threshold} when a --threshold failed.`

async function main(): Promise<number> {
  // A and B are the two words that are not flags (nor a flag's value).
  const flags: string[] = []
  const positional: string[] = []
  const argv = process.argv.slice(2)
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--')) positional.push(arg)
    else {
      flags.push(arg)
      const spec = FLAGS[arg.slice(2) as keyof typeof FLAGS] as FlagSpec | undefined
      if (spec?.type === 'string' && !arg.includes('=') && i + 1 < argv.length) flags.push(argv[++i]!)
    }
  }
  const values = parseFlags(flags, FLAGS)
  if (values.help) {
    console.log(renderHelp(USAGE, FLAGS))
    return 0
  }
  if (positional.length !== 2)
    throw new UsageError(
      `Expected two saved runs, A and B; got ${positional.length}${positional.length ? ` (${positional.join(' ')})` : ''}. See --help.`,
    )
  const [a, b] = positional as [string, string]
  const read = async (where: string, label: string): Promise<{ path: string; results: Results }> =>
    readSavedRun(where, (saved) => incomparable(saved, { schemaVersion: SCHEMA_VERSION, kind: 'run' }, SCHEMA_VERSION)).catch(
      (error: Error) => {
        throw new UsageError(`${label}: ${error.message}`)
      },
    )
  const baseline = await read(a, 'A')
  const current = await read(b, 'B')
  const gate = await resolveGate(values, Object.keys(current.results.variants), current.results.run.connections, Number.POSITIVE_INFINITY)
  const comparison = compareResults(baseline.results, current.results, {
    noise: gate.noise,
    detect: gate.detect,
    failOnRegressed: gate.failOnRegressed,
    baselinePath: baseline.path,
    currentPath: current.path,
  })
  const thresholds = checkThresholds(current.results, gate.thresholds)
  console.log(comparisonTerminal(comparison).join('\n'))
  for (const line of thresholdLines(thresholds)) console.log(line)
  if (typeof values.markdown === 'string') {
    const escape = (text: string) => text.replace(/[\\`*_{}[\]<>|#]/g, (char) => `\\${char}`)
    await writeFile(
      values.markdown,
      [...comparisonMarkdown(comparison, escape), ...thresholdLines(thresholds).map((line) => `- ${escape(line)}`)].join('\n'),
    )
  }
  if (!current.results.valid) console.error(`B is not a valid run: ${current.results.problems.join('; ')}`)
  return exitCode(current.results.valid, gate, comparison, thresholds)
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message)
      process.exit(EXIT.usage)
    }
    console.error(`The comparison failed: ${(error as Error).message}`)
    process.exit(EXIT.invalid)
  },
)
