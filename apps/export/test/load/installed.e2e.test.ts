/**
 * `spotpipe load` as installed: the test run's build of the package (bundle and launcher, in a folder of its own,
 * see support/builtCli.ts). PostgreSQL loads are inside the bundle and work; DuckDB is native and left outside, so
 * there a DuckDB load says what to install instead of a module-resolution stack, while `--format parquet` (spotpipe's
 * own writer) and its load into PostgreSQL (spotpipe's own reader) need nothing more.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../support/runCli.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"
import { type PgliteServer, startPgliteServer } from "./support/PgliteServer.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-load-installed-"))
const run = NodePath.join(root, "run")
let sandbox: RunningSandbox
let server: PgliteServer

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 1_000, seed: 2 })
  server = await startPgliteServer()
  const env = sandboxEnv(sandbox)
  const csv = await runCli(["answer", "Order Details", "--out", run, "--quiet"], { env })
  expect(csv.code, csv.stderr).toBe(0)
}, 60_000)

afterAll(async () => {
  await server?.close()
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("the installed spotpipe load", () => {
  it("loads into PostgreSQL", async () => {
    const loaded = await runCli(["load", run, "--into", server.url])
    expect(loaded.stderr).toBe("")
    expect(loaded.code).toBe(0)
    expect(loaded.stdout).toContain("answer_order_details")
    const rows = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM "answer_order_details"')
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(run, "manifest.json"), "utf8"))
    expect(rows.rows[0]!.n).toBe(manifest.outputs[0].rows_written)
  }, 60_000)

  it("says what to install for DuckDB, as a usage error (a missing prerequisite)", async () => {
    const refused = await runCli(["load", run, "--into", `duckdb:${NodePath.join(root, "w.duckdb")}`])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("needs the @duckdb/node-api package")
    expect(refused.stderr).toContain("npm install -g @duckdb/node-api@1.5.6-r.1")
    expect(refused.stderr.split("\n").filter((l) => l !== "").length).toBe(1)
  }, 60_000)

  it("refuses a job whose load needs DuckDB before it exports anything", async () => {
    const job = NodePath.join(root, "load-job.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        exports: [{ type: "answer", id: "Revenue by Month" }],
        load: { into: `duckdb:${NodePath.join(root, "job.duckdb")}` }
      })
    )
    const out = NodePath.join(root, "job-out")
    const refused = await runCli(["run", job, "--out", out], { env: sandboxEnv(sandbox) })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("needs the @duckdb/node-api package")
    expect(NodeFs.existsSync(out)).toBe(false)
  }, 60_000)

  it("writes --format parquet without DuckDB (its writer is part of spotpipe), typed and read back by DuckDB", async () => {
    const out = NodePath.join(root, "parquet")
    const env = sandboxEnv(sandbox)
    const written = await runCli(["answer", "Order Details", "--format", "parquet", "--out", out, "--quiet"], { env })
    expect(written.stderr).toBe("")
    expect(written.code).toBe(0)
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8"))
    const file = NodePath.join(out, manifest.outputs[0].file)
    // Read by this test's own DuckDB: the installed command has none beside it.
    const instance = await DuckDBInstance.create(":memory:")
    const connection = await instance.connect()
    try {
      const count = await connection.runAndReadAll(`SELECT count(*)::INTEGER FROM read_parquet('${file}')`)
      expect(count.getRowsJS()[0]![0]).toBe(manifest.outputs[0].rows_written)
      const types = await connection.runAndReadAll(
        `DESCRIBE SELECT "Order ID", "Order Date" FROM read_parquet('${file}')`
      )
      expect(types.getRowsJS().map((r) => r[1])).toEqual(["BIGINT", "DATE"])
    } finally {
      connection.closeSync()
      instance.closeSync()
    }
    // And loads into PostgreSQL with nothing native: spotpipe reads its own Parquet.
    const loaded = await runCli(["load", out, "--into", server.url, "--quiet"])
    expect(loaded.stderr).toBe("")
    expect(loaded.code).toBe(0)
    const rows = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM "answer_order_details"')
    expect(rows.rows[0]!.n).toBe(manifest.outputs[0].rows_written)
  }, 60_000)
})
