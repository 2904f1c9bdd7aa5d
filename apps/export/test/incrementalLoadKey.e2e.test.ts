/**
 * A job switched from `"mode": "merge"` (with `loadKey`) to `append` (which takes none) keeps its watermark: the
 * next `last` run continues where the merge run left off (the built CLI, in-process, into DuckDB).
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const shared = testSandbox({ rows: 300, seed: 7 })
const tempDir = tempFolders("spotpipe-incremental-load-key-")

describe("a job's loadKey and its watermark", () => {
  it("a-job-switched-from-merge-to-append-continues-from-its-watermark", { timeout: 120_000 }, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "land")
    const into = `duckdb:${NodePath.join(dir, "w.duckdb")}`
    const search = {
      type: "search",
      table: "Orders",
      query: "[Order ID] [Region] [Revenue] sort by [Order ID]",
      sinceColumn: "Order ID",
      output: "inc"
    }
    const run = async (job: object, name: string) => {
      const result = await runCliInProcess(["run", writeJob(dir, job, name), "--out", out, "--force", "--json"], {
        env: sandboxEnv(shared.sandbox)
      })
      expect(result.code, result.stderr).toBe(0)
      return JSON.parse(result.stdout).load.rows as number
    }
    const merged = await run(
      { exports: [{ ...search, since: "0", loadKey: ["Order ID"] }], load: { into, mode: "merge" } },
      "merge"
    )
    expect(merged).toBeGreaterThan(100)
    // Nothing added since: only the maximum's row again.
    expect(await run({ exports: [{ ...search, since: "last" }], load: { into, mode: "append" } }, "append")).toBe(1)
  })
})
