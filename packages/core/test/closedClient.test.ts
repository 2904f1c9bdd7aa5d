/**
 * A client kept past the scope it was built in refuses every call with a typed failure, and mints no token that
 * nothing would revoke (its tokens were revoked when the scope closed).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope, Stream } from "effect"
import { ThoughtSpotClient } from "../src/index.ts"
import { failureOf } from "./exits.ts"
import { makeFake, testOptions, withTokens } from "./fake.ts"

describe("closed client", () => {
  it.effect("client-used-after-its-scope-closed-is-refused-and-mints-nothing", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" } })))
      const scope = yield* Scope.make()
      const client = yield* ThoughtSpotClient.make(testOptions()).pipe(
        Effect.provide(fake.layer),
        Scope.provide(scope),
        Effect.orDie
      )
      expect((yield* client.system).time_zone).toBe("UTC")
      yield* Scope.close(scope, Exit.void)
      const before = fake.seen.map((s) => s.path)
      expect(before).toEqual(["auth/token/full", "system", "auth/token/revoke"])

      const error = failureOf(yield* Effect.exit(client.system))
      expect(error.operation).toBe("system")
      expect(error.reason._tag).toBe("BadRequest")
      expect(error.isRetryable).toBe(false)
      expect(error.message).toContain("the client's scope has closed")
      const stream = failureOf(
        yield* Effect.exit(Stream.runDrain(client.searchData({ logicalTableIdentifier: "t", queryString: "[n]" })))
      )
      expect(stream.reason._tag).toBe("BadRequest")
      expect(failureOf(yield* Effect.exit(client.request({ method: "GET", path: "system" }))).reason._tag).toBe(
        "BadRequest"
      )
      // Nothing was sent after the close, and no token was minted.
      expect(fake.seen.map((s) => s.path)).toEqual(before)
      expect(yield* client.credentialRequests).toBe(1)
    })
  )
})
