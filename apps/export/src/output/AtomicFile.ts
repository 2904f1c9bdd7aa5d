/**
 * Files written whole and atomically, and what every file write shares. {@link replaceFile} replaces a small file
 * (a manifest, a checkpoint) through a temp file beside it, fsync and rename, so a reader or a run after a kill
 * sees the old file or the new one, never a torn one. Outputs are written by the export engine into partial files
 * and renamed into place the same way (see `Engine`). {@link countingWriter} counts and hashes bytes on their way
 * to a sink, and {@link fileError} turns a file-system failure into a message that says what to do.
 */
import { createHash, randomBytes } from "node:crypto"
import { Effect, FileSystem, Path, type PlatformError } from "effect"
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

const errnoCode = (error: PlatformError.PlatformError): string | undefined => {
  const cause = error.reason.cause
  return typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? cause.code
    : undefined
}

/** Maps a file-system failure on `path` to an export error with a message that says what to do. */
export const fileError = (path: string, error: PlatformError.PlatformError): ExportError =>
  errnoFileError(path, errnoCode(error), error, error.reason._tag === "PermissionDenied")

/**
 * The same rule for a failure known by its errno `code` only (a worker thread's write): a full disk, no permission,
 * or {@link fileProblem}'s message for the rest (a file over the size limit, something in the way).
 */
export const errnoFileError = (
  path: string,
  code: string | undefined,
  cause?: unknown,
  denied = code === "EACCES" || code === "EPERM"
): ExportError => {
  const causes = cause === undefined ? {} : { cause }
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new ExportError({
      kind: "DiskFull",
      message: `disk full while writing ${path}: free some space (or choose another --out) and run again`,
      ...causes
    })
  }
  if (denied) {
    return new ExportError({
      kind: "Io",
      message: `permission denied writing ${path}: choose an --out directory you can write to`,
      ...causes
    })
  }
  // Never the file-system error's internal name: what is in the way, and what to do.
  return new ExportError({ kind: "Io", message: fileProblem(path, code), ...causes })
}

/** The temp-file name {@link replaceFile} uses beside `target`: `.<name>.<pid>-<random>.tmp`. */
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
