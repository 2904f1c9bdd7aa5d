/**
 * Which search results `--since-column` reads (Incremental.ts `groupingRefusal`), from their column names: one whose
 * rows each stand for rows on one side of the starting point — row-level, grouped by other columns without totals,
 * or with totals that show the column as it is (each a total of one value of it) — and not one that groups the
 * column into periods, nor totals that do not show it, nor one whose names are missing.
 */
import { describe, expect, it } from "@effect/vitest"
import type { TypedColumn } from "../src/cluster/Cluster.ts"
import { groupingRefusal } from "../src/plan/Incremental.ts"

const model: ReadonlyArray<TypedColumn> = [
  { name: "Order ID", type: "INT64" },
  { name: "Region", type: "VARCHAR" },
  { name: "Revenue", type: "DOUBLE" },
  { name: "Order Date", type: "DATE" },
  { name: "Shipped At", type: "DATE_TIME" }
]

const refusal = (names: ReadonlyArray<string> | undefined, column: string) =>
  groupingRefusal(names, model, column, "[q]")

describe("groupingRefusal", () => {
  it("reads a row-level result, one grouped by other columns without totals, and totals that show the column", () => {
    expect(refusal(["Order ID", "Revenue", "Order Date"], "Order Date")).toBeUndefined()
    expect(refusal(["Order ID", "Revenue"], "Order Date")).toBeUndefined()
    expect(refusal(["Region", "Month(Shipped At)"], "Order Date")).toBeUndefined()
    // Each total is of one region: whole in every run, read again whole at the watermark.
    expect(refusal(["Region", "Total Revenue"], "Region")).toBeUndefined()
  })

  it("refuses the column grouped into periods, and totals that do not show it", () => {
    expect(refusal(["Total Revenue", "Month(Order Date)"], "Order Date")).toContain(
      'groups [Order Date] into periods (its result has the column "Month(Order Date)"'
    )
    expect(refusal(["Region", "Week( Order Date )"], "Order Date")).toContain("into periods")
    expect(refusal(["Region", "Total Revenue"], "Order Date")).toContain(
      `holds totals (its column "Total Revenue") and does not show [Order Date] as it is`
    )
    expect(refusal(["Region", "Unique Count Order ID"], "Shipped At")).toContain('"Unique Count Order ID"')
    expect(refusal(["Region", "Total Revenue"], "Revenue")).toContain("does not show [Revenue] as it is")
    expect(refusal(["Region", "Total Revenue"], "Order Date")).toContain(
      `--query "[q] [Order Date] >= '…'" without --since-column`
    )
  })

  it("reads a DATE shown by day, as it is: one day is one date", () => {
    // A daily bucket of a DATE holds the rows of one value of it: whole in every run, as the plain column.
    expect(refusal(["Order ID", "Revenue", "Day(Order Date)"], "Order Date")).toBeUndefined()
    expect(refusal(["Total Revenue", "Day(Order Date)"], "Order Date")).toBeUndefined()
    expect(refusal(["Region", "Total Revenue", "day( order date )"], "Order Date")).toBeUndefined()
    expect(refusal(["Total Revenue", "Daily(Order Date)"], "Order Date")).toBeUndefined()
  })

  it("refuses a day of a DATE_TIME, and every other period of a DATE", () => {
    // A day of a DATE_TIME holds many instants: a watermark inside the day cuts it.
    expect(refusal(["Order ID", "Day(Shipped At)"], "Shipped At")).toContain(
      'groups [Shipped At] into periods (its result has the column "Day(Shipped At)"'
    )
    expect(refusal(["Total Revenue", "Day(Shipped At)"], "Shipped At")).toContain("into periods")
    expect(refusal(["Total Revenue", "Day of week(Order Date)"], "Order Date")).toContain("into periods")
    expect(refusal(["Total Revenue", "Week(Order Date)"], "Order Date")).toContain("into periods")
    // The day of another column shows nothing of this one.
    expect(refusal(["Total Revenue", "Day(Order Date)"], "Shipped At")).toContain("does not show [Shipped At]")
    // A grouped DATE is told the way to keep it by day.
    expect(refusal(["Total Revenue", "Month(Order Date)"], "Order Date")).toContain("[Order Date].'daily'")
    expect(refusal(["Total Revenue", "Month(Shipped At)"], "Shipped At")).not.toContain("'daily'")
  })

  it("refuses a result whose names are missing: nothing says how it is grouped", () => {
    expect(refusal(undefined, "Order Date")).toContain("cannot be checked")
    expect(refusal([], "Order Date")).toContain("cannot be checked")
  })
})
