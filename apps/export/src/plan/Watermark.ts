/**
 * Incremental runs: where an export left off, and from where its next run starts (`--modified-since last`,
 * `--since last`, a job file's `"modifiedSince": "last"` / `"since": "last"`).
 *
 * A **watermark** is recorded for an export only after a run in which it succeeded, once that run's manifest is
 * published (of a job with a `load`, once the load took the export's files): in the output folder's state (`.spotpipe-state/watermarks.json`, one entry per export, see
 * {@link watermarkId}, with the cluster it was read from) and in the manifest entry of each of its outputs
 * (`watermark`). A run that fails, is interrupted or only skips a verified output (`--resume`) records none, so the
 * next `last` starts where the last successful run left off and reads again whatever the failed run may have read.
 * `last` refuses a watermark recorded for another cluster.
 *
 * Before it writes, a run records where each incremental export starts, as given (`last`, `30d`) and as resolved,
 * in `.spotpipe-state/started.json`. `--resume` continues that run: an export given the same way starts from the
 * same resolved point, so the increment the interrupted run wrote is verified and kept, not replaced by a new one.
 * The entry a run of another job run replaces is kept aside (`replaced`): a shard refused before it wrote puts it
 * back, so the unfinished job run can still be continued.
 *
 * Both files are changed under a lock beside them (runs that share a folder, such as shards, record at once) and
 * replaced atomically. Each entry carries its SHA-256 ({@link entryDigest}): one edited or damaged since is refused,
 * and so is one whose digest was removed from a file marked as holding them ({@link Digests}).
 *
 * What a watermark is, per kind, chosen so that nothing that changes while a run reads is missed (at the price of
 * reading some objects or rows twice):
 * - `modified` (metadata listings with a starting point, TML — a full run's too, so `last` can follow it): the
 *   instant the listing started, or one millisecond after the newest `modified` it saw if that is earlier
 *   ({@link ModifiedTracker}). An object changed after the listing started has
 *   a later `modified`, so the next run keeps it, even when it sat on a page read before the change. The start is
 *   this machine's clock, which must not run ahead of the cluster's.
 * - `column` (search, answer and liveboard exports, `--since-column`): the column's maximum, read in a one-row query **before** the data
 *   is read. The next run reads the rows with `[column] >= value`: rows added during this run are read again by
 *   the next one, never skipped, and the rows equal to the watermark come again (load with `--mode merge`). A
 *   DATE_TIME maximum whose wall time a fall-back repeats is written so that no reading of it is later than the
 *   maximum ({@link unambiguousWatermark}). A date's value names the data time zone it is in: a run in another
 *   zone starts at the same instant, never at the same wall time hours later.
 * - `audit` (audit logs): the end of the time range read (`--until`); the next run's range starts there, so the
 *   windows of successive runs meet with no gap and no overlap.
 */
import { createHash } from "node:crypto"
import type { TimeZone } from "@spotpipe/decode"
import { Effect, Exit, FileSystem, Option, Path, type PlatformError, Schema } from "effect"
import { ExportError } from "../ExportError.ts"
import { replaceFile } from "../output/AtomicFile.ts"
import { stateDirName, waitForLockFile } from "../output/OutputLock.ts"
import { UsageError } from "../UsageError.ts"
import type { JobExport } from "./JobFile.ts"
import { commandLineNames, type SettingNames, settingNames } from "./SettingNames.ts"

/** The state file, inside the output folder's `.spotpipe-state/`. */
export const watermarksFileName = "watermarks.json"

/** Where each incremental export's latest run started, beside it (read only by `--resume`). */
export const startedFileName = "started.json"

/** What a run recorded for one export: its kind, the value, and (for `column`) which column. */
export const WatermarkValue = Schema.Struct({
  kind: Schema.Literals(["modified", "column", "audit"]),
  /** `column`: the search column the value is of. */
  column: Schema.optionalKey(Schema.String),
  /**
   * `modified`, `audit`: an ISO 8601 instant in UTC with milliseconds; `column`: the query literal's text, a DATE's or
   * DATE_TIME's followed by the data time zone it is a wall time in (Incremental.ts's `watermarkText`; earlier
   * versions wrote none, and such a value is read in the run's data time zone).
   */
  value: Schema.String
})
/** See {@link WatermarkValue}. */
export type WatermarkValue = typeof WatermarkValue.Type

