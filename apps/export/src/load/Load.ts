/**
 * `spotpipe load`: every output of a finished run into one table each, in DuckDB or PostgreSQL. First every file
 * is checked against the manifest (size and SHA-256) and every table name and merge key against the target, so a
 * changed file or a bad key loads nothing. Then each table loads in its own transaction: `replace` drops and
 * recreates it (PostgreSQL: reads the file into a new table, then drops the old one and renames the new), `append` adds the rows (creating it the first time), `merge` replaces the rows whose key is in the
 * file and adds the others (an empty key is a key value like any other, so merging twice changes nothing). Rows loaded must equal the manifest's `rows_written`, and each load is recorded in
 * `spotpipe_loads` in the same transaction; anything that fails rolls the table back to what it was before.
 * `append` skips a file (by its SHA-256) that the record shows appended to that table since the table was last
 * replaced, so a load retried after a failure never adds the same rows twice.
 *
 * Rows are added by column name, so a table's column order does not matter. A table whose columns differ from the
 * file's is refused, unless `evolve` is set: then the file's columns the table lacks are added to it (nullable, typed
 * as `CREATE TABLE` would make them) and the table's columns the file lacks are NULL in the new rows, in the same
 * transaction, and both are reported and recorded; a column whose type differs, or a merge key the table lacks, is
 * refused even so (a value is never cast, an old row never given a NULL key).
 */

import { createHash } from "node:crypto"
import { columnKindOf } from "../formats/ColumnKinds.ts"
import { nonTextLike } from "../formats/CsvFormat.ts"
import type { LoadMode } from "../LoadTarget.ts"
import { closest, didYouMean } from "../Suggest.ts"
import { LoadAgain, type LoadEngine, LoadFailure, temporaryTable } from "./Engine.ts"
import { verifyFile } from "./FileCheck.ts"
import { type LoadOutput, type RunManifest, unfinishedRunProblems } from "./RunManifest.ts"
import {
  catalogType,
  createTable,
  duckDbNameKey,
  loadsTable,
  maxIdentifierBytes,
  postgresSystemColumns,
  quoteIdent,
  quoteLiteral,
  snakeNames,
  sqlType,
  stageTable
} from "./Warehouse.ts"

/** How to load. */
export interface LoadOptions {
  readonly mode: LoadMode
  /** `merge`: the key columns (names as in the files). */
  readonly key: ReadonlyArray<string>
  /** `merge`: the key columns of each file that has its own (a job's `loadKey`), by its name in the manifest. */
  readonly keys?: ReadonlyMap<string, ReadonlyArray<string>>
  /** A job file's load: a hint names the export's `"loadKey"` rather than `--key`. */
  readonly inJob?: boolean
  /**
   * A job's load: the command that continues its run (`spotpipe run … --resume`), the next step after a failed
   * table, as it loads the tables and moves the job's watermarks (a `spotpipe load` moves none).
   */
  readonly continueRun?: string
  /** `append`, `merge`: add the file's new columns to an existing table, and leave the ones it lacks NULL. */
  readonly evolve?: boolean
  /** The spotpipe version, recorded with each load. */
  readonly version: string
  /** Called after each table is committed. */
  readonly onLoaded?: (result: TableLoad) => void
  /** Awaited when a table's transaction has done all its work, just before its COMMIT (the crash suite's hook). */
  readonly beforeCommit?: (file: string) => Promise<void>
  /** Aborted when the load is interrupted: no COMMIT is sent after that, nor another table started. */
  readonly interrupted?: AbortSignal
}

/** One table loaded (or skipped: `append` of a file already appended; then `rows` is 0). */
export interface TableLoad {
  readonly file: string
  readonly table: string
  readonly rows: number
  readonly seconds: number
  /** Why nothing was loaded: `already appended to <table> by the load of <time> (run <id>)`. */
  readonly skipped?: string
  /** Why a file recorded as appended was appended again: its table no longer holds that append's rows. */
  readonly appendedAgain?: string
  /** The file's columns added to the existing table (`evolve`), with the SQL type they were added with. */
  readonly addedColumns: ReadonlyArray<{ readonly name: string; readonly type: string }>
  /** The table's columns the file does not have, NULL (or the column's default) in the rows this load added (`evolve`). */
  readonly nullColumns: ReadonlyArray<string>
}

/** The key columns `output` is merged by: its own, else the load's. */
const keyOf = (options: Pick<LoadOptions, "key" | "keys">, output: { readonly file: string }): ReadonlyArray<string> =>
  options.keys?.get(output.file) ?? options.key

/** `CREATE TABLE` for the `spotpipe_loads` record. */
const loadsDdl = `CREATE TABLE IF NOT EXISTS ${loadsTable} (
  manifest_sha256 VARCHAR NOT NULL,
  run_id VARCHAR NOT NULL,
  file VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  mode VARCHAR NOT NULL,
  rows BIGINT NOT NULL,
  loaded_at TIMESTAMP WITH TIME ZONE NOT NULL,
  spotpipe VARCHAR NOT NULL,
  file_sha256 VARCHAR,
  columns_added VARCHAR,
  columns_null VARCHAR,
  column_types VARCHAR
)`

