/** On close, every minted token that may still be valid is revoked, not only the last one. */
import { describe, expect, it } from "@effect/vitest"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit } from "effect"
import { TestClock } from "effect/testing"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { makeFake, testOptions, useClient, withTokens } from "./fake.ts"

describe("revoke on close", () => {
  it.effect("tokens-renewed-mid-run-are-all-revoked-the-newest-last", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" } })))
      yield* useClient(fake, testOptions(), (c) =>
        Effect.gen(function* () {
          yield* c.system // tok-1, valid 300 s, renewed from 270 s
          yield* TestClock.adjust(280_000)
          yield* c.system // tok-3 (request 3), tok-1 still valid until 300 s
        })
      )
      const revokes = fake.seen.filter((s) => s.path === "auth/token/revoke")
      expect(revokes.map((r) => r.body)).toEqual([{ token: "tok-1" }, { token: "tok-3" }])
      expect(revokes.map((r) => r.headers["authorization"])).toEqual(["Bearer tok-3", "Bearer tok-3"])
    })
  )

  it.effect("tokens-already-expired-are-not-revoked", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" } })))
      yield* useClient(fake, testOptions(), (c) =>
        Effect.gen(function* () {
          yield* c.system // tok-1, expires at 300 s
          yield* TestClock.adjust(280_000)
          yield* c.system // tok-3, expires at 580 s
          yield* TestClock.adjust(280_000)
          yield* c.system // tok-5 at 560 s; tok-1 has expired
        })
      )
      const revokes = fake.seen.filter((s) => s.path === "auth/token/revoke")
      expect(revokes.map((r) => r.body)).toEqual([{ token: "tok-3" }, { token: "tok-5" }])
    })
  )

  it.live("sandbox-counts-one-revocation-per-minted-token", () =>
    Effect.gen(function* () {
      let now = Date.UTC(2026, 0, 1)
      const sandbox = yield* Effect.promise(() =>
        startSandbox({
          rows: 100,
          tokenValiditySeconds: 60,
          clock: { now: () => now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) }
        })
      )
      const exit = yield* Effect.exit(
        Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (c) =>
          Effect.gen(function* () {
            yield* c.system
            // The sandbox's tokens expire under the client (its clock moves, the client's does not): each next
            // call meets a 401 and renews.
            now += 61_000
            yield* c.system
            now += 61_000
            yield* c.system
            return yield* c.credentialRequests
          })
        ).pipe(
          Effect.provide(
            ThoughtSpotClient.layerNode({
              host: sandbox.url,
              auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password })
            })
          ),
          Effect.ensuring(Effect.promise(() => sandbox.close()))
        )
      )
      expect(Exit.isSuccess(exit) && exit.value).toBe(3)
      const stats = sandbox.stats()
      expect([stats.tokensIssued, stats.tokensRevoked]).toEqual([3, 3])
    })
  )

  it.live("a-token-whose-answer-was-in-flight-when-the-caller-was-interrupted-is-revoked-on-close", () =>
    Effect.gen(function* () {
      // The token answer trickles in over ~1 s: the caller gives up (Ctrl-C, a timeout) after 200 ms, once
      // ThoughtSpot has minted the token but before the client has read it.
      const sandbox = yield* Effect.promise(() =>
        startSandbox({
          rows: 100,
          faults: { routes: { "auth/token/full": { slowBody: { chunkBytes: 16, delayMs: 50 } } } }
        })
      )
      const exit = yield* Effect.exit(
        Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (c) => c.system).pipe(
          Effect.timeout(200),
          Effect.provide(
            ThoughtSpotClient.layerNode({
              host: sandbox.url,
              auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password })
            })
          ),
          Effect.ensuring(Effect.promise(() => sandbox.close()))
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      const stats = sandbox.stats()
      expect([stats.tokensIssued, stats.tokensRevoked]).toEqual([1, 1])
    })
  )
})
