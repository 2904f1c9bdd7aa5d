#!/usr/bin/env node
// @ts-check
/**
 * The `spotpipe` executable. It first checks the Node.js version (an older Node gets one line saying which
 * version is needed, and exit code 2); then, when the process lacks the V8 flags and the malloc setting the CLI
 * is tuned for, it replaces itself with one that has them (see leanStart.js: same Node, same arguments); then it
 * turns on Node's on-disk compile cache (in the OS temp directory, checked against each file's content;
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off) and loads the CLI.
 *
 * Which CLI: an installed package holds only the bundle (`dist/`, built by scripts/bundle.ts), which runs as it
 * is. A checkout holds the sources too: there the bundle runs only while it was built from exactly the sources
 * there are now (bundled.js compares their fingerprints, ~2 ms), else the sources run (type-stripped on the fly:
 * start-up ~0.5–0.7 s instead of ~0.2–0.3 s, never out of date). `SPOTPIPE_FROM_SOURCE=1` always takes the
 * sources. The shebang names plain `node`: `env -S` with flags is missing from some systems (BusyBox).
 *
 * Only `nodeVersion.js` is imported statically: everything else is loaded after the check, since an import that
 * an old Node cannot link fails before any line of this file runs.
 */
import { unsupportedNode } from "./nodeVersion.js"

const unsupported = unsupportedNode(process.versions.node)
if (unsupported !== undefined) {
  process.stderr.write(`spotpipe: ${unsupported}\n`)
  process.exit(2)
}
const { relaunchWithLeanSettings } = await import("./leanStart.js")
const { fileURLToPath } = await import("node:url")
relaunchWithLeanSettings(fileURLToPath(import.meta.url))

const { existsSync } = await import("node:fs")
const { enableCompileCache } = await import("node:module")
enableCompileCache()
const sources = new URL("../src/cli/RunMain.ts", import.meta.url)
const dist = new URL("../dist/", import.meta.url)
/** @returns {Promise<URL>} */
const entry = async () => {
  if (!existsSync(sources)) return new URL("RunMain.js", dist)
  if (process.env["SPOTPIPE_FROM_SOURCE"] === "1") return sources
  const { currentBundle } = await import("./bundled.js")
  return currentBundle(dist) ?? sources
}
await import((await entry()).href)
