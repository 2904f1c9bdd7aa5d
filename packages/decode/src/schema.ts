/**
 * `@spotpipe/decode/schema`: Effect Schema codecs for date cells inside response schemas (wire form ⇄
 * {@link Period}) and for the package's errors. Decoding shares the plain decoder (same rules, same messages);
 * encoding gives back the wire form the period was decoded from. The only module of the package that imports
 * `effect` (4.1 or later 4.x, which the user installs; not a declared peer, so that npm installs the package into
 * an Effect 3 project too), so users of the main entry never load it.
 */
import { Effect, Schema, SchemaGetter, SchemaIssue } from "effect"
import { DATE_CELL_ERROR_REASONS, DateCellError, InvalidTimeZoneError } from "./DateCellError.ts"
import { decodeCell } from "./Decode.ts"
import { renderValue } from "./internal/readCell.ts"
import { hasPeriodShape, makePeriod, type Period, type WireDateValue, wireOf } from "./Period.ts"

/**
 * What makes a value of the Period shape no Period, in `makePeriod`'s words (its rule, not a copy: an end before
 * the start, seconds outside MIN_EPOCH_SECONDS…MAX_EPOCH_SECONDS), or undefined for a Period.
 */
const periodProblem = (period: Period): string | undefined => {
  try {
    makePeriod(period.form, period.start, period.end, period.display)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^makePeriod: /, "") : String(error)
  }
}

/**
 * Schema of the normalized value: the values `isPeriod` takes and `makePeriod` builds. A period that is none fails
 * decoding, `Schema.is` and encoding (so `DateCellFromWire` never writes a cell from it) with what is wrong with it.
 */
export const PeriodSchema = Schema.Struct({
  start: Schema.Int,
  end: Schema.optionalKey(Schema.Int),
  display: Schema.optionalKey(Schema.String),
  form: Schema.Literals(["epoch", "calendar"])
}).check(Schema.makeFilter((period) => periodProblem(period), { title: "Period" }))

/**
 * What a non-null cell that decodes to no period gets: `decodeCell`'s message for a bad cell, and for `null` (which
 * `decodeCell` accepts) a message naming the nullable codec.
 */
const wireIssue = (decoded: null | DateCellError): string =>
  decoded === null
    ? "cell null is not a ThoughtSpot date: a date cell was expected, got null (NullableDateCellFromWire keeps null cells)"
    : decoded.message

/**
 * `decodeCell` also takes an already decoded `Period` (so that decoding is idempotent), but no ThoughtSpot
 * response holds one: on the wire side a Period would pass for a cell, and encode back in another shape.
 */
const decodedPeriodIssue = (input: unknown): string | undefined =>
  typeof input === "object" && input !== null && !("v" in input) && hasPeriodShape(input)
    ? `cell ${renderValue(input)} is not a ThoughtSpot date (epoch seconds or {"v":{"s":…}}): it is an already decoded Period, the decoded side of this codec`
    : undefined

/**
 * The encoded side: a valid non-null date cell as ThoughtSpot sends it, checked by `decodeCell` itself, so every
 * rejection carries the decoder's specific message (fraction, out of range, a string, wrong shape …) rather than a
 * generic type mismatch, and encoding a period that no valid cell holds (a start out of range) fails too. An
 * already decoded `Period`, which `decodeCell` takes, is no wire cell and is refused.
 */
export const WireDateValueSchema = Schema.declareConstructor<WireDateValue>()(
  [],
  () => (input, _ast, options) => {
    const period = decodedPeriodIssue(input)
    if (period !== undefined) return Effect.fail(new SchemaIssue.InvalidValue({ message: period }, input, options))
    const decoded = decodeCell(input)
    return decoded === null || decoded instanceof DateCellError
      ? Effect.fail(new SchemaIssue.InvalidValue({ message: wireIssue(decoded) }, input, options))
      : Effect.succeed(input as WireDateValue)
  },
  { title: "ThoughtSpot date cell", description: 'epoch seconds or {"v":{"s":…,"e"?:…},"d"?:…}' }
)

/** A non-null date cell: wire form ⇄ {@link Period}; encoding restores the original form. */
export const DateCellFromWire = WireDateValueSchema.pipe(
  Schema.decodeTo(PeriodSchema, {
    decode: SchemaGetter.transformEffect((wire: WireDateValue, options) => {
      // The wire side has already accepted the cell; this check keeps the two from ever disagreeing silently.
      const decoded = decodeCell(wire)
      return decoded === null || decoded instanceof DateCellError
        ? Effect.fail(new SchemaIssue.InvalidValue({ message: wireIssue(decoded) }, wire, options))
        : Effect.succeed(decoded)
    }),
    encode: SchemaGetter.transform((period: Period) => wireOf(period))
  })
)

/** A nullable date cell (how ThoughtSpot sends them in COMPACT rows): null stays null. */
export const NullableDateCellFromWire = Schema.NullOr(DateCellFromWire)

/** Schema of a {@link DateCellError}'s `reason`. */
export const DateCellErrorReason = Schema.Literals(DATE_CELL_ERROR_REASONS)

/**
 * A {@link DateCellError} ⇄ its fields as plain data (`{ _tag: "DateCellError", reason, row?, column?, value,
 * message, timeZone?, instant? }`), e.g. to send it between processes: decoding makes a real `DateCellError` instance.
 */
export const DateCellErrorSchema = Schema.Struct({
  _tag: Schema.tag("DateCellError"),
  reason: DateCellErrorReason,
  row: Schema.optionalKey(Schema.Int),
  column: Schema.optionalKey(Schema.String),
  value: Schema.String,
  message: Schema.String,
  timeZone: Schema.optionalKey(Schema.String),
  instant: Schema.optionalKey(Schema.Int)
}).pipe(
  Schema.decodeTo(Schema.instanceOf(DateCellError, { title: "DateCellError" }), {
    decode: SchemaGetter.transform(({ _tag, ...fields }) => new DateCellError(fields)),
    encode: SchemaGetter.transform((error: DateCellError) => ({
      _tag: error._tag,
      reason: error.reason,
      ...(error.row === undefined ? {} : { row: error.row }),
      ...(error.column === undefined ? {} : { column: error.column }),
      value: error.value,
      message: error.message,
      ...(error.timeZone === undefined ? {} : { timeZone: error.timeZone }),
      ...(error.instant === undefined ? {} : { instant: error.instant })
    }))
  })
)

/** An {@link InvalidTimeZoneError} ⇄ `{ _tag: "InvalidTimeZoneError", timeZone, message }`. */
export const InvalidTimeZoneErrorSchema = Schema.Struct({
  _tag: Schema.tag("InvalidTimeZoneError"),
  timeZone: Schema.String,
  message: Schema.String
}).pipe(
  Schema.decodeTo(Schema.instanceOf(InvalidTimeZoneError, { title: "InvalidTimeZoneError" }), {
    decode: SchemaGetter.transform(({ _tag, ...fields }) => new InvalidTimeZoneError(fields)),
    encode: SchemaGetter.transform((error: InvalidTimeZoneError) => ({
      _tag: error._tag,
      timeZone: error.timeZone,
      message: error.message
    }))
  })
)
