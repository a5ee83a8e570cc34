/**
 * `npm run test:repeat -- N [vitest args…]`: runs the test suite N times in a row, as CI runs it
 * (CI=true, the workers vitest.config.ts sets), and prints each file's pass count, the files that
 * failed at least once first: a flaky test shows as 4/5, never as "it passed when I ran it". Each
 * run's JSON report (vitest's own reporter) is read; nothing is parsed from the terminal.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MAX_RUNS = 20

function main(): number {
  const [count, ...extra] = process.argv.slice(2)
  const runs = Number(count ?? '5')
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) {
    console.error(`npm run test:repeat -- N [vitest args…]: got N = "${count}"; expected an integer from 1 to ${MAX_RUNS}.`)
    return 2
  }
  const dir = mkdtempSync(join(tmpdir(), 'lab-repeat-'))
  const passed = new Map<string, number>()
  const seen = new Map<string, number>()
  const failures: string[] = []
  try {
    for (let run = 1; run <= runs; run++) {
      const report = join(dir, `run-${run}.json`)
      const started = Date.now()
      const result = spawnSync('npx', ['vitest', 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`, ...extra], {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, CI: 'true' },
      })
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
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const rows = [...seen]
    .map(([name, n]) => ({ name, n, ok: passed.get(name) ?? 0 }))
    .sort((a, b) => a.ok / a.n - b.ok / b.n || a.name.localeCompare(b.name))
  console.log(`\nEach file's pass count over ${runs} run${runs === 1 ? '' : 's'}:`)
  for (const { name, n, ok } of rows) console.log(`${ok === n ? '  ' : '✗ '}${String(ok).padStart(2)}/${n}  ${name}`)
  if (failures.length) console.log(`\nFailures:\n${failures.map((f) => `  ${f}`).join('\n')}`)
  return rows.every((r) => r.ok === r.n) ? 0 : 1
}

process.exit(main())