/** One export's entry in the state file. */
export const Watermark = Schema.Struct({
  ...WatermarkValue.fields,
  /** The run that recorded it (its manifest is `manifest-<run_id>.json`). */
  run_id: Schema.String,
  /** The cluster it was read from (the manifest's `host`); absent in files of older versions. */
  host: Schema.optionalKey(Schema.String),
  /** {@link entryDigest} of the entry, so that an edited or damaged one is refused, not read as another point. */
  sha256: Schema.optionalKey(Schema.String)
})
/** See {@link Watermark}. */
export type Watermark = typeof Watermark.Type

/** An export's starting point as given (`last`, `30d`, a date; `until` of an audit export, `null`: none). */
const StartingPoint = Schema.Struct({ since: Schema.String, until: Schema.optionalKey(Schema.NullOr(Schema.String)) })

/**
 * The starting point the latest run of an export into the folder used: as given, and as it was resolved. `--resume`
 * continues that run from the same resolved point, so `last` and relative times do not move under it.
 */
export const Started = Schema.Struct({
  given: StartingPoint,
  resolved: StartingPoint,
  /** The cluster it reads. */
  host: Schema.String,
  /** The run's job run (`--job-run`); absent for a run without one. A run of another job run starts anew. */
  job_run: Schema.optionalKey(Schema.String),
  /** {@link entryDigest} of the entry (as a watermark's). */
  sha256: Schema.optionalKey(Schema.String)
})
/** See {@link Started}. */
export type Started = typeof Started.Type

/**
 * A state file's marker that each of its entries carries its digest (`"digests": "sha256"`): once a file has it, an
 * entry without a `sha256` was edited (its digest removed to pass), not written by an earlier version. Files of
 * earlier versions have none; the next change of such a file seals its entries and adds it.
 */
const Digests = Schema.optionalKey(Schema.Literal("sha256"))

const WatermarksFile = Schema.Struct({
  version: Schema.Literal(1),
  digests: Digests,
  exports: Schema.Record(Schema.String, Watermark)
})
const decodeFile = Schema.decodeUnknownExit(Schema.fromJsonString(WatermarksFile))

/** Export id → the starting point of its latest run (see {@link Started}). */
const StartedFile = Schema.Struct({
  version: Schema.Literal(1),
  digests: Digests,
  exports: Schema.Record(Schema.String, Started),
  /**
   * Export id → the entry of another job run that its entry in `exports` replaced (as written, digest and all): a
   * shard refused before it wrote puts it back ({@link restoreStarted}), and a `--resume` of that job run reads it.
   */
  replaced: Schema.optionalKey(Schema.Record(Schema.String, Started))
})
const decodeStarted = Schema.decodeUnknownExit(Schema.fromJsonString(StartedFile))

/** A state file's entries: export id → entry. */
interface StateFile<A> {
  readonly version: 1
  readonly digests?: "sha256"
  readonly exports: Readonly<Record<string, A>>
}

/**
 * A state file as read: its entries, and each as written (its JSON), which its digest is of — a later version's
 * entry may hold fields this one does not know, kept when the file is changed.
 */
interface LoadedStateFile<A> extends StateFile<A> {
  readonly written: Readonly<Record<string, unknown>>
  /** `started.json`'s `replaced` entries, as written. */
  readonly replaced: Readonly<Record<string, unknown>>
}

/**
 * The export a watermark belongs to: its output name when it has one (a job file's export, `--output-name`), its
 * Org (`--orgs`) and what it reads — the spec without its starting point (`modifiedSince`, `since`, `until`) and without the settings
 * that only shape the file or its load (`loadKey`) — so `--since 2025-01-01` and a later `--since last` are the same
 * export, and so are a merge and an append of it. Earlier versions' ids held `loadKey`: see {@link entryOf}.
 */
export const watermarkId = (entry: JobExport): string => {
  const {
    modifiedSince: _m,
    since: _s,
    until: _u,
    format: _f,
    timezone: _t,
    pageSize: _p,
    output: _o,
    strict: _x,
    columnNames: _c,
    fileNames: _n,
    nullString: _z,
    loadKey: _l,
    ...reads
  } = entry.spec as Record<string, unknown>
  // With `--orgs`, each Org's copy of an export has its own (a single command's copies share no key).
  return `${idPrefix(entry)}${stableJson({ ...reads, org: entry.org?.id })}`
}

