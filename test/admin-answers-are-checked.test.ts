/**
 * The harness checks every answer of a lab process's admin endpoint (the mocks' counters
 * and their reset, the injected faults' switch, the API's cache flush and usage): a status
 * that is not 2xx, a body that is not JSON, or no answer at all is an error naming the
 * process, what was asked and why, never a value read as if it had worked.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { askLabProcess } from '../bench/stack/admin-client.ts'
import { findFreePort } from '../bench/stack/start-cache.ts'

let server: Server
let base: string

beforeAll(async () => {
  server = createServer((req, res) => {
    const answers: Record<string, [number, string]> = {
      '/ok': [200, '{"reset":true}'],
      '/refused': [503, '{"statusCode":503,"message":"Cannot empty the cache: Redis stayed unavailable for 5 s."}'],
      '/plain-error': [500, 'it broke'],
      '/not-json': [200, '<html>'],
    }
    const [status, body] = answers[req.url ?? ''] ?? [404, '{"message":"no such route"}']
    res.writeHead(status, { 'content-type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('askLabProcess', () => {
  it('returns the JSON of a 2xx answer', async () => {
    expect(await askLabProcess('upstream', `${base}/ok`, 'POST', 'reset the mocks’ counters')).toEqual({ reset: true })
  })

  it('turns an error status into an error carrying the process’s own message', async () => {
    await expect(askLabProcess('API', `${base}/refused`, 'POST', 'empty the price cache')).rejects.toThrow(
      'Could not empty the price cache: the API process answered 503: Cannot empty the cache: Redis stayed unavailable for 5 s.',
    )
    await expect(askLabProcess('upstream', `${base}/plain-error`, 'GET', 'read the mocks’ counters')).rejects.toThrow(
      'Could not read the mocks’ counters: the upstream process answered 500: it broke',
    )
  })

  it('refuses a 2xx answer that is not JSON', async () => {
    await expect(askLabProcess('upstream', `${base}/not-json`, 'GET', 'read the mocks’ counters')).rejects.toThrow(
      /answered 200 with a body that is not JSON: <html>/,
    )
  })

  it('says so when nothing answers', async () => {
    const url = `http://127.0.0.1:${await findFreePort()}/__lab/stats`
    await expect(askLabProcess('upstream', url, 'GET', 'read the mocks’ counters')).rejects.toThrow(
      `Could not read the mocks’ counters: the upstream process did not answer at ${url}`,
    )
  })
})
