/** `npm run serve`: prints working URLs, and Ctrl-C stops the API, the upstreams and Redis. */
import { describe, expect, it } from 'vitest'
import { SKIP_REDIS } from './helpers/redis.ts'
import { portIsOpen } from './helpers/processes.ts'
import { runCli } from './helpers/run-cli.ts'

const runServe = (args: string[]) => runCli('bench/serve.ts', args)

describe.skipIf(SKIP_REDIS)('npm run serve', () => {
  it('serves every variant on 127.0.0.1 and stops everything on SIGINT (exit 130)', async () => {
    const serve = runServe(['--port', '0', '--latency', '30', '--pricing-per-item', '0.1'])
    await serve.waitFor(/Ctrl-C stops/)
    const text = serve.output()
    const urls = [...text.matchAll(/^ +[\w-]+ +http:\/\/127\.0\.0\.1:(\d+)\/([\w-]+)\/products/gm)]
    // Every file of variants/, the combinations of the story's fixes among them, in the order the lab loads them.
    expect(urls.map((m) => m[2])).toEqual([
      'naive',
      'bulk',
      'cached',
      'parallel',
      'item-cache',
      'resilient',
      'swr',
      'bulk-parallel',
      'dataloader',
      'naive-cached',
      'naive-cached-parallel',
      'naive-parallel',
    ])
    const apiPort = Number(urls[0]![1])
    const upstreamPorts = [...text.matchAll(/(?:catalog|inventory|pricing|reviews|categories) http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) =>
      Number(m[1]),
    )
    const redisPort = Number(text.match(/redis:\/\/127\.0\.0\.1:(\d+)/)![1])
    expect(upstreamPorts).toHaveLength(5)

    const response = await fetch(`http://127.0.0.1:${apiPort}/parallel/products?limit=5`)
    expect(response.status).toBe(200)
    expect(response.headers.get('server-timing')).toContain('catalog;start=')
    expect((await response.json()).items).toHaveLength(5)
    // The upstream process's counters, over HTTP on any upstream port.
    const stats = await (await fetch(`http://127.0.0.1:${upstreamPorts[0]}/__lab/stats`)).json()
    expect(stats.services.catalog.calls).toBe(1)
    expect(stats.services.inventory.endpoints).toEqual({ 'POST /stock/bulk': 1 })
    expect(stats.maxInFlightOverall).toBeGreaterThanOrEqual(3)

    serve.child.kill('SIGINT')
    expect(await serve.exit).toBe(130)
    for (const port of [apiPort, ...upstreamPorts, redisPort]) expect(await portIsOpen(port), `port ${port} still open`).toBe(false)
  })
})

describe('npm run serve with bad input', () => {
  it.each([
    [['--latncy', '5'], /Unknown flag --latncy\. Did you mean --latency\?/],
    [['--products', '0'], /Flag --products: got 0; expected an integer from 1 to 500\./],
    [['--port', '70000'], /Flag --port: got 70000/],
  ])('%j exits with 2 and a clear message, before starting anything', async (args, message) => {
    const serve = runServe(args)
    expect(await serve.exit).toBe(2)
    expect(serve.output()).toMatch(message)
    expect(serve.output()).not.toMatch(/\n\s+at /)
  })

  it('--help lists the flags and exits 0', async () => {
    const serve = runServe(['--help'])
    expect(await serve.exit).toBe(0)
    expect(serve.output()).toContain('--latency MS')
  })
})
