/**
 * Durable progress of one output file, and the decision of what `--resume` does with it.
 *
 * While an output is being written, its bytes go to a partial file in the run's state directory. After each
 * page the partial file is fsynced and then a checkpoint record is replaced atomically (temp file, fsync,
 * rename, fsync of the directory). The record says how far the source was read (`next_offset`), how many bytes
 * of the partial file are durable and their SHA-256, and what was being read and how (the output's fingerprint
 * and settings, the source's row count and columns); it ends in a SHA-256 of itself, so a damaged record is never
 * read as another one. A crash can therefore leave more bytes than the record vouches for, never fewer: resume
 * verifies the vouched-for prefix, cuts the rest, and carries on from `next_offset`. The final file is then
 * byte-identical to an uninterrupted run.
 *
 * When the export's definition or a setting changed, the source's row count or columns changed, or the partial
 * file does not match its record, the output restarts from the beginning instead of mixing data of two versions.
 */
import { createHash, type Hash } from "node:crypto"
import * as NodePath from "node:path"
import { Effect, Exit, FileSystem, Option, type Path, type PlatformError, Schema } from "effect"
import { replaceFile } from "../output/AtomicFile.ts"
import { shownName, stateBases, stateFiles, stateSuffixes } from "../output/StateFolder.ts"
import { canonicalJson } from "../plan/JobFile.ts"
import { changedSetting, type OutputSettings } from "../plan/OutputSettings.ts"
import type { SettingNames } from "../plan/SettingNames.ts"

