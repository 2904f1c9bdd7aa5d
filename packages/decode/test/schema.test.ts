/**
 * Effect Schema codecs: wire ⇄ Period inside a response schema, encoding back to the original form, and decode
 * failures carrying the decoder's message.
 */
import { Cause, Effect, Exit, Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  DateCellError,
  decodeCell,
  decodeCompactRows,
  decodeFullRows,
  MAX_EPOCH_SECONDS,
  MIN_EPOCH_SECONDS
} from "../src/index.ts"
import { DateCellFromWire, NullableDateCellFromWire, WireDateValueSchema } from "../src/schema.ts"

const seconds = fc.integer({ min: MIN_EPOCH_SECONDS, max: MAX_EPOCH_SECONDS })
const wire = fc.oneof(
  seconds,
  seconds.map((s) => ({ v: { s } })),
  fc
    .tuple(seconds, fc.nat({ max: 86400 * 366 }), fc.string())
    .map(([s, n, d]) => ({ v: { s, e: Math.min(s + n, MAX_EPOCH_SECONDS) }, d })),
  fc.constant(null)
)

/** The message of a decode (or encode) that must fail. */
const failure = (exit: Exit.Exit<unknown, Schema.SchemaError>): string => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const error = Cause.squash(exit.cause)
  return error instanceof Error ? error.message : String(error)
}

