/**
 * A Parquet output: its pages are written, checkpointed and resumable like any CSV output, as a staged CSV whose
 * typed columns hold only canonical text (`formats/TypedCells.ts`). Beside the export, a worker thread
 * (ParquetWorker.ts) follows that file as it grows and encodes its rows into the Parquet file next to it
 * (`formats/parquet`), a row group at a time; on `--resume` it first reads the staged rows already on disk. Once
 * the last page is written, the worker ends the file, which then replaces the staged file as the output's partial
 * file (so the complete checkpoint, publish and manifest see the Parquet bytes).
 *
 * The run keeps its Parquet workers ({@link makeParquetWorkers}): one is started with the run, before the first page
 * arrives, and a worker that ended an output takes the next one, so a job of many small Parquet outputs does not
 * start a thread for each (~60 ms apiece). A worker whose output did not end (a failure, an interruption) is
 * stopped, never reused.
 *
 * A crash between the replace and the complete checkpoint leaves a partial file that no longer matches its
 * checkpoint: `--resume` then starts that output over, never mixing the two.
 */
import { Worker } from "node:worker_threads"
import { Effect, FileSystem, type Scope } from "effect"
import { ExportError } from "../ExportError.ts"
import { columnKindOf } from "../formats/ColumnKinds.ts"
import type { ParquetColumn } from "../formats/parquet/ParquetEncoder.ts"
import type { OutputColumn } from "../formats/RowRenderer.ts"
import { errnoFileError, fileError } from "../output/AtomicFile.ts"
import { version } from "../Version.ts"

/** What the worker is started with. */
export interface ParquetWorkerData {
  readonly staged: string
  readonly target: string
  readonly columns: ReadonlyArray<ParquetColumn>
  readonly createdBy: string
}

/** Start the next output (`Open`); its staged file holds `available` bytes (all of it, when `finish`). */
export type ParquetWorkerRequest =
  | { readonly _tag: "Open"; readonly data: ParquetWorkerData }
  | { readonly _tag: "Read"; readonly available: number; readonly finish: boolean }

/** The worker's answer: the file is complete, or it failed (then it reads nothing more). */
export type ParquetWorkerReply =
  | { readonly _tag: "Done"; readonly rows: number; readonly bytes: number; readonly sha256: string }
  | { readonly _tag: "Failed"; readonly message: string; readonly code?: string }

/** The file the worker writes beside the partial file (removed with the output's state, e.g. after a kill). */
export const parquetTarget = (partial: string) => `${partial}.parquet`

/** The worker's module: beside this one, as source or (in the bundled CLI, scripts/bundle.ts) as its bundle. */
const workerUrl = new URL(
  import.meta.url.endsWith(".ts") ? "./ParquetWorker.ts" : "./ParquetWorker.js",
  import.meta.url
)

/**
 * Its V8 heap holds little (column values, pages and the footer's row group entries are external buffers), but the
 * pages' compressed bytes come and go as external memory, which a smaller heap collects sooner. Measured at 10 M
 * rows: with a 48 MB old generation the process peaked at 256–288 MiB (over the 300 MB target in one run of three),
 * with 32 MB at 249–263 MiB for a few percent of speed, with 16 MB lower still but 5–10 % slower.
 */
const resourceLimits = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32, stackSizeMb: 1 }

/** The Parquet side of one output's writing. */
export interface ParquetWriter {
  /** The staged file now holds `bytes` checked bytes: the worker may read up to there. */
  readonly advance: (bytes: number) => Effect.Effect<void, ExportError>
  /**
   * Ends the Parquet file after the staged file's `bytes` (which hold `rows` rows) and makes it the partial file;
   * returns its size and SHA-256.
   */
  readonly finish: (
    bytes: number,
    rows: number
  ) => Effect.Effect<{ readonly bytes: number; readonly sha256: string }, ExportError>
}

/**
 * Why the worker failed, as an export error: a write the file system refused (an errno code: a full disk, a file over
 * the size limit) by the rule every output write follows; anything else is the data's (a cell it cannot encode).
 */
export const parquetFailure = (
  planned: { readonly what: string; readonly file: string },
  answer: Extract<ParquetWorkerReply, { _tag: "Failed" }>
): ExportError =>
  answer.code !== undefined && /^E[A-Z]+$/.test(answer.code)
    ? errnoFileError(planned.file, answer.code)
    : new ExportError({
        kind: "BadData",
        message: `${planned.what}: ${planned.file} could not be written as Parquet: ${answer.message}`
      })

/** The run's Parquet worker threads (see the module comment). */
export interface ParquetWorkers {
  /** An idle worker, or a new one. */
  readonly take: () => Worker
  /** A worker whose output ended: it takes the next one. */
  readonly give: (worker: Worker) => void
  /** A worker whose output did not end: stopped. */
  readonly stop: (worker: Worker) => Promise<void>
}

