/**
 * Is it the code or the machine? While a level runs, how busy each of the lab's own
 * processes was (the harness, the mocked upstreams, Redis; the API under test too), the
 * whole machine, and the harness's event loop, so a figure that the lab capped is flagged
 * "lab-bound" rather than read as the code's.
 *
 * CPU is read from Linux's /proc (a process's utime + stime, all its threads, in clock
 * ticks; the machine's busy and idle time from /proc/stat): Node has no API for another
 * process's CPU, and no well-kept package reads /proc for a list of pids without sampling
 * on a timer of its own. Elsewhere the figures are null and no level is flagged for them.
 * The harness's event loop comes from perf_hooks (utilisation, and a delay histogram).
 */
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { round } from '../record/format.ts'
import type { LoopReading, SelfCheck } from '../record/results.ts'
import type { StatsSnapshot } from '../../mock-upstreams/protocol.ts'
import type { ApiProcessUsage } from '../../lab-api/protocol.ts'
import { describeHost, hostTicks, type HostTicks, type RoleCpu } from '../../roles/protocol.ts'

/**
 * A role whose CPU a level's self-check reads: by its pid from /proc when the lab started it
 * on this machine, else (`pid` null: a role placed on another host, docs/roles-on-hosts.md, "Roles on separate
 * hosts") as the role reads it itself, with its host's CPU, through its admin endpoint.
 */
export interface WatchedRole {
  pid: number | null
  cpu(): Promise<RoleCpu>
}

/** The lab's processes a level runs on; `redisPid` null where there is none of the lab's own (an external Redis, the in-process cache). */
export interface LabRoles {
  api: WatchedRole
  upstreams: WatchedRole
  redisPid: number | null
}

/**
 * Thresholds past which a level is lab-bound: a figure of the lab or the machine, not of the
 * code. A lab process (not the API under test, whose CPU is the code's) or the machine near
 * full, the mocks' answers held late, the open-load generator behind its schedule.
 */
export const LAB_LIMITS = {
  /** A lab process's CPU, in percent of one core (the event loop of a Node process runs on one). */
  processCpuPercent: 90,
  /** The machine's CPU, in percent of all its cores. */
  machineCpuPercent: 90,
  /**
   * The mocks' hold beyond the latency configured, p99, in ms, or this share of the calls'
   * mean configured latency if more: the tolerance the lab holds its own p50s to (max(3 %, 5 ms)).
   */
  overshootP99Ms: 5,
  overshootShare: 0.03,
  /** Requests the open-load generator sent late (more than 2 ms), in percent. */
  latePercent: 5,
  /** The harness's event-loop delay, p99, in ms: past it, its timers and sends are late. */
  harnessDelayP99Ms: 20,
} as const

/** The event-loop delay histogram's resolution, in ms. */
const LOOP_RESOLUTION_MS = 10

/** This machine's kernel: a role whose host tells another one runs elsewhere. */
const THIS_BOOT_ID = describeHost().bootId

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100

interface CpuSnapshot {
  atMs: number
  /** Per process: utime + stime in ticks; null when it cannot be read. */
  ticks: Record<string, number | null>
  /** Roles read through their admin endpoint (not by pid): their own reading. */
  remote: Partial<Record<'api' | 'upstreams', RoleCpu>>
  machine: HostTicks | null
}

function processTicks(pid: number | null): number | null {
  if (pid === null) return null
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may hold spaces: fields are counted after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime: fields 14 and 15 of the line, 12 and 13 after the name.
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return null
  }
}

async function snapshot(roles: LabRoles): Promise<CpuSnapshot> {
  const remote: CpuSnapshot['remote'] = {}
  await Promise.all(
    (['api', 'upstreams'] as const).map(async (name) => {
      if (roles[name].pid === null) remote[name] = await roles[name].cpu()
    }),
  )
  return {
    atMs: performance.now(),
    ticks: {
      harness: processTicks(process.pid),
      api: processTicks(roles.api.pid),
      upstreams: processTicks(roles.upstreams.pid),
      redis: processTicks(roles.redisPid),
    },
    remote,
    machine: hostTicks(),
  }
}