const idPrefix = (entry: JobExport) => `${entry.key ?? "-"} `

/**
 * The entry of `entry`'s export in `file`, with the id it is kept under: its {@link watermarkId}, else one an
 * earlier version wrote, whose id also held the export's `loadKey` (any: a job since changed to append, or to
 * another key, keeps its point) — of several, the one `newer` puts last (a watermark's latest run).
 */
const entryOf = <A>(
  file: LoadedStateFile<A>,
  entry: JobExport,
  newer: (a: A, b: A) => boolean = () => false
): readonly [string, A] | undefined => {
  const id = watermarkId(entry)
  const own = file.exports[id]
  if (own !== undefined) return [id, own]
  const prefix = idPrefix(entry)
  const reads = id.slice(prefix.length)
  let found: readonly [string, A] | undefined
  for (const [other, value] of Object.entries(file.exports)) {
    if (!other.startsWith(prefix)) continue
    let parsed: unknown
    try {
      parsed = JSON.parse(other.slice(prefix.length))
    } catch {
      continue
    }
    if (typeof parsed !== "object" || parsed === null || !("loadKey" in parsed)) continue
    const { loadKey: _, ...rest } = parsed as Record<string, unknown>
    if (stableJson(rest) !== reads) continue
    if (found === undefined || newer(value, found[1])) found = [other, value]
  }
  return found
}

/** JSON text with object keys sorted (JobFile imports this module, so its `canonicalJson` is not used here). */
const stableJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`
  }
  return JSON.stringify(value)
}

/**
 * The SHA-256 of a state file's entry for the export `id`, its `sha256` left out: a value edited or damaged into
 * another valid one (a date a day later, a column maximum with a digit flipped) would make `last` skip or repeat rows
 * without a word. The id is in it too, so an entry moved to another export does not match either.
 */
export const entryDigest = (id: string, entry: object): string => {
  const { sha256: _, ...fields } = entry as { readonly sha256?: unknown }
  return createHash("sha256")
    .update(stableJson({ id, entry: fields }), "utf8")
    .digest("hex")
}

/** `entry` with its {@link entryDigest}. */
const sealed = <A extends object>(id: string, entry: A): A => ({
  ...entry,
  sha256: entryDigest(id, entry)
})

/**
 * Whether the entry for `id` (as written) in `file` is as its run wrote it. An entry without a digest in a file
 * without the {@link Digests} marker, written by an earlier version, is read as it is (there is nothing to check it
 * against); in a file with it, it is not.
 */
const intact = (id: string, file: LoadedStateFile<unknown>): boolean => {
  const written = file.written[id]
  if (typeof written !== "object" || written === null) return false
  const digest = (written as { readonly sha256?: unknown }).sha256
  return digest === undefined ? file.digests === undefined : digest === entryDigest(id, written)
}

/** What is wrong with the digest of the entry for `id` that {@link intact} refuses. */
const digestProblem = (file: LoadedStateFile<unknown>, id: string): string =>
  (file.written[id] as { readonly sha256?: unknown } | undefined)?.sha256 === undefined
    ? "its sha256 was removed, which every entry of this file holds"
    : "its sha256 does not match"

/** Why the state file `file` cannot be read (not: it is missing), and what to do. */
const unreadable = (file: string, error: PlatformError.PlatformError): string => {
  const cause = error.reason.cause
  const code =
    typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
      ? cause.code
      : error.reason._tag
  return `cannot read ${file} (${code}), where the incremental runs' state is kept: ${code === "EISDIR" ? "a folder of that name is in the way; move it away" : "check that it is a file this user can read"}, then run again`
}

/**
 * The state file `file`: empty when it is missing, `"damaged"` when its text is not one (`decode` fails); a file
 * that is there but cannot be read fails with {@link unreadable}'s message, never taken for a missing one (a
 * change would then drop every other export's entry).
 */
const loadStateFile = <A>(
  file: string,
  decode: (text: string) => Exit.Exit<StateFile<A>, unknown>
): Effect.Effect<LoadedStateFile<A> | "damaged", string, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(
      Effect.map(Option.some),
      Effect.catchReason("PlatformError", "NotFound", () => Effect.succeed(Option.none<string>())),
      Effect.mapError((error) => unreadable(file, error))
    )
    if (Option.isNone(text)) return { version: 1, exports: {}, written: {}, replaced: {} }
    const decoded = decode(text.value)
    if (Exit.isFailure(decoded)) return "damaged"
    // Decoded, so it is JSON with an `exports` object.
    const json = JSON.parse(text.value) as {
      readonly exports: Record<string, unknown>
      readonly replaced?: Record<string, unknown>
    }
    return { ...decoded.value, written: json.exports, replaced: json.replaced ?? {} }
  })

