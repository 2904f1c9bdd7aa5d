/**
 * Warehouse tables for a run's outputs: the one mapping from a column's kind (formats/ColumnKinds.ts) to each SQL
 * dialect's type, quoted identifiers, the deterministic table name of every output file, and the `CREATE TABLE`
 * text (BigQuery: a schema JSON) that `--ddl` writes and `spotpipe load` runs. Loading and DDL share this module so
 * a loaded table and its DDL can never disagree.
 */
import { createHash } from "node:crypto"
import { type ColumnKind, columnKindOf } from "../formats/ColumnKinds.ts"
import { asciiWords, dropsLetters, hashed, placeNames } from "../plan/Names.ts"

/**
 * The export setting that gives every column a name any warehouse takes, as a single command and a job file write
 * it (a load reads runs of either).
 */
export const snakeNames = '--column-names snake (in a job file: "columnNames": "snake")'

/** The SQL dialects DDL is written for. */
export const dialects = ["postgres", "duckdb", "snowflake", "bigquery"] as const
/** See {@link dialects}. */
export type Dialect = (typeof dialects)[number]

/** Other names a dialect is given by: `postgresql`, as load URLs (`postgresql://…`) spell it. */
const dialectAliases: ReadonlyMap<string, Dialect> = new Map([["postgresql", "postgres"]])

/** The dialect `name` (lower case) names, by its own name or an alias; undefined for none. */
export const dialectNamed = (name: string): Dialect | undefined =>
  (dialects as ReadonlyArray<string>).includes(name) ? (name as Dialect) : dialectAliases.get(name)

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

const shortHash = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex").slice(0, 8)

/** `name` cut to fit the identifier limit, with a hash of `whole` so that two cut names stay apart. */
const fit = (name: string, whole: string, room = maxIdentifierBytes): string =>
  name.length <= room ? name : `${name.slice(0, room - 9).replace(/_+$/, "")}_${shortHash(whole)}`

/** A file's path without its extension: the name its table is named after (the same in every format). */
const stemOf = (file: string): string => file.replace(/\.(csv|ndjson|parquet)$/i, "")

/**
 * The table name of one output file, before collisions: its path without the extension, each folder and the file
 * name as the ASCII words of the warehouse-name rule (plan/Names.ts: accents dropped, lower case, every run of
 * other characters `_`), folders joined by `__` (`liveboard-Sales Overview/Revenue by Month.csv` →
 * `liveboard_sales_overview__revenue_by_month`); `t_` first when it would start with a digit. When the rule drops a
 * letter (`収益`) or leaves a part empty, `_` and a hash of the path without extension end it (`answer-収益.csv` →
 * `answer_…`, `収益.csv` → `t_…`), so the name is that file's alone in any run; at most 63 characters (a longer one
 * ends with a hash of the path).
 */
export const baseTableName = (file: string): string => {
  const stem = stemOf(file)
  const parts = stem.split("/")
  const words = parts.map(asciiWords)
  const lossy = words.some((w) => w === "") || parts.some(dropsLetters)
  let name = words.filter((w) => w !== "").join("__")
  if (name === "" || /^[0-9_]/.test(name)) name = `t_${name}`
  if (lossy) return hashed(name.replace(/_+$/, ""), stem)
  return fit(name, file)
}

/**
 * Table names for a run's files, in the order given: {@link baseTableName}; files of different names that would
 * still share one (`A b.csv` and `a-b.csv`), or take `spotpipe_loads` or `spotpipe_stage`, each get `_` and the
 * hash of their path without extension, so a table is never another file's from one run to the next. Only files
 * of one name in several formats (`x.csv`, `x.ndjson`) are numbered: the first in code-unit order of the paths
 * gets the name, the others `_2`, `_3`, … So the same set of files always gets the same names.
 */
export const tableNames = (files: ReadonlyArray<string>): ReadonlyArray<string> => {
  const sorted = [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const names = placeNames(
    sorted.map((file) => ({ name: stemOf(file), id: baseTableName(file) })),
    new Set([loadsTable, stageTable])
  )
  const byFile = new Map(sorted.map((file, i) => [file, names[i]!]))
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
