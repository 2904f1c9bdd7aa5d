/**
 * `manifest.json`: one per run, listing every output with where it came from (type, id, name, visualization,
 * query), its columns and types, rows written against `available_data_row_count`, `sampling_ratio`, bytes,
 * SHA-256, timings and warnings, plus the data timezone and where it came from. It holds no host credentials
 * and no secret. It is published atomically like every other output.
 */
import { Effect, type FileSystem, type Path, Schema } from "effect"
import { publish } from "./AtomicFile.ts"
import type { ExportError } from "./ExportError.ts"

/** Where the data timezone came from. */
export const TimeZoneSource = Schema.Literals(["flag", "cluster", "default"])
/** See {@link TimeZoneSource}. */
export type TimeZoneSource = typeof TimeZoneSource.Type

/** The data timezone used for the run. */
export const TimeZoneInfo = Schema.Struct({ name: Schema.String, source: TimeZoneSource })
/** See {@link TimeZoneInfo}. */
export type TimeZoneInfo = typeof TimeZoneInfo.Type

/** The object an output was read from. */
export const OutputSource = Schema.Struct({
  type: Schema.String,
  id: Schema.NullOr(Schema.String),
  name: Schema.NullOr(Schema.String),
  viz: Schema.NullOr(Schema.Struct({ id: Schema.String, name: Schema.NullOr(Schema.String) })),
  query: Schema.NullOr(Schema.String)
})
/** See {@link OutputSource}. */
export type OutputSource = typeof OutputSource.Type

/** A written column: its name in the file and its ThoughtSpot type (`null` when unknown). */
export const ManifestColumn = Schema.Struct({
  name: Schema.String,
  type: Schema.NullOr(Schema.String),
  /** For a period-end companion column: the column whose period end it carries. */
  end_of: Schema.optionalKey(Schema.String)
})
/** See {@link ManifestColumn}. */
export type ManifestColumn = typeof ManifestColumn.Type

/** One output file. */
export const ManifestOutput = Schema.Struct({
  file: Schema.String,
  format: Schema.Literals(["csv", "ndjson"]),
  source: OutputSource,
  columns: Schema.Array(ManifestColumn),
  rows_written: Schema.Int,
  available_data_row_count: Schema.NullOr(Schema.Int),
  sampling_ratio: Schema.NullOr(Schema.Finite),
  pages: Schema.Int,
  bytes: Schema.Int,
  sha256: Schema.String,
  started_at: Schema.String,
  finished_at: Schema.String,
  seconds: Schema.Finite,
  warnings: Schema.Array(Schema.String)
})
/** See {@link ManifestOutput}. */
export type ManifestOutput = typeof ManifestOutput.Type

/** The whole manifest. */
export const Manifest = Schema.Struct({
  spotpipe: Schema.String,
  command: Schema.String,
  host: Schema.String,
  timezone: TimeZoneInfo,
  started_at: Schema.String,
  finished_at: Schema.String,
  seconds: Schema.Finite,
  outputs: Schema.Array(ManifestOutput),
  warnings: Schema.Array(Schema.String)
})
/** See {@link Manifest}. */
export type Manifest = typeof Manifest.Type

/** The manifest's file name inside the output directory. */
export const manifestFileName = "manifest.json"

/** Manifest text: pretty JSON with a final newline. */
export const renderManifest = (manifest: Manifest): string => `${JSON.stringify(manifest, null, 2)}\n`

/** Publishes `manifest` atomically at `path`, replacing the previous run's manifest. */
export const writeManifest = (
  path: string,
  manifest: Manifest
): Effect.Effect<void, ExportError, FileSystem.FileSystem | Path.Path> =>
  publish(path, { force: true }, (writer) => writer.write(renderManifest(manifest))).pipe(Effect.asVoid)
