/**
 * Typed errors of `@spotpipe/decode`. They are Effect `Schema.TaggedError` classes, so Effect code can yield and
 * match them, while plain callers just read the fields: decoding functions return them, they never throw.
 */
import { Schema } from "effect"

/** Why a cell is not a valid date cell (see the error table in the package README). */
export const DateCellErrorReason = Schema.Literals([
  "NotFinite",
  "NotWholeSeconds",
  "UnsafeInteger",
  "OutOfRange",
  "EndBeforeStart",
  "WrongType",
  "WrongShape"
])

/** Why a cell is not a valid date cell. */
export type DateCellErrorReason = typeof DateCellErrorReason.Type

/**
 * A cell that is not a valid date cell. `row` (0-based, plus any `rowOffset` the caller passed) and `column` are
 * set when known; `value` is the offending value rendered safely and truncated; `message` says what is wrong with
 * the cell (`cell "abc" in column "Order Date" is not a ThoughtSpot date …`) and no more: what to do depends on
 * the caller, which can add advice by `reason`.
 */
export class DateCellError extends Schema.TaggedError<DateCellError>()("DateCellError", {
  reason: DateCellErrorReason,
  row: Schema.optionalKey(Schema.Int),
  column: Schema.optionalKey(Schema.String),
  value: Schema.String,
  message: Schema.String
}) {}

/** A time zone name that this JavaScript runtime's `Intl` does not know. */
export class InvalidTimeZoneError extends Schema.TaggedError<InvalidTimeZoneError>()("InvalidTimeZoneError", {
  timeZone: Schema.String,
  message: Schema.String
}) {}

/** True when a decode or render result is a {@link DateCellError}. */
export const isDateCellError = (value: unknown): value is DateCellError => value instanceof DateCellError
