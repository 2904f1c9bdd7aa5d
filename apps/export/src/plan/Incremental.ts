/**
 * The incremental exports' planning: where each starts (`resolveIncremental`, before the plan: `last` becomes the
 * previous successful run's watermark, relative times become instants, so the export's fingerprint holds the
 * concrete starting point; with `--resume`, the interrupted run's resolved point), and what each reads and records as its next watermark (see Watermark.ts):
 * - a metadata listing with `modifiedSince` keeps the objects modified at or after it ({@link incrementalMetadata}),
 *   and so does a TML export's listing (`AdminExports.resolveTml`: users, groups and roles are always written whole);
 * - a search with `sinceColumn`/`since` reads `<query> [column] >= 'value'` ({@link incrementalSearch}), an answer
 *   or liveboard visualization the same rows through the runtime filter `column GE value` ({@link incrementalRuntime});
 * - an audit export reads `[since, until)` ({@link auditOutput}).
 */

import { AuditLog } from "@spotpipe/core"
import {
  type DateCellError,
  decodeCell,
  isDateColumnType,
  isPeriod,
  makeCellRenderer,
  resolveTimeZone,
  type TimeZone,
  UTC
} from "@spotpipe/decode"
import { Clock, Effect, type FileSystem, Option, type Path, Result, Stream } from "effect"
import {
  auditColumns,
  type Cluster,
  type DataPage,
  type MetadataObject,
  type ResultColumn,
  type RuntimeRequest,
  type TypedColumn
} from "../cluster/Cluster.ts"
import { ExportError } from "../ExportError.ts"
import { closest, didYouMean } from "../Suggest.ts"
import { UsageError } from "../UsageError.ts"
import { type ExportOrg, type ExportSpec, type JobExport, lastWord, makeExport, parseInstant } from "./JobFile.ts"
import { maxRuntimeFilters, type RuntimeOptions, runtimeRequestOf } from "./RuntimeOptions.ts"
import { aggregatedColumn } from "./SearchColumns.ts"
import { savedQueryOf, tokensOf } from "./SearchOrder.ts"
import { commandLineNames, type SettingNames, settingNames } from "./SettingNames.ts"
import { wallEpochOf, wallInstant } from "./WallTime.ts"
import {
  isoMillis,
  lastWatermark,
  ModifiedTracker,
  type Started,
  startedOf,
  startingPointOf,
  unambiguousWatermark,
  type WatermarkValue,
  watermarkId
} from "./Watermark.ts"

/** The rule moved to WallTime.ts; exported here as before. */
export { wallInstant }

const isLast = (text: string) => text.trim().toLowerCase() === lastWord

/** How long ThoughtSpot may take to make an audit event available (its documentation: up to 30 minutes). */
const auditSettleMillis = 30 * 60_000
/** How long ThoughtSpot keeps security audit events (its documentation: 30 days). */
const auditRetentionMillis = 30 * 86_400_000

/** `entry` with `spec` in place of its own (a new fingerprint, from the concrete starting point). */
const withSpec = (entry: JobExport, spec: ExportSpec): JobExport => {
  const { fingerprint: _, ...given } = entry
  return makeExport({ ...given, spec })
}

const instantOf = (text: string, setting: string, nowMillis: number) => {
  const parsed = parseInstant(text, nowMillis)
  return typeof parsed === "number"
    ? Effect.succeed(parsed)
    : Effect.fail(new UsageError({ message: `${setting} ${parsed.refused}` }))
}

/**
 * What to do about an audit range that ends (`until`) before it starts (`since`): after `since` last, the previous
 * run ended later than this `until`; a span before now (`1h`) reaches that end by waiting, any `until` by a later one.
 */
const reversedRangeAdvice = (
  spec: { readonly since: string; readonly until?: string | undefined },
  since: number,
  until: number,
  nowMillis: number,
  say: SettingNames
): string => {
  const later = `give a later ${say.named("until")} (${say.written("until", "now")}, or any time from ${isoMillis(since)} on)`
  if (!isLast(spec.since)) return `give ${say.named("since")} a time before ${say.named("until")}, or ${later}`
  const gap = since - until
  const minutes = Math.ceil(gap / 60_000)
  const wait =
    spec.until !== undefined && /^\s*\d+[dhm]\s*$/i.test(spec.until)
      ? `run it again from ${isoMillis(nowMillis + gap)} on (${minutes < 120 ? `${minutes} ${minutes === 1 ? "minute" : "minutes"}` : `${Math.ceil(minutes / 60)} hours`} from now), when this ${say.named("until")} has reached that end, or `
      : ""
  return `the previous run into this folder ended at ${isoMillis(since)}, later than this ${say.named("until")}: ${wait}${later}`
}

/**
 * `entry` with its starting point made concrete: `last` → the watermark its previous successful run into `outDir`
 * recorded (a usage error when there is none, when it was recorded for another cluster than `host`, or with
 * `--out -`), a relative time (`30d`, `now`) → an ISO instant. An audit export's `until` defaults to now, and its
 * range is checked (not reversed, not ending in the future; its warnings are {@link auditRangeWarnings}). With
 * `resume`, an export given the same way as in the latest run into `outDir` takes that run's resolved starting
 * point instead when that run was of the same job run `jobRun` (see `Watermark.startedOf`), so the resume continues
 * that run rather than starting a new increment over its files. Other exports come back as they are.
 */
