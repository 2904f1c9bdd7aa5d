/**
 * The manifest of a batch run (`spotpipe run`): the job file's fingerprint and shard, the status of every
 * export of the shard (succeeded or failed, with the one-line reason), and every output file with what the
 * single-command manifest records (source, columns, rows against `available_data_row_count`, bytes, SHA-256)
 * plus the export's fingerprint and how resume treated it. `--resume` reads it back to skip outputs that are
 * complete and verified. One manifest per shard, so that shards sharing a directory never overwrite each other.
 */
import { Effect, Exit, FileSystem, Option, Schema } from "effect"
import { ManifestOutput, TimeZoneInfo } from "../Manifest.ts"
import type { Shard } from "./Shard.ts"

/** How an output came to be in this run. */
export const ResumeOutcome = Schema.Literals(["written", "continued", "published", "skipped"])
/** See {@link ResumeOutcome}. */
export type ResumeOutcome = typeof ResumeOutcome.Type

/** One output file of a batch run. */
export const BatchOutput = Schema.Struct({
  ...ManifestOutput.fields,
  /** The export (its key in the job) this file belongs to. */
  export: Schema.String,
  /** The export's fingerprint when the file was written. */
  fingerprint: Schema.String,
  /** Data timezone of this output. */
  timezone: Schema.String,
  /** `written` from scratch, `continued` from a checkpoint, `published` from a complete partial, `skipped` (verified). */
  resume: ResumeOutcome
})
/** See {@link BatchOutput}. */
export type BatchOutput = typeof BatchOutput.Type

/** The status of one export. */
export const ExportStatus = Schema.Struct({
  export: Schema.String,
  index: Schema.Int,
  type: Schema.String,
  status: Schema.Literals(["succeeded", "failed"]),
  /** Why it failed (one line, no secret). */
  error: Schema.NullOr(Schema.String),
  files: Schema.Array(Schema.String)
})
/** See {@link ExportStatus}. */
export type ExportStatus = typeof ExportStatus.Type

/** The whole batch manifest. */
export const BatchManifest = Schema.Struct({
  spotpipe: Schema.String,
  command: Schema.Literal("run"),
  job: Schema.Struct({ file: Schema.String, fingerprint: Schema.String }),
  shard: Schema.NullOr(Schema.Struct({ index: Schema.Int, count: Schema.Int })),
  host: Schema.String,
  timezone: TimeZoneInfo,
  started_at: Schema.String,
  finished_at: Schema.String,
  seconds: Schema.Finite,
  exports: Schema.Array(ExportStatus),
  outputs: Schema.Array(BatchOutput),
  warnings: Schema.Array(Schema.String)
})
/** See {@link BatchManifest}. */
export type BatchManifest = typeof BatchManifest.Type

/** `manifest.json` for a whole job, `manifest.shard-2-of-5.json` for one shard. */
export const manifestName = (shard: Shard): string =>
  shard.count === 1 ? "manifest.json" : `manifest.shard-${shard.index}-of-${shard.count}.json`

const decodeManifest = Schema.decodeUnknownExit(Schema.fromJsonString(BatchManifest))
const decodeOutput = Schema.decodeUnknownExit(BatchOutput)

/** Parses a manifest; anything else (a single-command manifest, a torn file) is `none`. */
export const parseManifest = (text: string): Option.Option<BatchManifest> => {
  const decoded = decodeManifest(text)
  return Exit.isSuccess(decoded) ? Option.some(decoded.value) : Option.none()
}

/** Checks an output entry stored in a checkpoint. */
export const parseOutput = (value: unknown): Option.Option<BatchOutput> => {
  const decoded = decodeOutput(value)
  return Exit.isSuccess(decoded) ? Option.some(decoded.value) : Option.none()
}

/** Reads the previous manifest at `path`, if there is a valid one. */
export const readManifest = (path: string): Effect.Effect<Option.Option<BatchManifest>, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(Effect.option)
    return Option.flatMap(text, parseManifest)
  })

/** Manifest text: pretty JSON with a final newline. */
export const renderManifest = (manifest: BatchManifest): string => `${JSON.stringify(manifest, null, 2)}\n`
