/**
 * The project as a fresh clone has it, in a temporary directory: the files git knows of
 * (tracked, and new ones not ignored), with node_modules shared by a symlink. For tests that
 * edit a variant or add one and run the lab's commands there, leaving this checkout untouched.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, symlinkSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ROOT } from './run-cli.ts'

/** Copies the project to a new directory named `${prefix}…` under the system's temporary one; returns its path. */
export async function freshCopy(prefix: string): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), prefix))
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
    .toString()
    .split('\n')
    .filter(Boolean)
  // A node_modules that is a symlink (a checkout that shares another's) is listed by git as untracked: it is linked below, not copied.
  for (const file of files.filter((f) => f !== 'node_modules')) {
    mkdirSync(dirname(join(copy, file)), { recursive: true })
    cpSync(join(ROOT, file), join(copy, file))
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir')
  return copy
}
