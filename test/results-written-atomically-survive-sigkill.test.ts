/** A run killed with SIGKILL while writing leaves the previous results readable, never a half-written file. */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli.ts'

describe('writeAtomically', () => {
  it('under SIGKILL mid-write, results.json is always a whole file: the old one or a new one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-atomic-'))
    const path = join(dir, 'results.json')
    await writeFile(path, JSON.stringify({ generation: 0 }))
    const script = join(dir, 'writer.mts')
    // Writes ~4 MB versions of the file as fast as it can, until killed.
    await writeFile(
      script,
      `import { writeAtomically } from ${JSON.stringify(new URL('../bench/record/write-results.ts', import.meta.url).pathname)}
const pad = 'x'.repeat(4 * 1024 * 1024)
let generation = 1
process.stdout.write('writing\\n')
for (;;) {
  await writeAtomically(${JSON.stringify(path)}, JSON.stringify({ generation, pad }))
  if (generation++ === 1) process.stdout.write('wrote its first\\n')
}
`,
    )
    for (let round = 0; round < 5; round++) {
      const writer = runCli(script, [])
      // Killed after its first whole write (a writer that throws, or writes nothing, never says so), at a different point of a later one each round.
      await writer.waitFor(/wrote its first/)
      await new Promise((resolve) => setTimeout(resolve, round * 37))
      // Still writing when killed: a writer that threw (or ended) would have exited on its own.
      expect(writer.child.exitCode, writer.output()).toBeNull()
      writer.child.kill('SIGKILL')
      // Ended by the kill (runCli reports a signal as -1), not by an exit of its own.
      expect(await writer.exit).toBe(-1)
      expect(writer.child.signalCode).toBe('SIGKILL')
      const content = JSON.parse(await readFile(path, 'utf8')) as { generation: number; pad?: string }
      // A whole file the writer wrote (it had written one before the kill), never the seed's generation 0.
      expect(content.generation).toBeGreaterThanOrEqual(1)
      expect(content.pad).toHaveLength(4 * 1024 * 1024)
    }
    // Whatever the kills left behind is named as temporary, never as results.
    for (const file of await readdir(dir)) expect(file === 'results.json' || file === 'writer.mts' || file.endsWith('.tmp')).toBe(true)
  })
})
