#!/usr/bin/env -S node --max-semi-space-size=32 --heap-growing-percent=25
// @ts-check
/**
 * The `spotpipe` executable. It first checks the Node.js version (an older Node gets one line saying which
 * version is needed, and exit code 2), then turns on Node's on-disk compile cache (in the OS temp directory,
 * checked against each file's content; `NODE_DISABLE_COMPILE_CACHE=1` turns it off), then loads the CLI: the
 * bundle in `dist/` when it is current (see bundled.js; start-up ~0.2–0.3 s and ~80–100 MiB), else the sources
 * (~0.5–0.7 s and ~125–160 MiB, type-stripped on the fly). `SPOTPIPE_FROM_SOURCE=1` always takes the sources.
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
const { enableCompileCache } = await import("node:module")
const { currentBundle } = await import("./bundled.js")
enableCompileCache()
const bundle =
  process.env["SPOTPIPE_FROM_SOURCE"] === "1" ? undefined : currentBundle(new URL("../dist/", import.meta.url))
await import(bundle === undefined ? "../src/RunMain.ts" : bundle.href)
