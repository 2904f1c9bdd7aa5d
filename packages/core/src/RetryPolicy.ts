/**
 * Retry policy as data, and the `Schedule` built from it.
 *
 * Which failures are retried is the error's own `isRetryable` (transport errors, timeouts, 408, 429, 502,
 * 503, 504 and 500s that are not permission errors; never 400/401/403/404/415). The policy says how: bounded
 * attempts, exponential backoff with full jitter (a random delay between 0 and the exponential step, which
 * spreads synchronised clients best), a `Retry-After` honoured but capped (with the jitter on top), and an
 * overall deadline after which no new attempt starts. Time comes from `Clock` and randomness from `Random`, so
 * tests drive both.
 */
import { Cause, Clock, Duration, Effect, Random, Result, Schedule } from "effect"
import { Headers } from "effect/http"
import type { ThoughtSpotError } from "./ThoughtSpotError.ts"

/** How failed requests are retried. All durations in milliseconds. */
export interface RetryPolicy {
  /** Total attempts per request, the first included (1 = never retry). */
  readonly maxAttempts: number
  /** First backoff step; step n is `base × 2^(n-1)`, capped at `maxDelayMillis`, then fully jittered. */
  readonly baseDelayMillis: number
  /** Cap of one backoff step. */
  readonly maxDelayMillis: number
  /**
   * Cap on a server's `Retry-After`: a server asking for an hour does not stall the export for an hour. The
   * step's jitter is added on top, so the callers a server turned away together do not come back together.
   */
  readonly retryAfterCapMillis: number
  /** Overall budget of one request, retries and waits included; no attempt starts after it. */
  readonly deadlineMillis: number
  /** Timeout of one attempt (sending, waiting and reading the whole body). */
  readonly attemptTimeoutMillis: number
  /**
   * Attempts while the connection is refused (`ECONNREFUSED`: nothing listens at the host and port), the first
   * included: a restarting server refuses briefly, a wrong port forever. At most `maxAttempts`.
   */
  readonly refusedAttempts: number
}

/**
 * Defaults: 6 attempts (2 while the connection is refused), 500 ms base, 30 s step cap, Retry-After capped at
 * 60 s, 10 min deadline, 2 min per attempt.
 */
export const defaults: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMillis: 500,
  maxDelayMillis: 30_000,
  retryAfterCapMillis: 60_000,
  deadlineMillis: 600_000,
  attemptTimeoutMillis: 120_000,
  refusedAttempts: 2
}

/**
 * The defaults with some fields replaced (a field given as `undefined` keeps its default). A value that cannot be
 * meant is a programming error and throws a `RangeError` naming the field and the value, rather than quietly
 * giving one attempt or none: attempts must be whole numbers of at least 1; `baseDelayMillis` a finite number of
 * at least 0; `maxDelayMillis` and `retryAfterCapMillis` at least 0 (`Infinity`: no cap); `deadlineMillis` and
 * `attemptTimeoutMillis` above 0 (`Infinity`: none).
 */
export const make = (
  overrides: { readonly [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined } = {}
): RetryPolicy => {
  const policy: Record<string, number> = { ...defaults }
  for (const [field, value] of Object.entries(overrides)) if (value !== undefined) policy[field] = value
  for (const [field, rule] of Object.entries(rules)) {
    const value = policy[field]
    if (!rule.holds(value)) throw new RangeError(`retry.${field} must be ${rule.says}, got ${describe(value)}`)
  }
  return policy as unknown as RetryPolicy
}

const isWhole = (value: unknown) => typeof value === "number" && Number.isInteger(value) && value >= 1
const isAtLeastZero = (value: unknown) => typeof value === "number" && value >= 0
const isAboveZero = (value: unknown) => typeof value === "number" && value > 0
const rules: Record<keyof RetryPolicy, { readonly holds: (value: unknown) => boolean; readonly says: string }> = {
  maxAttempts: { holds: isWhole, says: "a whole number of attempts of at least 1 (1 = never retry)" },
  refusedAttempts: { holds: isWhole, says: "a whole number of attempts of at least 1" },
  baseDelayMillis: {
    holds: (value) => isAtLeastZero(value) && Number.isFinite(value),
    says: "a finite number of milliseconds of at least 0"
  },
  maxDelayMillis: { holds: isAtLeastZero, says: "a number of milliseconds of at least 0 (Infinity: no cap)" },
  retryAfterCapMillis: { holds: isAtLeastZero, says: "a number of milliseconds of at least 0 (Infinity: no cap)" },
  deadlineMillis: { holds: isAboveZero, says: "a number of milliseconds above 0 (Infinity: no deadline)" },
  attemptTimeoutMillis: { holds: isAboveZero, says: "a number of milliseconds above 0 (Infinity: no timeout)" }
}

// A string is quoted so that "5" (a number given as text) does not read as 5.
const describe = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value))