/**
 * Holds PostgreSQL's lock on `table` (of the connection's schema) until the transaction ends, so that loads of one
 * table from other sessions wait for each other: without it, two appends of one file both found it not appended
 * yet and both added its rows, two merges each kept the other's rows, and two loads creating one table failed on
 * PostgreSQL's catalog. An advisory lock, in a key space of spotpipe's own (the two-key form). DuckDB needs none: a
 * database file is open for writing in one process at a time, and a load writes through one connection.
 */
const lockTable = async (engine: LoadEngine, table: string): Promise<void> => {
  if (engine.dialect !== "postgres") return
  await engine.exec(
    `SELECT pg_advisory_xact_lock(hashtext('spotpipe load'), hashtext(coalesce(current_schema(), '') || '.' || ${quoteLiteral(table)}))`
  )
}

/**
 * The time a load's record is written, in each dialect's SQL: loads are ordered by it (an append since the last
 * replace), so it is not the transaction's start (`now()`), which for a load that waited for another's lock is
 * before the load it waited for. DuckDB has no clock function (its `now()` is the transaction's start too): the
 * time is this process's, to the microsecond, which is DuckDB's own clock since DuckDB runs in this process.
 */
const writtenAt = (dialect: LoadEngine["dialect"]): string =>
  dialect === "postgres"
    ? "clock_timestamp()"
    : `to_timestamp(${((performance.timeOrigin + performance.now()) / 1000).toFixed(6)})`

/** The columns of `spotpipe_loads` an earlier version's record may lack, added to it as a load finds it. */
const laterLoadsColumns = ["file_sha256", "columns_added", "columns_null", "column_types"]

/** The columns every `spotpipe_loads` record has had, whatever spotpipe version created it. */
const loadsCoreColumns = ["manifest_sha256", "run_id", "file", "table_name", "mode", "rows", "loaded_at", "spotpipe"]

/**
 * Refuses a `spotpipe_loads` that spotpipe did not create (a view, or a table without the record's columns) before
 * anything changes: the load would add columns to it, then fail on its rows with the engine's words.
 */
const checkLoadsTable = async (engine: LoadEngine): Promise<void> => {
  const where =
    engine.dialect === "postgres"
      ? "load into another schema (?options=-c%20search_path%3D… in the URL)"
      : "load into another database file"
  const other = await engine.otherRelation(loadsTable)
  if (other !== undefined) {
    throw new LoadFailure(
      `${loadsTable} in the target is a ${other}, not the table where spotpipe records its loads: rename it, or ${where}; nothing was loaded`
    )
  }
  const columns = await engine.columnsOf(loadsTable)
  if (columns === undefined) return
  const lacking = loadsCoreColumns.filter((name) => !columns.some((c) => c.name === name))
  if (lacking.length > 0) {
    throw new LoadFailure(
      `the table ${loadsTable} in the target is not spotpipe's record of loads (it has no column ${lacking.join(", ")}): rename it, or ${where}; nothing was loaded`
    )
  }
}

/** Creates the `spotpipe_loads` record, or adds the columns of {@link laterLoadsColumns} one an earlier version created lacks. */
const prepareLoadsTable = async (engine: LoadEngine): Promise<void> => {
  // PostgreSQL: under the record's lock, so that two first loads at once do not both create it. (DuckDB: no
  // transaction, whose COMMIT would count as a table committed into a database file the load created.)
  const locked = engine.dialect === "postgres"
  if (locked) {
    await engine.exec("BEGIN")
    await lockTable(engine, loadsTable)
  }
  try {
    await engine.exec(loadsDdl)
    const columns = (await engine.columnsOf(loadsTable)) ?? []
    // Altered only when it lacks a column: a role that may insert into the record need not own it.
    for (const name of laterLoadsColumns) {
      if (!columns.some((c) => c.name === name)) {
        await engine.exec(`ALTER TABLE ${loadsTable} ADD COLUMN ${name} VARCHAR`)
      }
    }
    if (locked) await engine.exec("COMMIT")
  } catch (error) {
    if (locked) await engine.exec("ROLLBACK").catch(() => {})
    throw error
  }
}

/**
 * The table a PostgreSQL replace of `table` is read into before it takes the table's name: one name per table
 * (loads of a table take turns), in spotpipe's own names, at most 63 bytes.
 */
const replacementTable = (table: string): string =>
  `spotpipe_new_${createHash("sha256").update(table, "utf8").digest("hex").slice(0, 16)}`

