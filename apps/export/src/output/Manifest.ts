/**
 * The manifest of a run — a single command and `spotpipe run` alike: `manifest-<run_id>.json`, one per run and
 * never replaced, with a copy of the latest run's at `manifest.json` (a shard's copy: `manifest.shard-<i>-of-<n>.json`,
 * so that shards sharing a directory never overwrite each other's). It lists the status of every export (succeeded or
 * failed, with the one-line reason) and every output file with where it came from (type, id, name, visualization,
 * query), its columns and types, rows written against `available_data_row_count`, `sampling_ratio`, bytes, SHA-256,
 * timings and warnings, the output's fingerprint and settings and how resume treated it, and the digest of how
 * the entry tells a load to read the file (`description_sha256`: one function for writer, load, resume and merge);
 * plus the job file, shard and job run (for `spotpipe run`), the data timezone and where it came from, and the
 * time-zone database version. It holds no host credentials and no secret, and is published atomically like every
 * other output. `--resume` reads every earlier one back to skip outputs that are complete and verified.
 */
import { createHash, randomBytes } from "node:crypto"
import { Effect, Exit, FileSystem, Option, type Path, Schema } from "effect"
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
  query: Schema.NullOr(Schema.String),
  /** The runtime sort and filters the data was read with (`--sort`, `--runtime-filter`), as sent; absent: none. */
  runtime_sort: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
  runtime_filter: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
  /** The values of `runtime_filter` sent otherwise than given (a date as epoch seconds), as given (`val1`, …). */
  runtime_filter_given: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown))
})
/** See {@link OutputSource}. */
export type OutputSource = typeof OutputSource.Type

/**
 * A written column: its name in the file and its ThoughtSpot type (`null` when unknown; `VARCHAR[]`: a list of text,
 * written by NDJSON as a JSON array).
 */
