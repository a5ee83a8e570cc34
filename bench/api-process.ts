/** Starts the API under test in a child process and talks to its admin routes. */
import { fileURLToPath } from 'node:url'
import type { ApiInit, ApiReady } from './api-main.ts'
import { forkLabProcess } from './lab-process.ts'
import type { Scenario, ServiceName } from './scenario.ts'
import { ADMIN_PATHS, type ApiProcessUsage } from '../variants/shared/app.ts'
import type { CacheBackend } from '../variants/shared/cache-store.ts'

const ENTRY = fileURLToPath(new URL('./api-main.ts', import.meta.url))

export interface ApiProcess {
  url: string
  pid: number
  cacheBackend: CacheBackend
  flushCache(): Promise<void>
  usage(): Promise<ApiProcessUsage>
  stop(): Promise<void>
}

export async function startApiProcess(scenario: Scenario, upstreamUrls: Record<ServiceName, string>, redisUrl: string | undefined): Promise<ApiProcess> {
  const init: ApiInit = { scenario, upstreamUrls, redisUrl }
  const lab = await forkLabProcess<ApiReady>(ENTRY, init, 'API')
  const { url, cacheBackend } = lab.ready
  return {
    url,
    pid: lab.pid,
    cacheBackend,
    async flushCache() {
      const response = await fetch(`${url}${ADMIN_PATHS.flushCache}`, { method: 'POST' })
      if (!response.ok) {
        const body = await response.text()
        let message = body
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? body
        } catch {
          // Not JSON: the text is the message.
        }
        throw new Error(`The cache could not be flushed to measure cold requests (${response.status}): ${message}`)
      }
    },
    async usage() {
      return (await (await fetch(`${url}${ADMIN_PATHS.process}`)).json()) as ApiProcessUsage
    },
    stop: lab.stop,
  }
}