export const resolveIncremental = (
  entry: JobExport,
  outDir: string | undefined,
  nowMillis: number,
  host: string,
  resume = false,
  jobRun?: string
): Effect.Effect<JobExport, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const unclear = zonedWallRefusal(entry)
    if (unclear !== undefined) return yield* new UsageError({ message: `${entry.what}: ${unclear}` })
    if (resume && outDir !== undefined) {
      const started = yield* startedOf(outDir, entry, host, jobRun)
      if (started !== undefined) return withStartingPoint(entry, started)
    }
    const spec = entry.spec
    // Settings named as the user gave them: flags, or the job file's keys.
    const say = settingNames(entry)
    switch (spec.type) {
      case "metadata":
      case "tml": {
        if (spec.modifiedSince === undefined) return entry
        const since = isLast(spec.modifiedSince)
          ? yield* lastWatermark(outDir, entry, "modified", "modifiedSince", undefined, host)
          : isoMillis(yield* instantOf(spec.modifiedSince, say.named("modifiedSince"), nowMillis))
        return withSpec(entry, { ...spec, modifiedSince: since })
      }
      case "search":
      case "answer":
      case "liveboard": {
        if (spec.sinceColumn === undefined || spec.since === undefined || !isLast(spec.since)) return entry
        const since = yield* lastWatermark(outDir, entry, "column", "since", spec.sinceColumn, host)
        // A given --since is held to this when read; a maximum read from the data is not, until here.
        if (spec.type === "search" && since.includes("'")) {
          return yield* new UsageError({
            message: `${entry.what}: the previous run's maximum of [${spec.sinceColumn}], ${JSON.stringify(since)}, holds a single quote, which a search cannot hold in its query ([${spec.sinceColumn}] >= '…'), so ${say.last("since")} cannot start there: give ${say.named("since")} a value without one, or export a saved answer of the query instead (its filter takes the value apart from any query)`
          })
        }
        return withSpec(entry, { ...spec, since })
      }
      case "audit": {
        const since = isLast(spec.since)
          ? Date.parse(yield* lastWatermark(outDir, entry, "audit", "since", undefined, host))
          : yield* instantOf(spec.since, say.named("since"), nowMillis)
        const until = spec.until === undefined ? nowMillis : yield* instantOf(spec.until, say.named("until"), nowMillis)
        if (until > nowMillis) {
          return yield* new UsageError({
            message: `${entry.what}: ${say.named("until")} ${isoMillis(until)} is in the future (now is ${isoMillis(nowMillis)}): events after now are not there yet, and the next ${say.lastRun("since")} would start after them; leave ${say.named("until")} out for now`
          })
        }
        // core refuses such a bound as likely epoch seconds; a date given here is said in the user's own terms.
        if (since < AuditLog.EARLIEST_MILLIS) {
          return yield* new UsageError({
            message: `${entry.what}: ${say.named("since")} ${isoMillis(since)} is before ${isoMillis(AuditLog.EARLIEST_MILLIS)}, where ThoughtSpot keeps no audit events (it keeps them for 30 days): give a later ${say.named("since")}, e.g. 30d`
          })
        }
        if (since > until) {
          return yield* new UsageError({
            message: `${entry.what}: the range starts after it ends (${say.named("since")} ${isoMillis(since)}, ${say.named("until")} ${isoMillis(until)}): ${reversedRangeAdvice(spec, since, until, nowMillis, say)}`
          })
        }
        // The range's warnings (late events, retention) are said when it is planned (`auditOutput`).
        return withSpec(entry, { ...spec, since: isoMillis(since), until: isoMillis(until) })
      }
      default:
        return entry
    }
  })

/** `YYYY-MM-DD HH:mm:ss UTC`, the instant `epochSeconds` as a zoned `since` that names one instant wherever read. */
const utcWallText = (epochSeconds: number): string =>
  `${isoMillis(epochSeconds * 1000)
    .slice(0, 19)
    .replace("T", " ")} UTC`

/**
 * Why the `since` `entry` was given, a wall time with its zone (`2025-11-02 01:30:00 America/Los_Angeles`), names
 * no one instant: that zone has the wall time twice (a fall-back) or never (a spring-forward gap), so it would start
 * at another instant under each data time zone (the cluster's reading of a repeated one is not known). Runs resolve
 * their own watermarks apart from this (`last`): a given value only.
 */
const zonedWallRefusal = (entry: JobExport): string | undefined => {
  const spec = entry.spec
  if (spec.type !== "search" && spec.type !== "answer" && spec.type !== "liveboard") return undefined
  if (spec.sinceColumn === undefined || spec.since === undefined || isLast(spec.since)) return undefined
  const zoned = zonedText.exec(spec.since)
  // A day names no time of day; a zone not known is said where the value is read.
  if (zoned === null || zoned[1]!.length === 10) return undefined
  const zone = resolveTimeZone(zoned[2]!)
  const wall = wallEpochOf(zoned[1]!, false, "UTC")
  if (zone instanceof Error || typeof wall !== "number") return undefined
  const offsets = [zone.offsetSeconds(wall - 86_400), zone.offsetSeconds(wall), zone.offsetSeconds(wall + 86_400)]
  const instants = [...new Set(offsets.map((o) => wall - o))]
    .filter((t) => t + zone.offsetSeconds(t) === wall)
    .sort((a, b) => a - b)
  if (instants.length === 1) return undefined
  const say = settingNames(entry)
  const given = say.named("since", spec.since)
  const wallTime = zoned[1]!.slice(11)
  if (instants.length > 1) {
    const [first, second] = [utcWallText(instants[0]!), utcWallText(instants[instants.length - 1]!)]
    return `${given} names a wall time ${zoned[2]} has twice (its clocks go back over it): ${wallTime} there is ${first.slice(11)} and again ${second.slice(11)}, so it would start at another instant under each data time zone: give the one you mean in UTC, ${say.named("since", first)} (the first) or ${say.named("since", second)} (the second)`
  }
  const end = wallInstant(wall, zone)
  return `${given} names a wall time ${zoned[2]} does not have (its clocks go forward over it), so it would start at another instant under each data time zone: give a time outside the gap, or an instant in UTC, such as ${say.named("since", utcWallText(end))} (where the gap ends)`
}

/** `entry` with the resolved starting point `point` (see `Watermark.Started`) in place of its own. */
const withStartingPoint = (entry: JobExport, point: Started["resolved"]): JobExport => {
  const spec = entry.spec
  switch (spec.type) {
    case "metadata":
    case "tml":
      return withSpec(entry, { ...spec, modifiedSince: point.since })
    case "search":
    case "answer":
    case "liveboard":
      return withSpec(entry, { ...spec, since: point.since })
    case "audit":
      return withSpec(entry, {
        ...spec,
        since: point.since,
        ...(typeof point.until === "string" ? { until: point.until } : {})
      })
    default:
      return entry
  }
}

/**
 * The starting points of a run's incremental exports (export id → as given and as resolved in `resolved`, and the
 * run's job run `jobRun`), for `Watermark.recordStarted`.
 */
export const startedPoints = (
  pairs: ReadonlyArray<readonly [given: JobExport, resolved: JobExport]>,
  host: string,
  jobRun?: string
): ReadonlyArray<readonly [string, Started]> =>
  pairs.flatMap(([given, resolved]) => {
    const from = startingPointOf(given.spec)
    const to = startingPointOf(resolved.spec)
    return from === undefined || to === undefined
      ? []
      : [
          [
            watermarkId(given),
            { given: from, resolved: to, host, ...(jobRun === undefined ? {} : { job_run: jobRun }) }
          ]
        ]
  })

/**
 * A metadata listing's pages, keeping only the objects modified at or after `modifiedSince` (an ISO instant, when
 * set), and its watermark once the listing was read whole.
 */
