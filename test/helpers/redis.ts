/**
 * Tests that need a real redis-server. Outside CI a machine without one skips them,
 * visibly; in CI (CI=true) a missing redis-server fails them, never skips.
 */
import { execFileSync } from 'node:child_process'

export const REDIS_AVAILABLE = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1'

/** Skip only where a skip is allowed: not in CI. */
export const SKIP_REDIS = !REDIS_AVAILABLE && !IN_CI

if (SKIP_REDIS) console.warn('redis-server is not installed: skipping the Redis tests (they fail in CI instead).')

/** Redis's own count of lookups since it started (INFO stats): keys found and not found, MGET counting each key. */
export async function readKeyspace(redis: { info(section: string): Promise<string> }): Promise<{ hits: number; misses: number }> {
  const info = await redis.info('stats')
  const read = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1])
  return { hits: read('keyspace_hits'), misses: read('keyspace_misses') }
}
