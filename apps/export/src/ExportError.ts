/**
 * The failure of an export that was correctly invoked (exit code 1). `kind` names what went wrong so the CLI can
 * print one line that says what to do; `cause` keeps the original failure for `--verbose`. Neither carries a
 * secret: ThoughtSpot errors from `@spotpipe/core` are already free of tokens and passwords.
 */
import { Schema } from "effect"

/** What went wrong, coarse enough for a one-line message. */
export const ExportErrorKind = Schema.Literals([
  "Authentication",
  "NotFound",
  "Forbidden",
  "RateLimited",
  "Remote",
  "Incomplete",
  "BadData",
  "DiskFull",
  "OutputExists",
  "Io"
])
/** See {@link ExportErrorKind}. */
export type ExportErrorKind = typeof ExportErrorKind.Type

/** An export failed; `message` is the one line shown to the user. */
export class ExportError extends Schema.TaggedError<ExportError>()("ExportError", {
  kind: ExportErrorKind,
  message: Schema.String,
  cause: Schema.optionalKey(Schema.Defect())
}) {}