/**
 * The state file `name` of `outDir` (empty when it is missing): its text through `decode`; a damaged one is the
 * usage error `damaged` says.
 */
const readStateFile = <A>(
  outDir: string,
  name: string,
  decode: (text: string) => Exit.Exit<StateFile<A>, unknown>,
  damaged: (file: string) => string
): Effect.Effect<LoadedStateFile<A>, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const file = path.join(outDir, stateDirName, name)
    const loaded = yield* loadStateFile(file, decode).pipe(Effect.mapError((message) => new UsageError({ message })))
    if (loaded === "damaged") return yield* new UsageError({ message: damaged(file) })
    return loaded
  })

/**
 * Every watermark recorded in `outDir` (none when the file is missing; a damaged file is an error, saying to give
 * `setting`, as named by `say`, a date instead).
 */
export const readWatermarks = (
  outDir: string,
  setting: "since" | "modifiedSince" = "since",
  say: SettingNames = commandLineNames
): Effect.Effect<ReadonlyMap<string, Watermark>, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.map(watermarksOf(outDir, setting, say), (file) => new Map(Object.entries(file.exports)))

const watermarksOf = (outDir: string, setting: "since" | "modifiedSince", say: SettingNames) =>
  readStateFile(
    outDir,
    watermarksFileName,
    decodeFile,
    (file) =>
      `${file} is damaged, so the previous run's starting point is unknown: give ${say.named(setting)} a date instead of "last" (a successful run writes the file again)`
  )

const readStarted = (outDir: string) =>
  readStateFile(
    outDir,
    startedFileName,
    decodeStarted,
    (file) =>
      `${file} is damaged, so where the interrupted run started is unknown and --resume cannot continue it: run without --resume (with --force) to start the export anew, or remove the file to let --resume start from "last" again`
  )

/** A state file's entries as written, and (`started.json`) the entries of other job runs they replaced. */
interface StateEntries {
  readonly exports: Readonly<Record<string, unknown>>
  readonly replaced: Readonly<Record<string, unknown>>
}

/** How long a change of a state file waits, at most, for another run's change (a shard's) to finish. */
const lockWaitMillis = 10_000

/**
 * Changes the state file `name` of `outDir`: reads it, sets `entries` (each with its digest) beside the others (kept
 * as written), and replaces it atomically
 * (temp file, fsync, rename) — all under the lock file `<name>.lock` beside it (OutputLock's `waitForLockFile`, as the
 * config file's changes), so shards that share the folder never lose each other's entries. A damaged file is
 * replaced (its entries are lost either way; the run's own are kept). `change` turns the entries (and `replaced`
 * ones, see {@link StartedFile}) as written into the new ones; by default it sets `entries`, sealed.
 */
const updateStateFile = <A>(
  outDir: string,
  name: string,
  decode: (text: string) => Exit.Exit<StateFile<A>, unknown>,
  entries: ReadonlyArray<readonly [string, A & object]>,
  change: (state: StateEntries) => StateEntries = (state) => ({
    exports: { ...state.exports, ...Object.fromEntries(entries.map(([id, entry]) => [id, sealed(id, entry)])) },
    replaced: state.replaced
  })
): Effect.Effect<void, ExportError, FileSystem.FileSystem | Path.Path> =>
  Effect.scoped(
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dir = path.join(outDir, stateDirName)
      const target = path.join(dir, name)
      yield* fs.makeDirectory(dir, { recursive: true }).pipe(Effect.ignore)
      const lockPath = `${target}.lock`
      yield* waitForLockFile(lockPath, lockWaitMillis, {
        cannotCreate: (error) =>
          new ExportError({
            kind: "Io",
            message: `cannot create ${lockPath}, the lock of the incremental runs' state (${(error as NodeJS.ErrnoException).code ?? String(error)}): check the folder's permissions`,
            cause: error
          }),
        busy: (holder) =>
          new ExportError({
            kind: "Io",
            message: `${target} is being changed by another spotpipe run (${holder}), which did not finish within ${lockWaitMillis / 1000} s, so this run could not record its entries: rerun once that run has ended (remove ${lockPath} only if no such run exists)`
          })
      })
      const earlier = yield* loadStateFile(target, decode).pipe(
        Effect.mapError((message) => new ExportError({ kind: "Io", message }))
      )
      // An earlier version's entries (no marker, no digest) are sealed as they are read: the marker then covers all.
      const kept =
        earlier === "damaged"
          ? {}
          : earlier.digests !== undefined
            ? earlier.written
            : Object.fromEntries(
                Object.entries(earlier.written).map(([id, entry]) => [
                  id,
                  typeof entry === "object" && entry !== null && !("sha256" in entry) ? sealed(id, entry) : entry
                ])
              )
      const changed = change({ exports: kept, replaced: earlier === "damaged" ? {} : earlier.replaced })
      const next = {
        version: 1,
        digests: "sha256",
        exports: changed.exports,
        ...(Object.keys(changed.replaced).length === 0 ? {} : { replaced: changed.replaced })
      }
      yield* replaceFile(target, `${JSON.stringify(next, null, 2)}\n`)
    })
  )

