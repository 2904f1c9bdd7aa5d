/**
 * The text of `--sort` and `--runtime-filter`, and the `runtime_sort` / `runtime_filter` objects sent for them
 * (RuntimeOptions.ts). Through the CLI against the sandbox: runtimeOptions.e2e.test.ts.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  columnTypeIn,
  parseRuntimeFilter,
  parseSortKey,
  runtimeFilterGivenOf,
  runtimeFilterOf,
  runtimeSortOf,
  searchSortProblem,
  typedRuntimeFilters
} from "../src/plan/RuntimeOptions.ts"

describe("--sort", () => {
  it("takes-the-column-as-written-with-an-optional-direction-suffix", () => {
    expect(parseSortKey("Order ID")).toEqual({ ok: { column: "Order ID" } })
    expect(parseSortKey("Revenue:desc")).toEqual({ ok: { column: "Revenue", order: "desc" } })
    expect(parseSortKey("Revenue:ASC")).toEqual({ ok: { column: "Revenue", order: "asc" } })
    // A comma is part of the name; only the last `:asc`/`:desc` is a direction.
    expect(parseSortKey("Revenue (USD, net)")).toEqual({ ok: { column: "Revenue (USD, net)" } })
    expect(parseSortKey("Ratio:desc:asc")).toEqual({ ok: { column: "Ratio:desc", order: "asc" } })
    expect(parseSortKey("Time: start")).toEqual({ ok: { column: "Time: start" } })
    expect(parseSortKey(" :desc")).toHaveProperty("refused")
  })

  it("sends-sortColN-and-ascN-in-order", () => {
    expect(runtimeSortOf([{ column: "Region" }, { column: "Revenue", order: "desc" }])).toEqual({
      sortCol1: "Region",
      asc1: true,
      sortCol2: "Revenue",
      asc2: false
    })
    expect(runtimeSortOf(undefined)).toBeUndefined()
  })

  it("is-refused-on-a-search-with-its-own-sort-by-only", () => {
    expect(searchSortProblem("[Order ID] sort by [Order ID]", [{ column: "Region" }])).toContain('its own "sort by"')
    expect(searchSortProblem("[Order ID] [Region]", [{ column: "Region" }])).toBeUndefined()
    expect(searchSortProblem("[Order ID] sort by [Order ID]", undefined)).toBeUndefined()
    // A "sort by" inside a value is no sort (SearchOrder.ts).
    expect(searchSortProblem("[Note] = 'sort by [x]'", [{ column: "Region" }])).toBeUndefined()
  })
})

describe("--runtime-filter", () => {
  it("reads-column-operator-and-values", () => {
    expect(parseRuntimeFilter("Region EQ West")).toEqual({ ok: { column: "Region", op: "EQ", values: ["West"] } })
    expect(parseRuntimeFilter("Order  Date GE 1704067200")).toEqual({
      ok: { column: "Order  Date", op: "GE", values: ["1704067200"] }
    })
    expect(parseRuntimeFilter('Region IN West "North East" "say \\"hi\\""')).toEqual({
      ok: { column: "Region", op: "IN", values: ["West", "North East", 'say "hi"'] }
    })
    expect(parseRuntimeFilter("Revenue BW_INC 10 20")).toEqual({
      ok: { column: "Revenue", op: "BW_INC", values: ["10", "20"] }
    })
    // A value that is an operator's name is a value; a column holding one is quoted.
    expect(parseRuntimeFilter("Status NE IN")).toEqual({ ok: { column: "Status", op: "NE", values: ["IN"] } })
    expect(parseRuntimeFilter('"Days GT limit" EQ yes')).toEqual({
      ok: { column: "Days GT limit", op: "EQ", values: ["yes"] }
    })
    expect(parseRuntimeFilter('Region EQ ""')).toEqual({ ok: { column: "Region", op: "EQ", values: [""] } })
  })

  it("refuses-what-it-cannot-read-saying-how-to-write-it", () => {
    const refusal = (text: string) => {
      const parsed = parseRuntimeFilter(text)
      return "refused" in parsed ? parsed.refused : "accepted"
    }
    expect(refusal("Region LIKE W%")).toContain("it names no operator; write COLUMN OP VALUE…, OP one of EQ, NE")
    expect(refusal("Region eq West")).toContain('"eq" is no operator: operators are upper case (EQ)')
    expect(refusal("EQ West")).toContain("it names no operator")
    expect(refusal("Region EQ")).toContain("EQ takes one value, not 0")
    expect(refusal("Region NOT_IN")).toContain("NOT_IN takes one value or more")
    expect(refusal('Region EQ "West')).toContain("a quote opened at position 11 is not closed")
    expect(refusal('Region EQ "West"ern')).toContain("a quoted value must end at a space")
  })

  it("sends-colN-opN-valN-a-list-or-range-as-an-array", () => {
    expect(
      runtimeFilterOf([
        { column: "Region", op: "EQ", values: ["West"] },
        { column: "Region", op: "IN", values: ["West"] },
        { column: "Revenue", op: "BW", values: ["1", "2"] }
      ])
    ).toEqual({
      col1: "Region",
      op1: "EQ",
      val1: "West",
      col2: "Region",
      op2: "IN",
      val2: ["West"],
      col3: "Revenue",
      op3: "BW",
      val3: ["1", "2"]
    })
  })
})

describe("--runtime-filter on dates", () => {
  const la = "America/Los_Angeles"
  const typed = (
    filters: Parameters<typeof typedRuntimeFilters>[0],
    columns: ReadonlyArray<{ name: string; type: string }>,
    zone = la
  ) => {
    let asked = 0
    const dataZone = Effect.sync(() => {
      asked++
      return zone
    })
    const exit = Effect.runSyncExit(
      typedRuntimeFilters(filters, columnTypeIn(columns), dataZone, "--runtime-filter", "x")
    )
    return { exit, asked }
  }
  const sentOf = (result: ReturnType<typeof typed>) =>
    result.exit._tag === "Success" ? result.exit.value.filters : `refused: ${String(result.exit.cause)}`
  const columns = [
    { name: "Order Date", type: "DATE" },
    { name: "Shipped At", type: "DATE_TIME" },
    { name: "Region", type: "VARCHAR" }
  ]

  it("sends-a-day-or-wall-time-as-epoch-seconds-in-the-data-time-zone-and-digits-as-they-are", () => {
    const result = typed(
      [
        { column: "Order Date", op: "BW_INC", values: ["2025-03-09", "1762066800"] },
        { column: "shipped at", op: "GE", values: ["2025-11-02 01:30:00"] },
        { column: "Region", op: "EQ", values: ["2025-06-01"] }
      ],
      columns
    )
    expect(sentOf(result)).toEqual([
      {
        column: "Order Date",
        op: "BW_INC",
        values: [String(Date.parse("2025-03-09T00:00:00-08:00") / 1000), "1762066800"]
      },
      // A name matched ignoring case; the first of the two 01:30s of the fall-back night.
      { column: "shipped at", op: "GE", values: [String(Date.parse("2025-11-02T01:30:00-07:00") / 1000)] },
      // Text on a text column is text.
      { column: "Region", op: "EQ", values: ["2025-06-01"] }
    ])
    // Asked for once, and not at all when nothing is converted.
    expect(result.asked).toBe(1)
    expect(typed([{ column: "Order Date", op: "GE", values: ["1762066800"] }], columns).asked).toBe(0)
  })

  it("refuses-a-date-value-in-neither-form-and-keeps-a-column-of-unknown-type-as-given", () => {
    expect(sentOf(typed([{ column: "Order Date", op: "GE", values: ["2025-06-01 10:00:00"] }], columns))).toContain(
      "is not a DATE as a runtime filter takes it; give a day, 2025-06-01"
    )
    expect(sentOf(typed([{ column: "Shipped At", op: "GE", values: ["2025-06-31"] }], columns))).toContain(
      "is no day or time of the calendar"
    )
    const unknown = typed([{ column: "Ordered", op: "GE", values: ["2025-06-01"] }], columns)
    expect(sentOf(unknown)).toEqual([{ column: "Ordered", op: "GE", values: ["2025-06-01"] }])
    expect(unknown.exit._tag === "Success" && unknown.exit.value.warnings[0]).toContain(
      'the type of "Ordered" in this result is unknown'
    )
    // Columns so named with different types: unknown too.
    expect(columnTypeIn([...columns, { name: "order date", type: "VARCHAR" }])("ORDER DATE")).toBeUndefined()
    expect(columnTypeIn([...columns, { name: "order date", type: "VARCHAR" }])("Order Date")).toBe("DATE")
  })

  it("records-the-values-sent-otherwise-than-given-as-given", () => {
    const given = [
      { column: "Order Date", op: "BW", values: ["2025-03-09", "1762066800"] },
      { column: "Region", op: "EQ", values: ["West"] },
      { column: "Order Date", op: "GE", values: ["2025-11-02"] }
    ]
    const sent = [
      { column: "Order Date", op: "BW", values: ["1741507200", "1762066800"] },
      { column: "Region", op: "EQ", values: ["West"] },
      { column: "Order Date", op: "GE", values: ["1762066800"] }
    ]
    expect(runtimeFilterGivenOf(given, sent)).toEqual({ val1: ["2025-03-09", "1762066800"], val3: "2025-11-02" })
    expect(runtimeFilterGivenOf(sent, sent)).toBeUndefined()
  })

  it("hints-that-a-date-and-time-is-one-quoted-value", () => {
    const parsed = parseRuntimeFilter("Shipped At GE 2025-06-01 10:00:00")
    expect("refused" in parsed && parsed.refused).toContain(
      'GE takes one value, not 2 (a date and time is one value, in double quotes: "2025-06-01 10:00:00")'
    )
    expect(parseRuntimeFilter('Shipped At GE "2025-06-01 10:00:00"')).toEqual({
      ok: { column: "Shipped At", op: "GE", values: ["2025-06-01 10:00:00"] }
    })
  })
})
