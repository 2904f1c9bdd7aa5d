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

  it("refuses a result whose names are missing: nothing says how it is grouped", () => {
    expect(refusal(undefined, "Order Date")).toContain("cannot be checked")
    expect(refusal([], "Order Date")).toContain("cannot be checked")
  })
})
