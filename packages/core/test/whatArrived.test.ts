/**
 * Answers that are not ThoughtSpot's JSON are said as what they are (HTML, compressed bytes, a redirect), a
 * compressed answer is decoded, and a refused sign-in names the user and host. A tiny loopback server answers.
 */
import * as http from "node:http"
import type * as net from "node:net"
import * as zlib from "node:zlib"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { failureOf } from "./exits.ts"

interface Answer {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Buffer
}

/** Serves `answer` for every request on 127.0.0.1 and counts requests; runs `use` with the base URL. */
const withServer = <A, E>(
  answer: (path: string) => Answer,
  use: (url: string, count: () => number) => Effect.Effect<A, E>
) =>
  Effect.acquireUseRelease(
    Effect.promise(
      () =>
        new Promise<{ server: http.Server; url: string; seen: { n: number } }>((resolve) => {
          const seen = { n: 0 }
          const server = http.createServer((request, response) => {
            seen.n++
            const a = answer(request.url ?? "/")
            response.writeHead(a.status ?? 200, a.headers ?? {})
            response.end(a.body ?? "")
          })
          server.listen(0, "127.0.0.1", () =>
            resolve({ server, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen })
          )
        })
    ),
    ({ url, seen }) => use(url, () => seen.n),
    ({ server }) =>
      Effect.promise(() => {
        server.closeAllConnections()
        return new Promise<void>((resolve) => server.close(() => resolve()))
      })
  )

const systemAt = (url: string, auth: Auth.AuthMethod = Auth.bearerToken("pre-issued-token-value")) =>
  Effect.exit(
    Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (c) => c.system).pipe(
      Effect.provide(
        Layer.orDie(
          ThoughtSpotClient.layerNode({
            host: url,
            auth,
            rateLimit: { requestsPerSecond: Number.POSITIVE_INFINITY },
            retry: { baseDelayMillis: 1, maxDelayMillis: 5 }
          })
        )
      )
    )
  )

const json = JSON.stringify({ time_zone: "Europe/Paris", release_version: "10.1.0.cl" })

describe("what arrived", () => {
  it.live("html-page-is-said-to-be-html", () =>
    withServer(
      () => ({
        headers: { "content-type": "text/html; charset=utf-8" },
        body: "<!doctype html><title>Sign in</title>"
      }),
      (url, count) =>
        Effect.gen(function* () {
          const error = failureOf(yield* systemAt(url))
          expect(error.reason.message).toContain(
            "the response is HTML, not JSON (content-type text/html; charset=utf-8): is the host URL ThoughtSpot's, not a login page or proxy?"
          )
          expect(error.reason).toMatchObject({ _tag: "ResponseDecode", contentType: "text/html; charset=utf-8" })
          expect(count()).toBe(1)
        })
    )
  )

  it.live("html-sent-as-json-is-still-said-to-be-html", () =>
    withServer(
      () => ({ headers: { "content-type": "application/json" }, body: "\n<html><body>Proxy error</body></html>" }),
      (url) =>
        Effect.gen(function* () {
          const error = failureOf(yield* systemAt(url))
          expect(error.reason.message).toContain("the response is HTML, not JSON (content-type application/json)")
          expect(error.reason.message).not.toContain("cut short")
        })
    )
  )

  it.live("compressed-answers-are-decoded", () =>
    Effect.gen(function* () {
      const encoders: ReadonlyArray<[string, (b: Buffer) => Buffer]> = [
        ["gzip", zlib.gzipSync],
        ["deflate", zlib.deflateSync],
        ["br", zlib.brotliCompressSync]
      ]
      for (const [encoding, encode] of encoders) {
        const body = encode(Buffer.from(json))
        const info = yield* withServer(
          () => ({
            headers: {
              "content-type": "application/json",
              "content-encoding": encoding,
              "content-length": String(body.length)
            },
            body
          }),
          (url) =>
            Effect.flatMap(systemAt(url), (exit) =>
              Exit.isSuccess(exit) ? Effect.succeed(exit.value) : Effect.die(exit.cause)
            )
        )
        expect([encoding, info.time_zone]).toEqual([encoding, "Europe/Paris"])
      }
    })
  )

  it.live("gzip-without-content-encoding-is-said-to-be-gzip", () =>
    withServer(
      () => ({ headers: { "content-type": "application/json" }, body: zlib.gzipSync(Buffer.from(json)) }),
      (url) =>
        Effect.gen(function* () {
          const error = failureOf(yield* systemAt(url))
          expect(error.reason.message).toContain("the response is gzip-compressed without saying so")
          expect(error.reason.message).not.toContain("not valid JSON")
        })
    )
  )

  it.live("redirect-without-location-says-so", () =>
    withServer(
      () => ({ status: 302 }),
      (url, count) =>
        Effect.gen(function* () {
          const error = failureOf(yield* systemAt(url))
          expect(error.reason.message).toContain("ThoughtSpot answered 302 with no Location: check the host URL")
          expect(error.reason).toMatchObject({ _tag: "ResponseDecode", status: 302 })
          expect(error.isRetryable).toBe(false)
          expect(count()).toBe(1)
        })
    )
  )

  it.live("redirect-is-not-followed-and-names-its-target", () =>
    withServer(
      (path) => (path.startsWith("/elsewhere") ? { body: json } : { status: 301, headers: { location: "/elsewhere" } }),
      (url, count) =>
        Effect.gen(function* () {
          const error = failureOf(yield* systemAt(url))
          expect(error.reason.message).toContain("ThoughtSpot answered 301, redirecting to /elsewhere")
          expect(error.reason).toMatchObject({ location: "/elsewhere" })
          expect(count()).toBe(1)
        })
    )
  )

  it.live("refused-sign-in-names-the-user-and-host", () =>
    withServer(
      () => ({
        status: 401,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ error: { message: { debug: { code: 10097, debug: '["Invalid credentials"]' } } } })
      }),
      (url, count) =>
        Effect.gen(function* () {
          const error = failureOf(yield* systemAt(url, Auth.password({ username: "tsUserA", password: "not-it-1234" })))
          expect(error.reason).toMatchObject({
            _tag: "Authentication",
            username: "tsUserA",
            host: url.replace("http://", ""),
            code: 10097
          })
          expect(count()).toBe(1)
        })
    )
  )

  it.live("forbidden-system-read-names-its-operation", () =>
    withServer(
      () => ({
        status: 403,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ error: { message: { debug: { code: 10023, debug: '["no privilege"]' } } } })
      }),
      (url) =>
        Effect.gen(function* () {
          const error = failureOf(yield* systemAt(url))
          expect([error.operation, error.reason._tag, error.isRetryable]).toEqual(["system", "Forbidden", false])
        })
    )
  )
})
