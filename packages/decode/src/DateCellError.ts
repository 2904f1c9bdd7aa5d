/**
 * Typed errors of `@spotpipe/decode`: plain `Error` subclasses with a `_tag` and fields, so this module (and the
 * package's main entry) imports nothing. Plain callers test them with `instanceof` and read the fields; Effect
 * code can put them in an error channel and match them with `Effect.catchTag`, which only reads `_tag`. Decoding
 * functions return them, they never throw. Schemas for them live in `@spotpipe/decode/schema`.
 */

/** Every {@link DateCellErrorReason}, in the order of the README's error table (internal reason codes index it). */
export const DATE_CELL_ERROR_REASONS = [
  "NotFinite",
  "NotWholeSeconds",
  "UnsafeInteger",
  "OutOfRange",
  "EndBeforeStart",
  "WrongType",
  "WrongShape",
  "NotMidnight"
] as const

/** Why a cell is not a valid date cell (see the error table in the package README). */
export type DateCellErrorReason = (typeof DATE_CELL_ERROR_REASONS)[number]

/** The fields a {@link DateCellError} is made from. */
export interface DateCellErrorFields {
  readonly reason: DateCellErrorReason
  readonly row?: number
  readonly column?: string
  readonly value: string
  readonly message: string
  /** `NotMidnight` only: the name of the time zone the DATE cell is no midnight in. */
  readonly timeZone?: string
  /** `NotMidnight` only: the instant (epoch seconds) that is no midnight there (the start, or the end `v.e`). */
  readonly instant?: number
}

/**
 * A cell that is not a valid date cell. `row` (0-based, plus any `rowOffset` the caller passed) and `column` are
 * set when known (absent otherwise); `value` is the offending value rendered safely and truncated; `message` says
 * what is wrong with the cell (`cell "abc" in column "Order Date" is not a ThoughtSpot date …`) and no more: what
 * to do depends on the caller, which can add advice by `reason`.
 */
export class DateCellError extends Error {
  static {
    // On the prototype, so `name` is no own field of each error (stack traces and `String(error)` read it).
    DateCellError.prototype.name = "DateCellError"
  }
  readonly _tag = "DateCellError"
  // `declare`: assigned below; a plain field declaration would define `row` and `column` even when absent.
  declare readonly reason: DateCellErrorReason
  declare readonly row?: number
  declare readonly column?: string
  declare readonly value: string
  declare readonly timeZone?: string
  declare readonly instant?: number

  constructor(fields: DateCellErrorFields) {
    super(fields.message)
    this.reason = fields.reason
    // Absent stays absent (not `undefined`), so the fields read the same as the object they came from.
    if (fields.row !== undefined) this.row = fields.row
    if (fields.column !== undefined) this.column = fields.column
    this.value = fields.value
    if (fields.timeZone !== undefined) this.timeZone = fields.timeZone
    if (fields.instant !== undefined) this.instant = fields.instant
  }
}

/** The fields an {@link InvalidTimeZoneError} is made from. */
export interface InvalidTimeZoneErrorFields {
  readonly timeZone: string
  readonly message: string
}

/** A time zone name that this JavaScript runtime's `Intl` does not know. */
export class InvalidTimeZoneError extends Error {
  static {
    InvalidTimeZoneError.prototype.name = "InvalidTimeZoneError"
  }
  readonly _tag = "InvalidTimeZoneError"
  declare readonly timeZone: string

  constructor(fields: InvalidTimeZoneErrorFields) {
    super(fields.message)
    this.timeZone = fields.timeZone
  }
}

/** True when a decode or render result is a {@link DateCellError}. */
export const isDateCellError = (value: unknown): value is DateCellError => value instanceof DateCellError
