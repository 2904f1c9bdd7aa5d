/**
 * `--ddl`: after a run's manifest is published, one file per dialect in `ddl/` beside the files (`ddl/postgres.sql`,
 * `ddl/duckdb.sql`, `ddl/snowflake.sql`, `ddl/bigquery.json`) with a table for every output of the manifest, named
 * and typed exactly as `spotpipe load` creates them (Warehouse.ts). Each file is replaced atomically. A column
 * name a dialect cannot take as it is (an empty one; PostgreSQL cuts names over 63 bytes and refuses its system
 * columns' `xmin`, `ctid`, …; Snowflake takes at most 255 characters; BigQuery refuses parentheses and other
 * characters and its reserved prefixes; BigQuery and DuckDB see `Total` and `total` as one name) refuses the DDL, naming the columns, before any file is written: the names must be the files'
 * (BigQuery loads NDJSON by key), so the way out is `--column-names snake`, never a renamed column in the DDL. A run
 * exported with `--escape-formulae` (cells that are not the data's) refuses the DDL too, as `spotpipe load` does.
 * `spotpipe merge` writes the merged run's DDL (its shards' describe their own outputs), checking it before it
 * writes anything ({@link ddlRefusal}).
 */
import { Effect, FileSystem, type Path } from "effect"
import { ExportError } from "../ExportError.ts"
import { replaceFile } from "../output/AtomicFile.ts"
import { isDocumentFormat } from "../output/Manifest.ts"
import {
  dialects as allDialects,
  type Dialect,
  ddlFileName,
  duckDbNameKey,
  postgresSystemColumns,
  renderDdl,
  type TableSpec,
  tableNames,
  tooLongForPostgres
} from "./Warehouse.ts"

/** What DDL needs of a manifest. */
export interface DdlManifest {
  readonly run_id: string
  readonly outputs: ReadonlyArray<{
    readonly file: string
    readonly format: string
    readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string | null }>
    /** A part of a split export (`"split": K`). */
    readonly part?: unknown
    /** The settings it was written with (`escapeFormulae`: its cells starting with = + - @ carry a `'`). */
    readonly settings?: unknown
  }>
}

/** The outputs of a manifest, as DDL reads them (a run id is not needed). */
type DdlOutputs = Pick<DdlManifest, "outputs"> & { readonly run_id?: string }

/**
 * The table files of `manifest` written with `--escape-formulae`: their cells starting with `=`, `+`, `-`, `@`
 * carry a `'` that is not in the data, so no table holds the data from them (`spotpipe load` refuses them too).
 */
const escapedFiles = (manifest: DdlOutputs): ReadonlyArray<string> =>
  manifest.outputs
    .filter(
      (o) =>
        !isDocumentFormat(o.format) &&
        typeof o.settings === "object" &&
        o.settings !== null &&
        (o.settings as { escapeFormulae?: unknown }).escapeFormulae === true
    )
    .map((o) => o.file)

/** A part's file name as `spotpipe merge` names the file it joins the parts into. */
const mergedFile = (file: string): string => file.replace(/\.part-\d{4,}-of-\d{4,}(\.[^./]+)$/, "$1")

/**
 * The tables of a manifest's outputs, in manifest order, as `spotpipe load` creates them: TML documents are files,
 * not tables; the parts of a split export are one table, named after the file `spotpipe merge` joins them into
 * (the run `load` takes).
 */
export const manifestTables = (manifest: DdlOutputs): ReadonlyArray<TableSpec> => {
  const files: Array<string> = []
  const specs: Array<TableSpec["columns"]> = []
  for (const o of manifest.outputs) {
    if (isDocumentFormat(o.format)) continue
    const file = o.part === undefined ? o.file : mergedFile(o.file)
    if (files.includes(file)) continue
    files.push(file)
    specs.push(o.columns.map((c) => ({ name: c.name, type: c.type })))
  }
  const names = tableNames(files)
  return files.map((_, i) => ({ table: names[i]!, columns: specs[i]! }))
}

// BigQuery's flexible column names: letters, marks, numbers, connector punctuation, dashes, spaces and these
// specials; at most 300 characters; not starting with a reserved prefix; unique without regard to case.
const bigQueryName = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}\p{Zs}&%=+:'<>#|]{1,300}$/u
const bigQueryReserved =
  /^(_table_|_file_|_partition|_row_timestamp|__root__|_colidentifier|_change_sequence_number|_change_type|_change_timestamp)/i
/** Snowflake's identifiers, quoted or not, hold at most 255 characters. */
const snowflakeMaxCharacters = 255

const dialectName: Readonly<Record<Dialect, string>> = {
  postgres: "PostgreSQL",
  duckdb: "DuckDB",
  snowflake: "Snowflake",
  bigquery: "BigQuery"
}

/** Why `dialect` cannot take `name` as a column name, or `undefined` when it can. */
const nameProblem = (dialect: Dialect, name: string): string | undefined => {
  if (name === "") return "empty"
  if (dialect === "postgres") {
    if (postgresSystemColumns.has(name)) return "the name of a system column every PostgreSQL table has"
    return tooLongForPostgres(name) ? "longer than 63 bytes" : undefined
  }
  if (dialect === "snowflake")
    return [...name].length > snowflakeMaxCharacters ? `over ${snowflakeMaxCharacters} characters` : undefined
  if (dialect !== "bigquery") return undefined
  if (bigQueryReserved.test(name)) return "a reserved prefix"
  if (!bigQueryName.test(name)) {
    const bad = [...new Set([...name].filter((ch) => !bigQueryName.test(ch)))]
    return bad.length > 0 ? `the characters ${bad.map((ch) => JSON.stringify(ch)).join(" ")}` : "over 300 characters"
  }
  return undefined
}