/** Wrong cells of every kind: the types the wire side once refused before the decoder ran, and bad values. */
const wrongCells: ReadonlyArray<unknown> = [
  "soon",
  true,
  undefined,
  [694252800],
  {},
  1.5,
  Number.NaN,
  2 ** 60,
  { v: { s: 1 }, x: 2 },
  { v: { s: 2, e: 1 } }
]

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

  it("every-wrong-cell-fails-with-the-message-of-decodeCell", () => {
    for (const cell of wrongCells) {
      const expected = decodeCell(cell)
      if (!(expected instanceof DateCellError)) throw new Error(`not a wrong cell: ${String(cell)}`)
      expect(failure(Schema.decodeUnknownExit(DateCellFromWire)(cell))).toBe(expected.message)
      expect(failure(Schema.decodeUnknownExit(NullableDateCellFromWire)(cell))).toBe(expected.message)
    }
  })

  it("every-wrong-cell-in-rows-fails-with-the-message-of-decodeCell-and-its-path", () => {
    const Rows = Schema.Array(Schema.Tuple([NullableDateCellFromWire, Schema.String]))
    for (const cell of wrongCells) {
      const expected = decodeCell(cell) as DateCellError
      expect(
        failure(
          Schema.decodeUnknownExit(Rows)([
            [694252800, "West"],
            [cell, "East"]
          ])
        )
      ).toBe(`${expected.message}\n  at [1][0]`)
    }
  })

  it("null-in-the-non-nullable-codec-says-what-was-expected-and-names-the-nullable-one", () => {
    expect(failure(Schema.decodeUnknownExit(DateCellFromWire)(null))).toBe(
      "cell null is not a ThoughtSpot date: a date cell was expected, got null (NullableDateCellFromWire keeps null cells)"
    )
    expect(Schema.decodeUnknownSync(NullableDateCellFromWire)(null)).toBe(null)
  })

  it("the-wire-side-accepts-exactly-the-wire-cells-decodeCell-decodes", () => {
    const is = Schema.is(WireDateValueSchema)
    for (const cell of wrongCells) expect(is(cell)).toBe(false)
    expect(is(null)).toBe(false)
    expect(is(694252800)).toBe(true)
    expect(is(694252800n)).toBe(true)
    expect(is({ v: { s: 694252800, e: 702115200 }, d: "Q1" })).toBe(true)
  })

  it("a-decoded-period-is-no-wire-cell", () => {
    // decodeCell takes Periods (decoding is idempotent), but none is in a response: as a cell, a calendar-form
    // Period would decode and then encode to {"v":{"s":…}}, a shape that never came in.
    const periods = [
      { start: 694252800, form: "epoch" },
      { start: 694252800, end: 702115200, display: "Q1", form: "calendar" }
    ]
    for (const period of periods) {
      const message = `cell ${JSON.stringify(period)} is not a ThoughtSpot date (epoch seconds or {"v":{"s":…}}): it is an already decoded Period, the decoded side of this codec`
      expect(failure(Schema.decodeUnknownExit(DateCellFromWire)(period))).toBe(message)
      expect(failure(Schema.decodeUnknownExit(NullableDateCellFromWire)(period))).toBe(message)
      expect(failure(Schema.decodeUnknownExit(Response)({ column_names: [], data_rows: [[period, "West"]] }))).toBe(
        `${message}\n  at ["data_rows"][0][0]`
      )
      expect(Schema.is(WireDateValueSchema)(period)).toBe(false)
      // The plain decoder still takes it, unchanged.
      expect(decodeCell(period)).toEqual(period)
    }
  })

  it("encoding-a-period-that-no-cell-holds-fails-loudly", () => {
    // Refused as the period it is (PeriodSchema checks what isPeriod does), not as a wire cell the caller never had.
    const outOfRange = { start: MAX_EPOCH_SECONDS + 1, form: "epoch" as const }
    expect(failure(Schema.encodeUnknownExit(DateCellFromWire)(outOfRange))).toBe(
      `start is ${MAX_EPOCH_SECONDS + 1}, not whole epoch seconds within MIN_EPOCH_SECONDS … MAX_EPOCH_SECONDS (${MIN_EPOCH_SECONDS} … ${MAX_EPOCH_SECONDS}, 0000-12-31T00:00:00Z … 10000-01-01T23:59:59Z)`
    )
  })

  it("encoding-an-epoch-form-period-with-an-end-or-display-keeps-them", () => {
    const encode = Schema.encodeSync(DateCellFromWire)
    expect(encode({ start: 5, end: 10, form: "epoch" })).toEqual({ v: { s: 5, e: 10 } })
    expect(encode({ start: 5, display: "Q1", form: "epoch" })).toEqual({ v: { s: 5 }, d: "Q1" })
  })

  it("row-schemas-built-from-the-codecs-refuse-the-rows-the-row-decoders-refuse", () => {
    const columns = [
      { name: "Order Date", type: "DATE" },
      { name: "Region", type: "VARCHAR" }
    ]
    // COMPACT: a Tuple refuses another width, as decodeCompactRows does.
    const CompactRow = Schema.Tuple([NullableDateCellFromWire, Schema.NullOr(Schema.String)])
    for (const row of [[694252800, "West"], [null, null], [694252800], [694252800, "West", "extra"], []]) {
      const agreed = Exit.isSuccess(Schema.decodeUnknownExit(CompactRow)(row))
      expect(agreed).toBe(!(decodeCompactRows([row], columns) instanceof DateCellError))
    }
    // FULL: a Struct of optional keys (a null cell's key is left out), decoded with onExcessProperty "error". By
    // default a Struct drops a key it does not know, so a misspelt date column would vanish without a word.
    const FullRow = Schema.Struct({
      "Order Date": Schema.optionalKey(NullableDateCellFromWire),
      Region: Schema.optionalKey(Schema.String)
    })
    const rows: ReadonlyArray<Record<string, unknown>> = [
      { "Order Date": 694252800, Region: "West" },
      { Region: "East" },
      {},
      { "Order date": 694252800, Region: "West" },
      { "Order Date": { v: { s: 694252800 } }, Region: "West", Revenue: 1 }
    ]
    for (const row of rows) {
      const exit = Schema.decodeUnknownExit(FullRow)(row, { onExcessProperty: "error" })
      const decoded = decodeFullRows([row], columns)
      expect(Exit.isSuccess(exit)).toBe(!(decoded instanceof DateCellError))
      if (Exit.isSuccess(exit) && !(decoded instanceof DateCellError)) expect(exit.value).toEqual(decoded.value[0])
    }
    expect(Schema.decodeUnknownSync(FullRow)({ "Order date": 694252800, Region: "West" })).toEqual({ Region: "West" })
  })
})
