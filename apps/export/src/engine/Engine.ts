/**
 * The export engine: every run — a single command's one export, the demo's many, a job file's — goes through
 * {@link runExports}, one client (so one token and one rate limiter) for all of them. Its steps, top to bottom:
 *
 * 1. **plan** — resolve every export's object and name its files (`Planner`); no data is read yet.
 * 2. **claim** — take the output directory's lock (`OutputLock`) and refuse outputs that exist (unless `--force` or
 *    `--resume`), so a refused run changes nothing.
 * 3. per output: **resume** — decide from the state on disk whether to skip, publish, continue or start over
 *    (`Checkpoint.decide`); **write** — stream the pages into a partial file in the state directory
 *    (`.spotpipe-state/`, same file system as the outputs) through `ExportJob`; **checkpoint** — after each page,
 *    fsync the partial file and record its bytes and SHA-256 (`Checkpoint.write`); **publish** — rename it to its
 *    final path and fsync the directory.
 * 4. **record** — the run's manifest (`Manifest`), then the state of the completed outputs is removed.
 *
 * What differs between commands is policy, given as {@link RunOptions}: `run` records a failed export and carries on
 * (the caller exits non-zero), keeps resume state, and runs several exports at once; a single command stops at the
 * first failure, writes a manifest only when something was written, and keeps resume state only with `--resume`.
 * `--out -` writes the one output to stdout: no lock, no state, no manifest. `--dry-run` stops after **plan**: each
 * output's writer runs over one row into nothing (`DryRun`), and nothing is claimed, written or recorded.
 *
 * Resume: an output's fingerprint covers its export and every setting it is written with (see `OutputSettings`); a
 * changed one restarts the output. `--resume` skips outputs an earlier manifest (or a complete checkpoint) vouches
 * for and whose bytes still hash to the recorded SHA-256, publishes complete partial files, and continues partial
 * ones. Checkpoints are taken after whole pages, so a checkpoint's `next_offset` (rows written) is a multiple of
 * the page size. Continuing an answer, liveboard visualization or search cuts the partial file to the checkpoint's
 * bytes, re-reads those bytes to confirm their length and SHA-256 (seeding the running hash with them), and reads
 * the source from `next_offset` on, appending its rows without a header: no page already written is fetched
 * again. If the source's row count or columns changed, the output restarts cleanly instead of mixing two versions
 * of the data. A metadata listing has no stable offsets (objects come and go between requests), so it is continued
 * by re-rendering from the first page and writing only the bytes past the checkpoint, whose regenerated prefix must
 * hash to the checkpoint's SHA-256 — otherwise it restarts too.
 *
 * Documents: a planned output with a `document` (a TML document) has no pages. Its text is read when it is written,
 * written whole into its partial file, fsynced, recorded by a complete checkpoint, published and listed like any
 * output; resume skips it when verified and otherwise writes it again. A document that fails (ThoughtSpot answered
 * ERROR for it) does not stop its export's other documents: the export fails once they are written, its manifest
 * status listing each failed item (`failed_items`).
 */
