/** metadata/tml/export and metadata/tml/export/batch: items with their own status, JSON and YAML edocs, org scope. */
import { describe, expect, it } from "vitest"
import { parse as parseYaml } from "yaml"
import { fixtures } from "../src/index.ts"
import { nestedError, sandbox } from "./harness.ts"

interface Item {
  info: {
    id: string
    name?: string
    filename?: string
    type?: string
    status: { status_code: "OK" | "ERROR"; error_message?: string }
  }
  edoc?: string
}

const setup = async (extra: Record<string, unknown> = {}, user: [string, string] = ["tsUserA", "Guest@123!"]) => {
  const s = await sandbox()
  const t = await s.token(...user, extra)
  const post = (path: string, body: Record<string, unknown>) => s.call(path, body, { token: t })
  const exportTml = async (body: Record<string, unknown>) => {
    const r = await post("metadata/tml/export", body)
    expect(r.status, r.text).toBe(200)
    return r.json<Array<Item>>()
  }
  return { ...s, post, exportTml }
}

const revenue = fixtures.answers["Revenue by Month"]
const emea = fixtures.orgs[1]!

describe("metadata/tml/export", () => {
  it("exports-an-answer-as-json-tml-with-an-ok-status", async () => {
    const { exportTml } = await setup()
    const [item, ...rest] = await exportTml({ metadata: [{ identifier: revenue.id }] })
    expect(rest).toEqual([])
    expect(item!.info).toEqual({
      name: "Revenue by Month",
      filename: "Revenue by Month.answer.tml",
      status: { status_code: "OK" },
      type: "answer",
      id: revenue.id
    })
    const doc = JSON.parse(item!.edoc!) as { guid: string; answer: Record<string, unknown> }
    expect(doc.guid).toBe(revenue.id)
    expect(doc.answer).toMatchObject({
      name: "Revenue by Month",
      search_query: revenue.visualizations[0]!.query,
      answer_columns: revenue.visualizations[0]!.columns.map((c) => ({ name: c.name })),
      tables: [{ id: "Orders", name: "Orders" }]
    })
  })

  it("yaml-edocs-are-valid-yaml-holding-the-same-document-as-json", async () => {
    const { exportTml } = await setup()
    const metadata = [
      ...Object.values(fixtures.answers).map((a) => ({ identifier: a.id })),
      ...Object.values(fixtures.liveboards).map((l) => ({ identifier: l.id })),
      { identifier: fixtures.ordersTable.id },
      { identifier: "Retail Warehouse", type: "CONNECTION" },
      { identifier: "tsViewer", type: "USER" },
      { identifier: "Sales", type: "USER_GROUP" },
      { identifier: "Content Admin", type: "ROLE" }
    ]
    for (const schema of ["DEFAULT", "V2"]) {
      const asJson = await exportTml({ metadata, export_schema_version: schema })
      const asYaml = await exportTml({ metadata, export_schema_version: schema, edoc_format: "YAML" })
      expect(asYaml.map((i) => i.info)).toEqual(asJson.map((i) => i.info))
      expect(asJson.every((i) => i.info.status.status_code === "OK")).toBe(true)
      for (let i = 0; i < asJson.length; i++) {
        expect(asYaml[i]!.edoc!.startsWith("guid: ")).toBe(true)
        expect(parseYaml(asYaml[i]!.edoc!)).toEqual(JSON.parse(asJson[i]!.edoc!))
      }
    }
    const [model] = await exportTml({
      metadata: [{ identifier: fixtures.ordersTable.id }],
      export_schema_version: "V2"
    })
    expect(model!.info.filename).toBe("Orders.model.tml")
    const [user] = await exportTml({ metadata: [{ identifier: fixtures.limitedUser.id }] })
    expect(user!.info).toMatchObject({ type: "user", name: "tsViewer", status: { status_code: "OK" } })
  })

  it("an-unknown-or-unreadable-object-is-an-error-item-not-a-failed-call", async () => {
    const { exportTml } = await setup({}, ["tsViewer", "Viewer@123!"])
    const items = await exportTml({
      metadata: [
        { identifier: revenue.id },
        { identifier: "00000000-0000-0000-0000-000000000000" },
        { identifier: fixtures.answers["Top Customers (restricted)"].id },
        { identifier: "Order Details" },
        { identifier: "Order Details", type: "ANSWER" }
      ]
    })
    expect(items.map((i) => i.info.status.status_code)).toEqual(["OK", "ERROR", "ERROR", "ERROR", "OK"])
    expect(items[1]!.info).toEqual({
      id: "00000000-0000-0000-0000-000000000000",
      status: { status_code: "ERROR", error_message: expect.stringContaining("exists") }
    })
    expect(items[1]!.edoc).toBeUndefined()
    expect(items[2]!.info.status.error_message).toContain("does not have access")
    expect(items[3]!.info.status.error_message).toContain("give its type")
  })

  it("export-associated-adds-the-model-once-and-the-connection-on-request", async () => {
    const { exportTml } = await setup()
    const both = [{ identifier: revenue.id }, { identifier: fixtures.liveboards["Sales Overview"].id }]
    const items = await exportTml({ metadata: both, export_associated: true })
    expect(items.map((i) => i.info.type)).toEqual(["answer", "worksheet", "liveboard"])
    expect(items[1]!.info.id).toBe(fixtures.ordersTable.id)
    const withConnection = await exportTml({
      metadata: both,
      export_associated: true,
      export_connection_as_dependent: true
    })
    expect(withConnection.map((i) => i.info.type)).toEqual(["answer", "worksheet", "connection", "liveboard"])
    const withFqn = await exportTml({ metadata: [{ identifier: revenue.id }], export_fqn: true })
    expect(JSON.parse(withFqn[0]!.edoc!).answer.tables).toEqual([
      { id: "Orders", name: "Orders", fqn: fixtures.ordersTable.id }
    ])
    const liveboard = JSON.parse(items[2]!.edoc!) as { liveboard: { visualizations: Array<{ viz_guid: string }> } }
    expect(liveboard.liveboard.visualizations.map((v) => v.viz_guid)).toEqual(
      fixtures.liveboards["Sales Overview"].visualizations.map((v) => v.id)
    )
  })

  it("sees-only-the-token-org", async () => {
    const { exportTml } = await setup({ org_id: emea.id })
    const items = await exportTml({
      metadata: [{ identifier: revenue.id }, { identifier: emea.objects["EMEA Sales Pulse"]!.id }]
    })
    expect(items.map((i) => i.info.status.status_code)).toEqual(["ERROR", "OK"])
  })

  it("rejects-a-malformed-request-as-a-whole", async () => {
    const { post } = await setup()
    const noList = await post("metadata/tml/export", {})
    expect(noList.status).toBe(400)
    expect(nestedError(noList.text).debug[0]).toContain("metadata is required")
    expect((await post("metadata/tml/export", { metadata: [], edoc_format: "XML" })).status).toBe(400)
    expect((await post("metadata/tml/export", { metadata: [{ identifier: "x", type: "WIDGET" }] })).status).toBe(400)
  })
})

