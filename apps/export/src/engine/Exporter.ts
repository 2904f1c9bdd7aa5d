/**
 * One run of the CLI: a list of export tasks written into one destination. File names are allocated up front
 * (sanitized, unique, deterministic) and existing outputs refused before any data is read. Each task reads its
 * pages once and writes every requested format through its own atomic file. The run's `manifest.json` is
 * written at the end — also after a failure, listing what was completed — and a summary table is returned.
 */
import { type OffsetStyle, resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import { Clock, Effect, type FileSystem, Path, type Stream } from "effect"
import type { ProgressReporter } from "../cli/Progress.ts"
import type { Format, OutputSettings } from "../cli/Settings.ts"
import type { SummaryLine } from "../cli/Summary.ts"
import type { UsageError } from "../cli/UsageError.ts"
import type { ExportError } from "../ExportError.ts"
import { toExportError } from "../Failure.ts"
import { type ChunkWriter, publish, refuseExisting, type WriteResult } from "../output/AtomicFile.ts"
import {
  type Manifest,
  type ManifestOutput,
  makeRunId,
  manifestColumn,
  manifestFileName,
  type OutputSource,
  type TimeZoneInfo,
  writeManifest
} from "../output/Manifest.ts"
import { lockOutputDirectory } from "../output/OutputLock.ts"
import { makeStreamWriter } from "../output/StdoutWriter.ts"
import { type ColumnTypes, planColumns } from "../plan/ColumnPlanner.ts"
import { FileNameAllocator } from "../plan/FileName.ts"
import { type DataPage, type JobResult, type JobSink, type PageDecoder, runJob } from "./ExportJob.ts"
import { makeTranscodePool } from "./TranscodePool.ts"

/** One result to export. */
export interface ExportTask<E> {
  /** Summary label, e.g. `answer Sales`. */
  readonly object: string
  /** For messages, e.g. `answer "Sales"`. */
  readonly what: string
  /** File name before sanitizing and extension, e.g. `answer-Sales`. */
  readonly fileName: string
  /** The folder (before sanitizing) the file goes into, e.g. `liveboard-Sales` for a liveboard's visualizations. */
  readonly folder?: string
  readonly source: OutputSource
  /** The pages, read with the job's decoder (see `ExportJob.PageDecoder`). */
  readonly pages: (decoder: PageDecoder) => Stream.Stream<DataPage, E>
  /** ThoughtSpot types of a page's columns, by position (`null` when unknown; see `ColumnPlanner.ColumnTypes`). */
  readonly typesOf: ColumnTypes
  /** Header columns when the source yields no page. */
  readonly emptyColumns: ReadonlyArray<string>
}

/** Run-wide settings. */
export interface RunSettings {
  readonly command: string
  readonly version: string
  readonly host: string
  readonly output: OutputSettings
  /** Formats to write for each task (the demo writes both). */
  readonly formats: ReadonlyArray<Format>
  readonly timeZone: TimeZoneInfo
  readonly offset: OffsetStyle
  readonly progress: ProgressReporter
  /** Worker threads that transcode large pages (0: all on the main thread). */
  readonly workers: number
  /** A page the server repeated fails its export instead of being a warning (`--strict`). */
  readonly strict?: boolean
}

/** What a run wrote. */
export interface RunResult {
  readonly summary: ReadonlyArray<SummaryLine>
  readonly manifest: Manifest | undefined
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

/** A job's result and what each of its files received, in format order. */
type Written = readonly [JobResult, ReadonlyArray<WriteResult>]

const isoNow = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

/** Runs `tasks` into the destination. `runWarnings` are recorded in the manifest. */
export const runExport = <E>(
  settings: RunSettings,
  tasks: ReadonlyArray<ExportTask<E>>,
  runWarnings: ReadonlyArray<string>
): Effect.Effect<RunResult, ExportError | UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.scoped(
    Effect.gen(function* () {
      const path = yield* Path.Path
      const zone = resolveTimeZone(settings.timeZone.name)
      // The gate validated --timezone and chooseTimeZone only keeps resolvable cluster zones.
      const timeZone: TimeZone = zone instanceof Error ? yield* Effect.die(zone) : zone
      const startedMillis = yield* Clock.currentTimeMillis
      const startedAt = new Date(startedMillis).toISOString()
      const runId = makeRunId(startedMillis)
      const destination = settings.output.destination
      const force = settings.output.force

      const names = new FileNameAllocator()
      names.reserve(manifestFileName)
      // A task with a folder (a liveboard's visualizations) writes into it; one folder per folder name and
      // source, allocated among the top-level names, and file names allocated within each folder.
      const folders = new Map<string, { readonly name: string; readonly names: FileNameAllocator }>()
      const folderOf = (task: ExportTask<E>) => {
        if (task.folder === undefined) return undefined
        const key = JSON.stringify([task.folder, task.source.id])
        let folder = folders.get(key)
        if (folder === undefined) {
          // Allocated without extension, as a bare name (the allocator adds `.x`).
          folder = { name: names.allocate(task.folder, "x").slice(0, -2), names: new FileNameAllocator() }
          folders.set(key, folder)
        }
        return folder
      }
      const planned = tasks.map((task) => {
        const folder = folderOf(task)
        return {
          task,
          files: settings.formats.map((format) => ({
            format,
            name:
              folder === undefined
                ? names.allocate(task.fileName, format)
                : `${folder.name}/${folder.names.allocate(task.fileName, format)}`
          }))
        }
      })
      const dir = destination._tag === "Directory" ? destination.path : "."
      if (destination._tag === "Directory") {
        // The directory is created (and locked) only now that there is something to write.
        yield* lockOutputDirectory(dir)
        for (const { files } of planned) {
          for (const file of files) yield* refuseExisting(path.join(dir, file.name), force)
        }
      }

      const pool =
        settings.workers > 0
          ? yield* makeTranscodePool(settings.workers, { overlappingPages: settings.output.concurrency > 1 })
          : undefined
      const offload =
        pool === undefined ? {} : { offload: { pool, timeZone: settings.timeZone.name, offset: settings.offset } }

      const outputs: Array<ManifestOutput> = []
      const summary: Array<SummaryLine> = []
      const exportOne = (task: ExportTask<E>, files: ReadonlyArray<{ format: Format; name: string }>) =>
        Effect.gen(function* () {
          const taskStart = yield* Clock.currentTimeMillis
          const taskStartedAt = new Date(taskStart).toISOString()
          const spec = {
            what: task.what,
            pages: task.pages,
            plan: (columns: ReadonlyArray<string>) =>
              planColumns(columns, task.typesOf(columns), { timeZone, offset: settings.offset }),
            emptyColumns: task.emptyColumns,
            newline: settings.output.newline,
            escapeFormulae: settings.output.escapeFormulae,
            periodEnd: settings.output.periodEnd,
            strict: settings.strict === true,
            progress: settings.progress,
            ...offload
          }
          let job: Effect.Effect<Written, E | ExportError, FileSystem.FileSystem | Path.Path>
          if (destination._tag === "Stdout") {
            const out = makeStreamWriter()
            job = Effect.map(
              runJob(spec, [{ format: files[0]!.format, writer: out.writer }]),
              (r) => [r, [out.result()]] as const
            )
          } else {
            // Nest one atomic publish per format around a single read of the pages.
            const nest = (
              index: number,
              sinks: ReadonlyArray<JobSink>
            ): Effect.Effect<Written, E | ExportError, FileSystem.FileSystem | Path.Path> => {
              if (index === files.length) return Effect.map(runJob(spec, sinks), (r) => [r, []] as const)
              const file = files[index]!
              return Effect.map(
                publish(path.join(dir, file.name), { force }, (writer: ChunkWriter) =>
                  nest(index + 1, [...sinks, { format: file.format, writer }])
                ),
                ([[result, inner], written]) => [result, [written, ...inner]] as const
              )
            }
            job = nest(0, [])
          }
          const [result, written] = yield* job
          const taskEnd = yield* Clock.currentTimeMillis
          const seconds = (taskEnd - taskStart) / 1000
          files.forEach((file, i) => {
            const w = written[i]!
            outputs.push({
              file: destination._tag === "Stdout" ? "-" : file.name,
              format: file.format,
              source: task.source,
              columns: result.columns.map(manifestColumn),
              rows_written: result.rows,
              available_data_row_count: result.availableRowCount,
              sampling_ratio: result.samplingRatio,
              pages: result.pages,
              bytes: w.bytes,
              sha256: w.sha256,
              started_at: taskStartedAt,
              finished_at: new Date(taskEnd).toISOString(),
              seconds,
              warnings: result.warnings
            })
            summary.push({
              object: task.object,
              rows: result.rows,
              file: destination._tag === "Stdout" ? "-" : file.name,
              bytes: w.bytes,
              seconds
            })
          })
          for (const warning of result.warnings) {
            if (!result.logged?.includes(warning)) yield* Effect.logWarning(`${task.what}: ${warning}`)
          }
        }).pipe(Effect.mapError((error) => toExportError(error, task.what)))

      const manifestFor = (failure: string | undefined) =>
        Effect.gen(function* () {
          const finished = yield* Clock.currentTimeMillis
          const manifest: Manifest = {
            spotpipe: settings.version,
            run_id: runId,
            command: settings.command,
            host: settings.host,
            timezone: settings.timeZone,
            tz_database: process.versions.tz ?? "unknown",
            started_at: startedAt,
            finished_at: yield* isoNow,
            seconds: (finished - startedMillis) / 1000,
            outputs: [...outputs],
            warnings: failure === undefined ? [...runWarnings] : [...runWarnings, `run failed: ${failure}`]
          }
          if (destination._tag === "Directory") yield* writeManifest(dir, manifest)
          return manifest
        })

      yield* Effect.forEach(planned, ({ task, files }) => exportOne(task, files), { discard: true }).pipe(
        Effect.tapError((error) => (outputs.length > 0 ? manifestFor(error.message).pipe(Effect.ignore) : Effect.void))
      )
      const manifest = yield* manifestFor(undefined)
      return { summary, manifest }
    })
  )