import { createHash, type Hash } from "node:crypto"
import { type OffsetStyle, resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import {
  Clock,
  Context,
  Effect,
  Exit,
  Fiber,
  FileSystem,
  Option,
  Path,
  type PlatformError,
  Schema,
  Stream
} from "effect"
import type { Cluster } from "../cluster/Cluster.ts"
import { ExportError } from "../ExportError.ts"
import { toExportError } from "../Failure.ts"
import { type ChunkWriter, fileError, syncDirectory } from "../output/AtomicFile.ts"
import {
  type ExportStatus,
  latestManifestName,
  type Manifest,
  type ManifestOutput,
  makeRunId,
  manifestColumn,
  type OutputPart,
  parseOutput,
  publishManifests,
  type ResumeOutcome,
  readManifests,
  renderManifest,
  runManifestName,
  type TimeZoneInfo
} from "../output/Manifest.ts"
import { lockFileName, lockOutputDirectory, shardLockFileName, stateDirName } from "../output/OutputLock.ts"
import { makeStreamWriter } from "../output/StdoutWriter.ts"
import { planColumns } from "../plan/ColumnPlanner.ts"
import { resolveIncremental } from "../plan/Incremental.ts"
import { type JobExport, rowFormatOf } from "../plan/JobFile.ts"
import type { GivenIn } from "../plan/ObjectNames.ts"
import { runtimeTzDatabase } from "../plan/OutputSettings.ts"
import { nameExports, type PlannedOutput, type RunSettings, resolveExport } from "../plan/Planner.ts"
import * as Shard from "../plan/Shard.ts"
import { recordWatermarks, watermarkId } from "../plan/Watermark.ts"
import { UsageError } from "../UsageError.ts"
import * as Checkpoint from "./Checkpoint.ts"
import { type DryRunFailure, type DryRunOutput, type DryRunPlan, probeExport, probeOutput } from "./DryRun.ts"
import type { ProgressReporter } from "./ExportJob.ts"
import { type JobResult, type JobSpec, type PageDecoder, runJob, silentProgress } from "./ExportJob.ts"
import { checkParquetWriter, conversionFiles, stagedToParquet } from "./ParquetFile.ts"
import { makeTranscodePool, type TranscodePool } from "./TranscodePool.ts"

/** Named points of an output's life, for the crash suite (which kills the process at them) and for tests. */
export type Step =
  | "page-written"
  | "checkpoint-before-rename"
  | "checkpoint-written"
  | "before-publish"
  | "after-publish"
  | "before-manifest"

/**
 * Called at each {@link Step} with the output's relative path. Nothing by default; tests provide one (the crash
 * suite's entry point kills the process at a chosen step).
 */
export const StepProbe = Context.Reference<(step: Step, file: string) => Effect.Effect<void>>("spotpipe/StepProbe", {
  defaultValue: () => () => Effect.void
})

/** Where the data goes: files in a directory, or stdout (`--out -`). */
export type Destination = { readonly _tag: "Directory"; readonly path: string } | { readonly _tag: "Stdout" }

/** How a run goes; see the module comment for what each command sets. */
export interface RunOptions {
  /** `run`, or the single command (for the manifest and messages). */
  readonly command: string
  readonly destination: Destination
  /** The job file and its fingerprint (`spotpipe run`). */
  readonly job?: { readonly file: string; readonly fingerprint: string }
  /** Where object identifiers were written, for not-found messages. */
  readonly givenIn: GivenIn
  /** Skip verified outputs and continue partial ones. */
  readonly resume: boolean
  /** Keep a failed output's resume state for a later `--resume` (else it is removed with the failure). */
  readonly keepState: boolean
  /** `record`: a failed export is listed in the manifest and the others carry on; `stop`: the run fails with it. */
  readonly onFailure: "record" | "stop"
  /** Replace outputs that exist (without `--resume`). */
  readonly force: boolean
  /** Exports written at once. */
  readonly exportsAtOnce: number
  /** Worker threads that transcode large pages, shared by the exports (0: none). */
  readonly workers: number
  /** Whether one export has several pages in flight (the worker pool then plans for overlapping pages). */
  readonly overlappingPages: boolean
  readonly shard: Shard.Shard
  /** `--timezone`: the data time zone of exports that set none (else the cluster's, else UTC). */
  readonly timeZone?: string | undefined
  readonly newline: "\r\n" | "\n"
  readonly escapeFormulae: boolean
  readonly periodEnd: boolean
  /** A page the server repeated fails its export instead of being a warning (`--strict`; or per export in the job). */
  readonly strict: boolean
  readonly offset: OffsetStyle
  readonly version: string
  /** The time-zone database version the dates are rendered with (default: this runtime's). */
  readonly tzDatabase?: string
  readonly progress: ProgressReporter
  /**
   * `--dry-run`: plan, probe each output's first row (see `DryRun`), and stop: nothing is claimed, written or
   * recorded; the result's `dryRun` says what the run would write.
   */
  readonly dryRun?: boolean
}

/** One output the run wrote (or verified), with its summary label. */
export interface WrittenOutput {
  readonly output: ManifestOutput
  readonly label: string
}

/** Documents (TML) of one export read and written at once. */
const documentsAtOnce = 4

/** A document of an export that failed while the export's others were written (see `ExportStatus.failed_items`). */
interface FailedItem {
  readonly file: string
  readonly what: string
  readonly error: string
}

/** An export that failed, with its error. */
export interface FailedExport {
  readonly export: JobExport
  readonly error: ExportError | UsageError
}

/** What a run did. */
export interface RunResult {
  /** The manifest written, if any (none for stdout, or a single command that wrote nothing). */
  readonly manifest: Manifest | undefined
  readonly manifestPath: string | undefined
  readonly outputs: ReadonlyArray<WrittenOutput>
  readonly failures: ReadonlyArray<FailedExport>
  /** With {@link RunOptions.dryRun}: the outputs the run would write (and `outputs` is empty). */
  readonly dryRun?: DryRunPlan
}

/** Picks the data timezone: `--timezone`, else the cluster's (when valid), else UTC. */
export const chooseTimeZone = (
  flag: string | undefined,
  cluster: string | undefined
): { readonly info: TimeZoneInfo; readonly warning: string | undefined } => {
  if (flag !== undefined) return { info: { name: flag, source: "flag" }, warning: undefined }
  if (cluster !== undefined && cluster !== "") {
    if (!(resolveTimeZone(cluster) instanceof Error))
      return { info: { name: cluster, source: "cluster" }, warning: undefined }
    return {
      info: { name: "UTC", source: "default" },
      warning: `the cluster's time_zone "${cluster}" is not an IANA zone this runtime knows; using UTC (pass --timezone to choose)`
    }
  }
  return { info: { name: "UTC", source: "default" }, warning: undefined }
}

/** Signals that a continued output must restart (its source or regenerated prefix changed). */
class RestartNeeded extends Schema.TaggedError<RestartNeeded>()("RestartNeeded", { reason: Schema.String }) {}

/**
 * Where each option of the writer (`ExportJob.JobSpec`) comes from: an output setting (so it is in the output's
 * fingerprint), the source, or nothing that changes the bytes written. A new writer option does not compile
 * until it is placed here, so it cannot be left out of resume's change check by accident.
 */
export const writerOptionSources: {
  readonly [K in keyof JobSpec<unknown, unknown>]-?:
    | keyof PlannedOutput<unknown>["settings"]
    | "the source"
    | "no effect on the bytes"
} = {
  what: "no effect on the bytes",
  pages: "the source",
  plan: "timezone",
  emptyColumns: "the source",
  newline: "newline",
  escapeFormulae: "escapeFormulae",
  periodEnd: "periodEnd",
  columnNames: "columnNames",
  nullString: "nullString",
  strict: "no effect on the bytes",
  progress: "no effect on the bytes",
  afterPage: "no effect on the bytes",
  continues: "no effect on the bytes",
  offload: "timezone"
}

const isoOf = (millis: number) => new Date(millis).toISOString()

/** The first failure of an exit, as an export error naming `what`. */
const failureOf = (cause: Exit.Exit<unknown, unknown>, what: string): ExportError | UsageError => {
  if (Exit.isSuccess(cause)) return new ExportError({ kind: "Remote", message: `${what}: no failure` })
  const failure = cause.cause.reasons.find((r) => r._tag === "Fail")
  if (failure?._tag !== "Fail") return new ExportError({ kind: "Remote", message: `${what}: interrupted or crashed` })
  const error = failure.error
  if (error instanceof RestartNeeded)
    return new ExportError({ kind: "Incomplete", message: `${what}: ${error.reason}` })
  return toExportError(error, what)
}

/** Runs `exports` (of the shard) on `cluster` as `options` say. Fails only for problems of the whole run. */
export const runExports = <E>(
  exports: ReadonlyArray<JobExport>,
  cluster: Cluster<E>,
  options: RunOptions
): Effect.Effect<RunResult, ExportError | UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.scoped(
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const probe = yield* StepProbe
      const started = yield* Clock.currentTimeMillis
      const toDisk = options.destination._tag === "Directory"
      const outDir = options.destination._tag === "Directory" ? options.destination.path : "."
      const stateDir = path.join(outDir, stateDirName)
      const orFail = <A, R>(effect: Effect.Effect<A, PlatformError.PlatformError, R>, at: string) =>
        Effect.mapError(effect, (e) => fileError(at, e))
      // A dry run reads one row of each result: one-row pages (the plan's names and files do not depend on it).
      const selected = Shard.select(exports, options.shard)
      const mine = options.dryRun === true ? selected.map((e) => ({ ...e, pageSize: 1 })) : selected

      // ── plan ───────────────────────────────────────────────────────────────────────────────────────────────
      const runWarnings: Array<string> = []
      let zoneInfo: TimeZoneInfo = { name: "UTC", source: "default" }
      if (options.timeZone !== undefined) zoneInfo = chooseTimeZone(options.timeZone, undefined).info
      else if (mine.some((e) => e.timezone === undefined)) {
        const clusterZone = yield* cluster.timeZone.pipe(
          Effect.map(Option.getOrUndefined),
          Effect.mapError((e) => toExportError(e, "the cluster's time zone"))
        )
        const chosen = chooseTimeZone(undefined, clusterZone)
        zoneInfo = chosen.info
        if (chosen.warning !== undefined) {
          runWarnings.push(chosen.warning)
          yield* Effect.logWarning(chosen.warning)
        }
      }
      yield* Effect.logDebug(`data time zone ${zoneInfo.name} (${zoneInfo.source})`)
      const runSettings: RunSettings = {
        offset: options.offset,
        newline: options.newline,
        escapeFormulae: options.escapeFormulae,
        periodEnd: options.periodEnd,
        tzDatabase: options.tzDatabase ?? runtimeTzDatabase(),
        writerVersion: options.version
      }
      const resolved = yield* Effect.forEach(
        mine,
        (entry) =>
          // An incremental export's starting point first (`last`: the folder's watermark), so its fingerprint holds it.
          Effect.flatMap(resolveIncremental(entry, toDisk ? outDir : undefined, started), (ready) =>
            resolveExport(cluster, ready, zoneInfo.name, runSettings, options.givenIn)
          ).pipe(
            Effect.mapError((error) => toExportError(error, entry.what)),
            Effect.exit
          ),
        { concurrency: Math.max(1, options.exportsAtOnce) }
      )
      if (options.onFailure === "stop") {
        for (const exit of resolved) if (Exit.isFailure(exit)) return yield* Effect.failCause(exit.cause)
      }
      const found = resolved.flatMap((exit) => (Exit.isSuccess(exit) ? [exit.value] : []))
      const keys = nameExports(found)
      const plans = resolved.map((exit) =>
        Exit.map(exit, (r) => ({ key: keys[found.indexOf(r)]!, outputs: r.outputs(keys[found.indexOf(r)]!) }))
      )
      if (plans.some((p) => Exit.isSuccess(p) && p.value.outputs.some((o) => o.settings.format === "parquet"))) {
        const missing = yield* checkParquetWriter()
        if (missing !== undefined) return yield* new UsageError({ message: missing })
      }
      if (options.destination._tag === "Stdout") {
        const count = plans.reduce((n, p) => n + (Exit.isSuccess(p) ? p.value.outputs.length : 0), 0)
        if (count !== 1) {
          return yield* new UsageError({
            message: `--out - writes exactly one result, but this ${options.command} has ${count}: pick one with --viz, or write to a directory`
          })
        }
      }

      if (options.dryRun === true) {
        const probeContext: OutputContext = {
          options,
          outDir,
          stateDir,
          pool: undefined,
          previousOutputs: new Map(),
          probe
        }
        const probeOne = (planned: PlannedOutput<E>) =>
          Effect.gen(function* () {
            if (planned.document !== undefined) return yield* probeDocument(planned, toDisk ? outDir : undefined)
            const zone = yield* dataZoneOf(planned)
            const specOf = (p: PlannedOutput<E>) =>
              jobSpecOf(p, zone, probeContext, { pages: p.pages, progress: silentProgress })
            return yield* probeOutput(planned, specOf, toDisk ? outDir : undefined).pipe(
              Effect.mapError((e) => toExportError(e, planned.what))
            )
          })
        const outputs: Array<DryRunOutput> = []
        const failures: Array<DryRunFailure> = []
        for (const [i, plan] of plans.entries()) {
          const entry = mine[i]!
          const probed: Exit.Exit<ReadonlyArray<DryRunOutput>, unknown> = Exit.isSuccess(plan)
            ? yield* probeExport(plan.value.outputs, probeOne)
            : Exit.failCause(plan.cause)
          if (Exit.isSuccess(probed)) outputs.push(...probed.value)
          else {
            const error = failureOf(probed, entry.what)
            if (options.onFailure === "stop") return yield* error
            failures.push({ export: entry, error })
          }
        }
        return { manifest: undefined, manifestPath: undefined, outputs: [], failures, dryRun: { outputs, failures } }
      }

      // ── claim ──────────────────────────────────────────────────────────────────────────────────────────────
      if (toDisk) {
        yield* lockOutputDirectory(outDir, {
          lockName:
            options.shard.count === 1 ? lockFileName : shardLockFileName(options.shard.index, options.shard.count)
        })
        if (!options.resume && !options.force) yield* refuseExisting(plans, outDir)
        yield* orFail(fs.makeDirectory(stateDir, { recursive: true }), stateDir)
        // However the run ends (a failure, a signal), an empty state directory does not stay behind.
        yield* Effect.addFinalizer(() => removeStateDirIfEmpty(stateDir))
      }
      const previousOutputs = new Map<string, ManifestOutput>()
      if (options.resume && toDisk) {
        // Every earlier run's manifest, oldest first: an output's latest entry wins. Entries of another job are
        // harmless, since resume compares each output's fingerprint before it trusts an entry.
        for (const previous of yield* readManifests(outDir)) {
          for (const output of previous.outputs) previousOutputs.set(output.file, output)
        }
      }
      const pool =
        options.workers > 0
          ? yield* makeTranscodePool(options.workers, { overlappingPages: options.overlappingPages })
          : undefined

      // ── write ──────────────────────────────────────────────────────────────────────────────────────────────
      const context: OutputContext = { options, outDir, stateDir, pool, previousOutputs, probe }
      let stopped = false
      const writeExport = (plan: (typeof plans)[number], entry: JobExport) => {
        // Kept when a later output of the export fails: the ones published before it (a liveboard's first
        // visualizations) are on disk, so the manifest must list them.
        const written: Array<WrittenOutput> = []
        // Documents (TML) that failed while the export's other documents were written: listed, never dropped.
        const failedItems: Array<FailedItem> = []
        return Effect.gen(function* () {
          const { outputs } = yield* plan
          // Documents are files of their own, one request each: several are read and written at once (the client
          // still bounds requests and their rate), and taken in plan order below.
          const documents = new Map(
            yield* Effect.forEach(
              outputs.filter((planned) => planned.document !== undefined),
              (planned) => Effect.map(Effect.exit(writeOutput(planned, context)), (exit) => [planned, exit] as const),
              { concurrency: documentsAtOnce }
            )
          )
          for (const planned of outputs) {
            const exit = documents.get(planned)
            if (exit !== undefined) {
              if (Exit.isSuccess(exit)) written.push({ output: exit.value, label: planned.label })
              // An interruption is not the item's failure: it ends the run.
              else if (!exit.cause.reasons.some((r) => r._tag === "Fail")) return yield* Effect.failCause(exit.cause)
              else {
                const error = failureOf(exit, planned.what)
                yield* Effect.logError(error.message)
                failedItems.push({ file: planned.file, what: planned.what, error: error.message })
              }
              continue
            }
            written.push({ output: yield* writeOutput(planned, context), label: planned.label })
          }
          if (failedItems.length > 0) {
            return yield* new ExportError({
              kind: "Remote",
              message: `${failedItems.length} of ${outputs.length} documents could not be exported (the others were written; the manifest lists each): ${failedItems[0]!.error}`
            })
          }
        }).pipe(
          Effect.exit,
          Effect.map((exit) => ({ entry, exit, written, failedItems }))
        )
      }
      const results = yield* Effect.forEach(
        mine,
        (entry, i) =>
          stopped
            ? Effect.as(Effect.void, undefined)
            : Effect.tap(writeExport(plans[i]!, entry), ({ exit }) =>
                Effect.sync(() => {
                  if (Exit.isFailure(exit) && options.onFailure === "stop") stopped = true
                })
              ),
        { concurrency: Math.max(1, options.exportsAtOnce) }
      )

      // ── record ─────────────────────────────────────────────────────────────────────────────────────────────
      const statuses: Array<ExportStatus> = []
      const outputs: Array<WrittenOutput> = []
      const failures: Array<FailedExport> = []
      results.forEach((result, i) => {
        if (result === undefined) return
        const { entry, exit, written, failedItems } = result
        const plan = plans[i]!
        const key = Exit.isSuccess(plan) ? plan.value.key : (entry.key ?? entry.what)
        outputs.push(...written)
        const extra = {
          ...(failedItems.length === 0 ? {} : { failed_items: failedItems }),
          ...(entry.org === undefined ? {} : { org: entry.org })
        }
        if (Exit.isSuccess(exit)) {
          statuses.push({
            export: key,
            index: entry.index,
            type: entry.spec.type,
            status: "succeeded",
            error: null,
            files: written.map((o) => o.output.file),
            ...extra
          })
        } else {
          const error = failureOf(exit, entry.what)
          failures.push({ export: entry, error })
          statuses.push({
            export: key,
            index: entry.index,
            type: entry.spec.type,
            status: "failed",
            error: error.message,
            files: written.map((o) => o.output.file),
            ...extra
          })
        }
      })
      if (!toDisk) return { manifest: undefined, manifestPath: undefined, outputs, failures }
      if (options.onFailure === "stop" && outputs.length === 0) {
        return { manifest: undefined, manifestPath: undefined, outputs, failures }
      }
      const finished = yield* Clock.currentTimeMillis
      const runId = makeRunId(started)
      const manifest: Manifest = {
        spotpipe: options.version,
        run_id: runId,
        command: options.command,
        job: options.job ?? null,
        shard: options.shard.count === 1 ? null : { index: options.shard.index, count: options.shard.count },
        host: cluster.host,
        timezone: zoneInfo,
        tz_database: runSettings.tzDatabase,
        started_at: isoOf(started),
        finished_at: isoOf(finished),
        seconds: (finished - started) / 1000,
        exports: statuses,
        outputs: outputs.map((o) => o.output),
        warnings: runWarnings
      }
      const latest = latestManifestName(options.shard)
      yield* probe("before-manifest", latest)
      yield* publishManifests(outDir, runId, latest, renderManifest(manifest))
      // Where the incremental exports that succeeded start next time; a failed one keeps its earlier watermark.
      yield* recordWatermarks(
        outDir,
        results.flatMap((result) =>
          result === undefined || Exit.isFailure(result.exit)
            ? []
            : result.written.flatMap(({ output }) =>
                output.watermark === undefined || output.resume === "skipped"
                  ? []
                  : [[watermarkId(result.entry), { ...output.watermark, run_id: runId }] as const]
              )
        )
      )
      // The manifest now vouches for the completed outputs: their resume state is no longer needed.
      for (const { output } of outputs) yield* removeState(Checkpoint.stateFiles(stateDir, output.file, path))
      return { manifest, manifestPath: path.join(outDir, runManifestName(runId)), outputs, failures }
    })
  ).pipe(Effect.withSpan("Engine.runExports"))

