/**
 * Entry of the upstream process: the five mocked services in a process of their own,
 * so their timers never share an event loop with the API under test.
 * Started by bench/upstream-process.ts over IPC; exits when its parent goes away.
 */
import { resolveScenario, type ScenarioInput } from '../bench/scenario.ts'
import { startUpstreams, type RunningUpstreams } from './serve-upstreams.ts'

let running: RunningUpstreams | undefined

async function stop(code: number): Promise<never> {
  await running?.close().catch(() => {})
  process.exit(code)
}

if (!process.send) {
  console.error('mock-upstreams/main.ts is started by the lab (npm run serve / npm run bench), not by hand.')
  process.exit(2)
}

process.once('message', (message: { scenario: ScenarioInput }) => {
  startUpstreams(resolveScenario(message.scenario))
    .then((upstreams) => {
      running = upstreams
      process.send?.({ type: 'ready', urls: upstreams.urls })
    })
    .catch((error: unknown) => {
      process.send?.({ type: 'failed', message: (error as Error).message })
      void stop(1)
    })
})
// The parent decides when to stop; a Ctrl-C reaching the whole process group is its job to handle.
process.on('SIGINT', () => {})
process.on('SIGTERM', () => void stop(0))
process.on('disconnect', () => void stop(0))
