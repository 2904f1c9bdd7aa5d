/**
 * Sends one ThoughtSpot call the way every call is sent: standard headers, credentials, the concurrency bound,
 * the rate limiter, a per-attempt timeout, one credential renewal and replay on a 401, retries by the policy,
 * and an overall deadline. Built on `effect/http`'s `HttpClient`; every failure leaves as a `ThoughtSpotError`
 * made by `classify.ts`.
 */
import { isUtf8 } from "node:buffer"
import { Clock, Effect, Schema, Semaphore } from "effect"
import type { Cookies } from "effect/http"
import { FetchHttpClient, Headers, HttpBody, HttpClient, HttpClientRequest } from "effect/http"
import type { RateLimiter } from "../RateLimiter.ts"
import * as RetryPolicy from "../RetryPolicy.ts"
import type { ThoughtSpotError } from "../ThoughtSpotError.ts"
import * as BodyPool from "./BodyPool.ts"
import { readBody, UndecodableBody } from "./bodyText.ts"
import * as Classify from "./classify.ts"
import { makeScrubOver } from "./scrub.ts"
import { SHAPE_ADVICE, shapeProblem } from "./shape.ts"

/** Something that authenticates a request; `generation` tells renewals apart. */
export interface Credential {
  readonly generation: number
  readonly apply: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest
}

/** Where authenticated calls get their credential, and renew it after a 401. */
export interface CredentialSource {
  readonly current: Effect.Effect<Credential, ThoughtSpotError>
  /** A credential newer than `stale`, or a failure when renewal is impossible. */
  readonly renew: (stale: Credential) => Effect.Effect<Credential, ThoughtSpotError>
  /**
   * Set when the credential cannot be renewed (a pre-issued token): a 401 then fails the call at once, with this
   * description and what ThoughtSpot said.
   */
  readonly notRenewable?: string
}

/** A complete response: status, headers, cookies and the whole body as text or bytes (each made on first use). */
export interface RawResponse {
  readonly status: number
  readonly headers: Headers.Headers
  readonly cookies: Cookies.Cookies
  readonly text: string
  /** The body's UTF-8 bytes (no byte order mark). */
  readonly bytes: Uint8Array
  /** The `Content-Encoding` the bytes are still in: `identity` once decoded (by the client or by fetch). */
  readonly encoding: string
  /** Gives the body's memory back for reuse (see {@link Call.keepsBody}); it cannot be read afterwards. */
  readonly release: () => void
}

/** One call: where to send it and how to read a 2xx answer. */
export interface Call<A> {
  /** Operation name for errors and logs (e.g. `searchData`). */
  readonly operation: string
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  /** Path below `/api/rest/2.0/`, e.g. `searchdata` (a query string may follow). */
  readonly path: string
  readonly body?: unknown
  /** JSON text sent as the body as it is, instead of `body` serialized (keeps a caller's exact numbers). */
  readonly bodyText?: string
  /**
   * Reads a 2xx response; a `malformed` decode failure is retried like a transport error. The body's memory is
   * reused for a later response once `decode`'s effect has ended (BodyPool.ts), so `decode` copies what it keeps
   * (text and parsed values are copies) — unless {@link Call.keepsBody}.
   */
  readonly decode: (response: RawResponse) => Effect.Effect<A, ThoughtSpotError>
  /** Overrides the client's retry policy (e.g. a single quick attempt for logout). */
  readonly retry?: RetryPolicy.RetryPolicy
  /**
   * The call may change something (create, update, delete): it is sent again only after a failure that shows
   * ThoughtSpot did not act on it (`ThoughtSpotError.isUnapplied`), never after one that leaves it unknown.
   */
  readonly changesState?: boolean
  /**
   * `decode` hands the response on, to be read later: the body is then not reused when `decode` ends, and
   * whoever reads it last calls {@link RawResponse.release}.
   */
  readonly keepsBody?: boolean
  /**
   * Secrets the request itself carries (a password field of its body, a token in its query): scrubbed from this
   * call's errors as the client's own are, and the call gets no span, which would hold the request.
   */
  readonly secrets?: ReadonlyArray<string>
  /**
   * Takes no request slot (`concurrency`), only the rate limiter: a token revoke or logout, bounded to a few
   * seconds, must not wait behind data requests, or for the slots of other Orgs' revokes, past that bound.
   */
  readonly slotless?: boolean
}