/** Refuses a run whose outputs exist already (without `--force` or `--resume`): nothing is written. */
const refuseExisting = (
  plans: ReadonlyArray<Exit.Exit<{ readonly outputs: ReadonlyArray<PlannedOutput<unknown>> }, unknown>>,
  outDir: string
) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const existing: Array<string> = []
    for (const plan of plans) {
      if (Exit.isFailure(plan)) continue
      for (const output of plan.value.outputs) {
        const finalPath = path.join(outDir, output.file)
        if (yield* Effect.mapError(fs.exists(finalPath), (e) => fileError(finalPath, e))) existing.push(output.file)
      }
    }
    if (existing.length === 1) {
      return yield* new ExportError({
        kind: "OutputExists",
        message: `${path.join(outDir, existing[0]!)} already exists: pass --force to replace it, --resume to keep it if it is complete and verified, or choose another --out directory; nothing was written`
      })
    }
    if (existing.length > 1) {
      const listed = existing.slice(0, 3).join(", ") + (existing.length > 3 ? `, … (${existing.length} in all)` : "")
      return yield* new ExportError({
        kind: "OutputExists",
        message: `${existing.length} outputs of this job already exist in ${outDir} (${listed}); nothing was written: pass --resume to keep verified outputs and finish the rest, --force to replace them, or choose another --out directory`
      })
    }
  })

