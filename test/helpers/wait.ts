/**
 * The one way tests wait for a condition: vitest's own vi.waitUntil, polled every 10 ms for at
 * most 5 s unless told otherwise, and on timeout an error that says what never happened (not
 * vitest's bare "timed out").
 */
import { vi } from 'vitest'

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  { timeout = 5000, interval = 10 }: { timeout?: number; interval?: number } = {},
): Promise<void> {
  await vi
    .waitUntil(check, { timeout, interval })
    .catch((error: unknown) => Promise.reject(new Error(`${what} within ${timeout} ms`, { cause: error })))
}
