// @ts-check
/**
 * `node bench/launch.js <file.ts> [args…]`: runs one of the lab's commands (bench/bench.ts,
 * bench/serve.ts, a script) from its bundle (stack/bundle.js), as if `node <file.ts> [args…]`
 * could run TypeScript: the command sees its own args in process.argv.slice(2). Where no bundle
 * can be built (a variant that does not parse, a read-only node_modules) or LAB_TSX=1 is set, it
 * runs the .ts file through tsx instead, which reports such an error as it always has. The npm
 * scripts start the lab this way.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { bundle } from './stack/bundle.js'

const [file] = process.argv.splice(2, 1)
if (!file) {
  console.error('Usage: node bench/launch.js <file.ts> [args…]')
  process.exit(2)
}
const entry = resolve(file)
/** @type {string | undefined} */
let bundled
if (process.env.LAB_TSX !== '1') {
  try {
    bundled = (await bundle([entry])).get(entry)
  } catch {
    // Through tsx below.
  }
}
if (bundled) {
  await import(pathToFileURL(bundled).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(entry).href)
}
