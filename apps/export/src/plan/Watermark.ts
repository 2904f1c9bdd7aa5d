/**
 * Incremental runs: where an export left off, and from where its next run starts (`--modified-since last`,
 * `--since last`, a job file's `"modifiedSince": "last"` / `"since": "last"`).
 *
 * A **watermark** is recorded for an export only after a run in which it succeeded, once that run's manifest is
 * published: in the output folder's state (`.spotpipe-state/watermarks.json`, replaced atomically, one entry per
 * export, see {@link watermarkId}) and in the manifest entry of each of its outputs (`watermark`). A run that fails,
 * is interrupted or only skips a verified output (`--resume`) records none, so the next `last` starts where the
 * last successful run left off and reads again whatever the failed run may have read.
 *
 * What a watermark is, per kind, chosen so that nothing that changes while a run reads is missed (at the price of
 * reading some objects or rows twice):
 * - `modified` (metadata listings, TML): the instant the listing started, or one millisecond after the newest
 *   `modified` it saw if that is earlier ({@link ModifiedTracker}). An object changed after the listing started has
 *   a later `modified`, so the next run keeps it, even when it sat on a page read before the change. The start is
 *   this machine's clock, which must not run ahead of the cluster's.
 * - `column` (search exports, `--since-column`): the column's maximum, read in a one-row query **before** the data
 *   is read. The next run reads the rows with `[column] >= value`: rows added during this run are read again by
 *   the next one, never skipped, and the rows equal to the watermark come again (load with `--mode merge`).
 * - `audit` (audit logs): the end of the time range read (`--until`); the next run's range starts there, so the
 *   windows of successive runs meet with no gap and no overlap.
 */
import { Effect, Exit, FileSystem, Option, Path, Schema } from "effect"
import type { ExportError } from "../ExportError.ts"
import { replaceFile } from "../output/AtomicFile.ts"
import { stateDirName } from "../output/OutputLock.ts"
import { UsageError } from "../UsageError.ts"
import type { JobExport } from "./JobFile.ts"

/** The word that asks for the previous successful run's watermark. */
export const lastWord = "last"

/** The state file, inside the output folder's `.spotpipe-state/`. */
export const watermarksFileName = "watermarks.json"

/** What a run recorded for one export: its kind, the value, and (for `column`) which column. */
export const WatermarkValue = Schema.Struct({
  kind: Schema.Literals(["modified", "column", "audit"]),
  /** `column`: the search column the value is of. */
  column: Schema.optionalKey(Schema.String),
  /** `modified`, `audit`: an ISO 8601 instant in UTC with milliseconds; `column`: the query literal's text. */
  value: Schema.String
})
/** See {@link WatermarkValue}. */
export type WatermarkValue = typeof WatermarkValue.Type

/** One export's entry in the state file. */
export const Watermark = Schema.Struct({
  ...WatermarkValue.fields,
  /** The run that recorded it (its manifest is `manifest-<run_id>.json`). */
  run_id: Schema.String
})
/** See {@link Watermark}. */
export type Watermark = typeof Watermark.Type

const WatermarksFile = Schema.Struct({ version: Schema.Literal(1), exports: Schema.Record(Schema.String, Watermark) })
const decodeFile = Schema.decodeUnknownExit(Schema.fromJsonString(WatermarksFile))

/**
 * The export a watermark belongs to: its output name when it has one (a job file's export, `--output-name`), its
 * Org (`--orgs`) and what it reads — the spec without its starting point (`modifiedSince`, `since`, `until`) and without the settings
 * that only shape the file — so `--since 2025-01-01` and a later `--since last` are the same export.
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
    ...reads
  } = entry.spec as Record<string, unknown>
  // With `--orgs`, each Org's copy of an export has its own (a single command's copies share no key).
  return `${entry.key ?? "-"} ${stableJson({ ...reads, org: entry.org?.id })}`
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

/** Every watermark recorded in `outDir` (none when the file is missing; a damaged file is an error). */
export const readWatermarks = (
  outDir: string
): Effect.Effect<ReadonlyMap<string, Watermark>, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = path.join(outDir, stateDirName, watermarksFileName)
    const text = yield* fs.readFileString(file).pipe(Effect.option)
    if (Option.isNone(text)) return new Map()
    const decoded = decodeFile(text.value)
    if (Exit.isFailure(decoded)) {
      return yield* new UsageError({
        message: `${file} is damaged, so the previous run's starting point is unknown: give --since or --modified-since a date instead of "last" (a successful run writes the file again)`
      })
    }
    return new Map(Object.entries(decoded.value.exports))
  })

