/**
 * The manifest of a run: `manifest-<run_id>.json`, one per run and never replaced, with a copy of the latest
 * run's at `manifest.json`. It lists every output with where it came from (type, id, name, visualization,
 * query), its columns and types, rows written against `available_data_row_count`, `sampling_ratio`, bytes,
 * SHA-256, timings and warnings, plus the data timezone and where it came from and the time-zone database
 * version. It holds no host credentials
 * and no secret. It is published atomically like every other output.
 */
import { randomBytes } from "node:crypto"
import { Effect, type FileSystem, type Path, Schema } from "effect"
import type { ExportError } from "../ExportError.ts"
import { replaceFile } from "./AtomicFile.ts"

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
  /** The result's name when `name` differs from it (a repeated name numbered ` (2)`, ` (3)`, …). */
  source_name: Schema.optionalKey(Schema.String),
  type: Schema.NullOr(Schema.String),
  /** For a period-end companion column: the column whose period end it carries. */
  end_of: Schema.optionalKey(Schema.String)
})
/** See {@link ManifestColumn}. */
export type ManifestColumn = typeof ManifestColumn.Type

/** A written column as the manifest lists it: `source_name` only for a renamed column, `end_of` only for a period end. */
export const manifestColumn = (c: ManifestColumn): ManifestColumn =>
  c.end_of !== undefined
    ? c
    : c.source_name === undefined
      ? { name: c.name, type: c.type }
      : { name: c.name, source_name: c.source_name, type: c.type }

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
  /** This run's id: its own manifest is `manifest-<run_id>.json`. */
  run_id: Schema.String,
  command: Schema.String,
  host: Schema.String,
  timezone: TimeZoneInfo,
  /** The runtime's time-zone database version (`process.versions.tz`). */
  tz_database: Schema.String,
  started_at: Schema.String,
  finished_at: Schema.String,
  seconds: Schema.Finite,
  outputs: Schema.Array(ManifestOutput),
  warnings: Schema.Array(Schema.String)
})
/** See {@link Manifest}. */
export type Manifest = typeof Manifest.Type

/** The latest run's manifest (a copy of its own `manifest-<run_id>.json`) inside the output directory. */
export const manifestFileName = "manifest.json"

/** A run id: the UTC start time `YYYYMMDDTHHMMSSmmmZ` and 4 random hex digits, so ids sort by time. */
export const makeRunId = (millis: number): string =>
  `${new Date(millis).toISOString().replace(/[-:.]/g, "")}-${randomBytes(2).toString("hex")}`

/** The file name of one run's own manifest. */
export const runManifestName = (runId: string): string => `manifest-${runId}.json`

/** Matches {@link runManifestName}'s names. */
export const runManifestPattern = /^manifest-\d{8}T\d{9}Z-[0-9a-f]{4}\.json$/

/**
 * Publishes a run's manifest text: first its own `manifest-<runId>.json` (never replaced later), then the copy
 * at `latest` (`manifest.json`), each atomically.
 */
export const publishManifests = (
  dir: string,
  runId: string,
  latest: string,
  text: string
): Effect.Effect<void, ExportError, FileSystem.FileSystem | Path.Path> =>
  Effect.andThen(replaceFile(`${dir}/${runManifestName(runId)}`, text), replaceFile(`${dir}/${latest}`, text))

/** Manifest text: pretty JSON with a final newline. */
export const renderManifest = (manifest: Manifest): string => `${JSON.stringify(manifest, null, 2)}\n`

/** Publishes `manifest` into `dir`: its own `manifest-<run_id>.json` and the `manifest.json` copy. */
export const writeManifest = (
  dir: string,
  manifest: Manifest
): Effect.Effect<void, ExportError, FileSystem.FileSystem | Path.Path> =>
  publishManifests(dir, manifest.run_id, manifestFileName, renderManifest(manifest))
