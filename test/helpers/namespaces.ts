/**
 * Network namespaces for tests that place the lab's roles on separate hosts: each namespace
 * gets one address on a private /24, joined by a bridge inside the first one, so nothing is
 * added to the machine's own network (no address, route or interface outside them).
 * Created as root with iproute2's `ip`; always removed by `remove()`, also when creating failed
 * half-way. Written by hand: a few `ip` commands, for which no well-kept package exists.
 */
import { execFileSync } from 'node:child_process'

export interface Namespaces {
  /** Each namespace's name and its address on the shared /24. */
  hosts: Array<{ name: string; address: string }>
  /** The command prefix that runs a command in namespace `name`. */
  exec(name: string): string[]
  remove(): void
}

/** Why namespaces cannot be created here, or null when they can (root and `ip` present). */
export function namespacesUnavailable(): string | null {
  if (process.getuid?.() !== 0) return `the tests run as uid ${process.getuid?.()}, not root: creating network namespaces needs root`
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'pipe' })
  } catch (error) {
    return `\`ip netns\` (iproute2) does not work here: ${(error as Error).message.split('\n')[0]}`
  }
  return null
}

/** `count` namespaces named `${prefix}-<i>` with addresses `${subnet}.<i + 1>`; the bridge lives in the first. */
export function createNamespaces(prefix: string, count: number, subnet = '10.77.0'): Namespaces {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
  const ip = (...args: string[]): void => {
    execFileSync('ip', args, { stdio: 'pipe' })
  }
  const created: string[] = []
  const remove = (): void => {
    // Deleting a namespace deletes the interfaces inside it, the veth pairs with them.
    for (const name of created.splice(0)) {
      try {
        ip('netns', 'del', name)
      } catch {
        // already gone
      }
    }
  }
  try {
    for (const name of names) {
      ip('netns', 'add', name)
      created.push(name)
      ip('-n', name, 'link', 'set', 'lo', 'up')
    }
    const [hub] = names as [string]
    ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge')
    ip('-n', hub, 'link', 'set', 'br0', 'up')
    ip('-n', hub, 'addr', 'add', `${subnet}.1/24`, 'dev', 'br0')
    names.slice(1).forEach((name, i) => {
      // One veth pair per namespace: one end in it, the other on the hub's bridge.
      ip('link', 'add', 'v0', 'netns', name, 'type', 'veth', 'peer', 'name', `p${i + 1}`, 'netns', hub)
      ip('-n', hub, 'link', 'set', `p${i + 1}`, 'master', 'br0')
      ip('-n', hub, 'link', 'set', `p${i + 1}`, 'up')
      ip('-n', name, 'addr', 'add', `${subnet}.${i + 2}/24`, 'dev', 'v0')
      ip('-n', name, 'link', 'set', 'v0', 'up')
    })
  } catch (error) {
    remove()
    throw new Error(`Could not create the network namespaces ${names.join(', ')}: ${(error as Error).message}`)
  }
  return {
    hosts: names.map((name, i) => ({ name, address: `${subnet}.${i + 1}` })),
    exec: (name) => ['ip', 'netns', 'exec', name],
    remove,
  }
}