/**
 * Records `marks` (export id → watermark) in `outDir`'s state file, keeping the other exports' entries; replaced
 * atomically. Called once a run's manifest is published, for the exports that succeeded.
 */
export const recordWatermarks = (
  outDir: string,
  marks: ReadonlyArray<readonly [string, Watermark]>
): Effect.Effect<void, ExportError | UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    if (marks.length === 0) return
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const earlier = yield* readWatermarks(outDir).pipe(Effect.orElseSucceed(() => new Map<string, Watermark>()))
    const exports: Record<string, Watermark> = Object.fromEntries(earlier)
    for (const [id, mark] of marks) exports[id] = mark
    const dir = path.join(outDir, stateDirName)
    yield* fs.makeDirectory(dir, { recursive: true }).pipe(Effect.ignore)
    yield* replaceFile(path.join(dir, watermarksFileName), `${JSON.stringify({ version: 1, exports }, null, 2)}\n`)
  })

/**
 * The watermark of `entry`'s previous successful run in `outDir`, of `kind` (and `column`); a usage error saying
 * what to do when there is none.
 */
export const lastWatermark = (
  outDir: string | undefined,
  entry: JobExport,
  kind: WatermarkValue["kind"],
  flag: string,
  column?: string
): Effect.Effect<string, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    if (outDir === undefined) {
      return yield* new UsageError({
        message: `${flag} last reads where the previous run left off, which is recorded in its output folder, but --out - writes to stdout: give ${flag} a date, or write to a folder`
      })
    }
    const mark = (yield* readWatermarks(outDir)).get(watermarkId(entry))
    // The id names what the export reads (a search's column included): another export's watermark never applies.
    if (mark === undefined || mark.kind !== kind || mark.column !== column) {
      return yield* new UsageError({
        message: `${entry.what}: ${flag} last needs an earlier successful run of this export into ${outDir}, and there is none: give ${flag} a starting point for the first run`
      })
    }
    return mark.value
  })

/** Milliseconds of the units `--since 30d` / `12h` / `90m` takes. */
const unitMillis: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 }

/**
 * An instant as the flags take it, in epoch milliseconds: `now`, a duration before `now` (`30d`, `12h`, `90m`),
 * a date (`2025-06-01`, UTC midnight), or an ISO 8601 instant with a zone (`2025-06-01T12:00:00Z`,
 * `…+02:00`). A string saying what is wrong otherwise.
 */
export const parseInstant = (text: string, nowMillis: number): number | { readonly refused: string } => {
  const trimmed = text.trim()
  if (trimmed.toLowerCase() === "now") return nowMillis
  const ago = /^(\d{1,6})([dhm])$/i.exec(trimmed)
  if (ago !== null) return nowMillis - Number(ago[1]) * unitMillis[ago[2]!.toLowerCase()]!
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed)
  if (date !== null) {
    const millis = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]))
    if (new Date(millis).toISOString().slice(0, 10) === trimmed) return millis
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/i.test(trimmed)) {
    const millis = Date.parse(trimmed)
    if (Number.isFinite(millis)) return millis
  }
  return {
    refused: `"${text}" is not a time: give a date (2025-06-01, UTC), an instant with its zone (2025-06-01T12:00:00Z), a span before now (30d, 12h, 90m) or now`
  }
}

/** An instant as watermarks and manifests write it: ISO 8601 in UTC with milliseconds. */
export const isoMillis = (millis: number): string => new Date(millis).toISOString()

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
    return { kind: "modified", value: isoMillis(at) }
  }
}
