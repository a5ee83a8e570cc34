// @ts-check
/**
 * The lab's TypeScript entries bundled by esbuild, the npm packages left outside: the lab's
 * processes start from a bundle rather than through tsx's loader, which every module a process
 * imports, the packages' too, goes through (the harness loaded in 1.73 s through tsx, 0.88 s from
 * its bundle; the API 1.63 s of CPU against 0.69 s; 2 cores). Plain JavaScript, so that
 * bench/launch.js can run it before anything can load TypeScript; lab-process.ts uses it for the
 * child processes.
 *
 * A bundle holds the same code: each file's `import.meta.url` is its own (the lab finds
 * variants/, the results and its package.json from it), and load-variants.ts names its variant
 * files with a pattern esbuild resolves to every file in variants/ at build time. The files go to
 * node_modules/.cache/api-speedup-lab/, named by their content (so node finds the packages from
 * there, and a concurrent run's identical bundle is the same file); one not used for a day is
 * removed when another is written.
 *
 * Written by hand: esbuild builds, but which entries, where the files go and when a caller
 * falls back to tsx are the lab's.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'api-speedup-lab')
const UNUSED_FOR_MS = 24 * 3600_000

/** @type {import('esbuild').Plugin} Each of the lab's files' `import.meta.url` as its own file's, not the bundle's (the packages stay outside). */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[jt]s$/ }, (args) => ({
      // A pattern, not the words themselves: this file is bundled too (the harness), and its words would be replaced.
      contents: readFileSync(args.path, 'utf8').replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)),
      loader: args.path.endsWith('.ts') ? 'ts' : 'js',
    }))
  },
}

/**
 * Bundles `entries` (absolute .ts paths) in one esbuild call; each entry's bundle, by entry.
 * Throws what esbuild throws (a file that does not parse): the caller falls back to tsx.
 * @param {string[]} entries
 * @returns {Promise<Map<string, string>>}
 */
export async function bundle(entries) {
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: entries,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: CACHE_DIR,
    outExtension: { '.js': '.mjs' },
    entryNames: '[name]-[hash]',
    write: false,
    logLevel: 'silent',
    metafile: true,
    plugins: [ownImportMetaUrl],
  })
  mkdirSync(CACHE_DIR, { recursive: true })
  /** @type {Map<string, string>} */
  const files = new Map()
  // Each output's entry, as esbuild names it (relative to the working directory), back to the absolute path asked for.
  const entryOf = new Map(
    Object.entries(result.metafile.outputs).flatMap(([out, meta]) => (meta.entryPoint ? [[resolve(out), resolve(meta.entryPoint)]] : [])),
  )
  for (const output of result.outputFiles) {
    // Named by its content: a file already there is this very bundle, written by an earlier run or a concurrent one.
    if (existsSync(output.path)) {
      const now = new Date()
      utimesSync(output.path, now, now)
    } else {
      const partial = `${output.path}.${process.pid}.partial`
      writeFileSync(partial, output.contents)
      renameSync(partial, output.path)
    }
    const entry = entryOf.get(resolve(output.path))
    if (entry) files.set(entry, output.path)
  }
  removeUnused(new Set(files.values()))
  return files
}

/** @param {Set<string>} keep */
function removeUnused(keep) {
  for (const file of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, file)
    if (keep.has(path)) continue
    try {
      if (Date.now() - statSync(path).mtimeMs > UNUSED_FOR_MS) rmSync(path, { force: true })
    } catch {
      // Removed meanwhile by another run.
    }
  }
}
