/**
 * A runtime filter's DATE or DATE_TIME value is epoch seconds, as ThoughtSpot's runtime-filter documentation
 * requires (Runtime.ts): the sandbox reads it as the day, or the wall time, in its time zone, and refuses date text
 * (400, saying what it takes), which its own search queries take but a cluster's runtime filters do not.
 */
import { describe, expect, it } from "vitest"
import { type DataResponse, nestedError, sandbox } from "./harness.ts"

const la = "America/Los_Angeles"

describe("runtime filter dates", () => {
  it("date-text-is-refused-and-epoch-seconds-are-read-in-the-sandbox-zone", async () => {
    const { call, token } = await sandbox({ rows: 400, timezone: la })
    const t = await token()
    const answer = (runtime_filter?: Record<string, unknown>) =>
      call(
        "metadata/answer/data",
        { metadata_identifier: "Order Details", record_size: -1, ...(runtime_filter ? { runtime_filter } : {}) },
        { token: t }
      )
    const rowsOf = async (runtime_filter?: Record<string, unknown>) => {
      const r = await answer(runtime_filter)
      expect(r.status, r.text).toBe(200)
      return r.json<DataResponse>().contents[0]!
    }
    for (const [col1, val1] of [
      ["Order Date", "2024-06-01"],
      ["Shipped At", "2024-06-01 10:00:00"],
      ["order date", "June 1"],
      ["Shipped At", "1717225200.5"]
    ] as const) {
      const r = await answer({ col1, op1: "GE", val1 })
      expect(r.status, r.text).toBe(400)
      const error = nestedError(r.text)
      expect(error.code).toBe(10002)
      expect(error.debug.join(" ")).toContain(`runtime_filter val1 '${val1}' for the`)
      expect(error.debug.join(" ")).toContain(
        `is not epoch seconds: a runtime filter takes a date only as seconds since 1970-01-01T00:00:00Z (2025-06-01 00:00:00 in this cluster's time zone, ${la}, is 1748761200)`
      )
    }
    // The same filters in epoch seconds keep exactly the rows at or after them, in the sandbox's zone.
    const all = await rowsOf()
    const date = all.column_names.indexOf("Order Date")
    const shipped = all.column_names.indexOf("Shipped At")
    const midnight = Date.parse("2024-06-01T00:00:00-07:00") / 1000
    const byDay = await rowsOf({ col1: "Order Date", op1: "GE", val1: String(midnight) })
    expect(byDay.data_rows).toEqual(all.data_rows.filter((row) => row[date] !== null && Number(row[date]) >= midnight))
    expect(byDay.data_rows.length).toBeGreaterThan(0)
    expect(byDay.data_rows.length).toBeLessThan(all.data_rows.length)
    const instant = Date.parse("2024-06-01T10:00:00-07:00") / 1000
    const byTime = await rowsOf({ col1: "Shipped At", op1: "LT", val1: instant })
    expect(byTime.data_rows).toEqual(
      all.data_rows.filter((row) => row[shipped] !== null && Number(row[shipped]) < instant)
    )
    expect(byTime.data_rows.length).toBeGreaterThan(0)
  })

  it("an-epoch-before-the-year-1000-is-read-as-its-day-in-the-zone-not-refused", async () => {
    const { call, token } = await sandbox({ rows: 50, timezone: la })
    const t = await token()
    const rowsOf = async (runtime_filter?: Record<string, unknown>) => {
      const r = await call(
        "metadata/answer/data",
        { metadata_identifier: "Order Details", record_size: -1, ...(runtime_filter ? { runtime_filter } : {}) },
        { token: t }
      )
      expect(r.status, r.text).toBe(200)
      return r.json<DataResponse>().contents[0]!
    }
    const all = await rowsOf()
    const date = all.column_names.indexOf("Order Date")
    // 1000-01-01T00:00:00Z is 0999-12-31 in Los Angeles: every dated row is at or after it.
    const early = await rowsOf({
      col1: "Order Date",
      op1: "GE",
      val1: String(Date.parse("1000-01-01T00:00:00Z") / 1000)
    })
    expect(early.data_rows).toEqual(all.data_rows.filter((row) => row[date] !== null))
    expect(early.data_rows.length).toBeGreaterThan(0)
  })

  it("an-epoch-past-the-year-9999-or-javascript-dates-is-refused-naming-the-value-and-the-range", async () => {
    const { call, token } = await sandbox({ rows: 20, timezone: la })
    const t = await token()
    // The first and last second of years 0000-9999 in Los Angeles (UTC-07:52:58 before 1883, UTC-08:00 in 9999).
    const first = Date.parse("0000-01-01T07:52:58Z") / 1000
    const last = Date.parse("+010000-01-01T08:00:00Z") / 1000 - 1
    const filtered = (col1: string, val1: string) =>
      call(
        "metadata/answer/data",
        { metadata_identifier: "Order Details", record_size: -1, runtime_filter: { col1, op1: "GE", val1 } },
        { token: t }
      )
    for (const [col1, val1] of [
      ["Order Date", "8640000000001"],
      ["Shipped At", "-8640000000001"],
      ["Shipped At", "99999999999999999999"],
      ["Order Date", String(last + 1)],
      ["Shipped At", String(first - 1)]
    ] as const) {
      const r = await filtered(col1, val1)
      expect(r.status, r.text).toBe(400)
      const error = nestedError(r.text)
      expect(error.code).toBe(10002)
      expect(error.debug.join(" ")).toContain(
        `runtime_filter val1 '${val1}' for the ${col1 === "Order Date" ? "DATE" : "DATE_TIME"} column '${col1}' is out of range: a date is epoch seconds from ${first} to ${last} (0000-01-01 00:00:00 to 9999-12-31 23:59:59 in this cluster's time zone, ${la})`
      )
    }
    // The ends themselves are dates: every dated row is before the last second and at or after the first.
    for (const val1 of [String(first), String(last)]) expect((await filtered("Shipped At", val1)).status).toBe(200)
  })
})
