/**
 * Objects deleted (`metadata/delete`), renamed (`sandbox.rename`, `POST /__sandbox/rename`) and saved (`sandbox.save`)
 * in one sandbox.
 */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { sandbox } from "./harness.ts"

const answerId = fixtures.answers["Order Details"].id
const revenueId = fixtures.answers["Revenue by Month"].id

type Listed = Array<{ metadata_id: string; metadata_name: string; metadata_header: { modified: number } }>

describe("edits", () => {
  it("metadata-delete-removes-an-object-from-listings-and-tml-export", async () => {
    const { call, token } = await sandbox()
    const t = await token()
    const deleted = await call("metadata/delete", { metadata: [{ identifier: answerId }] }, { token: t })
    expect(deleted.status).toBe(204)
    const listed = (await call("metadata/search", { metadata: [{ type: "ANSWER" }], record_size: -1 }, { token: t }))
      .json<Listed>()
      .map((o) => o.metadata_id)
    expect(listed).not.toContain(answerId)
    expect(listed).toContain(revenueId)
    const tml = await call("metadata/tml/export", { metadata: [{ identifier: answerId }] }, { token: t })
    expect(tml.text).toContain('"status_code":"ERROR"')
    const data = await call("metadata/answer/data", { metadata_identifier: answerId }, { token: t })
    expect(data.status).toBe(400)
    // Deleted once: a second delete names it as unknown, and a bad item deletes nothing.
    const again = await call("metadata/delete", { metadata: [{ identifier: answerId }] }, { token: t })
    expect(again.status).toBe(400)
    const partial = await call(
      "metadata/delete",
      { metadata: [{ identifier: revenueId }, { identifier: "no-such-guid" }] },
      { token: t }
    )
    expect(partial.status).toBe(400)
    const still = await call("metadata/search", { metadata: [{ identifier: revenueId }] }, { token: t })
    expect(still.json<Listed>()).toHaveLength(1)
  })

  it("deletes-in-its-own-sandbox-only-and-needs-edit-access", async () => {
    const a = await sandbox()
    const b = await sandbox()
    const viewer = await a.token("tsViewer", "Viewer@123!")
    expect((await a.call("metadata/delete", { metadata: [{ identifier: revenueId }] }, { token: viewer })).status).toBe(
      403
    )
    expect(
      (await a.call("metadata/delete", { metadata: [{ identifier: revenueId }] }, { token: await a.token() })).status
    ).toBe(204)
    const found = await b.call("metadata/search", { metadata: [{ identifier: revenueId }] }, { token: await b.token() })
    expect(found.json<Listed>()).toHaveLength(1)
  })

  it("rename-gives-the-new-name-and-a-new-modified-time", async () => {
    const { sb, call, token, clock } = await sandbox()
    const t = await token()
    clock.advance(60_000)
    expect(sb.rename(answerId, "Order Lines")).toEqual({ id: answerId, name: "Order Lines" })
    const [listed] = (
      await call("metadata/search", { metadata: [{ identifier: answerId }] }, { token: t })
    ).json<Listed>()
    expect(listed!.metadata_name).toBe("Order Lines")
    expect(listed!.metadata_header.modified).toBe(clock.nowMs)
    const tml = await call(
      "metadata/tml/export",
      { metadata: [{ identifier: answerId }], edoc_format: "YAML" },
      { token: t }
    )
    expect(tml.text).toContain("name: Order Lines")
    expect(() => sb.rename("no-such-guid", "x")).toThrow(/no-such-guid/)
    const r = await fetch(`${sb.url}/__sandbox/rename`, {
      method: "POST",
      headers: { "user-agent": "test", "content-type": "application/json" },
      body: JSON.stringify({ id: revenueId, name: "Monthly Revenue" })
    })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ renamed: { id: revenueId, name: "Monthly Revenue" } })
  })

  it("a-saved-object-is-touched-and-renamed-like-a-built-in-one-and-a-deleted-one-not", async () => {
    const { sb, call, token, clock } = await sandbox()
    const t = await token()
    const saved = sb.save({ answer: "Orders by Region", query: "[Region] [Revenue]" })
    const modified = async (id: string) =>
      (await call("metadata/search", { metadata: [{ identifier: id }] }, { token: t })).json<Listed>()[0]
    clock.advance(1_000)
    expect(sb.touch([saved.id])).toEqual([{ id: saved.id, modified: clock.nowMs }])
    expect((await modified(saved.id))!.metadata_header.modified).toBe(clock.nowMs)
    clock.advance(1_000)
    const control = (route: string, body: unknown) =>
      fetch(`${sb.url}/__sandbox/${route}`, {
        method: "POST",
        headers: { "user-agent": "test", "content-type": "application/json" },
        body: JSON.stringify(body)
      })
    expect((await control("touch", { ids: [saved.id] })).status).toBe(200)
    expect((await control("rename", { id: saved.id, name: "Revenue by Region (saved)" })).status).toBe(200)
    const renamed = await modified(saved.id)
    expect(renamed).toMatchObject({
      metadata_name: "Revenue by Region (saved)",
      metadata_header: { modified: clock.nowMs + 1 }
    })
    // A deleted object is no object of this sandbox any more.
    expect((await call("metadata/delete", { metadata: [{ identifier: answerId }] }, { token: t })).status).toBe(204)
    expect(() => sb.touch([answerId])).toThrow(/no object has this id/)
  })

  it("save-adds-an-answer-listed-described-and-read-in-its-own-sandbox-only", async () => {
    const a = await sandbox()
    const b = await sandbox()
    const t = await a.token()
    a.clock.advance(60_000)
    const saved = a.sb.save({ answer: "Orders by Day", query: "[Order ID] [Order Date].daily sort by [Order ID]" })
    const [listed] = (
      await a.call("metadata/search", { metadata: [{ identifier: saved.id }], include_details: true }, { token: t })
    ).json<
      Array<
        Listed[number] & {
          metadata_detail: {
            reportContent: {
              sheets: Array<{ sheetContent: { visualizations: Array<{ vizContent: { columns: Array<object> } }> } }>
            }
          }
        }
      >
    >()
    expect(listed!.metadata_name).toBe("Orders by Day")
    expect(listed!.metadata_header.modified).toBe(a.clock.nowMs)
    const [sheet] = listed!.metadata_detail.reportContent.sheets
    expect(sheet!.sheetContent.visualizations[0]!.vizContent.columns[1]).toMatchObject({
      timeBucket: "DAILY",
      baseColumnName: "Order Date",
      baseDataType: "DATE"
    })
    const data = await a.call("metadata/answer/data", { metadata_identifier: "Orders by Day" }, { token: t })
    expect(data.status).toBe(200)
    expect(data.json<{ contents: Array<{ column_names: Array<string> }> }>().contents[0]!.column_names).toEqual([
      "Order ID",
      "Day(Order Date)"
    ])
    const tml = await a.call("metadata/tml/export", { metadata: [{ identifier: saved.id }] }, { token: t })
    expect(tml.text).toContain("[Order Date].daily")
    expect(() => a.sb.save({ answer: "Orders by Day", query: "[Order ID]" })).toThrow(/Orders by Day/)
    expect(() => a.sb.save({ answer: "Broken", query: "[No Such Column]" })).toThrow(/No Such Column/)
    const elsewhere = await b.call(
      "metadata/search",
      { metadata: [{ identifier: saved.id }] },
      { token: await b.token() }
    )
    expect(elsewhere.json<Listed>()).toHaveLength(0)
  })
})
