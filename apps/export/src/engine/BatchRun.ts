/**
 * Runs a batch job (`spotpipe run <job.json>`) against one {@link Cluster} — one client, so one token and one
 * rate limiter shared by every export — with at most `concurrency` exports at once. An export that fails is
 * recorded in the manifest with its reason while the others carry on; the caller exits non-zero when any failed.
 *
 * Every output is written to a partial file in the hidden state directory (`.spotpipe-state/` in the output
 * directory, same file system as the outputs). After each page the partial file is fsynced and an atomic
 * checkpoint records the bytes and their SHA-256 (see `Checkpoint`). On success a final checkpoint marks it
 * complete, the partial file is renamed to its final path and the directory fsynced. The run's manifest comes
 * last; then the state of the completed outputs is removed (and the directory when nothing is left in it).
 * Every export is looked up before anything is written, and the run holds the output directory's lock (see
 * `OutputLock`): a run refused for existing outputs changes nothing.
 *
 * An output's fingerprint covers its export and every setting it is written with (see `OutputSettings`); a
 * changed one restarts the output. `--resume` skips outputs an earlier manifest (or a complete checkpoint)
 * vouches for and whose bytes still hash to the recorded SHA-256, publishes complete partial files, and
 * continues partial ones. Checkpoints are
 * taken only after whole pages, so a checkpoint's `next_offset` (rows written) is a multiple of the page size.
 * Continuing an answer, liveboard visualization or search cuts the partial file to the checkpoint's bytes,
 * re-reads those bytes to confirm their length and SHA-256 (seeding the running hash with them), and then
 * reads the source from `next_offset` on, appending its rows without a header: no page already written is
 * fetched again. If the source's row count or columns changed, the output restarts cleanly instead of mixing
 * two versions of the data. A metadata listing has no stable offsets (objects come and go between requests),
 * so it is continued by re-rendering from the first page and writing only the bytes past the checkpoint, whose
 * regenerated prefix must hash to the checkpoint's SHA-256 — otherwise it restarts too.
 */
import { createHash, type Hash } from "node:crypto"
import { type OffsetStyle, resolveTimeZone } from "@spotpipe/decode"
import { Clock, Effect, Exit, FileSystem, Option, Path, type PlatformError, Schema, Stream } from "effect"
import { type ProgressReporter, silentProgress } from "../cli/Progress.ts"
import type { UsageError } from "../cli/UsageError.ts"
import type { Cluster, MetadataObject } from "../cluster/Cluster.ts"
import { metadataColumns } from "../cluster/Cluster.ts"
import { ExportError } from "../ExportError.ts"
import { toExportError } from "../Failure.ts"
import { type ChunkWriter, fileError } from "../output/AtomicFile.ts"
import {
  type BatchManifest,
  type BatchOutput,
  type ExportStatus,
  manifestName,
  parseOutput,
  type ResumeOutcome,
  readManifests,
  renderManifest
} from "../output/BatchManifest.ts"
import {
  makeRunId,
  manifestColumn,
  type OutputSource,
  publishManifests,
  runManifestName,
  type TimeZoneInfo
} from "../output/Manifest.ts"
import { lockFileName, lockOutputDirectory, shardLockFileName, stateDirName } from "../output/OutputLock.ts"
import { type ColumnTypes, planColumns, typesByName, typesByPosition } from "../plan/ColumnPlanner.ts"
import { FileNameAllocator } from "../plan/FileName.ts"
import type { Job, JobExport } from "../plan/JobFile.ts"
import { findObject } from "../plan/ObjectNames.ts"
import { fingerprintOf, type OutputSettings, runtimeTzDatabase } from "../plan/OutputSettings.ts"
import { searchColumnTypes } from "../plan/SearchColumns.ts"
import * as Shard from "../plan/Shard.ts"
import * as Checkpoint from "./Checkpoint.ts"
import { chooseTimeZone } from "./Exporter.ts"
import { type DataPage, type JobSpec, type PageDecoder, runJob } from "./ExportJob.ts"
import { makeTranscodePool } from "./TranscodePool.ts"

