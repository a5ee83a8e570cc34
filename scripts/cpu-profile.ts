/**
 * Sums up the V8 CPU profiles (`.cpuprofile`, written by node's --cpu-prof) the lab's
 * children wrote: where each process spent its CPU, by package and by function, self time.
 * Written by hand: the profile is a plain JSON tree of nodes with sample counts, and the
 * tools that read it (Chrome DevTools, speedscope) are viewers, not something a script prints from.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileSummary {
  pid: number
  /** Time sampled on the CPU, idle excluded, in ms. */
  busyMs: number
  byPackage: Array<{ name: string; ms: number }>
  byFunction: Array<{ name: string; ms: number }>
}

/**
 * Reads the main thread's profile of each process in `dir`. Node names them
 * CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile; thread 0 is the main one (tsx's loader is another).
 */
export async function summarizeProfiles(dir: string, window?: ProfileWindow): Promise<ProfileSummary[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile') && file.split('.')[4] === '0')
  const summaries: ProfileSummary[] = []
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile
    summaries.push({ pid: Number(file.split('.')[3]), ...summarize(profile, window) })
  }
  return summaries
}

/**
 * A stretch of time on the machine's monotonic clock, in µs: `process.hrtime.bigint() / 1000n`
 * in any process, the clock V8 stamps its samples with on Linux.
 */
export interface ProfileWindow {
  fromUs: number
  toUs: number
}

/** Microseconds on the monotonic clock now, for a ProfileWindow. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

function summarize(profile: CpuProfile, window?: ProfileWindow): Omit<ProfileSummary, 'pid'> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const packages = new Map<string, number>()
  const functions = new Map<string, number>()
  let busyUs = 0
  let at = profile.startTime
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0
    if (window && (at < window.fromUs || at > window.toUs)) return
    // A sample's time is the gap to the next one (V8 records the gap before each sample).
    const us = profile.timeDeltas[i + 1] ?? 0
    const frame = byId.get(id)?.callFrame
    if (!frame || frame.functionName === '(idle)') return
    busyUs += us
    const pkg = packageOf(frame)
    packages.set(pkg, (packages.get(pkg) ?? 0) + us)
    const fn = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`
    functions.set(fn, (functions.get(fn) ?? 0) + us)
  })
  const top = (map: Map<string, number>) => [...map].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms)
  return { busyMs: busyUs / 1000, byPackage: top(packages), byFunction: top(functions) }
}

/** The npm package a frame is in, `node:` for Node's own JavaScript, `lab` for this project, or V8's own name: (garbage collector), (program). */
function packageOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)'
  // Node's internals by module (node:internal/deps/undici is fetch's Request and Response).
  if (url.startsWith('node:internal/deps/')) return `node:internal/deps/${url.slice(19).split('/')[0]}`
  if (url.startsWith('node:')) return url.split(':').slice(0, 2).join(':')
  const modules = url.lastIndexOf('/node_modules/')
  if (modules >= 0) {
    const parts = url.slice(modules + 14).split('/')
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!
  }
  return 'lab'
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/')
  if (modules >= 0) return url.slice(modules + 14)
  const root = url.lastIndexOf('/api-speedup-lab/')
  return root >= 0 ? url.slice(root + 17) : url.replace(/^file:\/\/.*?\/(bench|variants|mock-upstreams|scenario|model)\//, '$1/')
}