export const incrementalMetadata = <E>(
  cluster: Cluster<E>,
  types: ReadonlyArray<string>,
  pageSize: number,
  lists: boolean,
  modifiedSince: string | undefined
) => {
  const since = modifiedSince === undefined ? undefined : Date.parse(modifiedSince)
  const tracker = new ModifiedTracker(since)
  const pages = (): Stream.Stream<DataPage, E> =>
    Stream.unwrap(
      Effect.map(Clock.currentTimeMillis, (now) => {
        tracker.begin(now)
        return cluster
          .metadataPages(types, pageSize, lists, { since, see: (m) => tracker.see(m) })
          .pipe(Stream.concat(Stream.fromEffectDrain(Effect.sync(() => tracker.end()))))
      })
    )
  return { pages, watermark: () => tracker.value() }
}

const numericTypes = new Set(["INT64", "INT32", "DOUBLE", "FLOAT"])

/** `value` as a search-query literal of a column of `type`: a number as it is, anything else in single quotes. */
const literalOf = (value: string, type: string | undefined, what: string, say: SettingNames): string | ExportError => {
  if (type !== undefined && numericTypes.has(type)) {
    return /^-?\d+(\.\d+)?$/.test(value)
      ? value
      : new ExportError({
          kind: "BadData",
          message: `${what}: ${say.named("since", value)} is not a number, but the column is ${type}: give a number`
        })
  }
  return `'${value}'`
}

/**
 * A search with `sinceColumn`: its query with the filter `[column] >= value` appended, and its watermark — the
 * column's maximum, read in a one-row query (`max [column]`) before any data is read (see Watermark.ts). The value
 * is written as a query literal: a DATE as `YYYY-MM-DD` and a DATE_TIME as `YYYY-MM-DD HH:mm:ss` in the data time
 * zone (`dataZone`, asked for only then; a maximum in the first occurrence of a repeated hour one offset difference
 * earlier, see `Watermark.unambiguousWatermark`), a number as its digits, anything else as its text. Refused (exit
 * 2, before the maximum and any data are read): a query that buckets the column (but a DATE by day, `.daily` or
 * `.'daily'`: a day of a DATE is its value, filtered and watermarked as the column), a query that keeps only some of
 * its rows (`top N`, `bottom N`: see {@link limitRefusal}), and a result whose rows do not each stand for rows on one
 * side of the starting point (see {@link groupingRefusal}), read from one row of it.
 */
export const incrementalSearch = <E>(
  cluster: Cluster<E>,
  table: MetadataObject,
  spec: Extract<ExportSpec, { readonly type: "search" }>,
  dataZone: Effect.Effect<string, ExportError | UsageError>,
  what: string,
  say: SettingNames = commandLineNames
): Effect.Effect<
  {
    readonly query: string
    readonly watermark?: () => WatermarkValue | undefined
    /** What the run should know (already logged), for the output's manifest entry. */
    readonly warnings?: ReadonlyArray<string>
  },
  E | ExportError | UsageError
> =>
  Effect.gen(function* () {
    const column = spec.sinceColumn
    if (column === undefined || spec.since === undefined) return { query: spec.query }
    const known = table.columns.find((c) => c.name === column)
    // A mistyped setting, as the same mistake on an answer (see `incrementalRuntime`).
    if (known === undefined) {
      const names = table.columns.map((c) => c.name)
      return yield* new UsageError({
        message: `${what}: ${say.named("sinceColumn", column)} is not a column of "${table.name}": choose from ${names
          .map((name) => `"${name}"`)
          .join(", ")}${didYouMean(closest(column, names))}`
      })
    }
    const limited = limitRefusal(spec.query, column, say)
    if (limited !== undefined) return yield* new UsageError({ message: `${what}: ${limited}` })
    // A query grouping the column into periods (`[Order Date].monthly`): the period holding the starting point would
    // hold only the rows from there on — a part of a month written as the month, which the next run (starting at
    // this run's maximum, inside its last period) writes again as another part. A DATE by day (`.daily`, or
    // `.'daily'` as a cluster was seen to want it) is the exception: one day is one date, its value.
    const escaped = column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    const bucketing = [...spec.query.matchAll(new RegExp(`\\[\\s*${escaped}\\s*\\]\\s*\\.\\s*('[^']*'?|\\w*)`, "gi"))]
    const period = bucketing
      .map((m) => m[1]!.replace(/^'|'$/g, "").toLowerCase())
      .find((bucket) => !(bucket === "daily" && known.type === "DATE"))
    if (period !== undefined) {
      const instants = period === "daily" ? ` (a day of a ${known.type} holds many instants)` : ""
      const byDay = known.type === "DATE" ? `, show it by day ([${column}].'daily': a day of a DATE is its value)` : ""
      return yield* new UsageError({
        message: `${what}: the query groups [${column}] into periods${instants}, and ${say.named("sinceColumn", column)} would cut the first one: its row would total only part of its period (and a ${say.lastRun("since")}, starting inside the last period, would write that period again as another part). Put the column's filter in the query at a period's start instead (${say.written("query", `${spec.query} [${column}] >= '…'`)})${byDay}, or use ${say.named("sinceColumn")} with a query that does not bucket it`
      })
    }
    const timeZone = yield* dataZone
    // A watermark recorded in another data time zone: the same instant, in this run's.
    const start = sinceInDataZone(spec.since, known.type, timeZone)
    if (typeof start !== "string") {
      return yield* new UsageError({ message: `${what}: ${say.named("since", spec.since)} ${start.refused}` })
    }
    // The cluster reads a date-time literal as a wall time in its own zone, which a --timezone may make another than
    // the data time zone that --since and the watermark are given in: the literal is the same instant in its zone.
    const dated = known.type === "DATE_TIME" || known.type === "TIMESTAMP"
    const clusterZone = dated ? Option.getOrUndefined(yield* cluster.timeZone) : undefined
    const since = sinceInZone(start, known.type, timeZone, clusterZone)
    if (typeof since !== "string") {
      return yield* new UsageError({ message: `${what}: ${say.named("since", spec.since)} ${since.refused}` })
    }
    const literal = literalOf(since, known.type, what, say)
    if (literal instanceof ExportError) return yield* literal
    const query = `${spec.query} [${column}] >= ${literal}`
    // How the cluster shapes the result (a bare date grouped by month, measures totalled) shows only in its column
    // names: one row of it, before the maximum and any data.
    const shape = yield* Stream.runHead(cluster.searchPages(table.id, query, 1, 0).pipe(Stream.take(1)))
    const names = Option.getOrUndefined(shape)?.columnNames
    const refused = groupingRefusal(names, table.columns, column, spec.query, say)
    if (refused !== undefined) return yield* new UsageError({ message: `${what}: ${refused}` })
    // Before any data is read: rows added while the export runs are read again next time, never skipped.
    const head = yield* Stream.runHead(cluster.searchPages(table.id, `max [${column}]`, 1, 0).pipe(Stream.take(1)))
    const rows = Option.getOrUndefined(head)?.rows
    const cell = Array.isArray(rows) ? (rows[0] as ReadonlyArray<unknown> | undefined)?.[0] : undefined
    const mark = cell === undefined || cell === null ? undefined : literalText(cell, known.type, timeZone, say)
    if (mark instanceof ExportError)
      return yield* new ExportError({ kind: mark.kind, message: `${what}: ${mark.message}` })
    const sampled = sampleWarnings(Option.getOrUndefined(shape)?.samplingRatio, start, say)
    const future = futureWarnings(mark, known.type, column, yield* Clock.currentTimeMillis, say)
    for (const warning of [...sampled, ...future]) yield* Effect.logWarning(`${what}: ${warning}`)
    const value = watermarkText(sampled.length > 0 ? start : (mark ?? start), known.type, timeZone)
    return {
      query,
      // No maximum (an empty table), or a sample: the next run starts where this one did.
      watermark: () => ({ kind: "column", column, value }),
      warnings: [...sampled, ...future]
    }
  })

