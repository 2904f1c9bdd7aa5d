/**
 * The export engine: every run — a single command's one export, the demo's many, a job file's — goes through
 * {@link runExports}, one client (so one token and one rate limiter) for all of them. Its steps, top to bottom:
 *
 * 1. **plan** — resolve every export's object and name its files (`Planner`); no data is read yet.
 * 2. **claim** — take the output directory's lock (`OutputLock`) and refuse outputs that exist (unless `--force` or
 *    `--resume`), so a refused run changes nothing.
 * 3. per output (`Output.ts`): **resume** — decide from the state on disk whether to skip, publish, continue or
 *    start over (`Checkpoint.decide`); **write** — stream the pages into a partial file in the state directory
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
import { createHash } from "node:crypto"
import { resolveTimeZone } from "@spotpipe/decode"
import { Clock, Effect, Exit, FileSystem, Option, Path, type PlatformError, Result, Schema } from "effect"
import type { Cluster } from "../cluster/Cluster.ts"
import { ExportError } from "../ExportError.ts"
import { toExportError } from "../Failure.ts"
import { fileError, syncDirectory } from "../output/AtomicFile.ts"
import {
  type ExportStatus,
  latestManifestName,
  type Manifest,
  type ManifestOutput,
  makeRunId,
  publishManifests,
  readManifests,
  renderManifest,
  runManifestName,
  type TimeZoneInfo
} from "../output/Manifest.ts"
import { lockOutputDirectory, peekOutputLock, stateDirName } from "../output/OutputLock.ts"
import { stateFiles } from "../output/StateFolder.ts"
import { resolveIncremental, startedPoints } from "../plan/Incremental.ts"
import type { JobExport } from "../plan/JobFile.ts"
import { runtimeTzDatabase } from "../plan/OutputSettings.ts"
import type { PlannedOutput } from "../plan/PlannedOutput.ts"
import { nameExports, type RunSettings, resolveExport } from "../plan/Planner.ts"
import { commandLineNames, type SettingNames, settingNames } from "../plan/SettingNames.ts"
import * as Shard from "../plan/Shard.ts"
import {
  changedWarning,
  checkRemoval,
  earlierDocuments,
  idKey,
  noRemovals,
  type Removal,
  refuseReplacing,
  vouchedRemovals
} from "../plan/TmlMirror.ts"
import { recordStarted, recordWatermarks, type Watermark, watermarkId } from "../plan/Watermark.ts"
import { UsageError } from "../UsageError.ts"
import * as Checkpoint from "./Checkpoint.ts"
import {
  type DryRunFailure,
  type DryRunOutput,
  type DryRunPlan,
  type DryRunRemoval,
  probeDocument,
  probeExport,
  probeOutput,
  resumePlan
} from "./DryRun.ts"
import { type JobSpec, silentProgress } from "./ExportJob.ts"
import { dataZoneOf, isoOf, jobSpecOf, type OutputContext, RestartNeeded, removeState, writeOutput } from "./Output.ts"
import { makeParquetWorkers } from "./ParquetFile.ts"
import { type RunOptions, StepProbe } from "./Run.ts"
import { makeTranscodePool } from "./TranscodePool.ts"

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

/** A file of an earlier run a `tml` export removed (see `ExportStatus.removed`). */
type RemovedFile = NonNullable<ExportStatus["removed"]>[number]

/** A planned removal as the manifest lists it. */
const removalEntry = (removal: Removal): RemovedFile => ({
  file: removal.file,
  reason: removal.reason,
  detail: removal.detail
})

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
  /**
   * The run's own warnings (an output's are in its entry): what its manifest lists, also when it writes none (a
   * single command that wrote nothing, `--out -`), so that a `--json` report holds every one.
   */
  readonly warnings: ReadonlyArray<string>
  /** With {@link RunOptions.dryRun}: the outputs the run would write (and `outputs` is empty). */
  readonly dryRun?: DryRunPlan
  /** With {@link RunOptions.watermarksAfterLoad}: the watermarks the run did not record (see `recordWatermarks`). */
  readonly watermarks?: ReadonlyArray<PendingWatermark>
  /**
   * With {@link EndOptions.unrecorded} `"report"`: the manifest the run could not write (a full disk) and why. Then
   * `manifest` and `manifestPath` are undefined, no watermark moved and the resume state stays for `--resume`.
   */
  readonly unrecorded?: { readonly manifest: Manifest; readonly error: ExportError }
}

