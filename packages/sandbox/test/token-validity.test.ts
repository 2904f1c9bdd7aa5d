/** `validity_time_in_sec` is an int32 in the spec: 1 to 2147483647 seconds, on every token route. */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { nestedError, sandbox } from "./harness.ts"

const user = fixtures.user
const answer = fixtures.answers["Revenue by Month"]

describe("validity_time_in_sec", () => {
  it("beyond-int32-is-refused-and-issues-no-token", async () => {
    const { sb, call } = await sandbox()
    for (const path of ["auth/token/full", "auth/token/object"]) {
      for (const validity of [2_147_483_648, 3_000_000_000, 0]) {
        const body = { username: user.username, password: user.password, validity_time_in_sec: validity }
        const r = await call(path, path === "auth/token/object" ? { ...body, object_id: answer.id } : body)
        expect(r.status, `${path} ${validity}: ${r.text}`).toBe(400)
        expect(nestedError(r.text).debug[0]?.split("Error Message: ")[1]).toBe(
          "Invalid parameter values: validity_time_in_sec must be from 1 to 2147483647 (int32)"
        )
      }
    }
    expect(sb.stats().tokensIssued).toBe(0)
  })

  it("the-largest-int32-is-honoured", async () => {
    const { call, clock } = await sandbox()
    const r = await call("auth/token/full", {
      username: user.username,
      password: user.password,
      validity_time_in_sec: 2_147_483_647
    })
    expect(r.status, r.text).toBe(200)
    expect(r.json<{ expiration_time_in_millis: number }>().expiration_time_in_millis).toBe(
      clock.nowMs + 2_147_483_647_000
    )
  })
})
