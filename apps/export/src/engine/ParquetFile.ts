/**
 * The last write step of a Parquet output. Its pages were written, checkpointed and resumable like any CSV output,
 * as a staged CSV whose typed columns hold only canonical text (`formats/TypedCells.ts`); once complete, DuckDB
 * reads that file with every column's type and writes the Parquet file beside it, which then replaces the staged
 * file as the output's partial file (so the complete checkpoint, publish and manifest see the Parquet bytes).
 *
 * A crash between the replace and the complete checkpoint leaves a partial file that no longer matches its
 * checkpoint: `--resume` then starts that output over, never mixing the two.
 */
import { Effect, FileSystem, Option, type PlatformError } from "effect"
import { ExportError } from "../ExportError.ts"
import type { OutputColumn } from "../formats/RowRenderer.ts"
import { typedStaging } from "../formats/TypedCells.ts"
import { duckDbInstalled, duckDbMissing, writeParquet } from "../load/DuckDbEngine.ts"
import { fileError } from "../output/AtomicFile.ts"
import { hashFile } from "./Checkpoint.ts"

/** The files a conversion makes beside the partial file (removed with the output's state, e.g. after a kill). */
export const conversionFiles = (partial: string) => ({ target: `${partial}.parquet`, spill: `${partial}.spill` })

/** Refuses a run with Parquet outputs before it reads any data when DuckDB, which writes them, is missing. */
export const checkParquetWriter = (): Effect.Effect<string | undefined> =>
  Effect.map(Effect.promise(duckDbInstalled), (installed) =>
    installed ? undefined : duckDbMissing("--format parquet (written by DuckDB)")
  )

/**
 * Turns the complete staged CSV at `partial` into the output's Parquet file, in place; returns its size and SHA-256.
 */
export const stagedToParquet = (
  planned: { readonly what: string; readonly file: string },
  partial: string,
  result: { readonly columns: ReadonlyArray<OutputColumn>; readonly rows: number }
): Effect.Effect<{ readonly bytes: number; readonly sha256: string }, ExportError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const { target, spill } = conversionFiles(partial)
    const columns = result.columns.map((c) => ({ name: c.name, type: c.type }))
    const began = performance.now()
    const rows = yield* Effect.tryPromise({
      try: () => writeParquet({ path: partial, columns, nullString: typedStaging.nullString }, target, spill),
      catch: (error) => {
        const reason = String((error as Error).message).split("\n")[0] ?? ""
        return /no space left|disk quota/i.test(reason)
          ? new ExportError({
              kind: "DiskFull",
              message: `disk full while DuckDB wrote ${planned.file}: free some space (or choose another --out) and run again with --resume`,
              cause: error
            })
          : new ExportError({
              kind: "BadData",
              message: `${planned.what}: DuckDB could not write ${planned.file}: ${reason}`,
              cause: error
            })
      }
    }).pipe(
      Effect.onError(() => fs.remove(target, { force: true }).pipe(Effect.ignore)),
      Effect.ensuring(fs.remove(spill, { recursive: true, force: true }).pipe(Effect.ignore))
    )
    yield* Effect.logDebug(`${planned.file}: Parquet written by DuckDB`, { ms: Math.round(performance.now() - began) })
    if (rows !== result.rows) {
      yield* fs.remove(target, { force: true }).pipe(Effect.ignore)
      return yield* new ExportError({
        kind: "Incomplete",
        message: `${planned.what}: DuckDB wrote ${rows} rows to ${planned.file} but ${result.rows} were exported: run the export again`
      })
    }
    const orFail = <A, R>(effect: Effect.Effect<A, PlatformError.PlatformError, R>) =>
      Effect.mapError(effect, (e) => fileError(target, e))
    // Durable before it replaces the staged file.
    yield* Effect.scoped(Effect.flatMap(orFail(fs.open(target, { flag: "r+" })), (file) => orFail(file.sync)))
    const bytes = Number((yield* orFail(fs.stat(target))).size)
    const digest = yield* orFail(hashFile(target))
    if (Option.isNone(digest)) {
      return yield* new ExportError({ kind: "Io", message: `${target} vanished while it was hashed: run again` })
    }
    const sha256 = digest.value
    yield* orFail(fs.rename(target, partial))
    return { bytes, sha256 }
  })