/** One checkpoint record (the file is its JSON). */
export const CheckpointRecord = Schema.Struct({
  version: Schema.Literal(1),
  /** The output's final path, relative to the output directory. */
  file: Schema.String,
  /** Fingerprint of the output: its export and every setting it is written with (see `OutputSettings`). */
  fingerprint: Schema.String,
  /** The settings the output is written with, so that a restart can say which one changed. */
  settings: Schema.optionalKey(Schema.Unknown),
  /** `partial`: more pages to come; `complete`: every row is in the partial file, only the rename is left. */
  state: Schema.Literals(["partial", "complete"]),
  /** `available_data_row_count` of the source when the output started (null: the source reports none). */
  source_rows: Schema.NullOr(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  /** Result column names of the source. */
  columns: Schema.Array(Schema.String),
  /** Rows read from the source and written so far: the `record_offset` to continue from. */
  next_offset: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  /** Pages written so far. */
  pages: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  /** Durable bytes at the start of the partial file. */
  bytes: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  /** SHA-256 (hex) of those bytes. */
  sha256: Schema.String.check(Schema.isPattern(/^[0-9a-f]{64}$/)),
  /** With `complete`: the output's manifest entry, so that a run killed before its manifest can still list it. */
  output: Schema.optionalKey(Schema.Unknown),
  /**
   * The absolute path of the job file whose run wrote it (none for a single command): a later run of that job whose
   * exports no longer write this file removes the state as stale (see `Engine`).
   */
  job: Schema.optionalKey(Schema.String)
})
/** See {@link CheckpointRecord}. */
export type CheckpointRecord = typeof CheckpointRecord.Type

/** What is known about a finished output from an earlier run's manifest. */
export interface CompletedOutput {
  readonly fingerprint: string | undefined
  /** The settings recorded with it, if any. */
  readonly settings: unknown
  readonly sha256: string
  readonly rows: number
}

/** What resume found on disk for one output file. */
export interface ResumeInput {
  /** The output's current fingerprint. */
  readonly fingerprint: string
  /** The settings it would be written with now. */
  readonly settings: OutputSettings
  /**
   * What the output may read, as `fingerprintOf` takes it (see {@link stagedUnderEarlierRules}); none: a restart is
   * never put down to earlier rules.
   */
  readonly readings?: ReadonlyArray<string>
  /** How its export names its settings (a job file's by its keys; default: by their flags). */
  readonly names?: SettingNames
  /** The earlier run's manifest entry for this file, if it lists one as written. */
  readonly completed: Option.Option<CompletedOutput>
  /** SHA-256 of the file at the final path, if there is one. */
  readonly finalSha256: Option.Option<string>
  /** The checkpoint record: absent, readable, or present but unreadable. */
  readonly checkpoint: Option.Option<CheckpointRecord | "unreadable">
  /**
   * The partial file, if there is one: its size, whether its first `checkpoint.bytes` bytes hash right, and whether
   * it holds no row (nothing, or a CSV header only: what a run stopped before its first page leaves).
   */
  readonly partial: Option.Option<{
    readonly size: number
    readonly prefixMatches: boolean
    readonly rowless?: boolean
  }>
  /** Whether a `--force` run that stopped had marked this output as to be replaced (its `.forced` file). */
  readonly forced?: boolean
}

/** What to do with one output. */
export type ResumeDecision =
  /** The final file is there and verified: do nothing. */
  | { readonly _tag: "Skip"; readonly rows: number; readonly sha256: string }
  /** Every row is in the verified partial file: publish it (the crash hit between the last fsync and the rename). */
  | { readonly _tag: "Publish"; readonly checkpoint: CheckpointRecord }
  /** Continue from the checkpoint, once the source is confirmed unchanged (see {@link confirmSource}). */
  | { readonly _tag: "Continue"; readonly checkpoint: CheckpointRecord }
  /** Nothing to resume: start at offset 0. */
  | { readonly _tag: "Fresh" }
  /**
   * Earlier state is stale or damaged: discard it and start at offset 0; `reason` says why (for the log).
   * `settingChanged`: the cause is a deliberate change of a setting, or a `--force` run's choice to replace the
   * output (logged as info, not as a warning).
   */
  | { readonly _tag: "Restart"; readonly reason: string; readonly settingChanged?: boolean }

/**
 * `earlier` without the CSV-only settings when `now` is not CSV: an older record of an NDJSON or Parquet output kept
 * the run's `--newline` and `--escape-formulae`, which never shaped its bytes, so a restart is not blamed on them.
 */
const shapingOnly = (earlier: unknown, now: OutputSettings): unknown =>
  now.format === "csv" || typeof earlier !== "object" || earlier === null
    ? earlier
    : { ...earlier, newline: now.newline, escapeFormulae: now.escapeFormulae }

const sha256Of = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex")

/** The fingerprint `OutputSettings.fingerprintOf` gives under rules version `v`. */
const fingerprintUnder = (v: number, reading: string, settings: unknown): string =>
  sha256Of(canonicalJson({ v, export: reading, settings }))

// Rules versions tried: far more than there have been.
const rulesVersions = Array.from({ length: 32 }, (_, i) => i + 1)

/**
 * Whether `earlier` is a fingerprint `fingerprintOf` gave this very output — the same export, read the same way,
 * with `earlier.settings` — and under which rules: `fingerprintOf` hashes `{ v, export, settings }` and raises `v`
 * when a rule of writing changes. No state records `v` (earlier versions wrote none), so it is found by hashing: the
 * current `v` and reading are those that give `now.fingerprint`, and `earlier`'s are tried against them. Proven or
 * undefined, so a restart is never put down to the rules when the user changed what is read.
 */
const rulesOf = (
  now: { readonly fingerprint: string; readonly settings: OutputSettings; readonly readings: ReadonlyArray<string> },
  earlier: { readonly fingerprint: string; readonly settings?: unknown }
): "these" | "earlier" | undefined => {
  for (const reading of now.readings) {
    const current = rulesVersions.find((v) => fingerprintUnder(v, reading, now.settings) === now.fingerprint)
    if (current === undefined) continue
    const then = rulesVersions.find((v) => fingerprintUnder(v, reading, earlier.settings) === earlier.fingerprint)
    if (then !== undefined && then <= current) return then === current ? "these" : "earlier"
  }
  return undefined
}

/** Whether `earlier` is this output's fingerprint under an earlier rules version (see {@link rulesOf}). */
export const stagedUnderEarlierRules = (
  now: { readonly fingerprint: string; readonly settings: OutputSettings; readonly readings: ReadonlyArray<string> },
  earlier: { readonly fingerprint: string; readonly settings?: unknown }
): boolean => rulesOf(now, earlier) === "earlier"

/** Decides what `--resume` does with one output, from what is on disk. Pure. */
export const decide = (input: ResumeInput): ResumeDecision => {
  const changed = (
    earlier: { readonly fingerprint: string; readonly settings?: unknown },
    since: "the interrupted run" | "its output was written"
  ): ResumeDecision => {
    const change = changedSetting(shapingOnly(earlier.settings, input.settings), input.settings, input.names)
    if (change === undefined) {
      const readings = input.readings ?? []
      return stagedUnderEarlierRules({ fingerprint: input.fingerprint, settings: input.settings, readings }, earlier)
        ? {
            _tag: "Restart",
            reason: `${since === "the interrupted run" ? "staged" : "written"} by an earlier spotpipe version whose resume rules differ, so it is written anew`
          }
        : // The fingerprint covers what is read: a job file's edit, another command line, or a starting point that moved.
          {
            _tag: "Restart",
            reason: `what the export reads changed since ${since} (its object, query, runtime sort or filters, or starting point)`
          }
    }
    return {
      _tag: "Restart",
      reason: `${change.setting} changed since ${since} (${change.from} → ${change.to})`,
      settingChanged: true
    }
  }
  const checkpoint = Option.getOrUndefined(input.checkpoint)
  const final = Option.getOrUndefined(input.finalSha256)
  // This very output's state: what the final file holds is replaced by it once it is complete.
  const own = typeof checkpoint === "object" && checkpoint.fingerprint === input.fingerprint
  if (final !== undefined) {
    const completed = Option.getOrUndefined(input.completed)
    if (completed !== undefined && completed.sha256 === final) {
      if (completed.fingerprint === undefined || completed.fingerprint === input.fingerprint) {
        return { _tag: "Skip", rows: completed.rows, sha256: final }
      }
      // Written by a run with other settings (an earlier job run, a retried pod's Job in one folder): only when
      // this output left no state of its own does it start over.
      if (!own) {
        return changed({ fingerprint: completed.fingerprint, settings: completed.settings }, "its output was written")
      }
    }
    // Renamed into place but the run died before the manifest: the complete checkpoint vouches for it.
    if (typeof checkpoint === "object" && checkpoint.state === "complete" && checkpoint.sha256 === final) {
      if (checkpoint.fingerprint === input.fingerprint) {
        return { _tag: "Skip", rows: checkpoint.next_offset, sha256: final }
      }
      return changed(checkpoint, "its output was written")
    }
    if (completed !== undefined && completed.sha256 !== final) {
      return { _tag: "Restart", reason: "the output file differs from the SHA-256 its manifest recorded" }
    }
  }
  if (checkpoint === undefined) {
    // An empty one or a header only (the run stopped before its first page) drops nothing: it is simply written
    // from the start.
    if (Option.exists(input.partial, (partial) => partial.size > 0 && partial.rowless !== true)) {
      return { _tag: "Restart", reason: "a partial file has no checkpoint" }
    }
    if (final === undefined) return { _tag: "Fresh" }
    // The --force run meant to replace this file and stopped before it did: the earlier runs' entries do not count.
    return input.forced === true
      ? { _tag: "Restart", reason: "a --force run stopped before rewriting it", settingChanged: true }
      : { _tag: "Restart", reason: "an output file is not vouched for by a manifest or checkpoint" }
  }
  if (checkpoint === "unreadable")
    return { _tag: "Restart", reason: "the checkpoint is unreadable (damaged, or written by another spotpipe version)" }
  if (checkpoint.fingerprint !== input.fingerprint) return changed(checkpoint, "the interrupted run")
  const partial = Option.getOrUndefined(input.partial)
  if (partial === undefined) return { _tag: "Restart", reason: "the checkpoint's partial file is missing" }
  if (partial.size < checkpoint.bytes) {
    return { _tag: "Restart", reason: "the partial file is shorter than its checkpoint says" }
  }
  if (!partial.prefixMatches) return { _tag: "Restart", reason: "the partial file does not match its checkpoint" }
  return checkpoint.state === "complete" ? { _tag: "Publish", checkpoint } : { _tag: "Continue", checkpoint }
}

/**
 * Confirms a `Continue` once the source's first page is known: the same row count and columns as when the
 * output started. Otherwise the data changed in between, and the output must restart.
 */
export const confirmSource = (
  checkpoint: CheckpointRecord,
  source: { readonly availableRowCount: number | null; readonly columns: ReadonlyArray<string> }
): { readonly _tag: "Continue" } | { readonly _tag: "Restart"; readonly reason: string } => {
  if (source.availableRowCount !== checkpoint.source_rows) {
    return {
      _tag: "Restart",
      reason: `the source row count changed from ${checkpoint.source_rows} to ${source.availableRowCount}`
    }
  }
  const same =
    source.columns.length === checkpoint.columns.length && source.columns.every((c, i) => c === checkpoint.columns[i])
  return same ? { _tag: "Continue" } : { _tag: "Restart", reason: "the source's columns changed" }
}

/** The job a run's state belongs to: its job file's absolute path (none for a single command). */
export const jobOf = (options: { readonly job?: { readonly file: string } }): { readonly job?: string } =>
  options.job === undefined ? {} : { job: NodePath.resolve(options.job.file) }

/** An output's resume state found in the state directory: its record, and its files there. */
export interface StateEntry {
  readonly record: CheckpointRecord
  readonly paths: ReadonlyArray<string>
}

/** The state in `stateDir` whose checkpoint is readable (see {@link superseded}). */
export const listState = (stateDir: string, path: Path.Path) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const entries: Array<StateEntry> = []
    for (const base of yield* stateBases(stateDir)) {
      const at = (suffix: string) => path.join(stateDir, `${base}${suffix}`)
      const record = yield* read(at(".checkpoint.json")).pipe(Effect.orElseSucceed(() => Option.none()))
      const value = Option.getOrUndefined(record)
      if (typeof value !== "object") continue
      const paths: Array<string> = []
      for (const suffix of stateSuffixes) {
        if (yield* fs.exists(at(suffix)).pipe(Effect.orElseSucceed(() => false))) paths.push(at(suffix))
      }
      entries.push({ record: value, paths })
    }
    return entries
  })

