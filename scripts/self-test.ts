/**
 * `npm run self-test -- [--quick]`: what the lab itself costs on this machine, so anyone can
 * re-measure it. Starts the stack with the default scenario and prints four figures:
 *
 * 1. the overhead per upstream call on the critical path of the warm `cached` and `parallel`
 *    requests (p50 − floor, ÷ the calls on the path), against the calibration (a bare call
 *    from the API to an upstream, with no lab code in it);
 * 2. the mocks' CPU per call they receive, and 3. the API's CPU per request, both at
 *    `parallel`, 50 connections, with the level's self-check;
 * 4. how much load the open-load generator can send on time: increasing rates against the
 *    upstream process's bare echo, the highest with no more than 5 % of requests late.
 */
import { mkdir, readdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { calibrateHops, calibrateUpstreamHop } from '../bench/measure/calibrate.ts'
import {
  cacheReadsOnPath,
  callsCalibration,
  fanOutWidths,
  hopGroups,
  judgeHops,
  medianHopWaterfall,
  medianLoneCacheStages,
} from '../bench/measure/hops.ts'
import { createHttpClient } from '../bench/measure/http-client.ts'
import { measureLoadLevel } from '../bench/measure/load-phase.ts'
import { runOpenLoad, summarizeOpenLoad } from '../bench/measure/open-load.ts'
import { LAB_LIMITS } from '../bench/measure/self-check.ts'
import { median, percentiles } from '../bench/measure/stats.ts'
import { formatMs, round } from '../bench/record/format.ts'
import { HOP_TARGET_MS } from '../bench/record/results.ts'
import { modelVariants } from '../bench/stack/model-process.ts'
import { CPU_PROFILE_DIR_ENV } from '../bench/stack/lab-process.ts'
import { startStack, type Stack } from '../bench/stack/start-stack.ts'
import { ECHO_PATH } from '../mock-upstreams/protocol.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'
import { parseServerTiming } from '../variants/shared/stage-timing.ts'
import { monotonicUs, summarizeProfiles, type ProfileSummary } from './cpu-profile.ts'

const values = (() => {
  try {
    return parseArgs({ options: { quick: { type: 'boolean' }, 'cpu-prof': { type: 'string' }, help: { type: 'boolean' } }, strict: true })
      .values
  } catch (error) {
    console.error(`${(error as Error).message} See --help.`)
    process.exit(2)
  }
})()
if (values.help) {
  console.log(
    [
      'Usage: npm run self-test -- [--quick] [--cpu-prof DIR]',
      '',
      "Prints what the lab itself costs on this machine: overhead per hop against the calibration, the mocks' CPU per call, the API's CPU per request, and the load the generator can send on time.",
      '',
      '  --quick          fewer samples, shorter levels',
      '  --cpu-prof DIR   the API and the mocks write V8 CPU profiles (node --cpu-prof) into DIR, and the self-test prints where',
      '                   each spent its CPU, by package and by function; the generator test (4) is left out, so the',
      '                   profiles hold parts 1–3 only. Open a profile in Chrome DevTools (Performance) or speedscope.',
    ].join('\n'),
  )
  process.exit(0)
}
const quick = values.quick === true
const profileDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof'])
if (profileDir !== undefined) {
  await mkdir(profileDir, { recursive: true })
  const stale = (await readdir(profileDir)).filter((file) => file.endsWith('.cpuprofile'))
  if (stale.length > 0) {
    console.error(`--cpu-prof: ${profileDir} already holds ${stale.length} .cpuprofile file(s); give an empty or new directory.`)
    process.exit(2)
  }
  process.env[CPU_PROFILE_DIR_ENV] = profileDir
}
const SAMPLES = quick ? 10 : 30
const LOAD_SECONDS = quick ? 1 : 5
const GENERATOR_RATES = quick ? [500, 1000] : [500, 1000, 2000, 4000, 8000]
const GENERATOR_SECONDS = quick ? 1 : 2
const PATH = '/products?page=1&limit=50'

const scenario = resolveScenario()
let stack: Stack | undefined
const stop = async (code: number): Promise<never> => {
  await stack?.stop()
  process.exit(code)
}
process.on('SIGINT', () => void stop(130))
process.on('SIGTERM', () => void stop(143))

function printProfiles(
  summaries: ProfileSummary[],
  names: Map<number, string>,
  perUnit: Map<number, { unit: string; count: number }>,
): void {
  for (const summary of summaries) {
    const name = names.get(summary.pid)
    if (!name) continue
    const { unit, count } = perUnit.get(summary.pid)!
    const each = (ms: number) => (count > 0 ? `  ${((1000 * ms) / count).toFixed(1).padStart(6)} µs/${unit}` : '')
    const share = (ms: number) => `${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)} %${each(ms)}`
    console.log(
      `\nWhere the CPU of ${name} went during the load level (pid ${summary.pid}, ${Math.round(summary.busyMs)} ms sampled on its main thread${count > 0 ? `, ${Math.round(count)} ${unit}s` : ''}), self time:`,
    )
    console.log('  by package:')
    for (const { name: pkg, ms } of summary.byPackage.slice(0, 16)) console.log(`    ${share(ms)}  ${pkg}`)
    console.log('  by function:')
    for (const { name: fn, ms } of summary.byFunction.slice(0, 30)) console.log(`    ${share(ms)}  ${fn}`)
  }
}

try {
  stack = await startStack(scenario, { redisUrl: process.env.REDIS_URL }, (message) => console.error(message))
  const { api, upstreams } = stack
  console.log(
    `api-speedup-lab self-test: the lab's own cost on this machine${quick ? ' (quick)' : ''}; cache: ${stack.redis.description}\n`,
  )

  // 1. Overhead per hop, against this machine's calibration of each kind of hop on the paths
  // (bench/measure/hops.ts): the API's call, alone or several at once, its Redis read, and the
  // request's own hop (a bare call from the harness, with the same wait).
  const samples = quick ? 10 : 25
  const calibration = await calibrateUpstreamHop(api, 'catalog', samples)
  const models = await modelVariants(scenario, ['cached', 'parallel'])
  const floors = Object.fromEntries(
    Object.entries(models).map(([name, outcome]) => {
      if (!('model' in outcome)) throw new Error(`${name} could not be modelled: ${outcome.notModelled}`)
      return [name, outcome.model.floor]
    }),
  )
  const hopCalibration = await calibrateHops(api, fanOutWidths(Object.values(floors)), samples)
  const client = createHttpClient(api.url)
  const hops: string[] = []
  try {
    for (const name of ['cached', 'parallel']) {
      const floor = floors[name]!
      await client.get(`/${name}${PATH}`) // fills the price cache
      const times: number[] = []
      const headers: string[] = []
      const leg: number[] = []
      const totals: number[] = []
      const before = await api.counters()
      for (let i = 0; i < SAMPLES; i++) {
        const started = performance.now()
        const answer = await client.get(`/${name}${PATH}`)
        const elapsed = performance.now() - started
        if (answer.status !== 200) throw new Error(`${name} answered ${answer.status}`)
        times.push(elapsed)
        const timing = parseServerTiming(answer.serverTiming ?? '')
        if (timing.totalMs !== undefined) {
          leg.push(elapsed - timing.totalMs)
          totals.push(timing.totalMs)
        }
        headers.push(answer.serverTiming ?? '')
      }
      const [p50] = percentiles(times, [50])
      const overMs = p50! - floor.warmMs
      const waterfall = medianHopWaterfall(headers)
      // The Redis reads on the path: the answers' lone cache stages, no more than the reads the API made per request.
      const readsPerRequest = ((await api.counters()).cacheReads - before.cacheReads) / SAMPLES
      const judged = judgeHops(
        floor,
        overMs,
        cacheReadsOnPath(medianLoneCacheStages(headers), readsPerRequest),
        calibration,
        hopCalibration,
      )
      if (!judged) {
        // A hop with no calibration (Redis never answered its reads in time) leaves this variant's figure per hop out, and says why; the rest is still reported.
        hops.push(
          `  ${name.padEnd(9)} p50 ${formatMs(p50!)} over its ${formatMs(floor.warmMs)} floor: +${overMs.toFixed(1)} ms (${floor.callsOnPath} calls on the path: ${(overMs / floor.callsOnPath).toFixed(2)} ms per call); per hop: not calibrated, because ${hopCalibration.cacheReadUncalibrated ?? 'a hop on its path has no calibration'}`,
        )
        continue
      }
      const signed = (ms: number) => `${ms < 0 ? '−' : '+'}${Math.abs(ms).toFixed(2)}`
      // Each hop of the measured waterfall: the time before it (the API's own work between hops), its time over the model's ideal, and over its calibration.
      const groups = hopGroups(waterfall)
      const where = groups.map((group, i) => {
        const ideals = group.stages.map((stage) => floor.stages.find((one) => one.name === stage.name)).filter((one) => one !== undefined)
        const idealMs = ideals.length
          ? Math.max(...ideals.map((one) => one.startMs + one.durationMs)) - Math.min(...ideals.map((one) => one.startMs))
          : 0
        const calls = group.stages.filter((stage) => stage.name !== 'cache').length
        const cost = (calls === 0 ? hopCalibration.cacheRead : callsCalibration(calls, calibration, hopCalibration))?.overheadMs
        const overIdeal = group.endMs - group.startMs - idealMs
        const label = group.stages.map((stage) => stage.name).join('+')
        return `${signed(i === 0 ? group.startMs : group.startMs - groups[i - 1]!.endMs)} before ${label}, ${label} ${signed(overIdeal)}${cost === undefined ? '' : ` (${signed(overIdeal - cost)} beyond its calibration)`}`
      })
      const fans = floor.callsAtOnceOnPath.filter((k) => k > 1)
      const alone = floor.callsAtOnceOnPath.length - fans.length
      const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`
      const kinds = [
        alone ? `${plural(alone, 'call')} alone` : '',
        ...fans.map((k) => `1 of ${k} calls at once`),
        judged.cacheReads ? plural(judged.cacheReads, 'Redis read') : '',
      ]
        .filter(Boolean)
        .join(', ')
      hops.push(
        `  ${name.padEnd(9)} p50 ${formatMs(p50!)} over its ${formatMs(floor.warmMs)} floor: +${overMs.toFixed(1)} ms (${floor.callsOnPath} calls on the path: ${(overMs / floor.callsOnPath).toFixed(2)} ms per call)`,
      )
      hops.push(
        `            ${judged.count} hops (the request's own, ${kinds}) cost ${signed(judged.calibratedMs)} ms bare: ${signed(judged.beyondMs)} ms beyond them, ${signed(judged.beyondPerHopMs)} ms per hop ${judged.withinTarget ? '✓' : '✗'} (target ≤ ${HOP_TARGET_MS} ms)`,
      )
      const totalMs = median(totals)
      const assembling =
        groups.length && totals.length
          ? `; ${signed(totalMs - groups.at(-1)!.endMs)} after ${groups
              .at(-1)!
              .stages.map((stage) => stage.name)
              .join('+')} (assembling the page)`
          : ''
      if (leg.length > 0)
        hops.push(
          `            where (medians, from Server-Timing, ms): ${where.join('; ')}${assembling}; the request's own leg (harness ⇄ API, routing, serialising the page) ${signed(median(leg))} (${signed(median(leg) - hopCalibration.request.overheadMs)} beyond its calibration)`,
        )
    }
  } finally {
    await client.close()
  }
  const fanOutText = Object.entries(hopCalibration.atOnce)
    .map(([k, c]) => `; ${k} at once from the API +${c.overheadMs.toFixed(2)} ms (first call to last answer)`)
    .join('')
  console.log(
    `1. Overhead per hop (${SAMPLES} requests one at a time, warm). Calibration, each kind of hop bare (no lab code, the same ${calibration.waitMs} ms wait): one call from the API to an upstream +${calibration.overheadMs.toFixed(2)} ms${fanOutText}; a Redis read from the API ${hopCalibration.cacheRead ? `${hopCalibration.cacheRead.overheadMs.toFixed(2)} ms${hopCalibration.cacheReadRetries ? ` (retried ${hopCalibration.cacheReadRetries === 1 ? 'once' : `${hopCalibration.cacheReadRetries} times`}: Redis did not answer a read in time)` : ''}` : hopCalibration.cacheReadUncalibrated ? `not calibrated, because ${hopCalibration.cacheReadUncalibrated}` : '— (no Redis)'}; the request's own hop, from the harness, +${hopCalibration.request.overheadMs.toFixed(2)} ms.`,
  )
  console.log(hops.join('\n'))

  // 2 and 3. The mocks' CPU per call and the API's per request, at parallel, 50 connections.
  const reference = await (await fetch(`${api.url}/parallel${PATH}`)).text()
  const context = { api, upstreams, path: PATH, reference, redisPid: stack.redis.pid }
  await measureLoadLevel(context, 'parallel', 50, { requestsPerConnection: 1 }) // compiles the code the level runs
  const window = { fromUs: monotonicUs(), toUs: 0 }
  const level = await measureLoadLevel(context, 'parallel', 50, { durationSeconds: LOAD_SECONDS })
  window.toUs = monotonicUs()
  // The counters were reset as the level began: what the mocks received during it.
  const mockCalls = Object.values((await upstreams.stats()).services).reduce((sum, service) => sum + service.calls, 0)
  const check = level.selfCheck
  const percent = (n: number | null) => (n === null ? '—' : `${n} %`)
  console.log(
    `\n2–3. parallel, 50 connections, ${level.durationSeconds} s: ${level.goodPerSec.toFixed(1)} good answers/s, p50 ${formatMs(level.p50Ms)}.`,
  )
  console.log(
    `  the mocks: ${check.mockCpuMsPerCall === null ? '—' : `${check.mockCpuMsPerCall.toFixed(3)} ms`} of CPU per call (${percent(check.cpuPercent.upstreams)} of a core); answers held late by p50 ${check.mockOvershoot?.p50Ms ?? '—'} ms, p99 ${check.mockOvershoot?.p99Ms ?? '—'} ms`,
  )
  console.log(
    `  the API: ${level.apiCpuMsPerRequest ?? '—'} ms of CPU per request, all threads (${level.apiEventLoopMsPerRequest ?? '—'} ms its event loop's thread; ${percent(check.cpuPercent.api)} of a core)`,
  )
  console.log(
    `  the harness ${percent(check.cpuPercent.harness)}, Redis ${percent(check.cpuPercent.redis)}, the machine ${percent(check.machineCpuPercent)} of all cores${check.labBound.length ? `; LAB-BOUND: ${check.labBound.join('; ')}` : '; not lab-bound'}`,
  )

  if (profileDir !== undefined) {
    // The self-test starts its own stack here: both processes have a pid.
    const pids = new Map([
      [api.pid ?? -1, 'the API'],
      [upstreams.pid ?? -1, 'the mocks'],
    ])
    await stack.stop() // the children write their profiles as they exit
    stack = undefined
    const perUnit = new Map([
      [api.pid ?? -1, { unit: 'request', count: level.goodPerSec * level.durationSeconds }],
      [upstreams.pid ?? -1, { unit: 'call', count: mockCalls }],
    ])
    printProfiles(await summarizeProfiles(profileDir, window), pids, perUnit)
    console.log(`\n(Profiles in ${profileDir}; the generator test is left out with --cpu-prof.)`)
    await stop(0)
  }

  // 4. The generator: the highest rate it sends on time, against the upstreams' bare echo.
  const echo = `${ECHO_PATH}?ms=0`
  const echoBody = await (await fetch(`${upstreams.urls.catalog}${echo}`)).text()
  console.log(
    `\n4. The open-load generator against the upstream process's bare echo (${GENERATOR_SECONDS} s per rate; on time: at most ${LAB_LIMITS.latePercent} % of requests over 2 ms late):`,
  )
  let onTime = 0
  for (const rate of GENERATOR_RATES) {
    const run = await runOpenLoad({
      origin: upstreams.urls.catalog,
      path: echo,
      ratePerSec: rate,
      durationSeconds: GENERATOR_SECONDS,
      timeoutMs: 5000,
      reference: echoBody,
    })
    const summary = summarizeOpenLoad(run)
    const kept = summary.latePercent <= LAB_LIMITS.latePercent
    if (kept) onTime = rate
    console.log(
      `  ${String(rate).padStart(5)} req/s: ${round(summary.latePercent, 1)} % late (the latest ${formatMs(summary.maxLateMs)}), ${summary.sent} sent, ${run.maxInFlight} in flight at most${kept ? '' : ' — behind its schedule'}`,
    )
    await sleep(200)
    if (!kept) break
  }
  console.log(`  → it sends ${onTime ? `at least ${onTime} req/s on time` : `no tested rate on time`} here.`)
  await stop(0)
} catch (error) {
  console.error(`\nThe self-test failed: ${(error as Error).message}`)
  await stop(1)
}
