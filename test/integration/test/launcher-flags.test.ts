/**
 * The `spotpipe` launchers (the bin's shebang, `pnpm spotpipe`, `pnpm demo`) start Node with
 * `NodeFlags.leanMemory`: V8 sizes its heap at start-up, and the memory figures in the README hold only with
 * them. This keeps the three in step with the flags core documents.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { NodeFlags } from "@spotpipe/core"
import { describe, expect, it } from "vitest"

const root = new URL("../../../", import.meta.url)
const main = new URL("apps/export/src/main.ts", root)
const scripts = (JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: Record<string, string> })
  .scripts

describe("launchers", () => {
  it("the-bin-shebang-and-root-scripts-start-node-with-the-lean-memory-flags", () => {
    const shebang = readFileSync(main, "utf8").split("\n")[0]!
    expect(shebang).toBe(`#!/usr/bin/env -S node ${NodeFlags.leanMemory.join(" ")}`)
    for (const name of ["spotpipe", "demo"]) {
      expect(scripts[name]).toMatch(new RegExp(`^node ${NodeFlags.leanMemory.join(" ")} apps/export/src/main\\.ts`))
    }
  })

  it("node-accepts-the-flags-on-its-command-line", () => {
    const out = execFileSync(process.execPath, [...NodeFlags.leanMemory, main.pathname, "--version"], {
      encoding: "utf8"
    })
    expect(out.trim()).toMatch(/\d+\.\d+\.\d+/)
  })
})
