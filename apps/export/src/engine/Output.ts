/**
 * One output's life in the engine (`Engine.runExports` calls it per output): resume — decide from the state on disk
 * whether to skip, publish, continue or start over (`Checkpoint`); write — its pages through `ExportJob` into the
 * partial file in the state directory (a Parquet output's staged CSV, then `ParquetFile`; a TML document whole);
 * checkpoint after each page; publish — the atomic rename; and its manifest entry. `--out -` writes the one output
 * straight to stdout. See Engine.ts's module comment for the resume rules.
 */
import { createHash, type Hash } from "node:crypto"
import { ThoughtSpotError } from "@spotpipe/core"
import { resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import { Clock, Effect, Fiber, FileSystem, Option, Path, type PlatformError, Schema, Scope, Stream } from "effect"
import type { PageDecoder } from "../cluster/Cluster.ts"
import { ExportError } from "../ExportError.ts"
import { toExportError } from "../Failure.ts"
import type { OutputColumn } from "../formats/RowRenderer.ts"
import { shellWord } from "../Interruption.ts"
import { type ChunkWriter, fileError, syncDirectory } from "../output/AtomicFile.ts"
import {
  describedOutput,
  describesAsWritten,
  type ManifestOutput,
  manifestColumn,
  type OutputPart,
  parseOutput,
  type ResumeOutcome,
  readManifests
} from "../output/Manifest.ts"
import { stateFiles } from "../output/StateFolder.ts"
import { makeStreamWriter, Stdout } from "../output/StdoutWriter.ts"
import { planColumns } from "../plan/ColumnPlanner.ts"
import { canonicalJson, rowFormatOf } from "../plan/JobFile.ts"
import type { OutputSettings } from "../plan/OutputSettings.ts"
import type { PlannedOutput } from "../plan/PlannedOutput.ts"
import { commandLineNames, settingNames } from "../plan/SettingNames.ts"
import { restoreStarted, watermarkId } from "../plan/Watermark.ts"
import * as Checkpoint from "./Checkpoint.ts"
import { type JobResult, type JobSpec, runJob } from "./ExportJob.ts"
import {
  makeParquetWorkers,
  type ParquetWorkers,
  type ParquetWriter,
  parquetTarget,
  startParquetWriter
} from "./ParquetFile.ts"
import type { RunOptions, Step } from "./Run.ts"
import type { TranscodePool } from "./TranscodePool.ts"

/** Signals that a continued output must restart (its source or regenerated prefix changed). */
export class RestartNeeded extends Schema.TaggedError<RestartNeeded>()("RestartNeeded", { reason: Schema.String }) {}

export const isoOf = (millis: number) => new Date(millis).toISOString()

export const removeState = (files: { readonly partial: string; readonly checkpoint: string }) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    yield* fs.remove(files.partial).pipe(Effect.ignore)
    yield* fs.remove(files.checkpoint).pipe(Effect.ignore)
    yield* fs.remove(parquetTarget(files.partial)).pipe(Effect.ignore)
  })

/** What writing one output needs from its run. */
export interface OutputContext {
  readonly options: RunOptions
  readonly outDir: string
  readonly stateDir: string
  readonly pool: TranscodePool | undefined
  /** The run's Parquet workers, when it writes Parquet. */
  readonly parquetWorkers: ParquetWorkers | undefined
  readonly previousOutputs: ReadonlyMap<string, ManifestOutput>
  readonly probe: (step: Step, file: string) => Effect.Effect<void>
  /** The warning lines this run has logged: one result written as several files warns once (each entry keeps it). */
  readonly warned: Set<string>
}

/** The output's data time zone, as this runtime knows it (the plan checked its name; the runtime may lack it). */
export const dataZoneOf = (planned: { readonly what: string; readonly settings: { readonly timezone: string } }) => {
  const zone = resolveTimeZone(planned.settings.timezone)
  return zone instanceof Error
    ? Effect.fail(
        new ExportError({
          kind: "BadData",
          message: `${planned.what}: time zone "${planned.settings.timezone}" is unknown to this runtime`
        })
      )
    : Effect.succeed(zone)
}

