/** One bounded retry budget per logical call: a failing token endpoint gets the password at most maxAttempts times. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { makeFake, testOptions, useClient, withTime } from "./fake.ts"

const tokenCalls = (seen: ReadonlyArray<{ readonly path: string }>) =>
  seen.filter((s) => s.path === "auth/token/full").length

describe("retry budget", () => {
  it.effect("token-endpoint-answering-500-gets-the-password-at-most-max-attempts-times", () =>
    Effect.gen(function* () {
      const fake = makeFake((r) => (r.path === "auth/token/full" ? { status: 500 } : { body: { time_zone: "UTC" } }))
      const exit = yield* Effect.exit(withTime(useClient(fake, testOptions(), (c) => c.system)))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(tokenCalls(fake.seen)).toBe(6)
      expect(fake.seen.every((s) => s.path === "auth/token/full")).toBe(true)
    })
  )

  it.effect("concurrent-calls-waiting-on-a-failing-token-request-share-its-failure", () =>
    Effect.gen(function* () {
      const fake = makeFake((r) => (r.path === "auth/token/full" ? { status: 503 } : { body: { time_zone: "UTC" } }))
      const exit = yield* Effect.exit(
        withTime(
          useClient(fake, testOptions({ concurrency: 4 }), (c) =>
            Effect.all([c.system, c.system, c.system, c.system], { concurrency: 4 })
          )
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(tokenCalls(fake.seen)).toBe(6)
    })
  )

  it.effect("a-later-call-after-a-failed-token-request-tries-again", () =>
    Effect.gen(function* () {
      let failing = true
      const fake = makeFake((r, n) =>
        r.path === "auth/token/full"
          ? failing
            ? { status: 500 }
            : {
                body: {
                  token: `tok-${n}`,
                  creation_time_in_millis: r.at,
                  expiration_time_in_millis: r.at + 300_000,
                  scope: { access_type: "FULL", org_id: 0, metadata_id: null },
                  valid_for_user_id: "u-1",
                  valid_for_username: "tsUserA"
                }
              }
          : r.path === "auth/token/revoke"
            ? { status: 204 }
            : { body: { time_zone: "UTC" } }
      )
      const info = yield* withTime(
        useClient(fake, testOptions(), (c) =>
          Effect.gen(function* () {
            yield* Effect.exit(c.system)
            failing = false
            return yield* c.system
          })
        )
      )
      expect(info.time_zone).toBe("UTC")
      expect(tokenCalls(fake.seen)).toBe(7)
    })
  )
})
