#!/usr/bin/env -S node --max-semi-space-size=32 --heap-growing-percent=25
// @ts-check
/**
 * The `spotpipe` executable. It turns on Node's on-disk compile cache (in the OS temp directory, checked against
 * each file's content; `NODE_DISABLE_COMPILE_CACHE=1` turns it off), then loads the CLI: the bundle in `dist/` when
 * it is current (see bundled.js; start-up ~0.2–0.3 s and ~80–100 MiB), else the sources (~0.5–0.7 s and ~125–160
 * MiB, type-stripped on the fly). `SPOTPIPE_FROM_SOURCE=1` always takes the sources.
 */
import { enableCompileCache } from "node:module"
import { currentBundle } from "./bundled.js"

enableCompileCache()
const bundle =
  process.env["SPOTPIPE_FROM_SOURCE"] === "1" ? undefined : currentBundle(new URL("../dist/", import.meta.url))
await import(bundle === undefined ? "../src/RunMain.ts" : bundle.href)
