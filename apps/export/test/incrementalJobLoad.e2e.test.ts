/**
 * The watermarks of a job that loads (the built CLI, in-process, against a loopback sandbox, into DuckDB): they move
 * only with the load. A run whose export fails loads nothing and moves no watermark, so the next `last` run reads
 * the increment that was never loaded; a load that fails at a table moves the watermarks of the exports whose tables
 * it committed, and only those.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }

const shared = testSandbox({ rows: 100 })
const tempDir = tempFolders("spotpipe-incremental-job-load-")

/** `.spotpipe-state/watermarks.json` of `dir` as text (its entries, each with its value and run). */
const watermarksFile = (dir: string) =>
  NodeFs.readFileSync(NodePath.join(dir, ".spotpipe-state", "watermarks.json"), "utf8")

const answers = (since: string) => ({
  type: "metadata",
  metadataTypes: ["ANSWER"],
  modifiedSince: since,
  output: "meta",
  loadKey: ["id"]
})

describe("the watermarks of a job that loads", () => {
  it("an-export-that-fails-moves-no-watermark-and-the-next-run-loads-the-change", timeout, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "land")
    const env = sandboxEnv(shared.sandbox)
    const load = { into: `duckdb:${NodePath.join(dir, "w.duckdb")}`, mode: "merge" }
    const run = (exports: ReadonlyArray<object>, name: string) =>
      runCliInProcess(["run", writeJob(dir, { exports, load }, name), "--out", out, "--force", "--json"], { env })

    const first = await run([answers("2020-01-01")], "first")
    expect(first.code, first.stderr).toBe(0)
    const before = watermarksFile(out)
    const [, row] = NodeFs.readFileSync(NodePath.join(out, "meta.csv"), "utf8").split("\r\n")
    const changed = row!.split(",")[1]!
    shared.sandbox.touch([changed])

    // The change is written, but the job's other export fails: nothing is loaded, and no watermark moves.
    const failed = await run(
      [answers("last"), { type: "answer", id: "No Such Answer", loadKey: ["Order ID"] }],
      "nightly"
    )
    expect(failed.code, failed.stderr).toBe(1)
    expect(NodeFs.readFileSync(NodePath.join(out, "meta.csv"), "utf8")).toContain(changed)
    expect(watermarksFile(out)).toBe(before)
    expect(failed.stderr).toContain("was not run")
    expect(failed.stderr).toContain("no watermark moved, so the next run reads the increments again")

    // The next run reads the change again and loads it.
    const next = await run([answers("last")], "next")
    expect(next.code, next.stderr).toBe(0)
    const report = JSON.parse(next.stdout)
    expect(report.load.status).toBe("succeeded")
    expect(report.load.rows).toBe(1)
    expect(NodeFs.readFileSync(NodePath.join(out, "meta.csv"), "utf8")).toContain(changed)
    expect(watermarksFile(out)).not.toBe(before)
  })

  it("a-load-that-fails-at-a-table-moves-the-watermarks-of-the-tables-it-committed-only", timeout, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "land")
    const job = writeJob(dir, {
      exports: [
        answers("2020-01-01"),
        // A key every row repeats: this table's merge fails, after the first table committed.
        {
          type: "metadata",
          metadataTypes: ["LIVEBOARD"],
          modifiedSince: "2020-01-01",
          output: "boards",
          loadKey: ["type"]
        }
      ],
      load: { into: `duckdb:${NodePath.join(dir, "w.duckdb")}`, mode: "merge" }
    })
    const run = await runCliInProcess(["run", job, "--out", out, "--quiet"], { env: sandboxEnv(shared.sandbox) })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("boards.csv")
    expect(run.stderr).toContain("the table meta loaded before it stays loaded")
    const ids = Object.keys(JSON.parse(watermarksFile(out)).exports)
    expect(ids).toHaveLength(1)
    expect(ids[0]).toMatch(/^meta /)
    expect(run.stderr).toContain(
      "the watermarks of 1 export whose tables were not loaded stay where they were: the next run reads their increments again"
    )
  })
})
