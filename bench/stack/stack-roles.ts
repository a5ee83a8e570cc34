/** Where each role of a stack ran: started here, or placed by URL on a host of its own. Types only, for the harness's record of them. */
import type { HostInfo } from '../../scenario/lab-roles.ts'

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
