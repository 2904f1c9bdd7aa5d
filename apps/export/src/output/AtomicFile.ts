/**
 * Atomic publication of one output file. Text is written to a temp file beside the target (same directory, so
 * the final rename never crosses file systems), fsynced, then renamed over the target. If the work fails or
 * is interrupted, the temp file is removed and nothing appears at the final path. An existing target is refused
 * unless `force` is set. Bytes and the SHA-256 are computed on the way through, for the manifest.
 *
 * The file is also flushed to disk as it grows (every {@link flushEvery} bytes, in the background, one flush at a
 * time), so the final fsync only waits for the tail: otherwise it waits for the whole file, which the kernel
 * mostly keeps in memory until then (10 M rows of NDJSON, 2.3 GB: 1.5 s at the end, measured).
 */
import { createHash, randomBytes } from "node:crypto"
import { Effect, Fiber, FileSystem, Path, type PlatformError } from "effect"
import { ExportError } from "../ExportError.ts"
import { fileProblem } from "./OutputFolder.ts"

/** Receives the text of an output, chunk by chunk. */
export interface ChunkWriter {
  /** Writes text (as UTF-8) or bytes already encoded. */
  readonly write: (chunk: string | Uint8Array) => Effect.Effect<void, ExportError>
}

/** What was written. */
export interface WriteResult {
  readonly bytes: number
  readonly sha256: string
}

/** Counts bytes and hashes them as they pass to `sink`. */
export const countingWriter = (sink: (bytes: Uint8Array) => Effect.Effect<void, ExportError>) => {
  const hash = createHash("sha256")
  let bytes = 0
  const writer: ChunkWriter = {
    write: (chunk) => {
      if (chunk.length === 0) return Effect.void
      const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk
      hash.update(buffer)
      bytes += buffer.length
      return sink(buffer)
    }
  }
  return { writer, result: (): WriteResult => ({ bytes, sha256: hash.digest("hex") }) }
}

/** Bytes written between background flushes. */
export const flushEvery = 64 * 1024 * 1024

const errnoCode = (error: PlatformError.PlatformError): string | undefined => {
  const cause = error.reason.cause
  return typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? cause.code
    : undefined
}

/** Maps a file-system failure on `path` to an export error with a message that says what to do. */
export const fileError = (path: string, error: PlatformError.PlatformError): ExportError => {
  const code = errnoCode(error)
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new ExportError({
      kind: "DiskFull",
      message: `disk full while writing ${path}: free some space (or choose another --out) and run again`,
      cause: error
    })
  }
  if (error.reason._tag === "PermissionDenied") {
    return new ExportError({
      kind: "Io",
      message: `permission denied writing ${path}: choose an --out directory you can write to`,
      cause: error
    })
  }
  // Never the file-system error's internal name: what is in the way, and what to do.
  return new ExportError({ kind: "Io", message: fileProblem(path, code), cause: error })
}

/** The error for an existing output without `--force`. */
export const outputExists = (path: string) =>
  new ExportError({
    kind: "OutputExists",
    message: `${path} already exists: pass --force to replace it, or choose another --out directory`
  })

/** Fails with {@link outputExists} when `path` exists and `force` is off. */
export const refuseExisting = Effect.fn("AtomicFile.refuseExisting")(function* (path: string, force: boolean) {
  if (force) return
  const fs = yield* FileSystem.FileSystem
  const exists = yield* fs.exists(path).pipe(Effect.mapError((e) => fileError(path, e)))
  if (exists) return yield* outputExists(path)
})

/**
 * Runs `use` with a writer into a temp file beside `target`, then publishes it atomically. Returns what `use`
 * returned and the byte count and SHA-256 of the published file.
 */
