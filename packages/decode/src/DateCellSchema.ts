/**
 * Effect Schema codecs for date cells inside response schemas: wire form ⇄ {@link Period}. Decoding shares the
 * plain decoder (same rules, same messages); encoding gives back the wire form the period was decoded from.
 */
import { Effect, Schema, SchemaGetter, SchemaIssue } from "effect"
import { DateCellError } from "./DateCellError.ts"
import { decodeCell } from "./Decode.ts"
import { encodePeriod, type Period, type WireDateValue } from "./Period.ts"

/** Schema of the normalized value. */
export const PeriodSchema = Schema.Struct({
  start: Schema.Int,
  end: Schema.optionalKey(Schema.Int),
  display: Schema.optionalKey(Schema.String),
  form: Schema.Literals(["epoch", "calendar"])
})

/**
 * The encoded side: any number, bigint or object. It is deliberately loose so that every rejection comes from the
 * decoder with its specific reason (fraction, out of range, wrong shape …) instead of a generic type mismatch.
 */
export const WireDateValueSchema = Schema.declare<WireDateValue>(
  (u): u is WireDateValue => typeof u === "number" || typeof u === "bigint" || (typeof u === "object" && u !== null),
  { title: "ThoughtSpot date cell", description: 'epoch seconds or {"v":{"s":…,"e"?:…},"d"?:…}' }
)

/** A non-null date cell: wire form ⇄ {@link Period}; encoding restores the original form. */
export const DateCellFromWire = WireDateValueSchema.pipe(
  Schema.decodeTo(PeriodSchema, {
    decode: SchemaGetter.transformEffect((wire: WireDateValue, options) => {
      const decoded = decodeCell(wire)
      return decoded === null || decoded instanceof DateCellError
        ? Effect.fail(
            new SchemaIssue.InvalidValue(
              { message: decoded === null ? "a date cell was expected, got null" : decoded.message },
              wire,
              options
            )
          )
        : Effect.succeed(decoded)
    }),
    encode: SchemaGetter.transform((period: Period) => encodePeriod(period))
  })
)

/** A nullable date cell (how ThoughtSpot sends them in COMPACT rows): null stays null. */
export const NullableDateCellFromWire = Schema.NullOr(DateCellFromWire)
