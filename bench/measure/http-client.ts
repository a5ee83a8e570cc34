/** The harness's HTTP client: keep-alive connections to the API, one by default (one request at a time). */
import { Pool } from 'undici'

export interface Answer {
  status: number
  body: string
  serverTiming: string | null
}

export interface HttpClient {
  get(path: string): Promise<Answer>
  close(): Promise<void>
}

/** `headers` go with every request (the lab's token, for a call to a role's /__lab/ paths). */
export function createHttpClient(baseUrl: string, timeoutMs = 60_000, connections = 1, headers?: Record<string, string>): HttpClient {
  const pool = new Pool(baseUrl, { connections, keepAliveTimeout: 60_000 })
  return {
    async get(path) {
      const response = await pool.request({ method: 'GET', path, signal: AbortSignal.timeout(timeoutMs), ...(headers ? { headers } : {}) })
      const body = await response.body.text()
      const header = response.headers['server-timing']
      return { status: response.statusCode, body, serverTiming: typeof header === 'string' ? header : null }
    },
    close: () => pool.close(),
  }
}
