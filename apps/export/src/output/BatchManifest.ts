/**
 * The manifest of a batch run (`spotpipe run`): the job file's fingerprint and shard, the status of every
 * export of the shard (succeeded or failed, with the one-line reason), and every output file with what the
 * single-command manifest records (source, columns, rows against `available_data_row_count`, bytes, SHA-256)
 * plus the output's fingerprint and settings and how resume treated it. Each run writes its own
 * `manifest-<run_id>.json` and a copy at `manifest.json` (a shard: `manifest.shard-<i>-of-<n>.json`, so that
 * shards sharing a directory never overwrite each other's). `--resume` reads every earlier one back to skip
 * outputs that are complete and verified.
 */
import { Effect, Exit, FileSystem, Option, Schema } from "effect"
import type { Shard } from "../plan/Shard.ts"
import { ManifestOutput, runManifestPattern, TimeZoneInfo } from "./Manifest.ts"

/** How an output came to be in this run. */
export const ResumeOutcome = Schema.Literals(["written", "continued", "published", "skipped"])
/** See {@link ResumeOutcome}. */
export type ResumeOutcome = typeof ResumeOutcome.Type

/** One output file of a batch run. */
export const BatchOutput = Schema.Struct({
  ...ManifestOutput.fields,
  /** The export (its key in the job) this file belongs to. */
  export: Schema.String,
  /** The output's fingerprint when the file was written: its export and every setting (see `OutputSettings`). */
  fingerprint: Schema.String,
  /** The settings it was written with (newline, time zone, time-zone database, …). */
  settings: Schema.optionalKey(Schema.Unknown),
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
  /** This run's id (`20261206T145301123Z-3f9a`): its own manifest is `manifest-<run_id>.json`. */
  run_id: Schema.String,
  command: Schema.Literal("run"),
  job: Schema.Struct({ file: Schema.String, fingerprint: Schema.String }),
  shard: Schema.NullOr(Schema.Struct({ index: Schema.Int, count: Schema.Int })),
  host: Schema.String,
  timezone: TimeZoneInfo,
  /** The runtime's time-zone database version (`process.versions.tz`). */
  tz_database: Schema.String,
  started_at: Schema.String,
  finished_at: Schema.String,
  seconds: Schema.Finite,
  exports: Schema.Array(ExportStatus),
  outputs: Schema.Array(BatchOutput),
  warnings: Schema.Array(Schema.String)
})
/** See {@link BatchManifest}. */
export type BatchManifest = typeof BatchManifest.Type

/**
 * The name of the copy of the latest run's manifest: `manifest.json` for a whole job, `manifest.shard-2-of-5.json`
 * for one shard (shards sharing a directory never overwrite each other's). Each run also has its own
 * `manifest-<run_id>.json`.
 */
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

/**
 * Every batch manifest in `dir`, oldest first: the runs' own `manifest-<run_id>.json` in name (time) order, after
 * the copies (`manifest.json`, `manifest.shard-…json`), which repeat one of them. Other files, single-command
 * manifests and torn files are left out.
 */
export const readManifests = (dir: string): Effect.Effect<ReadonlyArray<BatchManifest>, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const names = yield* fs.readDirectory(dir).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
    const runs = names.filter((n) => runManifestPattern.test(n)).sort()
    const copies = names.filter((n) => n === "manifest.json" || /^manifest\.shard-\d+-of-\d+\.json$/.test(n)).sort()
    const manifests: Array<BatchManifest> = []
    for (const name of [...copies, ...runs]) {
      const text = yield* fs.readFileString(`${dir}/${name}`).pipe(Effect.option)
      const parsed = Option.flatMap(text, parseManifest)
      if (Option.isSome(parsed)) manifests.push(parsed.value)
    }
    return manifests
  })

/** Manifest text: pretty JSON with a final newline. */
export const renderManifest = (manifest: BatchManifest): string => `${JSON.stringify(manifest, null, 2)}\n`
