/**
 * Token lifecycle: obtains the credential for the configured `AuthMethod`, caches it, renews it shortly before
 * it expires and once after a 401, and gives it up (revoke / logout) when the client shuts down.
 *
 * Renewal is single-flight: the first caller that needs a new credential takes a one-permit semaphore and
 * fetches; everyone waiting behind it re-checks on entry and finds the fresh credential, so N concurrent
 * callers with an expired token cause exactly one token request. Expiry is tracked on the client's `Clock`
 * using the server's own validity (`expiration − creation`), so a skewed client clock does not matter.
 */
import { Clock, Effect, Fiber, Redacted, type Scope, Semaphore } from "effect"
import { Cookies, HttpClientRequest } from "effect/http"
import type * as Auth from "../Auth.ts"
import * as RetryPolicy from "../RetryPolicy.ts"
import { TokenResponse } from "../ThoughtSpotApi.ts"
import { Authentication, ThoughtSpotError, Timeout } from "../ThoughtSpotError.ts"
import * as Classify from "./classify.ts"
import type { Call, Credential, CredentialSource, Requester } from "./Requester.ts"
import { decodeJson } from "./Requester.ts"

/** Token lifecycle settings. */
export interface TokenManagerOptions {
  /** Renew this long before expiry (capped at a quarter of the token's validity). Default 30 s. */
  readonly refreshSkewMillis?: number | undefined
  /** Revoke minted tokens / log out of sessions on shutdown. Default true. */
  readonly releaseOnClose?: boolean | undefined
  /**
   * The client's retry policy, which the release calls follow made short ({@link releasePolicyOf}). Default
   * `RetryPolicy.defaults`.
   */
  readonly retry?: RetryPolicy.RetryPolicy | undefined
  /**
   * Where the release at close goes: with the releases of the client's other token managers (one per Org), run
   * together. Default: a finalizer of the manager's own scope.
   */
  readonly releases?: Releases | undefined
}

/** The credential source for authenticated calls, plus observability for tests and logs. */
export interface TokenManager extends CredentialSource {
  /** Number of token / login requests made so far. */
  readonly issued: Effect.Effect<number>
}

interface Cached {
  readonly credential: Credential
  /** Client-clock time after which the credential must be renewed first. */
  readonly renewAt: number
  /** The raw secret (token or cookie header), for revoke/logout on close. */
  readonly secret: string
}

const bearer = (generation: number, token: string): Credential => ({
  generation,
  apply: HttpClientRequest.setHeader("authorization", `Bearer ${token}`)
})

const cookie = (generation: number, header: string): Credential => ({
  generation,
  apply: HttpClientRequest.setHeader("cookie", header)
})

/** The releases of several token managers (a client's, and one per Org it addresses), run together at close. */
export interface Releases {
  readonly add: (release: Effect.Effect<void>) => void
}

/**
 * A finalizer of the scope that runs every release added to it at once: each is bounded, and the bounds of a
 * client's Orgs overlap instead of adding up (4 Orgs whose cluster does not answer: 5 s, not 20 s).
 */
export const makeReleases: Effect.Effect<Releases, never, Scope.Scope> = Effect.gen(function* () {
  const all: Array<Effect.Effect<void>> = []
  yield* Effect.addFinalizer(() =>
    Effect.forEach(all.splice(0), (release) => release, { concurrency: "unbounded", discard: true })
  )
  return { add: (release) => void all.push(release) }
})

/** A character HTTP does not allow in a header value: a control character, a line break, one beyond Latin-1. */
const notInHeader = /[^\t\x20-\x7e\x80-\xff]/

/**
 * Why a pre-issued token cannot go in a header, or `undefined`: an HTTP client refuses to send it, the same way
 * on every try. Where, not which character: the token is a secret.
 */
const unsendableToken = (token: string): string | undefined => {
  const at = token.search(notInHeader)
  if (at < 0) return undefined
  const where = at === token.length - 1 ? "at its end" : at === 0 ? "at its start" : "inside it"
  return `the bearer token holds a character HTTP does not allow in a header (a control character, a line break or one beyond Latin-1) ${where}: check how the token was copied`
}

