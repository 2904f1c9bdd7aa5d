/** users/search, groups/search, roles/search, orgs/search, tags/search: shapes, memberships, filters, paging, org scope. */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { sandbox } from "./harness.ts"

const emea = fixtures.orgs[1]!

interface UserOut {
  id: string
  name: string
  display_name: string
  visibility: string
  account_type: string
  account_status: string
  current_org: { id: number; name: string }
  privileges: Array<string>
  user_groups: Array<{ id: string; name: string }>
  user_inherited_groups: Array<{ id: string; name: string }>
}

const setup = async (org?: number) => {
  const s = await sandbox()
  const t = await s.token("tsUserA", "Guest@123!", org === undefined ? {} : { org_id: org })
  const post = async <T>(path: string, body: Record<string, unknown> = {}) => {
    const r = await s.call(path, body, { token: t })
    expect(r.status, r.text).toBe(200)
    return r.json<T>()
  }
  return { ...s, t, post }
}

describe("users/search", () => {
  it("lists-the-org-members-with-groups-and-account-state", async () => {
    const { post } = await setup()
    const users = await post<Array<UserOut>>("users/search")
    expect(users.map((u) => u.name)).toEqual(["tsUserA", "tsViewer"])
    const viewer = users[1]!
    expect(viewer).toMatchObject({
      id: fixtures.limitedUser.id,
      display_name: "Limited Viewer",
      visibility: "SHARABLE",
      account_type: "LOCAL_USER",
      account_status: "ACTIVE",
      current_org: { id: 0, name: "Primary" },
      privileges: ["DATADOWNLOADING"]
    })
    expect(viewer.user_groups.map((g) => g.name)).toEqual(["All", "Analysts"])
    // Sales has Analysts as a sub-group, so an Analyst inherits Sales.
    expect(viewer.user_inherited_groups.map((g) => g.name)).toEqual(["Sales"])
  })

  it("is-scoped-to-the-token-org-and-pages", async () => {
    const { post } = await setup(emea.id)
    const users = await post<Array<UserOut>>("users/search", { record_size: -1 })
    expect(users.map((u) => [u.name, u.account_status, u.account_type])).toEqual([
      ["tsUserA", "ACTIVE", "LOCAL_USER"],
      ["emea.lead", "ACTIVE", "LOCAL_USER"],
      ["emea.contractor", "LOCKED", "SAML_USER"],
      ["emea.former", "INACTIVE", "LOCAL_USER"]
    ])
    expect(users.every((u) => u.current_org.id === emea.id)).toBe(true)
    const page = await post<Array<UserOut>>("users/search", { record_offset: 1, record_size: 2 })
    expect(page.map((u) => u.name)).toEqual(["emea.lead", "emea.contractor"])
    expect((await post<Array<UserOut>>("users/search")).length).toBe(4)
  })

  it("filters-by-status-group-name-pattern-and-sorts", async () => {
    const { post } = await setup(emea.id)
    const locked = await post<Array<UserOut>>("users/search", { account_status: "LOCKED" })
    expect(locked.map((u) => u.name)).toEqual(["emea.contractor"])
    const inSales = await post<Array<UserOut>>("users/search", { group_identifiers: ["EMEA Sales"] })
    expect(inSales.map((u) => u.name)).toEqual(["emea.contractor", "emea.former"])
    const pattern = await post<Array<UserOut>>("users/search", { name_pattern: "EMEA.%" })
    expect(pattern).toHaveLength(3)
    const sorted = await post<Array<UserOut>>("users/search", { sort_options: { field_name: "NAME", order: "DESC" } })
    expect(sorted.map((u) => u.name)).toEqual(["tsUserA", "emea.lead", "emea.former", "emea.contractor"])
  })

  it("sorts-users-groups-and-metadata-by-each-sort-field-either-way", async () => {
    const { post, sb } = await setup(emea.id)
    type Row = Record<string, unknown>
    // The earliest-created object modified now: MODIFIED orders unlike CREATED.
    const objects = await post<Array<{ metadata_id: string; metadata_header: { created: number } }>>(
      "metadata/search",
      { record_size: -1 }
    )
    const oldest = objects.reduce((a, b) => (b.metadata_header.created < a.metadata_header.created ? b : a))
    sb.touch([oldest.metadata_id])
    // Each field's value as the answer shows it; names compare without case, AUTHOR (one author) keeps the order.
    const lists: ReadonlyArray<[string, ReadonlyArray<[string, (r: Row) => string | number]>]> = [
      [
        "users/search",
        [
          ["NAME", (r) => String(r["name"]).toLowerCase()],
          ["DISPLAY_NAME", (r) => String(r["display_name"]).toLowerCase()],
          ["CREATED", (r) => Number(r["creation_time_in_millis"])],
          ["MODIFIED", (r) => Number(r["modification_time_in_millis"])],
          ["AUTHOR", () => 0]
        ]
      ],
      [
        "groups/search",
        [
          ["NAME", (r) => String(r["name"]).toLowerCase()],
          ["DISPLAY_NAME", (r) => String(r["display_name"]).toLowerCase()],
          ["CREATED", (r) => Number(r["creation_time_in_millis"])],
          ["MODIFIED", (r) => Number(r["modification_time_in_millis"])],
          ["AUTHOR", () => 0]
        ]
      ],
      [
        "metadata/search",
        [
          ["NAME", (r) => String(r["metadata_name"]).toLowerCase()],
          ["CREATED", (r) => Number((r["metadata_header"] as Row)["created"])],
          ["MODIFIED", (r) => Number((r["metadata_header"] as Row)["modified"])],
          ["VIEWS", (r) => String(r["metadata_name"]).toLowerCase()]
        ]
      ]
    ]
    for (const [path, fields] of lists) {
      const unsorted = await post<Array<Row>>(path, { record_size: -1 })
      expect(unsorted.length, path).toBeGreaterThan(1)
      for (const [field_name, value] of fields) {
        for (const order of ["ASC", "DESC"] as const) {
          const sign = order === "DESC" ? -1 : 1
          const expected = [...unsorted].sort((a, b) => {
            const x = value(a)
            const y = value(b)
            return x < y ? -sign : x > y ? sign : 0
          })
          const sorted = await post<Array<Row>>(path, { record_size: -1, sort_options: { field_name, order } })
          expect(sorted, `${path} ${field_name} ${order}`).toEqual(expected)
        }
      }
    }
  })

  it("rejects-values-outside-the-enums", async () => {
    const { call, t } = await setup()
    const r = await call("users/search", { account_status: "GONE" }, { token: t })
    expect(r.status).toBe(400)
    expect(r.text).toContain("account_status must be one of ACTIVE")
  })
})

