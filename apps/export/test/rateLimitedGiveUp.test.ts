/**
 * A request still rate limited when core stops retrying: core stops when the attempts run out or when the next
 * wait would cross the deadline, and its error is the same either way, so the line names neither.
 */
import { assert, describe, it } from "@effect/vitest"
import { ThoughtSpotError as CoreErrors, RetryPolicy } from "@spotpipe/core"
import { fromThoughtSpot } from "../src/Failure.ts"

const rateLimited = new CoreErrors.ThoughtSpotError({
  operation: "searchData",
  reason: new CoreErrors.RateLimited({ description: "ThoughtSpot is rate limiting requests (HTTP 429)", status: 429 })
})

describe("rate limited past the retries", () => {
  it("the-line-does-not-blame-the-deadline-when-the-attempts-ran-out", () => {
    // Core gives up here on the attempts, long before the deadline.
    const policy = RetryPolicy.defaults
    const delay = RetryPolicy.nextDelay(policy, {
      error: rateLimited,
      attempts: policy.maxAttempts,
      elapsedMillis: 17_500,
      random: 0.5
    })
    assert.isUndefined(delay)
    const line = fromThoughtSpot(rateLimited, 'export 2 (answer "Order Details")').message
    assert.notInclude(line, "deadline")
    assert.include(line, 'rate limited by ThoughtSpot while reading export 2 (answer "Order Details")')
    assert.include(
      line,
      "still at its last retry: run again later, or send fewer requests at once: a lower --rate-limit or --concurrency"
    )
  })
})