/** Named points of an output's life, for the crash suite (which kills the process at them) and for tests. */
export type BatchStep =
  | "page-written"
  | "checkpoint-before-rename"
  | "checkpoint-written"
  | "before-publish"
  | "after-publish"
  | "before-manifest"

/** Settings of a batch run. */
export interface BatchOptions {
  readonly outDir: string
  /** Where the job came from (for the manifest). */
  readonly jobFile: string
  readonly resume: boolean
  /** Replace outputs that exist (without `--resume`). */
  readonly force: boolean
  /** Exports at once. */
  readonly concurrency: number
  /** Worker threads that transcode large pages, shared by the exports (0: none). */
  readonly workers: number
  readonly shard: Shard.Shard
  readonly newline: "\r\n" | "\n"
  readonly escapeFormulae: boolean
  readonly periodEnd: boolean
  /** A page the server repeated fails its export instead of being a warning (`--strict`; or per export in the job). */
  readonly strict?: boolean
  readonly offset: OffsetStyle
  readonly version: string
  /** The time-zone database version the dates are rendered with (default: this runtime's). */
  readonly tzDatabase?: string
  readonly progress?: ProgressReporter
  /** Called at each {@link BatchStep} with the output's relative path. */
  readonly onStep?: (step: BatchStep, file: string) => Effect.Effect<void>
}

/** What a batch run did. */
export interface BatchResult {
  readonly manifest: BatchManifest
  readonly manifestPath: string
  /** Exports that failed. */
  readonly failed: number
}

/** Name of the state directory inside the output directory. */
export { stateDirName }

/** One output file to produce. */
interface PlannedOutput<E> {
  readonly job: JobExport
  /** Path relative to the output directory. */
  readonly file: string
  readonly what: string
  readonly source: OutputSource
  readonly pages: (decoder: PageDecoder) => Stream.Stream<DataPage, E>
  /** The pages from a row offset (a multiple of the job's page size); absent for metadata listings. */
  readonly pagesFrom?: (startOffset: number, decoder: PageDecoder) => Stream.Stream<DataPage, E>
  readonly typesOf: ColumnTypes
  readonly emptyColumns: ReadonlyArray<string>
  /** Every setting the output is written with; the writer reads them from here only. */
  readonly settings: OutputSettings
  /** {@link fingerprintOf} the export and `settings`. */
  readonly fingerprint: string
}

/** The run-wide part of {@link OutputSettings}. */
type RunSettings = Omit<OutputSettings, "file" | "format" | "pageSize" | "timezone">

/**
 * Where each option of the writer (`ExportJob.JobSpec`) comes from: an output setting (so it is in the output's
 * fingerprint), the source, or nothing that changes the bytes written. A new writer option does not compile
 * until it is placed here, so it cannot be left out of resume's change check by accident.
 */
export const writerOptionSources: {
  readonly [K in keyof JobSpec<unknown, unknown>]-?: keyof OutputSettings | "the source" | "no effect on the bytes"
} = {
  what: "no effect on the bytes",
  pages: "the source",
  plan: "timezone",
  emptyColumns: "the source",
  newline: "newline",
  escapeFormulae: "escapeFormulae",
  periodEnd: "periodEnd",
  strict: "no effect on the bytes",
  progress: "no effect on the bytes",
  continues: "no effect on the bytes",
  offload: "timezone"
}

/** Signals that a continued output must restart (its source or regenerated prefix changed). */
class RestartNeeded extends Schema.TaggedError<RestartNeeded>()("RestartNeeded", { reason: Schema.String }) {}

