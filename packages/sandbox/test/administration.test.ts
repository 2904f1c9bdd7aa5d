/**
 * Endpoints that ThoughtSpot's OpenAPI document reserves for administrators (`GET system`, `orgs/search`,
 * `roles/search`) refuse everyone else with 403, as a cluster does; administrators are served in every org.
 */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { nestedError, sandbox } from "./harness.ts"

const emea = fixtures.orgs[1]!

const adminOnly: ReadonlyArray<readonly [path: string, body: Record<string, unknown> | undefined, message: string]> = [
  [
    "system",
    undefined,
    "ADMINISTRATION (or, with RBAC, SYSTEM_INFO_ADMINISTRATION) privilege required to retrieve system information."
  ],
  ["orgs/search", {}, "ADMINISTRATION (or, with RBAC, ORG_ADMINISTRATION) privilege required to search orgs."],
  ["roles/search", {}, "ADMINISTRATION (or, with RBAC, ROLE_ADMINISTRATION) privilege required to search roles."]
]

describe("administration endpoints", () => {
  it("refuse-users-without-administration-privileges", async () => {
    const { call, token } = await sandbox()
    const callers = [
      await token("tsViewer", "Viewer@123!"),
      await token("emea.lead", "EmeaLead@123!", { org_id: emea.id })
    ]
    for (const t of callers) {
      for (const [path, body, message] of adminOnly) {
        const r = await call(path, body, { token: t })
        expect(r.status, `${path}: ${r.text}`).toBe(403)
        const error = nestedError(r.text)
        expect(error.code).toBe(10023)
        expect(error.debug[0]?.split("Error Message: ")[1]).toBe(message)
      }
    }
  })

  it("serve-administrators-in-every-org-they-administer", async () => {
    const { call, token } = await sandbox({ timezone: "Europe/Berlin" })
    for (const org of [0, emea.id]) {
      const t = await token("tsUserA", "Guest@123!", { org_id: org })
      const system = await call("system", undefined, { token: t })
      expect(system.status, system.text).toBe(200)
      expect(system.json()).toMatchObject({ time_zone: "Europe/Berlin" })
      for (const [path, body] of adminOnly.slice(1)) {
        const r = await call(path, body, { token: t })
        expect(r.status, `${path}: ${r.text}`).toBe(200)
      }
    }
  })

  it("refuse-a-non-administrator-signed-in-by-session-too", async () => {
    const { call } = await sandbox()
    const login = await call("auth/session/login", { username: "tsViewer", password: "Viewer@123!" })
    expect(login.status).toBe(204)
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!
    const r = await call("system", undefined, { headers: { cookie } })
    expect(r.status, r.text).toBe(403)
  })
})
