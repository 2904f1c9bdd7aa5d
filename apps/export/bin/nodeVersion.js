// @ts-check
/**
 * The Node.js version spotpipe needs, checked by the launcher before it loads anything else. Plain JavaScript
 * with no import, so that it parses and runs on the old Node it is there to turn away (on Node 20 the launcher's
 * own imports would otherwise fail with a bare SyntaxError).
 */

/** The oldest Node.js spotpipe runs on (the root package's `engines`). */
export const minimumNode = "22.19.0"

/**
 * Why `version` (e.g. `process.versions.node`, `"20.20.2"`) cannot run spotpipe, or `undefined` when it can.
 * @param {string} version
 * @returns {string | undefined}
 */
export const unsupportedNode = (version) => {
  const have = version.split(".").map((part) => Number.parseInt(part, 10))
  const need = minimumNode.split(".").map((part) => Number.parseInt(part, 10))
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0
    const b = need[i] ?? 0
    if (Number.isNaN(a) || a < b) {
      return `Node.js ${minimumNode} or later is needed, but this is Node.js ${version}: install a newer Node.js (in a checkout, "npx -y pnpm@12.4.2 spotpipe …" runs on the pinned Node the install brings)`
    }
    if (a > b) return undefined
  }
  return undefined
}

/** Ends the process with the reason and exit code 2 when this Node.js cannot run spotpipe (the launchers' first step). */
export const exitOnUnsupportedNode = () => {
  const unsupported = unsupportedNode(process.versions.node)
  if (unsupported === undefined) return
  process.stderr.write(`spotpipe: ${unsupported}\n`)
  process.exit(2)
}
