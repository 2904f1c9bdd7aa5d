/** metadata/search: types, filters, paging, details (column types) and access filtering; GET system. */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { nestedError, sandbox } from "./harness.ts"

interface Found {
  metadata_type: string
  metadata_id: string
  metadata_name: string
  metadata_header: Record<string, unknown> | null
  metadata_detail: Record<string, unknown> | null
  visualization_headers: Array<{ id: string; name: string }> | null
}

const search = async (body: Record<string, unknown>, user?: [string, string]) => {
  const { call, token } = await sandbox()
  const t = user === undefined ? await token() : await token(...user)
  const r = await call("metadata/search", body, { token: t })
  expect(r.status).toBe(200)
  return r.json<Array<Found>>()
}

describe("metadata/search", () => {
  it("returns-a-bare-array-of-10-by-default", async () => {
    const found = await search({})
    expect(Array.isArray(found)).toBe(true)
    expect(found).toHaveLength(10)
    expect(found[0]).toMatchObject({ metadata_detail: null, dependent_objects: null, stats: null })
  })

  it("minus-one-returns-every-object-of-every-type", async () => {
    const found = await search({ record_size: -1 })
    const types = new Set(found.map((f) => f.metadata_type))
    expect([...types].sort()).toEqual(
      ["ANSWER", "CONNECTION", "LIVEBOARD", "LOGICAL_COLUMN", "LOGICAL_TABLE", "TAG", "USER", "USER_GROUP"].sort()
    )
  })

  it("pages-with-record-offset", async () => {
    const all = await search({ record_size: -1 })
    const page = await search({ record_offset: 5, record_size: 4 })
    expect(page.map((f) => f.metadata_id)).toEqual(all.slice(5, 9).map((f) => f.metadata_id))
  })

  it("filters-by-type-name-pattern-identifier-and-subtype", async () => {
    const answers = await search({ metadata: [{ type: "ANSWER" }], record_size: -1 })
    expect(answers.map((a) => a.metadata_name).sort()).toEqual(Object.keys(fixtures.answers).sort())
    const pattern = await search({ metadata: [{ type: "ANSWER", name_pattern: "%REVENUE%" }], record_size: -1 })
    expect(pattern.map((a) => a.metadata_name).sort()).toEqual(["Revenue by Month", "Revenue by Region and Product"])
    const byId = await search({ metadata: [{ identifier: fixtures.ordersTable.id }] })
    expect(byId.map((f) => f.metadata_name)).toEqual(["Orders"])
    expect(byId[0]!.metadata_header!["type"]).toBe("WORKSHEET")
    expect(await search({ metadata: [{ type: "LOGICAL_TABLE", subtypes: ["ONE_TO_ONE_LOGICAL"] }] })).toEqual([])
    const two = await search({ metadata: [{ type: "TAG" }, { type: "CONNECTION" }], record_size: -1 })
    expect(two.map((f) => f.metadata_type).sort()).toEqual(["CONNECTION", "TAG", "TAG", "TAG"])
    expect(await search({ metadata: [{ identifier: "00000000-0000-0000-0000-000000000000" }] })).toEqual([])
  })

  it("filters-by-tag", async () => {
    const found = await search({ tag_identifiers: ["Certified"], record_size: -1 })
    expect(found.map((f) => f.metadata_name).sort()).toEqual(["Orders", "Revenue by Month", "Sales Overview"])
  })

  it("table-details-carry-column-data-types", async () => {
    const [table] = await search({
      metadata: [{ identifier: fixtures.ordersTable.id, type: "LOGICAL_TABLE" }],
      include_details: true
    })
    const columns = table!.metadata_detail!["columns"] as Array<{
      header: { id: string; name: string }
      dataType: string
      type: string
    }>
    expect(columns.map((c) => [c.header.name, c.dataType, c.type])).toEqual(
      fixtures.ordersTable.columns.map((c) => [c.name, c.dataType, c.type])
    )
  })

  it("answer-and-liveboard-details-are-in-the-documented-v1-layout-with-per-visualization-column-types", async () => {
    type Viz = {
      header: { id: string; name: string }
      vizContent: { vizType: string; refVizId?: string; columns?: Array<Record<string, unknown>> }
    }
    type Detail = {
      reportContent: { sheets: Array<{ sheetType: string; sheetContent: { visualizations: Array<Viz> } }> }
      header?: { id: string; resolvedObjects?: Record<string, Detail> }
    }
    const vizzesOf = (detail: Detail) => detail.reportContent.sheets.flatMap((s) => s.sheetContent.visualizations)
    const [answer] = await search({
      metadata: [{ identifier: "Revenue by Month", type: "ANSWER" }],
      include_details: true
    })
    const detail = answer!.metadata_detail as unknown as Detail
    expect(detail.reportContent.sheets.map((s) => s.sheetType)).toEqual(["QUESTION"])
    const [table] = vizzesOf(detail)
    expect(table!.vizContent.vizType).toBe("TABLE")
    // Described as ThoughtSpot describes them: no name of their own (the data pages name them), in the result's order.
    expect(table!.vizContent.columns!.map((c) => ({ ...c, id: undefined }))).toMatchObject([
      {
        effectiveDataType: "DATE",
        effectiveType: "ATTRIBUTE",
        effectiveAggrType: "NONE",
        timeBucket: "MONTHLY",
        baseColumnName: "Order Date",
        baseDataType: "DATE"
      },
      {
        effectiveDataType: "DOUBLE",
        effectiveType: "MEASURE",
        effectiveAggrType: "SUM",
        timeBucket: "NO_BUCKET",
        baseColumnName: "Revenue",
        baseDataType: "DOUBLE"
      }
    ])
    expect(table!.vizContent.columns!.some((c) => "name" in c)).toBe(false)
    const [lb] = await search({
      metadata: [{ identifier: "Order Operations", type: "LIVEBOARD" }],
      include_details: true,
      include_visualization_headers: true
    })
    const lbDetail = lb!.metadata_detail as unknown as Detail
    expect(lbDetail.reportContent.sheets.map((s) => s.sheetType)).toEqual(["PINBOARD"])
    const pinned = vizzesOf(lbDetail)
    expect(pinned.map((v) => v.header.name)).toEqual(["Order Timeline", "Daily Quantity", "Shipments by Quarter"])
    // Each pinned visualization shows an answer visualization, resolved in the liveboard's header.
    const ref = pinned[0]!.vizContent.refVizId!
    const shown = vizzesOf(lbDetail.header!.resolvedObjects![ref]!).find((v) => v.header.id === ref)
    expect(shown!.vizContent.columns!.map((c) => c["effectiveDataType"])).toEqual([
      "INT64",
      "DATE",
      "DATE_TIME",
      "TIME",
      "BOOL"
    ])
    expect(lb!.visualization_headers!.map((v) => v.name)).toEqual(pinned.map((v) => v.header.name))
    // The pinned visualizations' ids are those liveboard/data answers by.
    expect(lb!.visualization_headers!.map((v) => v.id)).toEqual(pinned.map((v) => v.header.id))
  })

  it("limited-user-sees-only-readable-content", async () => {
    const found = await search({ metadata: [{ type: "ANSWER" }, { type: "LIVEBOARD" }], record_size: -1 }, [
      "tsViewer",
      "Viewer@123!"
    ])
    expect(found.map((f) => f.metadata_name).sort()).toEqual(["Order Details", "Revenue by Month", "Sales Overview"])
  })

  it("rejects-an-unknown-type", async () => {
    const { call, token } = await sandbox()
    const r = await call("metadata/search", { metadata: [{ type: "WIDGET" }] }, { token: await token() })
    expect(r.status).toBe(400)
  })

  it("rejects-a-metadata-item-that-is-not-an-object-as-a-bad-request", async () => {
    // Not a 500 (which clients retry as a server fault), and not a filter that matches everything.
    const { call, token } = await sandbox()
    const t = await token()
    for (const item of [null, 5, "ANSWER", [{ type: "ANSWER" }]]) {
      const r = await call("metadata/search", { metadata: [item] }, { token: t })
      expect(r.status, JSON.stringify(item)).toBe(400)
      expect(r.text).toContain("each metadata item must be an object")
    }
  })

  it("refuses-bad-paging-naming-the-field-as-every-list-endpoint-does", async () => {
    const { call, token } = await sandbox()
    const t = await token()
    const cases: ReadonlyArray<[Record<string, unknown>, string]> = [
      [{ record_offset: -1 }, "Invalid parameter values: record_offset must be ≥ 0"],
      [{ record_size: 0 }, "Invalid parameter values: record_size must be ≥ 1 (or -1 for all)"],
      [{ record_size: -2 }, "Invalid parameter values: record_size must be ≥ 1 (or -1 for all)"],
      [{ record_size: 1.5 }, "Invalid parameter values: record_size must be an integer"]
    ]
    for (const [body, message] of cases) {
      for (const path of ["metadata/search", "users/search"]) {
        const r = await call(path, body, { token: t })
        expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400)
        const error = nestedError(r.text)
        expect(error.code).toBe(10002)
        expect(error.debug[0]?.split("Error Message: ")[1]).toBe(message)
      }
    }
  })
})

describe("system", () => {
  it("reports-the-cluster-time-zone", async () => {
    const { call, token } = await sandbox({ timezone: "Europe/Berlin" })
    const r = await call("system", undefined, { token: await token() })
    expect(r.json()).toMatchObject({ time_zone: "Europe/Berlin", api_version: "v2" })
  })
})
