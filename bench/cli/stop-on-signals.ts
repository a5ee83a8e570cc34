/**
 * For a command that serves until it is stopped (`npm run serve`, `npm run upstreams`): the
 * one function that stops what it started and exits, whatever asks first: Ctrl-C (exit
 * 130), SIGTERM (143), or the command itself (a failure at start, with its own code).
 */
export function stopOnSignals(stopParts: () => Promise<void>): (code: number) => Promise<never> {
  let stopping: Promise<never> | undefined
  const stopAll = (code: number): Promise<never> =>
    (stopping ??= (async () => {
      await stopParts().catch(() => {})
      process.exit(code)
    })())
  // `on`, not `once`: a Ctrl-C can arrive twice (from the terminal, and relayed by npm or tsx),
  // and a second one must not kill the process half-way through stopping.
  process.on('SIGINT', () => {
    if (!stopping) console.log('\nStopping…')
    void stopAll(130)
  })
  process.on('SIGTERM', () => void stopAll(143))
  return stopAll
}
