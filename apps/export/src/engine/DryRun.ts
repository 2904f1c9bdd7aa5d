/**
 * `--dry-run`: the engine's plan step, then a one-row probe of every planned output, and nothing written. The
 * engine plans exactly as for a real run (the same object lookups, file names and settings); only here does it
 * stop: each output's writer runs over the first page of a one-row read into a sink that keeps no byte, which
 * gives the output's columns as the file would name them (period-end columns, snake names, Parquet's typed
 * plan), the source's row count, and a check that the first row can be written. No output folder, lock, state
 * directory, partial file or manifest is created. With `--resume`, each output's file and resume state are read to
 * say what the run would do with them ({@link resumePlan}); the order of a result read in several of the run's pages
 * is checked as the run checks it.
 */
import { Effect, type Exit, FileSystem, Path, Stream } from "effect"
import { ExportError } from "../ExportError.ts"
import { type ChunkWriter, fileError } from "../output/AtomicFile.ts"
import {
  type ManifestColumn,
  type ManifestOutput,
  manifestColumn,
  type OutputPart,
  type OutputSource
} from "../output/Manifest.ts"
import { stateFiles } from "../output/StateFolder.ts"
import { type ExportFormat, type JobExport, rowFormatOf } from "../plan/JobFile.ts"
import { fingerprintOf, type OutputSettings } from "../plan/OutputSettings.ts"
import type { PlannedOutput } from "../plan/PlannedOutput.ts"
import { partRange } from "../plan/Planner.ts"
import { spansPages } from "../plan/SearchOrder.ts"
import type { UsageError } from "../UsageError.ts"
import { type JobSpec, runJob } from "./ExportJob.ts"
import { inspectResume, readingsOf, storedOutput } from "./Output.ts"

/** One output a run would write. */
export interface DryRunOutput {
  /** Path relative to the output directory (`-` for stdout). */
  readonly file: string
  /** The export (its key) it belongs to. */
  readonly export: string
  /** That export as the job gives it (its `loadKey`, say). */
  readonly jobExport: JobExport
  /** The settings the file would be written with (`--escape-formulae`, the null string, …). */
  readonly settings: OutputSettings
  /** A part of a split export: its range (its table is the whole export's, as `spotpipe merge` joins them). */
  readonly part?: OutputPart
  /** For the table, e.g. `answer Sales`. */
  readonly label: string
  readonly format: ExportFormat
  readonly source: OutputSource
  /**
   * The rows the file would hold: the source's `available_data_row_count` (of the first page), or for a part of a
   * split export its range's share of the count its parts were planned with; `null` where the source gives no
   * count before it is read whole (a metadata listing, an audit log, principals, permissions) and for a document.
   */
  readonly rows: number | null
  /** The columns as the file would name and type them. */
  readonly columns: ReadonlyArray<ManifestColumn>
  /** A file is at the final path already: a real run refuses it without `--force` or `--resume`. */
  readonly exists: boolean
  /** What the run would warn of as it writes the file (an unsorted result read in several pages), logged already. */
  readonly warnings: ReadonlyArray<string>
  /** With `--resume`: what the run would do with the file and its resume state (see {@link resumePlan}). */
  readonly resume?: ResumePlan
}

/**
 * What a `--resume` run would do with an output, as it decides (`Checkpoint.decide`, in `Output.writeOutput`): keep
 * its file (complete and verified: its SHA-256 is the one its manifest or complete checkpoint recorded), publish a
 * complete partial file, continue a partial one from its checkpoint, start it over (why), or write it (nothing to
 * resume). `Unchecked`: the dry run could not tell the output's fingerprint the run would have, so a file there is
 * kept only if a run verifies it.
 */
export type ResumePlan =
  | { readonly _tag: "Keep"; readonly rows: number }
  | { readonly _tag: "Publish"; readonly rows: number }
  | { readonly _tag: "Continue"; readonly rows: number }
  | { readonly _tag: "Restart"; readonly reason: string; readonly settingChanged?: boolean }
  | { readonly _tag: "Fresh" }
  | { readonly _tag: "Unchecked" }