/** A host's busy share between two readings, in percent of all its cores; null without both. */
function busyPercent(before: HostTicks | null | undefined, after: HostTicks | null | undefined): number | null {
  return before && after && after.total > before.total
    ? round(Math.min(100, ((after.busy - before.busy) / (after.total - before.total)) * 100), 1)
    : null
}

/** What the harness reads itself over a level: the processes' and the machine's CPU, and its own event loop. */
export interface MachineReading {
  /** The time the reading spans, in seconds. */
  seconds: number
  cpuPercent: SelfCheck['cpuPercent']
  machineCpuPercent: number | null
  hostCpuPercent: SelfCheck['hostCpuPercent']
  harnessLoop: LoopReading
}

/** Starts watching; `stop()` gives the reading over the time between. */
export async function startSelfCheck(roles: LabRoles): Promise<{ stop(): Promise<MachineReading> }> {
  const before = await snapshot(roles)
  const elu = performance.eventLoopUtilization()
  const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
  delay.enable()
  return {
    async stop() {
      const after = await snapshot(roles)
      delay.disable()
      const seconds = Math.max((after.atMs - before.atMs) / 1000, 0.001)
      const share = (name: string): number | null => {
        const remote = [before.remote[name as 'api'], after.remote[name as 'api']]
        if (remote[0] && remote[1]) return round(((remote[1].cpuMicros - remote[0].cpuMicros) / 1e6 / seconds) * 100, 1)
        const [from, to] = [before.ticks[name], after.ticks[name]]
        return from === null || to === null || from === undefined || to === undefined
          ? null
          : round(((to - from) / TICKS_PER_SECOND / seconds) * 100, 1)
      }
      // A role on another host (another kernel: another boot id): that host's CPU; null for one sharing this machine's.
      const otherHost = (name: 'api' | 'upstreams'): number | null => {
        const [from, to] = [before.remote[name], after.remote[name]]
        // Unknown (no boot id on a side): not counted as another host, as sameMachine says "not told".
        return to && to.bootId !== null && THIS_BOOT_ID !== null && to.bootId !== THIS_BOOT_ID ? busyPercent(from?.host, to.host) : null
      }
      return {
        seconds: round(seconds, 3),
        cpuPercent: { harness: share('harness'), api: share('api'), upstreams: share('upstreams'), redis: share('redis') },
        machineCpuPercent: busyPercent(before.machine, after.machine),
        hostCpuPercent: { api: otherHost('api'), upstreams: otherHost('upstreams') },
        harnessLoop: {
          utilizationPercent: round(performance.eventLoopUtilization(elu).utilization * 100, 1),
          // In nanoseconds, the time between its checks, its resolution included: the delay is what is left. With no sample, 0.
          delayP99Ms: delay.count ? Math.max(0, round(delay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS, 2)) : 0,
        },
      }
    },
  }
}

/**
 * The machine's CPU over a level beyond the lab's own processes (harness, API, upstreams,
 * Redis), in percent of one core: what else ran beside the measurement. Null where the OS
 * does not tell the machine's CPU. `cores`: every CPU, as /proc/stat's total counts them (not
 * the affinity's). A test that compares timings reads it to tell a busy machine from a
 * disagreement of the code's.
 */
export function othersCpuPercent(selfCheck: Pick<SelfCheck, 'cpuPercent' | 'machineCpuPercent'>, cores = cpus().length): number | null {
  if (selfCheck.machineCpuPercent === null) return null
  const lab = Object.values(selfCheck.cpuPercent).reduce<number>((sum, percent) => sum + (percent ?? 0), 0)
  return Math.max(0, selfCheck.machineCpuPercent * cores - lab)
}

/** The API's event loop between two reads of GET /__lab/process (the second one's delay is the period's). */
export function apiLoopBetween(before: ApiProcessUsage['eventLoop'], after: ApiProcessUsage['eventLoop']): LoopReading {
  const active = after.activeMs - before.activeMs
  const total = active + (after.idleMs - before.idleMs)
  return { utilizationPercent: total > 0 ? round(Math.min(100, (active / total) * 100), 1) : 0, delayP99Ms: after.delayP99Ms }
}