/** How {@link runExports} ends when its manifest cannot be written. */
export interface EndOptions {
  /**
   * `"fail"` (the default): the run fails with the manifest's error. `"report"`: the run returns its result with
   * {@link RunResult.unrecorded} set, for a caller that reports each export's outcome and then fails.
   */
  readonly unrecorded?: "fail" | "report"
}

/** The watermark of an export that succeeded, with the files it wrote (their names in the manifest). */
export interface PendingWatermark {
  readonly id: string
  readonly watermark: Watermark
  readonly files: ReadonlyArray<string>
}

/**
 * Picks the data timezone: `--timezone`, else the cluster's (when valid), else UTC; `say` names how to give one (a
 * job file's `"timezone"`).
 */
export const chooseTimeZone = (
  flag: string | undefined,
  cluster: string | undefined,
  say: SettingNames = commandLineNames
): { readonly info: TimeZoneInfo; readonly warning: string | undefined } => {
  if (flag !== undefined) return { info: { name: flag, source: "flag" }, warning: undefined }
  if (cluster !== undefined && cluster !== "") {
    const zone = resolveTimeZone(cluster)
    if (!(zone instanceof Error)) return { info: { name: cluster, source: "cluster" }, warning: undefined }
    // Why the name is not taken (an abbreviation says which zones it may mean), then what is done instead.
    return {
      info: { name: "UTC", source: "default" },
      warning: `the cluster's time_zone is not used: ${zone.message.replace(/\.$/, "")}; using UTC (${say.toGive("timezone")} to choose)`
    }
  }
  return { info: { name: "UTC", source: "default" }, warning: undefined }
}

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
  strictBy: "no effect on the bytes",
  unsorted: "no effect on the bytes",
  progress: "no effect on the bytes",
  onColumns: "format",
  afterPage: "no effect on the bytes",
  continues: "no effect on the bytes",
  offload: "timezone"
}

/** The first failure of an exit, as an export error naming `what` (in `org`, of a run over Orgs). */
const failureOf = (
  cause: Exit.Exit<unknown, unknown>,
  what: string,
  org: JobExport["org"]
): ExportError | UsageError => {
  if (Exit.isSuccess(cause)) return new ExportError({ kind: "Remote", message: `${what}: no failure` })
  const failure = cause.cause.reasons.find((r) => r._tag === "Fail")
  if (failure?._tag !== "Fail") return new ExportError({ kind: "Remote", message: `${what}: interrupted or crashed` })
  const error = failure.error
  if (error instanceof RestartNeeded)
    return new ExportError({ kind: "Incomplete", message: `${what}: ${error.reason}` })
  return toExportError(error, what, org)
}

/** What narrows `--out -` to one result: the flag that fits why there are several (Orgs, visualizations). */
const stdoutHint = (planned: ReadonlyArray<{ readonly export: JobExport }>): string => {
  const picks: Array<string> = []
  if (new Set(planned.map((p) => p.export.org?.id)).size > 1) picks.push("one Org with --orgs ID")
  const perExport = new Map<JobExport, number>()
  for (const p of planned) perExport.set(p.export, (perExport.get(p.export) ?? 0) + 1)
  const liveboard = [...perExport].some(([e, n]) => n > 1 && e.spec.type === "liveboard")
  if (liveboard) picks.push("one visualization with --viz")
  return picks.length === 0 ? "write to a directory" : `pick ${picks.join(" and ")}, or write to a directory`
}

/**
 * The marker of a `--force` run of a job (`job`: its file's absolute path, `""` for a single command) and shard
 * that has not finished every export: `forced-run-<hash of the job>.json` (of a shard, `….shard-<i>-of-<n>.json`)
 * in the state folder, holding when the run started, so that two jobs writing into one folder keep theirs apart.
 * Every output's state name ends in a suffix of its own (`stateFiles`), so no output's takes this name.
 */
const forcedRunMarker = (stateDir: string, shard: Shard.Shard, job: string, path: Path.Path) => {
  const of = createHash("sha256").update(job, "utf8").digest("hex").slice(0, 16)
  const sharded = shard.count === 1 ? "" : `.shard-${shard.index}-of-${shard.count}`
  return path.join(stateDir, `forced-run-${of}${sharded}.json`)
}

/** The marker of an unfinished `--force` run: when it started and the job it belongs to. */
const ForcedRun = Schema.Struct({ started_at: Schema.String, job: Schema.String })
const decodeForcedRun = Schema.decodeUnknownExit(Schema.fromJsonString(ForcedRun))