const removeState = (files: { readonly partial: string; readonly checkpoint: string }) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    yield* fs.remove(files.partial).pipe(Effect.ignore)
    yield* fs.remove(files.checkpoint).pipe(Effect.ignore)
    const { target, spill } = conversionFiles(files.partial)
    yield* fs.remove(target).pipe(Effect.ignore)
    yield* fs.remove(spill, { recursive: true }).pipe(Effect.ignore)
  })

const removeStateDirIfEmpty = (stateDir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const left = yield* fs.readDirectory(stateDir).pipe(Effect.orElseSucceed(() => ["?"]))
    if (left.length === 0) yield* fs.remove(stateDir, { recursive: true }).pipe(Effect.ignore)
  })

/** What writing one output needs from its run. */
interface OutputContext {
  readonly options: RunOptions
  readonly outDir: string
  readonly stateDir: string
  readonly pool: TranscodePool | undefined
  readonly previousOutputs: ReadonlyMap<string, ManifestOutput>
  readonly probe: (step: Step, file: string) => Effect.Effect<void>
}

/** Writes one output (or finds it done); returns its manifest entry, with its watermark when it has one. */
const writeOutput = <E>(planned: PlannedOutput<E>, run: OutputContext) =>
  Effect.map(writeOutputOnce(planned, run), (output) => {
    const watermark = planned.watermark?.()
    return watermark === undefined ? output : { ...output, watermark }
  })