/** Sends calls. */
export interface Requester {
  readonly run: <A>(call: Call<A>, credentials?: CredentialSource) => Effect.Effect<A, ThoughtSpotError>
  /** Removes known secrets from a text. */
  readonly scrub: Classify.Scrub
  /** Registers a secret to scrub from every later error (issued tokens, session cookies). */
  readonly addSecret: (secret: string) => void
  /** The host (and port, if the URL names one) calls go to, for messages. */
  readonly host: string
  /**
   * Refuses every later call but the releases (slotless revokes and logouts): called as the client's scope
   * closes, so a client kept past its scope mints no token that nothing would revoke.
   */
  readonly close: () => void
}

/** Settings of a requester. */
export interface RequesterOptions {
  /** Cluster URL without the API path, e.g. `https://my.thoughtspot.cloud`. */
  readonly host: string
  readonly userAgent: string
  readonly retry: RetryPolicy.RetryPolicy
  readonly rateLimiter: RateLimiter
  /** Most requests in flight at once. */
  readonly concurrency: number
  /** Secrets known up front (password, secret key, pre-issued token). */
  readonly secrets: ReadonlyArray<string>
  /** Texts that are no secret (the user name): left whole in scrubbed text, whatever characters a secret shares. */
  readonly knownTexts?: ReadonlyArray<string>
}

/** The calls whose request bodies hold a secret (a password, secret key or token): `auth/…`. */
const carriesSecret = (path: string): boolean => path.startsWith("auth/")
const always = () => true
/** Headers that carry a credential (the token, the session cookie), never shown in a span. */
const credentialHeaders: ReadonlyArray<string> = ["authorization", "cookie", "set-cookie"]

/**
 * A `fetch` that never follows redirects: fetch follows them by default, re-sending the request (a password
 * body, the `Authorization` header) to wherever a `Location` points. The `RequestInit` the fetch client was
 * given (wherever it was provided) still reaches `init`; only its `redirect` is replaced.
 */
const manualRedirects = (chosen: typeof globalThis.fetch | undefined): typeof globalThis.fetch =>
  ((input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) =>
    (chosen ?? globalThis.fetch)(input, { ...init, redirect: "manual" })) as typeof globalThis.fetch

