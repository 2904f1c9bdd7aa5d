/**
 * What a job's failed load tells the user to do, against a loopback sandbox and a real PostgreSQL server: the run
 * that continues the job (`spotpipe run … --resume`), which loads the tables and moves the job's watermarks, never
 * `spotpipe load`, which moves none (the next run would read, and an append load, that increment again). Followed,
 * it loads the rest and moves the watermarks; a `spotpipe load` of such a run says that it moves none (and of a
 * run whose own load moved them, nothing).
 * A load refused before its first table (a loaded table's column renamed by hand; into DuckDB) ends with that run
 * too, which loads both tables once the table is put right.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { cli, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const shared = testSandbox({ rows: 100 })
const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-job-load-advice-"))
let server: RealPostgres | undefined
beforeAll(() => {
  server = startRealPostgres()
})
afterAll(() => {
  server?.close()
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

describe("a job's load that fails at a table", () => {
  it("advises continuing the run, which loads the rest and moves the watermarks; spotpipe load says it moves none", async () => {
    const env = sandboxEnv(shared.sandbox)
    const out = NodePath.join(root, "land")
    const load = { into: server!.url, mode: "merge", lockTimeoutSeconds: 1 }
    const first = writeJob(root, { exports: exportsSince("2020-01-01"), load }, "first")
    const done = await cli(["run", first, "--out", out, "--quiet"], env)
    expect(done.code, done.stderr).toBe(0)
    const before = watermarks(out)
    shared.sandbox.touch([firstId(NodePath.join(out, "meta.csv")), firstId(NodePath.join(out, "boards.csv"))])

    // An analyst's session holds the second table past the job's lock timeout: the first commits, the second not.
    const nightly = writeJob(root, { exports: exportsSince("last"), load }, "nightly")
    let release!: () => void
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    let held!: () => void
    const holding = new Promise<void>((resolve) => {
      held = resolve
    })
    const analyst = withPostgres(server!.url, async (q) => {
      await q("BEGIN; LOCK TABLE boards")
      held()
      await released
      await q("ROLLBACK")
    })
    await holding
    let failed: Awaited<ReturnType<typeof cli>>
    try {
      failed = await cli(["run", nightly, "--out", out, "--force", "--quiet"], env)
    } finally {
      release()
      await analyst
    }
    expect(failed.code, failed.stderr).toBe(1)
    expect(failed.stderr).toContain("continue the run with --resume once that session is done")
    expect(failed.stderr).toContain(
      `the table meta loaded before it stays loaded: once that is done, continue the run to load them all and move its watermarks: spotpipe run ${nightly} --out ${out} --resume`
    )
    expect(failed.stderr).not.toContain("load again")

    // A spotpipe load of that run moves no watermark, and says so before loading, naming the exports whose
    // watermark did not move (meta's did, with its committed table).
    const afterFailed = watermarks(out)
    const loaded = await cli(["load", out, "--into", server!.url, "--mode", "merge", "--key", "id"], env)
    expect(loaded.code, loaded.stderr).toBe(0)
    expect(loaded.stderr).toContain(
      `this run is of the job ${nightly}, whose incremental exports (boards.csv) move their watermarks only when the job's run loads them: spotpipe load moves none`
    )
    expect(loaded.stderr).toContain(`continue the run instead: spotpipe run ${nightly} --out ${out} … --resume`)
    expect(watermarks(out)).toBe(afterFailed)

    // Followed: the rest is loaded, and the watermarks move.
    const resumed = await cli(["run", nightly, "--out", out, "--resume", "--quiet"], env)
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(watermarks(out)).not.toBe(before)
    const loads = await withPostgres(server!.url, (q) =>
      q("SELECT table_name, count(*)::int FROM spotpipe_loads GROUP BY table_name ORDER BY table_name")
    )
    // Each table: the first run's load, the failed night's (meta only), the spotpipe load and the resumed night's.
    expect(loads).toEqual([
      ["boards", 3],
      ["meta", 4]
    ])

    // Once the run's own load moved them, a spotpipe load of it has nothing to warn about.
    const again = await cli(["load", out, "--into", server!.url, "--mode", "merge", "--key", "id"], env)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).not.toContain("watermark")
  }, 120_000)
})

describe("a job's load refused before any table", () => {
  it("ends-with-the-run-that-continues-it-which-loads-both-tables-and-moves-the-watermarks", async () => {
    const env = sandboxEnv(shared.sandbox)
    const base = NodePath.join(root, "refused")
    NodeFs.mkdirSync(base)
    const out = NodePath.join(base, "land")
    const database = NodePath.join(base, "w.duckdb")
    const load = { into: `duckdb:${database}`, mode: "merge" }
    const first = writeJob(base, { exports: exportsSince("2020-01-01"), load }, "first")
    const done = await cli(["run", first, "--out", out, "--quiet"], env)
    expect(done.code, done.stderr).toBe(0)
    shared.sandbox.touch([firstId(NodePath.join(out, "meta.csv")), firstId(NodePath.join(out, "boards.csv"))])

    // Renamed by hand: the merge into meta is refused before anything is loaded.
    await withDuckDb(database, (q) => q(`ALTER TABLE meta RENAME COLUMN "name" TO "title"`))
    const nightly = writeJob(base, { exports: exportsSince("last"), load }, "nightly")
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
