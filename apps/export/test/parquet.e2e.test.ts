/**
 * `--format parquet` end to end: the real `spotpipe` process against sandboxes on port 0, its files read back by
 * DuckDB. Each Parquet file must have one typed column per result column (period-end columns typed like their
 * start), the row count of the result, and the same values as the CSV export of the same result: every column is
 * compared row by row with the CSV text cast by DuckDB to the column's type (INT64 beyond 2^53, DATE, DATE_TIME,
 * TIME, Custom Calendar cells, a zone east and one west of UTC, `--datetime-offset zone`), nulls as nulls.
 * Runs are in-process (runCliInProcess, where DuckDB loads as beside an installed CLI) but the export of no rows, a
 * real process with DuckDB beside it and a folder of its own as `cwd`.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }
const tempDir = tempFolders("spotpipe-parquet-")

let west: RunningSandbox
let east: RunningSandbox

beforeAll(async () => {
  const golden = { rows: fixtures.golden.rows, seed: fixtures.golden.seed }
  ;[west, east] = await Promise.all([
    startSandbox({ ...golden, timezone: "America/Los_Angeles" }),
    startSandbox({ ...golden, timezone: "Asia/Kolkata", customCalendar: "with-end" })
  ])
})

afterAll(async () => {
  await Promise.all([west?.close(), east?.close()])
})

const quote = (path: string) => `'${path.replace(/'/g, "''")}'`

/** DuckDB's SQL type of each ThoughtSpot type in a Parquet file spotpipe wrote. */
const duckType: Record<string, string> = {
  INT64: "BIGINT",
  INT32: "INTEGER",
  DOUBLE: "DOUBLE",
  FLOAT: "DOUBLE",
  BOOL: "BOOLEAN",
  VARCHAR: "VARCHAR",
  CHAR: "VARCHAR",
  DATE: "DATE",
  DATE_TIME: "TIMESTAMP WITH TIME ZONE",
  TIMESTAMP: "TIMESTAMP WITH TIME ZONE",
  TIME: "TIME"
}

/** A SQL expression giving a typed value of `type` in a comparable text form (instants as epoch microseconds). */
const canonical = (expression: string, type: string | null): string => {
  switch (type === null ? "VARCHAR" : (duckType[type] ?? "VARCHAR")) {
    case "TIMESTAMP WITH TIME ZONE":
      return `epoch_us(CAST(${expression} AS TIMESTAMPTZ))::VARCHAR`
    case "VARCHAR":
      return `CAST(${expression} AS VARCHAR)`
    case "BIGINT":
    case "INTEGER":
      return `CAST(CAST(${expression} AS HUGEINT) AS VARCHAR)`
    default:
      return `CAST(CAST(${expression} AS ${duckType[type!]}) AS VARCHAR)`
  }
}

interface ManifestColumn {
  readonly name: string
  readonly type: string | null
}

/**
 * Compares a Parquet file with the CSV file of the same result: schema, row count and every value; returns the
 * Parquet file's DuckDB column types.
 */
const compareWithCsv = async (parquet: string, csv: string, columns: ReadonlyArray<ManifestColumn>) => {
  const db = await DuckDBInstance.create(":memory:", { threads: "1" })
  const connection = await db.connect()
  try {
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quote(parquet)})`)
    const types = described.getRowObjectsJS().map((r) => [String(r["column_name"]), String(r["column_type"])])
    expect(types).toEqual(columns.map((c) => [c.name, c.type === null ? "VARCHAR" : (duckType[c.type] ?? "VARCHAR")]))

    const ident = (name: string) => `"${name.replace(/"/g, '""')}"`
    const fromParquet = columns.map((c) => canonical(ident(c.name), c.type)).join(", ")
    // The CSV's empty cells are nulls (no text column of these results holds an empty string).
    const fromCsv = columns.map((c) => canonical(`NULLIF(${ident(c.name)}, '')`, c.type)).join(", ")
    const read = async (sql: string) => (await connection.runAndReadAll(sql)).getRowsJS()
    const parquetRows = await read(`SELECT ${fromParquet} FROM read_parquet(${quote(parquet)})`)
    const csvRows = await read(
      `SELECT ${fromCsv} FROM read_csv(${quote(csv)}, all_varchar = true, header = true, auto_detect = false, ` +
        `columns = {${columns.map((c) => `${quote(c.name)}: 'VARCHAR'`).join(", ")}}, quote = '"', escape = '"', ` +
        `delim = ',', new_line = '\\r\\n', null_padding = false)`
    )
    expect(parquetRows.length).toBeGreaterThan(0)
    expect(parquetRows).toEqual(csvRows)
    return { rows: parquetRows }
  } finally {
    connection.closeSync()
  }
}

const manifestOf = (dir: string) =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as {
    outputs: ReadonlyArray<{
      file: string
      format: string
      rows_written: number
      columns: ReadonlyArray<ManifestColumn>
      bytes: number
      sha256: string
    }>
  }

/** Exports `args` as CSV and as Parquet into two folders; both runs must succeed. */
const both = async (sandbox: RunningSandbox, args: ReadonlyArray<string>) => {
  const csvDir = tempDir()
  const parquetDir = tempDir()
  const csv = await runCliInProcess([...args, "--out", csvDir], { env: sandboxEnv(sandbox) })
  expect(csv.code, csv.stderr).toBe(0)
  const parquet = await runCliInProcess([...args, "--format", "parquet", "--out", parquetDir], {
    env: sandboxEnv(sandbox)
  })
  expect(parquet.code, parquet.stderr).toBe(0)
  return { csvDir, parquetDir, csv: manifestOf(csvDir), parquet: manifestOf(parquetDir) }
}

