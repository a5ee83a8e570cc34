/**
 * Nothing the lab starts listens beyond 127.0.0.1: every listening socket held by the
 * command or any process below it (the API, the upstreams, the Redis watchdog and
 * redis-server), found through /proc by pid and socket inode, not by name or port.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { IN_CI, SKIP_REDIS } from './helpers/redis.ts'
import { runCli, type RunningCli } from './helpers/run-cli.ts'

const HAS_PROC = (() => {
  try {
    readFileSync('/proc/net/tcp', 'utf8')
    return true
  } catch {
    return false
  }
})()

/** `pid` and every process below it. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // gone meanwhile
    }
  }
  const found = [pid]
  for (let i = 0; i < found.length; i++) for (const [child, parent] of parentOf) if (parent === found[i]) found.push(child)
  return found
}

/** Local addresses of the listening TCP sockets held by these processes, e.g. "127.0.0.1:6379". */
function listeningAddresses(pids: number[]): string[] {
  const inodes = new Set<string>()
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`)
        const match = /^socket:\[(\d+)\]$/.exec(target)
        if (match) inodes.add(match[1]!)
      }
    } catch {
      // gone meanwhile
    }
  }
  const addresses: string[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      // fields: sl local rem st tx:rx tr:when retrnsmt uid timeout inode; st 0A is LISTEN.
      if (fields.length < 10 || fields[3] !== '0A' || !inodes.has(fields[9]!)) continue
      addresses.push(decodeAddress(fields[1]!))
    }
  }
  return addresses
}

/** "0100007F:1F90" → "127.0.0.1:8080"; IPv6 as its hex words (so "::" and "::1" show). */
function decodeAddress(hex: string): string {
  const [ip, port] = hex.split(':') as [string, string]
  if (ip.length === 8) return `${[6, 4, 2, 0].map((i) => parseInt(ip.slice(i, i + 2), 16)).join('.')}:${parseInt(port, 16)}`
  const v4Mapped = ip.slice(0, 24) === '0000000000000000FFFF0000'
  if (v4Mapped) return `${decodeAddress(`${ip.slice(24)}:${port}`)}`
  return `[${ip}]:${parseInt(port, 16)}`
}

async function checkLoopbackOnly(run: RunningCli, expectedAtLeast: number): Promise<void> {
  const addresses = listeningAddresses(descendants(run.child.pid!))
  // Not vacuous: the API, five upstreams and Redis are all there.
  expect(addresses.length, addresses.join(', ')).toBeGreaterThanOrEqual(expectedAtLeast)
  for (const address of addresses) expect(address).toMatch(/^127\.0\.0\.1:\d+$/)
}

// Outside CI, a machine without /proc/net/tcp (not Linux) skips this, visibly; in CI it fails instead, as the other skips do.
if (!HAS_PROC && !IN_CI) console.warn('No /proc/net/tcp: skipping the loopback test (it fails in CI instead).')

describe.skipIf(SKIP_REDIS || (!HAS_PROC && !IN_CI))('everything the lab starts listens on 127.0.0.1 only', () => {
  it('npm run serve: the API, the five upstreams and redis-server', async () => {
    const serve = runCli('bench/serve.ts', ['--port', '0', '--latency', '5'])
    await serve.waitFor(/Ctrl-C stops/)
    await checkLoopbackOnly(serve, 7)
    serve.child.kill('SIGINT')
    expect(await serve.exit).toBe(130)
  })

  it('npm run bench, under load', async () => {
    const bench = runCli('bench/bench.ts', [
      '--quick',
      '--variants',
      'parallel',
      '--out',
      join(await mkdtemp(join(tmpdir(), 'lab-loopback-')), 'run'),
    ])
    await bench.waitFor(/\[load\]/)
    await checkLoopbackOnly(bench, 7)
    bench.child.kill('SIGINT')
    expect(await bench.exit).toBe(130)
  })

  it('decodes /proc addresses', () => {
    expect(decodeAddress('0100007F:1F90')).toBe('127.0.0.1:8080')
    expect(decodeAddress('00000000:0050')).toBe('0.0.0.0:80')
    expect(decodeAddress('00000000000000000000000000000000:0050')).toBe('[00000000000000000000000000000000]:80')
    expect(decodeAddress('0000000000000000FFFF00000100007F:0050')).toBe('127.0.0.1:80')
  })
})
