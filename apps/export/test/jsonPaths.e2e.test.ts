/**
 * The paths in the commands' JSON reports are absolute, however the folder was given (here relative to the working
 * directory): a script reads them from anywhere. The names of files in the folder (`file`, `files`) are the
 * manifest's, relative to `folder`.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-json-paths-")
const target = testSandbox({ rows: 200, seed: 3 })

/** `dir` as the working directory reaches it by a relative path (the in-process CLI resolves against it). */
const relativeTo = (dir: string) => NodePath.relative(process.cwd(), dir)

describe("paths in JSON reports", () => {
  it("merge-names-its-folder-and-manifest-by-absolute-paths", { timeout: 60_000 }, async () => {
    const root = tempDir()
    const job = NodePath.join(root, "job.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Order Details", split: 2 }] }))
    const out = NodePath.join(root, "landing")
    const env = sandboxEnv(target.sandbox)
    const run = await runCliInProcess(["run", job, "--out", relativeTo(out), "--json"], { env })
    expect(run.code, run.stderr).toBe(0)
    const ran = JSON.parse(run.stdout)
    expect(ran.folder).toBe(out)
    expect(NodePath.dirname(ran.manifest)).toBe(out)

    for (const args of [["--json"], ["--log-format", "json"]]) {
      const merge = await runCliInProcess(["merge", relativeTo(out), "--force", ...args], { env })
      expect(merge.code, merge.stderr).toBe(0)
      const merged = JSON.parse(merge.stdout.trimEnd().split("\n").at(-1) ?? "").merge
      expect(merged.folder).toBe(out)
      expect(NodePath.isAbsolute(merged.manifest), merged.manifest).toBe(true)
      expect(NodePath.dirname(merged.manifest)).toBe(out)
      expect(NodeFs.existsSync(merged.manifest)).toBe(true)
      expect(merged.files.map((f: { file: string }) => f.file)).toEqual(["answer-Order Details.csv"])
    }

    const database = NodePath.join(root, "warehouse.duckdb")
    const load = await runCliInProcess(
      ["load", relativeTo(out), "--into", `duckdb:${relativeTo(database)}`, "--json"],
      {
        env
      }
    )
    expect(load.code, load.stderr).toBe(0)
    const loaded = JSON.parse(load.stdout).load
    expect(loaded.manifest).toBe(NodePath.join(out, "manifest.json"))
    expect(loaded.target).toBe(`duckdb:${database}`)
  })

  it("a-dry-run-names-its-folder-by-an-absolute-path", { timeout: 60_000 }, async () => {
    const out = NodePath.join(tempDir(), "landing")
    const plan = await runCliInProcess(
      ["answer", "Revenue by Month", "--out", relativeTo(out), "--dry-run", "--json"],
      {
        env: sandboxEnv(target.sandbox)
      }
    )
    expect(plan.code, plan.stderr).toBe(0)
    expect(JSON.parse(plan.stdout).folder).toBe(out)
  })
})
