/**
 * Types of aggregated search columns, through the command line against the embedded sandbox: each aggregate
 * gets its own type (an average of integers is DOUBLE, a max of a timestamp is a timestamp, counts are INT64),
 * so the cells are written and typed exactly, never as an integer column that fails or as untyped epoch text.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { searchColumnTypes } from "../src/plan/SearchColumns.ts"
import { runInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-search-types-")

const timeout = { timeout: 60_000 }

const search = (query: string, format: "csv" | "ndjson" = "ndjson") =>
  Effect.gen(function* () {
    const dir = tempDir()
    const run = yield* runInProcess(
      ["search", "--sandbox", "--table", "Orders", "--query", query, "--format", format, "--out", dir, "--quiet"],
      {}
    )
    expect(run.code, run.stderr).toBe(0)
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8"))
    const output = manifest.outputs[0]
    const text = NodeFs.readFileSync(NodePath.join(dir, output.file), "utf8")
    return {
      columns: output.columns.map((c: { name: string; type: string | null }) => [c.name, c.type]),
      rows:
        format === "ndjson"
          ? text
              .trimEnd()
              .split("\n")
              .map((l) => JSON.parse(l))
          : text.split("\r\n"),
      warnings: output.warnings ?? []
    }
  })

describe("search aggregate types", () => {
  it.live(
    "average-of-an-integer-measure-is-double-and-written-exactly",
    () =>
      Effect.gen(function* () {
        const result = yield* search("[Shipped At].monthly average [Quantity]")
        expect(result.columns).toEqual([
          ["Month(Shipped At)", "DATE"],
          ["Average Quantity", "DOUBLE"]
        ])
        expect(result.rows.some((r: Record<string, unknown>) => !Number.isInteger(r["Average Quantity"]))).toBe(true)
        // A month of a timestamp column is its first day, as the cluster types it (not its midnight's instant).
        const months = result.rows
          .map((row: Record<string, unknown>) => row["Month(Shipped At)"])
          .filter((m) => m !== null)
        expect(months.length).toBeGreaterThan(1)
        for (const month of months) expect(month).toMatch(/^\d{4}-\d\d-01$/)
      }),
    timeout
  )

  it.live(
    "max-and-min-of-a-timestamp-stay-timestamps",
    () =>
      Effect.gen(function* () {
        const result = yield* search("[Region] max [Shipped At] min [Shipped At]")
        expect(result.columns).toEqual([
          ["Region", "VARCHAR"],
          ["Maximum Shipped At", "DATE_TIME"],
          ["Minimum Shipped At", "DATE_TIME"]
        ])
        for (const row of result.rows) expect(row["Maximum Shipped At"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      }),
    timeout
  )

  it.live(
    "counts-are-integers-and-sums-keep-their-measure-type",
    () =>
      Effect.gen(function* () {
        const result = yield* search("[Region] count [Order ID] unique count [Product] sum [Quantity] sum [Revenue]")
        expect(result.columns).toEqual([
          ["Region", "VARCHAR"],
          ["Count Order ID", "INT64"],
          ["Unique Count Product", "INT64"],
          ["Total Quantity", "INT64"],
          ["Total Revenue", "DOUBLE"]
        ])
      }),
    timeout
  )
})

describe("search column lookup", () => {
  const typeOf = searchColumnTypes([
    { name: "Quantity", type: "INT32" },
    { name: "Revenue", type: "DOUBLE" },
    { name: "Order Date", type: "DATE" },
    { name: "Region", type: "VARCHAR" }
  ])

  it("every-aggregate-thoughtspot-prints-has-its-own-type", () => {
    expect(typeOf("Total Quantity")).toBe("INT64")
    expect(typeOf("Sum Revenue")).toBe("DOUBLE")
    expect(typeOf("Average Quantity")).toBe("DOUBLE")
    expect(typeOf("Std Deviation Quantity")).toBe("DOUBLE")
    expect(typeOf("Standard Deviation Revenue")).toBe("DOUBLE")
    expect(typeOf("Variance Quantity")).toBe("DOUBLE")
    expect(typeOf("Min Order Date")).toBe("DATE")
    expect(typeOf("Maximum Order Date")).toBe("DATE")
    expect(typeOf("Max Quantity")).toBe("INT32")
    expect(typeOf("Count Region")).toBe("INT64")
    expect(typeOf("Unique Count Region")).toBe("INT64")
    expect(typeOf("Unique count Region")).toBe("INT64")
    expect(typeOf("Unique Number of Region")).toBe("INT64")
  })

  it("a-bucket-of-a-day-or-longer-is-a-date-an-hour-keeps-its-type-a-part-of-a-period-is-a-number", () => {
    const withTimes = searchColumnTypes([
      { name: "Order Date", type: "DATE" },
      { name: "Shipped At", type: "DATE_TIME" },
      { name: "Logged", type: "TIMESTAMP" }
    ])
    expect(withTimes("Month(Shipped At)")).toBe("DATE")
    expect(withTimes("Week(Logged)")).toBe("DATE")
    expect(withTimes("Year(Order Date)")).toBe("DATE")
    expect(withTimes("Hour(Shipped At)")).toBe("DATE_TIME")
    expect(withTimes("Day of week(Shipped At)")).toBe("INT64")
  })

  it("a-bucket-this-does-not-know-has-no-type-rather-than-a-guessed-integer", () => {
    const withTimes = searchColumnTypes([
      { name: "Shipped At", type: "DATE_TIME" },
      { name: "Order Date", type: "DATE" }
    ])
    // Date parts are numbers; a bucket not listed (a minute, a custom calendar's) could hold a date or text.
    expect(withTimes("Month of year(Order Date)")).toBe("INT64")
    expect(withTimes("Hour of day(Shipped At)")).toBe("INT64")
    expect(withTimes("Minute(Shipped At)")).toBeNull()
    expect(withTimes("Fiscal Period(Order Date)")).toBeNull()
  })

  it("a-column-name-holding-parentheses-is-read-as-an-aggregate-not-as-a-bucket", () => {
    const withUnits = searchColumnTypes([
      { name: "Revenue (USD)", type: "DOUBLE" },
      { name: "Units (each)", type: "INT32" }
    ])
    expect(withUnits("Revenue (USD)")).toBe("DOUBLE")
    expect(withUnits("Total Revenue (USD)")).toBe("DOUBLE")
    expect(withUnits("Average Units (each)")).toBe("DOUBLE")
    expect(withUnits("Total Units (each)")).toBe("INT64")
  })

  it("a-model-column-named-like-an-aggregate-of-another-of-a-different-type-has-no-type", () => {
    const withTotals = searchColumnTypes([
      { name: "Quantity", type: "INT32" },
      { name: "Average Quantity", type: "INT32" },
      { name: "Revenue", type: "DOUBLE" },
      { name: "Total Revenue", type: "DOUBLE" }
    ])
    // "Average Quantity" is the INT32 column or the average of "Quantity" (a DOUBLE): its name cannot tell.
    expect(withTotals("Average Quantity")).toBeNull()
    // Both readings of "Total Revenue" are DOUBLE.
    expect(withTotals("Total Revenue")).toBe("DOUBLE")
  })

  it("an-aggregate-that-makes-no-sense-or-an-unknown-name-stays-unknown", () => {
    expect(typeOf("Average Region")).toBeNull()
    expect(typeOf("Median Revenue")).toBeNull()
  })
})
