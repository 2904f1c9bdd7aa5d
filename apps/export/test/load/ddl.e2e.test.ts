/**
 * `--ddl` and a job file's `load` block end to end: the DDL files an export (or `run`) writes beside its data run
 * on real engines (DuckDB, PostgreSQL through PGlite) and create exactly the tables `spotpipe load` creates (an
 * append into them passes the load's column check); `spotpipe run` with `"load"` exports and loads in one run; a
 * job file whose load URL holds a password is refused without showing it.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { catalogType, quoteLiteral, renderDdl, sqlType } from "../../src/load/Warehouse.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"
import { cli, manifestOf, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import { type PgliteServer, startPgliteServer } from "./support/PgliteServer.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-ddl-"))
const out = NodePath.join(root, "out")
let sandbox: RunningSandbox
let server: PgliteServer
let env: Record<string, string>

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 2_000, seed: 5 })
  server = await startPgliteServer()
  env = sandboxEnv(sandbox)
  const exported = await cli(
    ["answer", "Order Details", "--out", out, "--ddl", "postgres,duckdb,snowflake,bigquery", "--quiet"],
    env
  )
  expect(exported.stderr).toBe("")
  expect(exported.code).toBe(0)
}, 60_000)

afterAll(async () => {
  await server?.close()
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

const ddl = (dialect: string) => NodeFs.readFileSync(NodePath.join(out, "ddl", dialect), "utf8")

describe("--ddl", () => {
  it("writes one file per dialect with the exact types", () => {
    expect(NodeFs.readdirSync(NodePath.join(out, "ddl")).sort()).toEqual([
      "bigquery.json",
      "duckdb.sql",
      "postgres.sql",
      "snowflake.sql"
    ])
    const postgres = ddl("postgres.sql")
    expect(postgres).toContain('CREATE TABLE "answer_order_details" (')
    expect(postgres).toContain('"Order ID" BIGINT')
    expect(postgres).toContain('"Revenue" DOUBLE PRECISION')
    expect(postgres).toContain('"Shipped At" TIMESTAMP WITH TIME ZONE')
    expect(postgres).toContain('"Ship Time" TIME')
    expect(postgres).toContain('"Order Date" DATE')
    const snowflake = ddl("snowflake.sql")
    expect(snowflake).toContain('"Order ID" NUMBER(19,0)')
    expect(snowflake).toContain('"Shipped At" TIMESTAMP_TZ')
    const bigquery = JSON.parse(ddl("bigquery.json")) as Record<string, Array<{ name: string; type: string }>>
    expect(Object.fromEntries(bigquery.answer_order_details!.map((f) => [f.name, f.type]))).toEqual({
      "Order ID": "INT64",
      Region: "STRING",
      Product: "STRING",
      Customer: "STRING",
      Quantity: "INT64",
      Revenue: "FLOAT64",
      Returned: "BOOL",
      "Order Date": "DATE",
      "Shipped At": "TIMESTAMP",
      "Ship Time": "TIME"
    })
  })

  it("runs on DuckDB and PostgreSQL and creates the tables a load creates", async () => {
    const rows = manifestOf(out).outputs[0]!.rows_written
    const file = NodePath.join(root, "ddl.duckdb")
    await withDuckDb(file, async (q) => {
      await q(ddl("duckdb.sql").replace(/^--.*\n/, ""))
    })
    const duck = await cli(["load", out, "--into", `duckdb:${file}`, "--mode", "append", "--quiet"], env)
    expect(duck.stderr).toBe("")
    expect(duck.code).toBe(0)
    await withDuckDb(file, async (q) => {
      expect(Number((await q('SELECT count(*) FROM "answer_order_details"'))[0]![0])).toBe(rows)
    })
    await withPostgres(server.url, async (q) => {
      await q(ddl("postgres.sql"))
    })
    const pg = await cli(["load", out, "--into", server.url, "--mode", "append", "--quiet"], env)
    expect(pg.stderr).toBe("")
    expect(pg.code).toBe(0)
    await withPostgres(server.url, async (q) => {
      expect(Number((await q('SELECT count(*) FROM "answer_order_details"'))[0]![0])).toBe(rows)
    })
  }, 60_000)

  it("holds every manifest type's file text exactly on DuckDB and PostgreSQL, with the types load checks", async () => {
    // One column per type the manifest records, with a text each file holds for it (extremes, an offset instant).
    const cells: ReadonlyArray<readonly [string | null, string]> = [
      ["INT64", "-9223372036854775808"],
      ["INT32", "2147483647"],
      ["DOUBLE", "0.1"],
      ["FLOAT", "1.7976931348623157e+308"],
      ["BOOL", "true"],
      ["VARCHAR", 'Ünïcode, "quoted"'],
      ["CHAR", "x"],
      ["DATE", "0001-01-01"],
      ["DATE_TIME", "2021-07-08T08:58:41-07:00"],
      ["TIMESTAMP", "9999-12-30T23:59:59Z"],
      ["TIME", "23:59:59"],
      [null, "007"],
      ["DECIMAL", "1.10"],
      ["VARCHAR[]", '["Finance"]']
    ]
    const spec = { table: "all_types", columns: cells.map(([type], i) => ({ name: `c${i}`, type })) }
    const values = cells.map(([, text]) => quoteLiteral(text)).join(", ")
    // The instants as epoch seconds: the offset is kept as the instant, not read as a local time.
    const instants = [1625759921, 253402214399]
    const check = async (engine: "duckdb" | "postgres", q: (sql: string) => Promise<Array<Array<unknown>>>) => {
      await q(renderDdl(engine, [spec], "all types"))
      await q(`INSERT INTO "all_types" VALUES (${values})`)
      const types = await q(
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'all_types' ORDER BY ordinal_position"
      )
      expect(types.map((r) => String(r[0]).toLowerCase())).toEqual(
        cells.map(([type]) => catalogType(engine, type).toLowerCase())
      )
      const epoch = (c: string) => `CAST(${engine === "duckdb" ? `epoch(${c})` : `extract(epoch from ${c})`} AS BIGINT)`
      const [row] = await q(
        `SELECT c0::VARCHAR, c1::VARCHAR, c2 = 0.1, c3 = 1.7976931348623157e308, c4, c5, c6, c7::VARCHAR, ${epoch("c8")}, ${epoch("c9")}, c10::VARCHAR, c11, c12, c13 FROM "all_types"`
      )
      expect(row!.map((v) => (typeof v === "bigint" ? String(v) : v)).map(String)).toEqual([
        "-9223372036854775808",
        "2147483647",
        "true",
        "true",
        "true",
        'Ünïcode, "quoted"',
        "x",
        "0001-01-01",
        String(instants[0]),
        String(instants[1]),
        "23:59:59",
        "007",
        "1.10",
        '["Finance"]'
      ])
    }
    await withDuckDb(NodePath.join(root, "all-types.duckdb"), (q) => check("duckdb", q))
    await withPostgres(server.url, (q) => check("postgres", q))
    // Snowflake and BigQuery cannot run here: their types are pinned to the documented ones.
    expect(spec.columns.map((c) => sqlType("snowflake", c.type))).toEqual([
      "NUMBER(19,0)",
      "NUMBER(10,0)",
      "FLOAT",
      "FLOAT",
      "BOOLEAN",
      "VARCHAR",
      "VARCHAR",
      "DATE",
      "TIMESTAMP_TZ",
      "TIMESTAMP_TZ",
      "TIME",
      "VARCHAR",
      "VARCHAR",
      "VARCHAR"
    ])
    expect(JSON.parse(renderDdl("bigquery", [spec], "")).all_types.map((f: { type: string }) => f.type)).toEqual([
      "INT64",
      "INT64",
      "FLOAT64",
      "FLOAT64",
      "BOOL",
      "STRING",
      "STRING",
      "DATE",
      "TIMESTAMP",
      "TIMESTAMP",
      "TIME",
      "STRING",
      "STRING",
      "STRING"
    ])
  }, 60_000)

  it("is refused with --out -", async () => {
    const refused = await cli(["answer", "Order Details", "--out", "-", "--ddl", "postgres"], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("--ddl")
  })
})

describe("a job file's load block", () => {
  const writeJob = (name: string, job: unknown) => {
    const path = NodePath.join(root, name)
    NodeFs.writeFileSync(path, JSON.stringify(job))
    return path
  }

  it("exports and then loads the run", async () => {
    const warehouse = NodePath.join(root, "nightly.duckdb")
    const job = writeJob("nightly.json", {
      exports: [{ type: "answer", id: "Revenue by Month" }],
      load: { into: `duckdb:${warehouse}`, mode: "replace" }
    })
    const dir = NodePath.join(root, "nightly")
    const ran = await cli(["run", job, "--out", dir, "--ddl", "duckdb"], env)
    expect(ran.stderr).toBe("")
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain("answer_revenue_by_month")
    expect(NodeFs.readFileSync(NodePath.join(dir, "ddl", "duckdb.sql"), "utf8")).toContain(
      'CREATE TABLE "answer_revenue_by_month" ('
    )
    const own = NodeFs.readdirSync(dir).find((n) => /^manifest-.+\.json$/.test(n))!
    const fingerprint = createHash("sha256")
      .update(NodeFs.readFileSync(NodePath.join(dir, own)))
      .digest("hex")
    await withDuckDb(warehouse, async (q) => {
      const rows = await q("SELECT manifest_sha256, table_name, rows FROM spotpipe_loads")
      expect(rows.map((r) => r.map(String))).toEqual([
        [fingerprint, "answer_revenue_by_month", String(manifestOf(dir).outputs[0]!.rows_written)]
      ])
    })
  }, 60_000)

  it("run --json of a job that loads: the load's outcome is in the run's one JSON object", async () => {
    const warehouse = NodePath.join(root, "json.duckdb")
    const job = writeJob("json.json", {
      exports: [{ type: "answer", id: "Revenue by Month" }],
      load: { into: `duckdb:${warehouse}` }
    })
    const ran = await cli(["run", job, "--out", NodePath.join(root, "json-run"), "--json"], env)
    expect(ran.code).toBe(0)
    const report = JSON.parse(ran.stdout)
    expect(report.status).toBe("succeeded")
    expect(report.load.status).toBe("succeeded")
    expect(report.load.tables.map((t: { table: string }) => t.table)).toEqual(["answer_revenue_by_month"])

    // A load that fails after every export succeeded (a file that can be written but is no DuckDB database, which
    // only opening it finds): the report says failed, as the exit code does.
    // A database whose spotpipe_loads is a view of its own: the load, tried after the exports, refuses it.
    const foreign = NodePath.join(root, "foreign-loads.duckdb")
    await withDuckDb(foreign, (q) => q("CREATE VIEW spotpipe_loads AS SELECT 1 AS x"))
    const failing = writeJob("json-failing.json", {
      exports: [{ type: "answer", id: "Revenue by Month" }],
      load: { into: `duckdb:${foreign}` }
    })
    const failed = await cli(["run", failing, "--out", NodePath.join(root, "json-failing-run"), "--json"], env)
    expect(failed.code).toBe(1)
    const failedReport = JSON.parse(failed.stdout)
    expect(failedReport.status).toBe("failed")
    expect(failedReport.load.status).toBe("failed")
    expect(failedReport.load.error).toContain("spotpipe_loads")
    expect(failedReport.exports.map((e: { status: string }) => e.status)).toEqual(["succeeded"])
  }, 60_000)

  it("refuses a load URL with a password without showing it", async () => {
    const job = writeJob("secret.json", {
      exports: [{ type: "answer", id: "Revenue by Month" }],
      load: { into: "postgresql://loader:pw-in-job-file@db.internal/analytics" }
    })
    const refused = await cli(["run", job, "--out", NodePath.join(root, "never")], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("load.into")
    expect(refused.stderr).toContain("holds a password")
    expect(`${refused.stdout}${refused.stderr}`).not.toContain("pw-in-job-file")
    expect(NodeFs.existsSync(NodePath.join(root, "never"))).toBe(false)
  })
})
