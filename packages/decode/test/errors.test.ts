/**
 * The package's errors are plain classes usable three ways: `instanceof` (and `isDateCellError`), their fields,
 * and Effect's `catchTag` (which reads only `_tag`); the schema subpath turns them into plain data and back.
 */
import { Effect, Exit, Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  DATE_CELL_ERROR_REASONS,
  DateCellError,
  decodeCell,
  InvalidTimeZoneError,
  isDateCellError,
  makeCellRenderer,
  resolveTimeZone,
  type TimeZone
} from "../src/index.ts"
import { DateCellErrorReason, DateCellErrorSchema, InvalidTimeZoneErrorSchema } from "../src/schema.ts"

const badCell = () => makeCellRenderer("DATE", { column: "Order Date" })(1.5, 7)

describe("errors", () => {
  it("a-bad-cell-is-a-DateCellError-and-an-Error-with-its-fields", () => {
    const error = badCell()
    expect(error).toBeInstanceOf(DateCellError)
    expect(error).toBeInstanceOf(Error)
    expect(isDateCellError(error)).toBe(true)
    if (!(error instanceof DateCellError)) return
    expect(error._tag).toBe("DateCellError")
    expect(error.name).toBe("DateCellError")
    expect(error.reason).toBe("NotWholeSeconds")
    expect(error.row).toBe(7)
    expect(error.column).toBe("Order Date")
    expect(error.value).toBe("1.5")
    expect(error.message).toMatch(/^cell 1\.5 in row 7, column "Order Date" is not a whole number of seconds/)
    expect(String(error)).toBe(`DateCellError: ${error.message}`)
    expect(error.stack).toContain("DateCellError")
  })

  it("row-and-column-are-absent-not-undefined-when-unknown", () => {
    const error = decodeCell("x")
    expect(error).toBeInstanceOf(DateCellError)
    expect(Object.keys(error as object).sort()).toEqual(["_tag", "reason", "value"])
    expect(Object.hasOwn(error as object, "row")).toBe(false)
    expect(Object.hasOwn(error as object, "column")).toBe(false)
  })

  it("a-Date-cell-is-said-to-be-a-Date-not-a-string-or-null", () => {
    // JSON gives a Date as its ISO text in quotes, and an invalid one as null: the message would show a string, or
    // call a null cell, which is valid, no ThoughtSpot date.
    const cases = [
      [new Date(0), "Date(1970-01-01T00:00:00.000Z)"],
      [new Date(Number.NaN), "Date(invalid)"]
    ] as const
    for (const [date, shown] of cases) {
      for (const error of [decodeCell(date, { row: 3, column: "Order Date" }), makeCellRenderer("DATE")(date, 3)]) {
        expect(error).toMatchObject({ reason: "WrongType", value: shown, row: 3 })
        expect((error as DateCellError).message).toContain(`cell ${shown} in row 3`)
        expect((error as DateCellError).message).toMatch(/: it is a Date object$/)
      }
    }
    // Inside a cell too.
    expect(decodeCell({ v: { s: new Date(Number.NaN) } })).toMatchObject({
      reason: "WrongShape",
      value: '{"v":{"s":"Date(invalid)"}}'
    })
  })

  it("an-unknown-zone-is-an-InvalidTimeZoneError", () => {
    const error = resolveTimeZone("Mars/Olympus_Mons")
    expect(error).toBeInstanceOf(InvalidTimeZoneError)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ _tag: "InvalidTimeZoneError", name: "InvalidTimeZoneError" })
    expect((error as InvalidTimeZoneError).timeZone).toBe("Mars/Olympus_Mons")
    expect(isDateCellError(error)).toBe(false)
  })

  it("effect-catchTag-matches-each-error-by-its-tag", () => {
    const failWith = <E>(error: E) => Effect.fail(error) as Effect.Effect<string, E | { readonly _tag: "Other" }>
    const cell = badCell()
    if (!(cell instanceof DateCellError)) throw new Error("expected a DateCellError")
    const zone = resolveTimeZone("Nowhere/Else")
    if (!(zone instanceof InvalidTimeZoneError)) throw new Error("expected an InvalidTimeZoneError")

    const caughtCell = failWith(cell).pipe(
      Effect.catchTag("DateCellError", (error) => Effect.succeed(`${error.reason} in ${error.column}`))
    )
    expect(Effect.runSync(caughtCell)).toBe("NotWholeSeconds in Order Date")

    const caughtZone = failWith(zone).pipe(
      Effect.catchTag("InvalidTimeZoneError", (error) => Effect.succeed(error.timeZone))
    )
    expect(Effect.runSync(caughtZone)).toBe("Nowhere/Else")

    // Another tag is not caught: the error stays in the channel, unchanged.
    const notCaught = failWith(cell).pipe(Effect.catchTag("Other", () => Effect.succeed("wrong")))
    const exit = Effect.runSyncExit(notCaught)
    expect(exit).toStrictEqual(Exit.fail(cell))
  })

  it("the-reason-list-and-its-schema-agree", () => {
    const is = Schema.is(DateCellErrorReason)
    for (const reason of DATE_CELL_ERROR_REASONS) expect(is(reason)).toBe(true)
    expect(is("Other")).toBe(false)
  })

  it("error-schemas-round-trip-through-plain-data", () => {
    const cell = badCell() as DateCellError
    const data = Schema.encodeSync(DateCellErrorSchema)(cell)
    expect(data).toEqual({
      _tag: "DateCellError",
      reason: "NotWholeSeconds",
      row: 7,
      column: "Order Date",
      value: "1.5",
      message: cell.message
    })
    const back = Schema.decodeUnknownSync(DateCellErrorSchema)(JSON.parse(JSON.stringify(data)))
    expect(back).toBeInstanceOf(DateCellError)
    expect(back).toMatchObject({ reason: "NotWholeSeconds", row: 7, column: "Order Date", value: "1.5" })
    expect(back.message).toBe(cell.message)

    const bare = decodeCell("x") as DateCellError
    expect(Object.keys(Schema.encodeSync(DateCellErrorSchema)(bare)).sort()).toEqual([
      "_tag",
      "message",
      "reason",
      "value"
    ])
    expect(Exit.isFailure(Schema.decodeUnknownExit(DateCellErrorSchema)({ ...data, reason: "Other" }))).toBe(true)

    // A NotMidnight error keeps its zone and instant.
    const la = resolveTimeZone("America/Los_Angeles") as TimeZone
    const notMidnight = makeCellRenderer("DATE", { timeZone: la, column: "Day" })(694224000, 3) as DateCellError
    const notMidnightData = Schema.encodeSync(DateCellErrorSchema)(notMidnight)
    expect(notMidnightData).toEqual({
      _tag: "DateCellError",
      reason: "NotMidnight",
      row: 3,
      column: "Day",
      value: "694224000",
      message: notMidnight.message,
      timeZone: "America/Los_Angeles",
      instant: 694224000
    })
    const notMidnightBack = Schema.decodeUnknownSync(DateCellErrorSchema)(JSON.parse(JSON.stringify(notMidnightData)))
    expect(notMidnightBack).toBeInstanceOf(DateCellError)
    expect(notMidnightBack).toMatchObject({
      reason: "NotMidnight",
      timeZone: "America/Los_Angeles",
      instant: 694224000
    })

    const zone = resolveTimeZone("Nowhere/Else") as InvalidTimeZoneError
    const zoneBack = Schema.decodeSync(InvalidTimeZoneErrorSchema)(Schema.encodeSync(InvalidTimeZoneErrorSchema)(zone))
    expect(zoneBack).toBeInstanceOf(InvalidTimeZoneError)
    expect(zoneBack).toMatchObject({ timeZone: "Nowhere/Else", message: zone.message })
  })
})