/**
 * Writes one output (or finds it done); returns its manifest entry, with its watermark when it has one. The entry
 * is stored with the output's complete checkpoint, watermark included, so an output found done by `--resume`
 * keeps the watermark of the run that read it (this run read nothing of it, and the source may hold more now).
 */
export const writeOutput = <E>(planned: PlannedOutput<E>, run: OutputContext) =>
  Effect.gen(function* () {
    const zone = yield* dataZoneOf(planned)
    if (run.options.destination._tag === "Stdout") return yield* writeToStdout(planned, zone, run)
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const finalPath = path.join(run.outDir, planned.file)
    const files = stateFiles(run.stateDir, planned.file, path)
    // A process killed mid-checkpoint leaves its temp file; this output belongs to this run (shards own disjoint
    // outputs), so its leftovers can go.
    const tempPrefix = `.${path.basename(files.checkpoint)}.`
    for (const entry of yield* fs.readDirectory(run.stateDir).pipe(Effect.orElseSucceed(() => []))) {
      if (entry.startsWith(tempPrefix) && entry.endsWith(".tmp")) {
        yield* fs.remove(path.join(run.stateDir, entry)).pipe(Effect.ignore)
      }
    }
    yield* nameSuperseded(planned, run)
    const begin = yield* Clock.currentTimeMillis

    // ── resume ──
    let decision: Checkpoint.ResumeDecision = { _tag: "Fresh" }
    if (run.options.resume) {
      const found = yield* inspectResume(planned, {
        fingerprint: planned.fingerprint,
        settings: planned.settings,
        finalPath,
        files,
        previousOutputs: run.previousOutputs
      })
      // Its state stays until this run's manifest vouches for it (a kill before then must find it again).
      if (found.kept !== undefined) return { ...found.kept, resume: "skipped" as const }
      decision = found.decision
      if (decision._tag === "Publish") {
        const entry = yield* storedOutput(files.checkpoint)
        if (entry !== undefined) {
          yield* publish(files.partial, finalPath, planned.file, run.probe)
          return { ...entry, resume: "published" as const }
        }
        decision = { _tag: "Restart", reason: "the complete checkpoint has no manifest entry" }
      }
      if (decision._tag === "Restart") {
        yield* refuseUnmergedIncrement(planned, run)
        yield* decision.settingChanged === true
          ? Effect.logInfo(startingOver(planned, decision.reason))
          : Effect.logWarning(startingOver(planned, decision.reason))
        yield* removeState(files)
      }
    } else {
      if (!run.options.force && (yield* Effect.mapError(fs.exists(finalPath), (e) => fileError(finalPath, e)))) {
        return yield* new ExportError({
          kind: "OutputExists",
          message: `${finalPath} already exists: pass --resume to keep verified outputs and finish the rest, --force to replace them, or choose another --out directory`
        })
      }
      yield* removeState(files)
    }

    // ── write, checkpoint, publish ──
    const document = planned.document
    const attempt = (from: Checkpoint.CheckpointRecord | undefined) =>
      (document === undefined
        ? writePartial(planned, zone, files, from, begin, run)
        : (writeDocument(planned, document, files, begin, run) as ReturnType<typeof writePartial<E>>)
      ).pipe(Effect.tap(() => publish(files.partial, finalPath, planned.file, run.probe)))
    return yield* attempt(decision._tag === "Continue" ? decision.checkpoint : undefined).pipe(
      Effect.catchIf(
        (error): error is RestartNeeded => error instanceof RestartNeeded,
        (error) =>
          Effect.gen(function* () {
            yield* Effect.logWarning(startingOver(planned, error.reason))
            yield* removeState(files)
            return yield* attempt(undefined)
          })
      ),
      // Without resume, a failed output leaves nothing behind; with it, its state waits for the next `--resume`.
      Effect.onError(() => (run.options.keepState ? Effect.void : removeState(files)))
    )
  })

