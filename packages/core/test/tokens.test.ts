/** Token lifecycle: cache, renewal before expiry, one renewal on 401, single flight, every auth method, release. */
import { inspect } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { TestClock } from "effect/testing"
import { Auth } from "../src/index.ts"
import { failureOf } from "./exits.ts"
import { makeFake, PASSWORD, type Reply, testOptions, tokenReply, useClient, withTime, withTokens } from "./fake.ts"

const ok: Reply = { body: { time_zone: "UTC" } }

const tokenCalls = (seen: ReadonlyArray<{ readonly path: string }>) =>
  seen.filter((s) => s.path === "auth/token/full" || s.path === "auth/token/object").length

describe("token lifecycle", () => {
  it.effect("token-is-cached-across-calls", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ok))
      const count = yield* useClient(fake, testOptions(), (c) =>
        Effect.gen(function* () {
          for (let i = 0; i < 5; i++) yield* c.system
          return yield* c.credentialRequests
        })
      )
      expect(count).toBe(1)
      expect(tokenCalls(fake.seen)).toBe(1)
    })
  )

  it.effect("token-renewed-before-expiry-minus-skew", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ok, 300_000))
      yield* useClient(fake, testOptions({ refreshSkewMillis: 30_000 }), (c) =>
        Effect.gen(function* () {
          yield* c.system
          yield* TestClock.adjust(269_000) // still > 30 s left: cached
          yield* c.system
          yield* TestClock.adjust(2_000) // 29 s left: renewed before the call
          yield* c.system
        })
      )
      const system = fake.seen.filter((s) => s.path === "system").map((s) => s.headers["authorization"])
      expect(system).toEqual(["Bearer tok-1", "Bearer tok-1", "Bearer tok-4"]) // tokens are named after the request number
      expect(tokenCalls(fake.seen)).toBe(2)
    })
  )

  it.effect("skew-is-capped-for-short-lived-tokens", () =>
    Effect.gen(function* () {
      // 2 s tokens with a 30 s skew would renew on every call; the skew is capped at a quarter of the validity
      const fake = makeFake(withTokens(() => ok, 2_000))
      yield* useClient(fake, testOptions(), (c) =>
        Effect.gen(function* () {
          yield* c.system
          yield* TestClock.adjust(1_000)
          yield* c.system
          yield* TestClock.adjust(600)
          yield* c.system
        })
      )
      expect(tokenCalls(fake.seen)).toBe(2)
    })
  )

  it.effect("token-expires-mid-export-refreshed-once-and-replayed", () =>
    Effect.gen(function* () {
      // the server revoked tok-1 early: the first call with it gets a 401
      const fake = makeFake(
        withTokens((r) =>
          r.headers["authorization"] === "Bearer tok-1"
            ? { status: 401, body: { error: { message: { code: 10097, debug: "expired" } } } }
            : ok
        )
      )
      const info = yield* useClient(fake, testOptions(), (c) => c.system)
      expect(info.time_zone).toBe("UTC")
      expect(fake.seen.map((s) => s.path).slice(0, 4)).toEqual([
        "auth/token/full",
        "system",
        "auth/token/full",
        "system"
      ])
      expect(tokenCalls(fake.seen)).toBe(2)
    })
  )

  it.effect("second-401-is-final", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens(() => ({ status: 401, body: { error: { message: { code: 10097, debug: "no" } } } }))
      )
      const exit = yield* Effect.exit(withTime(useClient(fake, testOptions(), (c) => c.system)))
      const error = failureOf(exit)
      expect([error.reason._tag, error.isRetryable]).toEqual(["Authentication", false])
      expect(error.message).toContain("second 401")
      expect(fake.seen.filter((s) => s.path === "system")).toHaveLength(2)
      expect(tokenCalls(fake.seen)).toBe(2)
    })
  )

  it.effect("concurrent-callers-share-one-token-request", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ ...ok, delayMillis: 10 }), 60_000))
      yield* withTime(
        useClient(fake, testOptions({ concurrency: 50 }), (c) =>
          Effect.gen(function* () {
            yield* Effect.all(
              Array.from({ length: 20 }, () => c.system),
              { concurrency: "unbounded" }
            )
            expect(tokenCalls(fake.seen)).toBe(1)
            yield* TestClock.adjust(120_000) // expired
            yield* Effect.all(
              Array.from({ length: 20 }, () => c.system),
              { concurrency: "unbounded" }
            )
            expect(tokenCalls(fake.seen)).toBe(2)
          })
        ),
        5
      )
    })
  )

  it.effect("a-token-request-whose-caller-gave-up-serves-the-next-caller-and-is-revoked-on-close", () =>
    Effect.gen(function* () {
      // The token answer takes 1 s; the first caller gives up after 100 ms (ThoughtSpot has minted the token by
      // then). The next caller gets that token rather than a second one, and it is revoked on close.
      const fake = makeFake((r, n) => {
        if (r.path === "auth/token/full") return { ...tokenReply(`tok-${n}`, r.at), delayMillis: 1_000 }
        if (r.path === "auth/token/revoke") return { status: 204 }
        return ok
      })
      yield* withTime(
        useClient(fake, testOptions(), (c) =>
          Effect.gen(function* () {
            const gaveUp = yield* Effect.exit(Effect.timeout(c.system, 100))
            expect(Exit.isFailure(gaveUp)).toBe(true)
            yield* c.system
          })
        ),
        50
      )
      expect(tokenCalls(fake.seen)).toBe(1)
      const system = fake.seen.filter((s) => s.path === "system")
      expect(system.map((s) => s.headers["authorization"])).toEqual(["Bearer tok-1"])
      expect(fake.seen.filter((s) => s.path === "auth/token/revoke").map((s) => s.body)).toEqual([{ token: "tok-1" }])
    })
  )

  it.effect("concurrent-401s-share-one-renewal", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r) => (r.headers["authorization"] === "Bearer tok-1" ? { status: 401 } : { ...ok, delayMillis: 5 }))
      )
      yield* withTime(
        useClient(fake, testOptions({ concurrency: 50 }), (c) =>
          Effect.all(
            Array.from({ length: 10 }, () => c.system),
            { concurrency: "unbounded" }
          )
        ),
        5
      )
      expect(tokenCalls(fake.seen)).toBe(2)
    })
  )

  it.effect("pre-issued-token-401-says-expired-or-revoked", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ status: 401 })))
      const exit = yield* Effect.exit(
        useClient(fake, testOptions({ auth: Auth.bearerToken("pre-issued-token-xyz") }), (c) => c.system)
      )
      const error = failureOf(exit)
      expect(error.reason._tag).toBe("Authentication")
      expect(error.message).toContain("expired or been revoked")
      expect(error.message).not.toContain("pre-issued-token-xyz")
      expect(fake.seen.map((s) => s.path)).toEqual(["system"]) // no token request, no revoke of someone else's token
      expect(fake.seen[0]!.headers["authorization"]).toBe("Bearer pre-issued-token-xyz")
    })
  )

  it.effect("pre-issued-token-401-names-the-call-and-keeps-what-thoughtspot-said", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens(() => ({
          status: 401,
          body: { error: { message: { code: 10097, incident_id_guid: "inc-7", debug: "Token has expired." } } }
        }))
      )
      const exit = yield* Effect.exit(
        useClient(fake, testOptions({ auth: Auth.bearerToken("pre-issued-token-xyz") }), (c) => c.system)
      )
      const error = failureOf(exit)
      // The call that was refused, not "authentication": a refused `system` and a refused data read differ.
      expect(error.operation).toBe("system")
      expect(error.reason).toMatchObject({ _tag: "Authentication", status: 401, code: 10097, incidentId: "inc-7" })
      expect(error.message).toContain("expired or been revoked")
      expect(error.message).toContain("Token has expired.")
      expect(error.message).not.toContain("pre-issued-token-xyz")
    })
  )

  it.effect("secret-key-and-object-token-requests", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ok))
      yield* useClient(
        fake,
        testOptions({
          auth: Auth.secretKey({ username: "tsUserA", secretKey: "sk-123456789", orgId: 2, validitySeconds: 600 })
        }),
        (c) => c.system
      )
      expect(fake.seen[0]).toMatchObject({
        path: "auth/token/full",
        body: { username: "tsUserA", secret_key: "sk-123456789", org_id: 2, validity_time_in_sec: 600 }
      })
      const fake2 = makeFake(withTokens(() => ok))
      yield* useClient(
        fake2,
        testOptions({ auth: Auth.objectToken({ username: "tsUserA", objectId: "obj-1", password: PASSWORD }) }),
        (c) => c.system
      )
      expect(fake2.seen[0]).toMatchObject({
        path: "auth/token/object",
        body: { username: "tsUserA", object_id: "obj-1", password: PASSWORD }
      })
    })
  )

  it.effect("bad-credentials-fail-with-authentication-no-retry", () =>
    Effect.gen(function* () {
      const fake = makeFake((r) =>
        r.path === "auth/token/full"
          ? {
              status: 401,
              body: { error: { message: { debug: { code: 10097, debug: `["bad password ${PASSWORD}"]` } } } }
            }
          : ok
      )
      const exit = yield* Effect.exit(withTime(useClient(fake, testOptions(), (c) => c.system)))
      const error = failureOf(exit)
      expect([error.operation, error.reason._tag, error.reason.code]).toEqual([
        "auth/token/full",
        "Authentication",
        10097
      ])
      expect(error.message).not.toContain(PASSWORD)
      expect(fake.seen).toHaveLength(1)
    })
  )

  it.effect("cookie-session-sends-cookies-and-logs-out", () =>
    Effect.gen(function* () {
      const fake = makeFake((r, n) => {
        if (r.path === "auth/session/login") {
          return { status: 204, headers: { "set-cookie": `JSESSIONID=sess-${n}; Path=/; HttpOnly` } }
        }
        if (r.path === "auth/session/logout") return { status: 204 }
        return r.headers["cookie"] === "JSESSIONID=sess-1" ? ok : { status: 401 }
      })
      yield* useClient(
        fake,
        testOptions({ auth: Auth.cookieSession({ username: "tsUserA", password: PASSWORD }) }),
        (c) => Effect.andThen(c.system, c.system)
      )
      expect(fake.seen.map((s) => s.path)).toEqual(["auth/session/login", "system", "system", "auth/session/logout"])
      expect(fake.seen[0]!.body).toEqual({ username: "tsUserA", password: PASSWORD, remember_me: false })
      expect(fake.seen[3]!.headers["cookie"]).toBe("JSESSIONID=sess-1")
      expect(fake.seen.every((s) => s.headers["authorization"] === undefined)).toBe(true)
    })
  )

  it.effect("minted-token-is-revoked-on-shutdown", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ok))
      yield* useClient(fake, testOptions(), (c) => c.system)
      expect(fake.seen.at(-1)).toMatchObject({ path: "auth/token/revoke", body: { token: "tok-1" } })
      const quiet = makeFake(withTokens(() => ok))
      yield* useClient(quiet, testOptions({ releaseOnClose: false }), (c) => c.system)
      expect(quiet.seen.map((s) => s.path)).toEqual(["auth/token/full", "system"])
    })
  )

  it.effect("token-in-an-answer-of-the-wrong-shape-is-revoked-and-never-shown", () =>
    Effect.gen(function* () {
      const minted = "tok-MINTED-4f7a9c2e-while-the-answer-was-wrong"
      for (const answer of [
        { token: minted, creation_time_in_millis: "soon", expiration_time_in_millis: 60_000 },
        { token: minted, expiration_time_in_millis: [minted] },
        { token: { value: minted }, creation_time_in_millis: 0, expiration_time_in_millis: 60_000 },
        [minted]
      ]) {
        const fake = makeFake((r) =>
          r.path === "auth/token/full" ? { body: answer } : r.path === "system" ? ok : { status: 204 }
        )
        const error = failureOf(
          yield* Effect.exit(useClient(fake, testOptions({ releaseOnClose: false }), (c) => c.system))
        )
        const said = [
          error.message,
          String(error),
          JSON.stringify(error),
          inspect(error, { depth: null }),
          inspect(error.reason)
        ]
        for (const text of said) {
          expect(text, JSON.stringify(answer)).not.toContain("MINTED")
          expect(text).not.toContain(PASSWORD)
        }
        expect(error.reason._tag).toBe("ResponseDecode")
        expect(error.isRetryable).toBe(false)
        expect(error.message).toContain("the token answer does not have the documented shape")
        // The token was never used for a call; one it can be read from is revoked at once, with itself.
        expect(fake.seen.some((s) => s.path === "system")).toBe(false)
        const revokes = fake.seen.filter((s) => s.path === "auth/token/revoke")
        if (typeof (answer as { token?: unknown }).token === "string") {
          expect(revokes).toHaveLength(1)
          expect(revokes[0]?.body).toEqual({ token: minted })
          expect(revokes[0]?.headers["authorization"]).toBe(`Bearer ${minted}`)
          expect(error.message).toContain("the token it holds was revoked: check the host URL")
        } else {
          expect(revokes).toHaveLength(0)
        }
      }
    })
  )

  it.effect("a-stranded-token-that-cannot-be-revoked-is-said-to-stay-valid", () =>
    Effect.gen(function* () {
      const minted = "tok-MINTED-77c1-that-the-server-keeps"
      const fake = makeFake((r) =>
        r.path === "auth/token/full"
          ? { body: { token: minted, creation_time_in_millis: "soon", expiration_time_in_millis: 60_000 } }
          : r.path === "auth/token/revoke"
            ? { status: 500, body: { error: { message: `no such token ${minted}` } } }
            : ok
      )
      const error = failureOf(yield* Effect.exit(withTime(useClient(fake, testOptions(), (c) => c.system))))
      expect(error.message).toContain("the token it holds could not be revoked (")
      expect(error.message).toContain("it stays valid until it expires")
      expect(inspect(error, { depth: null })).not.toContain("MINTED")
      expect(JSON.stringify(error)).not.toContain("MINTED")
    })
  )

  it.effect("failed-revoke-does-not-fail-shutdown", () =>
    Effect.gen(function* () {
      const fake = makeFake((r) =>
        r.path === "auth/token/revoke" ? { status: 500 } : r.path === "auth/token/full" ? tokenReply("t", r.at) : ok
      )
      // The revoke is retried (a 500 may heal) on the clock: time moves until shutdown is over.
      const info = yield* withTime(useClient(fake, testOptions(), (c) => c.system))
      expect(info.time_zone).toBe("UTC")
      expect(fake.seen.filter((s) => s.path === "auth/token/revoke")).toHaveLength(3)
    })
  )
})
