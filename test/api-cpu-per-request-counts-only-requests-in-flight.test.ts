/**
 * A load level's API CPU per request counts only the CPU the API process spent while
 * requests were in flight, not its idle background between them (the API used 108 ms of
 * CPU in 5 idle seconds after two requests, measured, which alone added 5.4 ms to each of
 * `bulk`'s 20 requests at 10 connections), and each level starts from a collected heap.
 * The event loop's own share is given apart from all threads': the runtime's helper
 * threads (JIT compilation, concurrent GC) take a share that varies from run to run.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measureLoadLevel } from '../bench/measure/load-phase.ts'
import { startStack, type Stack } from '../bench/stack/start-stack.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'

const PATH = '/products?page=1&limit=50'
let stack: Stack
let reference: string

beforeAll(async () => {
  stack = await startStack(resolveScenario(), {}, () => {})
  reference = await (await fetch(`${stack.api.url}/bulk${PATH}`)).text()
}, 30_000)
afterAll(() => stack?.stop())

describe('API CPU per request', () => {
  it('does not grow while nothing is in flight', async () => {
    const before = await stack.api.usage()
    await sleep(1500)
    const after = await stack.api.usage()
    expect(after.busyCpuMicros).toBe(before.busyCpuMicros)
    expect(after.busyMainThreadMicros).toBe(before.busyMainThreadMicros)
  })

  it('for bulk at 10 connections: 20 requests, their CPU given for the event loop and for all threads', async () => {
    const context = { api: stack.api, upstreams: stack.upstreams, path: PATH, reference, redisPid: stack.redis.pid }
    const level = await measureLoadLevel(context, 'bulk', 10, { requestsPerConnection: 2 })
    expect(level.requests).toBe(20)
    // 10 connections × 2 requests of about 2 s: about 5 good answers per second, timed from the first request to the last answer.
    expect(level.goodPerSec).toBeGreaterThan(4)
    expect(level.goodPerSec).toBeLessThanOrEqual(level.requestsPerSec)
    expect(level.apiCpuMsPerRequest).toBeGreaterThan(0)
    // On Linux the event loop's thread is read apart, and it is part of all threads' time; elsewhere the OS does not tell.
    if (process.platform === 'linux') {
      expect(level.apiEventLoopMsPerRequest).toBeGreaterThan(0)
      expect(level.apiEventLoopMsPerRequest).toBeLessThanOrEqual(level.apiCpuMsPerRequest!)
    } else expect(level.apiEventLoopMsPerRequest).toBeNull()
  }, 30_000)
})
