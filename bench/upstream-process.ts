/** Starts the mocked upstreams in a child process and talks to it (IPC to start, HTTP for counters). */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Scenario, ServiceName } from './scenario.ts'
import type { StatsSnapshot } from '../mock-upstreams/stats.ts'
import { RESET_PATH, STATS_PATH } from '../mock-upstreams/serve-upstreams.ts'
import { stopChild } from './stop-child.ts'

const ENTRY = fileURLToPath(new URL('../mock-upstreams/main.ts', import.meta.url))

export interface UpstreamProcess {
  urls: Record<ServiceName, string>
  pid: number
  stats(): Promise<StatsSnapshot>
  resetStats(): Promise<void>
  stop(): Promise<void>
}

/** node's --import flag that loads tsx, so a child runs TypeScript like its parent. */
export function tsxExecArgv(): string[] {
  return ['--import', import.meta.resolve('tsx')]
}

export async function startUpstreamProcess(scenario: Scenario, startTimeoutMs = 20_000): Promise<UpstreamProcess> {
  const child = fork(ENTRY, [], { execArgv: tsxExecArgv(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const stop = (): Promise<void> => stopChild(child)
  try {
    const urls = await new Promise<Record<ServiceName, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The upstream process did not start within ${startTimeoutMs} ms.`)), startTimeoutMs)
      child.once('message', (message: { type: string; urls?: Record<ServiceName, string>; message?: string }) => {
        clearTimeout(timer)
        if (message.type === 'ready' && message.urls) resolve(message.urls)
        else reject(new Error(`The upstream process failed to start: ${message.message ?? 'no reason given'}`))
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`The upstream process exited during start-up (code ${code}).`))
      })
      child.send({ scenario })
    })
    const admin = urls.catalog
    return {
      urls,
      pid: child.pid ?? -1,
      async stats() {
        const response = await fetch(`${admin}${STATS_PATH}`)
        return (await response.json()) as StatsSnapshot
      },
      async resetStats() {
        await fetch(`${admin}${RESET_PATH}`, { method: 'POST' })
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