describe("groups/search", () => {
  it("returns-users-sub-groups-privileges-and-roles", async () => {
    const { post } = await setup(emea.id)
    const groups =
      await post<
        Array<{
          name: string
          display_name: string
          type: string
          visibility: string
          users: Array<{ name: string }>
          sub_groups: Array<{ name: string }>
          roles: Array<{ name: string }>
          orgs: Array<{ id: string }>
        }>
      >("groups/search")
    expect(groups.map((g) => g.name)).toEqual(["EMEA Admins", "EMEA Sales", "EMEA Managers"])
    const sales = groups[1]!
    expect(sales.users.map((u) => u.name)).toEqual(["emea.contractor", "emea.former"])
    expect(sales.sub_groups.map((g) => g.name)).toEqual(["EMEA Managers"])
    expect(sales.roles.map((r) => r.name)).toEqual(["EMEA Analyst"])
    expect(sales).toMatchObject({ type: "LOCAL_GROUP", visibility: "SHARABLE", orgs: [{ id: String(emea.id) }] })
    const bare = await post<Array<{ users: Array<unknown>; sub_groups: Array<unknown> }>>("groups/search", {
      group_identifier: "EMEA Sales",
      include_users: false,
      include_sub_groups: false
    })
    expect(bare).toEqual([expect.objectContaining({ users: [], sub_groups: [] })])
  })

  it("primary-groups-are-the-catalog-groups", async () => {
    const { post } = await setup()
    const groups = await post<Array<{ name: string }>>("groups/search", { record_size: -1 })
    expect(groups.map((g) => g.name)).toEqual(["Administrator", "All", "Analysts", "Sales"])
  })
})

describe("optional flags", () => {
  it("roles-search-reads-null-as-absent-and-refuses-a-flag-that-is-not-a-boolean", async () => {
    const { call, post, t } = await setup()
    const all = await post<Array<{ id: string }>>("roles/search")
    expect(all.length).toBeGreaterThan(0)
    for (const key of ["deprecated", "external", "shared_via_connection"]) {
      expect(await post("roles/search", { [key]: null }), key).toEqual(all)
      expect(await post("roles/search", { [key]: false }), key).toEqual(all)
      expect(await post("roles/search", { [key]: true }), key).toEqual([])
      const r = await call("roles/search", { [key]: "false" }, { token: t })
      expect(r.status, key).toBe(400)
      expect(r.text).toContain(`Invalid parameter values: ${key} must be a boolean`)
    }
  })

  it("a-token-request-reads-a-null-org-id-as-absent-and-refuses-one-that-is-not-an-integer", async () => {
    const { call } = await sandbox()
    const credentials = { username: "tsUserA", password: "Guest@123!" }
    expect((await call("auth/token/full", { ...credentials, org_id: null })).status).toBe(200)
    for (const org_id of [String(emea.id), 1.5]) {
      const r = await call("auth/token/full", { ...credentials, org_id })
      expect(r.status, String(org_id)).toBe(400)
      expect(r.text).toContain("Invalid parameter values: org_id must be an integer")
    }
  })
})