/** An export the dry run could not plan or probe. */
export interface DryRunFailure {
  readonly export: JobExport
  readonly error: ExportError | UsageError
  /**
   * The documents of a `tml` export a run would not write (it would refuse to write one over another object's
   * file, TmlMirror.refuseReplacing): the export's failed items, as a run's manifest lists them.
   */
  readonly failedItems?: ReadonlyArray<{ readonly file: string; readonly what: string; readonly error: string }>
}

/**
 * What the plan says of a failed export: its error, named by the export once. Most errors name their export already
 * (as the run's last line quotes them alone); only one that does not is prefixed with it.
 */
export const failureText = (failure: DryRunFailure): string => {
  const { what } = failure.export
  const message = failure.error.message
  return message.includes(what) ? message : `${what}: ${message}`
}

/** A file of an earlier run a `tml` export would remove: its object is gone from the cluster (TmlMirror.ts). */
export interface DryRunRemoval {
  readonly file: string
  /** The export (its key) and what it is. */
  readonly export: string
  readonly what: string
  readonly reason: "deleted" | "renamed"
  readonly detail: string
}

/** What a run would do. */
export interface DryRunPlan {
  readonly outputs: ReadonlyArray<DryRunOutput>
  readonly failures: ReadonlyArray<DryRunFailure>
  /** Files a run would remove (absent: none). */
  readonly removals?: ReadonlyArray<DryRunRemoval>
  /** What the plan said besides (already logged): the run's warnings and the files a run would keep, say. */
  readonly warnings: ReadonlyArray<string>
  /** How a run treats files that exist (`refuse` them, without `--force` or `--resume`); absent: not to a folder. */
  readonly existing?: "refuse" | "replace" | "resume"
  /**
   * Why a run with the same arguments would write nothing though every export can be planned (another run writing
   * into the folder; files that exist already, without `--force` or `--resume`): the dry run fails with it once the
   * plan is printed.
   */
  readonly refusal?: ExportError
}

/** Keeps no byte: the probe wants the columns and counts, not the text. */
const discard: ChunkWriter = { write: () => Effect.void }

/**
 * Probes one planned output: its writer over the first page only (the planner read it one row per page), into
 * {@link discard}. `specOf` is the engine's own writer options for the output, so the probe plans the columns
 * exactly as the run would.
 */
export const probeOutput = <E, R>(
  planned: PlannedOutput<E>,
  specOf: (planned: PlannedOutput<E>) => JobSpec<E, R>,
  outDir: string | undefined,
  /** The page size the run would read with (the probe's is one row): a part's range is counted in its pages. */
  runPageSize: number
): Effect.Effect<DryRunOutput, E | ExportError, R | FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    // Read in one-row pages, every result spans pages: the order is checked below, with the run's page size.
    const { unsorted, ...spec } = specOf(planned)
    const result = yield* runJob({ ...spec, pages: (decoder) => Stream.take(spec.pages(decoder), 1) }, [
      { format: rowFormatOf(planned.settings.format), writer: discard }
    ])
    // A part's pages carry no count (it is short of the result by design): its rows follow from its range.
    const rows = planned.part === undefined ? result.availableRowCount : partRows(planned.part, runPageSize)
    // The run's order check on its first page: the result's count (a part's, the one it was planned with) against
    // the run's page size. With strict it refuses, in the run's words; else the run's warning.
    const warnings: Array<string> = []
    const total = planned.part?.source_rows ?? result.availableRowCount ?? undefined
    if (unsorted !== undefined && spansPages(0, total, runPageSize)) {
      const warning = yield* unsorted.check(total, runPageSize)
      if (warning !== undefined && spec.strict === true) {
        return yield* new ExportError({
          kind: "Incomplete",
          message: `${spec.what}: ${warning} (without ${spec.strictBy ?? "--strict"} it is exported with this warning)`
        })
      }
      if (warning !== undefined) {
        yield* Effect.logWarning(`${spec.what}: ${warning}`)
        warnings.push(warning)
      }
    }
    return yield* dryRunOutput(planned, outDir, rows, result.columns.map(manifestColumn), warnings)
  })

