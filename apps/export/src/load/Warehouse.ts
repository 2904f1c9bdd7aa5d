/**
 * Warehouse tables for a run's outputs: the one mapping from a column's kind (formats/ColumnKinds.ts) to each SQL
 * dialect's type, quoted identifiers, the deterministic table name of every output file, and the `CREATE TABLE`
 * text (BigQuery: a schema JSON) that `--ddl` writes and `spotpipe load` runs. Loading and DDL share this module so
 * a loaded table and its DDL can never disagree.
 */
import { createHash } from "node:crypto"
import { type ColumnKind, columnKindOf } from "../formats/ColumnKinds.ts"

/**
 * The export setting that gives every column a name any warehouse takes, as a single command and a job file write
 * it (a load reads runs of either).
 */
export const snakeNames = '--column-names snake (in a job file: "columnNames": "snake")'

/** The SQL dialects DDL is written for. */
export const dialects = ["postgres", "duckdb", "snowflake", "bigquery"] as const
/** See {@link dialects}. */
export type Dialect = (typeof dialects)[number]

const types: Readonly<Record<Dialect, Readonly<Record<ColumnKind, string>>>> = {
  postgres: {
    int64: "BIGINT",
    int32: "INTEGER",
    double: "DOUBLE PRECISION",
    boolean: "BOOLEAN",
    text: "TEXT",
    date: "DATE",
    timestamp: "TIMESTAMP WITH TIME ZONE",
    time: "TIME"
  },
  duckdb: {
    int64: "BIGINT",
    int32: "INTEGER",
    double: "DOUBLE",
    boolean: "BOOLEAN",
    text: "VARCHAR",
    date: "DATE",
    timestamp: "TIMESTAMP WITH TIME ZONE",
    time: "TIME"
  },
  snowflake: {
    int64: "NUMBER(19,0)",
    int32: "NUMBER(10,0)",
    double: "FLOAT",
    boolean: "BOOLEAN",
    text: "VARCHAR",
    date: "DATE",
    timestamp: "TIMESTAMP_TZ",
    time: "TIME"
  },
  bigquery: {
    int64: "INT64",
    int32: "INT64",
    double: "FLOAT64",
    boolean: "BOOL",
    text: "STRING",
    date: "DATE",
    timestamp: "TIMESTAMP",
    time: "TIME"
  }
}

/** The SQL type of a column of ThoughtSpot type `type` (`null`: unknown, text) in `dialect`. */
export const sqlType = (dialect: Dialect, type: string | null): string => types[dialect][columnKindOf(type)]

/**
 * How `information_schema.columns.data_type` names each kind, to check that an existing table (append, merge)
 * has the columns a load would create.
 */
export const catalogType = (engine: "postgres" | "duckdb", type: string | null): string => {
  const kind = columnKindOf(type)
  if (engine === "duckdb") return kind === "timestamp" ? "TIMESTAMP WITH TIME ZONE" : types.duckdb[kind]
  const names: Record<ColumnKind, string> = {
    int64: "bigint",
    int32: "integer",
    double: "double precision",
    boolean: "boolean",
    text: "text",
    date: "date",
    timestamp: "timestamp with time zone",
    time: "time without time zone"
  }
  return names[kind]
}

/** A quoted SQL identifier (`"Order ID"`; a `"` inside is doubled); BigQuery and its backticks are not SQL here. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`

/**
 * The key under which DuckDB compares a column name: its names ignore ASCII case only ("Total" and "total" are one
 * name, "Über" and "über" two).
 */
export const duckDbNameKey = (name: string): string => name.replace(/[A-Z]/g, (letter) => letter.toLowerCase())

