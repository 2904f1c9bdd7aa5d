/**
 * Shared helpers for load tests: run the CLI in-process, read a table back as canonical text per column kind (so
 * DuckDB, PostgreSQL and the CSV file can be compared value for value), and craft a changed copy of a run whose
 * manifest still verifies (new SHA-256 and size, description digests recomputed), for merge updates and bad rows.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { Effect } from "effect"
import Papa from "papaparse"
import pg from "pg"
import { columnKindOf } from "../../../src/formats/ColumnKinds.ts"
import { descriptionDigest } from "../../../src/output/Manifest.ts"
import { runInProcess } from "../../support/inProcess.ts"

/** `spotpipe args…` in this process. */
export const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.runPromise(runInProcess(args, env))

/** A manifest's outputs as the tests read them. */
export interface TestOutput {
  readonly file: string
  readonly format: string
  rows_written: number
  readonly sha256: string
  readonly bytes: number
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string | null }>
}

/** The manifest of a run folder. */
export const manifestOf = (dir: string): { outputs: Array<TestOutput>; exports: Array<Record<string, unknown>> } =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8"))

/**
 * Writes `manifest` as the run folder's `manifest.json`, each output's description digest recomputed: the manifest
 * of a run that wrote its files so (a load refuses an entry edited after its run wrote it).
 */
export const writeManifest = (dir: string, manifest: { readonly outputs: ReadonlyArray<object> }): void => {
  const outputs = manifest.outputs.map((o) =>
    "description_sha256" in o ? { ...o, description_sha256: descriptionDigest(o as Record<string, unknown>) } : o
  )
  NodeFs.writeFileSync(NodePath.join(dir, "manifest.json"), `${JSON.stringify({ ...manifest, outputs }, null, 2)}\n`)
}

/** SHA-256 of a file's bytes. */
export const sha256Of = (path: string): string => createHash("sha256").update(NodeFs.readFileSync(path)).digest("hex")

/** Copies run folder `from` to `to`, edits one file with `edit`, and fixes its manifest entry to match. */
export const editedRun = (from: string, to: string, file: string, edit: (text: string) => string): string => {
  NodeFs.cpSync(from, to, { recursive: true })
  const path = NodePath.join(to, file)
  NodeFs.writeFileSync(path, edit(NodeFs.readFileSync(path, "utf8")))
  const manifest = manifestOf(to)
  const output = manifest.outputs.find((o) => o.file === file)!
  Object.assign(output, { sha256: sha256Of(path), bytes: NodeFs.statSync(path).size })
  const text = `${JSON.stringify(manifest, null, 2)}\n`
  NodeFs.writeFileSync(NodePath.join(to, "manifest.json"), text)
  return to
}

type Cell = string | null

/** A CSV file's rows as text cells (an empty field is null, as a load reads it). */
export const csvRows = (path: string): Array<Array<Cell>> => {
  const parsed = Papa.parse<Array<string>>(NodeFs.readFileSync(path, "utf8"), { skipEmptyLines: true })
  return parsed.data.slice(1).map((row) => row.map((c) => (c === "" ? null : c)))
}

/** An NDJSON file's rows as text cells in column order (numbers as their source text). */
export const ndjsonRows = (path: string, columns: ReadonlyArray<string>): Array<Array<Cell>> =>
  NodeFs.readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((line) => {
      // Numbers keep their digits: the reviver returns each number's source text.
      const row = (JSON.parse as (t: string, r: (k: string, v: unknown, c: { source?: string }) => unknown) => unknown)(
        line,
        (_k, v, c) => (typeof v === "number" ? c.source : v)
      ) as Record<string, unknown>
      return columns.map((c) => (row[c] === null ? null : String(row[c])))
    })

/** SQL that reads each column as canonical text: timestamps as UTC `…Z`, everything else cast to text. */
const canonical = (dialect: "duckdb" | "postgres", name: string, type: string | null): string => {
  const q = `"${name.replace(/"/g, '""')}"`
  const kind = columnKindOf(type)
  if (kind === "timestamp") {
    return dialect === "duckdb"
      ? `strftime(${q} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')`
      : `to_char(${q} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
  }
  return dialect === "duckdb" ? `CAST(${q} AS VARCHAR)` : `${q}::text`
}

/** A row as one comparable string; doubles compared as numbers (engines print them their own way). */
const rowKey = (row: ReadonlyArray<Cell>, types: ReadonlyArray<string | null>): string =>
  JSON.stringify(
    row.map((cell, i) => (cell !== null && columnKindOf(types[i] ?? null) === "double" ? Number(cell) : cell))
  )

/** The rows as sorted comparable strings. */
export const rowSet = (rows: ReadonlyArray<ReadonlyArray<Cell>>, types: ReadonlyArray<string | null>) =>
  rows.map((r) => rowKey(r, types)).sort()

/** A DuckDB database file, opened for one check and closed again. */
export const withDuckDb = async <A>(
  file: string,
  use: (query: (sql: string) => Promise<Array<Array<unknown>>>) => Promise<A>
) => {
  const instance = await DuckDBInstance.create(file)
  const connection = await instance.connect()
  try {
    return await use(async (sql) => (await connection.runAndReadAll(sql)).getRowsJS() as Array<Array<unknown>>)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/** A PostgreSQL connection for one check. */
export const withPostgres = async <A>(
  url: string,
  use: (query: (sql: string) => Promise<Array<Array<unknown>>>) => Promise<A>
) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await use(async (sql) => (await client.query({ text: sql, rowMode: "array" })).rows as Array<Array<unknown>>)
  } finally {
    await client.end()
  }
}

/** A table's rows as canonical text cells. */
export const tableRows = (
  query: (sql: string) => Promise<Array<Array<unknown>>>,
  dialect: "duckdb" | "postgres",
  table: string,
  columns: ReadonlyArray<{ readonly name: string; readonly type: string | null }>
) =>
  query(`SELECT ${columns.map((c) => canonical(dialect, c.name, c.type)).join(", ")} FROM "${table}"`).then((rows) =>
    rows.map((r) => r.map((c) => (c === null ? null : String(c))))
  )