const withoutFile = (settings: unknown): string =>
  canonicalJson(typeof settings === "object" && settings !== null ? { ...settings, file: undefined } : settings)

/**
 * The entries of `state` that hold the output `now` under another name: the same owner (`job`: the same job file, or
 * both single commands), settings that differ only in the file name, and a fingerprint that `now`'s reading gives
 * those settings under these rules or earlier ones — the same export read and written the same way. Such state is
 * left by a rename (an earlier version named the file otherwise, or another output name was given), and no run
 * resumes it unless one writes that name again.
 */
export const superseded = (
  state: ReadonlyArray<StateEntry>,
  now: {
    readonly file: string
    readonly fingerprint: string
    readonly settings: OutputSettings
    readonly readings: ReadonlyArray<string>
  },
  job: string | undefined
): ReadonlyArray<StateEntry> => {
  const same = withoutFile(now.settings)
  return state.filter(
    ({ record }) =>
      record.file !== now.file &&
      record.job === job &&
      withoutFile(record.settings) === same &&
      rulesOf(now, record) !== undefined
  )
}

/**
 * The state in `stateDir` of outputs a run of the job at `job` (its absolute path) no longer writes: every output
 * whose checkpoint (or, before its first checkpoint, `--force` marker) names that job, and that is not among
 * `planned` (the run's outputs, the whole job's). State of other jobs, of single commands, and state whose owner is
 * not recorded (written by an earlier version) is never touched. Returns the outputs whose state was removed.
 */
