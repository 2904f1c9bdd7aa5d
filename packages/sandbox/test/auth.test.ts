/** Authentication: tokens (full and object), sessions, validation, revocation, expiry and the 401 paths. */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { nestedError, sandbox } from "./harness.ts"

describe("auth/token/full", () => {
  it("issues-a-300-second-full-token-by-default", async () => {
    const { call, clock } = await sandbox()
    const r = await call("auth/token/full", { username: "tsUserA", password: "Guest@123!" })
    expect(r.status).toBe(200)
    const t = r.json<Record<string, unknown>>()
    expect(t["creation_time_in_millis"]).toBe(clock.nowMs)
    expect(t["expiration_time_in_millis"]).toBe(clock.nowMs + 300_000)
    expect(t["scope"]).toEqual({ access_type: "FULL", org_id: 0, metadata_id: null })
    expect(t["valid_for_user_id"]).toBe(fixtures.user.id)
    expect(t["valid_for_username"]).toBe("tsUserA")
    expect(typeof t["token"]).toBe("string")
  })

  it("honours-validity-time-in-sec-and-the-sandbox-cap", async () => {
    const { call, clock } = await sandbox({ tokenValiditySeconds: 60 })
    const long = await call("auth/token/full", {
      username: "tsUserA",
      password: "Guest@123!",
      validity_time_in_sec: 3600
    })
    expect(long.json<{ expiration_time_in_millis: number }>().expiration_time_in_millis).toBe(clock.nowMs + 60_000)
    const short = await call("auth/token/full", {
      username: "tsUserA",
      password: "Guest@123!",
      validity_time_in_sec: 10
    })
    expect(short.json<{ expiration_time_in_millis: number }>().expiration_time_in_millis).toBe(clock.nowMs + 10_000)
  })

  it("accepts-the-trusted-auth-secret-key-which-takes-precedence", async () => {
    const { call, sb } = await sandbox({ secretKey: "sandbox-secret-123" })
    expect(sb.secretKey).toBe("sandbox-secret-123")
    const ok = await call("auth/token/full", { username: "tsViewer", secret_key: "sandbox-secret-123" })
    expect(ok.status).toBe(200)
    const wrongSecret = await call("auth/token/full", {
      username: "tsUserA",
      password: "Guest@123!",
      secret_key: "nope-nope"
    })
    expect(wrongSecret.status).toBe(401)
  })

  it("rejects-wrong-password-with-401-code-10097-without-echoing-it", async () => {
    const { call } = await sandbox()
    const r = await call("auth/token/full", { username: "tsUserA", password: "hunter2-secret" })
    expect(r.status).toBe(401)
    expect(nestedError(r.text).code).toBe(10097)
    expect(r.text).not.toContain("hunter2-secret")
  })

  it("rejects-missing-credentials-with-400", async () => {
    const { call } = await sandbox()
    const r = await call("auth/token/full", { username: "tsUserA" })
    expect(r.status).toBe(400)
    expect(nestedError(r.text)).toMatchObject({ code: 10002 })
    expect(nestedError(r.text).debug[0]).toContain("Either secret_key or password must be provided.")
    expect((await call("auth/token/full", { password: "x" })).status).toBe(400)
  })
})

describe("bearer tokens on other endpoints", () => {
  it("missing-bearer-gives-401", async () => {
    const { call } = await sandbox()
    const r = await call("metadata/search", {})
    expect(r.status).toBe(401)
    expect(nestedError(r.text).code).toBe(10097)
  })

  it("unknown-bearer-gives-401", async () => {
    const { call } = await sandbox()
    expect((await call("system", undefined, { token: "not-a-token" })).status).toBe(401)
  })

  it("token-expires-after-its-validity", async () => {
    const { call, clock, token } = await sandbox()
    const t = await token()
    expect((await call("system", undefined, { token: t })).status).toBe(200)
    clock.advance(299_999)
    expect((await call("system", undefined, { token: t })).status).toBe(200)
    clock.advance(1)
    const r = await call("system", undefined, { token: t })
    expect(r.status).toBe(401)
    expect(nestedError(r.text).debug[0]).toContain("expired")
  })

  it("revoke-all-tokens-forces-401-and-new-tokens-work", async () => {
    const { call, sb, token } = await sandbox()
    const t1 = await token()
    const t2 = await token("tsViewer", "Viewer@123!")
    expect(sb.revokeAllTokens()).toBe(2)
    expect((await call("system", undefined, { token: t1 })).status).toBe(401)
    expect((await call("system", undefined, { token: t2 })).status).toBe(401)
    expect((await call("system", undefined, { token: await token() })).status).toBe(200)
    expect(sb.stats().tokensIssued).toBe(3)
  })
})

