/** Every request: headers, retries of transient failures, no retries of permanent ones, timeouts, deadline. */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect } from "effect"
import { VERSION } from "../src/internal/userAgent.ts"
import { failureOf } from "./exits.ts"
import { makeFake, type Reply, testOptions, useClient, withTime, withTokens } from "./fake.ts"

const system: Reply = {
  body: { time_zone: "America/Los_Angeles", release_version: "10.1.0.cl", extra_field: { a: 1 } }
}

/** A handler answering `system` with the scripted replies in turn, then 200. */
const scripted = (replies: ReadonlyArray<Reply>) => {
  let i = 0
  return withTokens((request) => (request.path === "system" ? (replies[i++] ?? system) : { status: 404 }))
}

describe("requests", () => {
  it.effect("headers-on-every-request", () =>
    Effect.gen(function* () {
      const fake = makeFake(scripted([]))
      const info = yield* useClient(fake, testOptions(), (client) => client.system)
      expect(info.time_zone).toBe("America/Los_Angeles")
      expect(fake.seen.map((s) => s.path)).toEqual(["auth/token/full", "system", "auth/token/revoke"])
      for (const request of fake.seen) {
        // Exactly these headers (plus the credential): no tracing headers leak our span ids to the cluster.
        const names = Object.keys(request.headers).filter((h) => h !== "authorization" && h !== "content-length")
        expect(names.sort()).toEqual(["accept", "content-type", "user-agent"])
        expect(request.headers["content-type"]).toBe("application/json")
        expect(request.headers["accept"]).toBe("application/json")
        expect(request.headers["user-agent"]).toMatch(
          new RegExp(`^spotpipe/${VERSION.replaceAll(".", "\\.")} \\(node/\\d+\\.\\d+\\.\\d+; \\w+ \\w+\\)$`)
        )
      }
      expect(fake.seen[0]!.headers["authorization"]).toBeUndefined() // token calls carry no credential
      expect(fake.seen[1]!.headers["authorization"]).toBe("Bearer tok-1")
      expect(fake.seen[0]!.body).toEqual({ username: "tsUserA", password: "Pa55-word-that-must-not-leak" })
    })
  )

  it.effect("version-matches-package-json", () =>
    Effect.promise(async () => {
      const { readFile } = await import("node:fs/promises")
      const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
      expect(VERSION).toBe(pkg.version)
    })
  )

  it.effect("transient-failures-are-retried-until-success", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        scripted([
          { status: 503, body: { error: { message: { debug: { code: 10000, debug: "[null]" } } } } },
          { reset: true },
          { status: 429, headers: { "retry-after": "2" } },
          { status: 502 },
          { status: 200, body: '{"time_zone": "America/Los_Ang' }, // cut short in transit
          { status: 408 }
        ])
      )
      const info = yield* withTime(useClient(fake, testOptions({ retry: { maxAttempts: 8 } }), (c) => c.system))
      expect(info.time_zone).toBe("America/Los_Angeles")
      const calls = fake.seen.filter((s) => s.path === "system")
      expect(calls).toHaveLength(7)
      // the attempt after the 429 waited at least its Retry-After
      expect(calls[3]!.at - calls[2]!.at).toBeGreaterThanOrEqual(1_999.9)
    })
  )

  it.effect("permanent-failures-are-not-retried", () =>
    Effect.gen(function* () {
      for (const status of [400, 403, 404, 415]) {
        const fake = makeFake(scripted([{ status, body: { error: { message: { code: 10002, debug: "nope" } } } }]))
        const exit = yield* Effect.exit(withTime(useClient(fake, testOptions(), (c) => c.system)))
        expect(failureOf(exit).reason.status).toBe(status)
        expect(fake.seen.filter((s) => s.path === "system")).toHaveLength(1)
      }
    })
  )

  it.effect("gives-up-after-the-attempt-budget", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => (r.path === "system" ? { status: 503 } : { status: 404 })))
      const exit = yield* Effect.exit(
        withTime(useClient(fake, testOptions({ retry: { maxAttempts: 4 } }), (c) => c.system))
      )
      const error = failureOf(exit)
      expect([error.reason._tag, error.reason.status]).toEqual(["Server", 503])
      expect(fake.seen.filter((s) => s.path === "system")).toHaveLength(4)
    })
  )

  it.effect("retry-after-is-capped", () =>
    Effect.gen(function* () {
      const fake = makeFake(scripted([{ status: 429, headers: { "retry-after": "3600" } }]))
      yield* withTime(useClient(fake, testOptions({ retry: { retryAfterCapMillis: 5_000 } }), (c) => c.system))
      const calls = fake.seen.filter((s) => s.path === "system")
      expect(calls).toHaveLength(2)
      const waited = calls[1]!.at - calls[0]!.at
      expect(waited).toBeGreaterThanOrEqual(4_999.9)
      // The cap, plus the first step's jitter (at most 500 ms) on top.
      expect(waited).toBeLessThan(5_500)
    })
  )

  it.effect("slow-attempt-times-out-and-is-retried", () =>
    Effect.gen(function* () {
      const fake = makeFake(scripted([{ delayMillis: 3_600_000, ...system }]))
      const info = yield* withTime(
        useClient(fake, testOptions({ retry: { attemptTimeoutMillis: 10_000 } }), (c) => c.system),
        1_000
      )
      expect(info.time_zone).toBe("America/Los_Angeles")
      const calls = fake.seen.filter((s) => s.path === "system")
      expect(calls).toHaveLength(2)
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(9_999.9)
    })
  )

  it.effect("overall-deadline-stops-retrying", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r) => (r.path === "system" ? { status: 503, delayMillis: 20_000 } : { status: 404 }))
      )
      const start = yield* Clock.currentTimeMillis
      const exit = yield* Effect.exit(
        withTime(
          useClient(fake, testOptions({ retry: { maxAttempts: 100, deadlineMillis: 60_000 } }), (c) => c.system),
          1_000
        )
      )
      const error = failureOf(exit)
      // the third 20 s attempt is still running when the 60 s budget ends
      expect([error.reason._tag, error.isRetryable]).toEqual(["Timeout", false])
      expect(error.message).toContain("deadline")
      const last = fake.seen.filter((s) => s.path === "system").at(-1)!
      expect(last.at - start).toBeLessThan(60_000)
    })
  )

  it.effect("unknown-response-fields-are-tolerated-and-wrong-shapes-rejected", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r) =>
          r.path === "auth/session/user"
            ? { body: { id: 1, name: "x" } } // id must be a string; display_name missing
            : system
        )
      )
      const info = yield* useClient(fake, testOptions(), (c) => c.system)
      expect(info).not.toHaveProperty("extra_field")
      const exit = yield* Effect.exit(useClient(fake, testOptions(), (c) => c.currentUser))
      const error = failureOf(exit)
      expect([error.reason._tag, error.isRetryable]).toEqual(["ResponseDecode", false])
      expect(fake.seen.filter((s) => s.path === "auth/session/user")).toHaveLength(1)
    })
  )
})
