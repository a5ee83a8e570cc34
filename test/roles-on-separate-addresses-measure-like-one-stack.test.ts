/**
 * The roles placed by URL, the fast way: the mocks on 127.0.0.2, the API (with the Redis it
 * starts) on 127.0.0.3, the bench measuring them with --api and --upstreams, every role
 * sharing a LAB_TOKEN. A valid run with the roles recorded and shown; then each way a role
 * can be the wrong one ends with exit 5 and a message naming the role and its URL, before
 * anything is measured. (The same across network namespaces: roles-in-three-network-namespaces.)
 */
import { createServer, type Server } from 'node:http'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { placeRoles, stopRoles, type PlacedRoles } from './helpers/roles.ts'
import { runCli } from './helpers/run-cli.ts'
import type { Results } from '../bench/record/results.ts'
import { LAB_PROTOCOL } from '../scenario/lab-roles.ts'

const TOKEN = 'a-shared-secret'
const SCENARIO = ['--latency', '20']
let roles: PlacedRoles | undefined
let out: string

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'lab-roles-'))
  roles = await placeRoles({ upstreamsHost: '127.0.0.2', apiHost: '127.0.0.3', scenarioArgs: SCENARIO, env: { LAB_TOKEN: TOKEN } })
}, 90_000)

afterAll(async () => {
  await stopRoles(roles)
  await rm(out, { recursive: true, force: true })
}, 30_000)

const bench = (args: string[], env: NodeJS.ProcessEnv = { LAB_TOKEN: TOKEN }) => runCli('bench/bench.ts', ['--quick', '--variants', 'parallel', ...args], env)

describe('a bench measuring roles placed by URL', () => {
  it('completes a valid run, records where each role ran, and the report says so', async () => {
    const { apiUrl, upstreamsUrl } = roles!
    expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.3:\d+$/)
    expect(upstreamsUrl).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/)
    const run = bench(['--api', apiUrl, '--upstreams', upstreamsUrl, '--out', out, ...SCENARIO])
    expect(await run.exit, run.output()).toBe(0)
    expect(run.output()).toMatch(new RegExp(`API at ${apiUrl.replaceAll('.', '\\.')} \\(host `))
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results
    expect(results.valid, results.problems.join('\n')).toBe(true)
    expect(results.roles.api).toMatchObject({ url: apiUrl, placed: true, sameMachine: true })
    expect(results.roles.upstreams).toMatchObject({ url: upstreamsUrl, placed: true, sameMachine: true })
    expect(results.roles.redis.address).toMatch(/^127\.0\.0\.1:\d+$/)
    // The calls per request are the mocks' own counts, read across the placed roles.
    expect(results.variants.parallel!.upstreamCalls).toEqual({ catalog: 1, inventory: 1, pricing: 0, reviews: 1, categories: 1 })
    // The self-checks read the placed roles' CPU from the roles themselves.
    const check = results.variants.parallel!.load[0]!.selfCheck
    expect(check.cpuPercent.api).toBeGreaterThan(0)
    expect(check.cpuPercent.upstreams).toBeGreaterThan(0)
    expect(check.hostCpuPercent).toEqual({ api: null, upstreams: null })
    for (const file of ['report.html', 'summary.md']) {
      const text = await readFile(join(out, file), 'utf8')
      expect(text, file).toContain(`the API at ${apiUrl}`)
      expect(text, file).toContain(`the upstreams at ${upstreamsUrl}`)
    }
  }, 120_000)

  it('with LAB_TOKEN set, every role\'s /__lab/* answers only a request carrying it', async () => {
    for (const url of [`${roles!.upstreamsUrl}/__lab/stats`, `${roles!.apiUrl}/__lab/counters`, `${roles!.upstreamsUrl}/__lab/echo?ms=0`]) {
      const refused = await fetch(url)
      expect(refused.status, url).toBe(401)
      expect(((await refused.json()) as { message: string }).message).toContain('LAB_TOKEN')
      expect((await fetch(url, { headers: { 'x-lab-token': 'wrong' } })).status, url).toBe(401)
      expect((await fetch(url, { headers: { 'x-lab-token': TOKEN } })).status, url).toBe(200)
    }
    // The variants themselves need no token.
    expect((await fetch(`${roles!.apiUrl}/parallel/products?limit=2`)).status).toBe(200)
  })

  it('exits 5 naming the role and its URL when nothing answers there', async () => {
    const run = bench(['--api', 'http://127.0.0.3:9', '--upstreams', roles!.upstreamsUrl, ...SCENARIO])
    expect(await run.exit).toBe(5)
    expect(run.output()).toContain('Cannot reach the API at http://127.0.0.3:9')
    expect(run.output()).not.toMatch(/\n\s+at /)
  }, 30_000)

  it('exits 5 when the lab\'s token is missing or wrong', async () => {
    const missing = bench(['--api', roles!.apiUrl, ...SCENARIO], {})
    expect(await missing.exit).toBe(5)
    expect(missing.output()).toMatch(/The (API|upstreams) at http:\/\/127\.0\.0\.[23]:\d+ refused the lab's token \(.*LAB_TOKEN/)
    const wrong = bench(['--api', roles!.apiUrl, ...SCENARIO], { LAB_TOKEN: 'another' })
    expect(await wrong.exit).toBe(5)
    expect(wrong.output()).toContain('does not match')
  }, 30_000)

  it('exits 5 when a URL is another role, or runs another scenario', async () => {
    const swapped = bench(['--api', roles!.apiUrl, '--upstreams', roles!.apiUrl, ...SCENARIO])
    expect(await swapped.exit).toBe(5)
    expect(swapped.output()).toContain(`${roles!.apiUrl} is the lab's API, not its upstreams: give it as --api`)
    const other = bench(['--api', roles!.apiUrl, '--upstreams', roles!.upstreamsUrl, '--latency', '30'])
    expect(await other.exit).toBe(5)
    expect(other.output()).toContain(`The upstreams at ${roles!.upstreamsUrl} runs another scenario than this bench: services differs`)
  }, 30_000)

  it('exits 5 when a role runs another version of the lab', async () => {
    // A role of another release: it answers the hello, with another version.
    const hello = { lab: 'api-speedup-lab', version: '0.0.1', protocol: LAB_PROTOCOL, role: 'upstreams', instance: 'x', host: {}, scenario: {}, ports: {} }
    const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hello)))
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.2', port: 0 }, resolve))
    try {
      const url = `http://127.0.0.2:${(server.address() as AddressInfo).port}`
      const run = bench(['--upstreams', url, ...SCENARIO])
      expect(await run.exit).toBe(5)
      expect(run.output()).toMatch(new RegExp(`The upstreams at ${url.replaceAll('.', '\\.')} runs api-speedup-lab 0\\.0\\.1 \\(protocol ${LAB_PROTOCOL}\\); this one is \\S+ \\(protocol ${LAB_PROTOCOL}\\)\\. Run the same version`))
    } finally {
      server.close()
    }
  }, 30_000)

  it('refuses a URL that is not a role\'s base URL, before starting anything (exit 2)', async () => {
    const run = bench(['--api', 'http://127.0.0.3:3000/parallel/products'])
    expect(await run.exit).toBe(2)
    expect(run.output()).toContain('Flag --api: got "http://127.0.0.3:3000/parallel/products"; give the base URL alone')
  }, 30_000)
})