/** What a 401 means for a pre-issued token, which cannot be renewed. */
const bearerRejected =
  "the bearer token was rejected: it has expired or been revoked; issue a new token (a pre-issued token cannot be renewed)"

/** How long a credential request still under way at close is awaited, so that a token it mints is released too. */
const SETTLE_MILLIS = 5_000

/**
 * The bound of a client's whole release at close — every revoke or logout, each attempt and wait — and of a
 * revoke of a stranded token: what the single attempt they once had was given, so that shutdown stays short.
 */
const RELEASE_MILLIS = 5_000

/**
 * The policy of the release calls (revoke, logout): the client's, made short so that shutdown stays bounded — at
 * most 3 attempts, waits of at most 1 s (a `Retry-After` capped at 2 s), all within 5 s; a client's release
 * shares that 5 s among its calls. A busy or restarting server (a 503) then still gets the token revoked.
 */
export const releasePolicyOf = (retry: RetryPolicy.RetryPolicy): RetryPolicy.RetryPolicy => ({
  ...retry,
  maxAttempts: Math.min(retry.maxAttempts, 3),
  refusedAttempts: Math.min(retry.refusedAttempts, 3),
  maxDelayMillis: Math.min(retry.maxDelayMillis, 1_000),
  retryAfterCapMillis: Math.min(retry.retryAfterCapMillis, 2_000),
  attemptTimeoutMillis: Math.min(retry.attemptTimeoutMillis, RELEASE_MILLIS),
  deadlineMillis: Math.min(retry.deadlineMillis, RELEASE_MILLIS)
})

/** A release call that ran out of the time shutdown gives a client's release. */
const releaseTimedOut = (operation: string, millis: number): ThoughtSpotError =>
  new ThoughtSpotError({
    operation,
    reason: new Timeout({
      retryable: false,
      description: `no answer within the ${millis / 1_000} s a client's release at shutdown is given, retries included`
    })
  })

/** A time left as a warning says it: `40 s`, `25 min`, `3 h` (rounded up). */
const within = (millis: number): string =>
  millis < 120_000
    ? `${Math.max(1, Math.ceil(millis / 1_000))} s`
    : millis < 2 * 3_600_000
      ? `${Math.ceil(millis / 60_000)} min`
      : `${Math.ceil(millis / 3_600_000)} h`

/** A credential source that always gives `credential` (a release signs in with what it releases). */
const fixedCredential = (credential: Credential): CredentialSource => ({
  current: Effect.succeed(credential),
  renew: () => Effect.succeed(credential)
})

/** What to do about an answer of the wrong shape. */
const checkHost = "check the host URL (a proxy or another service may answer in ThoughtSpot's place)"

/** The token an answer holds, if it can be read from it. */
const tokenIn = (text: string): string | undefined => {
  const token = parseObject(text)?.["token"]
  return typeof token === "string" && token.length > 0 ? token : undefined
}

const parseObject = (text: string): Record<string, unknown> | undefined => {
  const json = safeParse(text)
  return typeof json === "object" && json !== null && !Array.isArray(json)
    ? (json as Record<string, unknown>)
    : undefined
}

const safeParse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * What is wrong with a token answer, by field name and JSON type only: never a value, since any of them may be
 * (or hold) the token.
 */
const shapeProblems = (text: string): string => {
  const typeOf = (value: unknown) =>
    value === null
      ? "null"
      : Array.isArray(value)
        ? "an array"
        : typeof value === "object"
          ? "an object"
          : `a ${typeof value}`
  const json = parseObject(text)
  if (json === undefined) return `the answer is ${typeOf(safeParse(text))}, not an object`
  const problems: Array<string> = []
  if (json["token"] === undefined) problems.push("token is missing")
  else if (typeof json["token"] !== "string") problems.push(`token is ${typeOf(json["token"])}, not text`)
  for (const field of ["creation_time_in_millis", "expiration_time_in_millis"]) {
    const value = json[field]
    if (value === undefined) problems.push(`${field} is missing`)
    else if (typeof value !== "number") problems.push(`${field} is ${typeOf(value)}, not a number`)
    else if (!Number.isFinite(value)) problems.push(`${field} is not a finite number`)
  }
  for (const field of ["valid_for_user_id", "valid_for_username"]) {
    const value = json[field]
    if (value !== undefined && typeof value !== "string") problems.push(`${field} is ${typeOf(value)}, not text`)
  }
  return problems.length === 0 ? "a field is not as documented" : problems.join("; ")
}

