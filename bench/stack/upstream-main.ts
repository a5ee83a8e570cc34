/**
 * Entry of the upstream process: the five mocked services in a process of their own,
 * so their timers never share an event loop with the API under test.
 * Started by upstream-process.ts; exits when its parent goes away.
 */
import { runAsLabProcess } from './lab-process.ts'
import { resolveScenario } from '../../scenario/resolve-scenario.ts'
import type { ScenarioInput, ServiceName } from '../../scenario/types.ts'
import { startUpstreams, type UpstreamsHello } from '../../mock-upstreams/serve-upstreams.ts'

runAsLabProcess<{ scenario: ScenarioInput }, { urls: Record<ServiceName, string>; hello: UpstreamsHello }>(
  'upstream',
  async ({ scenario }) => {
    const upstreams = await startUpstreams(resolveScenario(scenario))
    return { ready: { urls: upstreams.urls, hello: upstreams.hello }, close: upstreams.close }
  },
)
