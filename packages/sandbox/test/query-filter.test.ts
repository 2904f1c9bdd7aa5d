/**
 * searchdata filters `[Column] >= 'value'` (incremental search exports): row-level results keep exactly the rows
 * whose cell compares true, paged over the kept rows; nulls never pass; the filter column is not selected.
 */
import { describe, expect, it } from "vitest"
import { type DataResponse, sandbox } from "./harness.ts"

const rowsOf = async (query: string, rows = 400) => {
  const { call, token } = await sandbox({ rows, timezone: "UTC" })
  const r = await call(
    "searchdata",
    { query_string: query, logical_table_identifier: "Orders", record_size: 100_000 },
    { token: await token() }
  )
  return { status: r.status, text: r.text, body: r.status === 200 ? r.json<DataResponse>().contents[0]! : undefined }
}

describe("searchdata filters", () => {
  it("keeps-exactly-the-rows-at-or-after-a-date-and-selects-no-extra-column", async () => {
    const all = (await rowsOf("[Order ID] [Order Date]")).body!
    const day = (cell: unknown) => new Date((cell as number) * 1000).toISOString().slice(0, 10)
    const expected = all.data_rows.filter((row) => row[1] !== null && day(row[1]) >= "2024-06-01").map((row) => row[0])
    expect(expected.length).toBeGreaterThan(0)
    expect(expected.length).toBeLessThan(all.data_rows.length)
    const filtered = (await rowsOf("[Order ID] [Order Date] [Order Date] >= '2024-06-01'")).body!
    expect(filtered.column_names).toEqual(["Order ID", "Order Date"])
    expect(filtered.available_data_row_count).toBe(expected.length)
    expect(filtered.data_rows.map((row) => row[0])).toEqual(expected)
    // The filter column need not be selected.
    const only = (await rowsOf("[Order ID] [Order Date] >= '2024-06-01'")).body!
    expect(only.column_names).toEqual(["Order ID"])
    expect(only.data_rows.map((row) => row[0])).toEqual(expected)
  })

  it("compares-date-times-in-the-cluster-zone-and-numbers", async () => {
    const all = (await rowsOf("[Order ID] [Shipped At] [Quantity]")).body!
    const at = "2023-03-01 12:30:00"
    const limit = Date.parse("2023-03-01T12:30:00Z") / 1000
    const shipped = all.data_rows.filter((row) => row[1] !== null && (row[1] as number) > limit).map((row) => row[0])
    const after = (await rowsOf(`[Order ID] [Shipped At] > '${at}'`)).body!
    expect(after.data_rows.map((row) => row[0])).toEqual(shipped)
    const many = all.data_rows.filter((row) => row[2] !== null && (row[2] as number) <= 3).map((row) => row[0])
    const few = (await rowsOf("[Order ID] [Quantity] <= 3")).body!
    expect(few.data_rows.map((row) => row[0])).toEqual(many)
  })

  it("compares-revenue-literals-exactly-to-the-cent", async () => {
    const all = (await rowsOf("[Order ID] [Revenue]")).body!
    const cents = (row: Array<unknown>) => Math.round((row[1] as number) * 100)
    // Literals whose decimal value times 100 is not a whole number in floating point ('0.29' * 100 = 28.999…).
    const values = [...new Set(all.data_rows.filter((row) => row[1] !== null).map(cents))]
      .map((c) => ({ c, text: (c / 100).toFixed(2) }))
      .filter(({ c, text }) => Number(text) * 100 !== c)
      .slice(0, 3)
    expect(values.length).toBeGreaterThan(0)
    for (const { c, text } of values) {
      const ids = (keep: (cents: number) => boolean) =>
        all.data_rows.filter((row) => row[1] !== null && keep(cents(row))).map((row) => row[0])
      const equal = (await rowsOf(`[Order ID] [Revenue] = ${text}`)).body!
      expect(
        equal.data_rows.map((row) => row[0]),
        text
      ).toEqual(ids((x) => x === c))
      const atMost = (await rowsOf(`[Order ID] [Revenue] <= '${text}'`)).body!
      expect(
        atMost.data_rows.map((row) => row[0]),
        text
      ).toEqual(ids((x) => x <= c))
    }
    // More decimals than cents: nothing equals it, and the order is exact.
    const { c } = values[0]!
    const between = `${Math.floor(c / 100)}.${String(c % 100).padStart(2, "0")}5`
    expect((await rowsOf(`[Order ID] [Revenue] = ${between}`)).body!.data_rows).toEqual([])
    const above = (await rowsOf(`[Order ID] [Revenue] > ${between}`)).body!
    expect(above.data_rows.map((row) => row[0])).toEqual(
      all.data_rows.filter((row) => row[1] !== null && cents(row) > c).map((row) => row[0])
    )
  })

  it("filters-the-rows-of-an-aggregated-query-before-they-are-grouped", async () => {
    const all = (await rowsOf("[Order ID] [Region] [Order Date] [Revenue]")).body!
    const day = (cell: unknown) => new Date((cell as number) * 1000).toISOString().slice(0, 10)
    const cents = new Map<unknown, number>()
    const orders = new Map<unknown, number>()
    for (const row of all.data_rows) {
      if (row[2] === null || day(row[2]) < "2024-06-01") continue
      orders.set(row[1], (orders.get(row[1]) ?? 0) + (row[0] === null ? 0 : 1))
      if (row[3] !== null) cents.set(row[1], (cents.get(row[1]) ?? 0) + Math.round((row[3] as number) * 100))
    }
    const filtered = await rowsOf("[Region] count [Order ID] sum [Revenue] [Order Date] >= '2024-06-01'")
    expect(filtered.status, filtered.text).toBe(200)
    expect(filtered.body!.column_names).toEqual(["Region", "Count Order ID", "Total Revenue"])
    const got = new Map(filtered.body!.data_rows.map((row) => [row[0], [row[1], Math.round((row[2] as number) * 100)]]))
    expect(got).toEqual(new Map([...orders].map(([region, n]) => [region, [n, cents.get(region) ?? 0]])))
    const whole = (await rowsOf("[Region] count [Order ID]")).body!
    const total = (rows: Array<Array<unknown>>) => rows.reduce((a, row) => a + (row[1] as number), 0)
    expect(total(filtered.body!.data_rows)).toBeLessThan(total(whole.data_rows))
  })

  it("refuses-filters-it-cannot-apply", async () => {
    expect((await rowsOf("[Order ID] [Region] = 'West'")).status).toBe(400)
    // A measure filter in an aggregated query filters the totals on a cluster (HAVING): not done here.
    expect((await rowsOf("[Region] [Revenue] [Revenue] >= 100")).status).toBe(400)
    expect((await rowsOf("[Order ID] [Order Date] >= ")).status).toBe(400)
    expect((await rowsOf("[Order ID] [Order Date] >= 'June'")).status).toBe(400)
  })
})