/**
 * The warning of a maximum later than now (`mark`, a DATE or DATE_TIME maximum's wall text; none otherwise): the
 * next run starts there, so rows added later with earlier values — today's orders beside an "open-ended"
 * 9999-12-31 — are never read. Two days past UTC's today: a wall time in any zone is within a day of it.
 */
export const futureWarnings = (
  mark: string | undefined,
  type: string,
  column: string,
  nowMillis: number,
  say: SettingNames
): ReadonlyArray<string> => {
  if (mark === undefined || (type !== "DATE" && type !== "DATE_TIME" && type !== "TIMESTAMP")) return []
  const horizon = new Date(nowMillis + 2 * 86_400_000).toISOString().slice(0, 10)
  return mark.slice(0, 10) > horizon
    ? [
        `the maximum of [${column}] is ${mark}, in the future: the next ${say.lastRun("since")} starts there, so rows added later with earlier values of [${column}] will not be read. A column holding future or "open-ended" dates (9999-12-31) does not fit an incremental export: choose one that grows with time, such as a modified-at timestamp`
      ]
    : []
}

/**
 * The warning of an incremental read of a result the cluster samples (`ratio` < 1; none otherwise): the rows a
 * sample leaves out are not written, and a watermark past them would skip them for good, so it stays at `since`.
 */
/** Digit strings (Org ids) in numeric order, so a message lists them the same way whatever order the rows came in. */
const byNumber = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)

const sampleWarnings = (ratio: number | undefined, since: string, say: SettingNames): ReadonlyArray<string> =>
  ratio === undefined || ratio >= 1
    ? []
    : [
        `the cluster returns a sample of its result (sampling_ratio ${ratio}), so rows it leaves out are not written: the watermark stays at this run's starting point (${since}), and the next ${say.lastRun("since")} reads from there again`
      ]

/** A date column's watermark text: its wall time, then the zone it is in (`2025-06-01 13:30:00 UTC`). */
const zonedText = /^(\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?) ((?!\d{2}:\d{2}:\d{2}$)\S+)$/

const datedTypes = new Set(["DATE", "DATE_TIME", "TIMESTAMP"])

/**
 * The watermark text of `value`, a wall time in `dataZone` of a column of `type`: a DATE's or DATE_TIME's names its
 * zone (`2025-06-01 13:30:00 America/Los_Angeles`), so that a later run in another data time zone reads the same
 * instant ({@link sinceInDataZone}); any other value as it is.
 */
export const watermarkText = (value: string, type: string, dataZone: string): string =>
  datedTypes.has(type) ? `${value} ${dataZone}` : value

/**
 * `since`, the starting point of a DATE or DATE_TIME (TIMESTAMP) column, as a wall time in `dataZone`. One that
 * names its zone (a watermark, see {@link watermarkText}, or a `--since` given so) is read there as an instant (at
 * its first occurrence; a watermark never falls in a gap) and written in `dataZone`: a DATE as the day holding that
 * instant, a DATE_TIME as its wall time (one offset difference earlier at the first of two occurrences, see
 * `Watermark.unambiguousWatermark`) — never later than it, so no row is skipped, and the rows at it come again. One
 * without a zone is a wall time in `dataZone`, as given; so is a watermark of an earlier version, which recorded
 * none (read as before: in the current run's data time zone). Other types: as it is.
 */
export const sinceInDataZone = (
  since: string,
  type: string,
  dataZone: string
): string | { readonly refused: string } => {
  const zoned = datedTypes.has(type) ? zonedText.exec(since) : null
  if (zoned === null) return since
  const wall = zoned[1]!
  const named = zoned[2]!
  if (named === dataZone) return wall
  const day = type === "DATE"
  const epoch = wallEpochOf(wall, day, named)
  if (typeof epoch !== "number") {
    if (epoch.problem === "zone") {
      return {
        refused: `names the time zone "${named}", which this runtime does not know: give the starting point as a wall time in the data time zone (${dataZone}), without a zone`
      }
    }
    const refused = filterValueOf(wall, type, named)
    return typeof refused === "string" ? { refused: "is no date or time" } : refused
  }
  const zone = resolveTimeZone(dataZone)
  if (zone instanceof Error) return { refused: `cannot be read in the data time zone: ${zone.message}` }
  // A DATE: the day whose wall times hold that instant (not a DATE cell's rendering, which wants a midnight).
  const text = day ? utcText(epoch + zone.offsetSeconds(epoch)) : wallTime(decodeCell(epoch), zone)
  if (typeof text !== "string") {
    return { refused: `cannot be written in the data time zone ${dataZone}: ${text === null ? "null" : text.message}` }
  }
  return day ? text.slice(0, 10) : text
}

/**
 * `since`, a DATE_TIME (or TIMESTAMP) wall time in `dataZone`, as the wall time of the same instant in `clusterZone`
 * (where the cluster reads a search literal; one offset difference earlier at the first of two occurrences, see
 * `Watermark.unambiguousWatermark`): as it is for other types, when the cluster's zone is not known or is the
 * data time zone. A text that is no such wall time is refused, saying why.
 */
const sinceInZone = (
  since: string,
  type: string,
  dataZone: string,
  clusterZone: string | undefined
): string | { readonly refused: string } => {
  if ((type !== "DATE_TIME" && type !== "TIMESTAMP") || clusterZone === undefined || clusterZone === dataZone) {
    return since
  }
  const epoch = wallEpochOf(since, false, dataZone)
  if (typeof epoch !== "number") {
    const refused = filterValueOf(since, type, dataZone)
    return typeof refused === "string" ? { refused: "cannot be read in the data time zone" } : refused
  }
  const zone = resolveTimeZone(clusterZone)
  if (zone instanceof Error) return { refused: `cannot be written in the cluster's time zone: ${zone.message}` }
  const text = wallTime(decodeCell(epoch), zone)
  return typeof text === "string"
    ? text
    : {
        refused: `cannot be written in the cluster's time zone ${clusterZone}: ${text === null ? "null" : text.message}`
      }
}

