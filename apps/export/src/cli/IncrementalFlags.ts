/**
 * The flags of incremental runs and of `spotpipe audit`: `--modified-since` (metadata), `--since-column` with
 * `--since` (search, answer, liveboard), `--since` and `--until` (audit). Each checks its own value as it is parsed; `last` asks for
 * where the previous successful run of the same export into the same `--out` folder left off (plan/Watermark.ts).
 */
import { Effect, Option } from "effect"
import { CliError, Flag } from "effect/cli"
import { lastWord, parseInstant } from "../plan/JobFile.ts"
import { UsageError } from "../UsageError.ts"

/** A refused value, its message ours and whole (as in Flags.ts). */
class RefusedValue extends CliError.InvalidValue {
  override get message(): string {
    return this.expected
  }
}

/** A time flag: `last` (when `withLast`), or a time `parseInstant` takes. */
const timeFlag = (name: string, withLast: boolean, description: string) =>
  Flag.String(name).pipe(
    Flag.mapEffect((text) => {
      if (withLast && text.trim().toLowerCase() === lastWord) return Effect.succeed(lastWord)
      const parsed = parseInstant(text, 0)
      return typeof parsed === "number"
        ? Effect.succeed(text.trim())
        : Effect.fail(
            new RefusedValue({
              option: name,
              value: text,
              kind: "flag",
              expected: `--${name} ${parsed.refused}${withLast ? `, or ${lastWord} (where the previous successful run left off)` : ""}`
            })
          )
    }),
    Flag.withMetavar(withLast ? "time|last" : "time"),
    Flag.withDescription(description)
  )

/** `metadata --modified-since`. */
export const modifiedSinceFlag = timeFlag(
  "modified-since",
  true,
  "only the objects modified at or after this time: 2025-06-01 (UTC), 2025-06-01T12:00:00Z, 30d, or last (where the previous successful run into --out left off)"
).pipe(Flag.optional)

/** `audit --since` (required) and `--until`. */
export const auditFlags = {
  since: timeFlag(
    "since",
    true,
    "start of the range (inclusive): 30d, 12h, 2025-06-01 (UTC), 2025-06-01T12:00:00Z, or last (where the previous successful run into --out ended)"
  ),
  until: timeFlag(
    "until",
    false,
    "end of the range (exclusive): a time as --since takes it, or now (default now)"
  ).pipe(Flag.optional)
}

/** `--since-column` and `--since` of `search`, `answer` and `liveboard`. */
export const searchSinceFlags = {
  sinceColumn: Flag.String("since-column").pipe(
    Flag.withDescription("read only the rows whose value in this column is at least --since (an incremental run)"),
    Flag.optional
  ),
  since: Flag.String("since").pipe(
    Flag.withMetavar("value|last"),
    Flag.withDescription(
      "with --since-column: the smallest value read (2025-06-01 for a DATE column), or last (the column's maximum when the previous successful run into --out started)"
    ),
    Flag.optional
  )
}

/** The job-file keys of `--since-column`/`--since` (both or neither); a usage error otherwise. */
export const searchSince = (input: {
  readonly sinceColumn: Option.Option<string>
  readonly since: Option.Option<string>
}): Effect.Effect<{ readonly sinceColumn?: string; readonly since?: string }, UsageError> => {
  if (Option.isNone(input.sinceColumn) && Option.isNone(input.since)) return Effect.succeed({})
  if (Option.isNone(input.sinceColumn) || Option.isNone(input.since)) {
    return Effect.fail(
      new UsageError({
        message: `--since-column and --since go together: name the column and where to start (--since-column "Order Date" --since 2025-01-01, or --since last)`
      })
    )
  }
  const since = input.since.value.trim().toLowerCase() === lastWord ? lastWord : input.since.value
  if (input.sinceColumn.value.trim() === "" || since.trim() === "") {
    return Effect.fail(new UsageError({ message: "--since-column and --since must not be empty" }))
  }
  if (since.includes("'") || input.sinceColumn.value.includes("]")) {
    return Effect.fail(
      new UsageError({
        message:
          "--since must not hold a single quote, nor --since-column a ']' (a search writes them into its query as [column] >= 'value')"
      })
    )
  }
  return Effect.succeed({ sinceColumn: input.sinceColumn.value, since })
}
