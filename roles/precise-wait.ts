/**
 * A wait that keeps to its deadline, for every role that holds an answer for a set time: the
 * mocks' calls and their calibration echo, and the API's. Timers alone fire up to ~0.5 ms late
 * and now and then ~0.8 ms early (measured on this project's machines); the lab's floors are
 * exact sums of configured latency, so the wait sleeps on a timer to just short of its deadline
 * and yields the rest on setImmediate until the deadline has passed. Written by hand: no timer
 * library finishes against the clock like this.
 */

/** Time left for the precise finish; larger than a timer's usual error either way. */
const SPIN_MS = 1.5
/**
 * Above this many calls waiting at once, the precise finish is skipped: under load the
 * waits overlap, spinning would keep the mocks busy all the time and take
 * a core from the API under test, and a timer's error is noise beside queueing.
 */
const MAX_SPINNING_SLEEPERS = 8

let sleepers = 0

/**
 * Resolves once `performance.now()` has reached `deadline`: never early, and at low
 * concurrency within a few microseconds of it. Rejects at once if `signal` aborts.
 * Plain callbacks, not timers/promises: that one adds an abort listener and a promise per
 * timer, a visible share of the mocks' CPU per call under load.
 */
export function sleepUntil(deadline: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error)
    let timer: NodeJS.Timeout | undefined
    let immediate: NodeJS.Immediate | undefined
    const settle = (): void => {
      sleepers--
      signal?.removeEventListener('abort', onAbort)
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      clearImmediate(immediate)
      settle()
      reject(signal?.reason as Error)
    }
    // A timer can fire early: whatever is left is waited out on the event loop.
    const finish = (): void => {
      if (performance.now() < deadline) {
        immediate = setImmediate(finish)
        return
      }
      settle()
      resolve()
    }
    sleepers++
    signal?.addEventListener('abort', onAbort, { once: true })
    const precise = sleepers <= MAX_SPINNING_SLEEPERS
    const coarse = deadline - performance.now() - (precise ? SPIN_MS : 0)
    if (coarse > 0) timer = setTimeout(finish, coarse)
    else finish()
  })
}
