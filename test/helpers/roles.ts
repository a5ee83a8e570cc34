/**
 * The lab's roles started apart, as README's "Roles on separate hosts" says to: the mocks
 * with `npm run upstreams`, the API with `npm run serve -- --upstreams URL`, each on the
 * address given and, optionally, under a command such as `ip netns exec NS`.
 */
import { runCli, type RunningCli } from './run-cli.ts'

export interface PlacedRoles {
  upstreams: RunningCli
  api: RunningCli
  upstreamsUrl: string
  apiUrl: string
}

export interface RolePlacement {
  upstreamsHost: string
  apiHost: string
  /** Scenario flags both roles (and the bench) use. */
  scenarioArgs: string[]
  env?: NodeJS.ProcessEnv
  /** A command each role runs under, e.g. ['ip', 'netns', 'exec', 'lab-up']. */
  underUpstreams?: string[]
  underApi?: string[]
}

export async function placeRoles({
  upstreamsHost,
  apiHost,
  scenarioArgs,
  env = {},
  underUpstreams = [],
  underApi = [],
}: RolePlacement): Promise<PlacedRoles> {
  const upstreams = runCli('bench/upstreams.ts', ['--host', upstreamsHost, '--port', '0', ...scenarioArgs], env, { under: underUpstreams })
  let api: RunningCli | undefined
  try {
    const [, upstreamsUrl] = await upstreams.waitFor(/^Upstreams: (http:\S+)$/m, 30_000)
    // --expose-gc, as `npm run serve` runs it: the bench collects the API's garbage before each level.
    api = runCli('bench/serve.ts', ['--host', apiHost, '--port', '0', '--upstreams', upstreamsUrl!, ...scenarioArgs], env, {
      under: underApi,
      nodeFlags: ['--expose-gc'],
    })
    const [, apiUrl] = await api.waitFor(/^API: (http:\S+)/m, 60_000)
    return { upstreams, api, upstreamsUrl: upstreamsUrl!, apiUrl: apiUrl! }
  } catch (error) {
    // A role that did not start: the other one is not left running.
    await Promise.all([stop(upstreams), api && stop(api)])
    throw error
  }
}

/** Stops both roles (SIGTERM, as Ctrl-C would) and waits for them to exit. */
export async function stopRoles(roles: PlacedRoles | undefined): Promise<void> {
  if (roles) await Promise.all([stop(roles.api), stop(roles.upstreams)])
}

/** SIGTERM, then SIGKILL if the role is still there after 10 s. */
async function stop(role: RunningCli): Promise<void> {
  if (role.child.exitCode !== null || role.child.signalCode !== null) return
  role.child.kill('SIGTERM')
  const timer = setTimeout(() => role.child.kill('SIGKILL'), 10_000)
  await role.exit
  clearTimeout(timer)
}