/**
 * Why a search result with the columns `names` (from a one-row read of the filtered query) cannot be read from a
 * starting point of `column` (a column of `model`) and its increments combined exactly, or `undefined` when
 * it can: each of its rows must stand for rows on one side of the starting point only. Refused: `column` grouped
 * into periods (`Month(Order Date)`: a bare date in an aggregated query is, though the query does not say so), and
 * totals (`Total Revenue`) in a result that does not show `column` as it is — a total then mixes rows from before
 * and after the starting point, and the rows at the watermark, which the next run reads again, would be in two
 * runs' totals. A result with totals that shows `column` as it is holds totals of one value of it each: whole in
 * every run, read again whole at the watermark, as rows are. A DATE `column` by day (`Day(Order Date)`) is shown
 * as it is (one day is one date); a day of a DATE_TIME is a period. Result names are matched to model columns as
 * SearchColumns.ts matches them; a result without names cannot be checked and is refused. The reason ends with what
 * to do instead (`query`: the query as given).
 */
export const groupingRefusal = (
  names: ReadonlyArray<string> | undefined,
  model: ReadonlyArray<TypedColumn>,
  column: string,
  query: string,
  say: SettingNames = commandLineNames
): string | undefined => {
  const wayOut = `Use a row-level query (a column unique to each row, such as an ID, and no totals), or put the filter in the query and export the whole result each run (${say.written("query", `${query} [${column}] >= '…'`)} without ${say.named("sinceColumn")})`
  if (names === undefined || names.length === 0) {
    return `the cluster's result names no columns, so whether it groups or totals [${column}] cannot be checked. ${wayOut}`
  }
  const wanted = column.trim().toLowerCase()
  // The bucket a result column puts `column` in ("Month(Order Date)" → "month"), or `undefined`.
  const bucketOf = (name: string) => {
    const bucket = /^([^()]+)\((.+)\)$/.exec(name)
    return bucket !== null && bucket[2]!.trim().toLowerCase() === wanted ? bucket[1]!.trim().toLowerCase() : undefined
  }
  // A DATE by day ("Day(Order Date)", as the sandbox and ThoughtSpot name it) is the column as it is: one day is one
  // date. A day of a DATE_TIME holds many instants, and stays a period.
  const date = model.find((c) => c.name === column)?.type === "DATE"
  const byDay = (unit: string | undefined) => date && unit !== undefined && dayUnits.has(unit)
  const keepByDay = date
    ? `For a DATE, add [${column}].'daily' to the query instead: a day of a DATE is its value, so each row stands for rows of one date. `
    : ""
  const period = names.find((name) => bucketOf(name) !== undefined && !byDay(bucketOf(name)))
  if (period !== undefined) {
    return `the cluster groups [${column}] into periods (its result has the column "${period}": a date the query gives without a bucket is grouped by month in a result that is not row-level), and ${say.named("sinceColumn", column)} would cut the first one: its row would total only part of its period (and a ${say.lastRun("since")}, starting inside the last period, would write that period again as another part). ${keepByDay}${wayOut}`
  }
  const total = names.find((name) => aggregatedColumn(model, name) !== undefined)
  const shown =
    names.some((name) => name === column || byDay(bucketOf(name))) && aggregatedColumn(model, column) === undefined
  if (total !== undefined && !shown) {
    return `the query's result holds totals (its column "${total}") and does not show [${column}] as it is, so each total mixes rows from before and after the starting point: a run's totals are of the rows from its ${say.named("since")} on, and the rows at its watermark, which the next ${say.lastRun("since")} reads again, would be in two runs' totals (summing the runs would count them twice). ${keepByDay}${wayOut}`
  }
  return undefined
}

/**
 * Why a search `query` with `top N` or `bottom N` (a bare `top` or `bottom`: 10, as on ThoughtSpot) cannot be read
 * from a starting point of `column`, or `undefined` when it has neither: the cluster applies the filter first, so
 * each run would write the top N of its own increment, and no loading mode (append, merge) combines those into the
 * top N of all rows. The words count as search keywords only (see `SearchOrder.tokensOf`), not inside a `[column]`
 * or a quoted value. The reason ends with what to do instead.
 */
export const limitRefusal = (
  query: string,
  column: string,
  say: SettingNames = commandLineNames
): string | undefined => {
  const tokens = tokensOf(query)
  const at = tokens.findIndex((t) => t.kind === "word" && (t.word === "top" || t.word === "bottom"))
  const keyword = tokens[at]
  if (keyword?.kind !== "word") return undefined
  const count = tokens[at + 1]
  const limit = count?.kind === "word" && /^\d+$/.test(count.word) ? `${keyword.word} ${count.word}` : keyword.word
  return `the query keeps only some of its rows ("${limit}"), and ${say.named("sinceColumn", column)} would write those of each run's rows (from its starting point on), not of all rows: no load (append or merge) combines the runs' into the ${keyword.word} rows of the whole result. Take the ${keyword.word} rows in the warehouse from an incremental export of the query without "${limit}", or leave ${say.named("sinceColumn")} out and export the whole result each run`
}

/**
 * An answer's or visualization's `--since-column` over a saved query that keeps only its top (or bottom) rows is
 * refused as a search's is ({@link limitRefusal}); the saved query is its TML's (`tml`: SavedTml.ts, read once,
 * `viz` for a liveboard's visualization). A query that cannot be read is a warning (logged, and returned for the
 * output's manifest entry): whether it limits its rows is not known, so it is said, never guessed.
 */
export const savedLimitCheck = (
  tml: Effect.Effect<Result.Result<string, string>>,
  column: string,
  what: string,
  viz?: string,
  say: SettingNames = commandLineNames
): Effect.Effect<ReadonlyArray<string>, UsageError> =>
  Effect.gen(function* () {
    const query = Result.flatMap(yield* tml, (text) => savedQueryOf(text, viz))
    if (Result.isFailure(query)) {
      const warning = `whether its saved query keeps only some of its rows (top N) could not be checked (${query.failure}): if it does, ${say.named("sinceColumn", column)} writes those of each run's rows, not of all rows`
      yield* Effect.logWarning(`${what}: ${warning}`)
      return [warning]
    }
    const refusal = limitRefusal(query.success, column, say)
    if (refusal !== undefined) {
      return yield* new UsageError({ message: `${what}: ${refusal.replace(/^the query/, "its saved query")}` })
    }
    return []
  })