/**
 * What `planned` may read as its fingerprint takes it (the planner's: the export's fingerprint, alone or with the
 * object and visualization read), for `Checkpoint.stagedUnderEarlierRules`, which keeps only the one that gives the
 * output's fingerprint.
 */
export const readingsOf = (planned: PlannedOutput<unknown>): ReadonlyArray<string> => {
  const { id, viz } = planned.source
  const own = planned.export.fingerprint
  if (id === null) return [own]
  return [own, canonicalJson([own, { id }]), ...(viz === null ? [] : [canonicalJson([own, { id, viz: viz.id }])])]
}

/** The state each run found in its state directory before it wrote any (read once per run). */
const stateFound = new WeakMap<
  OutputContext,
  Effect.Effect<ReadonlyArray<Checkpoint.StateEntry>, never, FileSystem.FileSystem>
>()

/**
 * Names, in one warning, the state left of this output under another name (`Checkpoint.superseded`: an earlier
 * version named its file otherwise, or another output name was given). It is kept: a run that writes that name again
 * (another single command, another shard) resumes it. A job run without --shard says nothing, as it removes its job's
 * state of names it no longer writes once it completes (see `Checkpoint.removeStaleState`).
 */
const nameSuperseded = <E>(planned: PlannedOutput<E>, run: OutputContext) =>
  Effect.gen(function* () {
    if (run.options.job !== undefined && run.options.shard.count === 1) return
    const path = yield* Path.Path
    let found = stateFound.get(run)
    if (found === undefined) {
      found = yield* Effect.cached(Checkpoint.listState(run.stateDir, path))
      stateFound.set(run, found)
    }
    const left = Checkpoint.superseded(
      yield* found,
      {
        file: planned.file,
        fingerprint: planned.fingerprint,
        settings: planned.settings,
        readings: readingsOf(planned)
      },
      Checkpoint.jobOf(run.options).job
    )
    if (left.length === 0) return
    const names = left.map((entry) => entry.record.file).join(", ")
    const paths = left.flatMap((entry) => entry.paths).map(shellWord)
    yield* Effect.logWarning(
      `${planned.file}: ${path.basename(run.stateDir)}/ also holds the resume state of ${names}, this export under another name (given before, or by an earlier spotpipe version), which only a run writing that name resumes; if none will, remove it: rm -f -- ${paths.join(" ")}`
    )
  })

/** The manifest entry a complete checkpoint stored, if it has a valid one. */
export const storedOutput = (checkpointPath: string) =>
  Effect.map(Checkpoint.read(checkpointPath).pipe(Effect.orElseSucceed(() => Option.none())), (record) => {
    const value = Option.getOrUndefined(record)
    return typeof value === "object" ? Option.getOrUndefined(parseOutput(value.output)) : undefined
  })

/** What {@link inspectResume} found: `kept` with a file kept as it is (a `Skip`), the entry that vouches for it. */
export interface ResumeFound {
  readonly decision: Checkpoint.ResumeDecision
  readonly kept?: ManifestOutput
}

/**
 * What `--resume` does with `planned` written with `fingerprint` and `settings`, from its file, its state and the
 * earlier runs' manifest entries (`previousOutputs`); reads only, for the run and its dry run alike. `kept`: the
 * entry that vouches for a file kept as it is — the manifest's, or the complete checkpoint's (a file published by a
 * run that stopped before its manifest, over the one the manifest lists, which may be another job run's).
 */