/** The output's data time zone, as this runtime knows it (the plan checked its name; the runtime may lack it). */
const dataZoneOf = (planned: { readonly what: string; readonly settings: { readonly timezone: string } }) => {
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

/** Writes one output (or finds it done); returns its manifest entry. */
const writeOutputOnce = <E>(planned: PlannedOutput<E>, run: OutputContext) =>
  Effect.gen(function* () {
    const zone = yield* dataZoneOf(planned)
    if (run.options.destination._tag === "Stdout") return yield* writeToStdout(planned, zone, run)
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const finalPath = path.join(run.outDir, planned.file)
    const files = Checkpoint.stateFiles(run.stateDir, planned.file, path)
    // A process killed mid-checkpoint leaves its temp file; this output belongs to this run (shards own disjoint
    // outputs), so its leftovers can go.
    const tempPrefix = `.${path.basename(files.checkpoint)}.`
    for (const entry of yield* fs.readDirectory(run.stateDir).pipe(Effect.orElseSucceed(() => []))) {
      if (entry.startsWith(tempPrefix) && entry.endsWith(".tmp")) {
        yield* fs.remove(path.join(run.stateDir, entry)).pipe(Effect.ignore)
      }
    }
    const begin = yield* Clock.currentTimeMillis

    // ── resume ──
    let decision: Checkpoint.ResumeDecision = { _tag: "Fresh" }
    if (run.options.resume) {
      const prior = run.previousOutputs.get(planned.file)
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
          yield* publish(files.partial, finalPath, planned.file, run.probe)
          return { ...entry, resume: "published" as const }
        }
        decision = { _tag: "Restart", reason: "the complete checkpoint has no manifest entry" }
      }
      if (decision._tag === "Restart") {
        yield* decision.settingChanged === true
          ? Effect.logInfo(`${planned.file}: ${decision.reason}: starting over`)
          : Effect.logWarning(`${planned.what}: starting over: ${decision.reason}`)
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
            yield* Effect.logWarning(`${planned.what}: starting over: ${error.reason}`)
            yield* removeState(files)
            return yield* attempt(undefined)
          })
      ),
      // Without resume, a failed output leaves nothing behind; with it, its state waits for the next `--resume`.
      Effect.onError(() => (run.options.keepState ? Effect.void : removeState(files)))
    )
  })