/** Resolves one export of the job into its output files (liveboards: one per visualization, in a folder). */
const planExport = <E>(
  cluster: Cluster<E>,
  job: JobExport,
  clusterZone: string,
  run: RunSettings
): Effect.Effect<ReadonlyArray<PlannedOutput<E>>, E | ExportError> =>
  Effect.gen(function* () {
    const spec = job.spec
    const ext = job.format
    const settingsOf = (file: string) => {
      const settings: OutputSettings = {
        ...run,
        file,
        format: job.format,
        pageSize: job.pageSize,
        timezone: job.timezone ?? clusterZone
      }
      return { file, settings, fingerprint: fingerprintOf(job.fingerprint, settings) }
    }
    const single = (
      rest: Omit<PlannedOutput<E>, "job" | "file" | "settings" | "fingerprint">
    ): ReadonlyArray<PlannedOutput<E>> => [{ ...rest, job, ...settingsOf(`${job.key}.${ext}`) }]
    switch (spec.type) {
      case "metadata":
        return single({
          what: `metadata (${spec.metadataTypes.join(", ")})`,
          source: { type: "METADATA", id: null, name: spec.metadataTypes.join(","), viz: null, query: null },
          pages: () => cluster.metadataPages(spec.metadataTypes, job.pageSize),
          typesOf: typesByPosition(metadataColumns),
          emptyColumns: metadataColumns.map((c) => c.name)
        })
      case "answer": {
        const answer = yield* findObject(cluster, "ANSWER", spec.id, "job file")
        const columns = answer.visualizations[0]?.columns ?? []
        return single({
          what: `answer "${answer.name}"`,
          source: { type: "ANSWER", id: answer.id, name: answer.name, viz: null, query: null },
          pages: (decoder) => cluster.answerPages(answer.id, job.pageSize, 0, decoder),
          pagesFrom: (offset, decoder) => cluster.answerPages(answer.id, job.pageSize, offset, decoder),
          typesOf: typesByPosition(columns),
          emptyColumns: columns.map((c) => c.name)
        })
      }
      case "search": {
        const table = yield* findObject(cluster, "LOGICAL_TABLE", spec.table, "job file")
        return single({
          what: `search on "${table.name}"`,
          source: { type: "LOGICAL_TABLE", id: table.id, name: table.name, viz: null, query: spec.query },
          pages: (decoder) => cluster.searchPages(table.id, spec.query, job.pageSize, 0, decoder),
          pagesFrom: (offset, decoder) => cluster.searchPages(table.id, spec.query, job.pageSize, offset, decoder),
          typesOf: typesByName(searchColumnTypes(table.columns)),
          emptyColumns: []
        })
      }
      case "liveboard": {
        const liveboard = yield* findObject(cluster, "LIVEBOARD", spec.id, "job file")
        const vizzes = yield* chooseVisualizations(liveboard, spec.visualizations)
        // Files live in a folder named after the export, so their names cannot clash with other exports'.
        const names = new FileNameAllocator()
        return vizzes.map((viz) => ({
          job,
          ...settingsOf(`${job.key}/${names.allocate(viz.name, ext)}`),
          what: `visualization "${viz.name}" of liveboard "${liveboard.name}"`,
          source: {
            type: "LIVEBOARD",
            id: liveboard.id,
            name: liveboard.name,
            viz: { id: viz.id, name: viz.name },
            query: null
          },
          pages: (decoder) => cluster.liveboardPages(liveboard.id, viz.id, job.pageSize, 0, decoder),
          pagesFrom: (offset: number, decoder) =>
            cluster.liveboardPages(liveboard.id, viz.id, job.pageSize, offset, decoder),
          typesOf: typesByPosition(viz.columns),
          emptyColumns: viz.columns.map((c) => c.name)
        }))
      }
    }
  })

const chooseVisualizations = (liveboard: MetadataObject, wanted: ReadonlyArray<string> | undefined) =>
  Effect.gen(function* () {
    if (wanted === undefined) return liveboard.visualizations
    const chosen: Array<MetadataObject["visualizations"][number]> = []
    for (const w of wanted) {
      const match =
        liveboard.visualizations.find((v) => v.id === w) ?? liveboard.visualizations.find((v) => v.name === w)
      if (match === undefined) {
        return yield* new ExportError({
          kind: "NotFound",
          message: `liveboard "${liveboard.name}" has no visualization "${w}": choose from ${liveboard.visualizations
            .map((v) => `"${v.name}"`)
            .join(", ")}`
        })
      }
      if (!chosen.includes(match)) chosen.push(match)
    }
    return chosen
  })