/** A SQL string literal. */
export const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`

/** The table that records every load in the target. */
export const loadsTable = "spotpipe_loads"

/** The temporary table a merge stages a file in (see load/Load.ts): no output is given its name either. */
export const stageTable = "spotpipe_stage"

/** PostgreSQL's identifier limit in bytes (longer names are cut silently, so they are refused or shortened). */
export const maxIdentifierBytes = 63

/** Whether PostgreSQL would cut `name` (more than {@link maxIdentifierBytes} bytes of UTF-8). */
export const tooLongForPostgres = (name: string): boolean => Buffer.byteLength(name, "utf8") > maxIdentifierBytes

/** The system columns every PostgreSQL table has, whose names no column of its own may take (`CREATE TABLE` refuses). */
export const postgresSystemColumns: ReadonlySet<string> = new Set(["tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"])

const slug = (segment: string): string =>
  segment
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")

const shortHash = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex").slice(0, 8)

/** `name` cut to fit the identifier limit, with a hash of `whole` so that two cut names stay apart. */
const fit = (name: string, whole: string, room = maxIdentifierBytes): string =>
  name.length <= room ? name : `${name.slice(0, room - 9).replace(/_+$/, "")}_${shortHash(whole)}`

/**
 * The table name of one output file, before collisions: its path without the extension, each folder and the
 * file name lower-cased with accents dropped and every run of other characters as `_`, folders joined by `__`
 * (`liveboard-Sales Overview/Revenue by Month.csv` → `liveboard_sales_overview__revenue_by_month`); `t_` first
 * when it would start with a digit or be empty; at most 63 characters (a longer one ends with a hash of the path).
 */
export const baseTableName = (file: string): string => {
  const withoutExtension = file.replace(/\.(csv|ndjson|parquet)$/i, "")
  let name = withoutExtension.split("/").map(slug).join("__")
  if (name === "" || /^[0-9_]/.test(name)) name = `t_${name}`
  return fit(name, file)
}

/**
 * Table names for a run's files, in the order given: {@link baseTableName}, and when two files would share a name
 * (`x.csv` and `x.ndjson`, `A b` and `a-b`) the files in code-unit order of their paths get it, `_2`, `_3`, …
 * So the same set of files always gets the same names. `spotpipe_loads` and `spotpipe_stage` are never given out.
 */
export const tableNames = (files: ReadonlyArray<string>): ReadonlyArray<string> => {
  const taken = new Set<string>([loadsTable, stageTable])
  const byFile = new Map<string, string>()
  for (const file of [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const base = baseTableName(file)
    let name = base
    for (let n = 2; taken.has(name); n++) name = fit(base, file, maxIdentifierBytes - `_${n}`.length) + `_${n}`
    taken.add(name)
    byFile.set(file, name)
  }
  return files.map((f) => byFile.get(f)!)
}

/** A column of a table: its name and ThoughtSpot type. */
export interface TableColumn {
  readonly name: string
  readonly type: string | null
}

/** A table to create: its name and columns. */
export interface TableSpec {
  readonly table: string
  readonly columns: ReadonlyArray<TableColumn>
}

/** The column list of `CREATE TABLE` in a SQL dialect. */
export const columnList = (dialect: Exclude<Dialect, "bigquery">, columns: ReadonlyArray<TableColumn>): string =>
  columns.map((c) => `${quoteIdent(c.name)} ${sqlType(dialect, c.type)}`).join(",\n  ")

/** `CREATE TABLE` for one table (`ifNotExists` for append and merge). */
export const createTable = (dialect: Exclude<Dialect, "bigquery">, spec: TableSpec, ifNotExists = false): string =>
  `CREATE TABLE ${ifNotExists ? "IF NOT EXISTS " : ""}${quoteIdent(spec.table)} (\n  ${columnList(dialect, spec.columns)}\n);\n`

/**
 * The DDL file of a dialect for `tables`: `CREATE TABLE` statements, or for BigQuery one JSON object whose keys
 * are the table names and whose values are `bq mk --schema` field lists.
 */
export const renderDdl = (dialect: Dialect, tables: ReadonlyArray<TableSpec>, header: string): string => {
  if (dialect === "bigquery") {
    const schema = Object.fromEntries(
      tables.map((t) => [
        t.table,
        // A list of text (NDJSON `tags`) is a REPEATED STRING, which BigQuery loads from a JSON array.
        t.columns.map((c) =>
          c.type === "VARCHAR[]"
            ? { name: c.name, type: "STRING", mode: "REPEATED" }
            : { name: c.name, type: sqlType("bigquery", c.type), mode: "NULLABLE" }
        )
      ])
    )
    return `${JSON.stringify(schema, null, 2)}\n`
  }
  return `-- ${header}\n${tables.map((t) => createTable(dialect, t)).join("\n")}`
}

/** The DDL file name of a dialect inside the output folder (`ddl/postgres.sql`, `ddl/bigquery.json`). */
export const ddlFileName = (dialect: Dialect): string => `ddl/${dialect}.${dialect === "bigquery" ? "json" : "sql"}`
