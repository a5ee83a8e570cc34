/**
 * Where the variants are: every `.ts` file directly in variants/ is one, named by its file
 * name (kebab-case, as it is used in URLs). Read by load-variants.ts, which imports them,
 * and by the harness, which shows each file's diff against its parent's.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const VARIANTS_DIR = fileURLToPath(new URL('..', import.meta.url))

/** A variant's name: kebab-case, up to 40 characters. */
export const VARIANT_NAME = /^[a-z][a-z0-9-]{0,39}$/

/** The file of variant `name` in `dir`. */
export function variantFile(name: string, dir = VARIANTS_DIR): string {
  return join(dir, `${name}.ts`)
}