/** The run's Parquet workers, stopped with the scope; `warm` starts one now, so it is ready by the first page. */
export const makeParquetWorkers = (
  options: { readonly warm: boolean } = { warm: false }
): Effect.Effect<ParquetWorkers, never, Scope.Scope> =>
  Effect.gen(function* () {
    const idle: Array<Worker> = []
    const running = new Set<Worker>()
    const start = () => {
      const worker = new Worker(workerUrl, { resourceLimits })
      running.add(worker)
      // An idle worker that dies is dropped (the output holding a busy one hears of it through its own listeners).
      worker.on("error", () => {})
      worker.once("exit", () => {
        running.delete(worker)
        const at = idle.indexOf(worker)
        if (at >= 0) idle.splice(at, 1)
      })
      return worker
    }
    const rest = (worker: Worker) => {
      // An idle worker does not keep the process alive.
      worker.unref()
      idle.push(worker)
    }
    yield* Effect.addFinalizer(() => Effect.promise(() => Promise.all([...running].map((w) => w.terminate()))))
    if (options.warm) rest(start())
    return {
      take: () => {
        const worker = idle.pop() ?? start()
        worker.ref()
        return worker
      },
      give: rest,
      stop: async (worker) => {
        running.delete(worker)
        await worker.terminate()
      }
    }
  })

/** Gives `planned`'s Parquet file, written from the staged file at `partial`, to one of `workers` for the scope. */
export const startParquetWriter = (
  planned: { readonly what: string; readonly file: string },
  partial: string,
  columns: ReadonlyArray<OutputColumn>,
  workers: ParquetWorkers
): Effect.Effect<ParquetWriter, never, Scope.Scope | FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const target = parquetTarget(partial)
    const data: ParquetWorkerData = {
      staged: partial,
      target,
      columns: columns.map((c) => ({ name: c.name, kind: columnKindOf(c.type) })),
      createdBy: `spotpipe version ${version}`
    }
    const fs = yield* FileSystem.FileSystem
    let ended = false
    let reply: ParquetWorkerReply | undefined
    let settle: ((reply: ParquetWorkerReply) => void) | undefined
    const answered = (answer: ParquetWorkerReply) => {
      reply ??= answer
      settle?.(reply)
    }
    const onError = (error: Error) => {
      const code = (error as { code?: unknown }).code
      answered({ _tag: "Failed", message: error.message, ...(typeof code === "string" ? { code } : {}) })
    }
    const onExit = (code: number) => answered({ _tag: "Failed", message: `the Parquet worker stopped (${code})` })
    const worker = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const taken = workers.take()
        taken.on("message", answered)
        taken.on("error", onError)
        taken.on("exit", onExit)
        taken.postMessage({ _tag: "Open", data } satisfies ParquetWorkerRequest)
        return taken
      }),
      (taken) => {
        taken.off("message", answered)
        taken.off("error", onError)
        taken.off("exit", onExit)
        if (ended) return Effect.sync(() => workers.give(taken))
        // A file not ended is of no use: it goes with the worker (a kill leaves it to the output's state cleanup).
        return Effect.andThen(
          Effect.promise(() => workers.stop(taken)),
          fs.remove(target, { force: true }).pipe(Effect.ignore)
        )
      }
    )

    const failure = (answer: Extract<ParquetWorkerReply, { _tag: "Failed" }>) => parquetFailure(planned, answer)

    const advance = (bytes: number): Effect.Effect<void, ExportError> =>
      Effect.suspend(() => {
        if (reply?._tag === "Failed") return Effect.fail(failure(reply))
        worker.postMessage({ _tag: "Read", available: bytes, finish: false } satisfies ParquetWorkerRequest)
        return Effect.void
      })

    const finish = (bytes: number, rows: number) =>
      Effect.gen(function* () {
        const began = performance.now()
        const done = yield* Effect.callback<ParquetWorkerReply>((resume) => {
          if (reply !== undefined) return resume(Effect.succeed(reply))
          settle = (answer) => resume(Effect.succeed(answer))
          worker.postMessage({ _tag: "Read", available: bytes, finish: true } satisfies ParquetWorkerRequest)
        })
        if (done._tag === "Failed") {
          yield* fs.remove(target, { force: true }).pipe(Effect.ignore)
          return yield* failure(done)
        }
        yield* Effect.logDebug(`${planned.file}: Parquet file ended`, { ms: Math.round(performance.now() - began) })
        if (done.rows !== rows) {
          yield* fs.remove(target, { force: true }).pipe(Effect.ignore)
          return yield* new ExportError({
            kind: "Incomplete",
            message: `${planned.what}: ${done.rows} rows were written to ${planned.file} but ${rows} were exported: run the export again`
          })
        }
        // The worker synced the file before it answered.
        yield* Effect.mapError(fs.rename(target, partial), (e) => fileError(target, e))
        ended = true
        return { bytes: done.bytes, sha256: done.sha256 }
      })

    return { advance, finish }
  })