export const removeStaleState = (stateDir: string, job: string, planned: ReadonlyArray<string>, path: Path.Path) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const mine = new Set(planned.map((file) => path.basename(stateFiles(stateDir, file, path).checkpoint)))
    const removed: Array<string> = []
    for (const base of yield* stateBases(stateDir)) {
      if (mine.has(`${base}.checkpoint.json`)) continue
      const at = (suffix: string) => path.join(stateDir, `${base}${suffix}`)
      const text = (file: string) =>
        fs.readFileString(file).pipe(
          Effect.map((t): string | undefined => t),
          Effect.orElseSucceed(() => undefined)
        )
      const checkpoint = yield* text(at(".checkpoint.json"))
      // Whose state it is, even from a damaged record: only a record naming this job is removed.
      const record = checkpoint === undefined ? undefined : parseRecord(checkpoint, { checked: false })
      const owner = record === undefined ? yield* text(at(".forced")) : record === "unreadable" ? undefined : record.job
      if (owner !== job) continue
      for (const suffix of stateSuffixes) yield* fs.remove(at(suffix)).pipe(Effect.ignore)
      removed.push(record === undefined || record === "unreadable" ? shownName(base) : record.file)
    }
    return removed
  })

const decodeRecord = Schema.decodeUnknownExit(Schema.fromJsonString(CheckpointRecord))

