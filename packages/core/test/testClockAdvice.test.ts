/**
 * What the README's "Testing your code" tells a user for tests under `TestClock` (as `it.effect` provides it): the
 * rate limiter's spacing waits on the clock as retry waits do, so `retry: { maxAttempts: 1 }` alone leaves a
 * program of two requests waiting forever, and `rateLimit: { requestsPerSecond: Infinity }` lets it finish.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Auth, type ThoughtSpotClient } from "../src/index.ts"
import { dataReply, makeFake, useClient, withTokens } from "./fake.ts"

const rowsOf = (options: Partial<ThoughtSpotClient.ThoughtSpotClientOptions>) => {
  // A token, then two pages of 10 rows.
  const fake = makeFake(withTokens((r) => dataReply(r.body, 20)))
  const program = useClient(
    fake,
    { host: "https://ts.example.com", auth: Auth.password({ username: "u", password: "p" }), ...options },
    (client) =>
      client.answerData({ metadataIdentifier: "Sales", pageSize: 10 }).pipe(
        Stream.runFold(
          () => 0,
          (rows, page) => rows + page.rows.length
        )
      )
  )
  return { fake, program }
}

describe("a user's tests under TestClock", () => {
  it.effect("with-the-limiter-off-a-program-of-several-requests-finishes-without-moving-the-clock", () =>
    Effect.gen(function* () {
      const { fake, program } = rowsOf({
        rateLimit: { requestsPerSecond: Number.POSITIVE_INFINITY },
        retry: { maxAttempts: 1 }
      })
      expect(yield* program).toBe(20)
      expect(fake.seen.map((s) => s.path)).toEqual([
        "auth/token/full",
        "metadata/answer/data",
        "metadata/answer/data",
        "auth/token/revoke"
      ])
    })
  )

  it.effect("one-attempt-alone-does-not-do-the-limiter-waits-on-the-clock-between-the-token-and-the-data", () =>
    Effect.gen(function* () {
      const { fake, program } = rowsOf({ retry: { maxAttempts: 1 } })
      const fiber = yield* Effect.forkChild(program)
      // Everything that can run without the clock has run: the token was asked for, the data request waits.
      yield* TestClock.adjust(0)
      expect(fiber.pollUnsafe()).toBeUndefined()
      expect(fake.seen.map((s) => s.path)).toEqual(["auth/token/full"])
      // 100 requests/s: the next one 10 ms later.
      yield* TestClock.adjust(10)
      expect(fake.seen.map((s) => s.path)).toEqual(["auth/token/full", "metadata/answer/data"])
      yield* TestClock.adjust(1_000)
      expect(yield* Fiber.join(fiber)).toBe(20)
    })
  )
})
