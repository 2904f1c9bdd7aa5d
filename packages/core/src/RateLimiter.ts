/**
 * Client-side rate limiter: at most `requestsPerSecond` requests, with an optional burst.
 *
 * ThoughtSpot allows 100 requests/s per client IP (plus a burst of 10) and answers 429 beyond; staying under
 * it is cheaper than retrying. This is the generic cell rate algorithm: one "theoretical arrival time" that
 * each request pushes forward by `1000 / rate` ms; a request arriving earlier than that (less the burst
 * tolerance) waits the difference. Each caller reserves its slot synchronously, so concurrent callers queue
 * fairly without a lock. Time comes from `Clock` (tests use `TestClock`).
 * (Effect's `persistence/RateLimiter` targets shared stores and fails or delays by key; this is all we need.)
 */
import { Clock, Duration, Effect } from "effect"

/** Waits as long as needed to keep the configured request rate. */
export interface RateLimiter {
  /** Reserves the next slot and waits until it comes. */
  readonly take: Effect.Effect<void>
}

/** Rate limiter settings; a field left out or given as `undefined` takes its default. */
export interface RateLimitOptions {
  /** Sustained rate; `Infinity` disables the limiter. Default 100. */
  readonly requestsPerSecond?: number | undefined
  /** Requests that may go at once after an idle period. Default 1 (evenly spaced). */
  readonly burst?: number | undefined
}

/** Default: 100 requests/s, ThoughtSpot's documented per-IP limit, evenly spaced. */
export const defaults: { readonly requestsPerSecond: number; readonly burst: number } = {
  requestsPerSecond: 100,
  burst: 1
}

/**
 * Creates a rate limiter ({@link defaults} for what `options` leaves out, e.g. only a `burst` at the default rate).
 * A rate that is not above 0 (0, negative, NaN) or a burst that is not a finite number is a programming error: it
 * dies with a `RangeError` that says so (such values used to let every request through).
 */
export const make = (options: RateLimitOptions = {}): Effect.Effect<RateLimiter> =>
  Effect.sync(() => {
    const requestsPerSecond = options.requestsPerSecond ?? defaults.requestsPerSecond
    const burst = options.burst
    if (!(requestsPerSecond > 0)) {
      throw new RangeError(
        `rateLimit.requestsPerSecond must be a number above 0 (Infinity turns the limiter off), got ${requestsPerSecond}`
      )
    }
    if (burst !== undefined && !Number.isFinite(burst)) {
      throw new RangeError(`rateLimit.burst must be a finite number of requests (default 1), got ${burst}`)
    }
    if (requestsPerSecond === Number.POSITIVE_INFINITY) return { take: Effect.void }
    const interval = 1000 / requestsPerSecond
    const tolerance = interval * (Math.max(1, burst ?? defaults.burst) - 1)
    let theoreticalArrival = Number.NEGATIVE_INFINITY
    const take = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const slot = Math.max(theoreticalArrival, now)
      theoreticalArrival = slot + interval
      const wait = slot - tolerance - now
      return wait > 0 ? Effect.sleep(Duration.millis(wait)) : Effect.void
    })
    return { take }
  })
