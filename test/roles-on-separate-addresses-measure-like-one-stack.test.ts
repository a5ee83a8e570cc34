/**
 * The roles placed by URL, the fast way: the mocks on 127.0.0.2, the API (with the Redis it
 * starts) on 127.0.0.3, the bench measuring them with --api and --upstreams, every role
 * sharing a LAB_TOKEN. A valid run with the roles recorded and shown; then each way a role
 * can be the wrong one ends with exit 5 and a message naming the role and its URL, before
 * anything is measured. (The same across network namespaces: roles-in-three-network-namespaces.)
 */
import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { REDIS_AVAILABLE } from './helpers/redis.ts'
import { placeRoles, stopRoles, type PlacedRoles } from './helpers/roles.ts'
import { runCli } from './helpers/run-cli.ts'
import type { Results } from '../bench/record/results.ts'
import { LAB_PROTOCOL } from '../roles/protocol.ts'

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

const bench = (args: string[], env: NodeJS.ProcessEnv = { LAB_TOKEN: TOKEN }) =>
  runCli('bench/bench.ts', ['--quick', '--variants', 'parallel', ...args], env)

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
    // The Redis serve started (without redis-server, outside CI, its in-process map).
    expect(results.roles.redis.address).toEqual(REDIS_AVAILABLE ? expect.stringMatching(/^127\.0\.0\.1:\d+$/) : null)
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

  it("with LAB_TOKEN set, every role's /__lab/* answers only a request carrying it", async () => {
    for (const url of [`${roles!.upstreamsUrl}/__lab/stats`, `${roles!.apiUrl}/__lab/counters`, `${roles!.upstreamsUrl}/__lab/echo?ms=0`]) {
      const refused = await fetch(url)
      expect(refused.status, url).toBe(401)
      expect(((await refused.json()) as { message: string }).message).toContain('LAB_TOKEN')
      expect((await fetch(url, { headers: { 'x-lab-token': 'wrong' } })).status, url).toBe(401)
      expect((await fetch(url, { headers: { 'x-lab-token': TOKEN } })).status, url).toBe(200)
    }
    // The router decodes the path and takes an absolute URL: no spelling of an admin route escapes the token.
    for (const path of ['/%5F_lab/counters', '/__l%61b/hello', '/_%5Flab/cache/flush']) {
      expect((await fetch(`${roles!.apiUrl}${path}`, { method: path.endsWith('flush') ? 'POST' : 'GET' })).status, path).toBe(401)
    }
    const absolute = await rawGet(roles!.apiUrl, `${roles!.apiUrl}/__lab/counters`)
    expect(absolute).toMatch(/^HTTP\/1\.1 401 /)
    // The variants themselves need no token.
    expect((await fetch(`${roles!.apiUrl}/parallel/products?limit=2`)).status).toBe(200)
  })

  it('exits 5 naming the role and its URL when nothing answers there', async () => {
    const run = bench(['--api', 'http://127.0.0.3:9', '--upstreams', roles!.upstreamsUrl, ...SCENARIO])
    expect(await run.exit).toBe(5)
    expect(run.output()).toContain('Cannot reach the API at http://127.0.0.3:9')
    expect(run.output()).not.toMatch(/\n\s+at /)
  }, 30_000)

  it("exits 5 when the lab's token is missing or wrong", async () => {
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

  /** A role that answers its hello, as given, at a free port of 127.0.0.2; stopped after the test. */
  const fakeRole = async (hello: unknown): Promise<string> => {
    const server: Server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hello)),
    )
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.2', port: 0 }, resolve))
    onTestFinished(() => void server.close())
    return `http://127.0.0.2:${(server.address() as AddressInfo).port}`
  }
  const realHello = async (url: string) =>
    (await (await fetch(`${url}/__lab/hello`, { headers: { 'x-lab-token': TOKEN } })).json()) as Record<string, unknown>

  it('exits 5 when a role runs another version of the lab, or answers a hello it cannot read', async () => {
    const upstreams = await realHello(roles!.upstreamsUrl)
    const older = await fakeRole({ ...upstreams, version: '0.0.1' })
    const run = bench(['--upstreams', older, ...SCENARIO])
    expect(await run.exit).toBe(5)
    expect(run.output()).toMatch(
      new RegExp(
        `The upstreams at ${older.replaceAll('.', '\\.')} runs api-speedup-lab 0\\.0\\.1 \\(protocol ${LAB_PROTOCOL}\\); this one is \\S+ \\(protocol ${LAB_PROTOCOL}\\)\\. Run the same version`,
      ),
    )
    const { ports: _ports, ...portless } = upstreams
    const garbled = await fakeRole(portless)
    const unreadable = bench(['--upstreams', garbled, ...SCENARIO])
    expect(await unreadable.exit).toBe(5)
    expect(unreadable.output()).toContain(`The upstreams at ${garbled} answered a hello this lab cannot read (`)
    expect(unreadable.output()).not.toMatch(/\n\s+at /)
  }, 30_000)

  it('exits 5 when the API serves other code than this checkout, calls other mocks, or cannot collect its garbage', async () => {
    const api = await realHello(roles!.apiUrl)
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { ...api, variants: { ...(api.variants as object), parallel: 'f'.repeat(64) } },
        'serves other code than this checkout for parallel',
      ],
      [{ ...api, code: 'e'.repeat(64) }, 'runs other code than this checkout (code digest eeeeeeeeeeee there'],
      [{ ...api, upstreams: { ...(api.upstreams as object), instance: 'another' } }, 'calls other upstreams'],
      [{ ...api, gc: false }, "runs without node's --expose-gc"],
    ]
    for (const [hello, message] of cases) {
      const url = await fakeRole(hello)
      const run = bench(['--api', url, '--upstreams', roles!.upstreamsUrl, ...SCENARIO])
      expect(await run.exit, message).toBe(5)
      expect(run.output()).toContain(`The API at ${url} `)
      expect(run.output()).toContain(message)
    }
  }, 60_000)

  it("refuses a URL that is not a role's base URL, before starting anything (exit 2)", async () => {
    const run = bench(['--api', 'http://127.0.0.3:3000/parallel/products'])
    expect(await run.exit).toBe(2)
    expect(run.output()).toContain('Flag --api: got "http://127.0.0.3:3000/parallel/products"; give the base URL alone')
  }, 30_000)
})

/** A GET with `target` as the request line's target, as sent by hand: the status line of the answer. */
function rawGet(origin: string, target: string): Promise<string> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`),
    )
    let answer = ''
    socket.on('data', (chunk) => (answer += chunk.toString()))
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''))
    socket.on('error', reject)
  })
}
