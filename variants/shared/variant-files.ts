/**
 * Where the variants are: every `.ts` file directly in variants/ is one, named by its file
 * name (kebab-case, as it is used in URLs). Read by load-variants.ts, which imports them,
 * and by the harness, which shows each file's diff against its parent's.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const VARIANTS_DIR = fileURLToPath(new URL('..', import.meta.url))

/** A variant's name: kebab-case, up to 40 characters. */
export const VARIANT_NAME = /^[a-z][a-z0-9-]{0,39}$/

/** The file of variant `name` in `dir`. */
export function variantFile(name: string, dir = VARIANTS_DIR): string {
  return join(dir, `${name}.ts`)
}

/** SHA-256 of variant `name`'s file, or null when there is none: a harness on another host checks it models the code the API runs. */
export function variantDigest(name: string, dir = VARIANTS_DIR): string | null {
  try {
    return createHash('sha256')
      .update(readFileSync(variantFile(name, dir)))
      .digest('hex')
  } catch {
    return null
  }
}