export const ManifestColumn = Schema.Struct({
  name: Schema.String,
  /**
   * The result's name when `name` differs from it (a repeated name numbered ` (2)`, ` (3)`, …, or a
   * `--column-names snake` identifier).
   */
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

/**
 * A part file of a split export: the `index`-th (from 1) of `count`, holding the result's pages `first_page` (from
 * 0) to `first_page + pages - 1` of `page_size` rows; `source_rows` is the whole result's row count when it was
 * planned. Only part 1 holds a CSV header; `spotpipe merge` checks and joins the parts (output/Merge.ts).
 */
export const OutputPart = Schema.Struct({
  index: Schema.Int,
  count: Schema.Int,
  first_page: Schema.Int,
  pages: Schema.Int,
  page_size: Schema.Int,
  source_rows: Schema.Int
})
/** See {@link OutputPart}. */
export type OutputPart = typeof OutputPart.Type

/** How an output came to be in this run. */
export const ResumeOutcome = Schema.Literals(["written", "continued", "published", "skipped"])
/** See {@link ResumeOutcome}. */
export type ResumeOutcome = typeof ResumeOutcome.Type

/** The Org an output was read from (`--orgs`): its id and name. */
export const OutputOrg = Schema.Struct({ id: Schema.Int, name: Schema.String })
/** See {@link OutputOrg}. */
export type OutputOrg = typeof OutputOrg.Type

/** The formats of documents (TML as ThoughtSpot sent it): files without rows or columns. */
export const documentFormats = ["yaml", "json"] as const

/** Whether an output of `format` is a document (no rows), not a table. */
export const isDocumentFormat = (format: string): format is (typeof documentFormats)[number] =>
  (documentFormats as ReadonlyArray<string>).includes(format)

/** One output file. */
export const ManifestOutput = Schema.Struct({
  file: Schema.String,
  /** A row format, or `yaml`/`json`: a TML document (one object's TML as ThoughtSpot sent it; no rows or columns). */
  format: Schema.Literals(["csv", "ndjson", "parquet", ...documentFormats]),
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
  warnings: Schema.Array(Schema.String),
  /** The export (its key) this file belongs to. */
  export: Schema.String,
  /** The output's fingerprint when the file was written: its export and every setting (see `OutputSettings`). */
  fingerprint: Schema.String,
  /** The settings it was written with (newline, time zone, time-zone database, …). */
  settings: Schema.optionalKey(Schema.Unknown),
  /** Data timezone of this output. */
  timezone: Schema.String,
  /**
   * CSV outputs: the text of a null cell (`--null-string`; empty by default). A quoted cell equal to it is a
   * string, an unquoted one a null.
   */
  null_string: Schema.optionalKey(Schema.String),
  /** `written` from scratch, `continued` from a checkpoint, `published` from a complete partial, `skipped` (verified). */
  resume: ResumeOutcome,
  /**
   * An incremental export's next starting point, recorded by this run (see plan/Watermark.ts): `kind` `modified`
   * or `audit` with an ISO instant as `value`, or `column` with the search column and its query literal's text.
   */
  watermark: Schema.optionalKey(
    Schema.Struct({
      kind: Schema.Literals(["modified", "column", "audit"]),
      column: Schema.optionalKey(Schema.String),
      value: Schema.String
    })
  ),
  /** A part of a split export (`"split": K`): which one, its page range and the whole result's rows. */
  part: Schema.optionalKey(OutputPart),
  /** With `--orgs`: the Org it was read from (its files are under `org-<id>-<name>/`). */
  org: Schema.optionalKey(OutputOrg),
  /**
   * SHA-256 of how the entry describes its file to a load (see {@link describedFields}): `load` refuses an entry
   * changed after the run wrote it. Absent in manifests of earlier versions.
   */
  description_sha256: Schema.optionalKey(Schema.String)
})
/** See {@link ManifestOutput}. */
export type ManifestOutput = typeof ManifestOutput.Type

/**
 * The fields of an output entry that tell a load how to read its file: name, format, columns (names, result names,
 * types), null string, settings and part. Rows, bytes and SHA-256 are left out: a load checks them against the file.
 */
export const describedFields = ["file", "format", "columns", "null_string", "settings", "part"] as const

/** JSON with every object's keys sorted, so that a digest does not depend on the order fields were written in. */
const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v
  )

/**
 * The `description_sha256` of an output entry, as written or as read back from a manifest's JSON: the SHA-256 of
 * its {@link describedFields} as canonical JSON.
 */
export const descriptionDigest = (entry: { readonly [K in (typeof describedFields)[number]]?: unknown }): string =>
  createHash("sha256")
    .update(canonicalJson(Object.fromEntries(describedFields.map((field) => [field, entry[field]]))))
    .digest("hex")

/** Whether the entry says what its run recorded: its `description_sha256` matches (earlier versions wrote none). */
export const describesAsWritten = (entry: ManifestOutput): boolean =>
  entry.description_sha256 === undefined || entry.description_sha256 === descriptionDigest(entry)

/** The entry with its `description_sha256` of what it says now (an entry made or changed by spotpipe). */
export const describedOutput = (entry: ManifestOutput): ManifestOutput => {
  const { description_sha256: _, ...rest } = entry
  return { ...rest, description_sha256: descriptionDigest(rest) }
}

/** The status of one export. */
export const ExportStatus = Schema.Struct({
  export: Schema.String,
  index: Schema.Int,
  type: Schema.String,
  status: Schema.Literals(["succeeded", "failed"]),
  /** Why it failed (one line, no secret). */
  error: Schema.NullOr(Schema.String),
  files: Schema.Array(Schema.String),
  /**
   * Items of the export that failed while the others were written (a TML export's objects whose TML ThoughtSpot
   * answered with ERROR): each file that was not written, what it is, and why.
   */
  failed_items: Schema.optionalKey(
    Schema.Array(Schema.Struct({ file: Schema.String, what: Schema.String, error: Schema.String }))
  ),
  /**
   * Files of a TML export that an earlier run wrote and this run removed (plan/TmlMirror.ts): `deleted` (its object
   * is no longer listed) or `renamed` (its object is now written to another file), with one line saying which.
   */
  removed: Schema.optionalKey(
    Schema.Array(
      Schema.Struct({ file: Schema.String, reason: Schema.Literals(["deleted", "renamed"]), detail: Schema.String })
    )
  ),
  /** With `--orgs`: the Org the export read from. */
  org: Schema.optionalKey(OutputOrg)
})
/** See {@link ExportStatus}. */
export type ExportStatus = typeof ExportStatus.Type

/**
 * The Orgs a run read, as it was told: `orgs` the choice of `--orgs` (or the job's `orgs`), `"all"` or ids; `org_id`
 * the Org it signed in to (`--org-id`, a job's `orgId`, a profile's). Each absent when none was given.
 */
export const OrgSelection = Schema.Struct({
  orgs: Schema.optionalKey(Schema.Union([Schema.Literal("all"), Schema.Array(Schema.Int)])),
  org_id: Schema.optionalKey(Schema.Int)
})
/** See {@link OrgSelection}. */
export type OrgSelection = typeof OrgSelection.Type

/** A shard of a job: the `index`-th (from 1) of `count`. */
export interface ShardOf {
  readonly index: number
  readonly count: number
}

/** The whole manifest. */
export const Manifest = Schema.Struct({
  spotpipe: Schema.String,
  /** This run's id (`20261206T145301123Z-3f9a`): its own manifest is `manifest-<run_id>.json`. */
  run_id: Schema.String,
  /** `run`, or the single command (`answer`, `search`, …, `demo`). */
  command: Schema.String,
  /** The job file and its fingerprint (`spotpipe run`); null for a single command. */
  job: Schema.NullOr(Schema.Struct({ file: Schema.String, fingerprint: Schema.String })),
  shard: Schema.NullOr(Schema.Struct({ index: Schema.Int, count: Schema.Int })),
  /**
   * The job run this run belongs to (`--job-run` / `SPOTPIPE_JOB_RUN`): the same for every shard and every retry
   * of one night, so `spotpipe merge` never joins shards of two. Absent when none was given (and in manifests of
   * earlier versions).
   */
  job_run: Schema.optionalKey(Schema.String),
  /**
   * The Orgs a `spotpipe run` read (see {@link OrgSelection}), so `spotpipe merge` can rerun a shard as it ran and
   * never joins shards that read different Orgs. Absent in single commands and earlier versions' manifests.
   */
  org_selection: Schema.optionalKey(OrgSelection),
  host: Schema.String,
  /**
   * Who the run was signed in as, as the cluster reported it (`auth/session/user`: the user's GUID and name, the
   * session's Org; a run over Orgs read each export in the Org its entry names). Recorded by runs with a `tml` export
   * into a folder, whose removals it decides (plan/TmlMirror.ts), and by a merge that lists TML documents of shards
   * that all read as one user (output/Merge.ts); absent in other runs and earlier versions' manifests.
   */
  signed_in: Schema.optionalKey(
    Schema.Struct({ id: Schema.String, name: Schema.String, org: Schema.NullOr(OutputOrg) })
  ),
  timezone: TimeZoneInfo,
  /** The runtime's time-zone database version (`process.versions.tz`). */
  tz_database: Schema.String,
  started_at: Schema.String,
  finished_at: Schema.String,
  seconds: Schema.Finite,
  exports: Schema.Array(ExportStatus),
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

/**
 * The name of the copy of the latest run's manifest: `manifest.json`, or `manifest.shard-2-of-5.json` for one shard
 * (shards sharing a directory never overwrite each other's).
 */
export const latestManifestName = (shard: ShardOf): string =>
  shard.count === 1 ? manifestFileName : `manifest.shard-${shard.index}-of-${shard.count}.json`

const decodeManifest = Schema.decodeUnknownExit(Schema.fromJsonString(Manifest))
const decodeOutput = Schema.decodeUnknownExit(ManifestOutput)

/** Parses a manifest; anything else (another version's manifest, a torn file) is `none`. */
export const parseManifest = (text: string): Option.Option<Manifest> => {
  const decoded = decodeManifest(text)
  return Exit.isSuccess(decoded) ? Option.some(decoded.value) : Option.none()
}

/** Checks an output entry stored in a checkpoint. */
export const parseOutput = (value: unknown): Option.Option<ManifestOutput> => {
  const decoded = decodeOutput(value)
  return Exit.isSuccess(decoded) ? Option.some(decoded.value) : Option.none()
}

/**
 * The runs' own manifests in `dir` (`manifest-<run_id>.json`, oldest first) that cannot be read as one: torn, damaged,
 * or not a file. {@link readManifests} leaves them out; a reader that must not miss a run names them.
 */
export const unreadableRunManifests = (
  dir: string
): Effect.Effect<ReadonlyArray<string>, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const names = yield* fs.readDirectory(dir).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
    const unreadable: Array<string> = []
    for (const name of names.filter((n) => runManifestPattern.test(n)).sort()) {
      const text = yield* fs.readFileString(`${dir}/${name}`).pipe(Effect.option)
      if (Option.isNone(Option.flatMap(text, parseManifest))) unreadable.push(name)
    }
    return unreadable
  })

/** The run id of a run's own manifest file name (`manifest-<run_id>.json`). */
export const runIdOfName = (name: string): string => name.slice("manifest-".length, -".json".length)

/**
 * Every manifest in `dir`, oldest first: the runs' own `manifest-<run_id>.json` in name (time) order, after the
 * copies (`manifest.json`, `manifest.shard-…json`), which repeat one of them. Other files and torn files are left out.
 */
export const readManifests = (dir: string): Effect.Effect<ReadonlyArray<Manifest>, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const names = yield* fs.readDirectory(dir).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
    const runs = names.filter((n) => runManifestPattern.test(n)).sort()
    const copies = names.filter((n) => n === manifestFileName || /^manifest\.shard-\d+-of-\d+\.json$/.test(n)).sort()
    const manifests: Array<Manifest> = []
    for (const name of [...copies, ...runs]) {
      const text = yield* fs.readFileString(`${dir}/${name}`).pipe(Effect.option)
      const parsed = Option.flatMap(text, parseManifest)
      if (Option.isSome(parsed)) manifests.push(parsed.value)
    }
    return manifests
  })