/**
 * Every column name of `tables` that `dialects` cannot take as it is, one line per table and dialect (empty when
 * all fit): names PostgreSQL would cut, names too long for Snowflake, names BigQuery refuses, names BigQuery or
 * DuckDB sees as one (case).
 */
export const ddlNameProblems = (
  tables: ReadonlyArray<TableSpec>,
  dialects: ReadonlyArray<Dialect>
): ReadonlyArray<string> => {
  const problems: Array<string> = []
  for (const dialect of dialects) {
    for (const table of tables) {
      const bad = table.columns.flatMap((c) => {
        const why = nameProblem(dialect, c.name)
        return why === undefined ? [] : [`"${c.name}" (${why})`]
      })
      // BigQuery and DuckDB compare column names without regard to case (DuckDB: "Column with name … already
      // exists"; ASCII case only).
      if (dialect === "bigquery" || dialect === "duckdb") {
        const seen = new Map<string, string>()
        for (const c of table.columns) {
          const key = dialect === "duckdb" ? duckDbNameKey(c.name) : c.name.toLowerCase()
          const first = seen.get(key)
          if (first === undefined) seen.set(key, c.name)
          else bad.push(`"${c.name}" (the same name as "${first}" to ${dialectName[dialect]}, which ignores case)`)
        }
      }
      if (bad.length > 0) problems.push(`${dialect}: table ${table.table}: ${bad.join(", ")}`)
    }
  }
  return problems
}

/**
 * Why `dialects`' DDL for `manifest`'s outputs cannot be written, and what to do (the checks of {@link writeDdl}),
 * or `undefined` when it can: for a command that checks before it writes anything (`spotpipe merge`).
 */
export const ddlRefusal = (manifest: DdlOutputs, dialects: ReadonlyArray<Dialect>): string | undefined => {
  if (dialects.length === 0) return undefined
  const escaped = escapedFiles(manifest)
  if (escaped.length > 0) {
    const one = escaped.length === 1
    return `${escaped.join(", ")} ${one ? "was" : "were"} exported with --escape-formulae: ${one ? "its" : "their"} cells starting with = + - @ carry a ' that is not in the data, so no table holds the data from ${one ? "it" : "them"}; export ${one ? "it" : "them"} again without --escape-formulae for the DDL`
  }
  const problems = ddlNameProblems(manifestTables(manifest), dialects)
  return problems.length === 0
    ? undefined
    : `these column names cannot be used as they are: ${problems.join("; ")}; export again with --column-names snake (the DDL's names must be the files' names)`
}

/** The dialects whose DDL file `dir/ddl/` holds (`ddl/postgres.sql`, …), in the order of {@link allDialects}. */
export const ddlFilesIn = (dir: string): Effect.Effect<ReadonlyArray<Dialect>, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const found: Array<Dialect> = []
    for (const dialect of allDialects) {
      if (yield* fs.exists(`${dir}/${ddlFileName(dialect)}`).pipe(Effect.orElseSucceed(() => false)))
        found.push(dialect)
    }
    return found
  })

/** Writes `dialects`' DDL files for `manifest` into `dir/ddl/`; returns the paths written (relative to `dir`). */
export const writeDdl = (
  dir: string,
  manifest: DdlManifest,
  dialects: ReadonlyArray<Dialect>
): Effect.Effect<ReadonlyArray<string>, ExportError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    if (dialects.length === 0) return []
    const escaped = escapedFiles(manifest)
    if (escaped.length > 0) {
      return yield* new ExportError({
        kind: "BadData",
        message: `--ddl: the export is written, but ${escaped.join(", ")} was exported with --escape-formulae: its cells starting with = + - @ carry a ' that is not in the data, so no DDL was written; export it again without --escape-formulae for its DDL`
      })
    }
    const tables = manifestTables(manifest)
    const problems = ddlNameProblems(tables, dialects)
    if (problems.length > 0) {
      return yield* new ExportError({
        kind: "BadData",
        message: `--ddl: the export is written, but these column names cannot be used as they are, so no DDL was written: ${problems.join("; ")}. Export again with --column-names snake (the DDL's names must be the files' names)`
      })
    }
    const fs = yield* FileSystem.FileSystem
    yield* fs
      .makeDirectory(`${dir}/ddl`, { recursive: true })
      .pipe(
        Effect.mapError(
          (e) => new ExportError({ kind: "Io", message: `cannot create ${dir}/ddl: ${e.message}`, cause: e })
        )
      )
    const header = `spotpipe run ${manifest.run_id}: one table per output file (see manifest-${manifest.run_id}.json)`
    for (const dialect of dialects)
      yield* replaceFile(`${dir}/${ddlFileName(dialect)}`, renderDdl(dialect, tables, header))
    return dialects.map(ddlFileName)
  })