/**
 * A level's self-check: the readings, and each reason its figures are the lab's or the
 * machine's rather than the code's (LAB_LIMITS). The API's own CPU is never a reason: it is
 * the code under test. `latePercent`: the open-load generator's (sweep levels only).
 */
export function judgeSelfCheck(
  reading: MachineReading,
  apiLoop: LoopReading | null,
  upstreams: Pick<StatsSnapshot, 'services' | 'overshoot' | 'eventLoop'> | null,
  latePercent: number | null,
): SelfCheck {
  const labBound: string[] = []
  const lab = [
    ['harness (load generator)', reading.cpuPercent.harness],
    ['mocked upstreams', reading.cpuPercent.upstreams],
    ['Redis', reading.cpuPercent.redis],
  ] as const
  for (const [name, percent] of lab) {
    if (percent !== null && percent >= LAB_LIMITS.processCpuPercent)
      labBound.push(`the ${name} process used ${percent} % of a core (limit ${LAB_LIMITS.processCpuPercent} %)`)
  }
  const machine = reading.machineCpuPercent
  // The harness's machine: with roles placed on other hosts, the load generator's alone.
  const machineName =
    reading.hostCpuPercent.api !== null || reading.hostCpuPercent.upstreams !== null ? "the load generator's machine" : 'the machine'
  if (machine !== null && machine >= LAB_LIMITS.machineCpuPercent)
    labBound.push(`${machineName}'s CPU was ${machine} % busy (limit ${LAB_LIMITS.machineCpuPercent} %)`)
  // The upstreams' own host, when it is another: the lab's. The API's own host is not a reason: its CPU is mostly the code's.
  const upstreamsHost = reading.hostCpuPercent.upstreams
  if (upstreamsHost !== null && upstreamsHost >= LAB_LIMITS.machineCpuPercent)
    labBound.push(`the upstreams' host's CPU was ${upstreamsHost} % busy (limit ${LAB_LIMITS.machineCpuPercent} %)`)
  const overshoot = upstreams && upstreams.overshoot.calls > 0 ? upstreams.overshoot : null
  const overshootLimit = overshoot
    ? round(Math.max(LAB_LIMITS.overshootP99Ms, LAB_LIMITS.overshootShare * overshoot.meanConfiguredMs), 1)
    : 0
  if (overshoot && overshoot.p99Ms > overshootLimit)
    labBound.push(`the mocks held their answers ${overshoot.p99Ms} ms longer than configured at p99 (limit ${overshootLimit} ms)`)
  if (latePercent !== null && latePercent > LAB_LIMITS.latePercent)
    labBound.push(`the load generator sent ${latePercent} % of its requests late (limit ${LAB_LIMITS.latePercent} %)`)
  if (reading.harnessLoop.delayP99Ms > LAB_LIMITS.harnessDelayP99Ms)
    labBound.push(
      `the harness's event loop was ${reading.harnessLoop.delayP99Ms} ms late at p99 (limit ${LAB_LIMITS.harnessDelayP99Ms} ms)`,
    )
  return {
    cpuPercent: reading.cpuPercent,
    machineCpuPercent: machine,
    hostCpuPercent: reading.hostCpuPercent,
    eventLoop: { harness: reading.harnessLoop, api: apiLoop, upstreams: upstreams?.eventLoop ?? null },
    mockCpuMsPerCall: mockCpuPerCall(reading, upstreams),
    mockOvershoot: overshoot
      ? { calls: overshoot.calls, p50Ms: overshoot.p50Ms, p99Ms: overshoot.p99Ms, meanConfiguredMs: overshoot.meanConfiguredMs }
      : null,
    labBound,
  }
}

/** The mocks' CPU over the reading divided by the calls they received in it, in ms. */
function mockCpuPerCall(reading: MachineReading, upstreams: Pick<StatsSnapshot, 'services'> | null): number | null {
  const calls = upstreams ? Object.values(upstreams.services).reduce((sum, s) => sum + s.calls, 0) : 0
  const percent = reading.cpuPercent.upstreams
  return percent === null || calls === 0 ? null : round(((percent / 100) * reading.seconds * 1000) / calls, 3)
}