/**
 * Records `marks` (export id → watermark) in `outDir`'s state file, keeping the other exports' entries; replaced
 * atomically, under its lock. Called once a run's manifest is published (a job's load: once it took their files),
 * for the exports that succeeded.
 */
export const recordWatermarks = (
  outDir: string,
  marks: ReadonlyArray<readonly [string, Watermark]>
): Effect.Effect<void, ExportError | UsageError, FileSystem.FileSystem | Path.Path> =>
  marks.length === 0 ? Effect.void : updateStateFile(outDir, watermarksFileName, decodeFile, marks)

/**
 * Records the starting point each incremental export of a run uses (export id → {@link Started}) in
 * `started.json`, before it writes, so that a `--resume` of the run continues from the same one (see
 * {@link startedOf}). `watermarks.json`, which `last` reads, only successful runs change.
 */
export const recordStarted = (
  outDir: string,
  started: ReadonlyArray<readonly [string, Started]>
): Effect.Effect<void, ExportError, FileSystem.FileSystem | Path.Path> =>
  started.length === 0
    ? Effect.void
    : updateStateFile(outDir, startedFileName, decodeStarted, started, (state) => {
        const exports: Record<string, unknown> = { ...state.exports }
        const replaced: Record<string, unknown> = { ...state.replaced }
        for (const [id, entry] of started) {
          // The entry of another job run is kept aside, as written: that run may not be finished yet.
          const before = exports[id]
          if (before !== undefined && jobRunOf(before) !== entry.job_run) replaced[id] = before
          exports[id] = sealed(id, entry)
        }
        return { exports, replaced }
      })

const jobRunOf = (entry: unknown): string | undefined =>
  typeof entry === "object" && entry !== null && "job_run" in entry && typeof entry.job_run === "string"
    ? entry.job_run
    : undefined

/**
 * Undoes what {@link recordStarted} recorded for the export `id` in a run of job run `jobRun` that is refused before
 * it writes: the entry it replaced is put back as it was (none: its own is removed), so that a `--resume` of the
 * earlier job run continues that run exactly.
 */
export const restoreStarted = (
  outDir: string,
  id: string,
  jobRun: string | undefined
): Effect.Effect<void, ExportError, FileSystem.FileSystem | Path.Path> =>
  updateStateFile(outDir, startedFileName, decodeStarted, [], (state) => {
    const current = state.exports[id]
    if (current === undefined || jobRunOf(current) !== jobRun) return state
    const { [id]: before, ...replaced } = state.replaced
    // In place, so the file is again as it was.
    const exports = Object.fromEntries(
      Object.entries(state.exports).flatMap(([key, entry]) =>
        key !== id ? [[key, entry]] : before === undefined ? [] : [[key, before]]
      )
    )
    return { exports, replaced }
  })

/** The starting point of `spec` as given, or as resolved (an export without one: `undefined`). */
export const startingPointOf = (spec: JobExport["spec"]): Started["given"] | undefined => {
  switch (spec.type) {
    case "metadata":
    case "tml":
      return spec.modifiedSince === undefined ? undefined : { since: spec.modifiedSince }
    case "search":
    case "answer":
    case "liveboard":
      return spec.sinceColumn === undefined || spec.since === undefined ? undefined : { since: spec.since }
    case "audit":
      return { since: spec.since, until: spec.until ?? null }
    default:
      return undefined
  }
}

