// @ts-check
/**
 * Whether the bundled CLI in `apps/export/dist/` (scripts/bundle.ts) may run: only when it was built from exactly
 * the files there are now. The build records a fingerprint of every file it read outside `node_modules` (our
 * sources, the script itself) and of the lockfile (which pins everything inside); the launcher compares them
 * all before each run in a checkout (~2 ms). Any edit, pull or dependency change makes the bundle stale, and the
 * CLI then runs from source: slower to start, never out of date. The installed package (`pnpm pack:cli`) holds
 * no sources and no record: its launcher does not load this module.
 *
 * Plain JavaScript, like the launcher: Node would otherwise load its TypeScript stripper (~0.1 s) just for these.
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"

/** The build's record, in the bundle directory. */
export const recordName = "sources.json"

/** The bundled entry module's name, in the bundle directory. */
export const entryName = "RunMain.js"

/**
 * A file's fingerprint: the SHA-256 of its bytes (base64), or `undefined` when it cannot be read.
 * @param {URL} file
 * @returns {string | undefined}
 */
export const fingerprint = (file) => {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("base64")
  } catch {
    return undefined
  }
}

/**
 * The bundled entry in `dist` (a directory URL ending in `/`), if it was built from the files as they are now;
 * else `undefined` (no bundle, an unfinished build, or a file changed since).
 * @param {URL} dist
 * @returns {URL | undefined}
 */
export const currentBundle = (dist) => {
  /** @type {unknown} */
  let record
  try {
    record = JSON.parse(readFileSync(new URL(recordName, dist), "utf8"))
  } catch {
    return undefined
  }
  if (typeof record !== "object" || record === null || !("files" in record)) return undefined
  const files = record.files
  if (typeof files !== "object" || files === null || Object.keys(files).length === 0) return undefined
  for (const [path, expected] of Object.entries(files)) {
    if (fingerprint(new URL(path, dist)) !== expected) return undefined
  }
  return new URL(entryName, dist)
}