export const inspectResume = (
  planned: PlannedOutput<unknown>,
  at: {
    readonly fingerprint: string
    readonly settings: OutputSettings
    readonly finalPath: string
    readonly files: ReturnType<typeof stateFiles>
    readonly previousOutputs: ReadonlyMap<string, ManifestOutput>
  }
) =>
  Effect.gen(function* (): Effect.fn.Return<ResumeFound, ExportError, FileSystem.FileSystem> {
    const fs = yield* FileSystem.FileSystem
    const { finalPath, files } = at
    // A --force run that stopped before recording this output meant to replace the file: the earlier runs'
    // entries vouch for what it replaces, not for this run.
    const forced = yield* fs.exists(files.forced).pipe(Effect.orElseSucceed(() => false))
    const recorded = forced ? undefined : at.previousOutputs.get(planned.file)
    // An entry edited since its run wrote it vouches for nothing: carried on, a load would refuse it again.
    const prior = recorded === undefined || describesAsWritten(recorded) ? recorded : undefined
    const decision = yield* Checkpoint.inspect({
      finalPath,
      checkpointPath: files.checkpoint,
      partialPath: files.partial,
      fingerprint: at.fingerprint,
      settings: at.settings,
      readings: readingsOf(planned),
      names: settingNames(planned.export),
      completed: Option.fromUndefinedOr(prior).pipe(
        Option.map((o) => ({
          fingerprint: o.fingerprint,
          settings: o.settings,
          sha256: o.sha256,
          rows: o.rows_written
        }))
      )
    }).pipe(Effect.mapError((e) => fileError(finalPath, e)))
    const restart = (reason: string): ResumeFound => ({ decision: { _tag: "Restart", reason } })
    if (decision._tag === "Restart" && prior !== recorded) {
      return restart("its manifest entry was edited since its run wrote it")
    }
    if (decision._tag !== "Skip") return { decision }
    const byManifest =
      prior?.sha256 === decision.sha256 && (prior.fingerprint === undefined || prior.fingerprint === at.fingerprint)
    const kept = byManifest ? prior : yield* storedOutput(files.checkpoint)
    return kept === undefined ? restart("the output's manifest entry is missing") : { decision, kept }
  })

/** Publishes a complete partial file: rename to its final path, fsync of the directory. */
const publish = (
  partial: string,
  finalPath: string,
  file: string,
  probe: (step: Step, file: string) => Effect.Effect<void>
) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = path.dirname(finalPath)
    yield* Effect.mapError(fs.makeDirectory(dir, { recursive: true }), (e) => fileError(dir, e))
    yield* probe("before-publish", file)
    yield* Effect.mapError(fs.rename(partial, finalPath), (e) => fileError(finalPath, e))
    yield* syncDirectory(dir)
    yield* probe("after-publish", file)
  })

/**
 * Refuses to start over an incremental output of a sharded run when its file is the increment of another job run
 * that the folder's merges never took: its rows are after the watermark the next increment starts from, so starting
 * over would drop them from every merged run. Only in a folder whose merges take this output (the nightly layout);
 * an increment a merge took, or one of this job run (a retried shard), starts over as before.
 */
const refuseUnmergedIncrement = <E>(planned: PlannedOutput<E>, run: OutputContext) =>
  Effect.gen(function* () {
    const prior = run.previousOutputs.get(planned.file)
    const destination = run.options.destination
    if (run.options.shard.count < 2 || prior?.watermark === undefined || destination._tag !== "Directory") return
    // An increment of no rows: starting over loses nothing.
    if (prior.rows_written === 0) return
    const priorRun =
      isRecord(prior.settings) && typeof prior.settings.jobRun === "string" ? prior.settings.jobRun : undefined
    if (priorRun === planned.settings.jobRun) return
    const manifests = yield* readManifests(run.outDir)
    const merges = manifests.filter((m) => m.command === "merge")
    const listing = merges.flatMap((m) => m.outputs).filter((o) => o.file === planned.file)
    if (listing.length === 0 || listing.some((o) => o.sha256 === prior.sha256)) return
    const { count } = run.options.shard
    const ran = new Set(
      manifests
        .filter((m) => m.command !== "merge" && m.job_run === priorRun && m.shard?.count === count)
        .map((m) => m.shard!.index)
    )
    // This shard too: the run refused here is its latest, of this job run, which a merge would take.
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter(
      (i) => !ran.has(i) || i === run.options.shard.index
    )
    const out = shellWord(destination.path)
    const job = run.options.job === undefined ? "<job file>" : shellWord(run.options.job.file)
    const finish = missing.map(
      (i) =>
        `spotpipe run ${job} --shard ${i}/${count}${priorRun === undefined ? "" : ` --job-run ${shellWord(priorRun)}`} --out ${out} --resume`
    )
    const priorShown = priorRun === undefined ? "a run without --job-run" : `job run "${priorRun}"`
    // The run recorded where it starts before it got here: put the unfinished job run's point back, so that
    // finishing it continues it exactly.
    yield* restoreStarted(run.outDir, watermarkId(planned.export), run.options.jobRun)
    return yield* new ExportError({
      kind: "Incomplete",
      message: `${planned.file}: ${out} holds the increment ${priorShown} wrote (${prior.rows_written} ${prior.rows_written === 1 ? "row" : "rows"} after the watermark before it), which no merge in ${out} took, and this run (${planned.settings.jobRun === undefined ? "no job run" : `job run "${planned.settings.jobRun}"`}) would start it over from that increment's watermark, so its rows would be in no merged run. Finish and merge ${priorShown} first: ${[...finish, `spotpipe merge ${out}`].join(" && ")}; then run this shard again as now. Or, to drop that increment knowingly, run this shard with --force instead of --resume. ${planned.file} was left as it is`
    })
  })

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The line saying an output restarts: by its file (one object may be written to several), its Org in a run of
 * several, and why. Logged as information when a setting was changed on purpose, else as a warning.
 */
