/** Client-side rate limit (default 100 requests/s), the concurrency bound, and no secrets in errors or logs. */

import { inspect } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Logger, References, Stream, Tracer } from "effect"
import { Headers, HttpClient } from "effect/http"
import { TestClock } from "effect/testing"
import { Auth, RateLimiter, type ThoughtSpotClient } from "../src/index.ts"
import { dataReply, makeFake, PASSWORD, testOptions, useClient, withTime, withTokens } from "./fake.ts"

describe("rate limiter", () => {
  it.effect("spaces-requests-at-the-configured-rate", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ requestsPerSecond: 100 })
      let done = 0
      yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: 50 }),
          () =>
            Effect.andThen(
              limiter.take,
              Effect.sync(() => done++)
            ),
          {
            concurrency: "unbounded"
          }
        )
      )
      yield* TestClock.adjust(245)
      expect(done).toBe(25) // t = 0, 10, …, 240 ms
      yield* TestClock.adjust(300)
      expect(done).toBe(50)
    })
  )

  it.effect("burst-allows-a-few-at-once", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ requestsPerSecond: 10, burst: 5 })
      let done = 0
      yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: 8 }),
          () =>
            Effect.andThen(
              limiter.take,
              Effect.sync(() => done++)
            ),
          {
            concurrency: "unbounded"
          }
        )
      )
      yield* TestClock.adjust(1)
      expect(done).toBe(5)
      yield* TestClock.adjust(300)
      expect(done).toBe(8)
    })
  )

  it.effect("a-rate-that-is-not-above-zero-is-a-defect-not-an-unlimited-client", () =>
    Effect.gen(function* () {
      // 0, a negative rate or NaN (e.g. Number of an unset variable) used to let every request through at once.
      for (const options of [
        { requestsPerSecond: 0 },
        { requestsPerSecond: -5 },
        { requestsPerSecond: Number.NaN },
        { requestsPerSecond: 10, burst: Number.NaN }
      ]) {
        const exit = yield* Effect.exit(RateLimiter.make(options))
        expect(Exit.isFailure(exit) && exit.cause.reasons.some((r) => r._tag === "Die"), JSON.stringify(options)).toBe(
          true
        )
        expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("rateLimit")
      }
      const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" } })))
      const client = yield* Effect.exit(
        useClient(fake, testOptions({ rateLimit: { requestsPerSecond: 0 } }), (c) => c.system)
      )
      expect(String(Exit.isFailure(client) ? client.cause : "")).toContain(
        "rateLimit.requestsPerSecond must be a number above 0"
      )
      expect(fake.seen).toHaveLength(0)
      // Infinity turns the limiter off, as documented.
      expect(
        Exit.isSuccess(yield* Effect.exit(RateLimiter.make({ requestsPerSecond: Number.POSITIVE_INFINITY })))
      ).toBe(true)
    })
  )

  it.effect("client-default-is-100-requests-per-second", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" } })))
      const { rateLimit: _unlimited, ...defaults } = testOptions()
      yield* withTime(
        useClient(fake, defaults, (c) =>
          Effect.all(
            Array.from({ length: 30 }, () => c.system),
            { concurrency: "unbounded" }
          )
        ),
        1
      )
      const at = fake.seen.map((s) => s.at)
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(9.99)
    })
  )
})

