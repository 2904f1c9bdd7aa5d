#!/usr/bin/env -S node --max-semi-space-size=32 --heap-growing-percent=25
/**
 * The `spotpipe` executable. It first turns on Node's on-disk compile cache (in the OS temp directory, checked
 * against each file's content), then loads the CLI: from the second run on, Node skips compiling and
 * type-stripping the CLI's and Effect's modules — measured 0.67 → 0.40 s and 160 → 125 MiB for `search --help`.
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off.
 */
import { enableCompileCache } from "node:module"

enableCompileCache()
await import("./RunMain.ts")
