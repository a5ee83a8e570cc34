/**
 * A vitest reporter that appends each test file's wall time, hooks included (vitest's JSON
 * report times the tests alone: a file whose bench runs in beforeAll reads as 1 s), to the
 * file named by FILE_TIMES_OUT, one line per file: seconds, then the path. test-repeat.ts
 * reads it to say which files the suite's time goes to.
 */
import { appendFileSync } from 'node:fs'
import { relative } from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'

export const FILE_TIMES_ENV = 'FILE_TIMES_OUT'

export default class FileTimesReporter implements Reporter {
  private readonly started = new Map<string, number>()

  onTestModuleStart(module: TestModule): void {
    this.started.set(module.moduleId, performance.now())
  }

  onTestModuleEnd(module: TestModule): void {
    const out = process.env[FILE_TIMES_ENV]
    const started = this.started.get(module.moduleId)
    if (!out || started === undefined) return
    appendFileSync(out, `${((performance.now() - started) / 1000).toFixed(1)}\t${relative(process.cwd(), module.moduleId)}\n`)
  }
}