describe("spotpipe --format parquet", () => {
  for (const [label, sandbox, extra] of [
    ["west", () => west, []],
    ["east-custom-calendar-period-end-zone-offset", () => east, ["--period-end", "--datetime-offset", "zone"]]
  ] as const) {
    it(`answer-${label}-reads-back-in-duckdb-with-typed-columns-and-the-csv-values`, timeout, async () => {
      const run = await both(sandbox(), ["answer", "Order Details", ...extra])
      const csvOut = run.csv.outputs[0]!
      const out = run.parquet.outputs[0]!
      expect(out.file).toBe("answer-Order Details.parquet")
      expect(out.format).toBe("parquet")
      expect(out.rows_written).toBe(csvOut.rows_written)
      expect(out.columns).toEqual(csvOut.columns)
      // Every ThoughtSpot type the sandbox has is in this answer.
      const types = new Set(out.columns.map((c) => c.type))
      for (const t of ["INT64", "VARCHAR", "DOUBLE", "BOOL", "DATE", "DATE_TIME", "TIME"]) expect(types).toContain(t)
      const { rows } = await compareWithCsv(
        NodePath.join(run.parquetDir, out.file),
        NodePath.join(run.csvDir, csvOut.file),
        out.columns
      )
      expect(rows.length).toBe(out.rows_written)
      // INT64 values beyond 2^53 came through exactly.
      const int64 = out.columns.findIndex((c) => c.type === "INT64")
      expect(rows.some((row) => BigInt(String(row[int64])) > 2n ** 53n)).toBe(true)
      // Nulls stay nulls.
      expect(rows.some((row) => row.includes(null))).toBe(true)
      const bytes = NodeFs.readFileSync(NodePath.join(run.parquetDir, out.file))
      expect(bytes.subarray(0, 4).toString("latin1")).toBe("PAR1")
      expect(bytes.length).toBe(out.bytes)
    })
  }

  it("liveboard-with-custom-calendar-period-end-columns-typed-like-their-start", timeout, async () => {
    const run = await both(east, ["liveboard", "Order Operations", "--period-end"])
    expect(run.parquet.outputs.length).toBeGreaterThan(1)
    for (const [i, out] of run.parquet.outputs.entries()) {
      const csvOut = run.csv.outputs[i]!
      expect(out.file).toBe(csvOut.file.replace(/\.csv$/, ".parquet"))
      expect(out.columns.some((c) => "end_of" in c)).toBe(true)
      await compareWithCsv(NodePath.join(run.parquetDir, out.file), NodePath.join(run.csvDir, csvOut.file), out.columns)
    }
  })

  it("a-job-file-with-format-parquet-writes-answer-liveboard-search-and-metadata-as-parquet", timeout, async () => {
    const dir = tempDir()
    const job = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        defaults: { format: "parquet", pageSize: 50 },
        exports: [
          { type: "answer", id: "Order Details" },
          { type: "liveboard", id: "Sales Overview" },
          { type: "search", table: "Orders", query: "[Region] [Revenue] [Order Date].monthly" },
          { type: "metadata", metadataTypes: ["ANSWER", "LIVEBOARD"] },
          { type: "answer", id: "Revenue by Month", format: "csv" }
        ]
      })
    )
    const out = NodePath.join(dir, "out")
    const run = await runCliInProcess(["run", job, "--out", out, "--quiet"], { env: sandboxEnv(west) })
    expect(run.code, run.stderr).toBe(0)
    const manifest = manifestOf(out)
    const db = await DuckDBInstance.create(":memory:")
    const connection = await db.connect()
    try {
      for (const output of manifest.outputs) {
        expect(output.file.endsWith(`.${output.format}`)).toBe(true)
        if (output.format !== "parquet") continue
        const count = await connection.runAndReadAll(
          `SELECT count(*)::INTEGER FROM read_parquet(${quote(NodePath.join(out, output.file))})`
        )
        expect(count.getRowsJS()[0]![0]).toBe(output.rows_written)
      }
    } finally {
      connection.closeSync()
    }
    expect(manifest.outputs.filter((o) => o.format === "parquet").length).toBeGreaterThanOrEqual(4)
    expect(manifest.outputs.filter((o) => o.format === "csv").length).toBe(1)
  })

  it("a-result-of-no-rows-is-a-valid-parquet-file-with-its-columns", timeout, async () => {
    const dir = tempDir()
    const none = await startSandbox({ rows: 0 })
    const run = await runCli(
      ["search", "--table", "Orders", "--query", "[Region] [Revenue] [Order Date]", "--format", "parquet"],
      { env: sandboxEnv(none), cwd: dir, withDuckDb: true }
    ).finally(() => none.close())
    expect(run.code, run.stderr).toBe(0)
    const manifest = manifestOf(dir)
    const out = manifest.outputs[0]!
    expect(out.rows_written).toBe(0)
    const db = await DuckDBInstance.create(":memory:")
    const connection = await db.connect()
    try {
      const described = await connection.runAndReadAll(
        `DESCRIBE SELECT * FROM read_parquet(${quote(NodePath.join(dir, out.file))})`
      )
      expect(described.getRowObjectsJS().map((r) => [r["column_name"], r["column_type"]])).toEqual([
        ["Region", "VARCHAR"],
        ["Total Revenue", "DOUBLE"],
        ["Month(Order Date)", "DATE"]
      ])
      const count = await connection.runAndReadAll(
        `SELECT count(*)::INTEGER FROM read_parquet(${quote(NodePath.join(dir, out.file))})`
      )
      expect(count.getRowsJS()[0]![0]).toBe(0)
    } finally {
      connection.closeSync()
    }
  })
})