/** A load's time as ISO 8601 in UTC, to the millisecond, in each dialect's SQL. */
const isoTime = (dialect: LoadEngine["dialect"], column: string): string =>
  dialect === "duckdb"
    ? `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`
    : `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/**
 * The earlier load that appended `output`'s file to its table since the table was last replaced (a replace drops
 * what was appended): `skip`, as `already appended to <table> by the load of <time> (run <id>)`; `again` when the
 * table now holds fewer rows than that load added (it was emptied, or dropped and made anew, since: its rows are
 * not there), saying why the file is appended again; `undefined`: none, or the table is gone. A file is known by its
 * SHA-256; in a record written before the record kept it, by its manifest and name.
 */
const appendedBefore = async (
  engine: LoadEngine,
  run: RunManifest,
  output: LoadOutput
): Promise<{ readonly skip: string } | { readonly again: string } | undefined> => {
  if ((await engine.columnsOf(output.table)) === undefined) return undefined
  const table = quoteLiteral(output.table)
  const found = await engine.scalar(
    `SELECT ${isoTime(engine.dialect, "l.loaded_at")} || ' ' || CAST(l.rows AS VARCHAR) || ' ' || l.run_id FROM ${loadsTable} AS l WHERE l.table_name = ${table} AND l.mode = 'append' AND (l.file_sha256 = ${quoteLiteral(output.sha256)} OR (l.file_sha256 IS NULL AND l.manifest_sha256 = ${quoteLiteral(run.fingerprint)} AND l.file = ${quoteLiteral(output.file)})) AND NOT EXISTS (SELECT 1 FROM ${loadsTable} AS r WHERE r.table_name = ${table} AND r.mode = 'replace' AND r.loaded_at > l.loaded_at) ORDER BY l.loaded_at DESC LIMIT 1`
  )
  if (found === undefined) return undefined
  const [at, added, ...id] = found.split(" ")
  const load = `the load of ${at} (run ${id.join(" ")})`
  const holds = Number(await engine.scalar(`SELECT count(*) FROM ${quoteIdent(output.table)}`))
  if (holds < Number(added)) {
    return {
      again: `was appended to ${output.table} by ${load}, but the table now holds ${holds} of the ${added} rows that load added (it was emptied, or dropped and made anew, since): appended again`
    }
  }
  return { skip: `already appended to ${output.table} by ${load}` }
}

/** A file's name without its format's extension: the same export in another format is the same table's source. */
const sourceStem = (file: string): string => file.replace(/\.(csv|ndjson|parquet)$/, "")

/**
 * Why `output` may not load into its table: the table's latest recorded load came from another file (not the same
 * file in another format) whose name gives the same table name (`West Revenue.csv`, `West-Revenue.csv`), so its
 * rows would replace, or be mixed with, another result's. `undefined`: no such load (or no table, or no record).
 */
const loadedFromOther = async (engine: LoadEngine, output: LoadOutput): Promise<string | undefined> => {
  if ((await engine.columnsOf(output.table)) === undefined) return undefined
  if ((await engine.columnsOf(loadsTable)) === undefined) return undefined
  const last = await engine.scalar(
    `SELECT l.file FROM ${loadsTable} AS l WHERE l.table_name = ${quoteLiteral(output.table)} ORDER BY l.loaded_at DESC LIMIT 1`
  )
  if (last === undefined || sourceStem(last) === sourceStem(output.file)) return undefined
  return `${output.file} loads into table ${output.table}, which holds the rows of ${last}, another file whose name gives the same table name: give one of the two exports another output name (--output-name; in a job file, "output"), or drop the table if it is now to hold ${output.file}'s rows`
}

/**
 * The manifest type each column of `table` was last loaded with, by the loads recorded since the table was last
 * replaced (the replace included): how its text is written (a `VARCHAR[]` list is JSON array text, a CSV's list
 * `a;b`), which the table's SQL type does not tell. Empty when nothing recorded it (a table of the database's own,
 * or loaded by an earlier version).
 */
const recordedTypes = async (
  engine: LoadEngine,
  table: string,
  nameKey: (name: string) => string
): Promise<ReadonlyMap<string, string | null>> => {
  const recorded = new Map<string, string | null>()
  const record = await engine.columnsOf(loadsTable)
  if (record === undefined || !record.some((c) => c.name === "column_types")) return recorded
  const name = quoteLiteral(table)
  // One JSON object per line (JSON text has no raw line break), newest first.
  const found = await engine.scalar(
    `SELECT string_agg(l.column_types, chr(10) ORDER BY l.loaded_at DESC) FROM ${loadsTable} AS l WHERE l.table_name = ${name} AND l.column_types IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${loadsTable} AS r WHERE r.table_name = ${name} AND r.mode = 'replace' AND r.loaded_at > l.loaded_at)`
  )
  for (const line of found?.split("\n") ?? []) {
    let types: unknown
    try {
      types = JSON.parse(line)
    } catch {
      continue
    }
    if (typeof types !== "object" || types === null) continue
    for (const [column, type] of Object.entries(types)) {
      const key = nameKey(column)
      if (!recorded.has(key) && (typeof type === "string" || type === null)) recorded.set(key, type)
    }
  }
  return recorded
}

/** Whether a column of manifest type `type` holds lists (written as JSON array text). */
const isList = (type: string | null): boolean => type?.endsWith("[]") === true

/** How a column of manifest type `type` writes its text, for a message. */
const textOf = (type: string | null): string =>
  isList(type)
    ? `lists as JSON arrays (${type}, as NDJSON writes them)`
    : `${type ?? "text"} (a list as CSV writes it: a;b)`

/** How a file's columns meet an existing table's: what a load adds to the table, and leaves NULL in it. */
interface ColumnPlan {
  readonly addedColumns: ReadonlyArray<{ readonly name: string; readonly type: string }>
  readonly nullColumns: ReadonlyArray<string>
}

