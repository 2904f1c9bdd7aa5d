/**
 * A load killed with SIGKILL at its worst moment — a table's transaction has done all its work (the old table
 * dropped or the rows merged, the new rows copied, its `spotpipe_loads` row inserted) and its COMMIT is not yet
 * sent — leaves that table and the load record as they were, in DuckDB (an embedded file, reopened afterwards) and
 * in PostgreSQL (PGlite over the wire protocol, which rolls back a connection's open transaction when it drops,
 * as PostgreSQL does), in every mode. Killed at its second table, the first table keeps what its committed load
 * gave it. The old tables are first changed by hand (half their rows deleted), so that any committed step of the
 * killed load would show. An append killed at its second table and loaded again adds each file once. The killed
 * loads are real processes (a SIGKILL is their point); the export, the loads before them and the loads after run
 * in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type LoadFixture, startLoadFixture } from "../../../apps/export/test/load/support/LoadFixture.ts"
import { withDuckDb, withPostgres } from "../../../apps/export/test/load/support/loadHelpers.ts"
import type { PgliteServer } from "../../../apps/export/test/load/support/PgliteServer.ts"
import { runCliInProcess } from "../../../apps/export/test/support/inProcess.ts"
import { runSpotpipe } from "../src/SpotpipeProcess.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-load-kill-"))
const run = NodePath.join(root, "run")
let fixture: LoadFixture
let server: PgliteServer
let env: Record<string, string>

beforeAll(async () => {
  fixture = await startLoadFixture({
    rows: 4_000,
    seed: 23,
    run,
    exports: [
      { type: "liveboard", id: "Order Operations", visualizations: ["Daily Quantity"] },
      {
        type: "liveboard",
        id: "Order Operations",
        visualizations: ["Daily Quantity"],
        format: "parquet",
        output: "pq"
      }
    ]
  })
  ;({ server, env } = fixture)
}, 120_000)

afterAll(async () => {
  await fixture?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

/** The run's two tables (the day is a key unique in the files), and its key column. */
const tables = ["liveboard_order_operations__daily_quantity", "pq__daily_quantity"]
const key = "Day(Order Date)"
type Query = (sql: string) => Promise<Array<Array<unknown>>>

/** Each table's rows in a fixed order, and the load records: what a killed load must leave unchanged. */
const snapshot = async (q: Query) => ({
  tables: await Promise.all(
    tables.map((t) => q(`SELECT * FROM "${t}" ORDER BY 1`).then((rows) => rows.map((r) => r.map(String))))
  ),
  loads: await q("SELECT file, mode, rows FROM spotpipe_loads ORDER BY loaded_at, file").then((rows) =>
    rows.map((r) => r.map(String))
  )
})

const engines = [
  {
    name: "duckdb",
    into: (label: string) => `duckdb:${NodePath.join(root, `${label}.duckdb`)}`,
    open: <A>(label: string, use: (q: Query) => Promise<A>) => withDuckDb(NodePath.join(root, `${label}.duckdb`), use)
  },
  {
    name: "postgres",
    into: () => server.url,
    open: <A>(_label: string, use: (q: Query) => Promise<A>) => withPostgres(server.url, use)
  }
]

describe.each(engines)("a load into $name killed before a COMMIT", (engine) => {
  /** Loads the run, then deletes half of each table's rows by hand: the state a killed load must leave. */
  const prepare = async (label: string) => {
    const loaded = await runCliInProcess(["load", run, "--into", engine.into(label), "--quiet"], { env })
    expect(loaded.code, loaded.stderr).toBe(0)
    return engine.open(label, async (q) => {
      for (const table of tables) await q(`DELETE FROM "${table}" WHERE "Total Quantity" % 2 = 0`)
      return snapshot(q)
    })
  }
  const killedLoad = async (label: string, step: string, flags: ReadonlyArray<string>) => {
    const killed = await runSpotpipe(["load", run, "--into", engine.into(label), "--quiet", ...flags], {
      env,
      killAtStep: step
    })
    // PGlite is one backend for every connection: wait until it has seen the dropped one and rolled it back.
    for (let waited = 0; engine.name === "postgres" && server.db.isInTransaction() && waited < 5_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return killed
  }
  const fileRows = () => {
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(run, "manifest.json"), "utf8")) as {
      outputs: ReadonlyArray<{ rows_written: number }>
    }
    return manifest.outputs[0]!.rows_written
  }

  for (const [mode, flags] of [
    ["replace", []],
    ["append", ["--mode", "append"]],
    ["merge", ["--mode", "merge", "--key", key]]
  ] as const) {
    it(`leaves the tables and the load record as they were (${mode})`, async () => {
      const label = `${engine.name}-${mode}`
      const before = await prepare(label)
      expect(before.tables[0]!.length).toBeGreaterThan(500)
      const killed = await killedLoad(label, "load-before-commit:1", flags)
      expect(killed.signal, killed.stderr).toBe("SIGKILL")
      expect(await engine.open(label, snapshot)).toEqual(before)
      // The same load, not killed, then does what it says.
      const again = await runCliInProcess(["load", run, "--into", engine.into(label), "--quiet", ...flags], { env })
      expect(again.code, again.stderr).toBe(0)
      const after = await engine.open(label, snapshot)
      expect(after.loads.length).toBe(before.loads.length + tables.length)
      const all = fileRows()
      expect(after.tables[0]!.length).toBe(mode === "append" ? before.tables[0]!.length + all : all)
    }, 120_000)
  }

  it("keeps the first table's committed load when killed at the second", async () => {
    const label = `${engine.name}-second`
    const before = await prepare(label)
    const killed = await killedLoad(label, "load-before-commit:2", [])
    expect(killed.signal).toBe("SIGKILL")
    const after = await engine.open(label, snapshot)
    expect(after.tables[1]).toEqual(before.tables[1])
    expect(after.tables[0]!.length).toBeGreaterThan(before.tables[0]!.length)
    expect(after.loads.length).toBe(before.loads.length + 1)
  }, 120_000)

  it("an append killed at its second table, loaded again, adds each file once", async () => {
    const label = `${engine.name}-append-retry`
    const before = await prepare(label)
    const append = ["--mode", "append"]
    const killed = await killedLoad(label, "load-before-commit:2", append)
    expect(killed.signal).toBe("SIGKILL")
    // The retry skips the first file, which the killed load appended, and appends the second.
    const retried = await runCliInProcess(["load", run, "--into", engine.into(label), "--quiet", ...append], { env })
    expect(retried.code, retried.stderr).toBe(0)
    expect(retried.stderr).toContain(`already appended to ${tables[0]} by the load of`)
    const after = await engine.open(label, snapshot)
    const all = fileRows()
    expect(after.tables.map((t) => t.length)).toEqual(before.tables.map((t) => t.length + all))
    expect(after.loads.length).toBe(before.loads.length + tables.length)
  }, 120_000)
})
