/** Starts the mocked upstreams in a child process and reads their counters over HTTP. */
import { fileURLToPath } from 'node:url'
import type { Scenario, ServiceName } from './scenario.ts'
import type { StatsSnapshot } from '../mock-upstreams/stats.ts'
import { FAULTS_PATH, RESET_PATH, STATS_PATH } from '../mock-upstreams/serve-upstreams.ts'
import { forkLabProcess } from './lab-process.ts'

const ENTRY = fileURLToPath(new URL('../mock-upstreams/main.ts', import.meta.url))

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
  return {
    urls,
    pid: lab.pid,
    async stats() {
      const response = await fetch(`${admin}${STATS_PATH}`)
      return (await response.json()) as StatsSnapshot
    },
    async resetStats() {
      await fetch(`${admin}${RESET_PATH}`, { method: 'POST' })
    },
    async setFaults(enabled) {
      const response = await fetch(`${admin}${FAULTS_PATH}?enabled=${enabled}`, { method: 'POST' })
      if (!response.ok) throw new Error(`The upstream process refused to switch faults ${enabled ? 'on' : 'off'}: ${response.status}.`)
    },
    stop: lab.stop,
  }
}