/** Creates a requester over the ambient `HttpClient`. */
export const make = Effect.fn("Requester.make")(function* (options: RequesterOptions) {
  const client = yield* HttpClient.HttpClient
  // A `Fetch` of the program's own, given where the client is built; the default one is looked up per call.
  const builtFetch = yield* FetchHttpClient.Fetch
  const fetchAtBuild = manualRedirects(builtFetch === globalThis.fetch ? undefined : builtFetch)
  const permits = yield* Semaphore.make(Math.max(1, options.concurrency))
  // As many idle bodies as requests in flight, plus one being read.
  const bodies = BodyPool.make(Math.max(1, options.concurrency) + 1)
  const secrets = new Set(options.secrets.filter((s) => s.length > 0))
  const clientScrub = Classify.makeScrub(secrets, options.knownTexts)
  // Read as a URL parser reads it: whitespace around it is no part of it (nor is it before the trailing slash).
  const base = `${options.host.trim().replace(/\/+$/, "")}/api/rest/2.0/`
  const headers = {
    "content-type": "application/json",
    accept: "application/json",
    "user-agent": options.userAgent
  }

  const send = (
    call: Call<unknown>,
    credential: Credential | undefined,
    policy: RetryPolicy.RetryPolicy,
    scrub: Classify.Scrub,
    ownSecrets: boolean
  ) => {
    let request = HttpClientRequest.make(call.method)(base + call.path, { headers })
    const bodyText = call.bodyText ?? (call.body === undefined ? undefined : JSON.stringify(call.body))
    if (bodyText !== undefined)
      request = HttpClientRequest.setBody(request, HttpBody.text(bodyText, "application/json"))
    if (credential !== undefined) request = credential.apply(request)
    const attempt = Effect.gen(function* () {
      // No b3/traceparent headers: our span ids are nobody's business at the cluster.
      let execute = client.execute(request).pipe(Effect.provideService(HttpClient.TracerPropagationEnabled, false))
      // Over FetchHttpClient, redirects come back as 3xx answers (refused below) instead of being followed.
      const fetchNow = yield* FetchHttpClient.Fetch
      execute = Effect.provideService(
        execute,
        FetchHttpClient.Fetch,
        fetchNow === globalThis.fetch || fetchNow === builtFetch ? fetchAtBuild : manualRedirects(fetchNow)
      )
      // A span keeps its request (the body included) and headers: the credential calls, whose bodies hold a
      // password, secret key or token, and calls carrying secrets of their own get none, and the credentials'
      // headers are redacted in every other one whatever names the caller's own list gives.
      if (ownSecrets || carriesSecret(call.path)) {
        execute = Effect.provideService(execute, HttpClient.TracerDisabledWhen, always)
      }
      const redacted = yield* Headers.CurrentRedactedNames
      if (!credentialHeaders.every((name) => redacted.includes(name))) {
        execute = Effect.provideService(execute, Headers.CurrentRedactedNames, [...redacted, ...credentialHeaders])
      }
      const started = yield* Clock.currentTimeMillis
      const response = yield* execute
      const body = yield* readBody(response, bodies).pipe(
        Effect.catchIf(
          (error) => error instanceof UndecodableBody,
          (error) =>
            Effect.fail(
              Classify.undecodableBody(call.operation, {
                encoding: error.encoding,
                truncated: error.truncated,
                detail: error.detail,
                status: response.status,
                scrub
              })
            )
        )
      )
      // One line per request at debug level (`--verbose`): no query string, headers or body, which may hold secrets.
      yield* Effect.logDebug(
        `${call.method} ${call.path.split("?")[0]} → ${response.status} in ${(yield* Clock.currentTimeMillis) - started} ms`
      )
      return {
        status: response.status,
        headers: response.headers,
        cookies: response.cookies,
        get text() {
          return body.text
        },
        get bytes() {
          return body.bytes
        },
        encoding: body.encoding,
        release: () => body.release()
      } satisfies RawResponse
    }).pipe(
      Effect.mapError((error) =>
        error._tag === "ThoughtSpotError" ? error : Classify.fromHttpClientError(call.operation, error, scrub)
      ),
      Effect.timeoutOrElse({
        duration: policy.attemptTimeoutMillis,
        orElse: () => Effect.fail(Classify.attemptTimedOut(call.operation, policy.attemptTimeoutMillis))
      })
    )
    // The limiter hears of 429s, which slow it down: waiting in it costs no attempt, a refused request does.
    const limited = Effect.flatMap(Clock.currentTimeMillis, (askedAt) =>
      Effect.andThen(
        options.rateLimiter.take,
        Effect.tap(attempt, (raw) => options.rateLimiter.answered(askedAt, raw.status === 429))
      )
    )
    return call.slotless === true ? limited : permits.withPermit(limited)
  }

  const failFor = (call: Call<unknown>, raw: RawResponse, scrub: Classify.Scrub, description?: string) =>
    Effect.flatMap(Clock.currentTimeMillis, (nowMillis) =>
      Effect.fail(
        Classify.fromResponse({
          operation: call.operation,
          status: raw.status,
          retryAfter: raw.headers["retry-after"],
          body: raw.text,
          nowMillis,
          scrub,
          ...(description === undefined ? {} : { description })
        })
      )
    )

  /**
   * Failures of the credential requests a call made on its way. Those requests are calls of their own, with
   * their own retry budget, already spent: retrying the outer call would multiply it (6 × 6 password requests
   * against a token endpoint answering 500), so the outer call gives up on them at once.
   */
  const spent = new WeakSet<ThoughtSpotError>()
  const settled = <A>(effect: Effect.Effect<A, ThoughtSpotError>) =>
    Effect.tapError(effect, (error) => Effect.sync(() => spent.add(error)))

  let closed = false
  const run = <A>(call: Call<A>, credentials?: CredentialSource): Effect.Effect<A, ThoughtSpotError> =>
    Effect.suspend(() =>
      closed && call.slotless !== true ? Effect.fail(Classify.clientClosed(call.operation)) : runOpen(call, credentials)
    )

  const runOpen = <A>(call: Call<A>, credentials?: CredentialSource): Effect.Effect<A, ThoughtSpotError> => {
    const policy = call.retry ?? options.retry
    // The request's own secrets join the client's, for this call only.
    const own = call.secrets === undefined ? [] : call.secrets.filter((s) => s.length > 0)
    const scrub = own.length === 0 ? clientScrub : makeScrubOver([secrets, new Set(own)], options.knownTexts)
    const attempt = Effect.gen(function* () {
      let credential = credentials === undefined ? undefined : yield* settled(credentials.current)
      let raw = yield* send(call, credential, policy, scrub, own.length > 0)
      if (raw.status === 401 && credentials !== undefined && credential !== undefined) {
        // Named after the call that was refused, with ThoughtSpot's code and message.
        if (credentials.notRenewable !== undefined) return yield* failFor(call, raw, scrub, credentials.notRenewable)
        credential = yield* settled(credentials.renew(credential))
        raw = yield* send(call, credential, policy, scrub, own.length > 0)
        if (raw.status === 401) {
          return yield* failFor(
            call,
            raw,
            scrub,
            "ThoughtSpot rejected a freshly renewed credential (a second 401); check the user's access and the Org"
          )
        }
      }
      if (raw.status >= 300 && raw.status < 400) {
        return yield* Classify.redirected(call.operation, raw.status, raw.headers["location"], scrub)
      }
      if (raw.status < 200 || raw.status >= 300) return yield* failFor(call, raw, scrub)
      // A proxy's HTML page, compressed bytes, a misrouted request: said as what arrived, not as broken JSON.
      const wrong = Classify.notJson({
        operation: call.operation,
        status: raw.status,
        contentType: raw.headers["content-type"],
        contentEncoding: raw.encoding,
        bytes: raw.bytes,
        scrub
      })
      if (wrong !== undefined) return yield* wrong
      return yield* call.keepsBody === true
        ? call.decode(raw)
        : Effect.ensuring(call.decode(raw), Effect.sync(raw.release))
    })
    return attempt.pipe(
      Effect.retry(
        RetryPolicy.schedule(policy, (error) => !spent.has(error) && (call.changesState !== true || error.isUnapplied))
      ),
      Effect.timeoutOrElse({
        duration: policy.deadlineMillis,
        orElse: () => Effect.fail(Classify.deadlineExceeded(call.operation, policy.deadlineMillis))
      })
    )
  }

  return {
    run,
    scrub: clientScrub,
    addSecret: (secret: string) => {
      if (secret.length > 0) secrets.add(secret)
    },
    host: displayHost(options.host),
    close: () => {
      closed = true
    }
  } satisfies Requester
})

