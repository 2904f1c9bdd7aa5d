/**
 * `--ddl` column names and list columns, through the command line against the embedded sandbox: a name a dialect
 * cannot take as it is (BigQuery's parentheses, PostgreSQL's 63-byte limit) refuses the DDL naming the columns
 * and saying to use `--column-names snake`, and writes no DDL file; NDJSON `tags` is a REPEATED STRING in
 * BigQuery's schema.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ddlNameProblems, manifestTables } from "../../src/load/Ddl.ts"
import { tableNames } from "../../src/load/Warehouse.ts"
import { nameHash } from "../../src/plan/Names.ts"
import { runInProcess } from "../support/inProcess.ts"
import { tempFolders } from "../support/tempFolders.ts"

const timeout = { timeout: 60_000 }
const tempDir = tempFolders("spotpipe-ddl-names-")

describe("--ddl column names", () => {
  it.live(
    "bigquery-refuses-bucket-and-period-end-names-and-says-to-use-snake-names",
    () =>
      Effect.gen(function* () {
        const out = tempDir()
        const args = ["search", "--sandbox", "--table", "Orders", "--query", "[Region] [Revenue] [Order Date].monthly"]
        const refused = yield* runInProcess([...args, "--period-end", "--ddl", "postgres,bigquery", "--out", out], {})
        expect(refused.code).toBe(1)
        expect(refused.stderr).toContain('"Month(Order Date)" (the characters "(" ")")')
        expect(refused.stderr).toContain("--column-names snake")
        expect(NodeFs.existsSync(NodePath.join(out, "ddl"))).toBe(false)

        const snake = tempDir()
        const accepted = yield* runInProcess(
          [...args, "--column-names", "snake", "--ddl", "bigquery", "--out", snake, "--quiet"],
          {}
        )
        expect(accepted.code, accepted.stderr).toBe(0)
        const schema = JSON.parse(NodeFs.readFileSync(NodePath.join(snake, "ddl", "bigquery.json"), "utf8"))
        expect(Object.values(schema)[0]).toEqual([
          { name: "region", type: "STRING", mode: "NULLABLE" },
          { name: "total_revenue", type: "FLOAT64", mode: "NULLABLE" },
          { name: "month_order_date", type: "DATE", mode: "NULLABLE" }
        ])
      }),
    timeout
  )

  it.live(
    "refuses-escape-formulae-whose-cells-are-not-the-datas-with-csv-before-exporting",
    () =>
      Effect.gen(function* () {
        const out = tempDir()
        const args = ["search", "--sandbox", "--table", "Orders", "--query", "[Region] [Revenue]", "--out", out]
        const refused = yield* runInProcess([...args, "--escape-formulae", "--ddl", "duckdb,snowflake"], {})
        expect(refused.code).toBe(2)
        expect(refused.stderr).toContain(
          "--escape-formulae writes CSV cells starting with = + - @ with a ' that is not in the data, so --ddl would refuse the CSV files once exported: drop --escape-formulae (it is for files opened in a spreadsheet) or --ddl; nothing was exported"
        )
        expect(NodeFs.readdirSync(out)).toEqual([])
        // NDJSON is never escaped: the same flags write it and its DDL.
        const ndjson = yield* runInProcess([...args, "--format", "ndjson", "--escape-formulae", "--ddl", "duckdb"], {})
        expect(ndjson.code, ndjson.stderr).toBe(0)
        expect(NodeFs.existsSync(NodePath.join(out, "ddl", "duckdb.sql"))).toBe(true)
      }),
    timeout
  )

  it.live(
    "ndjson-tags-are-a-repeated-string-in-bigquery",
    () =>
      Effect.gen(function* () {
        const out = tempDir()
        const run = yield* runInProcess(
          ["metadata", "--sandbox", "--format", "ndjson", "--ddl", "bigquery", "--out", out, "--quiet"],
          {}
        )
        expect(run.code, run.stderr).toBe(0)
        const schema = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "ddl", "bigquery.json"), "utf8"))
        const fields = Object.values(schema)[0] as Array<{ name: string; type: string; mode: string }>
        expect(fields.find((f) => f.name === "tags")).toEqual({ name: "tags", type: "STRING", mode: "REPEATED" })
      }),
    timeout
  )

  it("has-the-tables-load-creates-no-tml-document-and-one-table-per-split-export-named-as-its-merged-file", () => {
    const columns = [{ name: "Order ID", type: "INT64" }]
    const tables = manifestTables({
      run_id: "r",
      outputs: [
        { file: "answer-Revenue by Month.csv", format: "csv", columns },
        { file: "tml/answer/Revenue by Month.tml", format: "yaml", columns: [] },
        { file: "orders.part-0001-of-0002.csv", format: "csv", columns, part: { index: 1, count: 2 } },
        { file: "orders.part-0002-of-0002.csv", format: "csv", columns, part: { index: 2, count: 2 } }
      ]
    })
    // As `spotpipe load` names them for the merged run (its files: the answer and orders.csv).
    expect(tables).toEqual([
      { table: "answer_revenue_by_month", columns },
      { table: "orders", columns }
    ])
    expect(tableNames(["answer-Revenue by Month.csv", "orders.csv"])).toEqual(tables.map((t) => t.table))
  })

  it("names-each-table-after-its-own-file-whatever-other-files-the-run-has", () => {
    const columns = [{ name: "k", type: "INT64" }]
    const ddlOf = (files: ReadonlyArray<string>) =>
      manifestTables({ run_id: "r", outputs: files.map((file) => ({ file, format: "csv", columns })) }).map(
        (t) => t.table
      )
    // Names whose letters have no ASCII base end with a hash of the path without extension.
    expect(ddlOf(["answer-収益.csv"])).toEqual([`answer_${nameHash("answer-収益")}`])
    expect(ddlOf(["answer-出荷.csv"])).toEqual([`answer_${nameHash("answer-出荷")}`])
    expect(ddlOf(["収益.csv"])).toEqual([`t_${nameHash("収益")}`])
    // Another file in the run changes no table's name.
    expect(ddlOf(["収益.csv", "一覧.csv"])).toEqual([`t_${nameHash("収益")}`, `t_${nameHash("一覧")}`])
    expect(ddlOf(["liveboard-収益/一覧.csv"])).toEqual([`liveboard_${nameHash("liveboard-収益/一覧")}`])
    // Different names that still meet each get their hash; one name in two formats is numbered.
    expect(tableNames(["a-b.csv", "A b.csv"])).toEqual([`a_b_${nameHash("a-b")}`, `a_b_${nameHash("A b")}`])
    expect(tableNames(["x.ndjson", "x.csv", "x.parquet"])).toEqual(["x_2", "x", "x_3"])
    // Plain ASCII names keep their documented form.
    expect(tableNames(["liveboard-Sales Overview/Revenue by Month.csv", "2024.csv"])).toEqual([
      "liveboard_sales_overview__revenue_by_month",
      "t_2024"
    ])
    expect(tableNames(["spotpipe_stage.csv", "spotpipe_loads.csv"])).toEqual([
      `spotpipe_stage_${nameHash("spotpipe_stage")}`,
      `spotpipe_loads_${nameHash("spotpipe_loads")}`
    ])
  })

  it("postgres-refuses-names-it-would-cut-and-bigquery-and-duckdb-names-equal-but-for-case", () => {
    const long = "A column name that is longer than sixty-three bytes of UTF-8 text and then some"
    const tables = [
      {
        table: "t",
        columns: [
          { name: long, type: "VARCHAR" },
          { name: "Total", type: "INT64" },
          { name: "total", type: "INT64" }
        ]
      }
    ]
    expect(ddlNameProblems(tables, ["postgres"])).toEqual([`postgres: table t: "${long}" (longer than 63 bytes)`])
    expect(ddlNameProblems(tables, ["bigquery"])).toEqual([
      `bigquery: table t: "total" (the same name as "Total" to BigQuery, which ignores case)`
    ])
    expect(ddlNameProblems(tables, ["duckdb", "snowflake"])).toEqual([
      `duckdb: table t: "total" (the same name as "Total" to DuckDB, which ignores case)`
    ])
    // DuckDB ignores ASCII case only: names that differ in the case of other letters are two names to it.
    const accented = [
      { name: "Über", type: "INT64" },
      { name: "über", type: "INT64" }
    ]
    expect(ddlNameProblems([{ table: "t", columns: accented }], ["duckdb", "postgres"])).toEqual([])
    expect(ddlNameProblems([{ table: "t", columns: [{ name: "_PARTITIONTIME", type: null }] }], ["bigquery"])).toEqual([
      'bigquery: table t: "_PARTITIONTIME" (a reserved prefix)'
    ])
  })

  it("snowflake-refuses-names-over-255-characters-and-takes-one-of-255", () => {
    // Snowflake's identifiers, quoted or not, hold at most 255 characters (not bytes: "é" is one).
    const fits = "é".repeat(255)
    const over = "x".repeat(256)
    const tables = [{ table: "t", columns: [fits, over].map((name) => ({ name, type: "VARCHAR" })) }]
    expect(ddlNameProblems(tables, ["snowflake"])).toEqual([`snowflake: table t: "${over}" (over 255 characters)`])
    expect(ddlNameProblems(tables, ["duckdb"])).toEqual([])
  })

  it("bigquery-refuses-every-reserved-prefix-of-its-column-names-in-any-case", () => {
    const reserved = [
      "_TABLE_SUFFIX",
      "_FILE_NAME",
      "_PARTITIONDATE",
      "_ROW_TIMESTAMP",
      "__ROOT__",
      "_COLIDENTIFIER",
      "_CHANGE_SEQUENCE_NUMBER",
      "_change_type",
      "_Change_Timestamp x"
    ]
    const columns = [...reserved, "_CHANGE", "change_type", "_table"].map((name) => ({ name, type: "INT64" }))
    expect(ddlNameProblems([{ table: "t", columns }], ["bigquery"])).toEqual([
      `bigquery: table t: ${reserved.map((name) => `"${name}" (a reserved prefix)`).join(", ")}`
    ])
  })

  it("postgres-refuses-the-names-of-its-system-columns-and-every-dialect-an-empty-name-as-load-does", () => {
    // Xmin is another name than xmin to PostgreSQL (quoted), and oid is no system column since PostgreSQL 12.
    const columns = ["xmin", "ctid", "Xmin", "", "oid"].map((name) => ({ name, type: "INT64" }))
    expect(ddlNameProblems([{ table: "t", columns }], ["postgres"])).toEqual([
      'postgres: table t: "xmin" (the name of a system column every PostgreSQL table has), "ctid" (the name of a system column every PostgreSQL table has), "" (empty)'
    ])
    const empty = [{ table: "t", columns: ["", "x"].map((name) => ({ name, type: "INT64" })) }]
    expect(ddlNameProblems(empty, ["duckdb", "snowflake", "bigquery"])).toEqual([
      'duckdb: table t: "" (empty)',
      'snowflake: table t: "" (empty)',
      'bigquery: table t: "" (empty)'
    ])
  })
})