/** The result-name buckets of one day ("Day(Order Date)"). */
const dayUnits = new Set(["day", "daily"])

/** A result column name of a date grouped into periods, as ThoughtSpot prints one ("Month(Order Date)"). */
const periodName = /^\s*(hour|day|week|month|quarter|year|hourly|daily|weekly|monthly|quarterly|yearly)\s*\(.+\)\s*$/i

/** The `--since-column` of an answer or liveboard visualization, its filter and how its maximum is read. */
export interface RuntimeSince {
  /** The export's runtime filters with `[column] GE since` added, and its sort. */
  readonly runtime: RuntimeOptions
  /** The watermark, the column's maximum, read before any data (see {@link incrementalRuntime}). */
  readonly watermark: () => WatermarkValue | undefined
  /** What could not be checked (already logged), for the output's manifest entry. */
  readonly warnings: ReadonlyArray<string>
}

/**
 * The result column `name` names: the one described by that name, else the one column whose model column's name
 * `name` holds around it (`Day(Order Date)`, `Total Revenue`): ThoughtSpot describes an answer's columns without the names
 * their data pages give them. Whether the result has it is checked on the first read.
 */
const describedColumn = (columns: ReadonlyArray<ResultColumn>, name: string): ResultColumn | undefined => {
  const named = columns.find((c) => c.name === name)
  if (named !== undefined) return named
  const held = columns.filter((c) => c.base !== undefined && c.base.name !== name && name.includes(c.base.name))
  return held.length === 1 ? held[0] : undefined
}

/**
 * An answer's or liveboard visualization's `sinceColumn` (`columns`: the result's, from `metadata/search`): the
 * runtime filter `{col: column, op: GE, val: since}` added to the export's own (at most 49 in all: ThoughtSpot drops
 * those beyond without a word), and its watermark — the column's maximum, read before any data in one request for
 * one row (`read`), with the same filters and the runtime sort `column` descending. A null never passes a `GE`
 * filter, so that row is the maximum wherever the cluster sorts nulls (its documentation does not say). The value
 * is written as {@link literalText} writes a search's; a DATE or DATE_TIME `since` is sent as epoch seconds, as
 * ThoughtSpot takes runtime filter dates: a DATE's local midnight, a DATE_TIME's wall time (`YYYY-MM-DD HH:mm:ss`
 * or `YYYY-MM-DD`) in the data time zone (`dataZone`), at its first occurrence (see {@link wallInstant}). Refused
 * (exit 2, saying what to do): a column not in the result, one whose cells are totals or date periods (a period the
 * cluster does not describe told by its name, `Month(Order Date)`, as a search result's is), a TIME. A DATE by day
 * (`Day(Order Date)`, its own type `DATE` in the description) is allowed, as in a search: one day of a DATE is its
 * value; it is filtered and sorted as its model column. A DATE_TIME by day, or a day of a column whose own type the
 * description does not give, is a period. A result the cluster samples (`sampling_ratio` < 1 on the maximum's read)
 * keeps the watermark at `since`, with a warning: the rows the sample leaves out are never skipped for good.
 */