/**
 * For `--resume`: the starting point the latest run of `entry` into `outDir` resolved, when it was given the same
 * way (`last`, `30d`, …), read the same cluster and was of the same job run (`jobRun`, `--job-run`; or both of
 * none); else `undefined` (the export is resolved as a new run's: a new job run's `last` is the latest watermark).
 */
export const startedOf = (
  outDir: string,
  entry: JobExport,
  host: string,
  jobRun?: string
): Effect.Effect<Started["resolved"] | undefined, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const given = startingPointOf(entry.spec)
    if (given === undefined) return undefined
    const read = yield* readStarted(outDir)
    const [own, latest] = entryOf(read, entry) ?? [watermarkId(entry), undefined]
    // A run of another job run since (a shard refused before it wrote) kept this job run's entry aside.
    const aside = read.replaced[own]
    const useAside = latest?.job_run !== jobRun && jobRunOf(aside) === jobRun && jobRun !== undefined
    const file = useAside ? { ...read, written: { ...read.written, [own]: aside } } : read
    const [id, started] = useAside ? [own, Schema.decodeUnknownSync(Started)(aside)] : ([own, latest] as const)
    if (started !== undefined && !intact(id, file)) {
      const path = yield* Path.Path
      return yield* new UsageError({
        message: `${entry.what}: its entry in ${path.join(outDir, stateDirName, startedFileName)} was changed after its run wrote it (${digestProblem(file, id)}), so where the interrupted run started is unknown and --resume cannot continue it: run without --resume (with --force) to start the export anew`
      })
    }
    if (started === undefined || started.host !== host || started.job_run !== jobRun) return undefined
    const same = started.given.since === given.since && (started.given.until ?? null) === (given.until ?? null)
    return same ? started.resolved : undefined
  })

/**
 * The watermark of `entry`'s previous successful run in `outDir`, of `kind` (and `column`); a usage error saying
 * what to do when there is none.
 */
export const lastWatermark = (
  outDir: string | undefined,
  entry: JobExport,
  kind: WatermarkValue["kind"],
  setting: "since" | "modifiedSince",
  column: string | undefined,
  host: string
): Effect.Effect<string, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    // Named as its user gave it: a flag, or the job file's key.
    const say = settingNames(entry)
    const last = say.last(setting)
    const flag = say.named(setting)
    if (outDir === undefined) {
      return yield* new UsageError({
        message: `${last} reads where the previous run left off, which is recorded in its output folder, but --out - writes to stdout: give ${flag} a date, or write to a folder`
      })
    }
    const file = yield* watermarksOf(outDir, setting, say)
    // Run ids sort by time: of an earlier version's entries, the latest run's.
    const [id, mark] = entryOf(file, entry, (a, b) => a.run_id > b.run_id) ?? [watermarkId(entry), undefined]
    if (mark !== undefined && !intact(id, file)) {
      return yield* new UsageError({
        message: `${entry.what}: its watermark in ${outDir}/${stateDirName}/${watermarksFileName} was changed after its run wrote it (${digestProblem(file, id)}), so where the previous run left off is unknown and ${last} could skip or repeat rows: run it once with ${flag} given a starting point instead of "last" (its last run's manifest lists the watermark it recorded), and that run records its watermark anew`
      })
    }
    // The id names what the export reads (a search's column included): another export's watermark never applies.
    if (mark === undefined || mark.kind !== kind || mark.column !== column) {
      // A full run of these records none (a tml export's does): said, since the user may well have had one.
      const type = entry.spec.type
      const recordsNone =
        type === "metadata"
          ? ` (a run without ${flag}, or one that failed, records none)`
          : type === "search" || type === "answer" || type === "liveboard"
            ? ` (a run without ${say.named("sinceColumn")}, or one that failed, records none)`
            : ""
      return yield* new UsageError({
        message: `${entry.what}: ${last} needs an earlier successful run of this export into ${outDir}, and ${outDir}/${stateDirName}/${watermarksFileName} holds none${recordsNone}: give ${flag} a starting point for the first run${
          // One Org of several (one added since, say): a first run of all of them would read the others again.
          entry.org === undefined
            ? ""
            : `; give that Org its first run alone (${say.alongside(`--orgs ${entry.org.id}`, setting, "DATE")}), so the other Orgs keep their points`
        }`
      })
    }
    // An instant as runs write one (an entry of an earlier version without a digest is not vouched for): else it is
    // damaged, and read further it would fail the export with a bare "Invalid time value" or roll into another day.
    if (mark.kind !== "column" && !isIsoMillis(mark.value)) {
      return yield* new UsageError({
        message: `${entry.what}: its watermark in ${outDir}/${stateDirName}/${watermarksFileName} is damaged (${JSON.stringify(mark.value)} is no instant), so where the previous run left off is unknown: run it once with ${flag} given a starting point instead of "last" (its last run's manifest lists the watermark it recorded), and that run records its watermark anew`
      })
    }
    // The id does not name the cluster: a folder pointed at another one must not continue from this one's point.
    if (mark.host !== undefined && mark.host !== host) {
      return yield* new UsageError({
        message: `${entry.what}: ${last} would continue from the watermark recorded in ${outDir} for ${mark.host}, but this run reads ${host}: give ${flag} a starting point for the first run against ${host}, or write to another --out folder`
      })
    }
    return mark.value
  })