describe("identifier filters", () => {
  it("name-a-user-group-role-or-org-by-its-id-or-its-exact-name-alike", async () => {
    const { post } = await setup(emea.id)
    const lead = emea.users.find((u) => u.username === "emea.lead")!
    const groups =
      await post<Array<{ id: string; name: string; roles: Array<{ id: string; name: string }> }>>("groups/search")
    const group = groups.find((g) => g.roles.length > 0)!
    const role = group.roles[0]!
    const ids = (list: Array<{ id: string | number }>) => list.map((x) => x.id)
    const cases: ReadonlyArray<[string, string, ReadonlyArray<string>]> = [
      ["users/search", "org_identifiers", [String(emea.id), emea.name]],
      ["users/search", "group_identifiers", [group.id, group.name]],
      ["users/search", "role_identifiers", [role.id, role.name]],
      ["groups/search", "user_identifiers", [lead.id, lead.username]],
      ["groups/search", "org_identifiers", [String(emea.id), emea.name]],
      ["groups/search", "role_identifiers", [role.id, role.name]],
      ["roles/search", "role_identifiers", [role.id, role.name]],
      ["roles/search", "group_identifiers", [group.id, group.name]],
      ["roles/search", "org_identifiers", [String(emea.id), emea.name]],
      ["orgs/search", "user_identifiers", [lead.id, lead.username]]
    ]
    for (const [path, field, [byId, byName]] of cases) {
      const found = ids(await post(path, { [field]: [byId] }))
      expect(found.length, `${path} ${field}`).toBeGreaterThan(0)
      expect(ids(await post(path, { [field]: [byName] })), `${path} ${field}`).toEqual(found)
      expect(await post(path, { [field]: [`${byName}x`] }), `${path} ${field}`).toEqual([])
    }
  })
})

describe("roles/search, orgs/search, tags/search", () => {
  it("roles-carry-privileges-and-assigned-groups", async () => {
    const { post } = await setup()
    const roles =
      await post<Array<{ name: string; privileges: Array<string>; groups: Array<{ name: string }> }>>("roles/search")
    expect(roles.map((r) => [r.name, r.privileges, r.groups.map((g) => g.name)])).toEqual([
      ["Content Admin", ["ADMINISTRATION", "AUTHORING", "DATADOWNLOADING"], ["Administrator"]],
      ["Data Viewer", ["DATADOWNLOADING"], ["Analysts"]]
    ])
    const byPrivilege = await post<Array<{ name: string }>>("roles/search", { privileges: ["ADMINISTRATION"] })
    expect(byPrivilege.map((r) => r.name)).toEqual(["Content Admin"])
  })

  it("a-primary-admin-sees-every-org-an-org-admin-their-own", async () => {
    const primaryAdmin = await setup()
    const all = await primaryAdmin.post<Array<Record<string, unknown>>>("orgs/search")
    expect(all).toEqual(
      fixtures.orgs.map((o) => ({
        id: o.id,
        name: o.name,
        status: o.status,
        description: expect.any(String),
        visibility: "SHOW"
      }))
    )
    const inEmea = await setup(emea.id)
    expect((await inEmea.post<Array<{ id: number }>>("orgs/search")).map((o) => o.id)).toEqual([emea.id])
    // Anyone else is refused (administration.test.ts).
  })

  it("tags-are-per-org-with-colors", async () => {
    const primary = await setup()
    const tags = await primary.post<Array<{ name: string; color: string; id: string }>>("tags/search")
    expect(tags.map((t) => t.name)).toEqual(["Certified", "Finance", "Sales"])
    expect(tags.every((t) => /^#[0-9A-F]{6}$/.test(t.color))).toBe(true)
    const inEmea = await setup(emea.id)
    const emeaTags = await inEmea.post<Array<{ name: string; id: string }>>("tags/search")
    expect(emeaTags.map((t) => t.name)).toEqual(["EMEA", "Certified"])
    expect(emeaTags.find((t) => t.name === "Certified")!.id).not.toBe(tags.find((t) => t.name === "Certified")!.id)
    expect(await inEmea.post<Array<unknown>>("tags/search", { name_pattern: "cert%" })).toHaveLength(1)
  })
})
