/**
 * Effect Schema codecs: wire ⇄ Period inside a response schema, encoding back to the original form, and decode
 * failures carrying the decoder's message.
 */
import { Effect, Exit, Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MAX_EPOCH_SECONDS, MIN_EPOCH_SECONDS } from "../src/index.ts"
import { NullableDateCellFromWire } from "../src/schema.ts"

const seconds = fc.integer({ min: MIN_EPOCH_SECONDS, max: MAX_EPOCH_SECONDS })
const wire = fc.oneof(
  seconds,
  seconds.map((s) => ({ v: { s } })),
  fc
    .tuple(seconds, fc.nat({ max: 86400 * 366 }), fc.string())
    .map(([s, n, d]) => ({ v: { s, e: Math.min(s + n, MAX_EPOCH_SECONDS) }, d })),
  fc.constant(null)
)

const Response = Schema.Struct({
  column_names: Schema.Array(Schema.String),
  data_rows: Schema.Array(Schema.Tuple([NullableDateCellFromWire, Schema.String]))
})

describe("Schema codecs", () => {
  it("encode-of-decode-is-the-identity-for-both-forms", () => {
    const decode = Schema.decodeUnknownSync(NullableDateCellFromWire)
    const encode = Schema.encodeSync(NullableDateCellFromWire)
    fc.assert(
      fc.property(wire, (cell) => {
        expect(encode(decode(cell))).toEqual(cell)
      })
    )
  })

  it("decodes-inside-a-response-schema", () => {
    const decoded = Schema.decodeSync(Response)({
      column_names: ["Order Date", "Region"],
      data_rows: [
        [694252800, "West"],
        [{ v: { s: 702115200 } }, "East"],
        [null, "North"]
      ]
    })
    expect(decoded.data_rows.map(([p]) => p)).toEqual([
      { start: 694252800, form: "epoch" },
      { start: 702115200, form: "calendar" },
      null
    ])
  })

  it("bad-cells-fail-with-the-decoder-message-and-path", () =>
    Effect.gen(function* () {
      const error = yield* Schema.decodeEffect(Response)({
        column_names: ["Order Date", "Region"],
        data_rows: [[694252800.5, "West"]]
      }).pipe(Effect.flip)
      expect(error._tag).toBe("SchemaError")
      expect(error.message).toContain("not a whole number of seconds")
      expect(error.message).toContain('["data_rows"][0][0]')
    }).pipe(Effect.runPromise))

  it("non-cells-are-rejected-without-throwing", () => {
    for (const bad of ["1", true, { v: { s: 1 }, x: 2 }, 2 ** 60, Number.NaN]) {
      expect(Exit.isFailure(Schema.decodeUnknownExit(NullableDateCellFromWire)(bad))).toBe(true)
    }
  })
})
