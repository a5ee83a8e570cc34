/**
 * `npm run bench` as a user runs it, and what it wrote read back the one way every e2e test
 * reads it: results.json parsed and checked against its schema (a run the tests read is a run
 * the contract allows), beside its exit code and terminal output.
 */
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from './run-cli.ts'
import type { Results, WhatIf } from '../../bench/record/results.ts'
import { assertValidResults, assertValidWhatIf } from '../../bench/record/write-results.ts'

export interface BenchRun<T = Results> {
  /** The run's directory (--out). */
  out: string
  code: number | null
  output: string
  /** Its results.json, checked against its schema (a run that wrote none throws, with its exit code and output). */
  results: T
}

export interface BenchRunOptions {
  /** The temporary directory's prefix, e.g. 'lab-sweep-'; or `out`, a directory to write to. */
  prefix?: string
  out?: string
  env?: NodeJS.ProcessEnv
  /** Another checkout to run it in (a fresh copy): its bench/bench.ts. */
  root?: string
}

/** Runs the bench with `args` (and `--out`), waits for it to end, and reads its results.json as a measured run. */
export async function benchRun(args: string[], options: BenchRunOptions = {}): Promise<BenchRun> {
  const run = await spawnBench(args, options)
  return { ...run, results: readResults(wrote(run)) }
}

/** The same for a what-if (--predict, --vary): its results.json checked against the what-if's schema. */
export async function benchWhatIf(args: string[], options: BenchRunOptions = {}): Promise<BenchRun<WhatIf>> {
  const run = await spawnBench(args, options)
  return { ...run, results: readWhatIf(wrote(run)) }
}

/** A run directory's results.json, checked against its schema: throws naming every problem. */
export function readResults(dir: string): Results {
  const results: unknown = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))
  assertValidResults(results)
  return results
}

export function readWhatIf(dir: string): WhatIf {
  const whatIf: unknown = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))
  assertValidWhatIf(whatIf)
  return whatIf
}

function wrote(run: Omit<BenchRun, 'results'>): string {
  if (!existsSync(join(run.out, 'results.json'))) throw new Error(`the bench wrote no results.json (exit ${run.code}):\n${run.output}`)
  return run.out
}

async function spawnBench(
  args: string[],
  { prefix = 'lab-run-', out, env = {}, root }: BenchRunOptions,
): Promise<Omit<BenchRun, 'results'>> {
  const dir = out ?? (await mkdtemp(join(tmpdir(), prefix)))
  const run = runCli(root ? join(root, 'bench/bench.ts') : 'bench/bench.ts', [...args, '--out', dir], env)
  const code = await run.exit
  return { out: dir, code, output: run.output() }
}