const isoOf = (millis: number) => new Date(millis).toISOString()

/** Runs `job` into `options.outDir`. Fails only for problems of the whole run (the output directory, the manifest). */
export const runBatch = <E>(
  job: Job,
  cluster: Cluster<E>,
  options: BatchOptions
): Effect.Effect<BatchResult, ExportError | UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.scoped(
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const started = yield* Clock.currentTimeMillis
      const pool = options.workers > 0 ? yield* makeTranscodePool(options.workers) : undefined
      const outDir = options.outDir
      const stateDir = path.join(outDir, stateDirName)
      const step = (name: BatchStep, file: string) =>
        options.onStep === undefined ? Effect.void : options.onStep(name, file)
      const orFail = <A, R>(effect: Effect.Effect<A, PlatformError.PlatformError, R>, at: string) =>
        Effect.mapError(effect, (e) => fileError(at, e))

      const runId = makeRunId(started)
      const manifestPath = path.join(outDir, runManifestName(runId))
      // Every earlier batch run's manifest, oldest first: an output's latest entry wins. Entries of another job
      // are harmless, since resume compares each output's fingerprint before it trusts an entry.
      const previousOutputs = new Map<string, BatchOutput>()
      if (options.resume) {
        for (const previous of yield* readManifests(outDir)) {
          for (const output of previous.outputs) previousOutputs.set(output.file, output)
        }
      }

      const exports = Shard.select(job.exports, options.shard)
      const needsClusterZone = exports.some((e) => e.timezone === undefined)
      const runWarnings: Array<string> = []
      let zoneInfo: TimeZoneInfo = { name: "UTC", source: "default" }
      if (needsClusterZone) {
        const clusterZone = yield* cluster.timeZone.pipe(
          Effect.map(Option.getOrUndefined),
          Effect.mapError((e) => toExportError(e, "the cluster's time zone"))
        )
        const chosen = chooseTimeZone(undefined, clusterZone)
        zoneInfo = chosen.info
        if (chosen.warning !== undefined) runWarnings.push(chosen.warning)
      }

      const runSettings: RunSettings = {
        offset: options.offset,
        newline: options.newline,
        escapeFormulae: options.escapeFormulae,
        periodEnd: options.periodEnd,
        tzDatabase: options.tzDatabase ?? runtimeTzDatabase(),
        writerVersion: options.version
      }

      /** Writes one output; returns its manifest entry. */
      const writeOutput = (planned: PlannedOutput<E>) =>
        Effect.gen(function* () {
          const finalPath = path.join(outDir, planned.file)
          const files = Checkpoint.stateFiles(stateDir, planned.file, path)
          const removeState = Effect.andThen(
            fs.remove(files.partial).pipe(Effect.ignore),
            fs.remove(files.checkpoint).pipe(Effect.ignore)
          )
          // A process killed mid-checkpoint leaves its temp file; this output belongs to this run (shards own
          // disjoint outputs), so its leftovers can go.
          const checkpointBase = path.basename(files.checkpoint)
          const entries = yield* fs.readDirectory(stateDir).pipe(Effect.orElseSucceed(() => []))
          for (const entry of entries) {
            if (entry.startsWith(`${checkpointBase}.`) && entry.endsWith(".tmp")) {
              yield* fs.remove(path.join(stateDir, entry)).pipe(Effect.ignore)
            }
          }
          const zone = resolveTimeZone(planned.settings.timezone)
          if (zone instanceof Error) {
            return yield* new ExportError({
              kind: "BadData",
              message: `${planned.what}: time zone "${planned.settings.timezone}" is unknown to this runtime`
            })
          }
          const begin = yield* Clock.currentTimeMillis

          let decision: Checkpoint.ResumeDecision = { _tag: "Fresh" }
          if (options.resume) {
            const prior = previousOutputs.get(planned.file)
            decision = yield* Checkpoint.inspect({
              finalPath,
              checkpointPath: files.checkpoint,
              partialPath: files.partial,
              fingerprint: planned.fingerprint,
              settings: planned.settings,
              completed: Option.fromUndefinedOr(prior).pipe(
                Option.map((o) => ({
                  fingerprint: o.fingerprint,
                  settings: o.settings,
                  sha256: o.sha256,
                  rows: o.rows_written
                }))
              )
            }).pipe(Effect.mapError((e) => fileError(finalPath, e)))
            if (decision._tag === "Skip") {
              const entry = prior ?? (yield* storedOutput(files.checkpoint))
              // Its state stays until this run's manifest vouches for it (a kill before then must find it again).
              if (entry !== undefined) return { ...entry, resume: "skipped" as const }
              decision = { _tag: "Restart", reason: "the output's manifest entry is missing" }
            }
            if (decision._tag === "Publish") {
              const entry = yield* storedOutput(files.checkpoint)
              if (entry !== undefined) {
                yield* publishPartial(files.partial, finalPath, planned.file)
                return { ...entry, resume: "published" as const }
              }
              decision = { _tag: "Restart", reason: "the complete checkpoint has no manifest entry" }
            }
            if (decision._tag === "Restart") {
              yield* decision.settingChanged === true
                ? Effect.logInfo(`${planned.file}: ${decision.reason}: starting over`)
                : Effect.logWarning(`${planned.what}: starting over: ${decision.reason}`)
              yield* removeState
            }
          } else {
            const exists = yield* orFail(fs.exists(finalPath), finalPath)
            if (exists && !options.force) {
              return yield* new ExportError({
                kind: "OutputExists",
                message: `${finalPath} already exists: pass --resume to keep verified outputs and finish the rest, --force to replace them, or choose another --out directory`
              })
            }
            yield* removeState
          }

          const attempt = (resumeFrom: Checkpoint.CheckpointRecord | undefined) =>
            writePartial(planned, zone, files, resumeFrom, begin)
          const continued = decision._tag === "Continue" ? decision.checkpoint : undefined
          return yield* attempt(continued).pipe(
            Effect.catchIf(
              (error): error is RestartNeeded => error instanceof RestartNeeded,
              (error) =>
                Effect.gen(function* () {
                  yield* Effect.logWarning(`${planned.what}: starting over: ${error.reason}`)
                  yield* removeState
                  return yield* attempt(undefined)
                })
            )
          )
        })

      const storedOutput = (checkpointPath: string) =>
        Effect.map(Checkpoint.read(checkpointPath).pipe(Effect.orElseSucceed(() => Option.none())), (record) => {
          const value = Option.getOrUndefined(record)
          return typeof value === "object" ? Option.getOrUndefined(parseOutput(value.output)) : undefined
        })

      const publishPartial = (partial: string, finalPath: string, file: string) =>
        Effect.gen(function* () {
          const dir = path.dirname(finalPath)
          yield* orFail(fs.makeDirectory(dir, { recursive: true }), dir)
          yield* step("before-publish", file)
          yield* orFail(fs.rename(partial, finalPath), finalPath)
          yield* Checkpoint.syncDirectory(dir)
          yield* step("after-publish", file)
        })

      /** Writes (or continues) the partial file, then publishes it. */
      const writePartial = (
        planned: PlannedOutput<E>,
        timeZone: Exclude<ReturnType<typeof resolveTimeZone>, Error>,
        files: { readonly partial: string; readonly checkpoint: string },
        resumeFrom: Checkpoint.CheckpointRecord | undefined,
        begin: number
      ) =>
        Effect.gen(function* () {
          const finalPath = path.join(outDir, planned.file)
          const skipBytes = resumeFrom?.bytes ?? 0
          if (resumeFrom !== undefined) {
            yield* orFail(fs.truncate(files.partial, skipBytes), files.partial)
          }
          // Continue from the checkpoint's row offset when the source can start there; otherwise re-render.
          const fromOffset =
            resumeFrom !== undefined &&
            planned.pagesFrom !== undefined &&
            resumeFrom.next_offset % planned.settings.pageSize === 0
              ? resumeFrom
              : undefined
          let seeded: Hash | undefined
          if (fromOffset !== undefined) {
            // The bytes on disk are what the continuation appends to: read them back, check them, hash from them.
            const prefix = yield* Checkpoint.hashPrefix(files.partial, fromOffset.bytes).pipe(
              Effect.mapError((e) => fileError(files.partial, e)),
              Effect.map(Option.getOrUndefined)
            )
            if (prefix === undefined || prefix.size !== fromOffset.bytes || prefix.digest !== fromOffset.sha256) {
              return yield* new RestartNeeded({ reason: "the partial file does not match its checkpoint" })
            }
            seeded = prefix.hash
          }
          return yield* Effect.scoped(
            Effect.gen(function* () {
              const file = yield* orFail(
                fs.open(files.partial, { flag: resumeFrom === undefined ? "w" : "a", mode: 0o644 }),
                files.partial
              )
              const hash = seeded ?? createHash("sha256")
              // Continuing from the offset: the verified bytes are already counted and hashed.
              let position = fromOffset === undefined ? 0 : fromOffset.bytes
              let verified = resumeFrom === undefined || fromOffset !== undefined
              let rows = fromOffset?.next_offset ?? 0
              let pages = fromOffset?.pages ?? 0
              let firstSeen = false
              let sourceRows: number | null = null
              let columns: ReadonlyArray<string> = []

              // The writer may only fail with an ExportError; a mismatch is remembered and turned into a restart.
              let mismatch: string | undefined
              const checkPrefix = (): Effect.Effect<void, ExportError> => {
                verified = true
                if (hash.copy().digest("hex") === resumeFrom!.sha256) return Effect.void
                mismatch = "the result no longer renders to the bytes already written"
                return Effect.fail(new ExportError({ kind: "Incomplete", message: `${planned.what}: ${mismatch}` }))
              }
              const writer: ChunkWriter = {
                write: (chunk) => {
                  if (chunk.length === 0) return Effect.void
                  const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk
                  const before = position
                  position += buffer.length
                  if (before >= skipBytes) {
                    hash.update(buffer)
                    return orFail(file.writeAll(buffer), files.partial)
                  }
                  if (position <= skipBytes) {
                    hash.update(buffer)
                    return position === skipBytes ? checkPrefix() : Effect.void
                  }
                  // This chunk straddles the checkpoint: verify the regenerated prefix, then write the rest.
                  const cut = skipBytes - before
                  hash.update(buffer.subarray(0, cut))
                  const tail = buffer.subarray(cut)
                  return Effect.andThen(checkPrefix(), () => {
                    hash.update(tail)
                    return orFail(file.writeAll(tail), files.partial)
                  })
                }
              }

              const record = (state: "partial" | "complete", output?: BatchOutput): Checkpoint.CheckpointRecord => ({
                version: 1,
                file: planned.file,
                fingerprint: planned.fingerprint,
                settings: planned.settings,
                state,
                source_rows: sourceRows,
                columns,
                next_offset: rows,
                pages,
                bytes: position,
                sha256: hash.copy().digest("hex"),
                ...(output === undefined ? {} : { output })
              })
              const saveCheckpoint = (state: "partial" | "complete", output?: BatchOutput) =>
                Effect.gen(function* () {
                  yield* orFail(file.sync, files.partial)
                  yield* Checkpoint.write(
                    files.checkpoint,
                    record(state, output),
                    step("checkpoint-before-rename", planned.file)
                  ).pipe(Effect.mapError((e) => fileError(files.checkpoint, e)))
                  yield* step("checkpoint-written", planned.file)
                })

              const base = options.progress ?? silentProgress
              const progress: ProgressReporter = {
                start: base.start,
                finish: base.finish,
                page: (n, total) =>
                  Effect.gen(function* () {
                    rows += n
                    pages += 1
                    yield* base.page(n, total)
                    // Only pages past the checkpoint add durable bytes worth a new checkpoint.
                    if (position > skipBytes) {
                      yield* step("page-written", planned.file)
                      yield* saveCheckpoint("partial")
                    }
                  }) as Effect.Effect<void>
              }
              const pagesChecked = (decoder: PageDecoder) =>
                (fromOffset === undefined || planned.pagesFrom === undefined
                  ? planned.pages(decoder)
                  : planned.pagesFrom(fromOffset.next_offset, decoder)
                ).pipe(
                  Stream.tap((page) =>
                    Effect.gen(function* () {
                      if (firstSeen) return
                      firstSeen = true
                      columns = page.columnNames
                      sourceRows = page.availableRowCount ?? null
                      if (resumeFrom !== undefined) {
                        const confirmed = Checkpoint.confirmSource(resumeFrom, {
                          availableRowCount: sourceRows,
                          columns
                        })
                        if (confirmed._tag === "Restart") return yield* new RestartNeeded({ reason: confirmed.reason })
                      }
                    })
                  )
                )
              const result = yield* runJob(
                {
                  what: planned.what,
                  pages: pagesChecked,
                  ...(fromOffset === undefined
                    ? {}
                    : { continues: { rows: fromOffset.next_offset, pages: fromOffset.pages } }),
                  plan: (names) =>
                    planColumns(names, planned.typesOf(names), { timeZone, offset: planned.settings.offset }),
                  emptyColumns: planned.emptyColumns,
                  newline: planned.settings.newline,
                  escapeFormulae: planned.settings.escapeFormulae,
                  periodEnd: planned.settings.periodEnd,
                  strict: options.strict === true || planned.job.strict,
                  progress,
                  ...(pool === undefined
                    ? {}
                    : { offload: { pool, timeZone: planned.settings.timezone, offset: planned.settings.offset } })
                },
                [{ format: planned.settings.format, writer }]
              ).pipe(
                Effect.mapError((error) => (mismatch === undefined ? error : new RestartNeeded({ reason: mismatch })))
              )
              if (fromOffset !== undefined && !firstSeen) {
                return yield* new RestartNeeded({ reason: "the source returned no page where the output left off" })
              }
              if (!verified) {
                return yield* new RestartNeeded({ reason: "the result is now shorter than the bytes already written" })
              }
              const end = yield* Clock.currentTimeMillis
              const output: BatchOutput = {
                file: planned.file,
                format: planned.settings.format,
                source: planned.source,
                columns: result.columns.map(manifestColumn),
                rows_written: result.rows,
                available_data_row_count: result.availableRowCount,
                sampling_ratio: result.samplingRatio,
                pages: result.pages,
                bytes: position,
                sha256: hash.copy().digest("hex"),
                started_at: isoOf(begin),
                finished_at: isoOf(end),
                seconds: (end - begin) / 1000,
                warnings: result.warnings,
                export: planned.job.key,
                fingerprint: planned.fingerprint,
                settings: planned.settings,
                timezone: planned.settings.timezone,
                resume: (resumeFrom === undefined ? "written" : "continued") satisfies ResumeOutcome
              }
              yield* saveCheckpoint("complete", output)
              return output
            })
          ).pipe(Effect.tap(() => publishPartial(files.partial, finalPath, planned.file)))
        })

      // Every export is looked up (no data is read) before anything is written, so that a run refused for
      // existing outputs leaves the directory, its manifests and its resume state exactly as they were.
      const plans = yield* Effect.forEach(
        exports,
        (entry) =>
          planExport(cluster, entry, zoneInfo.name, runSettings).pipe(
            Effect.mapError((error) => toExportError(error, whatOf(entry))),
            Effect.exit
          ),
        { concurrency: Math.max(1, options.concurrency) }
      )
      yield* lockOutputDirectory(outDir, {
        lockName: options.shard.count === 1 ? lockFileName : shardLockFileName(options.shard.index, options.shard.count)
      })
      if (!options.resume && !options.force) {
        const existing: Array<string> = []
        for (const plan of plans) {
          if (Exit.isFailure(plan)) continue
          for (const output of plan.value) {
            const finalPath = path.join(outDir, output.file)
            if (yield* orFail(fs.exists(finalPath), finalPath)) existing.push(output.file)
          }
        }
        if (existing.length > 0) {
          const listed =
            existing.slice(0, 3).join(", ") + (existing.length > 3 ? `, … (${existing.length} in all)` : "")
          return yield* new ExportError({
            kind: "OutputExists",
            message: `${existing.length === 1 ? "an output" : `${existing.length} outputs`} of this job already exist in ${outDir} (${listed}); nothing was written: pass --resume to keep verified outputs and finish the rest, --force to replace them, or choose another --out directory`
          })
        }
      }
      yield* orFail(fs.makeDirectory(stateDir, { recursive: true }), stateDir)

      const runExport = (plan: (typeof plans)[number], entry: JobExport) =>
        Effect.gen(function* () {
          const planned = yield* plan
          const outputs: Array<BatchOutput> = []
          for (const output of planned) outputs.push(yield* writeOutput(output))
          return outputs
        }).pipe(
          Effect.mapError((error) => (error instanceof RestartNeeded ? error : toExportError(error, whatOf(entry)))),
          Effect.exit
        )

      const results = yield* Effect.forEach(exports, (entry, i) => runExport(plans[i]!, entry), {
        concurrency: Math.max(1, options.concurrency)
      })
      const statuses: Array<ExportStatus> = []
      const outputs: Array<BatchOutput> = []
      results.forEach((exit, i) => {
        const entry = exports[i]!
        if (Exit.isSuccess(exit)) {
          outputs.push(...exit.value)
          statuses.push({
            export: entry.key,
            index: entry.index,
            type: entry.spec.type,
            status: "succeeded",
            error: null,
            files: exit.value.map((o) => o.file)
          })
        } else {
          const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
          const message =
            failure?._tag === "Fail"
              ? failure.error instanceof RestartNeeded
                ? `${whatOf(entry)}: ${failure.error.reason}`
                : failure.error.message
              : `${whatOf(entry)}: interrupted or crashed`
          statuses.push({
            export: entry.key,
            index: entry.index,
            type: entry.spec.type,
            status: "failed",
            error: message,
            files: []
          })
        }
      })

      const finished = yield* Clock.currentTimeMillis
      const manifest: BatchManifest = {
        spotpipe: options.version,
        run_id: runId,
        command: "run",
        job: { file: options.jobFile, fingerprint: job.fingerprint },
        shard: options.shard.count === 1 ? null : { index: options.shard.index, count: options.shard.count },
        host: cluster.host,
        timezone: zoneInfo,
        tz_database: runSettings.tzDatabase,
        started_at: isoOf(started),
        finished_at: isoOf(finished),
        seconds: (finished - started) / 1000,
        exports: statuses,
        outputs,
        warnings: runWarnings
      }
      yield* step("before-manifest", manifestName(options.shard))
      yield* publishManifests(outDir, runId, manifestName(options.shard), renderManifest(manifest))
      // The manifest now vouches for the completed outputs: their checkpoints are no longer needed.
      for (const output of outputs) {
        const files = Checkpoint.stateFiles(stateDir, output.file, path)
        yield* Effect.andThen(
          fs.remove(files.partial).pipe(Effect.ignore),
          fs.remove(files.checkpoint).pipe(Effect.ignore)
        )
      }
      const left = yield* fs.readDirectory(stateDir).pipe(Effect.orElseSucceed(() => ["?"]))
      if (left.length === 0) yield* fs.remove(stateDir, { recursive: true }).pipe(Effect.ignore)
      return { manifest, manifestPath, failed: statuses.filter((s) => s.status === "failed").length }
    })
  ).pipe(Effect.withSpan("BatchRun.runBatch"))

const whatOf = (entry: JobExport): string => {
  const spec = entry.spec
  switch (spec.type) {
    case "metadata":
      return `export ${entry.index + 1} (metadata ${spec.metadataTypes.join(", ")})`
    case "answer":
      return `export ${entry.index + 1} (answer "${spec.id}")`
    case "liveboard":
      return `export ${entry.index + 1} (liveboard "${spec.id}")`
    case "search":
      return `export ${entry.index + 1} (search on "${spec.table}")`
  }
}
