/**
 * scripts/measure-redis-outage.ts, briefly: the API process under load from 20
 * connections while a real redis-server is frozen (SIGSTOP) and then thawed. Every
 * request answers 200, the outage is logged once (not once per request) and so is the
 * return, and the script stops everything it started. (The figures for a long outage are in the README.)
 */
import { describe, expect, it } from 'vitest'
import { isRunning } from './helpers/processes.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { runCli } from './helpers/run-cli.ts'

interface Phase {
  requests: number
  non2xx: number
  errors: number
  mismatches: number
  rssMB: number
}

describe.skipIf(SKIP_REDIS)('a Redis outage under load', () => {
  it('answers every request, logs one warning each way, and leaves nothing running', async () => {
    const run = runCli('scripts/measure-redis-outage.ts', ['2'])
    const code = await run.exit
    const output = run.output()
    expect(code, output).toBe(0)
    const figures = JSON.parse(output.trim().split('\n').at(-1)!) as Record<'healthy' | 'frozen' | 'back', Phase> & {
      processes: Record<string, number>
    }
    for (const phase of ['healthy', 'frozen', 'back'] as const) {
      expect(figures[phase].requests, phase).toBeGreaterThan(0)
      expect(figures[phase].non2xx + figures[phase].errors, phase).toBe(0)
      expect(figures[phase].mismatches, phase).toBe(0)
    }
    // Stopped by pid: redis-server (thawed first), the upstream process and the API process.
    expect(Object.keys(figures.processes)).toEqual(['redis', 'upstreams', 'api'])
    for (const [name, pid] of Object.entries(figures.processes)) expect(isRunning(pid), name).toBe(false)
    // One warning per outage, not one per request (hundreds were answered while frozen).
    // A command slower than the timeout on a busy machine is an outage too, so allow a
    // couple more; each must end with a "back".
    const outages = output.match(/is unavailable/g)?.length ?? 0
    expect(outages).toBeGreaterThanOrEqual(1)
    expect(outages).toBeLessThanOrEqual(3)
    expect(output.match(/is back; using the cache again/g)?.length).toBe(outages)
    expect(figures.frozen.requests).toBeGreaterThan(20 * outages)
  }, 60_000)

  it('refuses a bad duration with exit code 2', async () => {
    const run = runCli('scripts/measure-redis-outage.ts', ['soon'])
    expect(await run.exit).toBe(2)
    expect(run.output()).toContain('SECONDS must be an integer from 1 to 3600; got "soon"')
  })
})
