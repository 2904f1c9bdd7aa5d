/** Data endpoints: paging math, defaults, caps, COMPACT vs FULL, saved answers, liveboards and error paths. */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { type DataResponse, nestedError, sandbox } from "./harness.ts"

const table = fixtures.ordersTable.id
const all = fixtures.ordersTable.columns.map((c) => `[${c.name}]`).join(" ")

describe("searchdata", () => {
  it("defaults-to-compact-offset-0-size-10", async () => {
    const { call, token } = await sandbox({ rows: 25 })
    const r = await call("searchdata", { query_string: all, logical_table_identifier: table }, { token: await token() })
    expect(r.status).toBe(200)
    const c = r.json<DataResponse>().contents[0]!
    expect(c).toMatchObject({
      available_data_row_count: 25,
      record_offset: 0,
      record_size: 10,
      returned_data_row_count: 10,
      sampling_ratio: 1
    })
    expect(c.column_names).toEqual(fixtures.ordersTable.columns.map((col) => col.name))
    expect(c.data_rows).toHaveLength(10)
    expect(Array.isArray(c.data_rows[0])).toBe(true)
  })

  it("pages-cover-every-row-exactly-once-with-a-short-last-page", async () => {
    const { call, token } = await sandbox({ rows: 1234 })
    const t = await token()
    const ids: Array<string> = []
    for (let offset = 0; ; offset += 500) {
      const r = await call(
        "searchdata",
        {
          query_string: "[Order ID] [Revenue]",
          logical_table_identifier: "Orders",
          record_offset: offset,
          record_size: 500
        },
        { token: t }
      )
      const c = r.json<DataResponse>().contents[0]!
      expect(c.available_data_row_count).toBe(1234)
      expect(c.record_offset).toBe(offset)
      expect(c.returned_data_row_count).toBe(c.data_rows.length)
      // Order IDs are read from the raw text so that values above 2^53 stay exact.
      const raw = [...r.text.matchAll(/\[(\d+|null),/g)].map((m) => m[1]!)
      ids.push(...raw)
      if (c.returned_data_row_count < 500) {
        expect(c.returned_data_row_count).toBe(234)
        break
      }
    }
    const nonNull = ids.filter((x) => x !== "null")
    expect(ids).toHaveLength(1234)
    expect(new Set(nonNull).size).toBe(nonNull.length)
    expect(nonNull[0]).toBe("9007199254740000")
    expect(nonNull.some((x) => BigInt(x) > BigInt(Number.MAX_SAFE_INTEGER))).toBe(true)
  })

  it("offset-past-the-end-returns-an-empty-page", async () => {
    const { call, token } = await sandbox({ rows: 5 })
    const r = await call(
      "searchdata",
      { query_string: "[Region]", logical_table_identifier: table, record_offset: 100 },
      { token: await token() }
    )
    expect(r.json<DataResponse>().contents[0]).toMatchObject({
      returned_data_row_count: 0,
      data_rows: [],
      record_offset: 100
    })
  })

  it("record-size-is-capped-at-100000-and-minus-one-reads-the-cap", async () => {
    const { call, token } = await sandbox({ rows: 100_050 })
    const t = await token()
    for (const size of [250_000, -1]) {
      const r = await call(
        "searchdata",
        { query_string: "[Order ID]", logical_table_identifier: table, record_size: size },
        { token: t }
      )
      const c = r.json<DataResponse>().contents[0]!
      expect(c.record_size).toBe(100_000)
      expect(c.returned_data_row_count).toBe(100_000)
      expect(c.available_data_row_count).toBe(100_050)
    }
  })

  it("rejects-bad-paging-and-format-with-400", async () => {
    const { call, token } = await sandbox()
    const t = await token()
    for (const extra of [{ record_size: 0 }, { record_offset: -1 }, { data_format: "CSV" }, { record_size: "10" }]) {
      const r = await call(
        "searchdata",
        { query_string: "[Region]", logical_table_identifier: table, ...extra },
        { token: t }
      )
      expect(r.status).toBe(400)
      expect(nestedError(r.text).code).toBe(10002)
    }
  })

  it("full-format-gives-objects-without-null-keys", async () => {
    const { call, token } = await sandbox({ rows: 2000 })
    const t = await token()
    const body = { query_string: all, logical_table_identifier: table, record_size: 2000 }
    const compact = (await call("searchdata", body, { token: t })).json<DataResponse>().contents[0]!
    const full = (await call("searchdata", { ...body, data_format: "FULL" }, { token: t })).json<{
      contents: Array<{ data_rows: Array<Record<string, unknown>> }>
    }>().contents[0]!
    let nulls = 0
    compact.data_rows.forEach((row, i) => {
      const obj = full.data_rows[i]!
      compact.column_names.forEach((name, c) => {
        if (row[c] === null) {
          nulls++
          expect(name in obj).toBe(false)
        } else expect(obj[name]).toEqual(row[c])
      })
    })
    expect(nulls).toBeGreaterThan(0)
  })

  it("every-column-has-nulls-at-a-seeded-rate", async () => {
    const { call, token } = await sandbox({ rows: 5000 })
    const r = await call(
      "searchdata",
      { query_string: all, logical_table_identifier: table, record_size: 5000 },
      { token: await token() }
    )
    const rows = r.json<DataResponse>().contents[0]!.data_rows
    for (let c = 0; c < 10; c++) {
      const n = rows.filter((row) => row[c] === null).length
      expect(n).toBeGreaterThan(20)
      expect(n).toBeLessThan(200)
    }
  })

  it("aggregates-and-buckets-monthly-at-local-midnight", async () => {
    const { call, token } = await sandbox({ rows: 3000 })
    const r = await call(
      "searchdata",
      { query_string: "[Order Date].monthly [Revenue]", logical_table_identifier: table, record_size: 1000 },
      { token: await token() }
    )
    const c = r.json<DataResponse>().contents[0]!
    expect(c.column_names).toEqual(["Month(Order Date)", "Total Revenue"])
    expect(c.available_data_row_count).toBe(73) // 72 months of 2020-2025 plus the null bucket
    const first = c.data_rows[0]![0] as number
    expect(new Date(first * 1000).toISOString()).toBe("2020-01-01T08:00:00.000Z") // 00:00 in Los Angeles
    expect(new Date((c.data_rows[6]![0] as number) * 1000).toISOString()).toBe("2020-07-01T07:00:00.000Z") // DST
    expect(c.data_rows.at(-1)![0]).toBeNull()
  })

  it("monthly-totals-match-a-sum-over-the-detail-rows", async () => {
    const { call, token } = await sandbox({ rows: 2500, timezone: "Asia/Kolkata" })
    const t = await token()
    const detail = (
      await call(
        "searchdata",
        {
          query_string: "[Order ID] [Order Date].monthly [Revenue]",
          logical_table_identifier: table,
          record_size: 2500
        },
        { token: t }
      )
    ).json<DataResponse>().contents[0]!
    expect(detail.column_names).toEqual(["Order ID", "Month(Order Date)", "Revenue"])
    const sums = new Map<unknown, number>()
    for (const row of detail.data_rows) {
      if (row[2] !== null) sums.set(row[1], Math.round((sums.get(row[1]) ?? 0) * 100 + (row[2] as number) * 100) / 100)
    }
    const agg = (
      await call(
        "searchdata",
        { query_string: "[Revenue] [Order Date].monthly", logical_table_identifier: table, record_size: 1000 },
        { token: t }
      )
    ).json<DataResponse>().contents[0]!
    expect(agg.column_names).toEqual(["Total Revenue", "Month(Order Date)"])
    for (const [total, month] of agg.data_rows) {
      if (total !== null) expect(total).toBeCloseTo(sums.get(month)!, 2)
    }
    // Kolkata has no DST: every month start is 18:30 UTC of the previous day.
    for (const [, month] of agg.data_rows) {
      if (month !== null) expect(new Date((month as number) * 1000).toISOString()).toMatch(/T18:30:00.000Z$/)
    }
  })

  it("sort-by-and-top-n", async () => {
    const { call, token } = await sandbox({ rows: 4000 })
    const t = await token()
    const top = (
      await call(
        "searchdata",
        { query_string: "top 5 [Customer] [Revenue]", logical_table_identifier: table },
        { token: t }
      )
    ).json<DataResponse>().contents[0]!
    expect(top.available_data_row_count).toBe(5)
    const totals = top.data_rows.map((r) => r[1] as number)
    expect([...totals].sort((a, b) => b - a)).toEqual(totals)
    const asc = (
      await call(
        "searchdata",
        {
          query_string: "[Order ID] [Quantity] sort by [Quantity] ascending",
          logical_table_identifier: table,
          record_size: 4000
        },
        { token: t }
      )
    ).json<DataResponse>().contents[0]!
    const q = asc.data_rows.map((r) => r[1]).filter((x): x is number => x !== null)
    expect([...q].sort((a, b) => a - b)).toEqual(q)
    const desc = (
      await call(
        "searchdata",
        { query_string: "[Order ID] sort by [Order ID] descending", logical_table_identifier: table, record_size: 1 },
        { token: t }
      )
    ).text
    expect(desc).toContain(`[[${(9_007_199_254_740_000n + 37n * 3999n).toString()}]]`)
  })

  it("sorts-row-level-results-by-a-text-column-in-text-order-ties-by-order-id", async () => {
    const { call, token } = await sandbox({ rows: 3000 })
    const t = await token()
    for (const [column, descending] of [
      ["Customer", false],
      ["Region", true]
    ] as const) {
      const query = `[Order ID] [${column}] sort by [${column}]${descending ? " descending" : ""}`
      const body = { query_string: query, logical_table_identifier: table, record_size: -1 }
      const rows = (await call("searchdata", body, { token: t })).json<DataResponse>().contents[0]!.data_rows
      expect(rows.length).toBe(3000)
      const byId = (await call("searchdata", { ...body, query_string: `[Order ID] [${column}]` }, { token: t }))
        .json<DataResponse>()
        .contents[0]!.data_rows.map((row, i) => ({ row, i }))
      // Text in code-unit order with nulls lowest (first ascending, last descending); equal texts in table order.
      const text = (v: unknown) => (v === null ? "" : `~${v as string}`)
      const expected = byId
        .sort((a, b) => {
          const x = text(a.row[1])
          const y = text(b.row[1])
          const cmp = x < y ? -1 : x > y ? 1 : 0
          return (descending ? -cmp : cmp) || a.i - b.i
        })
        .map(({ row }) => row)
      expect(rows).toEqual(expected)
    }
  })

  it("invalid-queries-and-unknown-tables-give-400", async () => {
    const { call, token } = await sandbox()
    const t = await token()
    for (const q of ["[Nope]", "[Region].monthly", "frobnicate [Region]", "", "[Region"]) {
      const r = await call("searchdata", { query_string: q, logical_table_identifier: table }, { token: t })
      expect(r.status).toBe(400)
      expect(nestedError(r.text).code).toBe(10002)
    }
    const unknown = await call(
      "searchdata",
      { query_string: "[Region]", logical_table_identifier: "no-such-table" },
      { token: t }
    )
    expect(unknown.status).toBe(400)
    expect(nestedError(unknown.text).debug[0]).toContain("no-such-table")
  })
})

describe("look-ahead rendering", () => {
  it("a-full-large-page-gets-the-next-two-pages-rendered-ahead", async () => {
    const { call, token, sb } = await sandbox({ rows: 35_000 })
    const t = await token()
    const body = { metadata_identifier: "Order Details", record_size: 10_000 }
    const first = await call("metadata/answer/data", body, { token: t })
    expect(first.status).toBe(200)
    for (let i = 0; i < 1000 && sb.stats().lookAheadRenders < 2; i++) await new Promise((r) => setImmediate(r))
    // Two pages ahead (a reader with two requests in flight), not three.
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r))
    expect(sb.stats()).toMatchObject({ lookAheadRenders: 2, pagesRendered: 3, pageCacheHits: 0 })
    const [second, third] = await Promise.all([
      call("metadata/answer/data", { ...body, record_offset: 10_000 }, { token: t }),
      call("metadata/answer/data", { ...body, record_offset: 20_000 }, { token: t })
    ])
    expect(second.json<DataResponse>().contents[0]!.returned_data_row_count).toBe(10_000)
    expect(third.json<DataResponse>().contents[0]!.returned_data_row_count).toBe(10_000)
    expect(sb.stats().pageCacheHits).toBe(2)
    // Serving those kept the window full: the last (short) page was rendered ahead too.
    for (let i = 0; i < 1000 && sb.stats().lookAheadRenders < 3; i++) await new Promise((r) => setImmediate(r))
    expect(sb.stats()).toMatchObject({ lookAheadRenders: 3, pagesRendered: 4 })
  })

  it("small-pages-are-not-rendered-ahead", async () => {
    const { call, token, sb } = await sandbox({ rows: 25_000 })
    await call(
      "metadata/answer/data",
      { metadata_identifier: "Order Details", record_size: 100 },
      { token: await token() }
    )
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r))
    expect(sb.stats().lookAheadRenders).toBe(0)
  })
})

