/**
 * A saved answer's or liveboard's TML, read for its saved query (SearchOrder.ts's `savedOrder`) only when a result
 * is found to span pages. Apart from SearchOrder.ts, which the job file's checks use, because it reads through the
 * admin side of the cluster.
 */
import { ThoughtSpotError } from "@spotpipe/core"
import { Effect, Result } from "effect"
import type { Cluster, ListedObject } from "../cluster/Cluster.ts"
import { ExportError } from "../ExportError.ts"
import { adminOf, documentOf } from "./AdminExports.ts"

/** Why reading a TML document failed, in words (the cluster's reason and message, or the export's own). */
const failureText = (error: unknown): string => {
  if (error instanceof ExportError) return error.message
  if (ThoughtSpotError.isThoughtSpotError(error)) {
    const { _tag, message } = error.reason
    return _tag === "Forbidden"
      ? `${message} (it needs view access and the DATADOWNLOADING privilege, "Can download data")`
      : message
  }
  return String(error)
}

/**
 * Reads the TML of a saved answer or liveboard (`metadata/tml/export`, JSON) the first time the returned effect
 * runs, and gives every later run the same outcome: its text, or why it could not be read. Nothing is requested
 * until then, so a result that fits one page costs no request.
 */
export const savedTml = <E>(
  cluster: Cluster<E>,
  object: ListedObject,
  what: string
): Effect.Effect<Effect.Effect<Result.Result<string, string>>> =>
  Effect.cached(
    adminOf(cluster).pipe(
      Effect.flatMap((admin) => admin.exportTml(object, "JSON", false)),
      Effect.flatMap((items) => documentOf(object, `the TML of ${what}`, items)),
      Effect.map((document): Result.Result<string, string> => Result.succeed(document.text)),
      Effect.catch((error) =>
        Effect.succeed(Result.fail(`reading its TML (metadata/tml/export) failed: ${failureText(error)}`))
      )
    )
  )
