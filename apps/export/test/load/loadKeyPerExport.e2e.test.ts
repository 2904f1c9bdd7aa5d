/**
 * A job's merge load with a key per export (`"loadKey"`), in-process against a loopback sandbox into DuckDB: each
 * export's tables merge by their own key, and a merge key mistake the job file shows (an export without a key, a
 * column a metadata listing does not have) stops the job before any request.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "../support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { withDuckDb } from "./support/loadHelpers.ts"

const tempDir = tempFolders("spotpipe-load-key-")
const sandbox = testSandbox({ rows: 200 })

const metadata = { type: "metadata", metadataTypes: ["ANSWER"] }
const revenue = { type: "answer", id: "Revenue by Month" }

/** Requests the sandbox answered on the routes a job's exports use. */
const requestsSoFar = () =>
  ["auth/token/full", "metadata/search", "metadata/answer/data"].reduce((n, r) => n + sandbox.requests(r), 0)

describe("a merge key per export", () => {
  it.live(
    "each-export-merges-by-its-own-key",
    () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const into = NodePath.join(dir, "w.duckdb")
        const job = writeJob(dir, {
          exports: [
            { ...metadata, loadKey: ["id"] },
            { ...revenue, loadKey: ["Month(Order Date)"] }
          ],
          load: { into: `duckdb:${into}`, mode: "merge" }
        })
        // Twice, each run into a folder of its own: the second merges the same rows, adding none.
        for (const out of ["first", "second"]) {
          const run = yield* runInProcess(["run", job, "--out", NodePath.join(dir, out)], sandboxEnv(sandbox.sandbox))
          expect(run.code, run.stderr).toBe(0)
        }
        const rowsIn = (file: string) => NodeFs.readFileSync(file, "utf8").trimEnd().split("\r\n").length - 1
        const [listed, months] = [
          rowsIn(NodePath.join(dir, "first", "metadata-answer.csv")),
          rowsIn(NodePath.join(dir, "first", "answer-Revenue by Month.csv"))
        ]
        // The routes counted by the tests below are the ones a run uses.
        expect(requestsSoFar()).toBeGreaterThan(0)
        expect(listed).toBeGreaterThan(0)
        expect(months).toBeGreaterThan(0)
        const counts = yield* Effect.promise(() =>
          withDuckDb(into, async (query) => [
            await query("SELECT count(*) FROM metadata_answer"),
            await query("SELECT count(*) FROM answer_revenue_by_month"),
            await query("SELECT mode, count(*) FROM spotpipe_loads GROUP BY mode")
          ])
        )
        expect(counts.map((rows) => rows.map((r) => r.map(String)))).toEqual([
          [[String(listed)]],
          [[String(months)]],
          [["merge", "4"]]
        ])
      }),
    { timeout: 120_000 }
  )

  it.live(
    "a-key-an-answer-lacks-fails-the-load-and-a-resume-with-its-own-key-loads-without-reading-data-again",
    () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const into = `duckdb:${NodePath.join(dir, "w.duckdb")}`
        const out = NodePath.join(dir, "out")
        // An answer's columns are known once its data is read: the load refuses the key, before any table.
        const one = writeJob(dir, { exports: [metadata, revenue], load: { into, mode: "merge", key: ["id"] } })
        const failed = yield* runInProcess(["run", one, "--out", out], sandboxEnv(sandbox.sandbox))
        expect(failed.code).toBe(1)
        expect(failed.stderr).toContain('answer-Revenue by Month.csv has no key column "id"')
        expect(failed.stderr).toContain('give its export its own "loadKey" and run the job again with --resume')
        const own = writeJob(dir, {
          exports: [metadata, { ...revenue, loadKey: ["Month(Order Date)"] }],
          load: { into, mode: "merge", key: ["id"] }
        })
        const reads = sandbox.requests("metadata/answer/data")
        const resumed = yield* runInProcess(["run", own, "--out", out, "--resume"], sandboxEnv(sandbox.sandbox))
        expect(resumed.code, resumed.stderr).toBe(0)
        expect(sandbox.requests("metadata/answer/data")).toBe(reads)
        const tables = yield* Effect.promise(() =>
          withDuckDb(NodePath.join(dir, "w.duckdb"), (query) =>
            query("SELECT table_name, mode FROM spotpipe_loads ORDER BY table_name")
          )
        )
        expect(tables).toEqual([
          ["answer_revenue_by_month", "merge"],
          ["metadata_answer", "merge"]
        ])
      }),
    { timeout: 120_000 }
  )

  it.live(
    "a-key-column-a-metadata-listing-lacks-stops-the-job-before-any-request",
    () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const job = writeJob(dir, {
          exports: [metadata, { ...revenue, loadKey: ["Month(Order Date)"] }],
          load: { into: `duckdb:${NodePath.join(dir, "w.duckdb")}`, mode: "merge", key: ["ID"] }
        })
        const before = requestsSoFar()
        const run = yield* runInProcess(["run", job, "--out", NodePath.join(dir, "out")], sandboxEnv(sandbox.sandbox))
        expect(run.code).toBe(2)
        expect(run.stderr).toContain(
          `exports[0]: is merged by "load"'s "key", which names a column "ID" (did you mean "id"?) that a metadata export's file does not have`
        )
        expect(run.stderr).toContain('give this export its own "loadKey"')
        expect(requestsSoFar()).toBe(before)
        expect(NodeFs.existsSync(NodePath.join(dir, "out"))).toBe(false)
      }),
    { timeout: 60_000 }
  )

  it.live(
    "a-key-the-fixed-columns-of-permissions-and-principals-lack-stops-the-job-before-any-request",
    () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const job = writeJob(dir, {
          exports: [
            { type: "permissions", loadKey: ["object_guid"] },
            { type: "principals", loadKey: ["id"] },
            { ...metadata, loadKey: ["id"] }
          ],
          load: { into: `duckdb:${NodePath.join(dir, "w.duckdb")}`, mode: "merge" }
        })
        const before = requestsSoFar()
        const run = yield* runInProcess(["run", job, "--out", NodePath.join(dir, "out")], sandboxEnv(sandbox.sandbox))
        expect(run.code).toBe(2)
        expect(run.stderr).toContain(
          `exports[0] (permissions): its "loadKey" names "object_guid", but its file's columns are object_type, object_id,`
        )
        expect(run.stderr).toContain(
          `exports[1] (principals): its "loadKey" names "id", which its tables group_members, group_roles, group_privileges, role_privileges do not all have; its tables share no column, so no key merges them all`
        )
        expect(run.stderr).not.toContain("exports[2]")
        expect(requestsSoFar()).toBe(before)
        expect(NodeFs.existsSync(NodePath.join(dir, "out"))).toBe(false)
      }),
    { timeout: 60_000 }
  )

  it.live(
    "an-export-without-a-key-in-a-merge-stops-the-job-before-any-request",
    () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const job = writeJob(dir, {
          exports: [{ ...metadata, loadKey: ["id"] }, revenue],
          load: { into: `duckdb:${NodePath.join(dir, "w.duckdb")}`, mode: "merge" }
        })
        const before = requestsSoFar()
        const run = yield* runInProcess(["run", job, "--out", NodePath.join(dir, "out")], sandboxEnv(sandbox.sandbox))
        expect(run.code).toBe(2)
        expect(run.stderr).toContain('exports[1]: has no "loadKey", and "load" has no "key"')
        expect(requestsSoFar()).toBe(before)
      }),
    { timeout: 60_000 }
  )
})