const startingOver = (planned: PlannedOutput<unknown>, reason: string): string =>
  `${planned.file}${planned.export.org === undefined ? "" : ` (Org "${planned.export.org.name}")`}: ${reason}: starting over`

/** The writer's options for `planned`, given its time zone and what it continues. */
export const jobSpecOf = <E>(
  planned: PlannedOutput<E>,
  timeZone: TimeZone,
  run: OutputContext,
  extra: Pick<JobSpec<E, FileSystem.FileSystem | Path.Path>, "pages" | "progress"> &
    Partial<Pick<JobSpec<E, FileSystem.FileSystem | Path.Path>, "continues" | "onColumns" | "afterPage">>
): JobSpec<E, FileSystem.FileSystem | Path.Path> => ({
  what: planned.what,
  plan: (names) => planColumns(names, planned.typesOf(names), { timeZone, offset: planned.settings.offset }),
  emptyColumns: planned.emptyColumns,
  newline: planned.settings.newline,
  escapeFormulae: planned.settings.escapeFormulae,
  periodEnd: planned.settings.periodEnd,
  columnNames: planned.settings.columnNames,
  nullString: planned.settings.nullString,
  strict: run.options.strict || planned.export.strict,
  // Named as its user gave it: `--strict`, or the job file's `"strict": true` (the message says what turns it off).
  strictBy: [
    ...new Set([
      ...(run.options.strict ? [commandLineNames.on("strict")] : []),
      ...(planned.export.strict ? [settingNames(planned.export).on("strict")] : [])
    ])
  ].join(" and "),
  // A part of a split export reads no row count on its pages: the one its parts were planned with.
  ...(planned.unsorted === undefined
    ? {}
    : { unsorted: { pageSize: planned.settings.pageSize, rows: planned.part?.source_rows, check: planned.unsorted } }),
  ...(run.pool === undefined
    ? {}
    : { offload: { pool: run.pool, timeZone: planned.settings.timezone, offset: planned.settings.offset } }),
  ...extra
})

