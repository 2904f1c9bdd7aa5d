/**
 * Over `effect/http`'s FetchHttpClient (the README's alternative to undici), the client keeps its promises:
 * redirects are not followed (fetch follows them by default, taking a password body along), and answers fetch
 * has already decompressed while keeping `Content-Encoding` are read as they are. Loopback servers answer.
 */
import * as http from "node:http"
import type * as net from "node:net"
import * as zlib from "node:zlib"
import { layerUndici } from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { FetchHttpClient, type HttpClient } from "effect/http"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { failureOf } from "./exits.ts"

interface Seen {
  readonly method: string
  readonly path: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

type Answer = (seen: Seen) => { status?: number; headers?: Record<string, string>; body?: string | Buffer }

/** A server on 127.0.0.1 answering with `answer` and recording every request it gets. */
const server = (answer: Answer) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{ server: http.Server; url: string; seen: Array<Seen> }>((resolve) => {
          const seen: Array<Seen> = []
          const s = http.createServer((request, response) => {
            const chunks: Array<Buffer> = []
            request.on("data", (chunk: Buffer) => chunks.push(chunk))
            request.on("end", () => {
              const one = {
                method: request.method ?? "",
                path: request.url ?? "/",
                headers: request.headers,
                body: Buffer.concat(chunks).toString("utf8")
              }
              seen.push(one)
              const a = answer(one)
              response.writeHead(a.status ?? 200, a.headers ?? {})
              response.end(a.body ?? "")
            })
          })
          s.listen(0, "127.0.0.1", () =>
            resolve({ server: s, url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`, seen })
          )
        })
    ),
    ({ server: s }) =>
      Effect.promise(() => {
        s.closeAllConnections()
        return new Promise<void>((resolve) => s.close(() => resolve()))
      })
  )

const password = "pa55-w0rd-never-elsewhere"
const json = (value: unknown) => JSON.stringify(value)
const token = (now: number) =>
  json({ token: "minted-token-1", creation_time_in_millis: now, expiration_time_in_millis: now + 3_600_000 })
const system = json({ time_zone: "Europe/Paris", release_version: "10.1.0.cl" })

/** `client.system` and the number of credential requests, over FetchHttpClient with `init` given to it. */
const systemOverFetch = (url: string, init?: RequestInit) =>
  systemOver(
    url,
    init === undefined
      ? FetchHttpClient.layer
      : FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, init)))
  )

const systemOver = (url: string, httpClient: Layer.Layer<HttpClient.HttpClient>) =>
  Effect.gen(function* () {
    const client = yield* ThoughtSpotClient.ThoughtSpotClient
    const exit = yield* Effect.exit(client.system)
    return { exit, minted: yield* client.credentialRequests }
  }).pipe(
    Effect.provide(
      ThoughtSpotClient.layer({
        host: url,
        auth: Auth.password({ username: "ana", password }),
        rateLimit: { requestsPerSecond: Number.POSITIVE_INFINITY },
        retry: { baseDelayMillis: 1, maxDelayMillis: 5 },
        releaseOnClose: false
      }).pipe(Layer.provide(httpClient), Layer.orDie)
    )
  )

describe("over FetchHttpClient", () => {
  it.live("redirect-of-the-password-request-is-not-followed", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const other = yield* server(() => ({ body: token(Date.now()) }))
        const first = yield* server(() => ({ status: 307, headers: { location: `${other.url}/stolen` } }))
        // The program's own RequestInit still applies (its header arrives); only redirects are not followed.
        const { exit } = yield* systemOverFetch(first.url, { headers: { "x-program": "kept" } })
        const error = failureOf(exit)
        expect(error.operation).toBe("auth/token/full")
        expect(error.reason).toMatchObject({ _tag: "ResponseDecode", status: 307, location: `${other.url}/stolen` })
        expect(error.reason.message).toContain("redirects are not followed")
        expect(other.seen).toEqual([])
        expect(first.seen.map((s) => [s.path, s.headers["x-program"]])).toEqual([
          ["/api/rest/2.0/auth/token/full", "kept"]
        ])
      })
    )
  )

  it.live("redirect-of-a-data-request-is-not-followed", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const other = yield* server(() => ({ body: system }))
        const first = yield* server((seen) =>
          seen.path.endsWith("auth/token/full")
            ? { headers: { "content-type": "application/json" }, body: token(Date.now()) }
            : { status: 302, headers: { location: `${other.url}/api/rest/2.0/system` } }
        )
        const error = failureOf((yield* systemOverFetch(first.url)).exit)
        expect(error.reason).toMatchObject({ _tag: "ResponseDecode", status: 302 })
        expect(other.seen).toEqual([])
      })
    )
  )

  it.live("gzip-answers-decoded-by-fetch-are-read-once", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const first = yield* server((seen) => {
          const body = seen.path.endsWith("auth/token/full") ? token(Date.now()) : system
          const gzip = /\bgzip\b/.test(String(seen.headers["accept-encoding"] ?? ""))
          return {
            headers: { "content-type": "application/json", ...(gzip ? { "content-encoding": "gzip" } : {}) },
            body: gzip ? zlib.gzipSync(body) : body
          }
        })
        const { exit, minted } = yield* systemOverFetch(first.url)
        expect(Exit.isSuccess(exit) ? exit.value.time_zone : failureOf(exit).message).toBe("Europe/Paris")
        expect(minted).toBe(1)
        // fetch asked for compression, so the answers really were compressed.
        expect(first.seen.every((s) => /\bgzip\b/.test(String(s.headers["accept-encoding"])))).toBe(true)
      })
    )
  )

  it.live("body-not-in-its-content-encoding-says-so-once", () =>
    Effect.scoped(
      Effect.gen(function* () {
        // Plain JSON labelled gzip (a proxy that decoded it and kept the header): not "ended early", not retried.
        const first = yield* server((seen) => ({
          headers: { "content-type": "application/json", "content-encoding": "gzip" },
          body: seen.path.endsWith("auth/token/full") ? token(Date.now()) : system
        }))
        const { exit, minted } = yield* systemOver(first.url, layerUndici)
        const error = failureOf(exit)
        expect(error.reason).toMatchObject({ _tag: "ResponseDecode", status: 200 })
        expect(error.reason.message).toContain(
          "the response says content-encoding gzip but its body is not gzip data (incorrect header check)"
        )
        expect(error.reason.message).not.toContain("ended early")
        expect([first.seen.length, minted]).toEqual([1, 1])
      })
    )
  )

  it.live("gzip-body-cut-short-is-retried-as-ended-early", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const whole = zlib.gzipSync(token(Date.now()))
        let tokenRequests = 0
        const first = yield* server((seen) =>
          seen.path.endsWith("auth/token/full") && ++tokenRequests === 1
            ? { headers: { "content-encoding": "gzip" }, body: whole.subarray(0, whole.length - 12) }
            : {
                headers: { "content-type": "application/json" },
                body: seen.path.endsWith("auth/token/full") ? token(Date.now()) : system
              }
        )
        const { exit } = yield* systemOver(first.url, layerUndici)
        expect(Exit.isSuccess(exit) ? exit.value.time_zone : failureOf(exit).message).toBe("Europe/Paris")
        expect(first.seen.map((s) => s.path.split("/").pop())).toEqual(["full", "full", "system"])
      })
    )
  )
})