/**
 * A record's text ends in the SHA-256 of the rest of it: a flipped digit keeps the JSON valid (a `next_offset` of
 * 2000 read as 3000 would continue past rows never written), so a record is read only when its bytes are the ones
 * written.
 */
const sealed = /^(\{.*),"check":"([0-9a-f]{64})"\}\n$/s

const checkOf = (body: string): string => createHash("sha256").update(body, "utf8").digest("hex")

/** The text {@link write} stores: the record's JSON with its check as the last key. */
export const recordText = (record: CheckpointRecord): string => {
  const body = JSON.stringify(record)
  return `${body.slice(0, -1)},"check":"${checkOf(body)}"}\n`
}

/**
 * Parses checkpoint text; anything but a valid record whose check matches is `"unreadable"`. `checked: false` reads
 * a record whatever its check (only to learn its owner, see {@link removeStaleState}).
 */
export const parseRecord = (
  text: string,
  options: { readonly checked: boolean } = { checked: true }
): CheckpointRecord | "unreadable" => {
  const match = sealed.exec(text)
  const body = match === null ? text : `${match[1]}}`
  if (options.checked && (match === null || checkOf(body) !== match[2])) return "unreadable"
  const decoded = decodeRecord(body)
  return Exit.isSuccess(decoded) ? decoded.value : "unreadable"
}

/** Reads the checkpoint at `path`: none, a record, or `"unreadable"`. */
export const read = Effect.fn("Checkpoint.read")(function* (path: string) {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs.readFileString(path).pipe(
    Effect.asSome,
    Effect.catchReason("PlatformError", "NotFound", () => Effect.succeed(Option.none<string>()))
  )
  return Option.map(text, parseRecord)
})

/**
 * Replaces the checkpoint at `path` atomically (see `AtomicFile.replaceFile`): a reader, or a resume after SIGKILL
 * at any instant, sees the previous record or the new one, never a torn one.
 */
export const write = (
  path: string,
  record: CheckpointRecord,
  /** Runs between the temp file's fsync and the rename (the crash suite kills the process here). */
  beforeRename: Effect.Effect<void> = Effect.void
) => replaceFile(path, recordText(record), { mode: 0o600, beforeRename })

/** A SHA-256 over the first `bytes` bytes of a file, ready to be continued with more bytes. */
export interface PrefixHash {
  /** The file's size (may exceed `bytes`: bytes written after the last checkpoint). */
  readonly size: number
  /** The running hash of the prefix, or undefined when the file is shorter than `bytes`. */
  readonly hash: Hash | undefined
  /** Hex digest of the prefix (without finishing `hash`), or undefined when the file is too short. */
  readonly digest: string | undefined
}

/** Hashes the first `bytes` bytes of the file at `path` (none: `Option.none()`). */
export const hashPrefix = Effect.fn("Checkpoint.hashPrefix")(function* (path: string, bytes: number) {
  const fs = yield* FileSystem.FileSystem
  return yield* Effect.scoped(
    Effect.gen(function* () {
      const file = yield* fs.open(path, { flag: "r" })
      const size = Number((yield* file.stat).size)
      if (size < bytes) return Option.some<PrefixHash>({ size, hash: undefined, digest: undefined })
      const hash = createHash("sha256")
      const buffer = new Uint8Array(1 << 20)
      let left = bytes
      while (left > 0) {
        const n = yield* file.read(buffer.subarray(0, Math.min(buffer.length, left)))
        if (n === 0) return Option.some<PrefixHash>({ size, hash: undefined, digest: undefined })
        hash.update(buffer.subarray(0, n))
        left -= n
      }
      return Option.some<PrefixHash>({ size, hash, digest: hash.copy().digest("hex") })
    })
  ).pipe(Effect.catchReason("PlatformError", "NotFound", () => Effect.succeed(Option.none<PrefixHash>())))
})