export const incrementalRuntime = <E>(
  columns: ReadonlyArray<ResultColumn>,
  spec: RuntimeOptions & { readonly sinceColumn?: string; readonly since?: string },
  dataZone: Effect.Effect<string, ExportError | UsageError>,
  read: (runtime: RuntimeRequest) => Stream.Stream<DataPage, E>,
  what: string,
  say: SettingNames = commandLineNames
): Effect.Effect<RuntimeSince | undefined, E | ExportError | UsageError> =>
  Effect.gen(function* () {
    const column = spec.sinceColumn
    const since = spec.since
    if (column === undefined || since === undefined) return undefined
    const known = describedColumn(columns, column)
    if (known === undefined) {
      // A model column the result shows under another name ("Order Date" by day, "Day(Order Date)").
      const shown = columns.find((c) => c.base?.name === column)
      const hint =
        shown === undefined
          ? ""
          : `; it shows "${column}" as ${shown.name === undefined ? "a total or a period, by another name" : `"${shown.name}"`}`
      const names = columns.flatMap((c) => c.name ?? [])
      const unnamed = columns.length - names.length
      const named =
        names.length === 0
          ? []
          : [`one of ${names.map((name) => `"${name}"`).join(", ")} (as the result names it${hint})`]
      const others =
        unnamed === 0
          ? []
          : [
              `one of its ${unnamed} totals or periods by the name the result gives it (the cluster describes them without one)`
            ]
      return yield* new UsageError({
        message: `${what}: ${say.named("sinceColumn", column)} is not a column of its result: choose ${[...named, ...others].join(" or ")}${names.length === 0 ? hint : ""}${shown === undefined ? didYouMean(closest(column, names)) : ""}`
      })
    }
    // A total or a period holds many rows: the filter would keep only part of those the first holds (a part of a
    // month written as the month), and the next run would write that period again as another part.
    const aggregated = known.aggregation !== undefined && known.aggregation !== "NONE"
    // Undescribed, a period still shows in its name ("Month(Order Date)"), as a search result's does.
    const named = known.bucket === undefined ? periodName.exec(column)?.[1] : undefined
    const bucketed = (known.bucket !== undefined && known.bucket !== "NO_BUCKET") || named !== undefined
    // A DATE by day is the exception, as in a search: one day of a DATE is its value. Its own type (`base`) tells
    // it from a DATE_TIME by day, whose cells are dates too but each holds a day of instants.
    const byDay = bucketed && dayUnits.has((known.bucket ?? named ?? "").toLowerCase())
    const dateByDay = byDay && !aggregated && known.base?.type === "DATE" ? known.base : undefined
    if (byDay && !aggregated && dateByDay === undefined) {
      const own = known.base?.type
      return yield* new UsageError({
        message: `${what}: ${say.named("sinceColumn", column)} shows ${own === undefined ? "a date" : `a ${own}`} by day, and ${own === undefined ? "the cluster's description does not say its own type (baseDataType), so whether a day of it is one date (a DATE: its value) or many instants (a DATE_TIME) cannot be told" : "a day of it holds many instants"}: the filter would cut its first day, whose row would hold only the rows from the starting point on (and a ${say.lastRun("since")} would write that day again as another part). Use a column the answer shows as it is (an ID or an un-bucketed date), or a DATE by day`
      })
    }
    if (aggregated || (bucketed && dateByDay === undefined)) {
      return yield* new UsageError({
        message: `${what}: ${say.named("sinceColumn", column)} is ${aggregated ? `an aggregate (${known.aggregation})` : `a date grouped into periods (${known.bucket ?? `its name says ${named}, though the cluster's description does not say`})`}, and filtering it would cut its rows: a total or a period would hold only part of what it stands for, and the next run would write it again as another part. Use a column the answer shows as it is (an ID or an un-bucketed date), or give the answer such a column`
      })
    }
    // A time of day comes round every day: its maximum says nothing of which rows are new.
    if (known.type === "TIME") {
      return yield* new UsageError({
        message: `${what}: ${say.named("sinceColumn", column)} is a TIME, a time of day that every day has again, so no value of it marks where new rows start: use a date, date-time or ID column`
      })
    }
    const own = spec.runtimeFilters ?? []
    if (own.length >= maxRuntimeFilters) {
      return yield* new UsageError({
        message: `${what}: ${say.named("sinceColumn")} adds a runtime filter to its ${own.length} (${say.named("runtimeFilters")}), and ThoughtSpot drops those beyond the ${maxRuntimeFilters}th without a word: give at most ${maxRuntimeFilters - 1} runtime filters with ${say.named("sinceColumn")}`
      })
    }
    // A cluster that does not describe the column's bucket leaves a grouped date undetected: said, not guessed.
    const warnings =
      known.bucket === undefined &&
      dateByDay === undefined &&
      (known.type === "DATE" || known.type === "DATE_TIME" || known.type === "TIMESTAMP")
        ? [
            `the cluster's description of ${say.named("sinceColumn", column)} does not say whether it is grouped into periods (weekly, monthly, …): if the saved object groups it, each run's first period holds only the rows from the watermark on; check that it shows the date as it is (no bucket)`
          ]
        : []
    for (const warning of warnings) yield* Effect.logWarning(`${what}: ${warning}`)
    const timeZone = yield* dataZone
    const type = dateByDay?.type ?? known.type
    // A watermark recorded in another data time zone: the same instant, in this run's.
    const from = sinceInDataZone(since, type, timeZone)
    if (typeof from !== "string") {
      return yield* new UsageError({ message: `${what}: ${say.named("since", since)} ${from.refused}` })
    }
    const value = filterValueOf(from, type, timeZone)
    if (typeof value !== "string") {
      return yield* new UsageError({ message: `${what}: ${say.named("since", since)} ${value.refused}` })
    }
    // A DATE by day is filtered and sorted as its model column (runtime filters name a model's columns), whose days
    // are its cells.
    const target = dateByDay?.name ?? column
    const filtered: RuntimeOptions = {
      ...spec,
      runtimeFilters: [...own, { column: target, op: "GE", values: [value] }]
    }
    // Before any data is read: rows added while the export runs are read again next time, never skipped.
    const head = yield* Stream.runHead(
      read(runtimeRequestOf({ ...filtered, sort: [{ column: target, order: "desc" }] })).pipe(Stream.take(1))
    )
    const page = Option.getOrUndefined(head)
    const at = page?.columnNames.indexOf(column) ?? -1
    const rows = page?.rows
    const cell = Array.isArray(rows) ? (rows[0] as ReadonlyArray<unknown> | undefined)?.[at] : undefined
    if (page !== undefined && at < 0 && Array.isArray(rows) && rows.length > 0) {
      return yield* new ExportError({
        kind: "BadData",
        message: `${what}: the cluster's result has no column "${column}" (it has ${page.columnNames.map((c) => `"${c}"`).join(", ")}), though its description lists one: the maximum cannot be read; name the column as the result does`
      })
    }
    const mark = cell === undefined || cell === null ? undefined : literalText(cell, type, timeZone, say)
    if (mark instanceof ExportError)
      return yield* new ExportError({ kind: mark.kind, message: `${what}: ${mark.message}` })
    const sampled = sampleWarnings(page?.samplingRatio, from, say)
    const future = futureWarnings(mark, type, column, yield* Clock.currentTimeMillis, say)
    for (const warning of [...sampled, ...future]) yield* Effect.logWarning(`${what}: ${warning}`)
    const next = watermarkText(sampled.length > 0 ? from : (mark ?? from), type, timeZone)
    return {
      runtime: filtered,
      // No maximum (no row at or after `since`), or a sample: the next run starts where this one did.
      watermark: () => ({ kind: "column", column, value: next }),
      warnings: [...warnings, ...sampled, ...future]
    }
  })

/**
 * `since` as a runtime filter's value for a column of `type`: a DATE or DATE_TIME as epoch seconds (see
 * {@link incrementalRuntime} and WallTime.ts), a number as its digits, anything else as it is.
 */
export const filterValueOf = (since: string, type: string, timeZone: string): string | { readonly refused: string } => {
  if (numericTypes.has(type)) {
    return /^-?\d+(\.\d+)?$/.test(since)
      ? since
      : { refused: `is not a number, but the column is ${type}: give a number` }
  }
  if (type !== "DATE" && type !== "DATE_TIME" && type !== "TIMESTAMP") return since
  const example = type === "DATE" ? "2025-06-01" : "2025-06-01 or 2025-06-01 13:30:00"
  const epoch = wallEpochOf(since, type === "DATE", timeZone)
  if (typeof epoch === "number") return String(epoch)
  switch (epoch.problem) {
    case "form":
      return { refused: `is not a ${type} as a starting point: give ${example} (in the data time zone), or last` }
    case "calendar":
      return { refused: `is no date or time: give ${example}` }
    case "zone":
      return { refused: `cannot be read in the data time zone: ${epoch.message}` }
  }
}

/**
 * The text of a query literal for `cell`, the maximum of a column of `type` (see {@link incrementalSearch}): the
 * watermark a search with `sinceColumn` records.
 */
export const literalText = (
  cell: unknown,
  type: string,
  timeZone: string,
  say: SettingNames = commandLineNames
): string | ExportError => {
  if (isDateColumnType(type) && type !== "TIME") {
    const zone = resolveTimeZone(timeZone)
    const rendered =
      zone instanceof Error
        ? zone
        : type === "DATE"
          ? makeCellRenderer(type, { timeZone: zone, offset: "zone" })(cell)
          : wallTime(decodeCell(cell), zone)
    if (typeof rendered !== "string") {
      return new ExportError({
        kind: "BadData",
        message: `the maximum of the ${say.named("sinceColumn")} cannot be read as a ${type}: ${rendered === null ? "null" : rendered.message}`
      })
    }
    return rendered
  }
  if (typeof cell === "number" && !Number.isSafeInteger(cell) && Number.isInteger(cell)) {
    return new ExportError({
      kind: "BadData",
      message: `the maximum of the ${say.named("sinceColumn")}, ${cell}, is beyond what a double holds exactly: use another column`
    })
  }
  return typeof cell === "string" ? cell : typeof cell === "number" ? plainDecimal(cell) : String(cell)
}