/**
 * The instant (epoch seconds) whose wall time in `zone` a DATE_TIME watermark at `epochSeconds` is written as.
 * A wall time in the hour a fall-back repeats names two instants, and how the cluster reads such a literal is not
 * known: the maximum's own wall time at its first occurrence, read as the second, would skip the rows in between.
 * So a maximum at the first occurrence is written one offset difference earlier (01:30 PDT → 00:30), a wall time
 * that occurs once and is before the maximum; the next run re-reads at most that much. Any other instant, the
 * second occurrence included (both readings are at or before it), is written as it is.
 */
export const unambiguousWatermark = (epochSeconds: number, zone: TimeZone): number => {
  const offset = zone.offsetSeconds(epochSeconds)
  // A fall-back within the next day leaves a smaller offset (no zone changes its offset twice within a day).
  const back = offset - zone.offsetSeconds(epochSeconds + 86_400)
  if (!(back > 0)) return epochSeconds
  // The same wall time comes again `back` seconds later when that instant already has the smaller offset.
  return zone.offsetSeconds(epochSeconds + back) === offset - back ? epochSeconds - back : epochSeconds
}

/** An instant as watermarks and manifests write it: ISO 8601 in UTC with milliseconds. */
export const isoMillis = (millis: number): string => new Date(millis).toISOString()

/** Whether `text` is an instant as {@link isoMillis} writes it (no month 13, no February 30 rolled into March). */
const isIsoMillis = (text: string): boolean => {
  const millis = Date.parse(text)
  return !Number.isNaN(millis) && isoMillis(millis) === text
}

/**
 * Follows a `modified` listing (metadata, TML) to its watermark: call {@link ModifiedTracker.begin} when the
 * listing starts, {@link ModifiedTracker.see} with every object's `modified` (epoch milliseconds; kept or not),
 * {@link ModifiedTracker.end} once it was read whole; {@link ModifiedTracker.value} is then the watermark (see the
 * module comment), and `undefined` before.
 */
export class ModifiedTracker {
  private started: number | undefined
  private newest: number | undefined
  private done = false
  private readonly since: number | undefined
  /** `since`: the listing's filter (epoch milliseconds), if any. */
  constructor(since: number | undefined) {
    this.since = since
  }
  /** The listing starts now (this machine's clock, epoch milliseconds); a second call starts it over. */
  begin(nowMillis: number): void {
    this.started = nowMillis
    this.newest = undefined
    this.done = false
  }
  /** One object's `modified`, kept or left out by the filter. */
  see(modifiedMillis: number): void {
    if (this.newest === undefined || modifiedMillis > this.newest) this.newest = modifiedMillis
  }
  /** The listing was read to its end. */
  end(): void {
    this.done = this.started !== undefined
  }
  /** The watermark, once the listing was read whole. */
  value(): WatermarkValue | undefined {
    if (!this.done || this.started === undefined) return undefined
    const at = this.newest === undefined ? (this.since ?? this.started) : Math.min(this.started, this.newest + 1)
    // Never before the run's own starting point (the newest object may have been deleted, or changed again).
    return { kind: "modified", value: isoMillis(this.since === undefined ? at : Math.max(at, this.since)) }
  }
}
