/** Starts the mocked upstreams in a child process and talks to their admin endpoints over HTTP. */
import { fileURLToPath } from 'node:url'
import type { ServiceName, Scenario } from '../../scenario/types.ts'
import { FAULTS_PATH, RESET_PATH, STATS_PATH } from '../../mock-upstreams/admin-paths.ts'
import type { StatsSnapshot } from '../../mock-upstreams/stats.ts'
import { askLabProcess } from './admin-client.ts'
import { forkLabProcess } from './lab-process.ts'

const ENTRY = fileURLToPath(new URL('./upstream-main.ts', import.meta.url))

export interface UpstreamProcess {
  urls: Record<ServiceName, string>
  pid: number
  stats(): Promise<StatsSnapshot>
  resetStats(): Promise<void>
  /** Switches the scenario's injected faults off, or on again (each service's sequence resumes where it stopped). */
  setFaults(enabled: boolean): Promise<void>
  stop(): Promise<void>
}

export async function startUpstreamProcess(scenario: Scenario): Promise<UpstreamProcess> {
  const lab = await forkLabProcess<{ urls: Record<ServiceName, string> }>(ENTRY, { scenario }, 'upstream')
  const { urls } = lab.ready
  const admin = urls.catalog
  // Every answer is checked: a counter read that failed, or a reset that did not happen,
  // would silently turn into wrong calls per request.
  const ask = (path: string, method: 'GET' | 'POST', doing: string) => askLabProcess('upstream', `${admin}${path}`, method, doing)
  return {
    urls,
    pid: lab.pid,
    stats: async () => (await ask(STATS_PATH, 'GET', 'read the mocks’ counters')) as StatsSnapshot,
    async resetStats() {
      await ask(RESET_PATH, 'POST', 'reset the mocks’ counters')
    },
    async setFaults(enabled) {
      await ask(`${FAULTS_PATH}?enabled=${enabled}`, 'POST', `switch the injected faults ${enabled ? 'on' : 'off'}`)
    },
    stop: lab.stop,
  }
}
