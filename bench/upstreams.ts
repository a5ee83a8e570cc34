/**
 * `npm run upstreams -- [--host H] [--port P] [scenario flags]`: the five mocked services
 * alone, for an API and a bench on other hosts (docs/roles-on-hosts.md): on H, at
 * port P and the four after it, with the /__lab/* admin endpoints (the counters, the faults'
 * switch, the calibration's echo, the hello). Stops on Ctrl-C or SIGTERM.
 */
import { parseFlags, readNumberFlag, renderHelp, UsageError } from './cli/flags.ts'
import { HOST_FLAG, readHost } from './cli/role-flags.ts'
import { stopOnSignals } from './cli/stop-on-signals.ts'
import { resolveScenarioFromFlags, SCENARIO_FLAGS } from './cli/scenario-flags.ts'
import { startUpstreams, type RunningUpstreams } from '../mock-upstreams/serve-upstreams.ts'
import { labToken } from '../roles/protocol.ts'
import { SERVICE_NAMES } from '../scenario/types.ts'

/** The first service's port by default; the others follow it. */
const DEFAULT_PORT = 4000

const { 'redis-url': _redis, ...scenarioFlags } = SCENARIO_FLAGS
const FLAGS = {
  ...HOST_FLAG,
  port: {
    type: 'string',
    value: 'PORT',
    help: `port of the first service (catalog); the other four take the next ports (default ${DEFAULT_PORT}; 0 picks free ones)`,
  },
  ...scenarioFlags,
} as const

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), FLAGS)
  if (values.help) {
    console.log(
      renderHelp(
        'Usage: npm run upstreams -- [flags]\n\nServes the five mocked upstream services, for `npm run serve -- --upstreams URL` and `npm run bench -- --upstreams URL` on this host or others.\nStart them with the scenario flags the bench will use: the bench checks they match.',
        FLAGS,
      ),
    )
    return
  }
  const port = readNumberFlag(values, 'port', true) ?? DEFAULT_PORT
  if (port !== 0 && (port < 1 || port > 65535 - SERVICE_NAMES.length + 1))
    throw new UsageError(
      `Flag --port: got ${port}; expected 0 or an integer from 1 to ${65535 - SERVICE_NAMES.length + 1} (five ports from it).`,
    )
  const { host, warning } = readHost(values)
  const scenario = await resolveScenarioFromFlags(values)

  let upstreams: RunningUpstreams | undefined
  const stopAll = stopOnSignals(async () => upstreams?.close())
  try {
    upstreams = await startUpstreams(scenario, { host, port })
  } catch (error) {
    console.error(
      `Could not start the upstreams on ${host}:${port === 0 ? 'free ports' : `${port}–${port + SERVICE_NAMES.length - 1}`}: ${(error as Error).message}`,
    )
    return stopAll(1)
  }
  if (warning) console.error(warning)
  console.log(
    [
      `api-speedup-lab upstreams: scenario "${scenario.name}", seed ${scenario.seed}, ${SERVICE_NAMES.map((name) => `${name} ${scenario.services[name].latencyMs} ms`).join(', ')}${labToken() ? '; /__lab/* need LAB_TOKEN' : ''}`,
      ...SERVICE_NAMES.map((name) => `  ${name.padEnd(10)} ${upstreams!.urls[name]}`),
      `Upstreams: ${upstreams.urls.catalog}`,
      `Give the API and the bench: --upstreams ${upstreams.urls.catalog}${host === '0.0.0.0' || host === '::' ? " (with this host's address in place of " + host + ')' : ''}`,
      'Ctrl-C stops them.',
    ].join('\n'),
  )
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(error.message)
    process.exit(2)
  }
  console.error(`Unexpected failure: ${(error as Error).stack ?? String(error)}`)
  process.exit(1)
})