/** The manifest entry of a written output. */
const entryOf = <E>(
  planned: PlannedOutput<E>,
  result: JobResult,
  written: { readonly bytes: number; readonly sha256: string },
  begin: number,
  end: number,
  resume: ResumeOutcome
): ManifestOutput =>
  describedOutput({
    file: planned.file,
    format: planned.settings.format,
    source: planned.source,
    columns: result.columns.map(manifestColumn),
    // A part's counts are its own (the job counted from the part's first row).
    rows_written: result.rows - (planned.part === undefined ? 0 : partStartOf(planned.part).rows),
    available_data_row_count: result.availableRowCount,
    sampling_ratio: result.samplingRatio,
    pages: result.pages - (planned.part?.first_page ?? 0),
    bytes: written.bytes,
    sha256: written.sha256,
    started_at: isoOf(begin),
    finished_at: isoOf(end),
    seconds: (end - begin) / 1000,
    warnings: [...(planned.warnings?.() ?? []), ...result.warnings],
    export: planned.key,
    fingerprint: planned.fingerprint,
    settings: planned.settings,
    timezone: planned.settings.timezone,
    ...(planned.settings.format === "csv" ? { null_string: planned.settings.nullString } : {}),
    resume,
    ...watermarkOf(planned),
    ...(planned.part === undefined ? {} : { part: planned.part }),
    ...(planned.export.org === undefined ? {} : { org: planned.export.org })
  })

/** The output's watermark field, read once its source was read whole (see `PlannedOutput.watermark`). */
const watermarkOf = (planned: { readonly watermark?: () => ManifestOutput["watermark"] }) => {
  const watermark = planned.watermark?.()
  return watermark === undefined ? {} : { watermark }
}

/**
 * Writes a document output (a TML document) into its partial file: its text as it is, fsynced, then its complete
 * checkpoint (bytes, SHA-256, manifest entry); the caller publishes it. A document has no pages: it is written
 * whole or not at all, so resume either skips it (verified) or writes it again.
 */
const writeDocument = <E>(
  planned: PlannedOutput<E>,
  document: NonNullable<PlannedOutput<E>["document"]>,
  files: { readonly partial: string; readonly checkpoint: string },
  begin: number,
  run: OutputContext
) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const { text, warnings } = yield* Effect.mapError(document(), (error) => toExportError(error, planned.what))
    for (const warning of warnings) yield* Effect.logWarning(`${planned.what}: ${warning}`)
    const bytes = Buffer.from(text, "utf8")
    const orFail = <A, R>(effect: Effect.Effect<A, PlatformError.PlatformError, R>) =>
      Effect.mapError(effect, (e) => fileError(files.partial, e))
    yield* Effect.scoped(
      Effect.gen(function* () {
        const file = yield* orFail(fs.open(files.partial, { flag: "w", mode: 0o644 }))
        yield* orFail(file.writeAll(bytes))
        yield* orFail(file.sync)
      })
    )
    const sha256 = createHash("sha256").update(bytes).digest("hex")
    const output = describedOutput({
      file: planned.file,
      format: planned.settings.format,
      source: planned.source,
      columns: [],
      rows_written: 0,
      available_data_row_count: null,
      sampling_ratio: null,
      pages: 0,
      bytes: bytes.length,
      sha256,
      started_at: isoOf(begin),
      finished_at: isoOf(yield* Clock.currentTimeMillis),
      seconds: ((yield* Clock.currentTimeMillis) - begin) / 1000,
      warnings,
      export: planned.key,
      fingerprint: planned.fingerprint,
      settings: planned.settings,
      timezone: planned.settings.timezone,
      resume: "written",
      ...watermarkOf(planned),
      ...(planned.export.org === undefined ? {} : { org: planned.export.org })
    })
    yield* Checkpoint.write(
      files.checkpoint,
      {
        version: 1,
        file: planned.file,
        fingerprint: planned.fingerprint,
        settings: planned.settings,
        state: "complete",
        source_rows: null,
        columns: [],
        next_offset: 0,
        pages: 0,
        bytes: bytes.length,
        sha256,
        output,
        ...Checkpoint.jobOf(run.options)
      },
      run.probe("checkpoint-before-rename", planned.file)
    )
    yield* run.probe("checkpoint-written", planned.file)
    return output
  })

/** Where a part of a split export starts in its result: rows and pages before it. */
const partStartOf = (part: OutputPart) => ({ rows: part.first_page * part.page_size, pages: part.first_page })

/**
 * Logs an output's warnings that were not logged while its pages were read, nor by another output of the run (the
 * demo writes each result as CSV, NDJSON and Parquet: a sampled result warns once, each manifest entry keeps it).
 */