describe("metadata/answer/data", () => {
  it("pages-a-saved-answer-by-guid-or-name", async () => {
    const { call, token } = await sandbox({ rows: 100 })
    const t = await token()
    const answer = fixtures.answers["Order Details"]!
    const byId = await call(
      "metadata/answer/data",
      { metadata_identifier: answer.id, record_size: 30, record_offset: 90 },
      { token: t }
    )
    const body = byId.json<DataResponse>()
    expect(body.metadata_id).toBe(answer.id)
    expect(body.metadata_name).toBe("Order Details")
    expect(body.contents[0]).toMatchObject({
      available_data_row_count: 100,
      returned_data_row_count: 10,
      record_size: 30
    })
    const byName = await call(
      "metadata/answer/data",
      { metadata_identifier: "Order Details", record_size: 30, record_offset: 90 },
      { token: t }
    )
    expect(byName.text).toBe(byId.text)
  })

  it("unknown-answer-gives-400-and-unreadable-gives-403", async () => {
    const { call, token } = await sandbox()
    const unknown = await call(
      "metadata/answer/data",
      { metadata_identifier: "00000000-0000-0000-0000-000000000000" },
      { token: await token() }
    )
    expect(unknown.status).toBe(400)
    expect(nestedError(unknown.text).code).toBe(10002)
    const viewer = await token("tsViewer", "Viewer@123!")
    const denied = await call(
      "metadata/answer/data",
      { metadata_identifier: fixtures.answers["Top Customers (restricted)"]!.id },
      { token: viewer }
    )
    expect(denied.status).toBe(403)
    expect(nestedError(denied.text).code).toBe(10023)
    expect(
      (await call("metadata/answer/data", { metadata_identifier: "Revenue by Month" }, { token: viewer })).status
    ).toBe(200)
  })

  it("sampled-answer-reports-its-sampling-ratio", async () => {
    const { call, token } = await sandbox()
    const r = await call("metadata/answer/data", { metadata_identifier: "Sampled Orders" }, { token: await token() })
    expect(r.json<DataResponse>().contents[0]!.sampling_ratio).toBe(0.5)
  })
})

