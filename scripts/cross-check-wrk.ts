/**
 * `npm run cross-check-wrk -- [--seconds S]`: the lab's load figures against wrk's, on the
 * same endpoint (`parallel`, warm, default scenario) at 10 and 50 connections: throughput
 * and p50 should agree within 5 %, p99 within 10 %. wrk is a C load generator with its own
 * timing (Debian: apt-get install wrk); a difference beyond that is the lab's error, not the
 * code's. Each level runs both tools twice, in the order lab, wrk, wrk, lab, and compares
 * each tool's mean of its two runs: a machine that drifts during the level (a neighbour, a
 * heap growing) then weighs on both alike. Prints each figure side by side with ✓ or ✗;
 * exits 1 when wrk is missing.
 *
 * wrk's output is parsed here: no package wraps it, and its summary is a few stable lines.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { parseArgs } from 'node:util'
import { measureLoadLevel } from '../bench/measure/load-phase.ts'
import { othersCpuPercent } from '../bench/measure/self-check.ts'
import { formatMs, round } from '../bench/record/format.ts'
import { startStack, type Stack } from '../bench/stack/start-stack.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'

const run = promisify(execFile)
const values = (() => {
  try {
    return parseArgs({ options: { seconds: { type: 'string' }, help: { type: 'boolean' } }, strict: true }).values
  } catch (error) {
    console.error(`${(error as Error).message} See --help.`)
    process.exit(2)
  }
})()
if (values.help) {
  console.log(
    'Usage: npm run cross-check-wrk -- [--seconds S]\n\nThe lab (autocannon) against wrk on parallel, warm, at 10 and 50 connections, S seconds each (default 5).',
  )
  process.exit(0)
}
const seconds = Number(values.seconds ?? 5)
if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) {
  console.error(`--seconds: got "${values.seconds}"; expected an integer from 1 to 60.`)
  process.exit(2)
}
const PATH = '/products?page=1&limit=50'
const LEVELS = [10, 50]

/** wrk's latency with its unit ("812.00us", "1.23ms", "1.01s") in ms. */
function wrkMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim())
  if (!match) throw new Error(`wrk printed a latency the script cannot read: "${text}"`)
  const value = Number(match[1])
  return value * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm']
}

/** Requests per second and the p50 and p99 of `wrk --latency`'s summary. */
function parseWrk(output: string): { perSec: number; p50Ms: number; p99Ms: number; errors: string | null } {
  const perSec = /Requests\/sec:\s+([\d.]+)/.exec(output)
  const p50 = /^\s+50%\s+(\S+)/m.exec(output)
  const p99 = /^\s+99%\s+(\S+)/m.exec(output)
  if (!perSec || !p50 || !p99) throw new Error(`wrk's output lacks Requests/sec or the latency distribution:\n${output}`)
  const errors = /(Socket errors:.*|Non-2xx or 3xx responses:.*)/.exec(output)?.[1] ?? null
  return { perSec: Number(perSec[1]), p50Ms: wrkMs(p50[1]!), p99Ms: wrkMs(p99[1]!), errors }
}

let stack: Stack | undefined
const stop = async (code: number): Promise<never> => {
  await stack?.stop()
  process.exit(code)
}
process.on('SIGINT', () => void stop(130))
process.on('SIGTERM', () => void stop(143))

try {
  await run('wrk', ['--version']).catch((error: NodeJS.ErrnoException) => {
    // wrk --version exits 1 after printing its version; only a missing binary is an error.
    if (error.code === 'ENOENT') throw new Error('wrk is not installed (Debian: apt-get install wrk).')
  })
  const scenario = resolveScenario()
  stack = await startStack(scenario, { redisUrl: process.env.REDIS_URL }, (message) => console.error(message))
  const { api, upstreams } = stack
  const url = `${api.url}/parallel${PATH}`
  const reference = await (await fetch(url)).text()
  const context = { api, upstreams, path: PATH, reference, redisPid: stack.redis.pid }
  // Both tools meet warm code: one short level first.
  await measureLoadLevel(context, 'parallel', 50, { requestsPerConnection: 2 })
  console.log(
    `The lab (autocannon, in the harness) against wrk (-t1), parallel warm, ${seconds} s per run, each tool's mean of two runs in the order lab, wrk, wrk, lab; cache: ${stack.redis.description}\n`,
  )
  const rows: string[][] = [['connections', 'figure', 'lab', 'wrk', 'lab vs wrk', 'within']]
  let agreed = true
  for (const connections of LEVELS) {
    const runLab = () => measureLoadLevel(context, 'parallel', connections, { durationSeconds: seconds })
    const runWrk = async () =>
      parseWrk((await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '10s', url])).stdout)
    const labRuns = [await runLab()]
    const wrkRuns = [await runWrk(), await runWrk()]
    labRuns.push(await runLab())
    const mean = <T>(runs: T[], figure: (run: T) => number) => runs.reduce((sum, one) => sum + figure(one), 0) / runs.length
    const lab = {
      requestsPerSec: mean(labRuns, (one) => one.requestsPerSec),
      p50Ms: mean(labRuns, (one) => one.p50Ms),
      p99Ms: mean(labRuns, (one) => one.p99Ms ?? one.maxMs),
    }
    const wrk = {
      perSec: mean(wrkRuns, (one) => one.perSec),
      p50Ms: mean(wrkRuns, (one) => one.p50Ms),
      p99Ms: mean(wrkRuns, (one) => one.p99Ms),
    }
    const compare = (figure: string, ours: number, theirs: number, tolerance: number, format: (n: number) => string) => {
      const percent = theirs > 0 ? ((ours - theirs) / theirs) * 100 : 0
      const ok = Math.abs(percent) <= tolerance
      agreed &&= ok
      rows.push([
        String(connections),
        figure,
        format(ours),
        format(theirs),
        `${percent >= 0 ? '+' : '−'}${Math.abs(round(percent, 1))} %`,
        `${ok ? '✓' : '✗'} ±${tolerance} %`,
      ])
    }
    compare('answers/s', lab.requestsPerSec, wrk.perSec, 5, (n) => n.toFixed(1))
    compare('p50', lab.p50Ms, wrk.p50Ms, 5, formatMs)
    compare('p99', lab.p99Ms, wrk.p99Ms, 10, formatMs)
    for (const { errors } of wrkRuns) if (errors) console.log(`wrk at ${connections} connections: ${errors}`)
    for (const { selfCheck } of labRuns)
      if (selfCheck.labBound.length) console.log(`A lab run at ${connections} connections was lab-bound: ${selfCheck.labBound.join('; ')}`)
    // What else ran beside the lab's runs: a disagreement on a busy machine is the machine's, not the code's.
    const others = labRuns.map(({ selfCheck }) => othersCpuPercent(selfCheck))
    if (others.every((percent) => percent !== null))
      console.log(
        `Beside the lab at ${connections} connections: ${Math.round(Math.max(...(others as number[])))} % of a core used by other processes (the busier of the lab's two runs).`,
      )
  }
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((row) => row[k]!.length)))
  for (const row of rows) console.log(row.map((cell, k) => (k < 2 ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!))).join('  '))
  console.log(
    `\n${agreed ? 'The lab agrees with wrk within the tolerances.' : 'The lab and wrk disagree beyond the tolerances (✗ above).'}`,
  )
  await stop(0)
} catch (error) {
  console.error(`\nThe cross-check failed: ${(error as Error).message}`)
  await stop(1)
}
