/**
 * A fake ThoughtSpot behind a fake `HttpClient` (no sockets): a handler answers each request, every request is
 * recorded with the virtual time it was sent, and delays run on the `Clock` (so `TestClock` drives them).
 */
import { Clock, Effect, Fiber, Layer } from "effect"
import { HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"
import { Auth, ThoughtSpotClient } from "../src/index.ts"

/** A request as the fake saw it. */
export interface Seen {
  readonly method: string
  /** Path below `/api/rest/2.0/`. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Record<string, unknown>
  /** Virtual time it was sent (ms). */
  readonly at: number
}

/** What the fake answers. */
export interface Reply {
  readonly status?: number
  /** An object is sent as JSON; a string or bytes as they are. */
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  /** Wait this long (virtual) before answering. */
  readonly delayMillis?: number
  /** Fail at the transport level instead (connection reset). */
  readonly reset?: boolean
}

export type Handler = (request: Seen, n: number) => Reply

const decoder = new TextDecoder()

const bodyOf = (request: HttpClientRequest.HttpClientRequest): Record<string, unknown> =>
  request.body._tag === "Uint8Array" ? (JSON.parse(decoder.decode(request.body.body)) as Record<string, unknown>) : {}

/** Builds a fake client; `seen` lists every request in order; `inFlight` tracks the peak of concurrent requests. */
export const makeFake = (handler: Handler) => {
  const seen: Array<Seen> = []
  const flight = { now: 0, peak: 0 }
  const client = HttpClient.make((request, url) =>
    Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      const entry: Seen = {
        method: request.method,
        path: url.pathname.replace(/^\/api\/rest\/2\.0\//, ""),
        headers: { ...request.headers },
        body: bodyOf(request),
        at
      }
      seen.push(entry)
      const reply = handler(entry, seen.length)
      flight.now++
      flight.peak = Math.max(flight.peak, flight.now)
      yield* Effect.sleep(reply.delayMillis ?? 0).pipe(Effect.ensuring(Effect.sync(() => flight.now--)))
      if (reply.reset === true) {
        return yield* new HttpClientError.HttpClientError({
          reason: new HttpClientError.TransportError({ request, cause: new Error("socket hang up (ECONNRESET)") })
        })
      }
      const body =
        reply.body === undefined
          ? null
          : typeof reply.body === "string"
            ? reply.body
            : reply.body instanceof Uint8Array
              ? new Uint8Array(reply.body)
              : JSON.stringify(reply.body)
      return HttpClientResponse.fromWeb(
        request,
        new Response(body, {
          status: reply.status ?? 200,
          headers: { "content-type": "application/json", ...reply.headers }
        })
      )
    })
  )
  return { client, seen, flight, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/** A token response valid for `validityMillis` from `now`. */
export const tokenReply = (token: string, now: number, validityMillis = 300_000): Reply => ({
  body: {
    token,
    creation_time_in_millis: now,
    expiration_time_in_millis: now + validityMillis,
    scope: { access_type: "FULL", org_id: 0, metadata_id: null },
    valid_for_user_id: "u-1",
    valid_for_username: "tsUserA"
  }
})

/** A data response with rows `[offset + i, …]` (COMPACT) for a result of `total` rows. */
export const dataReply = (
  body: Record<string, unknown>,
  total: number,
  options: {
    readonly columns?: ReadonlyArray<string>
    readonly samplingRatio?: number
    readonly rowsOverride?: number
  } = {}
): Reply => {
  const offset = Number(body.record_offset ?? 0)
  const size = Number(body.record_size ?? 10)
  const count = options.rowsOverride ?? Math.max(0, Math.min(size, total - offset))
  const rows = Array.from({ length: count }, (_, i) => [offset + i, `r${offset + i}`])
  return {
    body: {
      contents: [
        {
          available_data_row_count: total,
          column_names: options.columns ?? ["n", "label"],
          data_rows: rows,
          record_offset: offset,
          record_size: size,
          returned_data_row_count: count,
          sampling_ratio: options.samplingRatio ?? 1
        }
      ]
    }
  }
}

export const PASSWORD = "Pa55-word-that-must-not-leak"

/** Client options for tests: no rate limit, short and deterministic retry timings. */
export const testOptions = (overrides: Partial<ThoughtSpotClient.ThoughtSpotClientOptions> = {}) =>
  ({
    host: "http://ts.test",
    auth: Auth.password({ username: "tsUserA", password: PASSWORD }),
    rateLimit: { requestsPerSecond: Number.POSITIVE_INFINITY },
    ...overrides
  }) satisfies ThoughtSpotClient.ThoughtSpotClientOptions

/** Runs `effect` while advancing the `TestClock` in `stepMillis` steps until it completes. */
export const withTime = <A, E, R>(effect: Effect.Effect<A, E, R>, stepMillis = 100) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(effect)
    for (let i = 0; i < 1_000_000 && fiber.pollUnsafe() === undefined; i++) {
      yield* TestClock.adjust(stepMillis)
    }
    return yield* Fiber.join(fiber)
  })

/** A standard router: tokens on `auth/token/full`, everything else delegated. */
export const withTokens =
  (rest: Handler, validityMillis = 300_000): Handler =>
  (request, n) => {
    if (request.path === "auth/token/full" || request.path === "auth/token/object") {
      return tokenReply(`tok-${n}`, request.at, validityMillis)
    }
    if (request.path === "auth/token/revoke" || request.path === "auth/session/logout") return { status: 204 }
    return rest(request, n)
  }

/** Runs `use` against a client built over `fake` with `options`; the client is shut down afterwards. */
export const useClient = <A, E>(
  fake: { readonly layer: Layer.Layer<HttpClient.HttpClient> },
  options: ThoughtSpotClient.ThoughtSpotClientOptions,
  use: (client: ThoughtSpotClient.Service) => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, use).pipe(
    // Tests give valid hosts: an InvalidHost would be a broken test.
    Effect.provide(ThoughtSpotClient.layer(options).pipe(Layer.orDie, Layer.provide(fake.layer)))
  )