/** What `nextDelay` needs to know about the failure so far. */
export interface RetryInput {
  /** The failure of the attempt just made. */
  readonly error: ThoughtSpotError
  /** Attempts made so far (1 after the first failure). */
  readonly attempts: number
  /** Time since the first attempt started. */
  readonly elapsedMillis: number
  /** A uniform random number in [0, 1) for the jitter. */
  readonly random: number
}

/**
 * The delay before the next attempt, or `undefined` to give up: the error is not retryable, the attempts are
 * used up, or waiting would cross the deadline.
 */
export const nextDelay = (policy: RetryPolicy, input: RetryInput): number | undefined => {
  if (!input.error.isRetryable || input.attempts >= attemptsAfter(policy, input.error)) return undefined
  const step = Math.min(policy.maxDelayMillis, policy.baseDelayMillis * 2 ** (input.attempts - 1))
  // The jitter goes on top of a Retry-After: the server tells every refused caller the same time, and callers
  // that all come back then are refused together again.
  const retryAfter = input.error.retryAfterMillis
  const delay = (retryAfter === undefined ? 0 : Math.min(retryAfter, policy.retryAfterCapMillis)) + input.random * step
  return input.elapsedMillis + delay >= policy.deadlineMillis ? undefined : delay
}

/**
 * The attempts a request gets in all when its last attempt failed with `error`: `refusedAttempts` (at most
 * `maxAttempts`) while the connection is refused, else `maxAttempts`. The retry log names this total.
 */
export const attemptsAfter = (policy: RetryPolicy, error: ThoughtSpotError): number => {
  const reason = error.reason
  return reason._tag === "Transport" && reason.networkCode === "ECONNREFUSED"
    ? Math.min(policy.maxAttempts, policy.refusedAttempts)
    : policy.maxAttempts
}

/**
 * Why a retry waits, as its log line says it to whoever runs the program: the reason's message without its tag
 * (`Server`, a name for code: the message says what happened), and a timed-out attempt without the option's
 * name, which is a program's setting, not its user's (the error's own message keeps it).
 */
const waitReason = (error: ThoughtSpotError): string => {
  const reason = error.reason
  if (reason._tag === "Timeout" && reason.limit === "attempt" && reason.limitMillis !== undefined) {
    const millis = reason.limitMillis
    return `no complete response within ${millis % 1000 === 0 ? `${millis / 1000} s` : `${millis} ms`} (one attempt's time limit)`
  }
  return reason.message
}

/** A delay as the retry log says it: seconds with one decimal (`2.4 s`). */
export const formatSeconds = (millis: number): string => `${(millis / 1000).toFixed(1)} s`

/**
 * A `Schedule` for `Effect.retry` following the policy, retrying only the failures `retries` accepts (the
 * caller's own rule, e.g. a call that may have changed something). Its clock starts when the retried effect
 * starts; each wait is logged at info level, `retrying searchData in 2.4 s (attempt 2 of 6): ThoughtSpot server
 * error (HTTP 503)`, so a slow or failing server is never silent (the reason text is scrubbed of secrets by the
 * classifier; see {@link waitReason} for how it is said). The rule is
 * applied here, before the log, rather than as `Effect.retry`'s `while`: that is checked after the schedule's
 * step, which would announce a retry that never comes.
 */
export const schedule = (
  policy: RetryPolicy,
  retries: (error: ThoughtSpotError) => boolean = () => true
): Schedule.Schedule<number, ThoughtSpotError> =>
  Schedule.fromStepWithMetadata(
    Effect.map(
      Clock.currentTimeMillis,
      (start) => (meta: Schedule.InputMetadata<ThoughtSpotError>) =>
        Effect.flatMap(Random.next, (random) => {
          if (!retries(meta.input)) return Cause.done(meta.attempt)
          const delay = nextDelay(policy, {
            error: meta.input,
            attempts: meta.attempt,
            elapsedMillis: meta.now - start,
            random
          })
          if (delay === undefined) return Cause.done(meta.attempt)
          return Effect.as(
            Effect.logInfo(
              `retrying ${meta.input.operation} in ${formatSeconds(delay)} (attempt ${meta.attempt + 1} of ${attemptsAfter(policy, meta.input)}): ${waitReason(meta.input)}`
            ),
            [meta.attempt, Duration.millis(delay)] as [number, Duration.Duration]
          )
        })
    )
  )

/** Parses a `Retry-After` header (delay in seconds, or an HTTP date) into milliseconds from `nowMillis`. */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): number | undefined => {
  if (value === undefined) return undefined
  const parsed = Headers.parseRetryAfter(value)
  return Result.isSuccess(parsed) ? Duration.toMillis(Headers.retryAfterDelay(parsed.success, nowMillis)) : undefined
}
