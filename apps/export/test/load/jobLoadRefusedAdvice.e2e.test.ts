/**
 * A job's load refused before its first table (a loaded table's column renamed by hand) ends, as one that fails at a
 * table does, with the run that continues it (`spotpipe run … --resume`), which loads the tables and moves the
 * job's watermarks; followed once the table is put right, it does. Into DuckDB, from a loopback sandbox.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { cli, withDuckDb } from "./support/loadHelpers.ts"

const shared = testSandbox({ rows: 100 })
const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-job-load-refused-"))
afterAll(() => {
  NodeFs.rmSync(root, { recursive: true, force: true })
})

/** The job's two incremental exports, `meta` (answers) loaded before `boards` (liveboards). */
const exportsSince = (since: string) => [
  { type: "metadata", metadataTypes: ["ANSWER"], modifiedSince: since, output: "meta", loadKey: ["id"] },
  { type: "metadata", metadataTypes: ["LIVEBOARD"], modifiedSince: since, output: "boards", loadKey: ["id"] }
]

/** The id of the first row of a metadata CSV file. */
const firstId = (file: string) => NodeFs.readFileSync(file, "utf8").split("\r\n")[1]!.split(",")[1]!

const watermarks = (out: string) =>
  NodeFs.readFileSync(NodePath.join(out, ".spotpipe-state", "watermarks.json"), "utf8")

describe("a job's load refused before any table", () => {
  it("ends-with-the-run-that-continues-it-which-loads-both-tables-and-moves-the-watermarks", async () => {
    const env = sandboxEnv(shared.sandbox)
    const out = NodePath.join(root, "land")
    const database = NodePath.join(root, "w.duckdb")
    const load = { into: `duckdb:${database}`, mode: "merge" }
    const first = writeJob(root, { exports: exportsSince("2020-01-01"), load }, "first")
    const done = await cli(["run", first, "--out", out, "--quiet"], env)
    expect(done.code, done.stderr).toBe(0)
    shared.sandbox.touch([firstId(NodePath.join(out, "meta.csv")), firstId(NodePath.join(out, "boards.csv"))])

    // Renamed by hand: the merge into meta is refused before anything is loaded.
    await withDuckDb(database, (q) => q(`ALTER TABLE meta RENAME COLUMN "name" TO "title"`))
    const nightly = writeJob(root, { exports: exportsSince("last"), load }, "nightly")
    const refused = await cli(["run", nightly, "--out", out, "--force", "--quiet"], env)
    expect(refused.code, refused.stderr).toBe(1)
    expect(refused.stderr).toContain("nothing was loaded:")
    expect(refused.stderr).toContain(
      `once that is done, continue the run to load them all and move its watermarks: spotpipe run ${nightly} --out ${out} --resume`
    )
    const before = watermarks(out)

    // Followed: both tables are loaded and the watermarks move.
    await withDuckDb(database, (q) => q(`ALTER TABLE meta RENAME COLUMN "title" TO "name"`))
    const resumed = await cli(["run", nightly, "--out", out, "--resume", "--quiet"], env)
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(watermarks(out)).not.toBe(before)
    const loads = await withDuckDb(database, (q) =>
      q("SELECT table_name, count(*)::int FROM spotpipe_loads GROUP BY table_name ORDER BY table_name")
    )
    // Each table: the first run's load and the resumed night's.
    expect(loads).toEqual([
      ["boards", 2],
      ["meta", 2]
    ])
  }, 120_000)
})
