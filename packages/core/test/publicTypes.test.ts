/**
 * What a program outside the package can name and call: the parameter types of the client's admin operations
 * are exported by name from the modules they belong to, and `ApiCall` holds no function that needs the client's
 * internal requester (the client's `request()` is the way to send any call).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ApiCall, type AuditLog, type Principals, type ThoughtSpotClient, type Tml } from "../src/index.ts"
import { makeFake, testOptions, useClient, withTokens } from "./fake.ts"

/** `true` exactly when `A` and `B` are the same type. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
type Service = ThoughtSpotClient.Service

describe("the public types", () => {
  it("name-the-admin-operations-parameters", () => {
    // Each line is a type error when the name is missing or is another type than the operation takes.
    const listing: Same<Principals.ListingOptions, NonNullable<Parameters<Service["searchUsers"]>[1]>> = true
    const groups: Same<Principals.ListingOptions, NonNullable<Parameters<Service["searchGroups"]>[1]>> = true
    const batch: Same<Tml.BatchOptions, NonNullable<Parameters<Service["exportTmlBatch"]>[1]>> = true
    const range: Same<AuditLog.LogRange, Parameters<Service["auditLogs"]>[0]> = true
    expect([listing, groups, batch, range]).toEqual([true, true, true, true])
  })

  it.effect("ApiCall-has-no-send-the-clients-request-sends", () =>
    Effect.gen(function* () {
      expect(Object.keys(ApiCall)).not.toContain("send")
      const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" } })))
      const response = yield* useClient(fake, testOptions(), (client) =>
        client.request({ method: "GET", path: "system" })
      )
      expect(response.status).toBe(200)
      expect(new TextDecoder().decode(response.bytes)).toBe('{"time_zone":"UTC"}')
    })
  )
})
