/**
 * The `spotpipe` launchers (`pnpm spotpipe`, `pnpm demo`) start Node with `NodeFlags.leanMemory` and
 * `NodeFlags.leanMemoryEnv`: V8 sizes its heap and glibc reads its setting at start-up, and the memory figures in
 * the README hold only with them. The bin itself names plain `node` and re-launches with them (bin/leanStart.js;
 * test/packaging/test/cli.test.ts checks the installed command). The entry also turns on Node's compile cache
 * (from the second run on, Node neither compiles nor type-strips what it loaded before).
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeFlags } from "@spotpipe/export"
import { describe, expect, it } from "vitest"

const root = new URL("../../../", import.meta.url)
const main = new URL("apps/export/bin/spotpipe.js", root)
const scripts = (JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: Record<string, string> })
  .scripts

describe("launchers", () => {
  it("the-bin-shebang-and-root-scripts-start-node-with-the-lean-memory-flags", () => {
    // Plain `node`: `env -S` is missing from some systems (BusyBox); the bin adds the settings itself.
    const shebang = readFileSync(main, "utf8").split("\n")[0]!
    expect(shebang).toBe("#!/usr/bin/env node")
    const env = Object.entries(NodeFlags.leanMemoryEnv)
      .map(([name, value]) => `${name}=${value}`)
      .join(" ")
    for (const name of ["spotpipe", "demo"]) {
      expect(scripts[name]).toMatch(
        new RegExp(`^${env} node ${NodeFlags.leanMemory.join(" ")} apps/export/bin/spotpipe\\.js`)
      )
    }
  })

  it("node-accepts-the-flags-on-its-command-line", () => {
    const out = execFileSync(process.execPath, [...NodeFlags.leanMemory, main.pathname, "--version"], {
      encoding: "utf8"
    })
    expect(out.trim()).toMatch(/\d+\.\d+\.\d+/)
  })

  it("the-entry-fills-the-compile-cache-in-the-temp-directory", () => {
    const temp = mkdtempSync(join(tmpdir(), "spotpipe-cache-"))
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: temp, TEMP: temp, TMP: temp }
      delete env["NODE_COMPILE_CACHE"]
      delete env["NODE_DISABLE_COMPILE_CACHE"]
      execFileSync(process.execPath, [main.pathname, "--version"], { encoding: "utf8", env })
      expect(readdirSync(join(temp, "node-compile-cache"), { recursive: true }).length).toBeGreaterThan(0)
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })
})
