/** Retry policy as data: which failures, how long to wait, when to stop. */
import { describe, expect, it } from "@effect/vitest"
import { RetryPolicy } from "../src/index.ts"
import * as Classify from "../src/internal/classify.ts"

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
