/**
 * Client-side rate limiter: at most `requestsPerSecond` requests, with an optional burst, slowing down while the
 * server turns requests away for their rate.
 *
 * ThoughtSpot allows 100 requests/s per client IP (plus a burst of 10) and answers 429 beyond; staying under
 * it is cheaper than retrying. This is the generic cell rate algorithm: one "theoretical arrival time" that
 * each request pushes forward by `1000 / rate` ms; a request arriving earlier than that (less the burst
 * tolerance) waits the difference. Each caller reserves its slot synchronously, so concurrent callers queue
 * fairly without a lock. Time comes from `Clock` (tests use `TestClock`).
 *
 * A cluster may allow less than the configured rate (an admin's setting, a proxy, other clients on the same
 * address). Then retries alone lose: every refused request burns an attempt, and the requests behind it keep
 * coming at the same rate. So a 429 halves the rate (additive increase, multiplicative decrease, as TCP does):
 * waiting in the limiter costs no attempt. Each answer that is not a 429 brings the rate back up by about one
 * request/s per second, up to the configured rate.
 * (Effect's `persistence/RateLimiter` targets shared stores and fails or delays by key; this is all we need.)
 */
import { Clock, Duration, Effect } from "effect"

/** Waits as long as needed to keep the request rate, which the server's answers may lower for a while. */
export interface RateLimiter {
  /** Reserves the next slot and waits until it comes. */
  readonly take: Effect.Effect<void>
  /**
   * Reports how a request that asked for its slot at `askedAtMillis` (when its `take` began) was answered:
   * `throttled` for a 429. A 429 halves the rate, once per round (a request whose slot was given out before the
   * last slow-down tells nothing new about the slower rate); any other answer raises it again towards the
   * configured rate.
   */
  readonly answered: (askedAtMillis: number, throttled: boolean) => Effect.Effect<void>
}

/** Rate limiter settings; a field left out or given as `undefined` takes its default. */
export interface RateLimitOptions {
  /** Sustained rate; `Infinity` turns the limiter off (nor does it slow down after a 429). Default 100. */
  readonly requestsPerSecond?: number | undefined
  /** Requests that may go at once after an idle period. Default 1 (evenly spaced). */
  readonly burst?: number | undefined
}

/** Default: 100 requests/s, ThoughtSpot's documented per-IP limit, evenly spaced. */
export const defaults: { readonly requestsPerSecond: number; readonly burst: number } = {
  requestsPerSecond: 100,
  burst: 1
}

/** The slowest the limiter goes on its own after 429s (unless configured slower): one request/s. */
export const slowestRequestsPerSecond = 1

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
    if (requestsPerSecond === Number.POSITIVE_INFINITY) return { take: Effect.void, answered: () => Effect.void }
    const slots = Math.max(1, burst ?? defaults.burst) - 1
    const floor = Math.min(requestsPerSecond, slowestRequestsPerSecond)
    let rate = requestsPerSecond
    let slowedAt = Number.NEGATIVE_INFINITY
    let theoreticalArrival = Number.NEGATIVE_INFINITY
    const take = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const interval = 1000 / rate
      const slot = Math.max(theoreticalArrival, now)
      theoreticalArrival = slot + interval
      const wait = slot - interval * slots - now
      return wait > 0 ? Effect.sleep(Duration.millis(wait)) : Effect.void
    })
    const answered = (askedAtMillis: number, throttled: boolean): Effect.Effect<void> => {
      if (!throttled) {
        // About +1 request/s per second of answers: 1/rate per answer, at `rate` answers a second.
        if (rate < requestsPerSecond) rate = Math.min(requestsPerSecond, rate + 1 / rate)
        return Effect.void
      }
      if (askedAtMillis <= slowedAt || rate <= floor) return Effect.void
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        slowedAt = now
        rate = Math.max(floor, rate / 2)
        // At debug level: the retry lines already say that requests were turned away.
        return Effect.logDebug(
          `ThoughtSpot refused a request for its rate (HTTP 429): slowing down to ${formatRate(rate)} requests/s`
        )
      })
    }
    return { take, answered }
  })

const formatRate = (rate: number): string => (Number.isInteger(rate) ? String(rate) : rate.toFixed(1))