const noChange: ColumnPlan = { addedColumns: [], nullColumns: [] }

const namesOf = (names: ReadonlyArray<string>) => names.map((n) => `"${n}"`).join(", ")

/**
 * How `output` is added to its table as it exists (`existing`: its columns; `undefined`: there is none, so it is
 * created as the file's), matched by name as the engine matches names (DuckDB ignores ASCII case; PostgreSQL's
 * quoted `"Region"` is another column than `region`), in any order; or why it cannot be: a column whose type
 * differs (never cast), or, without `evolve`, any column on one side only; with it, a merge key the table lacks.
 */
const columnPlan = async (
  engine: LoadEngine,
  output: LoadOutput,
  options: Pick<LoadOptions, "mode" | "key" | "keys" | "evolve" | "inJob">
): Promise<{ readonly plan: ColumnPlan } | { readonly problem: string }> => {
  const existing = await engine.columnsOf(output.table)
  if (existing === undefined) return { plan: noChange }
  const nameKey = engine.dialect === "duckdb" ? duckDbNameKey : (name: string) => name
  const recorded = await recordedTypes(engine, output.table, nameKey)
  const byName = new Map(existing.map((c) => [nameKey(c.name), c]))
  const inFile = new Set(output.columns.map((c) => nameKey(c.name)))
  const added: Array<{ name: string; type: string }> = []
  const retyped: Array<string> = []
  const rewritten: Array<string> = []
  for (const c of output.columns) {
    const have = byName.get(nameKey(c.name))
    const wanted = catalogType(engine.dialect, c.type)
    if (have === undefined) added.push({ name: c.name, type: sqlType(engine.dialect, c.type) })
    else if (have.type.toLowerCase() !== wanted.toLowerCase()) {
      retyped.push(`"${have.name}" is ${have.type} in the table and ${wanted} (${c.type ?? "unknown"}) in the file`)
    } else if (recorded.has(nameKey(c.name)) && isList(recorded.get(nameKey(c.name))!) !== isList(c.type)) {
      // One SQL type, two ways of writing a list: one column would mix them.
      rewritten.push(
        `"${have.name}" holds ${textOf(recorded.get(nameKey(c.name))!)} in the table and ${textOf(c.type)} in the file`
      )
    }
  }
  const nulls = existing.filter((c) => !inFile.has(nameKey(c.name))).map((c) => c.name)
  if (added.length === 0 && nulls.length === 0 && retyped.length === 0 && rewritten.length === 0) {
    return { plan: noChange }
  }
  const have = existing.map((c) => `${c.name} ${c.type}`).join(", ")
  const wanted = output.columns.map((c) => `${c.name} ${catalogType(engine.dialect, c.type)}`).join(", ")
  const differ = `table ${output.table} exists with other columns (${have}) than ${output.file} (${wanted})`
  const refused = `${differ}: load with ${modeSetting(options.inJob, ["replace"])}, or into another database`
  if (retyped.length > 0) {
    return {
      problem: `${refused}, or change the table's column type yourself where every value fits it (a load never casts a value: ${[...retyped, ...rewritten].join("; ")})`
    }
  }
  if (rewritten.length > 0) {
    return {
      problem: `${output.file} cannot be added to table ${output.table}: ${rewritten.join("; ")}, and one column never mixes two ways of writing a list: load with ${modeSetting(options.inJob, ["replace"])}, or into another database, or export the file in the format the table was loaded from`
    }
  }
  // A key column the old rows lack would give them all a NULL key, which every null key of a later file matches.
  const missingKey = options.mode === "merge" ? keyOf(options, output).filter((k) => !byName.has(nameKey(k))) : []
  const evolution = [
    ...(added.length === 0 ? [] : [`add ${namesOf(added.map((c) => c.name))} to the table`]),
    ...(nulls.length === 0 ? [] : [`leave its ${namesOf(nulls)} NULL in the new rows`])
  ].join(" and ")
  if (missingKey.length > 0) {
    return {
      problem: `${refused}, or merge by a key both have (the table has no column ${namesOf(missingKey)} of the merge key: its rows could not be matched, so ${evolveSetting(options.inJob)} does not add a key column)`
    }
  }
  if (options.evolve !== true) return { problem: `${refused}, or with ${evolveSetting(options.inJob)} to ${evolution}` }
  return { plan: { addedColumns: added, nullColumns: nulls } }
}

/** Columns listed in a message at most. */
const listedColumns = 20

/**
 * Why `output` cannot be merged by the `missing` key columns: each with the column it may mean (the file's name of
 * a result column `--column-names snake` renamed, or a close name: names are exact, case too), then the file's
 * columns.
 */
