/** The machine and software a run measured on, for results.json: numbers carry their context. */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, release, totalmem, type } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { Calibration, Environment, HopCalibration, Machine } from './results.ts'
import type { CacheBackend } from '../../variants/shared/cache-stats.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TOOLS = ['fastify', 'undici', 'msw', 'ioredis', 'tinybench', 'autocannon', 'chart.js']
/** The commit the run's code came from: read as the lab loads, since a file edited during a long run would otherwise mark it "+changes". */
const COMMIT_AT_START = gitCommit()

export function describeEnvironment(
  cacheBackend: CacheBackend,
  cache: string,
  calibration: Calibration,
  hopCalibration: HopCalibration,
): Environment {
  return { ...describeMachine(), cacheBackend, cache, calibration, hopCalibration }
}

/** The machine and the code, without what a measurement adds (the cache, the calibration). */
export function describeMachine(): Machine {
  const cpuList = cpus()
  return {
    node: process.version,
    os: `${type()} ${release()} (${process.platform}/${process.arch})`,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cpuCount: Math.max(cpuList.length, 1),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    gitCommit: COMMIT_AT_START,
    tools: Object.fromEntries(TOOLS.map((name) => [name, packageVersion(name)])),
  }
}

function gitCommit(): string | null {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
    return dirty ? `${commit}+changes` : commit
  } catch {
    return null
  }
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(`${ROOT}/node_modules/${name}/package.json`, 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}