// A CSV header is far shorter: a longer partial file holds rows, or is not worth reading to find out.
const headerBytesAtMost = 64 * 1024

/**
 * Whether the partial file at `path` holds no row: a CSV one (a Parquet output stages CSV) that is one header
 * record, ended by its newline — a run stopped before its first page. Any other content may hold rows, and so does
 * one record of a later part of a split export (`orders.part-0002-of-0004.csv`), which has no header.
 */
const holdsNoRow = (path: string, settings: OutputSettings) =>
  Effect.gen(function* () {
    if (settings.format !== "csv" && settings.format !== "parquet") return false
    const part = /\.part-(\d+)-of-\d+\.[^./]+$/.exec(settings.file)
    if (part !== null && Number(part[1]) > 1) return false
    const fs = yield* FileSystem.FileSystem
    const size = Number((yield* fs.stat(path)).size)
    if (size > headerBytesAtMost) return false
    const text = new TextDecoder().decode(yield* fs.readFile(path))
    let quoted = false
    for (let i = 0; i < text.length; i++) {
      const c = text[i]
      if (c === '"') quoted = !quoted
      else if (c === "\n" && !quoted) return i === text.length - 1
    }
    return false
  }).pipe(Effect.orElseSucceed(() => false))

/**
 * SHA-256 of a whole file (none when it does not exist). A named pipe, socket or device there holds no output: its
 * digest is empty, which nothing vouches for (opened to be read, a pipe with no writer would block for ever).
 */
export const hashFile = (
  path: string
): Effect.Effect<Option.Option<string>, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const exists = yield* fs.exists(path)
    if (!exists) return Option.none<string>()
    const info = yield* fs.stat(path)
    // A folder is read, and refused as one in the way.
    if (info.type !== "File" && info.type !== "Directory") return Option.some("")
    const prefix = yield* hashPrefix(path, Number(info.size))
    return Option.flatMap(prefix, (p) => Option.fromUndefinedOr(p.digest))
  })

/** Gathers what is on disk for one output and decides (see {@link decide}). */
export const inspect = Effect.fn("Checkpoint.inspect")(function* (options: {
  readonly finalPath: string
  readonly checkpointPath: string
  readonly partialPath: string
  readonly fingerprint: string
  readonly settings: OutputSettings
  readonly readings?: ReadonlyArray<string>
  readonly names?: SettingNames
  readonly completed: Option.Option<CompletedOutput>
}) {
  const checkpoint = yield* read(options.checkpointPath)
  const finalSha256 = yield* hashFile(options.finalPath)
  const vouched = Option.getOrUndefined(checkpoint)
  const prefix = yield* hashPrefix(options.partialPath, typeof vouched === "object" ? vouched.bytes : 0)
  const rowless =
    vouched === undefined && Option.exists(prefix, (p) => p.size > 0)
      ? yield* holdsNoRow(options.partialPath, options.settings)
      : false
  const partial = Option.map(prefix, (p) => ({
    size: p.size,
    prefixMatches: typeof vouched === "object" && p.digest === vouched.sha256,
    rowless
  }))
  const forcedPath = `${options.checkpointPath.slice(0, -".checkpoint.json".length)}.forced`
  const forced = yield* FileSystem.FileSystem.pipe(
    Effect.flatMap((fs) => fs.exists(forcedPath)),
    Effect.orElseSucceed(() => false)
  )
  return decide({
    forced,
    fingerprint: options.fingerprint,
    settings: options.settings,
    ...(options.readings === undefined ? {} : { readings: options.readings }),
    ...(options.names === undefined ? {} : { names: options.names }),
    completed: options.completed,
    finalSha256,
    checkpoint,
    partial
  })
})
