#!/usr/bin/env node
// @ts-check
/**
 * `spotpipe` in a checkout (`pnpm spotpipe …`, `pnpm demo`, the workspace's `spotpipe` bin): the same start as
 * the installed command (spotpipe.js: Node version check, re-launch with the start-up settings of leanStart.js,
 * compile cache), then the current TypeScript sources (`src/cli/RunMain.ts`, type-stripped by Node) instead of
 * the bundle, which may be older than them. Running the sources (`--help` ~0.25–0.45 s here) is quicker than
 * rebuilding the bundle first (~0.6 s, plus ~0.13 s to run it).
 *
 * pnpm runs the root package's scripts in the repository root and names the folder it was called from in
 * `INIT_CWD`. So when this process was started by a package script (`npm_lifecycle_event`) in the repository
 * root, it moves to `INIT_CWD` first: relative paths on the command line (`--out`, a job file,
 * `--password-file`) are then relative to where the user typed the command, as with the installed one.
 *
 * Only `nodeVersion.js` is imported statically (see spotpipe.js).
 */
import { exitOnUnsupportedNode } from "./nodeVersion.js"

exitOnUnsupportedNode()
const { relaunchWithLeanSettings } = await import("./leanStart.js")
const { fileURLToPath } = await import("node:url")
relaunchWithLeanSettings(fileURLToPath(import.meta.url))

const { realpathSync } = await import("node:fs")
const { enableCompileCache } = await import("node:module")
const caller = process.env["INIT_CWD"]
if (caller !== undefined && caller !== "" && process.env["npm_lifecycle_event"] !== undefined) {
  const root = realpathSync(fileURLToPath(new URL("../../../", import.meta.url)))
  if (realpathSync(process.cwd()) === root) {
    try {
      process.chdir(caller)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      process.stderr.write(`spotpipe: cannot work in the folder pnpm was called from (INIT_CWD): ${reason}\n`)
      process.exit(2)
    }
  }
}
enableCompileCache()
await import(new URL("../src/cli/RunMain.ts", import.meta.url).href)