describe("auth/token/object", () => {
  it("object-token-reaches-only-its-object", async () => {
    const { call } = await sandbox()
    const answer = fixtures.answers["Revenue by Month"]!
    const r = await call("auth/token/object", { username: "tsUserA", password: "Guest@123!", object_id: answer.id })
    expect(r.status).toBe(200)
    const body = r.json<{ token: string; scope: unknown }>()
    expect(body.scope).toEqual({ access_type: "REPORT_BOOK_VIEW", org_id: 0, metadata_id: answer.id })
    const own = await call("metadata/answer/data", { metadata_identifier: answer.id }, { token: body.token })
    expect(own.status).toBe(200)
    const other = await call(
      "metadata/answer/data",
      { metadata_identifier: fixtures.answers["Order Details"]!.id },
      { token: body.token }
    )
    expect(other.status).toBe(403)
    expect(nestedError(other.text).code).toBe(10023)
    const table = await call(
      "searchdata",
      { query_string: "[Region]", logical_table_identifier: fixtures.ordersTable.id },
      { token: body.token }
    )
    expect(table.status).toBe(403)
    const search = await call("metadata/search", { record_size: -1 }, { token: body.token })
    expect(search.json<Array<{ metadata_id: string }>>().map((o) => o.metadata_id)).toEqual([answer.id])
  })

  it("object-token-needs-an-existing-object-the-user-can-read", async () => {
    const { call } = await sandbox()
    const missing = await call("auth/token/object", { username: "tsUserA", password: "Guest@123!", object_id: "nope" })
    expect(missing.status).toBe(400)
    const noId = await call("auth/token/object", { username: "tsUserA", password: "Guest@123!" })
    expect(noId.status).toBe(400)
    const denied = await call("auth/token/object", {
      username: "tsViewer",
      password: "Viewer@123!",
      object_id: fixtures.liveboards["Executive Summary (restricted)"]!.id
    })
    expect(denied.status).toBe(403)
  })
})

describe("sessions", () => {
  it("login-sets-a-jsessionid-cookie-that-authorizes-calls-until-logout", async () => {
    const { call } = await sandbox()
    const login = await call("auth/session/login", { username: "tsUserA", password: "Guest@123!" })
    expect(login.status).toBe(204)
    const cookies = login.headers.getSetCookie()
    expect(cookies.some((c) => /^JSESSIONID=[^;]+; Path=\/; HttpOnly/.test(c))).toBe(true)
    expect(cookies.some((c) => c.startsWith("clientId="))).toBe(true)
    const cookie = cookies.map((c) => c.split(";")[0]).join("; ")
    const user = await call("auth/session/user", undefined, { headers: { cookie } })
    expect(user.status).toBe(200)
    expect(user.json()).toMatchObject({
      id: fixtures.user.id,
      name: "tsUserA",
      display_name: "TS User A",
      visibility: "SHARABLE"
    })
    expect((await call("auth/session/logout", {}, { headers: { cookie } })).status).toBe(204)
    expect((await call("auth/session/user", undefined, { headers: { cookie } })).status).toBe(401)
  })

  it("session-times-out-after-three-idle-hours", async () => {
    const { call, clock } = await sandbox()
    const login = await call("auth/session/login", { username: "tsUserA", password: "Guest@123!" })
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ")
    clock.advance(3 * 3_600_000 + 1)
    expect((await call("auth/session/user", undefined, { headers: { cookie } })).status).toBe(401)
  })

  it("login-with-a-bearer-token-opens-a-session", async () => {
    const { call, token } = await sandbox()
    const r = await call("auth/session/login", { remember_me: true }, { token: await token() })
    expect(r.status).toBe(204)
    expect(r.headers.getSetCookie().length).toBe(2)
  })

  it("session-token-mints-a-24-hour-token", async () => {
    const { call, token, clock } = await sandbox()
    const r = await call("auth/session/token", undefined, { token: await token() })
    expect(r.status).toBe(200)
    const body = r.json<Record<string, unknown>>()
    expect(body["expiration_time_in_millis"]).toBe(clock.nowMs + 86_400_000)
    expect(body["scope"]).toBeUndefined()
  })

  it("wrong-login-gives-401", async () => {
    const { call } = await sandbox()
    expect((await call("auth/session/login", { username: "tsUserA", password: "bad" })).status).toBe(401)
  })
})

describe("validate and revoke", () => {
  it("validate-describes-a-live-token-and-rejects-expired-or-malformed-with-400", async () => {
    const { call, token, clock } = await sandbox()
    const caller = await token("tsUserA", "Guest@123!", { validity_time_in_sec: 3600 })
    const t = await token()
    const ok = await call("auth/token/validate", { token: t }, { token: caller })
    expect(ok.status).toBe(200)
    expect(ok.json()).toMatchObject({
      token_type: "BEARER",
      valid_for_user_id: fixtures.user.id,
      scope: { access_type: "FULL" }
    })
    const malformed = await call("auth/token/validate", { token: "garbage" }, { token: caller })
    expect(malformed.status).toBe(400)
    expect(nestedError(malformed.text).debug[0]).toContain("malformed")
    clock.advance(301_000)
    const expired = await call("auth/token/validate", { token: t }, { token: caller })
    expect(expired.status).toBe(400)
    expect(nestedError(expired.text).debug[0]).toContain("has expired")
  })

  it("revoke-a-token-or-all-of-a-users-tokens", async () => {
    const { call, token } = await sandbox()
    const admin = await token()
    const victim = await token()
    expect((await call("auth/token/revoke", { token: victim }, { token: admin })).status).toBe(204)
    expect((await call("system", undefined, { token: victim })).status).toBe(401)
    expect((await call("system", undefined, { token: admin })).status).toBe(200)
    const viewer = await token("tsViewer", "Viewer@123!")
    expect((await call("auth/token/revoke", { user_identifier: "tsViewer" }, { token: admin })).status).toBe(204)
    expect((await call("system", undefined, { token: viewer })).status).toBe(401)
    const neither = await call("auth/token/revoke", {}, { token: admin })
    expect(neither.status).toBe(400)
    expect(nestedError(neither.text).debug[0]).toContain("Either user_identifier or token must be provided.")
  })
})