const logWarnings = (what: string, result: JobResult, run: OutputContext) =>
  Effect.forEach(
    result.warnings.filter((w) => !result.logged?.includes(w)),
    (warning) => {
      const line = `${what}: ${warning}`
      if (run.warned.has(line)) return Effect.void
      run.warned.add(line)
      return Effect.logWarning(line)
    },
    { discard: true }
  )

/** `--out -`: the one output straight to stdout (nothing to resume, publish or record). */
const writeToStdout = <E>(planned: PlannedOutput<E>, zone: TimeZone, run: OutputContext) =>
  Effect.gen(function* () {
    const begin = yield* Clock.currentTimeMillis
    const out = makeStreamWriter(yield* Stdout)
    const result = yield* runJob(
      jobSpecOf(planned, zone, run, { pages: planned.pages, progress: run.options.progress }),
      [{ format: rowFormatOf(planned.settings.format), writer: out.writer }]
    )
    yield* logWarnings(planned.what, result, run)
    return entryOf({ ...planned, file: "-" }, result, out.result(), begin, yield* Clock.currentTimeMillis, "written")
  })

/**
 * Writes (or continues, from `resumeFrom`) the partial file, checkpointing after each page, and records it
 * complete; the caller publishes it.
 */
const writePartial = <E>(
  planned: PlannedOutput<E>,
  timeZone: TimeZone,
  files: { readonly partial: string; readonly checkpoint: string },
  resumeFrom: Checkpoint.CheckpointRecord | undefined,
  begin: number,
  run: OutputContext
) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const orFail = <A, R>(effect: Effect.Effect<A, PlatformError.PlatformError, R>) =>
      Effect.mapError(effect, (e) => fileError(files.partial, e))
    const skipBytes = resumeFrom?.bytes ?? 0
    if (resumeFrom !== undefined) yield* orFail(fs.truncate(files.partial, skipBytes))
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
        const file = yield* orFail(fs.open(files.partial, { flag: resumeFrom === undefined ? "w" : "a", mode: 0o644 }))
        const hash = seeded ?? createHash("sha256")
        // Continuing from the offset: the verified bytes are already counted and hashed.
        let position = fromOffset === undefined ? 0 : fromOffset.bytes
        let verified = resumeFrom === undefined || fromOffset !== undefined
        // A part of a split export counts from its first row, so its checkpoints hold the result's row offsets.
        const partStart = planned.part === undefined ? undefined : partStartOf(planned.part)
        let rows = fromOffset?.next_offset ?? partStart?.rows ?? 0
        let pages = fromOffset?.pages ?? partStart?.pages ?? 0
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
        // Bytes up to `skipBytes` (a re-rendered metadata listing) are hashed and checked, not written again.
        const writer: ChunkWriter = {
          write: (chunk) => {
            if (chunk.length === 0) return Effect.void
            const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk
            const before = position
            position += buffer.length
            if (before >= skipBytes) {
              hash.update(buffer)
              return orFail(file.writeAll(buffer))
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
              return orFail(file.writeAll(tail))
            })
          }
        }

        // ── checkpoint: after each page past the checkpoint, and once complete ──
        // The record is taken when the page is written; making it durable (fsync of the partial file, then the
        // record's atomic replace) runs beside the next page's fetch and transcode, one at a time: the next
        // checkpoint (or a failure) waits for it. It runs uninterruptibly in this scope, so the file is never closed
        // under it. A crash can still only leave more bytes than the last record vouches for, never fewer.
        const scope = yield* Effect.scope
        let persisting: Fiber.Fiber<void, ExportError> | undefined
        const recordNow = (state: "partial" | "complete", output?: ManifestOutput): Checkpoint.CheckpointRecord => ({
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
          ...(output === undefined ? {} : { output }),
          ...Checkpoint.jobOf(run.options)
        })
        const persist = (record: Checkpoint.CheckpointRecord) =>
          Effect.gen(function* () {
            yield* orFail(file.sync)
            yield* Checkpoint.write(files.checkpoint, record, run.probe("checkpoint-before-rename", planned.file))
            yield* run.probe("checkpoint-written", planned.file)
          })
        const settled = Effect.suspend(() => (persisting === undefined ? Effect.void : Fiber.join(persisting)))
        // A Parquet output's file is written beside its staged CSV, from the staged bytes checked so far.
        let parquet: ParquetWriter | undefined
        const onColumns = (written: ReadonlyArray<OutputColumn>) =>
          planned.settings.format !== "parquet"
            ? Effect.void
            : Effect.gen(function* () {
                // The run's workers; an output written on its own (a test) has one of its own.
                const workers = run.parquetWorkers ?? (yield* Scope.provide(makeParquetWorkers(), scope))
                parquet = yield* Scope.provide(startParquetWriter(planned, files.partial, written, workers), scope)
              })
        const afterPage = (count: number) =>
          Effect.gen(function* () {
            rows += count
            pages += 1
            if (parquet !== undefined && verified) yield* parquet.advance(position)
            // Only pages past the checkpoint add durable bytes worth a new checkpoint.
            if (position <= skipBytes) return
            yield* run.probe("page-written", planned.file)
            yield* settled
            persisting = yield* Effect.forkIn(persist(recordNow("partial")), scope, { uninterruptible: true })
          })

        // The first page confirms that a continued source is the one the checkpoint was taken from. A source
        // that no longer reaches the checkpoint's offset (the client refuses to start past the end) is another
        // result: the output starts over, as for any other change of source.
        const pagesChecked = (decoder: PageDecoder) =>
          (fromOffset === undefined || planned.pagesFrom === undefined
            ? planned.pages(decoder)
            : planned
                .pagesFrom(fromOffset.next_offset, decoder)
                .pipe(
                  Stream.mapError((error) =>
                    !firstSeen && ThoughtSpotError.isThoughtSpotError(error) && error.reason._tag === "Incomplete"
                      ? new RestartNeeded({ reason: error.reason.message })
                      : error
                  )
                )
          ).pipe(
            Stream.tap((page) =>
              Effect.gen(function* () {
                if (firstSeen) return
                firstSeen = true
                columns = page.columnNames
                sourceRows = page.availableRowCount ?? null
                if (resumeFrom === undefined) return
                const confirmed = Checkpoint.confirmSource(resumeFrom, { availableRowCount: sourceRows, columns })
                if (confirmed._tag === "Restart") return yield* new RestartNeeded({ reason: confirmed.reason })
              })
            )
          )
        const result = yield* runJob(
          jobSpecOf(planned, timeZone, run, {
            pages: pagesChecked,
            progress: run.options.progress,
            onColumns,
            afterPage,
            // A later part of a split export continues the result: no header, counts from its first row.
            ...(fromOffset !== undefined
              ? { continues: { rows: fromOffset.next_offset, pages: fromOffset.pages } }
              : partStart !== undefined && planned.part!.index > 1
                ? { continues: partStart }
                : {})
          }),
          [{ format: rowFormatOf(planned.settings.format), writer }]
        ).pipe(Effect.mapError((error) => (mismatch === undefined ? error : new RestartNeeded({ reason: mismatch }))))
        if (fromOffset !== undefined && !firstSeen) {
          return yield* new RestartNeeded({ reason: "the source returned no page where the output left off" })
        }
        if (!verified) {
          return yield* new RestartNeeded({ reason: "the result is now shorter than the bytes already written" })
        }
        yield* logWarnings(planned.what, result, run)
        yield* settled
        // A Parquet output's partial file holds its staged CSV until here: the Parquet file replaces it.
        const written =
          parquet !== undefined
            ? yield* parquet.finish(position, result.rows)
            : { bytes: position, sha256: hash.copy().digest("hex") }
        const output = entryOf(
          planned,
          result,
          written,
          begin,
          yield* Clock.currentTimeMillis,
          resumeFrom === undefined ? "written" : "continued"
        )
        yield* persist({ ...recordNow("complete", output), bytes: written.bytes, sha256: written.sha256 })
        return output
      })
    )
  })
