/**
 * What an incremental answer export asks of the sandbox: a runtime filter on [Order ID] compares IDs beyond 2^53
 * exactly, a filtered row-level result sorts by another column (the one-row read of a column's maximum), and
 * `addRows` adds orders with the next IDs, leaving the earlier rows as they were.
 */
import { describe, expect, it } from "vitest"
import { type DataResponse, sandbox } from "./harness.ts"

/** Each row's Order ID as its exact digits (JSON.parse would round those beyond 2^53), and the parsed rows. */
const answerRows = async (
  call: Awaited<ReturnType<typeof sandbox>>["call"],
  token: string,
  extra: Record<string, unknown> = {}
) => {
  const r = await call(
    "metadata/answer/data",
    { metadata_identifier: "Order Details", record_size: 100_000, ...extra },
    { token }
  )
  expect(r.status, r.text).toBe(200)
  const ids = [...r.text.matchAll(/\[(\d+|null),/g)].map((m) => (m[1] === "null" ? null : BigInt(m[1]!)))
  return { ids, body: r.json<DataResponse>().contents[0]! }
}

describe("runtime filters and sorts of an incremental answer", () => {
  it("filter-order-id-exactly-beyond-2^53", async () => {
    const { call, token } = await sandbox({ rows: 300, timezone: "UTC" })
    const t = await token()
    const all = (await answerRows(call, t)).ids
    const since = all[200]!
    expect(since > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true)
    const compare = async (op: string, value: bigint) =>
      (await answerRows(call, t, { runtime_filter: { col1: "Order ID", op1: op, val1: String(value) } })).ids
    expect(await compare("GE", since)).toEqual(all.filter((id) => id !== null && id >= since))
    // One past the ID (no row has it): GE keeps the next row on, EQ none, LT the rows up to the ID.
    expect(await compare("GE", since + 1n)).toEqual(all.filter((id) => id !== null && id > since))
    expect(await compare("EQ", since + 1n)).toEqual([])
    expect(await compare("EQ", since)).toEqual([since])
    expect(await compare("LT", since + 1n)).toEqual(all.filter((id) => id !== null && id <= since))
  })

  it("sorts-a-filtered-row-level-result-by-another-column", async () => {
    const { call, token } = await sandbox({ rows: 400, timezone: "UTC" })
    const t = await token()
    const { body } = await answerRows(call, t, {
      runtime_filter: { col1: "Quantity", op1: "GE", val1: "10" },
      runtime_sort: { sortCol1: "Shipped At", asc1: false }
    })
    const at = body.column_names.indexOf("Shipped At")
    const quantity = body.column_names.indexOf("Quantity")
    const shipped = body.data_rows.map((row) => row[at] as number | null)
    expect(body.data_rows.every((row) => (row[quantity] as number) >= 10)).toBe(true)
    const nonNull = shipped.filter((s): s is number => s !== null)
    expect(nonNull).toEqual([...nonNull].sort((a, b) => b - a))
    // Nulls last in descending order (lowest), so the first row is the maximum.
    expect(shipped.slice(0, nonNull.length)).toEqual(nonNull)
    expect(body.available_data_row_count).toBe(shipped.length)
  })

  it("add-rows-keeps-the-earlier-rows-and-adds-the-next-ids", async () => {
    const { sb, call, token } = await sandbox({ rows: 100, timezone: "UTC" })
    const t = await token()
    const before = await answerRows(call, t)
    sb.addRows(5)
    expect(sb.rows).toBe(105)
    const after = await answerRows(call, t)
    expect(after.body.available_data_row_count).toBe(105)
    expect(after.body.data_rows.slice(0, 100)).toEqual(before.body.data_rows)
    expect(after.ids.slice(0, 100)).toEqual(before.ids)
    const newest = before.ids.reduce((a, b) => (b !== null && (a === null || b > a) ? b : a))!
    for (const id of after.ids.slice(100)) if (id !== null) expect(id > newest).toBe(true)
  })
})