/** The rows of a split export's part as a run reads it: its range of the result's pages of `pageSize` rows. */
export const partRows = (part: OutputPart, pageSize: number): number => {
  const range = partRange(part, part.source_rows, pageSize)
  const start = range.first_page * pageSize
  return Math.max(0, Math.min(part.source_rows, start + range.pages * pageSize) - start)
}

/** `--dry-run` of a document: its file, nothing read (its text is read only when it is written). */
export const probeDocument = <E>(planned: PlannedOutput<E>, outDir: string | undefined) =>
  dryRunOutput(planned, outDir, null, [], [])

/** The dry run's line for `planned`, with whether its file is at the final path already. */
const dryRunOutput = <E>(
  planned: PlannedOutput<E>,
  outDir: string | undefined,
  rows: number | null,
  columns: ReadonlyArray<ManifestColumn>,
  warnings: ReadonlyArray<string>
): Effect.Effect<DryRunOutput, ExportError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const finalPath = outDir === undefined ? undefined : path.join(outDir, planned.file)
    const exists =
      finalPath === undefined ? false : yield* Effect.mapError(fs.exists(finalPath), (e) => fileError(finalPath, e))
    return {
      file: outDir === undefined ? "-" : planned.file,
      export: planned.key,
      jobExport: planned.export,
      settings: planned.settings,
      ...(planned.part === undefined ? {} : { part: planned.part }),
      label: planned.label,
      format: planned.settings.format,
      source: planned.source,
      rows,
      columns,
      exists,
      warnings
    }
  })

/** The outputs of an export, probed one after the other; the export fails with its first failure. */
export const probeExport = <P, A, Err, R>(
  outputs: ReadonlyArray<P>,
  probe: (planned: P) => Effect.Effect<A, Err, R>
): Effect.Effect<Exit.Exit<ReadonlyArray<A>, Err>, never, R> => Effect.exit(Effect.forEach(outputs, probe))

/**
 * The fingerprint and settings the run gives `planned`, which the dry run planned with one-row pages: its reading is
 * the one that gives the planned fingerprint, taken again with the run's page size. Undefined if none does.
 */
const runFingerprint = (planned: PlannedOutput<unknown>, runPageSize: number) => {
  const settings: OutputSettings = { ...planned.settings, pageSize: runPageSize }
  const reading = readingsOf(planned).find((r) => fingerprintOf(r, planned.settings) === planned.fingerprint)
  return reading === undefined ? undefined : { fingerprint: fingerprintOf(reading, settings), settings }
}

/**
 * What a `--resume` run would do with `planned` (see {@link ResumePlan}), decided as the run decides, from the same
 * state: its file (hashed whole, as the run verifies it), its checkpoint and partial file, and `previousOutputs` (the
 * earlier runs' manifest entries the run would trust). Reads only.
 */
export const resumePlan = <E>(
  planned: PlannedOutput<E>,
  runPageSize: number,
  at: {
    readonly outDir: string
    readonly stateDir: string
    readonly previousOutputs: ReadonlyMap<string, ManifestOutput>
  }
): Effect.Effect<ResumePlan, ExportError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const run = runFingerprint(planned, runPageSize)
    if (run === undefined) return { _tag: "Unchecked" }
    const finalPath = path.join(at.outDir, planned.file)
    const files = stateFiles(at.stateDir, planned.file, path)
    const { decision } = yield* inspectResume(planned, {
      fingerprint: run.fingerprint,
      settings: run.settings,
      finalPath,
      files,
      previousOutputs: at.previousOutputs
    })
    switch (decision._tag) {
      case "Skip":
        return { _tag: "Keep", rows: decision.rows }
      case "Publish":
        return (yield* storedOutput(files.checkpoint)) === undefined
          ? { _tag: "Restart", reason: "the complete checkpoint has no manifest entry" }
          : { _tag: "Publish", rows: decision.checkpoint.next_offset }
      case "Continue":
        return { _tag: "Continue", rows: decision.checkpoint.next_offset }
      case "Restart":
        return decision
      case "Fresh":
        return { _tag: "Fresh" }
    }
  })