const missingKeys = (
  output: Pick<LoadOutput, "file" | "columns" | "resultNames">,
  missing: ReadonlyArray<string>,
  inJob: boolean
): string => {
  const inFile = new Map<string, string>(output.columns.map((c) => [c.name, c.name]))
  for (const [name, result] of output.resultNames ?? []) if (!inFile.has(result)) inFile.set(result, name)
  const keys = missing.map((k) => {
    const renamed = [...(output.resultNames ?? [])].find(([, result]) => result === k)?.[0]
    if (renamed !== undefined) {
      const instead = inJob ? `"loadKey": ["${renamed}"]` : `--key ${renamed}`
      return `"${k}" (the result's column "${k}" is "${renamed}" in the file, exported with --column-names snake: ${instead})`
    }
    const near = [...new Set(closest(k, inFile.keys()).map((name) => inFile.get(name)!))]
    return `"${k}"${didYouMean(near).replace(/^; (.*)$/, " ($1)")}`
  })
  const names = output.columns.map((c) => `"${c.name}"`)
  const shown = names.length > listedColumns ? [...names.slice(0, listedColumns), "…"] : names
  // A job's export takes a key of its own, and a run that resumes reads no data again to load it.
  const fix = inJob ? `; give its export its own "loadKey" and run the job again with --resume` : ""
  return `${output.file} has no key column ${keys.join(", ")}: its columns are ${shown.join(", ")} (a key is a column's name exactly as the file has it)${fix}`
}

/** What of a file a load needs to check it before any database is read (see {@link fileProblems}). */
export type CheckedFile = Pick<
  LoadOutput,
  "file" | "format" | "columns" | "nullString" | "escapedFormulae" | "resultNames"
>

/**
 * Why `output` cannot be loaded into a `dialect` database as `options` say, from the manifest alone (its settings
 * and columns): every problem, as the load says it. A job's dry run asks the same of the files it plans.
 */
export const fileProblems = (
  output: CheckedFile,
  dialect: "postgres" | "duckdb",
  options: Pick<LoadOptions, "mode" | "key" | "keys" | "inJob">
): Array<string> => {
  const problems: Array<string> = []
  if (output.escapedFormulae) {
    problems.push(
      `${output.file} was exported with --escape-formulae: its cells starting with = + - @ carry a ' that is not in the data; export it again without --escape-formulae to load it`
    )
  }
  // A run exported before such null strings were refused: its nulls and those values are the same text.
  const unquoted = output.columns.filter((c) => columnKindOf(c.type) !== "text")
  if (
    output.format === "csv" &&
    output.nullString !== undefined &&
    nonTextLike(output.nullString) &&
    unquoted.length > 0
  ) {
    problems.push(
      `${output.file} was exported with --null-string ${JSON.stringify(output.nullString)}, which is also how a value of its column ${JSON.stringify(unquoted[0]!.name)} (${unquoted[0]!.type}) may be written, unquoted: its nulls and such values cannot be told apart; export it again with --null-string '\\N'`
    )
  }
  if (output.columns.some((c) => c.name === "")) {
    problems.push(`${output.file}: a column has an empty name, which no SQL table can have: export with ${snakeNames}`)
  }
  if (dialect === "postgres") {
    // PostgreSQL cuts a longer name to its first 63 bytes (of UTF-8) with only a notice: two names alike in those
    // would be one column, and a cut name is not the file's.
    const long = output.columns.filter((c) => Buffer.byteLength(c.name, "utf8") > maxIdentifierBytes)
    if (long.length > 0) {
      const names = long.map((c) => `"${c.name}" (${Buffer.byteLength(c.name, "utf8")} bytes)`).join(", ")
      problems.push(
        `${output.file}: ${long.length === 1 ? "column" : "columns"} ${names} ${long.length === 1 ? "is" : "are"} longer than PostgreSQL's ${maxIdentifierBytes}-byte identifiers (it would be cut): export with ${snakeNames} (short names, mapped to these in the manifest)`
      )
    }
    // Names of the columns every PostgreSQL table has: CREATE TABLE refuses them.
    const system = output.columns.filter((c) => postgresSystemColumns.has(c.name))
    if (system.length > 0) {
      problems.push(
        `${output.file}: ${system.map((c) => `"${c.name}"`).join(", ")} ${system.length === 1 ? "is the name of a column" : "are names of columns"} every PostgreSQL table has, which a table cannot take for its own (--column-names snake keeps it): rename the column in ThoughtSpot, or load into DuckDB`
      )
    }
  }
  if (dialect === "duckdb") {
    // Names DuckDB sees as one: its readers refuse the second, or read the first column twice.
    const seen = new Map<string, string>()
    for (const c of output.columns) {
      const first = seen.get(duckDbNameKey(c.name))
      if (first === undefined) seen.set(duckDbNameKey(c.name), c.name)
      else {
        problems.push(
          `${output.file}: the columns "${first}" and "${c.name}" are one name to DuckDB, which ignores case: export with ${snakeNames}, or load into PostgreSQL`
        )
        break
      }
    }
  }
  if (options.mode === "merge") {
    const key = keyOf(options, output)
    const missing = key.filter((k) => !output.columns.some((c) => c.name === k))
    // A job file refuses a merge without a key for some export: none here would be a defect, never an empty key.
    if (key.length === 0) problems.push(`${output.file}: no merge key was given for it`)
    if (missing.length > 0) {
      problems.push(missingKeys(output, missing, options.inJob === true))
    }
  }
  return problems
}

