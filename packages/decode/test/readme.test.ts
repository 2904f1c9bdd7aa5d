/** The package README's examples, run as written (so the documentation cannot drift from the code). */
import { Schema } from "effect"
import { expect, it } from "vitest"
import {
  DateCellError,
  decodeCompactRows,
  InvalidTimeZoneError,
  makeCellRenderer,
  makeCellWriter,
  makeEndRenderer,
  NO_TEXT,
  NullableDateCellFromWire,
  resolveTimeZone
} from "../src/index.ts"

it("readme-plain-example", () => {
  const zone = resolveTimeZone("America/Los_Angeles")
  if (zone instanceof InvalidTimeZoneError) throw new Error(zone.message)
  const renderDate = makeCellRenderer("DATE", { timeZone: zone, column: "Order Date" })
  expect(renderDate(694252800)).toBe("1992-01-01")
  expect(renderDate({ v: { s: 709974000 } })).toBe("1992-07-01")
  expect(renderDate(null)).toBeNull()
  expect(renderDate("soon", 17)).toMatchObject({
    _tag: "DateCellError",
    reason: "WrongType",
    row: 17,
    column: "Order Date"
  })
  expect(renderDate("soon", 17)).toBeInstanceOf(DateCellError)
  const writeDate = makeCellWriter("DATE", { timeZone: zone })
  const out = new Uint8Array(64)
  expect(writeDate(694252800, out, 0)).toBe(10)
  expect(Buffer.from(out.subarray(0, 10)).toString("latin1")).toBe("1992-01-01")
  expect(writeDate(null, out, 10)).toBe(NO_TEXT)
  expect(makeCellRenderer("DATE_TIME")(1625759921)).toBe("2021-07-08T15:58:41Z")
  expect(makeCellRenderer("DATE_TIME", { timeZone: zone, offset: "zone" })(1625759921)).toBe(
    "2021-07-08T08:58:41-07:00"
  )
  expect(makeCellRenderer("TIME", { timeZone: zone })(1625759921)).toBe("08:58:41")
  expect(makeEndRenderer("DATE", { timeZone: zone })({ v: { s: 694252800, e: 702115200 } })).toBe("1992-04-01")

  const columns = [
    { name: "Order Date", type: "DATE" },
    { name: "Region", type: "VARCHAR" }
  ]
  const result = decodeCompactRows(
    [
      [694252800, "West"],
      [null, "East"]
    ],
    columns,
    { rowOffset: 0 }
  )
  expect(result).toEqual({
    _tag: "Decoded",
    value: [
      [{ start: 694252800, form: "epoch" }, "West"],
      [null, "East"]
    ],
    passedThrough: 0
  })
})

it("readme-effect-example", () => {
  const Rows = Schema.Array(Schema.Tuple([NullableDateCellFromWire, Schema.String]))
  const rows = Schema.decodeSync(Rows)([[{ v: { s: 694252800 } }, "West"]])
  expect(rows).toEqual([[{ start: 694252800, form: "calendar" }, "West"]])
  expect(Schema.encodeSync(Rows)(rows)).toEqual([[{ v: { s: 694252800 } }, "West"]])
})
