/**
 * What `ThoughtSpotClient.layerNode` needs of its runtime: the package it loads its HTTP client from, and the
 * Node.js version, with the comparison that checks it. Its HTTP client is
 * undici 8 (through `@effect/platform-node`), which fails to load on older Node with a `TypeError` from deep
 * inside the module (and, loaded lazily, an unhandled rejection besides): the layer checks the version first,
 * so an old Node gets one line that names the version instead.
 */

/** The optional peer dependency `layerNode` loads its HTTP client from, and its range in this package's manifest. */
export const PLATFORM_NODE = "@effect/platform-node"
export const PLATFORM_NODE_RANGE = "^4.1.0"

/** The oldest Node.js `layerNode` runs on: undici's and this package's `engines`. */
export const MIN_NODE_VERSION = "22.19.0"

/** `major.minor.patch` of a version text such as `v22.19.0`, `22.19.0` or `24.0.0-pre`; undefined if it is none. */
const parts = (version: string): readonly [number, number, number] | undefined => {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version)
  return match === null ? undefined : [Number(match[1]), Number(match[2]), Number(match[3])]
}

/**
 * True when `version` (e.g. `process.versions.node`) is `minimum` or later. A text that is not a version is
 * taken as recent enough: an unknown runtime is not refused on a guess.
 */
export const isAtLeast = (version: string, minimum: string): boolean => {
  const have = parts(version)
  const need = parts(minimum)
  if (have === undefined || need === undefined) return true
  for (let i = 0; i < 3; i++) if (have[i] !== need[i]) return have[i]! > need[i]!
  return true
}
