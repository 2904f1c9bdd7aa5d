/**
 * `--ddl`: after a run's manifest is published, one file per dialect in `ddl/` beside the files (`ddl/postgres.sql`,
 * `ddl/duckdb.sql`, `ddl/snowflake.sql`, `ddl/bigquery.json`) with a table for every output of the manifest, named
 * and typed exactly as `spotpipe load` creates them (Warehouse.ts). Each file is replaced atomically.
 */
import { Effect, FileSystem, type Path } from "effect"
import { ExportError } from "../ExportError.ts"
import { replaceFile } from "../output/AtomicFile.ts"
import { type Dialect, ddlFileName, renderDdl, type TableSpec, tableNames } from "./Warehouse.ts"

/** What DDL needs of a manifest. */
export interface DdlManifest {
  readonly run_id: string
  readonly outputs: ReadonlyArray<{
    readonly file: string
    readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string | null }>
  }>
}

/** The tables of a manifest's outputs, in manifest order. */
export const manifestTables = (manifest: DdlManifest): ReadonlyArray<TableSpec> => {
  const names = tableNames(manifest.outputs.map((o) => o.file))
  return manifest.outputs.map((o, i) => ({
    table: names[i]!,
    columns: o.columns.map((c) => ({ name: c.name, type: c.type }))
  }))
}

/** Writes `dialects`' DDL files for `manifest` into `dir/ddl/`; returns the paths written (relative to `dir`). */
export const writeDdl = (
  dir: string,
  manifest: DdlManifest,
  dialects: ReadonlyArray<Dialect>
): Effect.Effect<ReadonlyArray<string>, ExportError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    if (dialects.length === 0) return []
    const fs = yield* FileSystem.FileSystem
    yield* fs
      .makeDirectory(`${dir}/ddl`, { recursive: true })
      .pipe(
        Effect.mapError(
          (e) => new ExportError({ kind: "Io", message: `cannot create ${dir}/ddl: ${e.message}`, cause: e })
        )
      )
    const tables = manifestTables(manifest)
    const header = `spotpipe run ${manifest.run_id}: one table per output file (see manifest-${manifest.run_id}.json)`
    for (const dialect of dialects)
      yield* replaceFile(`${dir}/${ddlFileName(dialect)}`, renderDdl(dialect, tables, header))
    return dialects.map(ddlFileName)
  })
