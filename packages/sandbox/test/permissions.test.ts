/** security/metadata/fetch-permissions: who can read or modify each object, per org. */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { sandbox } from "./harness.ts"

interface PermissionEntry {
  principal_id: string
  principal_name: string
  permission: string
  shared_permission: string
  group_permission: Array<unknown>
}
interface Detail {
  metadata_id: string
  metadata_name: string
  metadata_type: string
  metadata_owner: { id: string; name: string }
  metadata_author: { id: string; name: string }
  principal_permission_info: Array<{
    principal_type: string
    principal_sub_type: string
    principal_permissions: Array<PermissionEntry>
  }>
}

const setup = async (extra: Record<string, unknown> = {}, user: [string, string] = ["tsUserA", "Guest@123!"]) => {
  const s = await sandbox()
  const t = await s.token(...user, extra)
  const fetchPermissions = (body: Record<string, unknown>) =>
    s.call("security/metadata/fetch-permissions", body, { token: t })
  const details = async (body: Record<string, unknown>) => {
    const r = await fetchPermissions(body)
    expect(r.status, r.text).toBe(200)
    return r.json<{ metadata_permission_details: Array<Detail> }>().metadata_permission_details
  }
  return { ...s, fetchPermissions, details }
}

const table = (d: Detail) =>
  d.principal_permission_info.flatMap((i) =>
    i.principal_permissions.map((p) => [i.principal_type, p.principal_name, p.permission, p.shared_permission])
  )

describe("security/metadata/fetch-permissions", () => {
  it("lists-groups-and-users-with-their-permission", async () => {
    const { details } = await setup()
    const revenue = fixtures.answers["Revenue by Month"]
    const [d] = await details({ metadata: [{ identifier: revenue.id, type: "ANSWER" }] })
    expect(d).toMatchObject({
      metadata_id: revenue.id,
      metadata_name: "Revenue by Month",
      metadata_type: "ANSWER",
      metadata_author: { id: fixtures.user.id, name: "tsUserA" }
    })
    expect(table(d!)).toEqual([
      ["USER_GROUP", "Administrator", "MODIFY", "NO_ACCESS"],
      ["USER_GROUP", "Analysts", "READ_ONLY", "READ_ONLY"],
      ["USER", "tsUserA", "MODIFY", "NO_ACCESS"],
      ["USER", "tsViewer", "READ_ONLY", "READ_ONLY"]
    ])
    const restricted = await details({ metadata: [{ identifier: "Top Customers (restricted)", type: "ANSWER" }] })
    expect(table(restricted[0]!)).toEqual([
      ["USER_GROUP", "Administrator", "MODIFY", "NO_ACCESS"],
      ["USER", "tsUserA", "MODIFY", "NO_ACCESS"]
    ])
  })

  it("defined-keeps-only-shared-access-and-named-principals-are-always-listed", async () => {
    const { details } = await setup()
    const [defined] = await details({
      metadata: [{ identifier: fixtures.liveboards["Sales Overview"].id }],
      permission_type: "DEFINED"
    })
    expect(table(defined!)).toEqual([
      ["USER_GROUP", "Analysts", "READ_ONLY", "READ_ONLY"],
      ["USER", "tsViewer", "READ_ONLY", "READ_ONLY"]
    ])
    const [named] = await details({
      metadata: [{ identifier: fixtures.answers["Top Customers (restricted)"].id }],
      principals: [{ identifier: "tsViewer", type: "USER" }, { identifier: "Sales" }]
    })
    expect(table(named!)).toEqual([
      ["USER_GROUP", "Sales", "NO_ACCESS", "NO_ACCESS"],
      ["USER", "tsViewer", "NO_ACCESS", "NO_ACCESS"]
    ])
  })

  it("pages-objects-and-adds-dependents-on-request", async () => {
    const { details } = await setup()
    const metadata = Object.values(fixtures.answers).map((a) => ({ identifier: a.id }))
    expect((await details({ metadata })).length).toBe(metadata.length)
    const page = await details({ metadata, record_offset: 2, record_size: 2 })
    expect(page.map((d) => d.metadata_id)).toEqual(metadata.slice(2, 4).map((m) => m.identifier))
    const withModel = await details({ metadata: metadata.slice(0, 2), include_dependent_objects: true })
    expect(withModel.map((d) => d.metadata_type)).toEqual(["ANSWER", "LOGICAL_TABLE", "ANSWER"])
  })

  it("is-scoped-to-the-token-org", async () => {
    const emea = fixtures.orgs[1]!
    const { details, fetchPermissions } = await setup({ org_id: emea.id })
    const [d] = await details({ metadata: [{ identifier: "EMEA Revenue by Month", type: "ANSWER" }] })
    expect(table(d!)).toEqual([
      ["USER_GROUP", "EMEA Admins", "MODIFY", "NO_ACCESS"],
      ["USER_GROUP", "EMEA Sales", "READ_ONLY", "READ_ONLY"],
      ["USER_GROUP", "EMEA Managers", "READ_ONLY", "READ_ONLY"],
      ["USER", "tsUserA", "MODIFY", "NO_ACCESS"],
      ["USER", "emea.lead", "READ_ONLY", "READ_ONLY"],
      ["USER", "emea.contractor", "READ_ONLY", "READ_ONLY"],
      ["USER", "emea.former", "READ_ONLY", "READ_ONLY"]
    ])
    const other = await fetchPermissions({ metadata: [{ identifier: fixtures.answers["Revenue by Month"].id }] })
    expect(other.status).toBe(400)
  })

  it("needs-read-access-and-a-metadata-list", async () => {
    const viewer = await setup({}, ["tsViewer", "Viewer@123!"])
    const denied = await viewer.fetchPermissions({
      metadata: [{ identifier: fixtures.answers["Top Customers (restricted)"].id }]
    })
    expect(denied.status).toBe(403)
    expect((await viewer.fetchPermissions({})).status).toBe(400)
    expect((await viewer.fetchPermissions({ metadata: [{ identifier: "x", type: "TAG" }] })).status).toBe(400)
  })
})