/** The manifest entry a complete checkpoint stored, if it has a valid one. */
const storedOutput = (checkpointPath: string) =>
  Effect.map(Checkpoint.read(checkpointPath).pipe(Effect.orElseSucceed(() => Option.none())), (record) => {
    const value = Option.getOrUndefined(record)
    return typeof value === "object" ? Option.getOrUndefined(parseOutput(value.output)) : undefined
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

/** The writer's options for `planned`, given its time zone and what it continues. */
const jobSpecOf = <E>(
  planned: PlannedOutput<E>,
  timeZone: TimeZone,
  run: OutputContext,
  extra: Pick<JobSpec<E, FileSystem.FileSystem | Path.Path>, "pages" | "progress"> &
    Partial<Pick<JobSpec<E, FileSystem.FileSystem | Path.Path>, "continues" | "afterPage">>
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
): ManifestOutput => ({
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
  warnings: result.warnings,
  export: planned.key,
  fingerprint: planned.fingerprint,
  settings: planned.settings,
  timezone: planned.settings.timezone,
  ...(planned.settings.format === "csv" ? { null_string: planned.settings.nullString } : {}),
  resume,
  ...(planned.part === undefined ? {} : { part: planned.part })
})

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
    const output: ManifestOutput = {
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
      ...(planned.export.org === undefined ? {} : { org: planned.export.org })
    }
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
        output
      },
      run.probe("checkpoint-before-rename", planned.file)
    )
    yield* run.probe("checkpoint-written", planned.file)
    return output
  })

