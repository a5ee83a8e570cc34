/** Starts the mocked upstreams in a child process, and talks to their admin endpoints over HTTP (also of mocks running elsewhere: remote-roles.ts). */
import { fileURLToPath } from 'node:url'
import type { ServiceName, Scenario } from '../../scenario/types.ts'
import { FAULTS_PATH, RESET_PATH, STATS_PATH } from '../../mock-upstreams/protocol.ts'
import type { UpstreamProcess, UpstreamsHello } from '../../mock-upstreams/protocol.ts'
import { CPU_PATH, type RoleCpu } from '../../roles/protocol.ts'
import type { StatsSnapshot } from '../../mock-upstreams/protocol.ts'
import { askLabProcess } from './admin-client.ts'
import { forkLabProcess } from './lab-process.ts'

const ENTRY = fileURLToPath(new URL('./upstream-main.ts', import.meta.url))

export type { UpstreamProcess } from '../../mock-upstreams/protocol.ts'

export async function startUpstreamProcess(scenario: Scenario): Promise<UpstreamProcess> {
  const lab = await forkLabProcess<{ urls: Record<ServiceName, string>; hello: UpstreamsHello }>(ENTRY, { scenario }, 'upstream')
  return upstreamsAt(lab.ready.urls, lab.ready.hello, lab.pid, lab.stop)
}

/** The admin endpoints of the mocks at `urls`; `stop` stops them when the lab started them (else nothing). */
export function upstreamsAt(
  urls: Record<ServiceName, string>,
  hello: UpstreamsHello,
  pid: number | null,
  stop: () => Promise<void>,
): UpstreamProcess {
  const admin = urls.catalog
  // Every answer is checked: a counter read that failed, or a reset that did not happen,
  // would silently turn into wrong calls per request.
  const ask = (path: string, method: 'GET' | 'POST', doing: string) => askLabProcess('upstream', `${admin}${path}`, method, doing)
  return {
    urls,
    pid,
    hello,
    stats: async () => (await ask(STATS_PATH, 'GET', 'read the mocks’ counters')) as StatsSnapshot,
    cpu: async () => (await ask(CPU_PATH, 'GET', 'read the mocks’ CPU time')) as RoleCpu,
    async resetStats() {
      await ask(RESET_PATH, 'POST', 'reset the mocks’ counters')
    },
    async setFaults(enabled) {
      await ask(`${FAULTS_PATH}?enabled=${enabled}`, 'POST', `switch the injected faults ${enabled ? 'on' : 'off'}`)
    },
    stop,
  }
}
