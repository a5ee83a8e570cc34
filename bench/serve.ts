/**
 * `npm run serve -- [--host H] [--port 3000] [--upstreams URL] [scenario flags]`: starts
 * Redis, the mocked upstreams (in a child process; or uses those at --upstreams) and the API
 * (in this process, with the /__lab/* admin routes a bench on another host uses), prints the
 * URLs of the variants, and stops everything it started on Ctrl-C or SIGTERM.
 */
import { parseFlags, readNumberFlag, renderHelp, UsageError } from './cli/flags.ts'
import { HOST_FLAG, readHost, readRoleUrl, ROLE_URL_FLAGS } from './cli/role-flags.ts'
import { stopOnSignals } from './cli/stop-on-signals.ts'
import { EXIT } from './gate.ts'
import { urlHost } from '../roles/protocol.ts'
import type { Scenario } from '../scenario/types.ts'
import { connectUpstreams, RoleError } from './stack/remote-roles.ts'
import { resolveScenarioFromFlags, SCENARIO_FLAGS } from './cli/scenario-flags.ts'
import { modelVariants } from './stack/model-process.ts'
import { describeFaults } from './report/report-rows.ts'
import { startCache, type RunningCache } from './stack/start-cache.ts'
import { startUpstreamProcess, type UpstreamProcess } from './stack/upstream-process.ts'
import { labApi } from '../lab-api/plugin.ts'
import { buildApp } from '../variants/shared/app.ts'
import { createApiTracing, type ApiTracing } from '../lab-api/tracing.ts'
import { startTraceFile } from '../lab-api/trace-file.ts'
import { readTraceFlags, TRACE_FLAGS } from './cli/trace-flags.ts'
import type { FastifyInstance } from 'fastify'

const FLAGS = {
  ...HOST_FLAG,
  port: { type: 'string', value: 'PORT', help: 'port of the API (default 3000; 0 picks a free one)' },
  upstreams: ROLE_URL_FLAGS.upstreams,
  ...TRACE_FLAGS,
  ...SCENARIO_FLAGS,
} as const

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), FLAGS)
  if (values.help) {
    console.log(
      renderHelp(
        'Usage: npm run serve -- [flags]\n\nServes the variants in variants/ against the mocked upstreams for curl and your browser.',
        FLAGS,
      ),
    )
    return
  }
  const port = readNumberFlag(values, 'port', true) ?? 3000
  if (port < 0 || port > 65535) throw new UsageError(`Flag --port: got ${port}; expected an integer from 0 to 65535.`)
  const scenario = await resolveScenarioFromFlags(values)
  const redisUrl = typeof values['redis-url'] === 'string' ? values['redis-url'] : process.env.REDIS_URL
  const { host, warning } = readHost(values)
  const upstreamsUrl = readRoleUrl(values, 'upstreams')
  const trace = readTraceFlags(values, scenario.seed, 1)

  let cache: RunningCache | undefined
  let upstreams: UpstreamProcess | undefined
  let app: FastifyInstance | undefined
  let tracing: ApiTracing | undefined
  const stopAll = stopOnSignals(async () => {
    await app?.close().catch(() => {})
    await tracing?.shutdown().catch(() => {})
    await upstreams?.stop().catch(() => {})
    await cache?.stop().catch(() => {})
  })

  try {
    cache = await startCache({
      redisUrl,
      commandTimeoutMs: scenario.cacheCommandTimeoutMs,
      maxPendingCommands: scenario.cacheMaxPendingCommands,
    })
    // Mocks placed elsewhere are checked, and never stopped from here.
    upstreams = upstreamsUrl ? await connectUpstreams(upstreamsUrl, scenario) : await startUpstreamProcess(scenario)
    // The admin routes too: a bench on another host measures this API through them (--api).
    const surroundings = { upstreams: { urls: upstreams.urls, instance: upstreams.hello.instance }, cacheAddress: cache.address }
    if (trace?.dir) startTraceFile(trace.dir)
    tracing = trace ? await createApiTracing(trace, upstreams.urls) : undefined
    app = await buildApp({ scenario, upstreamUrls: upstreams.urls, cache: cache.store, instrument: labApi(surroundings, tracing) })
    await app.listen({ host, port })
  } catch (error) {
    if (error instanceof RoleError) {
      console.error(error.message)
      return stopAll(EXIT.role)
    }
    console.error(`Could not start: ${(error as Error).message}`)
    return stopAll(1)
  }
  if (warning) console.error(warning)

  const address = app.server.address()
  const base = `http://${urlHost(host)}:${typeof address === 'object' && address ? address.port : port}`
  console.log(await welcome(app, scenario, cache, upstreams, { base, host, placed: upstreamsUrl !== undefined }))
}

/** What the command prints once everything listens: each variant's URL and floor, the upstreams, and what to try. */
async function welcome(
  app: FastifyInstance,
  scenario: Scenario,
  cache: RunningCache,
  upstreams: UpstreamProcess,
  { base, host, placed }: { base: string; host: string; placed: boolean },
): Promise<string> {
  const routes = (await app.inject({ method: 'GET', url: '/' })).json<{ variants: { name: string; url: string }[] }>().variants
  // Each variant's floor, from its own code in virtual time.
  const outcomes = await modelVariants(
    scenario,
    routes.map((route) => route.name),
  )
  const faults = describeFaults(scenario)
  const lines = [
    `api-speedup-lab: scenario "${scenario.name}", ${scenario.productsPerPage} products per page, seed ${scenario.seed}`,
    `cache: ${cache.description}`,
    ...(faults ? [`injected faults: ${faults}`] : []),
    '',
    'Variants (floor = what its code takes in virtual time, if the lab cost nothing: the configured latency of the calls on its critical path, and its own timers):',
  ]
  for (const route of routes) {
    const outcome = outcomes[route.name]
    const floor = outcome && 'model' in outcome ? outcome.model.floor : undefined
    const floorText = !floor
      ? `not modelled: ${outcome && 'notModelled' in outcome ? outcome.notModelled : 'no model'}`
      : floor.coldMs === floor.warmMs
        ? `floor ${fmt(floor.warmMs)} ms`
        : `floor ${fmt(floor.warmMs)} ms warm, ${fmt(floor.coldMs)} ms cold`
    lines.push(`  ${route.name.padEnd(10)} ${base}${route.url}?page=1&limit=${scenario.productsPerPage}   ${floorText}`)
  }
  lines.push(
    '',
    `Upstreams${placed ? ' (placed by URL)' : ''}: ${Object.entries(upstreams.urls)
      .map(([name, url]) => `${name} ${url}`)
      .join(', ')}`,
    `Upstream counters: curl ${upstreams.urls.catalog}/__lab/stats`,
    `API: ${base}   (a bench elsewhere: npm run bench -- --api ${base} --upstreams ${upstreams.urls.catalog}${host === '0.0.0.0' || host === '::' ? `, with this host's address in place of ${host}` : ''})`,
    '',
    `Try: curl -s -D - -o /dev/null '${base}/parallel/products' | grep -i server-timing`,
    placed
      ? 'Ctrl-C stops the API and any redis-server the lab started (not the upstreams: they were placed by URL).'
      : 'Ctrl-C stops the API, the upstreams and any redis-server the lab started.',
  )
  return lines.join('\n')
}

function fmt(ms: number): string {
  return ms.toFixed(0)
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(error.message)
    process.exit(2)
  }
  console.error(`Unexpected failure: ${(error as Error).stack ?? String(error)}`)
  process.exit(1)
})