/** `--dry-run` of a document: its file, nothing read (its text is read only when it is written). */
const probeDocument = <E>(planned: PlannedOutput<E>, outDir: string | undefined) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const finalPath = outDir === undefined ? undefined : path.join(outDir, planned.file)
    const exists =
      finalPath === undefined ? false : yield* Effect.mapError(fs.exists(finalPath), (e) => fileError(finalPath, e))
    return {
      file: outDir === undefined ? "-" : planned.file,
      export: planned.key,
      label: planned.label,
      format: planned.settings.format,
      source: planned.source,
      rows: null,
      columns: [],
      exists
    } satisfies DryRunOutput
  })

/** Where a part of a split export starts in its result: rows and pages before it. */
const partStartOf = (part: OutputPart) => ({ rows: part.first_page * part.page_size, pages: part.first_page })

/** Logs an output's warnings that were not logged while its pages were read. */
const logWarnings = (what: string, result: JobResult) =>
  Effect.forEach(
    result.warnings.filter((w) => !result.logged?.includes(w)),
    (warning) => Effect.logWarning(`${what}: ${warning}`),
    { discard: true }
  )

/** `--out -`: the one output straight to stdout (nothing to resume, publish or record). */
const writeToStdout = <E>(planned: PlannedOutput<E>, zone: TimeZone, run: OutputContext) =>
  Effect.gen(function* () {
    const begin = yield* Clock.currentTimeMillis
    const out = makeStreamWriter()
    const result = yield* runJob(
      jobSpecOf(planned, zone, run, { pages: planned.pages, progress: run.options.progress }),
      [{ format: rowFormatOf(planned.settings.format), writer: out.writer }]
    )
    yield* logWarnings(planned.what, result)
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
          ...(output === undefined ? {} : { output })
        })
        const persist = (record: Checkpoint.CheckpointRecord) =>
          Effect.gen(function* () {
            yield* orFail(file.sync)
            yield* Checkpoint.write(files.checkpoint, record, run.probe("checkpoint-before-rename", planned.file))
            yield* run.probe("checkpoint-written", planned.file)
          })
        const settled = Effect.suspend(() => (persisting === undefined ? Effect.void : Fiber.join(persisting)))
        const afterPage = (count: number) =>
          Effect.gen(function* () {
            rows += count
            pages += 1
            // Only pages past the checkpoint add durable bytes worth a new checkpoint.
            if (position <= skipBytes) return
            yield* run.probe("page-written", planned.file)
            yield* settled
            persisting = yield* Effect.forkIn(persist(recordNow("partial")), scope, { uninterruptible: true })
          })

        // The first page confirms that a continued source is the one the checkpoint was taken from.
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
        yield* logWarnings(planned.what, result)
        yield* settled
        // A Parquet output's partial file holds its staged CSV until here: it becomes the Parquet file.
        const written =
          planned.settings.format === "parquet"
            ? yield* stagedToParquet(planned, files.partial, result)
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
