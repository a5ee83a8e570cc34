/**
 * Progress while a run goes: phase, what is being measured, and an estimate of the time
 * left (from the floors and the samples planned). On a terminal, one line rewritten in
 * place; elsewhere (CI, a pipe), one line per step.
 */
import { formatDuration } from '../record/format.ts'

export interface Step {
  phase: string
  label: string
  estimateMs: number
}

export interface Progress {
  /** Adds steps to the plan, so the time left covers them. */
  plan(steps: Step[]): void
  /** Runs a planned step (or an unplanned one), showing it while it runs. */
  run<T>(step: Step, work: () => Promise<T>): Promise<T>
  /** A message between steps, kept on screen. */
  note(message: string): void
  stop(): void
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const pending: Step[] = []
  const interactive = stream.isTTY === true
  let current: { step: Step; startedAt: number } | undefined
  let done = 0
  let timer: NodeJS.Timeout | undefined

  const leftMs = (): number => {
    const running = current ? Math.max(0, current.step.estimateMs - (performance.now() - current.startedAt)) : 0
    return running + pending.reduce((sum, step) => sum + step.estimateMs, 0)
  }
  const line = (): string => {
    if (!current) return ''
    const { phase, label } = current.step
    return `[${phase}] ${label} · step ${done + 1}/${done + 1 + pending.length} · ~${formatDuration(leftMs())} left`
  }
  const clear = (): void => {
    if (interactive) stream.write('\r\x1b[2K')
  }
  const draw = (): void => {
    if (interactive) stream.write(`\r\x1b[2K${line().slice(0, (stream.columns ?? 120) - 1)}`)
  }

  return {
    plan(steps) {
      pending.push(...steps)
    },
    async run(step, work) {
      const index = pending.findIndex((p) => p.phase === step.phase && p.label === step.label)
      if (index >= 0) pending.splice(index, 1)
      current = { step, startedAt: performance.now() }
      if (interactive) {
        draw()
        timer ??= setInterval(draw, 500)
        timer.unref()
      } else {
        stream.write(`${line()}\n`)
      }
      try {
        return await work()
      } finally {
        done++
        current = undefined
      }
    },
    note(message) {
      clear()
      stream.write(`${message}\n`)
      if (current) draw()
    },
    stop() {
      if (timer) clearInterval(timer)
      clear()
    },
  }
}
