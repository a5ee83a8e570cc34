/**
 * `npm run test:repeat -- N [vitest args…]`: runs the test suite N times in a row, as CI runs it
 * (CI=true, the workers vitest.config.ts sets), and prints each file's pass count, the files that
 * failed at least once first: a flaky test shows as 4/5, never as "it passed when I ran it". Each
 * run's JSON report (vitest's own reporter) is read; nothing is parsed from the terminal. Then the
 * files the time goes to: each file's median wall time over the runs, hooks included
 * (file-times-reporter.ts), the slowest first.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median } from '../bench/measure/stats.ts'
import { FILE_TIMES_ENV } from './file-times-reporter.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MAX_RUNS = 20
const TIMES_REPORTER = fileURLToPath(new URL('./file-times-reporter.ts', import.meta.url))

function main(): number {
  const [count, ...extra] = process.argv.slice(2)
  const runs = Number(count ?? '5')
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) {
    console.error(`npm run test:repeat -- N [vitest args…]: got N = "${count}"; expected an integer from 1 to ${MAX_RUNS}.`)
    return 2
  }
  const dir = mkdtempSync(join(tmpdir(), 'lab-repeat-'))
  let secondsByFile = new Map<string, number[]>()
  const passed = new Map<string, number>()
  const seen = new Map<string, number>()
  const failures: string[] = []
  const times = join(dir, 'times.tsv')
  try {
    for (let run = 1; run <= runs; run++) {
      const report = join(dir, `run-${run}.json`)
      const started = Date.now()
      const result = spawnSync(
        'npx',
        ['vitest', 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`, `--reporter=${TIMES_REPORTER}`, ...extra],
        { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CI: 'true', [FILE_TIMES_ENV]: times } },
      )
      const files = (
        JSON.parse(readFileSync(report, 'utf8')) as {
          testResults: Array<{ name: string; status: string; assertionResults: Array<{ fullName: string; status: string }> }>
        }
      ).testResults
      for (const file of files) {
        const name = relative(ROOT, file.name)
        seen.set(name, (seen.get(name) ?? 0) + 1)
        if (file.status === 'passed') passed.set(name, (passed.get(name) ?? 0) + 1)
        else
          failures.push(
            `run ${run}: ${name}: ${
              file.assertionResults
                .filter((t) => t.status === 'failed')
                .map((t) => t.fullName)
                .join('; ') || file.status
            }`,
          )
      }
      console.log(`\nRun ${run} of ${runs}: exit ${result.status}, ${Math.round((Date.now() - started) / 1000)} s`)
    }
    secondsByFile = readTimes(times)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const rows = [...seen]
    .map(([name, n]) => ({ name, n, ok: passed.get(name) ?? 0 }))
    .sort((a, b) => a.ok / a.n - b.ok / b.n || a.name.localeCompare(b.name))
  console.log(`\nEach file's pass count over ${runs} run${runs === 1 ? '' : 's'}:`)
  for (const { name, n, ok } of rows) console.log(`${ok === n ? '  ' : '✗ '}${String(ok).padStart(2)}/${n}  ${name}`)
  if (failures.length) console.log(`\nFailures:\n${failures.map((f) => `  ${f}`).join('\n')}`)
  printTimes(secondsByFile)
  return rows.every((r) => r.ok === r.n) ? 0 : 1
}

/** Each file's wall times, one per run, from the reporter's lines. */
function readTimes(file: string): Map<string, number[]> {
  const byFile = new Map<string, number[]>()
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []
  for (const line of lines.filter(Boolean)) {
    const [seconds, name] = line.split('\t') as [string, string]
    byFile.set(name, [...(byFile.get(name) ?? []), Number(seconds)])
  }
  return byFile
}

/** The files the suite's time goes to: the median of each file's wall times, the slowest first, and the sum. */
function printTimes(byFile: Map<string, number[]>): void {
  const rows = [...byFile]
    .map(([name, seconds]) => ({ name, median: median(seconds), n: seconds.length }))
    .sort((a, b) => b.median - a.median)
  if (rows.length === 0) return
  const total = rows.reduce((sum, r) => sum + r.median, 0)
  console.log(
    `\nWhere the time goes (each file's median wall time, hooks included; ${Math.round(total)} s of files in all, run two at a time):`,
  )
  for (const { name, median: s, n } of rows.filter((r) => r.median >= 1))
    console.log(`${s.toFixed(1).padStart(7)} s  ${name}${n < 2 ? '' : ` (${n} runs)`}`)
}

process.exit(main())
