/**
 * `--out -`: data goes to stdout, everything else (logs, progress, summary) to stderr. Writes wait for the
 * stream to drain, so a slow consumer (`| gzip`) slows the export instead of buffering the result in memory. A
 * closed pipe (`| head`) ends the export quietly, as it ends other Unix tools: the write fails with
 * {@link stdoutClosed}, the export stops fetching, and the process exits with {@link stdoutClosedExitCode} and
 * no message.
 */
import { Context, Effect } from "effect"
import { ExportError } from "../ExportError.ts"
import { type ChunkWriter, countingWriter, type WriteResult } from "./AtomicFile.ts"

/** 128 + SIGPIPE: what a shell reports for a tool whose reader went away (`yes | head -1`). */
export const stdoutClosedExitCode = 141

/** The cause of the failure that ends an export whose reader closed stdout. */
export class StdoutClosed extends Error {
  readonly error: Error
  constructor(error: Error) {
    super("stdout closed: the reading end of the pipe went away")
    this.error = error
  }
}

/** The export error for a closed stdout (see {@link isStdoutClosed}). */
export const stdoutClosed = (error: Error): ExportError =>
  new ExportError({
    kind: "Io",
    message: "stdout closed: the reading end of the pipe went away",
    cause: new StdoutClosed(error)
  })

/** True for the failure a closed stdout causes: the CLI ends quietly with {@link stdoutClosedExitCode}. */
export const isStdoutClosed = (error: unknown): boolean =>
  error instanceof ExportError && error.cause instanceof StdoutClosed

// EPIPE: the reader exited; later writes find the stream already destroyed.
const closedCodes = new Set(["EPIPE", "ERR_STREAM_DESTROYED", "ECONNRESET"])

/**
 * Where data meant for stdout goes: the process's stdout, unless a program that runs the CLI inside itself (the
 * tests, another tool) provides a stream of its own.
 */
export const Stdout = Context.Reference<NodeJS.WritableStream>("spotpipe/Stdout", {
  defaultValue: () => process.stdout
})

/** A writer into `stream` (the {@link Stdout} stream, for one), counting bytes and hashing like a file writer. */
export const makeStreamWriter = (
  stream: NodeJS.WritableStream
): { readonly writer: ChunkWriter; readonly result: () => WriteResult } =>
  countingWriter((bytes) =>
    Effect.callback<void, ExportError>((resume) => {
      stream.write(bytes, (error) => {
        if (error === undefined || error === null) return resume(Effect.void)
        const code = (error as NodeJS.ErrnoException).code
        resume(
          Effect.fail(
            code !== undefined && closedCodes.has(code)
              ? stdoutClosed(error)
              : new ExportError({
                  kind: "Io",
                  message: `cannot write to stdout (${error.message}): check where the output goes`,
                  cause: error
                })
          )
        )
      })
    })
  )
