/**
 * A locked or deactivated account cannot sign in on any route (`auth/token/full`, `auth/token/object`,
 * `auth/session/login`, by password or secret key): 403/10023 "User account is inactive or locked.", the spec's
 * example. Wrong credentials are still 401 first, so the refusal tells nothing to someone without them.
 */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { nestedError, sandbox } from "./harness.ts"

const emea = fixtures.orgs[1]!
const apac = fixtures.orgs[2]!
const userOf = (org: (typeof fixtures.orgs)[number], name: string) => org.users.find((u) => u.username === name)!
const answerOf = (org: (typeof fixtures.orgs)[number]) => Object.values(org.objects).find((o) => o.type === "ANSWER")!

describe("account status at sign-in", () => {
  it("locked-and-inactive-accounts-get-no-token-and-no-session", async () => {
    const { sb, call } = await sandbox()
    for (const name of ["emea.contractor", "emea.former"]) {
      const u = userOf(emea, name)
      expect(["LOCKED", "INACTIVE"]).toContain(u.accountStatus)
      const org = { org_id: emea.id }
      const attempts: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
        ["auth/token/full", { username: u.username, password: u.password, ...org }],
        ["auth/token/full", { username: u.username, secret_key: sb.secretKey, ...org }],
        ["auth/token/object", { username: u.username, password: u.password, object_id: answerOf(emea).id, ...org }],
        ["auth/session/login", { username: u.username, password: u.password, org_identifier: String(emea.id) }]
      ]
      for (const [path, body] of attempts) {
        const r = await call(path, body)
        expect(r.status, `${name} ${path}: ${r.text}`).toBe(403)
        expect(r.headers.get("set-cookie"), `${name} ${path}`).toBeNull()
        const error = nestedError(r.text)
        expect(error.code).toBe(10023)
        expect(error.debug[0]?.split("Error Message: ")[1]).toBe("User account is inactive or locked.")
      }
      const wrong = await call("auth/token/full", { username: u.username, password: "not-the-password", ...org })
      expect(wrong.status).toBe(401)
    }
    expect(sb.stats().tokensIssued).toBe(0)
  })

  it("active-and-pending-accounts-still-sign-in", async () => {
    const { call } = await sandbox()
    for (const [org, name] of [
      [emea, "emea.lead"],
      [apac, "apac.pending"]
    ] as const) {
      const u = userOf(org, name)
      const token = await call("auth/token/full", { username: u.username, password: u.password, org_id: org.id })
      expect(token.status, `${name}: ${token.text}`).toBe(200)
      const login = await call("auth/session/login", {
        username: u.username,
        password: u.password,
        org_identifier: String(org.id)
      })
      expect(login.status, `${name}: ${login.text}`).toBe(204)
    }
  })
})
