/** Retry policy as data: which failures, how long to wait, when to stop. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { RetryPolicy } from "../src/index.ts"
import * as Classify from "../src/internal/classify.ts"
import { makeFake, testOptions, useClient, withTokens } from "./fake.ts"

const status = (code: number, retryAfter?: string) =>
  Classify.fromResponse({ operation: "op", status: code, retryAfter, body: "", nowMillis: 0, scrub: (t) => t })

const policy = RetryPolicy.make({
  maxAttempts: 5,
  baseDelayMillis: 100,
  maxDelayMillis: 1_000,
  retryAfterCapMillis: 5_000,
  deadlineMillis: 60_000
})

describe("RetryPolicy.nextDelay", () => {
  it("full-jitter-within-the-exponential-step", () => {
    const at = (attempts: number, random: number) =>
      RetryPolicy.nextDelay(policy, { error: status(503), attempts, elapsedMillis: 0, random })
    expect([at(1, 0), at(1, 0.5), at(1, 0.999)]).toEqual([0, 50, 99.9])
    expect(at(3, 0.5)).toBe(200) // 100 × 2² × 0.5
    expect(at(4, 1 - Number.EPSILON)).toBeLessThan(800)
    // steps are capped at maxDelayMillis
    const capped = RetryPolicy.make({ ...policy, maxAttempts: 20 })
    expect(RetryPolicy.nextDelay(capped, { error: status(503), attempts: 15, elapsedMillis: 0, random: 0.5 })).toBe(500)
  })

  it("never-retried-statuses", () => {
    for (const code of [400, 401, 403, 404, 415]) {
      expect(RetryPolicy.nextDelay(policy, { error: status(code), attempts: 1, elapsedMillis: 0, random: 0.5 })).toBe(
        undefined
      )
    }
  })

  it("bounded-attempts", () => {
    expect(RetryPolicy.nextDelay(policy, { error: status(502), attempts: 4, elapsedMillis: 0, random: 0 })).toBe(0)
    expect(RetryPolicy.nextDelay(policy, { error: status(502), attempts: 5, elapsedMillis: 0, random: 0 })).toBe(
      undefined
    )
  })

  it("retry-after-honoured-but-capped", () => {
    expect(RetryPolicy.nextDelay(policy, { error: status(429, "2"), attempts: 1, elapsedMillis: 0, random: 0 })).toBe(
      2_000
    )
    expect(
      RetryPolicy.nextDelay(policy, { error: status(429, "3600"), attempts: 1, elapsedMillis: 0, random: 0 })
    ).toBe(5_000)
  })

  it("no-attempt-past-the-deadline", () => {
    expect(
      RetryPolicy.nextDelay(policy, { error: status(429, "2"), attempts: 1, elapsedMillis: 58_500, random: 0 })
    ).toBe(undefined)
    expect(
      RetryPolicy.nextDelay(policy, { error: status(429, "2"), attempts: 1, elapsedMillis: 57_000, random: 0 })
    ).toBe(2_000)
  })

  it("parse-retry-after", () => {
    const now = Date.UTC(2026, 10, 27, 12, 0, 0)
    expect(RetryPolicy.parseRetryAfter("120", now)).toBe(120_000)
    expect(RetryPolicy.parseRetryAfter("Fri, 27 Nov 2026 12:00:10 GMT", now)).toBe(10_000)
    expect(RetryPolicy.parseRetryAfter("Fri, 27 Nov 2026 11:00:00 GMT", now)).toBe(0)
    expect(RetryPolicy.parseRetryAfter("later", now)).toBe(undefined)
    expect(RetryPolicy.parseRetryAfter(undefined, now)).toBe(undefined)
  })
})

describe("RetryPolicy.make", () => {
  it("a-policy-value-that-cannot-be-meant-is-refused-naming-the-field", () => {
    // Each of these used to give one attempt, no timeout at all, or an attempt that timed out at once.
    const refused: ReadonlyArray<[Partial<RetryPolicy.RetryPolicy>, string]> = [
      [{ maxAttempts: Number.NaN }, "retry.maxAttempts must be a whole number of attempts of at least 1"],
      [
        { maxAttempts: 0 },
        "retry.maxAttempts must be a whole number of attempts of at least 1 (1 = never retry), got 0"
      ],
      [{ maxAttempts: -3 }, "retry.maxAttempts"],
      [{ maxAttempts: 2.5 }, "got 2.5"],
      [{ maxAttempts: "5" as unknown as number }, 'got "5"'],
      [{ refusedAttempts: 0 }, "retry.refusedAttempts"],
      [{ baseDelayMillis: Number.NaN }, "retry.baseDelayMillis must be a finite number of milliseconds"],
      [{ baseDelayMillis: -1 }, "retry.baseDelayMillis"],
      [{ baseDelayMillis: Number.POSITIVE_INFINITY }, "got Infinity"],
      [{ maxDelayMillis: -1 }, "retry.maxDelayMillis"],
      [{ retryAfterCapMillis: Number.NaN }, "retry.retryAfterCapMillis"],
      [
        { deadlineMillis: Number.NaN },
        "retry.deadlineMillis must be a number of milliseconds above 0 (Infinity: no deadline), got NaN"
      ],
      [{ deadlineMillis: 0 }, "retry.deadlineMillis"],
      [{ attemptTimeoutMillis: -5 }, "retry.attemptTimeoutMillis must be a number of milliseconds above 0"]
    ]
    for (const [overrides, message] of refused) {
      expect(() => RetryPolicy.make(overrides), JSON.stringify(overrides)).toThrow(RangeError)
      expect(() => RetryPolicy.make(overrides), JSON.stringify(overrides)).toThrow(message)
    }
  })

  it.effect("a-client-with-such-a-retry-option-is-refused-before-any-request", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" } })))
      const exit = yield* Effect.exit(useClient(fake, testOptions({ retry: { maxAttempts: 0 } }), (c) => c.system))
      expect(Exit.isFailure(exit) && exit.cause.reasons.some((r) => r._tag === "Die")).toBe(true)
      expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("retry.maxAttempts must be a whole number")
      expect(fake.seen).toHaveLength(0)
    })
  )

  it("infinity-and-undefined-are-meant", () => {
    const open = RetryPolicy.make({
      deadlineMillis: Number.POSITIVE_INFINITY,
      maxDelayMillis: Number.POSITIVE_INFINITY
    })
    expect(open.deadlineMillis).toBe(Number.POSITIVE_INFINITY)
    // An override given as undefined (a JavaScript caller, an optional field passed through) keeps the default.
    expect(RetryPolicy.make({ maxAttempts: undefined } as unknown as Partial<RetryPolicy.RetryPolicy>)).toEqual(
      RetryPolicy.defaults
    )
    expect(RetryPolicy.make({ maxAttempts: 1, baseDelayMillis: 0 }).maxAttempts).toBe(1)
  })
})