describe("concurrency", () => {
  it.effect("never-more-requests-in-flight-than-configured", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" }, delayMillis: 50 })))
      yield* withTime(
        useClient(fake, testOptions({ concurrency: 3 }), (c) =>
          Effect.all(
            Array.from({ length: 12 }, () => c.system),
            { concurrency: "unbounded" }
          )
        ),
        5
      )
      expect(fake.flight.peak).toBe(3)
    })
  )

  it.live("a-concurrency-prefetch-or-refresh-skew-that-cannot-be-meant-is-refused-before-any-request", () =>
    Effect.gen(function* () {
      // concurrency NaN (e.g. Number of an unset variable) hung every call for ever; a NaN skew minted a token for
      // every request; 0, fractions and negatives were changed without a word.
      const cases: ReadonlyArray<readonly [Partial<ThoughtSpotClient.ThoughtSpotClientOptions>, string]> = [
        [
          { concurrency: Number.NaN },
          "concurrency must be a whole number of requests of at least 1 (default 4), got NaN"
        ],
        [{ concurrency: 0 }, "concurrency must be a whole number of requests of at least 1 (default 4), got 0"],
        [{ concurrency: 2.5 }, "concurrency must be a whole number of requests of at least 1 (default 4), got 2.5"],
        [{ concurrency: Number.POSITIVE_INFINITY }, "concurrency must be a whole number"],
        [{ prefetch: Number.NaN }, "prefetch must be a whole number of pages of at least 1 (default 2), got NaN"],
        [{ prefetch: 0 }, "prefetch must be a whole number of pages of at least 1 (default 2), got 0"],
        // Found otherwise only at the first data or listing request, as a BadRequest that names no option.
        [{ pageSize: Number.NaN }, "pageSize must be a whole number of rows from 1 to 100000 (default 10000), got NaN"],
        [{ pageSize: 0 }, "pageSize must be a whole number of rows from 1 to 100000 (default 10000), got 0"],
        [{ pageSize: 100_001 }, "pageSize must be a whole number of rows from 1 to 100000 (default 10000), got 100001"],
        [{ pageSize: 2.5 }, "pageSize must be a whole number of rows"],
        [
          { metadataPageSize: 0 },
          "metadataPageSize must be a whole number of items of at least 1 (default 500), got 0"
        ],
        [{ metadataPageSize: Number.NaN }, "metadataPageSize must be a whole number of items of at least 1"],
        [{ refreshSkewMillis: Number.NaN }, "refreshSkewMillis must be a finite number of milliseconds of at least 0"],
        [
          { refreshSkewMillis: -1 },
          "refreshSkewMillis must be a finite number of milliseconds of at least 0 (default 30000), got -1"
        ],
        // An Org id of NaN went out as org_id null: a token for the user's default Org, whose objects were then read
        // in place of the Org's asked for.
        [
          { auth: Auth.password({ username: "u", password: PASSWORD, orgId: Number.NaN }) },
          "auth.orgId must be an Org id, a whole number 0‥2147483647 (int32), got NaN"
        ],
        [{ auth: Auth.secretKey({ username: "u", secretKey: "k", orgId: -1 }) }, "auth.orgId must be an Org id"],
        [{ auth: Auth.objectToken({ username: "u", objectId: "o", password: "p", orgId: 2 ** 31 }) }, "got 2147483648"],
        [
          { auth: Auth.password({ username: "u", password: PASSWORD, validitySeconds: Number.NaN }) },
          "auth.validitySeconds must be a whole number of seconds from 1 to 2147483647 (validity_time_in_sec is an int32), got NaN"
        ]
      ]
      for (const [options, said] of cases) {
        const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" } })))
        const exit = yield* Effect.exit(
          useClient(fake, testOptions(options), (c) => c.system).pipe(Effect.timeout(2000))
        )
        const text = String(Exit.isFailure(exit) ? exit.cause : "")
        expect(Exit.isFailure(exit) && exit.cause.reasons.some((r) => r._tag === "Die"), text).toBe(true)
        expect(text).toContain(said)
        expect(fake.seen).toHaveLength(0)
      }
    })
  )
})

