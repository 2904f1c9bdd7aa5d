#!/usr/bin/env node
// @ts-check
/**
 * The `spotpipe` executable, as installed (`pnpm pack:cli`). It first checks the Node.js version (an older Node
 * gets one line saying which version is needed, and exit code 2); then, when the process lacks the V8 flags and
 * the malloc setting the CLI is tuned for, it replaces itself with one that has them (see leanStart.js: same
 * Node, same arguments); then it turns on Node's on-disk compile cache (in the OS temp directory, checked against
 * each file's content; `NODE_DISABLE_COMPILE_CACHE=1` turns it off) and loads the bundled CLI in `../dist/`
 * (built by scripts/bundle.ts) as it is: no check of any source at start-up.
 *
 * In a checkout `dist/` is what the last `pnpm bundle` (or install, or test run) built, which may be older than
 * the sources: `pnpm spotpipe …` runs the sources instead (dev.js, with the same checks and settings). The
 * shebang names plain `node`: `env -S` with flags is missing from some systems (BusyBox).
 *
 * Only `nodeVersion.js` is imported statically: everything else is loaded after the check, since an import that
 * an old Node cannot link fails before any line of this file runs.
 */
import { exitOnUnsupportedNode } from "./nodeVersion.js"

exitOnUnsupportedNode()
const { relaunchWithLeanSettings } = await import("./leanStart.js")
const { fileURLToPath } = await import("node:url")
relaunchWithLeanSettings(fileURLToPath(import.meta.url))

const { existsSync } = await import("node:fs")
const { enableCompileCache } = await import("node:module")
const entry = new URL("../dist/RunMain.js", import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write(
    `spotpipe: the bundled CLI ${fileURLToPath(entry)} is missing: in a checkout, build it with "npx -y pnpm@12.4.2 bundle" (or run the sources with "npx -y pnpm@12.4.2 spotpipe …"); an installed spotpipe is incomplete: install it again\n`
  )
  process.exit(2)
}
enableCompileCache()
await import(entry.href)
