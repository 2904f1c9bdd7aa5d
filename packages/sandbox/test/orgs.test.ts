/** Orgs: tokens scoped to an org (`org_id` or `org_identifier`), and every endpoint limited to that org. */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { sandbox } from "./harness.ts"

const [primary, emea, apac, latam] = fixtures.orgs
interface Found {
  metadata_id: string
  metadata_name: string
  metadata_type: string
  metadata_header: { orgIds: Array<number> }
}

describe("orgs", () => {
  it("has-the-primary-org-two-more-each-with-its-own-objects-and-an-inactive-one", () => {
    expect(fixtures.orgs.map((o) => [o.id, o.name, o.status])).toEqual([
      [0, "Primary", "ACTIVE"],
      [1482304613, "Sales EMEA", "ACTIVE"],
      [2094412837, "Finance APAC", "ACTIVE"],
      [1739504221, "Sales LATAM", "IN_ACTIVE"]
    ])
    const ids = fixtures.orgs.map((o) => new Set(Object.values(o.objects).map((x) => x.id)))
    expect([...ids[1]!].filter((id) => ids[0]!.has(id) || ids[2]!.has(id))).toEqual([])
  })

  it("org-id-on-a-token-scopes-metadata-search-to-that-org", async () => {
    const { call, token } = await sandbox()
    const tEmea = await token("tsUserA", "Guest@123!", { org_id: emea!.id })
    const found = (await call("metadata/search", { record_size: -1 }, { token: tEmea })).json<Array<Found>>()
    const secured = found.filter((f) => ["ANSWER", "LIVEBOARD", "LOGICAL_TABLE"].includes(f.metadata_type))
    expect(secured.map((f) => f.metadata_id).sort()).toEqual(
      Object.values(emea!.objects)
        .map((o) => o.id)
        .sort()
    )
    expect(new Set(found.map((f) => f.metadata_header.orgIds[0]))).toEqual(new Set([emea!.id]))
  })

  it("org-identifier-by-name-or-id-gives-the-same-org-and-the-token-says-so", async () => {
    const { call } = await sandbox()
    for (const org_identifier of ["Finance APAC", String(apac!.id)]) {
      const r = await call("auth/token/full", { username: "tsUserA", password: "Guest@123!", org_identifier })
      expect(r.status).toBe(200)
      expect(r.json<{ scope: { org_id: number } }>().scope.org_id).toBe(apac!.id)
    }
  })

  it("primary-is-the-default-and-unchanged", async () => {
    const { call, token } = await sandbox()
    const all = async (t: string) =>
      (await call("metadata/search", { record_size: -1 }, { token: t })).json<Array<Found>>().map((f) => f.metadata_id)
    const byDefault = await all(await token())
    expect(await all(await token("tsUserA", "Guest@123!", { org_id: 0 }))).toEqual(byDefault)
    expect(byDefault).toContain(fixtures.answers["Revenue by Month"].id)
    expect(byDefault).not.toContain(emea!.objects["EMEA Revenue by Month"]!.id)
  })

  it("an-unknown-org-is-400-and-a-non-member-is-401", async () => {
    const { call } = await sandbox()
    const unknown = await call("auth/token/full", { username: "tsUserA", password: "Guest@123!", org_id: 42 })
    expect(unknown.status).toBe(400)
    expect(unknown.text).toContain("org '42' does not exist")
    const outsider = await call("auth/token/full", { username: "tsViewer", password: "Viewer@123!", org_id: emea!.id })
    expect(outsider.status).toBe(401)
    expect(outsider.text).toContain("not a member of org 'Sales EMEA'")
    const clash = await call("auth/token/full", {
      username: "tsUserA",
      password: "Guest@123!",
      org_id: emea!.id,
      org_identifier: "Finance APAC"
    })
    expect(clash.status).toBe(400)
  })

  it("an-inactive-org-is-listed-as-in-active-but-no-token-or-session-reaches-it", async () => {
    const { call, token } = await sandbox()
    const admin = await token()
    const listed = (await call("orgs/search", {}, { token: admin })).json<Array<{ id: number; status: string }>>()
    expect(listed.find((o) => o.id === latam!.id)).toEqual({
      id: latam!.id,
      name: "Sales LATAM",
      status: "IN_ACTIVE",
      description: expect.any(String),
      visibility: "SHOW"
    })
    const active = (await call("orgs/search", { status: "ACTIVE" }, { token: admin })).json<Array<{ id: number }>>()
    expect(active.map((o) => o.id)).toEqual([primary!.id, emea!.id, apac!.id])
    const inactive = (await call("orgs/search", { status: "IN_ACTIVE" }, { token: admin })).json<
      Array<{ id: number }>
    >()
    expect(inactive.map((o) => o.id)).toEqual([latam!.id])
    const full = await call("auth/token/full", { username: "tsUserA", password: "Guest@123!", org_id: latam!.id })
    expect(full.status).toBe(403)
    expect(full.text).toContain("Org 'Sales LATAM' (1739504221) is inactive")
    const session = await call("auth/session/login", {
      username: "tsUserA",
      password: "Guest@123!",
      org_identifier: "Sales LATAM"
    })
    expect(session.status).toBe(403)
  })

  it("org-users-sign-in-to-their-own-org-only", async () => {
    const { call } = await sandbox()
    const lead = emea!.users.find((u) => u.username === "emea.lead")!
    const inOrg = await call("auth/token/full", { username: lead.username, password: lead.password, org_id: emea!.id })
    expect(inOrg.status).toBe(200)
    const inPrimary = await call("auth/token/full", { username: lead.username, password: lead.password })
    expect(inPrimary.status).toBe(401)
  })

  it("data-endpoints-find-objects-in-the-token-org-only", async () => {
    const { call, token } = await sandbox()
    const tEmea = await token("tsUserA", "Guest@123!", { org_id: emea!.id })
    const ok = await call("metadata/answer/data", { metadata_identifier: "EMEA Revenue by Month" }, { token: tEmea })
    expect(ok.status).toBe(200)
    const other = await call(
      "metadata/answer/data",
      { metadata_identifier: fixtures.answers["Revenue by Month"].id },
      { token: tEmea }
    )
    expect(other.status).toBe(400)
    const tPrimary = await token()
    expect(
      (await call("metadata/answer/data", { metadata_identifier: "EMEA Revenue by Month" }, { token: tPrimary })).status
    ).toBe(400)
    const search = await call(
      "searchdata",
      { query_string: "[Region] [Revenue]", logical_table_identifier: "Orders" },
      { token: tEmea }
    )
    expect(search.status).toBe(200)
  })

  it("object-tokens-take-an-org-and-reach-only-that-object", async () => {
    const { call } = await sandbox()
    const id = apac!.objects["APAC Quarterly Returns"]!.id
    const r = await call("auth/token/object", {
      username: "tsUserA",
      password: "Guest@123!",
      object_id: id,
      org_id: apac!.id
    })
    expect(r.status).toBe(200)
    const t = r.json<{ token: string }>().token
    const found = (await call("metadata/search", {}, { token: t })).json<Array<Found>>()
    expect(found.map((f) => f.metadata_id)).toEqual([id])
    const wrongOrg = await call("auth/token/object", { username: "tsUserA", password: "Guest@123!", object_id: id })
    expect(wrongOrg.status).toBe(400)
  })

  it("session-login-takes-org-identifier", async () => {
    const { call } = await sandbox()
    const login = await call("auth/session/login", {
      username: "tsUserA",
      password: "Guest@123!",
      org_identifier: "Sales EMEA"
    })
    expect(login.status).toBe(204)
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ")
    const user = (await call("auth/session/user", undefined, { headers: { cookie } })).json<{
      current_org: { id: number }
      orgs: Array<{ id: number }>
    }>()
    expect(user.current_org.id).toBe(emea!.id)
    expect(user.orgs.map((o) => o.id)).toEqual([primary!.id, emea!.id, apac!.id, latam!.id])
  })
})