describe("secrets", () => {
  it.effect("no-secret-in-any-error-or-log-line", () =>
    Effect.gen(function* () {
      const token = "tok-SECRET-0123456789"
      const secretKey = "sk-SECRET-abcdefghij"
      const lines: Array<string> = []
      const capture = Logger.make((options) => {
        lines.push(`${String(options.message)} ${String(options.cause)}`)
      })
      // the server echoes back every secret the client sent it, in every error shape, and fails in every way
      let n = 0
      let echo = ""
      const fake = makeFake((r) => {
        n++
        if (r.path === "auth/token/full") {
          return n === 1
            ? {
                status: 500,
                body: {
                  error: {
                    message: {
                      debug: { code: 10000, debug: JSON.stringify([`bad ${r.body.password ?? r.body.secret_key}`]) }
                    }
                  }
                }
              }
            : {
                body: {
                  token,
                  creation_time_in_millis: r.at,
                  expiration_time_in_millis: r.at + 60_000,
                  valid_for_user_id: "u",
                  valid_for_username: "tsUserA"
                }
              }
        }
        if (r.path === "auth/token/revoke") return { status: 400, body: { error: { message: echo } } }
        if (n % 3 === 0) return { status: 503, body: { error: { message: { debug: echo } } } }
        if (n % 5 === 0) return { status: 401, body: echo }
        if (n % 7 === 0) return { reset: true }
        return n % 2 === 0 ? dataReply(r.body, 10, { rowsOverride: 3 }) : dataReply(r.body, 10)
      })
      const errors: Array<string> = []
      for (const [auth, known] of [
        [Auth.password({ username: "tsUserA", password: PASSWORD }), PASSWORD],
        [Auth.secretKey({ username: "tsUserA", secretKey }), secretKey]
      ] as const) {
        n = 0
        echo = `credential ${known} token ${token}`
        const exit = yield* Effect.exit(
          withTime(
            useClient(fake, testOptions({ auth, retry: { maxAttempts: 3 } }), (c) =>
              Effect.andThen(
                c.system,
                Stream.runCollect(c.searchData({ logicalTableIdentifier: "t", queryString: "q" }))
              )
            )
          ).pipe(Effect.provide(Logger.layer([capture])), Effect.provideService(References.MinimumLogLevel, "All"))
        )
        if (Exit.isFailure(exit)) errors.push(String(exit.cause), JSON.stringify(exit.cause))
      }
      const bearer = makeFake(() => ({ status: 401, body: `bad token ${token}` }))
      const exit = yield* Effect.exit(
        useClient(bearer, testOptions({ auth: Auth.bearerToken(token) }), (c) => c.system)
      )
      if (Exit.isFailure(exit)) errors.push(String(exit.cause), JSON.stringify(exit.cause))
      expect(errors.length).toBeGreaterThan(0)
      expect(lines.length).toBeGreaterThan(0)
      for (const text of [...errors, ...lines]) {
        for (const secret of [PASSWORD, secretKey, token]) expect(text).not.toContain(secret)
      }
    })
  )

  it.effect("no-secret-in-any-span-or-any-formatting-of-an-error", () =>
    Effect.gen(function* () {
      const token = "tok-SECRET-0123456789"
      const secretKey = "sk-SECRET-abcdefghij"
      const session = "JSESSIONID-SECRET-42"
      const spans: Array<Tracer.NativeSpan> = []
      const tracer = Tracer.make({
        span(options) {
          const span = new Tracer.NativeSpan(options)
          spans.push(span)
          return span
        }
      })
      // Every credential call answers once with an error, then as documented; data calls fail now and then.
      const tries = new Map<string, number>()
      const fake = makeFake((r) => {
        const n = (tries.get(r.path) ?? 0) + 1
        tries.set(r.path, n)
        if (r.path === "auth/token/full" || r.path === "auth/token/object") {
          return n === 1
            ? { status: 503, body: { error: { message: "busy" } } }
            : {
                body: {
                  token,
                  creation_time_in_millis: r.at,
                  expiration_time_in_millis: r.at + 60_000,
                  valid_for_user_id: "u",
                  valid_for_username: "tsUserA"
                }
              }
        }
        if (r.path === "auth/session/login") {
          return n === 1
            ? { status: 503, body: "busy" }
            : { status: 204, headers: { "set-cookie": `JSESSIONID=${session}` } }
        }
        if (r.path === "auth/token/revoke" || r.path === "auth/session/logout") return { status: 400, body: "no" }
        if (r.path === "system") return n % 2 === 1 ? { status: 503, body: "busy" } : { body: { time_zone: "UTC" } }
        return dataReply(r.body, 10, { rowsOverride: 3 })
      })
      const errors: Array<string> = []
      for (const auth of [
        Auth.password({ username: "tsUserA", password: PASSWORD }),
        Auth.secretKey({ username: "tsUserA", secretKey }),
        Auth.objectToken({ username: "tsUserA", objectId: "o-1", password: PASSWORD }),
        Auth.cookieSession({ username: "tsUserA", password: PASSWORD }),
        Auth.bearerToken(token)
      ]) {
        tries.clear()
        const exit = yield* Effect.exit(
          withTime(
            useClient(fake, testOptions({ auth, retry: { maxAttempts: 2 } }), (c) =>
              Effect.andThen(
                c.system,
                Stream.runCollect(c.searchData({ logicalTableIdentifier: "t", queryString: "q" }))
              )
            )
          ).pipe(
            Effect.withTracer(tracer),
            // Headers recorded on spans, with a caller's own list of names to redact: the credentials' headers
            // are redacted all the same.
            Effect.provideService(HttpClient.TracerHeaderFilter, () => true),
            Effect.provideService(Headers.CurrentRedactedNames, ["x-api-key"])
          )
        )
        if (Exit.isSuccess(exit)) throw new Error("expected the short data page to fail the read")
        const error = Cause.squash(exit.cause)
        errors.push(
          Cause.pretty(exit.cause),
          String(exit.cause),
          JSON.stringify(exit),
          inspect(exit, { depth: Number.POSITIVE_INFINITY }),
          String(error),
          JSON.stringify(error),
          inspect(error, { depth: Number.POSITIVE_INFINITY })
        )
      }
      expect(spans.filter((span) => span.kind === "client").length).toBeGreaterThan(10)
      const shown = [
        ...errors,
        ...spans.map((span) =>
          inspect(
            { span, attributes: [...span.attributes], events: span.events },
            {
              depth: Number.POSITIVE_INFINITY,
              maxArrayLength: Number.POSITIVE_INFINITY,
              maxStringLength: Number.POSITIVE_INFINITY
            }
          )
        )
      ]
      for (const text of shown) {
        for (const secret of [PASSWORD, secretKey, token, session]) expect(text).not.toContain(secret)
      }
    })
  )
})
