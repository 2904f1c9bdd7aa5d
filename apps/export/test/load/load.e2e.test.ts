/**
 * `spotpipe load` end to end against real engines: a run exported from the loopback sandbox (~50 k rows, INT64
 * beyond 2^53, dates, timestamps, times, nulls), loaded into DuckDB (@duckdb/node-api) and into PostgreSQL (PGlite
 * over the wire protocol, see support/PgliteServer.ts). Checks the tables' types, that every value equals the file's,
 * each mode, that a refused or failing load leaves the previous table as it was, the `spotpipe_loads` record, and
 * that a password in the URL is refused without being shown.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import Papa from "papaparse"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { columnKindOf } from "../../src/formats/ColumnKinds.ts"
import { catalogType, tableNames } from "../../src/load/Warehouse.ts"
import { type LoadFixture, startLoadFixture } from "./support/LoadFixture.ts"
import {
  cli,
  csvRows,
  editedRun,
  manifestOf,
  ndjsonRows,
  rowSet,
  type TestOutput,
  tableRows,
  withDuckDb,
  withPostgres,
  writeManifest
} from "./support/loadHelpers.ts"
import type { PgliteServer } from "./support/PgliteServer.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-load-"))
const run = NodePath.join(root, "run")
const daily = "liveboard-Order Operations/Daily Quantity.csv"
let fixture: LoadFixture
let server: PgliteServer
let env: Record<string, string>

beforeAll(async () => {
  fixture = await startLoadFixture({
    rows: 50_000,
    seed: 7,
    run,
    exports: [
      { type: "answer", id: "Order Details" },
      { type: "answer", id: "Order Details", format: "ndjson", output: "order-details-ndjson" },
      { type: "liveboard", id: "Order Operations", visualizations: ["Daily Quantity", "Order Timeline"] }
    ]
  })
  ;({ server, env } = fixture)
}, 120_000)

afterAll(async () => {
  await fixture?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

const outputs = (): Array<TestOutput> => manifestOf(run).outputs
const tableOf = (dir: string, file: string) => {
  const files = manifestOf(dir).outputs.map((o) => o.file)
  return tableNames(files)[files.indexOf(file)]!
}
const fileRows = (dir: string, output: TestOutput) =>
  output.format === "csv"
    ? csvRows(NodePath.join(dir, output.file))
    : ndjsonRows(
        NodePath.join(dir, output.file),
        output.columns.map((c) => c.name)
      )

type Query = (sql: string) => Promise<Array<Array<unknown>>>
const engines = [
  {
    name: "duckdb" as const,
    into: () => `duckdb:${NodePath.join(root, "warehouse.duckdb")}`,
    open: <A>(use: (q: Query) => Promise<A>) => withDuckDb(NodePath.join(root, "warehouse.duckdb"), use)
  },
  {
    name: "postgres" as const,
    into: () => server.url,
    open: <A>(use: (q: Query) => Promise<A>) => withPostgres(server.url, use)
  }
]

const count = (q: Query, table: string) => q(`SELECT count(*) FROM "${table}"`).then((r) => Number(r[0]![0]))

describe.each(engines)("load into $name", (engine) => {
  const load = (dir: string, ...flags: Array<string>) => cli(["load", dir, "--into", engine.into(), ...flags], env)

  it("creates one typed table per output whose values equal the files', and records the load", async () => {
    const loaded = await load(run)
    expect(loaded.stderr).toBe("")
    expect(loaded.code).toBe(0)
    const fingerprint = createHash("sha256")
      .update(NodeFs.readFileSync(NodePath.join(run, "manifest.json")))
      .digest("hex")
    await engine.open(async (q) => {
      for (const output of outputs()) {
        const table = tableOf(run, output.file)
        const columns = await q(
          `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`
        )
        expect(columns.map((c) => `${c[0]} ${String(c[1]).toLowerCase()}`)).toEqual(
          output.columns.map((c) => `${c.name} ${catalogType(engine.name, c.type).toLowerCase()}`)
        )
        const rows = await tableRows(q, engine.name, table, output.columns)
        expect(rows.length).toBe(output.rows_written)
        const types = output.columns.map((c) => c.type)
        expect(rowSet(rows, types)).toEqual(rowSet(fileRows(run, output), types))
        const record = await q(
          `SELECT manifest_sha256, file, mode, rows FROM spotpipe_loads WHERE table_name = '${table}'`
        )
        expect(record.map((r) => r.map(String))).toEqual([
          [fingerprint, output.file, "replace", String(output.rows_written)]
        ])
      }
      // The data has what makes exactness matter: INT64 beyond 2^53, dates, timestamps and times.
      const details = tableOf(run, "answer-Order Details.csv")
      const big = await q(`SELECT count(*) FROM "${details}" WHERE "Order ID" > 9007199254740992`)
      expect(Number(big[0]![0])).toBeGreaterThan(0)
      expect(await count(q, details)).toBeGreaterThan(40_000)
    })
  }, 120_000)

  it("replace twice gives the same table; an append after a replace adds the rows again", async () => {
    const table = tableOf(run, "answer-Order Details.csv")
    const output = outputs().find((o) => o.file === "answer-Order Details.csv")!
    const before = await engine.open((q) => tableRows(q, engine.name, table, output.columns))
    expect((await load(run)).code).toBe(0)
    const after = await engine.open((q) => tableRows(q, engine.name, table, output.columns))
    const types = output.columns.map((c) => c.type)
    expect(rowSet(after, types)).toEqual(rowSet(before, types))
    expect((await load(run, "--mode", "append")).code).toBe(0)
    await engine.open(async (q) => {
      expect(await count(q, table)).toBe(2 * output.rows_written)
    })
  }, 120_000)

  it("merge by key updates the rows of the key and keeps the others; merging twice changes nothing", async () => {
    const table = tableOf(run, daily)
    const output = outputs().find((o) => o.file === daily)!
    // Only the daily quantities: one file whose key (the day) is unique.
    const only = NodePath.join(root, `daily-${engine.name}`)
    editedRun(run, only, daily, (t) => t)
    const manifest = manifestOf(only)
    manifest.outputs = manifest.outputs.filter((o) => o.file === daily)
    NodeFs.writeFileSync(NodePath.join(only, "manifest.json"), JSON.stringify(manifest))
    expect((await cli(["load", only, "--into", engine.into()], env)).code).toBe(0)
    // The next run: one day's quantity changed, one day gone from the file.
    const next = editedRun(only, `${only}-next`, daily, (text) =>
      text.replace(/\r\n2020-01-02,\d+\r\n/, "\r\n2020-01-02,999999\r\n").replace(/\r\n2020-01-03,\d+\r\n/, "\r\n")
    )
    const nextManifest = manifestOf(next)
    nextManifest.outputs[0]!.rows_written = output.rows_written - 1
    NodeFs.writeFileSync(NodePath.join(next, "manifest.json"), JSON.stringify(nextManifest))
    const tableName = tableOf(only, daily)
    expect(tableName).toBe(table)
    // A table of the database's own with the name of the merge's staging table is not the merge's to touch.
    await engine.open(async (q) => {
      await q(`CREATE TABLE spotpipe_stage (note VARCHAR)`)
      await q(`INSERT INTO spotpipe_stage VALUES ('kept')`)
    })
    for (let i = 0; i < 2; i++) {
      const merged = await cli(
        ["load", next, "--into", engine.into(), "--mode", "merge", "--key", "Day(Order Date)"],
        env
      )
      expect(merged.stderr).toBe("")
      expect(merged.code).toBe(0)
      await engine.open(async (q) => {
        expect(await count(q, table)).toBe(output.rows_written)
        const day = (d: string) =>
          q(`SELECT CAST("Total Quantity" AS VARCHAR) FROM "${table}" WHERE "Day(Order Date)" = DATE '${d}'`)
        expect((await day("2020-01-02")).map((r) => String(r[0]))).toEqual(["999999"])
        expect((await day("2020-01-03")).length).toBe(1)
        expect(await q("SELECT note FROM spotpipe_stage")).toEqual([["kept"]])
      })
    }
    await engine.open((q) => q("DROP TABLE spotpipe_stage"))
  }, 120_000)

  it("a merge by a key that repeats on the rows without one is refused naming the null key and its rows", async () => {
    const details = "answer-Order Details.csv"
    const only = NodePath.join(root, `details-${engine.name}`)
    NodeFs.cpSync(run, only, { recursive: true })
    const manifest = manifestOf(only)
    manifest.outputs = manifest.outputs.filter((o) => o.file === details)
    NodeFs.writeFileSync(NodePath.join(only, "manifest.json"), JSON.stringify(manifest))
    const nulls = csvRows(NodePath.join(only, details)).filter((row) => row[0] === null).length
    // The sandbox leaves a cell null now and then, Order ID too: those rows share the null key.
    expect(nulls).toBeGreaterThan(1)
    const table = tableOf(only, details)
    const before = await engine.open((q) =>
      q(`SELECT count(*) FROM information_schema.tables WHERE table_name = '${table}'`)
    )
    const refused = await cli(["load", only, "--into", engine.into(), "--mode", "merge", "--key", "Order ID"], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `${details}: 1 key value appears on more than one row (Order ID = null (${nulls} rows)), so a merge by "Order ID" is ambiguous; ${nulls} rows have a null "Order ID" (a null key is one key value`
    )
    expect(refused.stderr).toContain("merge by a key that is unique and never null in the file")
    const after = await engine.open((q) =>
      q(`SELECT count(*) FROM information_schema.tables WHERE table_name = '${table}'`)
    )
    expect(after.map((r) => r.map(String))).toEqual(before.map((r) => r.map(String)))
  }, 120_000)

  it("refuses a file changed after the manifest and a bad row, leaving the previous table as it was", async () => {
    const table = tableOf(run, "answer-Order Details.csv")
    const output = outputs().find((o) => o.file === "answer-Order Details.csv")!
    expect((await load(run)).code).toBe(0)
    const loads = () => engine.open((q) => count(q, "spotpipe_loads"))
    const before = await engine.open((q) => tableRows(q, engine.name, table, output.columns))
    const recorded = await loads()
    // Changed after the manifest was written: its SHA-256 no longer matches.
    const changed = NodePath.join(root, `changed-${engine.name}`)
    NodeFs.cpSync(run, changed, { recursive: true })
    // Same size, one quantity changed: only the SHA-256 tells.
    const path = NodePath.join(changed, output.file)
    const text = NodeFs.readFileSync(path, "utf8")
    const at = text.indexOf(",43,")
    NodeFs.writeFileSync(path, `${text.slice(0, at)},44,${text.slice(at + 4)}`)
    const refused = await cli(["load", changed, "--into", engine.into()], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("answer-Order Details.csv")
    expect(refused.stderr).toContain("SHA-256")
    // A row the engine cannot read, in a file whose manifest matches it: the load fails midway and rolls back.
    const bad = editedRun(run, NodePath.join(root, `bad-${engine.name}`), output.file, (text) => {
      const lines = text.split("\r\n")
      lines[lines.length - 3] = lines[lines.length - 3]!.replace(/^\d+/, "not-a-number")
      return lines.join("\r\n")
    })
    const failed = await cli(["load", bad, "--into", engine.into()], env)
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain("answer-Order Details.csv")
    expect(failed.stderr).toContain("left as it was")
    const after = await engine.open((q) => tableRows(q, engine.name, table, output.columns))
    const types = output.columns.map((c) => c.type)
    expect(rowSet(after, types)).toEqual(rowSet(before, types))
    expect(await loads()).toBe(recorded)
  }, 120_000)
})

describe.each(engines)("a cell of 3 MB loaded into $name", (engine) => {
  const file = "answer-Order Details.csv"
  // One row's text cell made longer than DuckDB's default line limit (2,000,000 bytes), with `mark` first.
  const withLongCell = (dir: string, mark: string) =>
    editedRun(run, NodePath.join(root, `${dir}-${engine.name}`), file, (text) => {
      const output = outputs().find((o) => o.file === file)!
      const column = output.columns.findIndex((c) => columnKindOf(c.type) === "text")
      const lines = text.split("\r\n")
      const cells = Papa.parse<Array<string>>(lines[2]!).data[0]!
      cells[column] = `${mark}${"long cell ".repeat(300_000)}`
      lines[2] = Papa.unparse([cells], { newline: "\r\n" })
      return lines.join("\r\n")
    })

  it("is loaded whole; a bad row beside it fails in a few lines that print no cell of it", async () => {
    const long = withLongCell("long", "")
    const loaded = await cli(["load", long, "--into", engine.into(), "--quiet"], env)
    expect(loaded.stderr).toBe("")
    expect(loaded.code).toBe(0)
    const output = manifestOf(long).outputs.find((o) => o.file === file)!
    const table = tableOf(long, file)
    await engine.open(async (q) => {
      const rows = await tableRows(q, engine.name, table, output.columns)
      const types = output.columns.map((c) => c.type)
      expect(rowSet(rows, types)).toEqual(rowSet(csvRows(NodePath.join(long, file)), types))
      expect(rows.some((r) => r.some((c) => c?.length === 3_000_000))).toBe(true)
    })
    const bad = withLongCell("long-bad", "secret-cell ")
    const path = NodePath.join(bad, file)
    const lines = NodeFs.readFileSync(path, "utf8").split("\r\n")
    // The bad value is long too: the engines quote it in their messages.
    lines[2] = lines[2]!.replace(/^\d+/, `not-a-number-${"z".repeat(200)}`)
    editedRun(bad, `${bad}-2`, file, () => lines.join("\r\n"))
    const failed = await cli(["load", `${bad}-2`, "--into", engine.into()], env)
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain("left as it was")
    expect(failed.stderr).not.toContain("secret-cell")
    expect(failed.stderr).not.toContain("long cell")
    expect(failed.stderr).not.toContain("delimiter =")
    expect(failed.stderr).not.toContain("z".repeat(100))
    expect(failed.stderr.length).toBeLessThan(1000)
  }, 120_000)
})

describe("a Parquet run", () => {
  const parquetRun = NodePath.join(root, "parquet")
  const file = "answer-Order Details.parquet"
  beforeAll(async () => {
    const exported = await cli(["answer", "Order Details", "--format", "parquet", "--out", parquetRun, "--quiet"], env)
    expect(exported.code, exported.stderr).toBe(0)
  }, 120_000)

  it.each(engines)(
    "loads into $name with the values of the NDJSON export of the same answer",
    async (engine) => {
      const loaded = await cli(["load", parquetRun, "--into", engine.into(), "--quiet"], env)
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
      // NDJSON keeps null and "" apart, as Parquet does (CSV does not): the reference for every value.
      const ndjson = outputs().find((o) => o.file === "order-details-ndjson.ndjson")!
      const types = ndjson.columns.map((c) => c.type)
      const table = tableOf(parquetRun, file)
      const rows = await engine.open((q) => tableRows(q, engine.name, table, ndjson.columns))
      expect(rows.length).toBe(ndjson.rows_written)
      expect(rowSet(rows, types)).toEqual(rowSet(fileRows(run, ndjson), types))
      const record = await engine.open((q) =>
        q(`SELECT file, rows FROM spotpipe_loads WHERE table_name = '${table}' ORDER BY loaded_at DESC LIMIT 1`)
      )
      expect(record.map((r) => r.map(String))).toEqual([[file, String(ndjson.rows_written)]])
    },
    120_000
  )

  it("is refused by PostgreSQL when the file changed since the run, leaving the table as it was", async () => {
    const output = manifestOf(parquetRun).outputs.find((o) => o.file === file)!
    const table = tableOf(parquetRun, file)
    expect((await cli(["load", parquetRun, "--into", server.url, "--quiet"], env)).code).toBe(0)
    const before = await withPostgres(server.url, (q) => tableRows(q, "postgres", table, output.columns))
    // One byte changed inside the data, same size: only the SHA-256 tells (or the page no longer decodes).
    const changed = NodePath.join(root, "parquet-changed")
    NodeFs.cpSync(parquetRun, changed, { recursive: true })
    const path = NodePath.join(changed, file)
    const bytes = NodeFs.readFileSync(path)
    const middle = Math.floor(bytes.length / 2)
    bytes[middle] = bytes[middle]! ^ 0x01
    NodeFs.writeFileSync(path, bytes)
    const refused = await cli(["load", changed, "--into", server.url], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(file)
    expect(refused.stderr).toContain("SHA-256")
    const after = await withPostgres(server.url, (q) => tableRows(q, "postgres", table, output.columns))
    const types = output.columns.map((c) => c.type)
    expect(rowSet(after, types)).toEqual(rowSet(before, types))
  }, 120_000)
})

describe("load --help", () => {
  it("lists the flags and ends with examples", async () => {
    const help = await cli(["load", "--help"])
    expect(help.code).toBe(0)
    for (const flag of ["--into", "--mode replace|append|merge", "--key", "--password-file", "--allow-failed"]) {
      expect(help.stdout).toContain(flag)
    }
    expect(help.stdout.slice(help.stdout.lastIndexOf("EXAMPLES"))).toMatch(/\n {2}spotpipe load .+--into duckdb:/)
  })

  it("its merge example works on the sandbox's data, twice", async () => {
    const help = await cli(["load", "--help"])
    const example = help.stdout
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line.startsWith("spotpipe load") && line.includes("--mode merge"))!
    // Its folder is what `spotpipe metadata --out ./catalog` writes; its paths are taken into this test's folder.
    const args = example
      .split(" ")
      .slice(1)
      .map((arg) =>
        arg === "./catalog"
          ? NodePath.join(root, "catalog")
          : arg.startsWith("duckdb:")
            ? `duckdb:${NodePath.join(root, "catalog.duckdb")}`
            : arg
      )
    const exported = await cli(
      ["metadata", "--type", "ANSWER,LIVEBOARD", "--out", NodePath.join(root, "catalog"), "--quiet"],
      env
    )
    expect(exported.code, exported.stderr).toBe(0)
    for (let i = 0; i < 2; i++) {
      const merged = await cli([...args, "--quiet"], env)
      expect(merged.stderr).toBe("")
      expect(merged.code).toBe(0)
    }
    const [output] = manifestOf(NodePath.join(root, "catalog")).outputs
    await withDuckDb(NodePath.join(root, "catalog.duckdb"), async (q) => {
      expect(await count(q, tableOf(NodePath.join(root, "catalog"), output!.file))).toBe(output!.rows_written)
    })
  }, 60_000)
})

describe("a folder several commands wrote into", () => {
  it("loads its latest run, prints an aligned summary, and says which files of its other runs it left and how to load them", async () => {
    const landing = NodePath.join(root, "landing")
    // The README's usage table: four commands into one folder, four runs.
    for (const args of [
      ["metadata", "--type", "ANSWER,LIVEBOARD"],
      ["answer", "Revenue by Month", "--format", "ndjson"],
      ["liveboard", "Sales Overview", "--viz", "Revenue by Region"],
      ["answer", "Order Details"]
    ]) {
      const exported = await cli([...args, "--out", landing, "--quiet"], env)
      expect(exported.code, exported.stderr).toBe(0)
    }
    const database = NodePath.join(root, "landing.duckdb")
    const loaded = await cli(["load", landing, "--into", `duckdb:${database}`], env)
    expect(loaded.code, loaded.stderr).toBe(0)
    const lines = loaded.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^table +rows {2}seconds {2}file$/)
    expect(lines[2]).toMatch(/^answer_order_details {2}50,000 +\d+\.\d\d {2}answer-Order Details\.csv$/)
    expect(lines[2]!.indexOf("answer-Order")).toBe(lines[0]!.indexOf("file"))
    const latest = manifestOf(landing) as unknown as { run_id: string }
    expect(lines[3]).toMatch(
      new RegExp(
        `^loaded 1 table, 50,000 rows into duckdb:.+ from run ${latest.run_id} \\(manifest SHA-256 [0-9a-f]{12}…`
      )
    )
    const left = ["metadata.csv", "answer-Revenue by Month.ndjson", "liveboard-Sales Overview/Revenue by Region.csv"]
    expect(loaded.stderr).toContain(
      `loaded the folder's latest run (${latest.run_id}, its manifest.json) only: 3 other runs there wrote 3 files it does not list, left unloaded: ${left.join(", ")}; to load them, give each run's own manifest`
    )
    // The JSON summary lists them, with the manifests that load them; its seconds are to the millisecond.
    const json = await cli(["load", landing, "--into", `duckdb:${database}`, "--log-format", "json"], env)
    const report = JSON.parse(json.stdout).load as {
      tables: Array<{ seconds: number }>
      other_runs: Array<{ manifest: string; files: Array<string> }>
    }
    expect(report.tables.map((t) => Math.round(t.seconds * 1000) / 1000)).toEqual(report.tables.map((t) => t.seconds))
    expect(report.other_runs.flatMap((r) => r.files)).toEqual(left)
    for (const run of report.other_runs) {
      const each = await cli(["load", run.manifest, "--into", `duckdb:${database}`, "--quiet"], env)
      expect(each.code, each.stderr).toBe(0)
      expect(each.stderr).toBe("")
    }
    await withDuckDb(database, async (q) => {
      const tables = await q("SELECT DISTINCT table_name FROM spotpipe_loads ORDER BY 1")
      expect(tables.map((r) => String(r[0]))).toEqual([...tableNames([...left, "answer-Order Details.csv"])].sort())
    })
  }, 120_000)
})

describe("table names", () => {
  it("never give an output the name of the loads record or of a merge's staging table", () => {
    const [stage, loads] = tableNames(["spotpipe_stage.csv", "spotpipe_loads.csv"])
    expect(stage).toMatch(/^spotpipe_stage_[0-9a-f]{8}$/)
    expect(loads).toMatch(/^spotpipe_loads_[0-9a-f]{8}$/)
  })
})

describe("load refuses", () => {
  it("a PostgreSQL URL with a password, without showing it", async () => {
    const refused = await cli(["load", run, "--into", "postgresql://loader:s3cr3t-pw@127.0.0.1:5432/db"], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("holds a password")
    expect(`${refused.stdout}${refused.stderr}`).not.toContain("s3cr3t-pw")
  })

  it("a password file it cannot read, and reads one it can", async () => {
    // The password itself typed where the file's path belongs: refused without being shown.
    const missing = await cli(["load", run, "--into", server.url, "--password-file", "pw-typed-as-a-path"], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("cannot read the password file given with --password-file")
    expect(`${missing.stdout}${missing.stderr}`).not.toContain("pw-typed-as-a-path")
    const empty = NodePath.join(root, "empty-password.txt")
    NodeFs.writeFileSync(empty, "\n")
    const refused = await cli(["load", run, "--into", server.url, "--password-file", empty], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("the password file given with --password-file is empty")
    const file = NodePath.join(root, "pgpass.txt")
    NodeFs.writeFileSync(file, "not-checked-by-pglite\n", { mode: 0o600 })
    const read = await cli(["load", run, "--into", server.url, "--password-file", file, "--quiet"], env)
    expect(read.stderr).toBe("")
    expect(read.code).toBe(0)
  }, 60_000)

  it("a run with a failed export unless --allow-failed", async () => {
    const failedRun = NodePath.join(root, "failed-run")
    NodeFs.cpSync(run, failedRun, { recursive: true })
    const manifest = manifestOf(failedRun)
    manifest.exports.push({
      export: "answer-Gone",
      index: 9,
      type: "answer",
      status: "failed",
      error: "not found",
      files: []
    })
    NodeFs.writeFileSync(NodePath.join(failedRun, "manifest.json"), JSON.stringify(manifest))
    const into = `duckdb:${NodePath.join(root, "failed.duckdb")}`
    const refused = await cli(["load", failedRun, "--into", into], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("failed export")
    const allowed = await cli(["load", failedRun, "--into", into, "--allow-failed", "--quiet"], env)
    expect(allowed.code).toBe(0)
  }, 60_000)

  it("a file exported with --escape-formulae, whose cells are not the data's, before loading anything", async () => {
    const escaped = NodePath.join(root, "escaped")
    NodeFs.cpSync(run, escaped, { recursive: true })
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(escaped, "manifest.json"), "utf8"))
    manifest.outputs[1].settings.escapeFormulae = true
    writeManifest(escaped, manifest)
    const into = NodePath.join(root, "escaped.duckdb")
    const refused = await cli(["load", escaped, "--into", `duckdb:${into}`], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`${manifest.outputs[1].file} was exported with --escape-formulae`)
    // Nothing was loaded into the database it would have created: it is not left behind.
    expect(NodeFs.existsSync(into)).toBe(false)
  }, 60_000)

  it("into duckdb:~/…, the home folder's file: one the failed load created is not left behind", async () => {
    const escaped = NodePath.join(root, "escaped-home")
    NodeFs.cpSync(run, escaped, { recursive: true })
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(escaped, "manifest.json"), "utf8"))
    manifest.outputs[1].settings.escapeFormulae = true
    writeManifest(escaped, manifest)
    const home = NodeFs.mkdtempSync(NodePath.join(root, "home-"))
    const before = process.env["HOME"]
    process.env["HOME"] = home // read by os.homedir() and by DuckDB
    try {
      const refused = await cli(["load", escaped, "--into", "duckdb:~/warehouse.duckdb"], env)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain("was exported with --escape-formulae")
      // DuckDB created it in the home folder; the check of "did this load create it" looked for ./~/warehouse.duckdb.
      expect(NodeFs.readdirSync(home)).toEqual([])
      const loaded = await cli(["load", run, "--into", "duckdb:~/warehouse.duckdb", "--quiet"], env)
      expect(loaded.code).toBe(0)
      expect(NodeFs.existsSync(NodePath.join(home, "warehouse.duckdb"))).toBe(true)
      // `~name` is read two ways (DuckDB: the home folder's path with name glued on): refused.
      const other = await cli(["load", run, "--into", "duckdb:~warehouse.duckdb"], env)
      expect(other.code).toBe(2)
      expect(other.stderr).toContain("starts with ~ but not ~/")
    } finally {
      if (before === undefined) delete process.env["HOME"]
      else process.env["HOME"] = before
    }
  }, 60_000)

  it("into DuckDB, a file with two column names equal but for case (one name to DuckDB), before loading anything", async () => {
    // The daily quantities' second column renamed to its first one's name in lower case, header and manifest.
    const [first, second] = outputs()
      .find((o) => o.file === daily)!
      .columns.map((c) => c.name)
    const renamed = first!.toLowerCase()
    const cased = editedRun(run, NodePath.join(root, "cased"), daily, (t) => t.replace(second!, renamed))
    const manifest = manifestOf(cased)
    const output = manifest.outputs.find((o) => o.file === daily)!
    Object.assign(output.columns[1]!, { name: renamed })
    writeManifest(cased, manifest)
    const into = NodePath.join(root, "cased.duckdb")
    const refused = await cli(["load", cased, "--into", `duckdb:${into}`], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("nothing was loaded")
    expect(refused.stderr).toContain(
      `${daily}: the columns "${first}" and "${renamed}" are one name to DuckDB, which ignores case: export with --column-names snake (in a job file: "columnNames": "snake"), or load into PostgreSQL`
    )
    expect(NodeFs.existsSync(into)).toBe(false)
    // Names that differ in the case of a letter beyond ASCII are two names to DuckDB: loaded.
    const accented = editedRun(run, NodePath.join(root, "accented"), daily, (t) =>
      t.replace(first!, "Über").replace(second!, "über")
    )
    const renamedBoth = manifestOf(accented)
    const columns = renamedBoth.outputs.find((o) => o.file === daily)!.columns
    Object.assign(columns[0]!, { name: "Über" })
    Object.assign(columns[1]!, { name: "über" })
    writeManifest(accented, renamedBoth)
    const loaded = await cli(["load", accented, "--into", `duckdb:${into}`, "--quiet"], env)
    expect(loaded.stderr).toBe("")
    expect(loaded.code).toBe(0)
  }, 60_000)

  it("into PostgreSQL, a column name over 63 bytes, saying to export with --column-names snake", async () => {
    const second = outputs().find((o) => o.file === daily)!.columns[1]!.name
    const long = `${second} ${"and more words ".repeat(4)}`.trim()
    const renamed = editedRun(run, NodePath.join(root, "long-name"), daily, (t) => t.replace(second, long))
    const manifest = manifestOf(renamed)
    Object.assign(manifest.outputs.find((o) => o.file === daily)!.columns[1]!, { name: long })
    writeManifest(renamed, manifest)
    const refused = await cli(["load", renamed, "--into", server.url], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("nothing was loaded")
    expect(refused.stderr).toContain(
      `${daily}: column "${long}" (${Buffer.byteLength(long)} bytes) is longer than PostgreSQL's 63-byte identifiers (it would be cut): export with --column-names snake (in a job file: "columnNames": "snake") (short names, mapped to these in the manifest)`
    )
  }, 60_000)

  it("into PostgreSQL, a text holding U+0000, saying that PostgreSQL's text cannot store it and what to do", async () => {
    const file = "answer-Order Details.csv"
    const output = outputs().find((o) => o.file === file)!
    const column = output.columns.findIndex((c) => columnKindOf(c.type) === "text")
    const nul = editedRun(run, NodePath.join(root, "nul"), file, (text) => {
      const lines = text.split("\r\n")
      const cells = Papa.parse<Array<string>>(lines[2]!).data[0]!
      cells[column] = "a\u0000b"
      lines[2] = Papa.unparse([cells], { newline: "\r\n" })
      return lines.join("\r\n")
    })
    const refused = await cli(["load", nul, "--into", server.url], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      "a text holds the character U+0000 (NUL), which PostgreSQL's text cannot store: load into DuckDB, or correct the value at the source"
    )
    expect(refused.stderr).toContain("left as it was")
  }, 60_000)

  it("merge without --key, a key column named twice, and one a file lacks, before loading anything", async () => {
    const into = `duckdb:${NodePath.join(root, "keys.duckdb")}`
    const noKey = await cli(["load", run, "--into", into, "--mode", "merge"], env)
    expect(noKey.code).toBe(2)
    expect(noKey.stderr).toContain("--key")
    const twice = await cli(["load", run, "--into", into, "--mode", "merge", "--key", "Day,Region,Day"], env)
    expect(twice.code).toBe(2)
    expect(twice.stderr).toContain('--key names "Day" more than once: name each key column once')
    const missing = await cli(["load", run, "--into", into, "--mode", "merge", "--key", "Order ID"], env)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('has no key column "Order ID"')
    expect(NodeFs.existsSync(NodePath.join(root, "keys.duckdb"))).toBe(false)
  }, 60_000)
})