/** Checks what can be checked before any table is touched; throws a {@link LoadFailure} naming every problem. */
const preflight = async (engine: LoadEngine, run: RunManifest, options: LoadOptions): Promise<void> => {
  // A file a later run replaced, before its manifest: that run is what to finish (or wait for), not this export.
  const problems: Array<string> = [...unfinishedRunProblems(run)]
  for (const output of run.outputs) {
    problems.push(...fileProblems(output, engine.dialect, options))
    // Not a table: no mode can load into it (replace drops tables only), so every mode says the same.
    const other = await engine.otherRelation(output.table)
    if (other !== undefined) {
      const elsewhere =
        engine.dialect === "postgres"
          ? "another schema (add ?options=-c%20search_path%3DSCHEMA to the URL) or database"
          : "another database file"
      problems.push(
        `${output.file} loads into a table named ${output.table}, which is a ${other} in the target: rename or drop the ${other}, or load into ${elsewhere}`
      )
    } else {
      const taken = await loadedFromOther(engine, output)
      if (taken !== undefined) problems.push(taken)
      else if (options.mode !== "replace") {
        const checked = await columnPlan(engine, output, options)
        if ("problem" in checked) problems.push(checked.problem)
      }
    }
  }
  if (problems.length > 0) throw new LoadFailure(`nothing was loaded:\n  ${problems.join("\n  ")}`)
  // Each engine checks a file again as it loads it, before COMMIT (PostgreSQL hashes the stream, DuckDB hashes
  // beside its read): the first table needs no read of its own, since nothing is committed before it; the others
  // are checked now, so that a changed file loads nothing at all.
  for (const output of run.outputs.slice(1)) await verifyFile(output)
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/**
 * Why a merge by `key` is refused: how many key values repeat, the most repeated ones with their rows (a null key
 * named as such: a null is one key value, so rows without a key all repeat it — the sandbox's Order Details has
 * such rows), and what to do. Read from the staged file, on the failure path only.
 */
const repeatedKeys = async (
  engine: LoadEngine,
  stage: string,
  file: string,
  key: ReadonlyArray<string>,
  count: number,
  inJob: boolean | undefined
): Promise<string> => {
  const columns = key.map(quoteIdent)
  const group = `FROM ${stage} GROUP BY ${columns.join(", ")} HAVING count(*) > 1`
  const label = key
    .map(
      (name, i) =>
        `${quoteLiteral(`${name} = `)} || CASE WHEN ${columns[i]} IS NULL THEN 'null' ELSE '"' || substr(CAST(${columns[i]} AS VARCHAR), 1, 40) || '"' END`
    )
    .join(" || ', ' || ")
  const examples = await engine.scalar(
    `SELECT string_agg(label || ' (' || CAST(n AS VARCHAR) || ' rows)', '; ' ORDER BY n DESC, label) FROM (SELECT ${label} AS label, count(*) AS n ${group} ORDER BY count(*) DESC, 1 LIMIT 3) AS shown`
  )
  const withNull = Number(
    await engine.scalar(
      `SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n ${group} AND (${columns.map((c) => `${c} IS NULL`).join(" OR ")})) AS nulls`
    )
  )
  const named = key.map((k) => `"${k}"`).join(", ")
  const nulls =
    withNull === 0
      ? ""
      : ` ${plural(withNull, "row has", "rows have")} a null ${key.length === 1 ? named : `in ${named}`} (a null key is one key value, matching the table's null key, so those rows repeat it);`
  return `${file}: ${plural(count, "key value appears", "key values appear")} on more than one row (${examples ?? "?"}${count > 3 ? "; …" : ""}), so a merge by ${named} is ambiguous;${nulls} merge by a key that is unique and never null in the file, or load with ${modeSetting(inJob, ["replace", "append"])}`
}

/** Loads `output` into its table in one transaction (see the module comment). */
const loadOne = async (
  engine: LoadEngine,
  run: RunManifest,
  output: LoadOutput,
  options: LoadOptions
): Promise<TableLoad> => {
  const started = performance.now()
  const table = quoteIdent(output.table)
  const spec = { table: output.table, columns: output.columns }
  const dialect = engine.dialect
  // PostgreSQL: a replace reads the file into a new table, then drops the old one and renames the new one just
  // before COMMIT, so the table's readers and the load wait for each other only for that swap, not for the whole
  // read (and a file that fails never waits for a reader). DuckDB has no other process reading its file.
  const building = options.mode === "replace" && dialect === "postgres" ? replacementTable(output.table) : output.table
  await engine.exec("BEGIN")
  try {
    // Before anything is read: a load of this table from another session commits first, and is seen below.
    await lockTable(engine, output.table)
    let plan = noChange
    let appendedAgain: string | undefined
    if (options.mode !== "replace") {
      // Checked again under the lock: a load from another session may have replaced the table since the first check.
      const checked = await columnPlan(engine, output, options)
      if ("problem" in checked) throw new LoadFailure(checked.problem)
      plan = checked.plan
    }
    if (options.mode === "append") {
      const before = await appendedBefore(engine, run, output)
      if (before !== undefined && "skip" in before) {
        await engine.exec("ROLLBACK")
        return { file: output.file, table: output.table, rows: 0, seconds: 0, skipped: before.skip, ...noChange }
      }
      appendedAgain = before?.again
    }
    // Nullable, typed as CREATE TABLE types them; rolled back with the rest of a failed load.
    for (const c of plan.addedColumns) {
      await engine.exec(`ALTER TABLE ${table} ADD COLUMN ${quoteIdent(c.name)} ${c.type}`)
    }
    let rows: number
    if (options.mode === "replace") {
      // Only a table of the target's schema (where it is created): an unqualified DROP … IF EXISTS would find one
      // of the same name in a later schema of the search path (`public` behind `"$user"`) and drop that.
      if (building === output.table && (await engine.columnsOf(output.table)) !== undefined) {
        await engine.exec(`DROP TABLE ${table}`)
      }
      rows = await engine.copy(building, output, "create")
      // A table created from what the engine read (DuckDB: CREATE TABLE … AS) must have the manifest's types.
      const created = (await engine.columnsOf(building)) ?? []
      const wanted = output.columns.map((c) => `${c.name} ${catalogType(dialect, c.type)}`.toLowerCase())
      const have = created.map((c) => `${c.name} ${c.type}`.toLowerCase())
      if (have.join("\n") !== wanted.join("\n")) {
        throw new LoadFailure(
          `${output.file} was read with the columns ${have.join(", ")} where the manifest has ${wanted.join(", ")}: the table was left as it was`
        )
      }
    } else {
      await engine.exec(createTable(dialect, spec, true))
      if (options.mode === "append") {
        rows = await engine.copy(output.table, output, "existing")
      } else {
        // Staged in a temporary table: private to this session and named with its schema, so no table of the
        // database's own is touched; dropped below, or by the ROLLBACK of a failed load.
        const stage = temporaryTable(dialect)
        await engine.exec(`DROP TABLE IF EXISTS ${stage}`)
        rows = await engine.copy(stageTable, output, "temporary")
        const key = keyOf(options, output)
        const keys = key.map(quoteIdent)
        const repeated = await engine.scalar(
          `SELECT count(*) FROM (SELECT ${keys.join(", ")} FROM ${stage} GROUP BY ${keys.join(", ")} HAVING count(*) > 1) AS repeated`
        )
        if (repeated !== "0") {
          throw new LoadFailure(await repeatedKeys(engine, stage, output.file, key, Number(repeated), options.inJob))
        }
        for (const sql of await mergeDeletes(engine, table, stage, keys)) await engine.exec(sql)
        // By name: the table's columns may be in another order, or more (NULL, or their default, in these rows).
        const columns = output.columns.map((c) => quoteIdent(c.name)).join(", ")
        await engine.exec(`INSERT INTO ${table} (${columns}) SELECT ${columns} FROM ${stage}`)
        await engine.exec(`DROP TABLE ${stage}`)
      }
    }
    if (rows !== output.rows) {
      throw new LoadFailure(
        `${output.file}: ${rows} rows were read where the manifest lists ${output.rows}: the table was left as it was`
      )
    }
    if (building !== output.table) {
      if ((await engine.columnsOf(output.table)) !== undefined) await engine.exec(`DROP TABLE ${table}`)
      await engine.exec(`ALTER TABLE ${quoteIdent(building)} RENAME TO ${table}`)
    }
    await engine.exec(
      `INSERT INTO ${loadsTable} (manifest_sha256, run_id, file, table_name, mode, rows, loaded_at, spotpipe, file_sha256, columns_added, columns_null, column_types) VALUES (${[run.fingerprint, run.runId, output.file, output.table, options.mode].map(quoteLiteral).join(", ")}, ${rows}, ${writtenAt(engine.dialect)}, ${quoteLiteral(options.version)}, ${quoteLiteral(output.sha256)}, ${quoteLiteral(JSON.stringify(plan.addedColumns.map((c) => c.name)))}, ${quoteLiteral(JSON.stringify(plan.nullColumns))}, ${quoteLiteral(JSON.stringify(Object.fromEntries(output.columns.map((c) => [c.name, c.type]))))})`
    )
    await options.beforeCommit?.(output.file)
    if (options.interrupted?.aborted) throw new LoadFailure("the load was interrupted")
    await engine.exec("COMMIT")
    // To the millisecond, as every other time spotpipe reports.
    return {
      file: output.file,
      table: output.table,
      rows,
      seconds: Math.round(performance.now() - started) / 1000,
      ...(appendedAgain === undefined ? {} : { appendedAgain }),
      ...plan
    }
  } catch (error) {
    await engine.exec("ROLLBACK").catch(() => {})
    if (error instanceof LoadAgain) throw error
    // The engine names the table it read into (COPY's "line 3" context): the one the user knows.
    const said = error instanceof Error ? error.message : String(error)
    const message = building === output.table ? said : said.replaceAll(`(COPY ${building}, `, `(COPY ${output.table}, `)
    throw new LoadFailure(
      `${message.startsWith(output.file) ? "" : `${output.file}: `}${message}${message.includes("left as it was") ? "" : ` (table ${output.table} was left as it was)`}`
    )
  }
}

/** How a message names load modes: `--mode replace or append`, or in a job `"mode": "replace" or "append"`. */
export const modeSetting = (inJob: boolean | undefined, modes: ReadonlyArray<LoadMode>): string =>
  inJob === true
    ? `"mode": ${modes.map((m) => `"${m}"`).join(" or ")} in the job file's "load"`
    : `--mode ${modes.join(" or ")}`

/** How a message names evolving the table: `--evolve`, or in a job `"evolve": true` in its `"load"`. */
const evolveSetting = (inJob: boolean | undefined): string =>
  inJob === true ? `"evolve": true in the job file's "load"` : "--evolve"

/**
 * A merge's DELETEs of the table's rows whose key a staged row has, a null matching a null (IS NOT DISTINCT FROM).
 * PostgreSQL runs IS NOT DISTINCT FROM only as a nested loop over the whole table (hours on large tables), so there
 * the key is compared with `=`, which it can hash: once for the staged keys without a null, then once per pattern
 * of null key columns among the others (those columns null on both sides). All in the caller's transaction.
 */
const mergeDeletes = async (
  engine: LoadEngine,
  table: string,
  stage: string,
  keys: ReadonlyArray<string>
): Promise<ReadonlyArray<string>> => {
  const staged = quoteIdent(stageTable)
  const deleteWhere = (conditions: ReadonlyArray<string>) =>
    `DELETE FROM ${table} USING ${stage} AS ${staged} WHERE ${conditions.join(" AND ")}`
  if (engine.dialect !== "postgres") {
    return [deleteWhere(keys.map((k) => `${table}.${k} IS NOT DISTINCT FROM ${staged}.${k}`))]
  }
  // One text per pattern present, "1" for a null column: "01,10".
  const found = await engine.scalar(
    `SELECT coalesce(string_agg(DISTINCT ${keys.map((k) => `CASE WHEN ${k} IS NULL THEN '1' ELSE '0' END`).join(" || ")}, ','), '') FROM ${stage} WHERE ${keys.map((k) => `${k} IS NULL`).join(" OR ")}`
  )
  const patterns = ["0".repeat(keys.length), ...(found === undefined || found === "" ? [] : found.split(","))]
  return patterns.map((pattern) =>
    deleteWhere(
      keys.map((k, i) =>
        pattern[i] === "1" ? `${table}.${k} IS NULL AND ${staged}.${k} IS NULL` : `${table}.${k} = ${staged}.${k}`
      )
    )
  )
}

/**
 * A table's failure, saying which tables committed before it stay loaded and that the ones after it were not
 * started; with none committed, only a job's load adds what to do next (the run that continues it), unless the
 * failure names that command already.
 */
const stayLoaded = (
  error: unknown,
  loaded: ReadonlyArray<TableLoad>,
  outputs: number,
  continueRun: string | undefined
): unknown => {
  const kept = loaded.filter((t) => t.skipped === undefined).map((t) => t.table)
  if (!(error instanceof LoadFailure)) return error
  // A job's run, not `spotpipe load`: only the run moves the watermarks, without which the next run reads (and
  // appends) the same increment again.
  const next =
    continueRun === undefined
      ? "once that is done, load again to load them all"
      : `once that is done, continue the run to load them all and move its watermarks: ${continueRun}`
  if (kept.length === 0) {
    if (continueRun === undefined || error.message.includes(continueRun)) return error
    // A list of problems (`nothing was loaded:` and one per line) gets it as a line of its own.
    return new LoadFailure(`${error.message}${error.message.includes("\n") ? "\n" : "; "}${next}`)
  }
  const after = outputs - loaded.length - 1
  return new LoadFailure(
    `${error.message}; ${kept.length === 1 ? `the table ${kept[0]}` : `the ${kept.length} tables ${kept.join(", ")}`} loaded before it ${kept.length === 1 ? "stays" : "stay"} loaded${after === 0 ? "" : `, and the ${plural(after, "table", "tables")} after it ${after === 1 ? "was" : "were"} not loaded`}: ${next}`
  )
}

/** Loads every output of `run`; stops at the first table that fails (tables loaded before it stay loaded). */
export const loadRun = async (
  engine: LoadEngine,
  run: RunManifest,
  options: LoadOptions
): Promise<ReadonlyArray<TableLoad>> => {
  // Refused before any table: a job's load says what continues it all the same.
  const before = async () => {
    await checkLoadsTable(engine)
    await preflight(engine, run, options)
    await prepareLoadsTable(engine)
  }
  await before().catch((error: unknown) =>
    Promise.reject(stayLoaded(error, [], run.outputs.length, options.continueRun))
  )
  const loaded: Array<TableLoad> = []
  for (const output of run.outputs) {
    if (options.interrupted?.aborted) break
    // Again when the engine learned how to read the file (see LoadAgain: DuckDB may learn two things of one NDJSON
    // file, a longer row and a value its JSON reader would change); a failure after that is the load's.
    const again = (error: unknown) =>
      error instanceof LoadAgain ? loadOne(engine, run, output, options) : Promise.reject(error)
    const result = await loadOne(engine, run, output, options)
      .catch(again)
      .catch(again)
      .catch((error: unknown) => Promise.reject(stayLoaded(error, loaded, run.outputs.length, options.continueRun)))
    loaded.push(result)
    options.onLoaded?.(result)
  }
  return loaded
}