export const publish = <A, E, R>(
  target: string,
  options: { readonly force: boolean },
  use: (writer: ChunkWriter) => Effect.Effect<A, E, R>
): Effect.Effect<readonly [A, WriteResult], E | ExportError, R | FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = path.dirname(target)
    const orFail = <B, R2>(effect: Effect.Effect<B, PlatformError.PlatformError, R2>, at = target) =>
      Effect.mapError(effect, (e) => fileError(at, e))
    yield* refuseExisting(target, options.force)
    yield* orFail(fs.makeDirectory(dir, { recursive: true }), dir)
    const temp = path.join(dir, tempFileName(path.basename(target)))
    let published = false
    return yield* Effect.gen(function* () {
      // The file handle lives in an inner scope, so it is closed before the rename.
      const written = yield* Effect.scoped(
        Effect.gen(function* () {
          const file = yield* orFail(fs.open(temp, { flag: "wx", mode: 0o644 }), temp)
          const scope = yield* Effect.scope
          // The flush in progress, if any, and the bytes written since the last one started. A flush is joined
          // before the next starts and before the final one, so its failure fails the write; it runs in this
          // scope, uninterruptibly, so the file is never closed under it.
          let flushing: Fiber.Fiber<void, ExportError> | undefined
          let running = false
          let unflushed = 0
          const flushInBackground = Effect.gen(function* () {
            if (unflushed < flushEvery || running) return
            if (flushing !== undefined) yield* Fiber.join(flushing)
            unflushed = 0
            running = true
            flushing = yield* Effect.forkIn(
              orFail(file.sync).pipe(Effect.ensuring(Effect.sync(() => (running = false)))),
              scope,
              { uninterruptible: true }
            )
          })
          const counting = countingWriter((bytes) =>
            Effect.flatMap(orFail(file.writeAll(bytes)), () => {
              unflushed += bytes.length
              return flushInBackground
            })
          )
          const value = yield* use(counting.writer)
          if (flushing !== undefined) yield* Fiber.join(flushing)
          yield* orFail(file.sync)
          return [value, counting.result()] as const
        })
      )
      // Re-check: another process may have created the target while we were writing.
      yield* refuseExisting(target, options.force)
      yield* orFail(fs.rename(temp, target))
      published = true
      return written
    }).pipe(Effect.onExit(() => (published ? Effect.void : fs.remove(temp).pipe(Effect.ignore))))
  })

/** The temp-file name {@link publish} and {@link replaceFile} use beside `target`: `.<name>.<pid>-<random>.tmp`. */
export const tempFileName = (baseName: string): string =>
  `.${baseName}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`

/** Matches {@link tempFileName}'s names; group 1 is the pid of the process that wrote it. */
export const tempFilePattern = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp$/

/**
 * Replaces the file at `target` with `text` atomically (temp file beside it, fsync, rename, fsync of the directory):
 * a reader, or a run after a kill at any instant, sees the old file or the new one, never a torn one. The one
 * function for small files that are replaced whole (manifests, checkpoints). `beforeRename` runs between the temp
 * file's fsync and the rename (the crash suite stops the process there).
 */
export const replaceFile = (
  target: string,
  text: string,
  options: { readonly mode?: number; readonly beforeRename?: Effect.Effect<void> } = {}
): Effect.Effect<void, ExportError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = path.dirname(target)
    const temp = path.join(dir, tempFileName(path.basename(target)))
    yield* Effect.scoped(
      Effect.gen(function* () {
        const file = yield* fs.open(temp, { flag: "wx", mode: options.mode ?? 0o644 })
        yield* file.writeAll(Buffer.from(text, "utf8"))
        yield* file.sync
      })
    ).pipe(
      Effect.andThen(options.beforeRename ?? Effect.void),
      Effect.andThen(fs.rename(temp, target)),
      Effect.onError(() => fs.remove(temp).pipe(Effect.ignore)),
      Effect.mapError((e) => fileError(target, e))
    )
    yield* syncDirectory(dir)
  })

/** fsyncs a directory, so that a rename inside it survives a power loss. Not every platform allows it. */
export const syncDirectory = (dir: string): Effect.Effect<void, never, FileSystem.FileSystem> =>
  Effect.scoped(
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const handle = yield* fs.open(dir, { flag: "r" })
      yield* handle.sync
    })
  ).pipe(Effect.ignore)