describe("metadata/liveboard/data", () => {
  it("returns-every-visualization-each-paged-on-its-own", async () => {
    const { call, token } = await sandbox({ rows: 500 })
    const lb = fixtures.liveboards["Sales Overview"]!
    const r = await call(
      "metadata/liveboard/data",
      { metadata_identifier: lb.id, record_size: 3, record_offset: 4 },
      { token: await token() }
    )
    const body = r.json<DataResponse>()
    expect(body.metadata_id).toBe(lb.id)
    expect(body.contents.map((c) => c.visualization_name)).toEqual(lb.visualizations.map((v) => v.name))
    expect(body.contents.map((c) => c.visualization_id)).toEqual(lb.visualizations.map((v) => v.id))
    for (const c of body.contents) {
      expect(c.record_offset).toBe(4)
      expect(c.returned_data_row_count).toBe(Math.max(0, Math.min(3, c.available_data_row_count - 4)))
    }
    expect(body.contents.find((c) => c.visualization_name === "Top 10 Customers")!.available_data_row_count).toBe(10)
  })

  it("selects-visualizations-by-id-or-name-and-rejects-unknown-ones", async () => {
    const { call, token } = await sandbox()
    const t = await token()
    const lb = fixtures.liveboards["Order Operations"]!
    const pick = await call(
      "metadata/liveboard/data",
      { metadata_identifier: lb.name, visualization_identifiers: [lb.visualizations[2]!.id, "Daily Quantity"] },
      { token: t }
    )
    expect(pick.json<DataResponse>().contents.map((c) => c.visualization_name)).toEqual([
      "Shipments by Quarter",
      "Daily Quantity"
    ])
    const bad = await call(
      "metadata/liveboard/data",
      { metadata_identifier: lb.id, visualization_identifiers: ["nope"] },
      { token: t }
    )
    expect(bad.status).toBe(400)
  })
})