/**
 * When the unfinished `--force` run of this job (`job`: its file's absolute path, `""` for a single command) and
 * shard started (epoch ms), or `undefined` when there is none (another job's marker is not this run's). An
 * unreadable marker sets every earlier run aside: the safe side, whose cost is reading outputs again.
 */
const forcedRunOf = (stateDir: string, shard: Shard.Shard, job: string, path: Path.Path) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs
      .readFileString(forcedRunMarker(stateDir, shard, job, path))
      .pipe(Effect.orElseSucceed((): string | undefined => undefined))
    if (text === undefined) return undefined
    const record = decodeForcedRun(text)
    if (Exit.isFailure(record)) return Number.POSITIVE_INFINITY
    if (record.value.job !== job) return undefined
    const at = Date.parse(record.value.started_at)
    return Number.isFinite(at) ? at : Number.POSITIVE_INFINITY
  })

/** Runs `exports` (of the shard) on `cluster` as `options` say. Fails only for problems of the whole run. */
export const runExports = <E>(
  exports: ReadonlyArray<JobExport>,
  cluster: Cluster<E>,
  options: RunOptions,
  end: EndOptions = {}
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
      const runWarnings: Array<string> = [...(options.warnings ?? [])]
      // The data time zone: --timezone, else the cluster's when some export that renders dates sets none (TML
      // documents are written as sent, and their --modified-since is UTC: a user who may not read the cluster's
      // settings, GET system, can mirror TML). It is asked for while the objects are looked up (one round trip less
      // than asking first), and read once.
      const zoneless = mine.filter((e) => e.timezone === undefined && e.spec.type !== "tml")
      const chooseZone: Effect.Effect<TimeZoneInfo, ExportError | UsageError> =
        options.timeZone !== undefined
          ? Effect.succeed(chooseTimeZone(options.timeZone, undefined).info)
          : zoneless.length === 0
            ? Effect.succeed({ name: "UTC", source: "default" })
            : cluster.timeZone.pipe(
                Effect.mapError((e) => toExportError(e, "the cluster's time zone")),
                Effect.flatMap((clusterZone) => {
                  const chosen = chooseTimeZone(
                    undefined,
                    Option.getOrUndefined(clusterZone),
                    settingNames(zoneless[0]!)
                  )
                  if (chosen.warning === undefined) return Effect.succeed(chosen.info)
                  runWarnings.push(chosen.warning)
                  return Effect.as(Effect.logWarning(chosen.warning), chosen.info)
                })
              )
      const dataZone = yield* Effect.cached(chooseZone)
      const runSettings: RunSettings = {
        offset: options.offset,
        newline: options.newline,
        escapeFormulae: options.escapeFormulae,
        periodEnd: options.periodEnd,
        tzDatabase: options.tzDatabase ?? runtimeTzDatabase(),
        writerVersion: options.version,
        host: cluster.host,
        ...(options.jobRun === undefined ? {} : { jobRun: options.jobRun })
      }
      // The TML documents earlier runs left in the folder: a `tml` export removes those of objects gone (TmlMirror.ts),
      // as long as the listings that wrote them were this user's: who it is signed in as is recorded, and decides.
      const mirrors = toDisk && mine.some((e) => e.spec.type === "tml")
      const earlier = mirrors ? earlierDocuments(yield* readManifests(outDir), cluster.host) : undefined
      const user =
        mirrors && cluster.signedIn !== undefined
          ? yield* cluster.signedIn.pipe(
              Effect.catch((e) => {
                // Not knowing who reads leaves every earlier file in place (TmlMirror.vouchedRemovals), loudly.
                const error = toExportError(e, "the signed-in user (auth/session/user)")
                const warning = `${error.message}: this run does not record who read its TML listings, and removes no earlier TML file`
                runWarnings.push(warning)
                return Effect.as(Effect.logWarning(warning), undefined)
              })
            )
          : undefined
      // Who reads an export's listing: the user, in the export's Org (`--orgs`) or the one signed in to.
      const readerIn = (org: JobExport["org"]) => (user === undefined ? undefined : { ...user, org: org ?? user.org })
      // A document never replaces another object's file that another user's listing wrote (TmlMirror.ts): checked
      // before a run writes each document of an export's `outputs`, and by a dry run the same way.
      const refusalsOf = (outputs: ReadonlyArray<PlannedOutput<E>>) => {
        const objects = new Set(
          outputs.flatMap((p) => (p.source.id === null ? [] : [idKey(p.source.type, p.source.id)]))
        )
        return (planned: PlannedOutput<E>): Effect.Effect<void, ExportError, FileSystem.FileSystem | Path.Path> =>
          earlier === undefined
            ? Effect.void
            : refuseReplacing(
                earlier,
                outDir,
                planned.file,
                planned.source,
                objects,
                cluster.host,
                readerIn(planned.export.org)
              )
      }
      // Each export with its starting point resolved (recorded below, for a later --resume).
      const readyExports: Array<JobExport | undefined> = []
      const [zoneInfo, resolved] = yield* Effect.all(
        [
          dataZone,
          Effect.forEach(
            mine,
            (entry, i) =>
              // An incremental export's starting point first (`last`: the folder's watermark; with --resume the
              // interrupted run's), so its fingerprint holds it; a dry run's one-row pages only after, so that the
              // export's fingerprint is the run's (see `resumePlan`).
              Effect.flatMap(
                resolveIncremental(
                  selected[i]!,
                  toDisk ? outDir : undefined,
                  started,
                  cluster.host,
                  options.resume,
                  options.jobRun
                ),
                (ready) => {
                  readyExports[i] = ready
                  return resolveExport(
                    cluster,
                    options.dryRun === true ? { ...ready, pageSize: entry.pageSize } : ready,
                    Effect.map(dataZone, (zone) => zone.name),
                    runSettings,
                    options.givenIn,
                    started,
                    earlier
                  )
                }
              ).pipe(
                Effect.mapError((error) => toExportError(error, entry.what, entry.org)),
                Effect.exit
              ),
            { concurrency: Math.max(1, options.exportsAtOnce) }
          )
        ],
        { concurrency: 2 }
      )
      yield* Effect.logDebug(`data time zone ${zoneInfo.name} (${zoneInfo.source})`)
      if (options.onFailure === "stop") {
        for (const exit of resolved) if (Exit.isFailure(exit)) return yield* Effect.failCause(exit.cause)
      }
      const found = resolved.flatMap((exit) => (Exit.isSuccess(exit) ? [exit.value] : []))
      const keys = nameExports(found)
      const plans = resolved.map((exit) =>
        Exit.map(exit, (r) => ({
          key: keys[found.indexOf(r)]!,
          outputs: r.outputs(keys[found.indexOf(r)]!, zoneInfo.name),
          removals: vouchedRemovals(
            r.removals?.(keys[found.indexOf(r)]!) ?? noRemovals,
            keys[found.indexOf(r)]!,
            cluster.host,
            readerIn(r.export.org),
            settingNames(r.export)
          )
        }))
      )
      if (options.destination._tag === "Stdout") {
        const count = plans.reduce((n, p) => n + (Exit.isSuccess(p) ? p.value.outputs.length : 0), 0)
        if (count !== 1) {
          const planned = plans.flatMap((p) => (Exit.isSuccess(p) ? p.value.outputs : []))
          return yield* new UsageError({
            message: `--out - writes exactly one result, but this ${options.command} has ${count}: ${stdoutHint(planned)}`
          })
        }
      }

      // The earlier runs' entries a --resume run trusts, by file.
      const previousOutputsOf = Effect.gen(function* () {
        const previous = new Map<string, ManifestOutput>()
        if (!options.resume || !toDisk) return previous
        // Every earlier run's manifest, oldest first: an output's latest entry wins. Entries of another job are
        // harmless, since resume compares each output's fingerprint before it trusts an entry. After a --force run
        // of this shard that did not finish, only that run's entries and later ones: the earlier runs' files are
        // what it meant to replace.
        const forcedAt = yield* forcedRunOf(stateDir, options.shard, Checkpoint.jobOf(options).job ?? "", path)
        for (const manifest of yield* readManifests(outDir)) {
          if (forcedAt !== undefined && !(Date.parse(manifest.started_at) >= forcedAt)) continue
          for (const output of manifest.outputs) previous.set(output.file, output)
        }
        return previous
      })

      if (options.dryRun === true) {
        const probeContext: OutputContext = {
          options,
          outDir,
          stateDir,
          pool: undefined,
          parquetWorkers: undefined,
          previousOutputs: new Map(),
          probe,
          warned: new Set()
        }
        // With --resume, what the run would do with each file, decided from the same state as it decides.
        const resumeAt =
          options.resume && toDisk ? { outDir, stateDir, previousOutputs: yield* previousOutputsOf } : undefined
        const probeOne = (planned: PlannedOutput<E>, runPageSize: number) =>
          Effect.gen(function* () {
            const probed =
              planned.document !== undefined
                ? yield* probeDocument(planned, toDisk ? outDir : undefined)
                : yield* Effect.flatMap(dataZoneOf(planned), (zone) =>
                    probeOutput(
                      planned,
                      (p: PlannedOutput<E>) =>
                        jobSpecOf(p, zone, probeContext, { pages: p.pages, progress: silentProgress }),
                      toDisk ? outDir : undefined,
                      runPageSize
                    ).pipe(Effect.mapError((e) => toExportError(e, planned.what)))
                  )
            if (resumeAt === undefined) return probed
            const resume = yield* resumePlan(planned, runPageSize, resumeAt)
            // Said as the run says it: a setting changed on purpose is information, else a warning.
            if (resume._tag === "Restart") {
              const line = `${planned.file}: ${resume.reason}: a run with --resume starts it over`
              yield* resume.settingChanged === true ? Effect.logInfo(line) : Effect.logWarning(line)
            }
            return { ...probed, resume }
          })
        // A document a run would refuse to write (TmlMirror.refuseReplacing) is a failed item here as there: the
        // plan lists the export's other documents, and the export as failed.
        const probeItem =
          (refuses: ReturnType<typeof refusalsOf>, failedItems: Array<FailedItem>, runPageSize: number) =>
          (planned: PlannedOutput<E>) =>
            planned.document === undefined
              ? Effect.map(probeOne(planned, runPageSize), (probed) => [probed])
              : Effect.matchEffect(refuses(planned), {
                  onFailure: (error) =>
                    Effect.sync((): ReadonlyArray<DryRunOutput> => {
                      const item = toExportError(error, planned.what, planned.export.org)
                      failedItems.push({ file: planned.file, what: planned.what, error: item.message })
                      return []
                    }),
                  onSuccess: () => Effect.map(probeOne(planned, runPageSize), (probed) => [probed])
                })
        const outputs: Array<DryRunOutput> = []
        const failures: Array<DryRunFailure> = []
        // Exports a run would fail: they remove nothing.
        const failing = new Set<number>()
        for (const [i, plan] of plans.entries()) {
          const entry = mine[i]!
          const failedItems: Array<FailedItem> = []
          const probed: Exit.Exit<ReadonlyArray<ReadonlyArray<DryRunOutput>>, unknown> = Exit.isSuccess(plan)
            ? yield* probeExport(
                plan.value.outputs,
                // The run's page size (the plan's is one row): a split export's parts are ranges of its pages.
                probeItem(refusalsOf(plan.value.outputs), failedItems, selected[i]!.pageSize)
              )
            : Exit.failCause(plan.cause)
          if (Exit.isSuccess(probed)) {
            outputs.push(...probed.value.flat())
            if (failedItems.length === 0) continue
            failing.add(i)
            for (const item of failedItems) yield* Effect.logError(item.error)
            const count = Exit.isSuccess(plan) ? plan.value.outputs.length : failedItems.length
            const error = new ExportError({
              kind: "Remote",
              message: `${failedItems.length} of ${count} documents would not be exported (a run writes the others, removes no earlier file and fails; nothing was written): ${failedItems[0]!.error}`
            })
            if (options.onFailure === "stop") return yield* error
            failures.push({ export: entry, error, failedItems })
          } else {
            failing.add(i)
            const error = failureOf(probed, entry.what, entry.org)
            if (options.onFailure === "stop") return yield* error
            failures.push({ export: entry, error })
          }
        }
        // The files a run would remove (those changed by hand since spotpipe wrote them are kept, and not listed).
        const removals: Array<DryRunRemoval> = []
        // Said in the log as they come, and in the plan: a scheduler reading `--dry-run --json` sees them too.
        const planWarnings = [...runWarnings]
        for (const [i, plan] of plans.entries()) {
          if (Exit.isFailure(plan) || failing.has(i) || !toDisk) continue
          for (const warning of plan.value.removals.warnings) {
            yield* Effect.logWarning(warning)
            planWarnings.push(warning)
          }
          for (const removal of plan.value.removals.removals) {
            const check = yield* checkRemoval(outDir, removal)
            if (check === "changed") {
              yield* Effect.logWarning(changedWarning(removal))
              planWarnings.push(changedWarning(removal))
            } else if (check === "remove") {
              removals.push({ export: plan.value.key, what: mine[i]!.what, ...removalEntry(removal) })
            }
          }
        }
        // Another run writing into the folder stops a run as it claims it, before it looks at the files there;
        // seen by reading the locks only. Then files at their final paths stop a run without --force or --resume.
        const lockRefusal = toDisk
          ? peekOutputLock(outDir, {
              shard: options.shard,
              ...(options.job === undefined ? {} : { job: options.job.fingerprint })
            })
          : undefined
        const refusal =
          lockRefusal ??
          (toDisk && !options.resume && !options.force
            ? existingRefusal(
                outputs.filter((output) => output.exists).map((output) => output.file),
                outDir,
                path,
                options.job === undefined
              )
            : undefined)
        return {
          manifest: undefined,
          manifestPath: undefined,
          outputs: [],
          failures,
          warnings: runWarnings,
          dryRun: {
            outputs,
            failures,
            warnings: planWarnings,
            ...(removals.length === 0 ? {} : { removals }),
            ...(toDisk ? { existing: existingPolicy(options) } : {}),
            ...(refusal === undefined ? {} : { refusal })
          }
        }
      }

      // ── claim ──────────────────────────────────────────────────────────────────────────────────────────────
      if (toDisk) {
        // A shard shares the folder only with the other shards of its job and count; any other run, with nothing.
        const sharded = options.shard.count === 1 ? "" : ` --shard ${options.shard.index}/${options.shard.count}`
        yield* lockOutputDirectory(outDir, {
          shard: options.shard,
          command: `spotpipe ${options.command}${options.job === undefined ? "" : ` ${options.job.file}`}${sharded}`,
          ...(options.job === undefined ? {} : { job: options.job.fingerprint }),
          // However the run ends (a failure, a signal), an empty state folder does not stay behind.
          removeIfEmpty: [stateDirName]
        })
        if (!options.resume && !options.force) yield* refuseExisting(plans, outDir, options.job === undefined)
        yield* orFail(fs.makeDirectory(stateDir, { recursive: true }), stateDir)
        // Every output this run replaces is marked before any is written, so that a --resume of it, should it
        // stop, replaces those it did not reach rather than keep their earlier files (see `stateFiles`).
        if (options.force) {
          const markers = plans.flatMap((plan) =>
            Exit.isFailure(plan)
              ? []
              : plan.value.outputs.map((planned) => stateFiles(stateDir, planned.file, path).forced)
          )
          // A run that keeps no resume state (a single command without --resume) leaves none behind.
          if (!options.keepState) {
            yield* Effect.addFinalizer(() =>
              Effect.forEach(markers, (marker) => fs.remove(marker).pipe(Effect.ignore), { discard: true })
            )
          }
          // A marker names the job it belongs to, like a checkpoint (see `Checkpoint.removeStaleState`).
          const owner = Checkpoint.jobOf(options).job ?? ""
          for (const marker of markers) yield* orFail(fs.writeFileString(marker, owner), marker)
          // An export not planned (its lookup failed) has no marker above, yet its earlier file is not this run's
          // either: the run's own marker sets every earlier run aside for a --resume of it (see `forcedRunOf`).
          if (options.keepState) {
            const marker = forcedRunMarker(stateDir, options.shard, owner, path)
            const record: typeof ForcedRun.Type = { started_at: isoOf(started), job: owner }
            yield* orFail(fs.writeFileString(marker, JSON.stringify(record)), marker)
          }
          yield* syncDirectory(stateDir)
        }
        // Where the incremental exports start, before they write: a --resume of this run starts there too. A run
        // that keeps no resume state (a single command without --resume) has nothing to continue, and leaves none.
        if (options.keepState)
          yield* recordStarted(
            outDir,
            startedPoints(
              mine.flatMap((entry, i) => {
                const ready = readyExports[i]
                return ready === undefined || Exit.isFailure(plans[i]!) ? [] : [[entry, ready] as const]
              }),
              cluster.host,
              options.jobRun
            )
          )
        yield* probe("claimed", stateDirName)
      }
      const previousOutputs = yield* previousOutputsOf
      const pool =
        options.workers > 0
          ? yield* makeTranscodePool(options.workers, { overlappingPages: options.overlappingPages })
          : undefined

      // ── write ──────────────────────────────────────────────────────────────────────────────────────────────
      // Started now, while the first requests are on their way, so a worker is ready by the first Parquet page.
      const writesParquet = plans.some(
        (plan) => Exit.isSuccess(plan) && plan.value.outputs.some((planned) => planned.settings.format === "parquet")
      )
      const parquetWorkers = writesParquet ? yield* makeParquetWorkers({ warm: true }) : undefined
      const context: OutputContext = {
        options,
        outDir,
        stateDir,
        pool,
        parquetWorkers,
        previousOutputs,
        probe,
        warned: new Set()
      }
      let stopped = false
      const writeExport = (plan: (typeof plans)[number], entry: JobExport) => {
        // Kept when a later output of the export fails: the ones published before it (a liveboard's first
        // visualizations) are on disk, so the manifest must list them.
        const written: Array<WrittenOutput> = []
        // Documents (TML) that failed while the export's other documents were written: listed, never dropped.
        const failedItems: Array<FailedItem> = []
        // Earlier TML files of objects gone from the cluster, removed once every document was written.
        const removed: Array<RemovedFile> = []
        return Effect.gen(function* () {
          const { outputs, removals } = yield* plan
          const refuses = refusalsOf(outputs)
          const writeDocument = (planned: PlannedOutput<E>) =>
            Effect.andThen(refuses(planned), writeOutput(planned, context))
          // Documents are files of their own, one request each: several are read and written at once (the client
          // still bounds requests and their rate), and taken in plan order below.
          const documents = new Map(
            yield* Effect.forEach(
              outputs.filter((planned) => planned.document !== undefined),
              (planned) => Effect.map(Effect.exit(writeDocument(planned)), (exit) => [planned, exit] as const),
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
                const error = failureOf(exit, planned.what, planned.export.org)
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
          for (const warning of removals.warnings) {
            runWarnings.push(warning)
            yield* Effect.logWarning(warning)
          }
          const folders = new Set<string>()
          for (const removal of removals.removals) {
            const check = yield* checkRemoval(outDir, removal)
            if (check === "changed") {
              const warning = changedWarning(removal)
              runWarnings.push(warning)
              yield* Effect.logWarning(warning)
              continue
            }
            const at = path.join(outDir, removal.file)
            // A file already gone (a run stopped after removing it, or removed by hand) is listed all the same.
            if (check === "remove") yield* orFail(fs.remove(at), at)
            yield* Effect.logInfo(`removed ${removal.file}: ${removal.detail}`)
            removed.push(removalEntry(removal))
            folders.add(path.dirname(at))
          }
          for (const folder of folders) yield* syncDirectory(folder)
        }).pipe(
          Effect.exit,
          Effect.map((exit) => ({ entry, exit, written, failedItems, removed }))
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
      let removedFiles = 0
      results.forEach((result, i) => {
        if (result === undefined) return
        const { entry, exit, written, failedItems, removed } = result
        const plan = plans[i]!
        const key = Exit.isSuccess(plan) ? plan.value.key : (entry.key ?? entry.what)
        outputs.push(...written)
        removedFiles += removed.length
        const extra = {
          ...(failedItems.length === 0 ? {} : { failed_items: failedItems }),
          ...(removed.length === 0 ? {} : { removed }),
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
          const error = failureOf(exit, entry.what, entry.org)
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
      if (!toDisk) return { manifest: undefined, manifestPath: undefined, outputs, failures, warnings: runWarnings }
      // A single command (no job) that wrote nothing writes no manifest, over several Orgs too (one that removed files
      // of objects gone does: it changed the folder).
      // Its warnings (files kept, say) are still the run's: in its result, for the `--json` report.
      if ((options.onFailure === "stop" || options.job === undefined) && outputs.length === 0 && removedFiles === 0) {
        return { manifest: undefined, manifestPath: undefined, outputs, failures, warnings: runWarnings }
      }
      const finished = yield* Clock.currentTimeMillis
      const runId = makeRunId(started)
      const manifest: Manifest = {
        spotpipe: options.version,
        run_id: runId,
        command: options.command,
        job: options.job ?? null,
        shard: options.shard.count === 1 ? null : { index: options.shard.index, count: options.shard.count },
        ...(options.jobRun === undefined ? {} : { job_run: options.jobRun }),
        ...(options.orgSelection === undefined ? {} : { org_selection: options.orgSelection }),
        host: cluster.host,
        ...(user === undefined ? {} : { signed_in: user }),
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
      const published = yield* Effect.result(publishManifests(outDir, runId, latest, renderManifest(manifest)))
      if (Result.isFailure(published)) {
        if (end.unrecorded !== "report") return yield* published.failure
        // Nothing vouches for the outputs: their resume state stays, and no watermark moves.
        const unrecorded = { manifest, error: published.failure }
        return { manifest: undefined, manifestPath: undefined, outputs, failures, warnings: runWarnings, unrecorded }
      }
      // Where the incremental exports that succeeded start next time; a failed one keeps its earlier watermark.
      // An output found done keeps the watermark of the run that wrote it (that run may have been killed before
      // it recorded it).
      const watermarks: Array<PendingWatermark> = results.flatMap((result) =>
        result === undefined || Exit.isFailure(result.exit)
          ? []
          : result.written.flatMap(({ output }) =>
              output.watermark === undefined
                ? []
                : [
                    {
                      id: watermarkId(result.entry),
                      watermark: { ...output.watermark, run_id: runId, host: cluster.host },
                      files: result.written.map((o) => o.output.file)
                    }
                  ]
            )
      )
      // A job's load records them once it took the files (see `RunOptions.watermarksAfterLoad`).
      if (options.watermarksAfterLoad !== true) {
        yield* recordWatermarks(
          outDir,
          watermarks.map((mark) => [mark.id, mark.watermark] as const)
        )
      }
      // The manifest now vouches for the completed outputs: their resume state is no longer needed.
      for (const { output } of outputs) {
        const files = stateFiles(stateDir, output.file, path)
        yield* removeState(files)
        yield* fs.remove(files.forced).pipe(Effect.ignore)
      }
      // Every export of the shard done: this manifest lists them all, and no earlier run's file is kept as its.
      if (failures.length === 0 && results.every((result) => result !== undefined)) {
        const job = Checkpoint.jobOf(options).job ?? ""
        if ((yield* forcedRunOf(stateDir, options.shard, job, path)) !== undefined) {
          yield* fs.remove(forcedRunMarker(stateDir, options.shard, job, path)).pipe(Effect.ignore)
        }
      }
      // The state of outputs the job no longer has (an export removed from its file, another split) is of no use:
      // removed when this run had the whole job planned (not a shard's share, no export unresolved), only the
      // state that names this job, so that the state folder can go.
      const job = Checkpoint.jobOf(options).job
      if (job !== undefined && options.shard.count === 1 && plans.every(Exit.isSuccess)) {
        const planned = plans.flatMap((plan) => (Exit.isSuccess(plan) ? plan.value.outputs.map((o) => o.file) : []))
        const removed = yield* Checkpoint.removeStaleState(stateDir, job, planned, path)
        if (removed.length > 0) {
          yield* Effect.logInfo(
            `removed the resume state of ${removed.length} ${removed.length === 1 ? "output" : "outputs"} the job no longer has: ${removed.slice(0, 5).join(", ")}${removed.length > 5 ? ", …" : ""}`
          )
        }
      }
      return {
        manifest,
        manifestPath: path.join(outDir, runManifestName(runId)),
        outputs,
        failures,
        warnings: runWarnings,
        ...(options.watermarksAfterLoad === true ? { watermarks } : {})
      }
    })
  ).pipe(Effect.withSpan("Engine.runExports"))

/** How a run treats the files it finds at its outputs' paths: keeps verified ones, replaces them, or refuses. */
const existingPolicy = (options: RunOptions): NonNullable<DryRunPlan["existing"]> =>
  options.resume ? "resume" : options.force ? "replace" : "refuse"

/** Refuses a run whose outputs exist already (without `--force` or `--resume`): nothing is written. */
const refuseExisting = (
  plans: ReadonlyArray<Exit.Exit<{ readonly outputs: ReadonlyArray<PlannedOutput<unknown>> }, unknown>>,
  outDir: string,
  single: boolean
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
    const refusal = existingRefusal(existing, outDir, path, single)
    if (refusal !== undefined) return yield* refusal
  })

/**
 * Why a run without `--force` or `--resume` writes nothing into `outDir`, where the files `existing` (relative to it)
 * are already: the run's refusal, and its dry run's (which only reports it, after the plan). `single`: the run is a
 * single command's, not a job's.
 */
const existingRefusal = (
  existing: ReadonlyArray<string>,
  outDir: string,
  path: Path.Path,
  single: boolean
): ExportError | undefined => {
  if (existing.length === 1) {
    return new ExportError({
      kind: "OutputExists",
      message: `${path.join(outDir, existing[0]!)} already exists: pass --force to replace it, --resume to keep it if it is complete and verified, or choose another --out directory; nothing was written`
    })
  }
  if (existing.length > 1) {
    const listed = existing.slice(0, 3).join(", ") + (existing.length > 3 ? `, … (${existing.length} in all)` : "")
    return new ExportError({
      kind: "OutputExists",
      message: `${existing.length} outputs of this ${single ? "export" : "job"} already exist in ${outDir} (${listed}); nothing was written: pass --resume to keep verified outputs and finish the rest, --force to replace them, or choose another --out directory`
    })
  }
  return undefined
}
