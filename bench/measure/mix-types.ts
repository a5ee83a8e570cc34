/** The traffic mix's shape (traffic-mix.ts makes it): its requests and their sequences. Types only, for the phases that send it. */
import type { Scenario } from '../../scenario/types.ts'

export interface MixRequest {
  /** 1 for the most popular. */
  rank: number
  /** The request under a variant's prefix, e.g. /products?page=2&limit=20&category=70. */
  path: string
  page: number
  limit: number
  /** The top-level category listed, or null for the whole catalogue. */
  category: number | null
  /** The share of the mix's requests that ask for this one (its Zipf weight). */
  share: number
}

export interface TrafficMix {
  kind: Scenario['traffic']['kind']
  /** Every distinct request, most popular first. */
  catalogue: readonly MixRequest[]
  /** The first `count` requests of the sequence named `stream`: the same for the same scenario and stream, and a prefix of any longer one. */
  sequence(count: number, stream?: string): MixRequest[]
  /** The distinct requests among the first `count` of the stream, in order of first appearance. */
  distinct(count: number, stream?: string): MixRequest[]
  /** The stream named `stream` without end: each call, the next request of the same sequence `sequence` gives. */
  stream(stream: string): () => MixRequest
}

/** What a load level sends one variant: the next request of its sequence, under the variant's prefix, and each path's reference body. */
export interface LoadTraffic {
  /** The variant's prefix, e.g. /parallel. */
  prefix: string
  next(): MixRequest
  /** Path → the body every 2xx to it must carry; a path not yet in it takes the first body answered. */
  references: Map<string, string>
}
