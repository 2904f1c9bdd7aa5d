/**
 * A job run each night with `--resume` and a new `--job-run` (a Kubernetes Indexed Job's pattern), appending into
 * DuckDB: each job run's `last` starts at the previous job run's watermark, not at the point an earlier job run
 * started from, so no increment is loaded twice.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 180_000 }
const tempDir = tempFolders("spotpipe-incremental-job-run-")

const job = (dir: string, since: string, name: string) =>
  writeJob(
    dir,
    {
      defaults: { format: "csv" },
      exports: [
        {
          type: "search",
          table: "Orders",
          query: "[Order ID] [Region] [Revenue] sort by [Order ID]",
          sinceColumn: "Order ID",
          since,
          output: "inc"
        }
      ],
      load: { into: `duckdb:${NodePath.join(dir, "g.duckdb")}`, mode: "append" }
    },
    name
  )

describe("--resume with a new --job-run", () => {
  it("starts-from-the-previous-job-runs-watermark-and-appends-each-increment-once", timeout, async () => {
    const own = await startSandbox({ rows: 300, seed: 7 })
    try {
      const dir = tempDir()
      const out = NodePath.join(dir, "land")
      const env = sandboxEnv(own)
      const run = async (since: string, jobRun: string, ...more: Array<string>) => {
        const result = await runCliInProcess(
          ["run", job(dir, since, `job-${jobRun}`), "--out", out, "--job-run", jobRun, "--json", ...more],
          { env }
        )
        expect(result.code, result.stderr).toBe(0)
        return JSON.parse(result.stdout).load.rows as number
      }
      // Rows with an Order ID (seed 7); each later job run reads its new rows and the previous maximum's row again.
      expect(await run("0", "A")).toBe(295)
      own.addRows(50)
      expect(await run("last", "B", "--resume")).toBe(50)
      own.addRows(40)
      // Not B's rows again: C starts at B's watermark, not at the point B started from.
      expect(await run("last", "C", "--resume")).toBe(39)
      // A job run after C (as one resumed after it was stopped before writing): from C's watermark.
      expect(await run("last", "D", "--resume")).toBe(1)
    } finally {
      await own.close()
    }
  })
})