/**
 * `n` in plain digits (`0.00000015`, not JavaScript's `1.5e-7`): the same decimal, which a search literal and the
 * next run's `--since` take as a number.
 */
const plainDecimal = (n: number): string => {
  const text = String(n)
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (m === null) return text
  const digits = m[2]! + (m[3] ?? "")
  // Where the decimal point falls in `digits`.
  const point = 1 + Number(m[4])
  const body =
    point <= 0
      ? `0.${"0".repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + "0".repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`
  return m[1] + body
}

/**
 * `YYYY-MM-DD HH:mm:ss`, the wall time in `zone` of `period`'s start (the maximum of a DATE_TIME or TIMESTAMP
 * column: whole epoch seconds, as are offsets, so the wall time is exact), as the cluster reads a literal in the
 * data time zone; one offset difference earlier when that wall time is the first of two (see
 * `Watermark.unambiguousWatermark`). Worked out from the zone's offset at the instant, not cut out of the instant's
 * RFC 3339 text: that is in UTC (`…Z`) when the offset has seconds (local mean time, before ~1883), which west of
 * UTC is a later wall time than the maximum (the next run would skip rows). A cell that is no date: its error.
 */
const wallTime = (period: ReturnType<typeof decodeCell>, zone: TimeZone): string | DateCellError | null => {
  if (!isPeriod(period)) return period
  const at = unambiguousWatermark(period.start, zone)
  // The wall time taken as an instant in UTC: its UTC text is the wall time's.
  const text = utcText(at + zone.offsetSeconds(at))
  return typeof text === "string" ? `${text.slice(0, 10)} ${text.slice(11, 19)}` : text
}
const utcText = makeCellRenderer("DATE_TIME", { timeZone: UTC })

/**
 * What an audit range `[since, until)` read at `nowMillis` may lack: events of its last 30 minutes, which
 * ThoughtSpot may still add (and a later `--since last` run, starting at its end, will not read), and events from
 * more than 30 days back, which ThoughtSpot no longer keeps.
 */
export const auditRangeWarnings = (
  since: number,
  until: number,
  nowMillis: number,
  say: SettingNames = commandLineNames
): ReadonlyArray<string> => {
  const warnings: Array<string> = []
  if (until > nowMillis - auditSettleMillis) {
    // Said, not silent: the watermark is this end, so what appears later for the time before it is never read.
    warnings.push(
      `the range ends at ${isoMillis(until)}, less than 30 minutes before now: ThoughtSpot may still add events of that time (they can take up to 30 minutes to appear), which this file does not hold and a later ${say.lastRun("since")}, starting at that end, will not read them; end runs that are chained with ${say.written("since", "last")} a while back (${say.written("until", "1h")})`
    )
  }
  if (since < nowMillis - auditRetentionMillis && since < until) {
    warnings.push(
      `the range starts at ${isoMillis(since)}, more than 30 days before now: ThoughtSpot keeps security events for 30 days, so the file may lack those from before about ${isoMillis(nowMillis - auditRetentionMillis)}: a stretch without events there does not mean none happened`
    )
  }
  return warnings
}

/** Where an audit row holds its event's Org (`org_id`). */
const orgIdColumn = auditColumns.findIndex((c) => c.name === "org_id")

/**
 * An audit export (`since`, `until`: ISO instants, see {@link resolveIncremental}) planned at `nowMillis`: its
 * pages, watermark and warnings. With `org` (one Org of a run over several, read with `get_all_logs: false`),
 * events of other Orgs are counted and said in a warning once the range is read: a cluster that did not limit the
 * read to the Org puts them in this Org's folder too (ThoughtSpot documents the flag's effect only loosely), and a
 * load of every folder would count them twice. Each row's `org_id` still says its Org. `warnings` (the range's,
 * see {@link auditRangeWarnings}, and that one once the range is read) go to the output's manifest entry; the
 * caller logs the range's, the pages log the other Orgs' one.
 */
export const auditOutput = <E>(
  cluster: Cluster<E>,
  spec: Extract<ExportSpec, { readonly type: "audit" }>,
  pageSize: number,
  nowMillis: number,
  org?: ExportOrg,
  say: SettingNames = commandLineNames
) => {
  const since = Date.parse(spec.since)
  const until = Date.parse(spec.until ?? spec.since)
  const rangeWarnings = auditRangeWarnings(since, until, nowMillis, say)
  let done = false
  // The last read's warning about other Orgs' events (a read that starts over forgets the earlier one's).
  let othersWarning: string | undefined
  const pages = (): Stream.Stream<DataPage, E> => {
    if (cluster.auditPages === undefined) {
      // Typed as the cluster's failures: every reader of pages maps failures through `toExportError`.
      return Stream.fail(
        new ExportError({ kind: "Remote", message: "this connection cannot read audit logs" })
      ) as unknown as Stream.Stream<DataPage, E>
    }
    let others = 0
    const otherIds = new Set<string>()
    othersWarning = undefined
    const counted =
      org === undefined
        ? cluster.auditPages({ since, until }, pageSize)
        : cluster.auditPages({ since, until }, pageSize).pipe(
            Stream.tap((page) =>
              Effect.sync(() => {
                if (!Array.isArray(page.rows)) return
                for (const row of page.rows as ReadonlyArray<ReadonlyArray<unknown>>) {
                  const id = row[orgIdColumn]
                  if (id === null || id === undefined || String(id) === String(org.id)) continue
                  others += 1
                  otherIds.add(String(id))
                }
              })
            )
          )
    return counted.pipe(
      Stream.concat(
        Stream.fromEffectDrain(
          Effect.gen(function* () {
            done = true
            if (org === undefined || others === 0) return
            othersWarning = `${others} of its events belong to other Orgs (org_id ${[...otherIds].sort(byNumber).join(", ")}): ThoughtSpot did not limit the read to this Org (get_all_logs: false), so they may be in their own Orgs' folders too and a load of every folder would count them twice; each row's org_id says its Org`
            yield* Effect.logWarning(`audit log in Org "${org.name}": ${othersWarning}`)
          })
        )
      )
    )
  }
  return {
    range: `${isoMillis(since)}/${isoMillis(until)}`,
    pages,
    // The next run starts where this range ended: back-to-back ranges, no gap and no overlap.
    watermark: (): WatermarkValue | undefined => (done ? { kind: "audit", value: isoMillis(until) } : undefined),
    rangeWarnings,
    warnings: (): ReadonlyArray<string> =>
      othersWarning === undefined ? rangeWarnings : [...rangeWarnings, othersWarning],
    columns: auditColumns
  }
}