/** `host[:port]` of a host URL, without credentials or path (the URL itself if it does not parse). */
const displayHost = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** Decodes a 2xx JSON body with a schema: broken JSON is `malformed` (retried), a wrong shape is not. */
export const decodeJson =
  <S extends Schema.Top & { readonly DecodingServices: never }>(operation: string, schema: S) =>
  (response: RawResponse): Effect.Effect<S["Type"], ThoughtSpotError> => {
    // Decoded, bytes that are not UTF-8 would become replacement characters in names, TML and log entries.
    if (!isUtf8(response.bytes)) {
      return Effect.fail(
        Classify.badBody(
          operation,
          "the response holds text that is not valid UTF-8; it is never read with replacement characters: check the host URL (a proxy may be re-encoding answers) and correct the value at the source",
          false,
          response.status
        )
      )
    }
    let json: unknown
    try {
      json = JSON.parse(response.text)
    } catch {
      return Effect.fail(
        Classify.badBody(operation, "the response is not valid JSON (cut short in transit?)", true, response.status)
      )
    }
    return Schema.decodeUnknownEffect(schema)(json).pipe(
      Effect.mapError((error) =>
        Classify.badBody(
          operation,
          `the response does not have the documented shape (${shapeProblem(error)}): ${SHAPE_ADVICE}`,
          false,
          response.status
        )
      )
    )
  }
