/** A started stack, and where each of its roles ran: started here, or placed by URL on a host of its own. Types only. */
import type { ApiProcess } from '../../lab-api/protocol.ts'
import type { UpstreamProcess } from '../../mock-upstreams/protocol.ts'
import type { HostInfo } from '../../roles/protocol.ts'

export interface PlacedRole {
  url: string
  placed: boolean
  host: HostInfo
}

export interface StackRoles {
  api: PlacedRole
  upstreams: PlacedRole
  /** host:port of the Redis the API uses (null: the in-process map), and whether it was given rather than started by the lab. */
  redis: { address: string | null; placed: boolean }
}

export interface Stack {
  redis: RunningRedis
  upstreams: UpstreamProcess
  api: ApiProcess
  roles: StackRoles
  /** Stops whatever was started, last started first. Safe to call twice. */
  stop(): Promise<void>
}

export interface RunningRedis {
  /** The Redis to use; undefined when there is none and the in-process store stands in. */
  url: string | undefined
  /** Where the cache lives, password redacted: fit for logs, results and reports. */
  description: string
  /** True when the lab started the redis-server itself. */
  startedByLab: boolean
  /** The redis-server the lab started (its CPU is the lab's); null for any other. */
  pid: number | null
  /** Stops the redis-server the lab started; nothing otherwise. */
  stop(): Promise<void>
}
