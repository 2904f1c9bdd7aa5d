/**
 * `--out -`: data goes to stdout, everything else (logs, progress, summary) to stderr. Writes wait for the
 * stream to drain, so a slow consumer (`| gzip`) slows the export instead of buffering the result in memory; a
 * closed pipe (`| head`) ends the export with a clear error rather than a crash.
 */
import { Effect } from "effect"
import { type ChunkWriter, countingWriter, type WriteResult } from "./AtomicFile.ts"
import { ExportError } from "./ExportError.ts"

/** A writer into `stream` (default: process.stdout), counting bytes and hashing like a file writer. */
export const makeStreamWriter = (
  stream: NodeJS.WritableStream = process.stdout
): { readonly writer: ChunkWriter; readonly result: () => WriteResult } =>
  countingWriter((bytes) =>
    Effect.callback<void, ExportError>((resume) => {
      stream.write(bytes, (error) => {
        resume(
          error
            ? Effect.fail(
                new ExportError({
                  kind: "Io",
                  message: `cannot write to stdout (${error.message}): the reading end of the pipe closed`,
                  cause: error
                })
              )
            : Effect.void
        )
      })
    })
  )