/** Creates the token manager for `method`; revocation/logout is registered on the surrounding scope. */
export const make = Effect.fn("TokenManager.make")(function* (
  method: Auth.AuthMethod,
  requester: Requester,
  options: TokenManagerOptions = {}
) {
  const skew = options.refreshSkewMillis ?? 30_000
  const releasePolicy = releasePolicyOf(options.retry ?? RetryPolicy.defaults)
  const lock = yield* Semaphore.make(1)
  let cached: Cached | undefined
  let generation = 0
  let issued = 0

  /**
   * Every token minted, with the client-clock time by which it has surely expired (its validity counted from
   * when the answer arrived, which is after the server created it): all that may still be valid are revoked on
   * close, not only the last one.
   */
  const minted: Array<{ readonly token: string; readonly expiredBy: number }> = []

  /**
   * A release call, within the release's time (`end`, on the client's clock): its deadline is what is left of it,
   * so the calls of one release (and every retry) share one bound.
   */
  const releaseCall = (call: Call<void>, as: CredentialSource, end: number) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const left = end - now
      if (left <= 0) return Effect.fail(releaseTimedOut(call.operation, releasePolicy.deadlineMillis))
      // No request slot: the bound would run out while waiting for one (one slot, several Orgs' revokes).
      return requester.run({ ...call, slotless: true, retry: { ...releasePolicy, deadlineMillis: left } }, as).pipe(
        // A timeout at the end (of the attempt or of the call) is said as the release's bound it is.
        Effect.catchIf(
          (error) => error.reason._tag === "Timeout",
          (error) =>
            Effect.flatMap(Clock.currentTimeMillis, (at) =>
              Effect.fail(at >= end ? releaseTimedOut(call.operation, releasePolicy.deadlineMillis) : error)
            )
        )
      )
    })

  /**
   * `auth/token/revoke` of `token`, signed in with the token `as`, retried on a transient failure by the short
   * `releasePolicy` until `end`. A token that signs in its own revoke and is refused (401) is no longer valid:
   * revoked by an attempt whose answer was lost, or expired. That is what a revoke is for, so it succeeds.
   */
  const revokeToken = (token: string, as: string, end: number) =>
    releaseCall(
      {
        operation: "auth/token/revoke",
        method: "POST",
        path: "auth/token/revoke",
        body: { token },
        decode: () => Effect.void
      },
      fixedCredential(bearer(0, as)),
      end
    ).pipe(
      Effect.catchIf(
        (error) => error.reason._tag === "Authentication" && as === token,
        () => Effect.void
      )
    )

  /**
   * Revokes a token that is not kept (authenticated with the token itself) and says how that went, for the
   * message of the failure that stranded it (the token is a registered secret by then, so it is scrubbed).
   */
  const revokeStranded = (token: string): Effect.Effect<string> => {
    return Effect.flatMap(Clock.currentTimeMillis, (now) =>
      revokeToken(token, token, now + releasePolicy.deadlineMillis)
    ).pipe(
      Effect.as("the token it holds was revoked"),
      Effect.catch((error) =>
        Effect.succeed(`the token it holds could not be revoked (${error.message}): it stays valid until it expires`)
      )
    )
  }

  const mintToken = (operation: "auth/token/full" | "auth/token/object", body: Record<string, unknown>) =>
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      issued++
      // A token in an answer of the wrong shape was minted all the same: it is revoked at once and never kept.
      const stranded: Array<string> = []
      const response = yield* requester
        .run({
          operation,
          method: "POST",
          path: operation,
          body,
          decode: (raw) =>
            Effect.catch(decodeJson(operation, TokenResponse)(raw), (error) => {
              if (error.reason._tag !== "ResponseDecode" || error.reason.malformed) return Effect.fail(error)
              // Said by field names and JSON types only: the schema's own message may quote a value.
              const token = tokenIn(raw.text)
              if (token !== undefined) {
                requester.addSecret(token)
                stranded.push(token)
              }
              return Effect.fail(
                Classify.badBody(
                  operation,
                  `the token answer does not have the documented shape (${shapeProblems(raw.text)})${token === undefined ? `: ${checkHost}` : ""}`,
                  false,
                  raw.status
                )
              )
            })
        })
        .pipe(
          Effect.catch((error) => {
            const tokens = stranded.splice(0)
            const reason = error.reason
            if (tokens.length === 0 || reason._tag !== "ResponseDecode") return Effect.fail(error)
            return Effect.flatMap(Effect.forEach(tokens, revokeStranded), (outcomes) =>
              Effect.fail(
                Classify.badBody(
                  operation,
                  `${reason.description}; ${[...new Set(outcomes)].join("; ")}: ${checkHost}`,
                  false,
                  reason.status
                )
              )
            )
          })
        )
      requester.addSecret(response.token)
      // A token no HTTP client would send back (nor revoke): every call would fail the same way.
      if (notInHeader.test(response.token)) {
        return yield* Classify.badBody(
          operation,
          `the token in the answer holds a character HTTP does not allow in a header, so it cannot be used: ${checkHost}`,
          false
        )
      }
      const lifetime = Math.max(0, response.expiration_time_in_millis - response.creation_time_in_millis)
      minted.push({ token: response.token, expiredBy: (yield* Clock.currentTimeMillis) + lifetime })
      generation++
      return {
        credential: bearer(generation, response.token),
        renewAt: startedAt + lifetime - Math.min(skew, lifetime / 4),
        secret: response.token
      } satisfies Cached
    })

  const tokenBody = (m: Auth.Password | Auth.SecretKey | Auth.ObjectToken): Record<string, unknown> => ({
    username: m.username,
    ...(m.orgId === undefined ? {} : { org_id: m.orgId }),
    ...(m.validitySeconds === undefined ? {} : { validity_time_in_sec: m.validitySeconds })
  })

  const login = (m: Auth.CookieSession) =>
    Effect.gen(function* () {
      issued++
      const header = yield* requester.run({
        operation: "auth/session/login",
        method: "POST",
        path: "auth/session/login",
        body: {
          username: m.username,
          password: Redacted.value(m.password),
          ...(m.orgIdentifier === undefined ? {} : { org_identifier: m.orgIdentifier }),
          remember_me: m.rememberMe ?? false
        },
        decode: (response) => {
          const jar = response.cookies
          if (Cookies.isEmpty(jar)) {
            return Effect.fail(
              Classify.badBody(
                "auth/session/login",
                "login succeeded but set no session cookie",
                false,
                response.status
              )
            )
          }
          for (const value of Object.values(Cookies.toRecord(jar))) requester.addSecret(String(value))
          return Effect.succeed(Cookies.toCookieHeader(jar))
        }
      })
      requester.addSecret(header)
      generation++
      return {
        credential: cookie(generation, header),
        renewAt: Number.POSITIVE_INFINITY,
        secret: header
      } satisfies Cached
    })

  /** A refusal of the sign-in names who was refused and where (neither is a secret). */
  const naming = (username: string) => (error: ThoughtSpotError) => {
    const reason = error.reason
    if (reason._tag !== "Authentication") return error
    return new ThoughtSpotError({
      operation: error.operation,
      reason: new Authentication({
        description: reason.description,
        ...(reason.status === undefined ? {} : { status: reason.status }),
        ...(reason.code === undefined ? {} : { code: reason.code }),
        ...(reason.incidentId === undefined ? {} : { incidentId: reason.incidentId }),
        ...(reason.traceId === undefined ? {} : { traceId: reason.traceId }),
        ...(reason.serverMessage === undefined ? {} : { serverMessage: reason.serverMessage }),
        username,
        host: requester.host
      })
    })
  }

  const signIn: Effect.Effect<Cached, ThoughtSpotError> = (() => {
    switch (method._tag) {
      case "Password":
        return Effect.suspend(() =>
          mintToken("auth/token/full", { ...tokenBody(method), password: Redacted.value(method.password) })
        )
      case "SecretKey":
        return Effect.suspend(() =>
          mintToken("auth/token/full", { ...tokenBody(method), secret_key: Redacted.value(method.secretKey) })
        )
      case "ObjectToken":
        return Effect.suspend(() =>
          mintToken("auth/token/object", {
            ...tokenBody(method),
            object_id: method.objectId,
            ...(method.credential._tag === "Password"
              ? { password: Redacted.value(method.credential.password) }
              : { secret_key: Redacted.value(method.credential.secretKey) })
          })
        )
      case "CookieSession":
        return Effect.suspend(() => login(method))
      case "BearerToken": {
        const token = Redacted.value(method.token)
        const unsendable = unsendableToken(token)
        if (unsendable !== undefined) {
          return Effect.fail(
            new ThoughtSpotError({
              operation: "authorization",
              reason: new Authentication({ description: unsendable, host: requester.host })
            })
          )
        }
        return Effect.succeed({ credential: bearer(0, token), renewAt: Number.POSITIVE_INFINITY, secret: token })
      }
    }
  })()
  const fetch = method._tag === "BearerToken" ? signIn : Effect.mapError(signIn, naming(method.username))

  const store = (next: Cached) =>
    Effect.sync(() => {
      cached = next
      return next.credential
    })

  const fresh = (now: number): Credential | undefined =>
    cached !== undefined && now < cached.renewAt ? cached.credential : undefined

  /**
   * Credential requests finished so far, and the failure of the last one if it failed: callers that queued
   * behind a request share its failure instead of each spending a retry budget of their own on it.
   */
  let finished = 0
  let lastFailure: { readonly at: number; readonly error: ThoughtSpotError } | undefined
  /**
   * The credential request under way, if any. It runs in a fiber of its own, not the caller's: ThoughtSpot
   * mints the token as soon as it has the request, so a caller interrupted while the answer is on its way (Ctrl-C,
   * a timeout) stops waiting, but the request goes on, and its token is cached and, on close, revoked with the
   * others (a later caller joins the same request instead of minting another).
   */
  let inflight: Fiber.Fiber<Credential, ThoughtSpotError> | undefined
  const fetchShared: Effect.Effect<Credential, ThoughtSpotError> = Effect.suspend(() => {
    if (inflight !== undefined) return Fiber.join(inflight)
    const slot: { fiber?: Fiber.Fiber<Credential, ThoughtSpotError> } = {}
    const request = fetch.pipe(
      Effect.tapError((error) =>
        Effect.sync(() => {
          lastFailure = { at: finished + 1, error }
        })
      ),
      Effect.flatMap(store),
      Effect.ensuring(
        Effect.sync(() => {
          finished++
          if (inflight !== undefined && inflight === slot.fiber) inflight = undefined
        })
      )
    )
    return Effect.flatMap(Effect.forkDetach(request), (fiber) => {
      slot.fiber = fiber
      if (fiber.pollUnsafe() === undefined) inflight = fiber
      return Fiber.join(fiber)
    })
  })
  /** Inside the lock: the failure of a request that finished while we waited (`queuedAt` = `finished` then). */
  const failedMeanwhile = (queuedAt: number) =>
    lastFailure !== undefined && lastFailure.at > queuedAt ? lastFailure.error : undefined

  const current: Effect.Effect<Credential, ThoughtSpotError> = Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const hit = fresh(now)
    if (hit !== undefined) return Effect.succeed(hit)
    const queuedAt = finished
    return lock.withPermit(
      Effect.flatMap(Clock.currentTimeMillis, (later) => {
        const won = fresh(later) // someone else renewed while we waited
        if (won !== undefined) return Effect.succeed(won)
        const failed = failedMeanwhile(queuedAt)
        return failed !== undefined ? Effect.fail(failed) : fetchShared
      })
    )
  })

  const renew = (stale: Credential): Effect.Effect<Credential, ThoughtSpotError> => {
    if (method._tag === "BearerToken") {
      return Effect.fail(
        new ThoughtSpotError({
          operation: "authentication",
          reason: new Authentication({ status: 401, description: bearerRejected })
        })
      )
    }
    const queuedAt = finished
    return lock.withPermit(
      Effect.suspend(() => {
        if (cached !== undefined && cached.credential.generation !== stale.generation) {
          return Effect.succeed(cached.credential) // already renewed by another caller
        }
        const failed = failedMeanwhile(queuedAt)
        return failed !== undefined ? Effect.fail(failed) : fetchShared
      })
    )
  }

  /** A release that failed after its retries is said at warning level: the credential stays usable by anyone holding it. */
  const warnOnFailure = (
    call: Effect.Effect<void, ThoughtSpotError>,
    stays: (error: ThoughtSpotError) => Effect.Effect<string>
  ) => call.pipe(Effect.catch((error) => Effect.flatMap(stays(error), (text) => Effect.logWarning(text))))

  /**
   * A credential request still under way at close may mint a token: its answer is awaited for up to
   * `SETTLE_MILLIS`, so that token is released too; then (or at once, without `releaseOnClose`) it is stopped.
   */
  const settle = Effect.suspend(() => {
    const fiber = inflight
    if (fiber === undefined) return Effect.void
    const wait =
      options.releaseOnClose === false
        ? Effect.void
        : Effect.asVoid(Effect.timeoutOption(Fiber.await(fiber), SETTLE_MILLIS))
    return Effect.andThen(wait, Fiber.interrupt(fiber))
  })

  /**
   * On close: logs out of the session, or revokes every minted token that may still be valid (`{ token }`, the
   * `RevokeTokenRequest` shape), each call authenticated with the newest token, which is revoked last; all within
   * `RELEASE_MILLIS`.
   */
  const release = Effect.suspend(() => {
    const held = cached
    if (held === undefined || options.releaseOnClose === false || method._tag === "BearerToken") return Effect.void
    return Effect.flatMap(Clock.currentTimeMillis, (start) => {
      // One bound for the whole release: every call and retry ends by then.
      const end = start + releasePolicy.deadlineMillis
      if (method._tag === "CookieSession") {
        return warnOnFailure(
          releaseCall(
            {
              operation: "auth/session/logout",
              method: "POST",
              path: "auth/session/logout",
              decode: () => Effect.void
            },
            fixedCredential(held.credential),
            end
          ),
          (error) =>
            Effect.succeed(
              `could not log out on shutdown (${error.operation}: ${error.reason.message}): the session stays valid until ThoughtSpot ends it`
            )
        )
      }
      const revoke = (token: { readonly token: string; readonly expiredBy: number }) =>
        warnOnFailure(revokeToken(token.token, held.secret, end), (error) =>
          Effect.map(
            Clock.currentTimeMillis,
            (now) =>
              `could not revoke a token on shutdown (${error.operation}: ${error.reason.message}): it stays valid until it expires, within ${within(token.expiredBy - now)}`
          )
        )
      const older = minted.filter((m) => m.token !== held.secret && start < m.expiredBy)
      const newest = minted.find((m) => m.token === held.secret) ?? { token: held.secret, expiredBy: start }
      return Effect.andThen(Effect.forEach(older, revoke, { concurrency: 4, discard: true }), revoke(newest))
    })
  })
  const close = Effect.andThen(settle, release)
  if (options.releases === undefined) yield* Effect.addFinalizer(() => close)
  else options.releases.add(close)

  return {
    current,
    renew,
    ...(method._tag === "BearerToken" ? { notRenewable: bearerRejected } : {}),
    issued: Effect.sync(() => issued)
  } satisfies TokenManager
})