describe("metadata/tml/export/batch", () => {
  it("exports-users-groups-and-roles-of-the-org-in-batches", async () => {
    const { post } = await setup({ org_id: emea.id })
    const batch = async (body: Record<string, unknown>) => {
      const r = await post("metadata/tml/export/batch", body)
      expect(r.status, r.text).toBe(200)
      return r.json<{ edocs: Array<Item> }>().edocs
    }
    const users = await batch({ metadata_type: "USER" })
    expect(users.map((u) => u.info.name)).toEqual(emea.users.map((u) => u.username))
    expect(JSON.parse(users[2]!.edoc!).user).toMatchObject({ name: "emea.contractor", account_status: "LOCKED" })
    const pages = [
      await batch({ metadata_type: "USER", batch_offset: 0, batch_size: 3 }),
      await batch({ metadata_type: "USER", batch_offset: 3, batch_size: 3 })
    ]
    expect(pages.map((p) => p.length)).toEqual([3, 1])
    expect(pages.flat().map((u) => u.info.id)).toEqual(users.map((u) => u.info.id))
    const groups = await batch({ metadata_type: "USER_GROUP", edoc_format: "YAML" })
    expect(groups.map((g) => g.info.filename)).toEqual([
      "EMEA Admins.group.tml",
      "EMEA Sales.group.tml",
      "EMEA Managers.group.tml"
    ])
    expect(parseYaml(groups[1]!.edoc!).group).toMatchObject({
      sub_groups: [{ name: "EMEA Managers" }],
      roles: [{ name: "EMEA Analyst" }]
    })
    const roles = await batch({ metadata_type: "ROLE" })
    expect(roles.map((r) => r.info.type)).toEqual(["role"])
  })

  it("needs-an-administrator-and-a-metadata-type", async () => {
    const viewer = await setup({}, ["tsViewer", "Viewer@123!"])
    expect((await viewer.post("metadata/tml/export/batch", { metadata_type: "USER" })).status).toBe(403)
    const admin = await setup()
    expect((await admin.post("metadata/tml/export/batch", {})).status).toBe(400)
    expect((await admin.post("metadata/tml/export/batch", { metadata_type: "TAG" })).status).toBe(400)
    expect((await admin.post("metadata/tml/export/batch", { metadata_type: "ROLE", batch_size: 0 })).status).toBe(400)
  })
})
