/**
 * After a 429 the limiter slows down (the rate halved, once per round), and speeds up again with the answers
 * that follow, up to the configured rate; a retry after a 429 waits the server's Retry-After plus jitter, so the
 * callers it turned away together do not come back together. All in virtual time.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Logger, References } from "effect"
import { RateLimiter, RetryPolicy } from "../src/index.ts"
import * as Classify from "../src/internal/classify.ts"
import { withTime } from "./fake.ts"

/** When each of `count` takes, one after another, got its slot (ms after the first). */
const spacing = (limiter: RateLimiter.RateLimiter, count: number) =>
  withTime(
    Effect.gen(function* () {
      const times: Array<number> = []
      for (let i = 0; i < count; i++) {
        yield* limiter.take
        times.push(yield* Clock.currentTimeMillis)
      }
      return times.map((t) => Math.round(t - times[0]!))
    }),
    1
  )

const quiet = Effect.provide(Logger.layer([]))

describe("the rate limiter after a 429", () => {
  it.effect("a-429-halves-the-rate-once-per-round", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ requestsPerSecond: 10 })
      const asked = yield* Clock.currentTimeMillis
      yield* limiter.take
      // Three requests that had their slots before the first 429 came back: one slow-down, not three.
      for (let i = 0; i < 3; i++) yield* limiter.answered(asked, true)
      expect(yield* spacing(limiter, 3)).toEqual([0, 200, 400])
      // A request asked for after the slow-down, refused too: halved again.
      yield* limiter.answered(yield* Clock.currentTimeMillis, true)
      expect((yield* spacing(limiter, 3)).slice(1)).toEqual([400, 800])
    }).pipe(quiet)
  )

  it.effect("answers-bring-it-back-up-to-the-configured-rate-and-no-further", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ requestsPerSecond: 10 })
      yield* limiter.answered(yield* Clock.currentTimeMillis, true)
      expect(yield* spacing(limiter, 2)).toEqual([0, 200])
      for (let i = 0; i < 100; i++) yield* limiter.answered(yield* Clock.currentTimeMillis, false)
      expect((yield* spacing(limiter, 3)).slice(1)).toEqual([100, 200])
    }).pipe(quiet)
  )

  it.effect("it-never-goes-below-one-request-a-second-unless-configured-slower", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ requestsPerSecond: 100 })
      // Twenty rounds, each refused: 100, 50, 25, … 1 request/s, then no slower.
      yield* withTime(
        Effect.gen(function* () {
          for (let i = 0; i < 20; i++) {
            const asked = yield* Clock.currentTimeMillis
            yield* limiter.take
            yield* limiter.answered(asked, true)
            yield* Effect.sleep(1)
          }
        }),
        1
      )
      expect((yield* spacing(limiter, 3)).slice(1)).toEqual([1_000, 2_000])
      const slow = yield* RateLimiter.make({ requestsPerSecond: 0.5 })
      yield* slow.answered(yield* Clock.currentTimeMillis, true)
      expect((yield* spacing(slow, 2)).slice(1)).toEqual([2_000])
    }).pipe(quiet)
  )

  it.effect("a-limiter-turned-off-stays-off", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ requestsPerSecond: Number.POSITIVE_INFINITY })
      yield* limiter.answered(yield* Clock.currentTimeMillis, true)
      // No clock is moved: the takes would never end if they waited.
      for (let i = 0; i < 100; i++) yield* limiter.take
    })
  )

  it.effect("the-slow-down-is-logged-at-debug-level", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const limiter = yield* RateLimiter.make({ requestsPerSecond: 100 })
      yield* limiter
        .answered(yield* Clock.currentTimeMillis, true)
        .pipe(
          Effect.provide(
            Logger.layer([
              Logger.make(({ logLevel, message }) =>
                lines.push(`${logLevel}: ${(message as ReadonlyArray<string>).join(" ")}`)
              )
            ])
          ),
          Effect.provideService(References.MinimumLogLevel, "Debug")
        )
      expect(lines).toEqual([
        "Debug: ThoughtSpot refused a request for its rate (HTTP 429): slowing down to 50 requests/s"
      ])
    })
  )
})

describe("the wait after a 429", () => {
  const policy = RetryPolicy.make({ baseDelayMillis: 100, maxDelayMillis: 1_000, retryAfterCapMillis: 5_000 })
  const refused = (retryAfter: string) =>
    Classify.fromResponse({ operation: "op", status: 429, retryAfter, body: "", nowMillis: 0, scrub: (t) => t })
  const delay = (retryAfter: string, attempts: number, random: number) =>
    RetryPolicy.nextDelay(policy, { error: refused(retryAfter), attempts, elapsedMillis: 0, random })

  it("jitter-goes-on-top-of-the-retry-after", () => {
    expect([delay("1", 1, 0), delay("1", 1, 0.5), delay("1", 1, 0.999)]).toEqual([1_000, 1_050, 1_099.9])
    // The spread grows with the attempts, as the backoff step does.
    expect(delay("1", 3, 0.5)).toBe(1_200)
    // The cap applies to the server's Retry-After; the jitter still spreads the callers it sends back.
    expect(delay("3600", 1, 0.5)).toBe(5_050)
  })

  it("the-final-error-says-what-to-do", () => {
    expect(refused("1").message).toContain(
      "if it keeps doing so, send fewer requests at once: a lower rateLimit.requestsPerSecond or concurrency, or fewer streams read in parallel"
    )
  })
})
