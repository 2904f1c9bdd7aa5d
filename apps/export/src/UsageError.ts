/**
 * The one error for a bad invocation: an unknown format, an out-of-range page size, a bad timezone, missing
 * connection settings or credentials. It is raised before any request is made and ends the process with exit
 * code 2. Its message always says what to do instead.
 */
import { Schema } from "effect"

/** A usage error: the command line or environment cannot work as given. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}
