/**
 * `npx tsx scripts/measure-redis-outage.ts [SECONDS]`: what a long Redis outage does to
 * the API. The API process (as the bench runs it) serves `cached` under load from 20
 * connections: first with Redis healthy, then for SECONDS (default 60) with redis-server
 * frozen (SIGSTOP), then with Redis back. It prints the API's memory along the way and
 * the answers of each phase, and ends with one JSON line of the figures.
 *
 * A frozen Redis is the worst outage: connections stay open and commands go unanswered.
 * The API must answer from pricing within the command timeout, log one warning for the
 * outage and one when Redis is back, and keep no growing queue of commands.
 */
import { runLoad } from '../bench/measure/load-phase.ts'
import { percentiles } from '../bench/measure/stats.ts'
import { round } from '../bench/record/format.ts'
import { startRedisServer } from '../bench/stack/start-cache.ts'
import { startStack } from '../bench/stack/start-stack.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'

const CONNECTIONS = 20
const fast = { latencyMs: 5 }
const SCENARIO = resolveScenario({
  services: { catalog: fast, inventory: fast, pricing: { latencyMs: 5, perItemMs: 0.2 }, reviews: fast, categories: fast },
})

interface Phase {
  seconds: number
  requests: number
  non2xx: number
  errors: number
  /** 2xx answers whose body differed from the one before the outage. */
  mismatches: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  rssMB: number
  heapMB: number
}

async function main(): Promise<void> {
  const outageSeconds = Number(process.argv[2] ?? 60)
  if (!Number.isInteger(outageSeconds) || outageSeconds < 1 || outageSeconds > 3600) {
    console.error(`SECONDS must be an integer from 1 to 3600; got "${process.argv[2]}".`)
    process.exit(2)
  }
  const healthySeconds = Math.min(15, outageSeconds)
  const stops: Array<() => Promise<void>> = []
  const stopAll = async (): Promise<void> => {
    for (const stop of [...stops].reverse()) await stop().catch(() => {})
  }
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => void stopAll().then(() => process.exit(code)))
  }
  try {
    // Our own redis-server, for its pid (to freeze it); the rest is the bench's stack.
    const redis = await startRedisServer()
    // Thawed before it is stopped: a frozen process does not act on SIGTERM.
    stops.push(async () => {
      process.kill(redis.pid, 'SIGCONT')
      await redis.stop()
    })
    const { upstreams, api } = await startStack(SCENARIO, { redisUrl: redis.url }, console.warn, (stopStack) => stops.push(stopStack))

    const memory = async (): Promise<{ rssMB: number; heapMB: number }> => {
      const usage = await api.usage()
      return { rssMB: toMB(usage.rssBytes), heapMB: toMB(usage.heapUsedBytes) }
    }
    const first = await fetch(`${api.url}/cached/products`)
    const reference = await first.text()
    if (!first.ok)
      throw new Error(`the first request answered ${first.status}, so there is no body to compare with: ${reference.slice(0, 200)}`)
    const load = async (seconds: number, label: string): Promise<Phase> => {
      const samples: string[] = []
      const sampler = setInterval(() => void memory().then((m) => samples.push(`${m.rssMB}`)), 5000)
      const { result, mismatches, latenciesMs } = await runLoad(
        { url: `${api.url}/cached/products`, connections: CONNECTIONS, duration: seconds },
        reference,
      )
      clearInterval(sampler)
      // The lab's one percentile definition, over every response's time (bench/measure/stats.ts).
      const [p50, p99, max] = latenciesMs.length ? percentiles(latenciesMs, [50, 99, 100]) : [0, 0, 0]
      const phase = {
        seconds,
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        mismatches,
        p50Ms: round(p50),
        p99Ms: round(p99),
        maxMs: round(max),
        ...(await memory()),
      }
      console.log(
        `${label.padEnd(8)} ${seconds} s: ${phase.requests} requests, p50 ${phase.p50Ms} ms, p99 ${phase.p99Ms} ms, max ${phase.maxMs} ms, ` +
          `non-2xx ${phase.non2xx}, errors ${phase.errors}, other bodies ${phase.mismatches}; API rss ${phase.rssMB} MB (every 5 s: ${samples.join(', ') || '—'}), heap ${phase.heapMB} MB`,
      )
      return phase
    }

    const start = await memory()
    console.log(`start: API rss ${start.rssMB} MB, heap ${start.heapMB} MB; ${CONNECTIONS} connections on /cached/products`)
    const healthy = await load(healthySeconds, 'healthy')
    process.kill(redis.pid, 'SIGSTOP')
    const frozen = await load(outageSeconds, 'frozen')
    process.kill(redis.pid, 'SIGCONT')
    const back = await load(healthySeconds, 'back')
    const processes = { redis: redis.pid, upstreams: upstreams.pid, api: api.pid }
    console.log(JSON.stringify({ start, healthy, frozen, back, processes }))
  } finally {
    await stopAll()
  }
}

function toMB(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10
}

main().catch((error: unknown) => {
  console.error(`measure-redis-outage: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
