/**
 * Connection failures that cannot heal fail fast and say what to check: a closed port (refused, retried
 * briefly), plain HTTP where TLS was expected, an untrusted certificate, an unknown host. Loopback only; the
 * unknown host is injected through a test `HttpClient` (this machine's resolver would send a query off-box).
 */
import * as http from "node:http"
import * as https from "node:https"
import * as net from "node:net"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { HttpClient, HttpClientError } from "effect/http"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { failureOf } from "./exits.ts"
import { makeFake, withTime } from "./fake.ts"

/** A self-signed certificate for 127.0.0.1 (trusted by nobody). */
const KEY = [
  "-----BEGIN PRIVATE KEY-----",
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHV8WGf/6ob2bMiS9",
  "6C0BnEhcQGasoUKz1hvM1adlfOWhRANCAASw6n8dDxBSLiZ26iyixwAfGSHyM6/g",
  "4WOnkl2zdBphZcVUCmArzoSX032xGYf/gZq5YSKG5QoteSmRre4Cjjz/",
  "-----END PRIVATE KEY-----"
].join("\n")
const CERT = [
  "-----BEGIN CERTIFICATE-----",
  "MIIBjzCCATagAwIBAgIUdkChxhRPxHoKLm4bJAPj8m36BpQwCgYIKoZIzj0EAwIw",
  "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNjE0NTgyNloYDzIxMjYxMTEy",
  "MTQ1ODI2WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO",
  "PQMBBwNCAASw6n8dDxBSLiZ26iyixwAfGSHyM6/g4WOnkl2zdBphZcVUCmArzoSX",
  "032xGYf/gZq5YSKG5QoteSmRre4Cjjz/o2QwYjAdBgNVHQ4EFgQUqfxjOLOeBwdu",
  "44CWOAPb29zylIcwHwYDVR0jBBgwFoAUqfxjOLOeBwdu44CWOAPb29zylIcwDwYD",
  "VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC",
  "IE9WttneI1wQ9y3FBJbCdkd+2kRa8CqP6xoYLfBZ/aDhAiAJ4Vaw/UItJ3kL03xx",
  "Oz+JTA4eCkVeLt77bg/0TOzrvg==",
  "-----END CERTIFICATE-----"
].join("\n")

/** `client` with every request counted. */
const countingClient = (client: Layer.Layer<HttpClient.HttpClient>) => {
  const sent = { count: 0 }
  const layer = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.tapRequest(client, () =>
        Effect.sync(() => {
          sent.count++
        })
      )
    )
  ).pipe(Layer.provide(client))
  return { sent, layer }
}

/** undici with every request counted. */
const countingUndici = () => countingClient(NodeHttpClient.layerUndici)

/** `system` once against `host`, with short real backoff (loopback answers at once). */
const systemAt = (host: string, layer: Layer.Layer<HttpClient.HttpClient>, token = "pre-issued-token-value") =>
  Effect.exit(
    Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (c) => c.system).pipe(
      Effect.provide(
        ThoughtSpotClient.layer({
          host,
          auth: Auth.bearerToken(token),
          rateLimit: { requestsPerSecond: Number.POSITIVE_INFINITY },
          retry: { baseDelayMillis: 1, maxDelayMillis: 5 }
        }).pipe(Layer.orDie, Layer.provide(layer))
      )
    )
  )

/** `system` once against `server` on a loopback port through a counted `client` (closed after): what failed. */
const failedSystemOn = (
  server: net.Server,
  scheme: "http" | "https",
  client: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici
) =>
  Effect.gen(function* () {
    const port = yield* Effect.promise(() => listen(server))
    const { sent, layer } = countingClient(client)
    const exit = yield* systemAt(`${scheme}://127.0.0.1:${port}`, layer).pipe(
      Effect.ensuring(Effect.promise(() => close(server)))
    )
    return { port, sent, error: failureOf(exit) }
  })

const listen = (server: net.Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port))
  )
const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()))

describe("connection failures", () => {
  // A token pasted with a control character (a line break, a stray byte): the HTTP client refuses to send the
  // header, the same way every time, so no retry can help and none reaches the server.
  for (const [client, undiciOrNode] of [
    ["undici", NodeHttpClient.layerUndici],
    ["node-http", NodeHttpClient.layerNodeHttp]
  ] as const) {
    it.live(`header-value-the-client-refuses-fails-at-once-and-says-what-to-check-${client}`, () =>
      Effect.gen(function* () {
        let requests = 0
        const server = http.createServer((_request, response) => {
          requests++
          response.end("{}")
        })
        const port = yield* Effect.promise(() => listen(server))
        const { sent, layer } = countingClient(undiciOrNode)
        const exit = yield* systemAt(`http://127.0.0.1:${port}`, layer, "pasted-token\u0001value").pipe(
          Effect.ensuring(Effect.promise(() => close(server)))
        )
        const error = failureOf(exit)
        expect(error.reason._tag).toBe("Authentication")
        expect(error.reason.message).toContain("the bearer token holds a character HTTP does not allow in a header")
        expect(error.reason.message).toContain("inside it: check how the token was copied")
        expect(error.reason.message).not.toContain("pasted-token")
        expect([sent.count, requests]).toEqual([0, 0])
      })
    )

    it.live(`token-answer-the-client-could-not-send-back-fails-at-once-${client}`, () =>
      Effect.gen(function* () {
        const paths: Array<string> = []
        const server = http.createServer((request, response) => {
          paths.push(request.url ?? "")
          const now = Date.now()
          response.setHeader("content-type", "application/json")
          response.end(
            request.url?.endsWith("/auth/token/full")
              ? JSON.stringify({
                  token: "minted\nvalue",
                  creation_time_in_millis: now,
                  expiration_time_in_millis: now + 300_000,
                  valid_for_user_id: "u",
                  valid_for_username: "ana"
                })
              : "{}"
          )
        })
        const port = yield* Effect.promise(() => listen(server))
        const exit = yield* Effect.exit(
          Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (c) => c.system).pipe(
            Effect.provide(
              ThoughtSpotClient.layer({
                host: `http://127.0.0.1:${port}`,
                auth: Auth.password({ username: "ana", password: "pw" }),
                rateLimit: { requestsPerSecond: Number.POSITIVE_INFINITY },
                retry: { baseDelayMillis: 1, maxDelayMillis: 5 },
                releaseOnClose: false
              }).pipe(Layer.orDie, Layer.provide(undiciOrNode))
            ),
            Effect.ensuring(Effect.promise(() => close(server)))
          )
        )
        const error = failureOf(exit)
        expect(error.reason._tag).toBe("ResponseDecode")
        expect(error.reason.message).toContain("the token in the answer holds a character HTTP does not allow")
        expect(error.reason.message).not.toContain("minted")
        expect(paths).toEqual(["/api/rest/2.0/auth/token/full"])
      })
    )
  }

  it.live("closed-port-is-tried-twice-then-says-nothing-is-listening", () =>
    Effect.gen(function* () {
      const probe = http.createServer()
      const port = yield* Effect.promise(() => listen(probe))
      yield* Effect.promise(() => close(probe))
      const { sent, layer } = countingUndici()
      const error = failureOf(yield* systemAt(`http://127.0.0.1:${port}`, layer))
      expect(error.reason._tag).toBe("Transport")
      expect(error.reason.message).toContain(`nothing is listening at 127.0.0.1:${port}`)
      expect(error.reason).toMatchObject({ networkCode: "ECONNREFUSED", host: `127.0.0.1:${port}` })
      expect(sent.count).toBe(2)
    })
  )

  it.live("plain-http-server-reached-with-https-fails-at-once-and-suggests-http", () =>
    Effect.gen(function* () {
      let connections = 0
      const server = http.createServer((_request, response) => response.end("{}"))
      server.on("connection", () => connections++)
      const { port, sent, error } = yield* failedSystemOn(server, "https")
      expect(error.reason._tag).toBe("Transport")
      expect(error.reason.message).toContain(
        `the server at https://127.0.0.1:${port} answered in plain HTTP: did you mean http://127.0.0.1:${port}?`
      )
      expect(error.isRetryable).toBe(false)
      expect([sent.count, connections]).toEqual([1, 1])
    })
  )

  /** A TCP server that answers every request with `bytes` and closes, counting connections. */
  const answering = (bytes: Uint8Array | string) => {
    const seen = { connections: 0 }
    const server = net.createServer((socket) => {
      seen.connections++
      socket.once("data", () => socket.end(bytes))
      socket.on("error", () => {})
    })
    return { seen, server }
  }

  // A TLS server closes at once on a plain HTTP request (OpenSSL sends no alert for one); servers that answer
  // with an alert record, as this one does, must not be retried six times as a flaky network.
  const tlsAlert = Uint8Array.of(0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28)

  for (const [client, undiciOrNode] of [
    ["undici", NodeHttpClient.layerUndici],
    ["node-http", NodeHttpClient.layerNodeHttp]
  ] as const) {
    it.live(`tls-alert-answering-http-fails-at-once-and-suggests-https-${client}`, () =>
      Effect.gen(function* () {
        const { seen, server } = answering(tlsAlert)
        const { port, sent, error } = yield* failedSystemOn(server, "http", undiciOrNode)
        expect(error.reason._tag).toBe("Transport")
        expect(error.reason.message).toContain(
          `the server at http://127.0.0.1:${port} did not answer HTTP: it speaks TLS (its first bytes are a TLS record), so use https://127.0.0.1:${port}`
        )
        expect(error.isRetryable).toBe(false)
        expect([sent.count, seen.connections]).toEqual([1, 1])
      })
    )
  }

  it.live("tls-server-closing-on-plain-http-is-retried-and-suggests-https", () =>
    Effect.gen(function* () {
      // A real TLS server (OpenSSL): it closes the connection on a plain HTTP request without sending a byte,
      // which a dropped connection also does, so it is retried; the last message names the likely cause.
      let connections = 0
      const server = https.createServer({ key: KEY, cert: CERT }, (_request, response) => response.end("{}"))
      server.on("connection", () => connections++)
      server.on("tlsClientError", () => {})
      const { port, sent, error } = yield* failedSystemOn(server, "http")
      expect(error.reason._tag).toBe("Transport")
      expect(error.reason.message).toContain(
        `the server closed the connection without answering: if it speaks HTTPS, use https://127.0.0.1:${port}`
      )
      expect(error.isRetryable).toBe(true)
      expect([sent.count, connections]).toEqual([6, 6])
    })
  )

  it.live("https-port-refusing-plain-http-with-400-says-to-use-https", () =>
    Effect.gen(function* () {
      // nginx's answer on its TLS port to a plain HTTP request.
      let requests = 0
      const server = http.createServer((_request, response) => {
        requests++
        response.writeHead(400, { "content-type": "text/html" })
        response.end(
          "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was sent to HTTPS port</center>\r\n</body>\r\n</html>\r\n"
        )
      })
      const { sent, error } = yield* failedSystemOn(server, "http")
      expect(error.reason._tag).toBe("BadRequest")
      expect(error.reason.message).toContain(
        "the server speaks HTTPS on this port and refused a plain HTTP request: use https:// in the host URL"
      )
      expect(error.isRetryable).toBe(false)
      expect([sent.count, requests]).toEqual([1, 1])
    })
  )

  it.live("non-http-answer-fails-at-once-and-shows-its-first-bytes", () =>
    Effect.gen(function* () {
      const { seen, server } = answering("SSH-2.0-OpenSSH_9.6\r\n")
      const { port, sent, error } = yield* failedSystemOn(server, "http")
      expect(error.reason._tag).toBe("Transport")
      expect(error.reason.message).toContain(
        `the server at http://127.0.0.1:${port} did not answer HTTP (its first bytes: "SSH-2.0-OpenSSH_…"): if it speaks HTTPS, use https://127.0.0.1:${port}; else check the host URL and port`
      )
      expect(error.isRetryable).toBe(false)
      expect([sent.count, seen.connections]).toEqual([1, 1])
    })
  )

  it.live("untrusted-certificate-fails-at-once", () =>
    Effect.gen(function* () {
      let connections = 0
      const server = https.createServer({ key: KEY, cert: CERT }, (_request, response) => response.end("{}"))
      server.on("connection", () => connections++)
      const { port, sent, error } = yield* failedSystemOn(server, "https")
      expect(error.reason._tag).toBe("Transport")
      expect(error.reason.message).toContain(`the TLS certificate of 127.0.0.1:${port} is not trusted`)
      expect(error.isRetryable).toBe(false)
      expect([sent.count, connections]).toEqual([1, 1])
    })
  )

  const dnsFailure = (code: "ENOTFOUND" | "EAI_AGAIN", hostname: string) =>
    // As Node's resolver reports it (dns.lookup / getaddrinfo).
    Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), {
      errno: code === "ENOTFOUND" ? -3008 : -3001,
      code,
      syscall: "getaddrinfo",
      hostname
    })

  const failingDns = (code: "ENOTFOUND" | "EAI_AGAIN") => {
    const sent = { count: 0 }
    const client = HttpClient.make((request, url) =>
      Effect.suspend(() => {
        sent.count++
        return Effect.fail(
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.TransportError({ request, cause: dnsFailure(code, url.hostname) })
          })
        )
      })
    )
    return { sent, layer: Layer.succeed(HttpClient.HttpClient, client) }
  }

  it.effect("unknown-host-fails-at-once-and-says-cannot-resolve", () =>
    Effect.gen(function* () {
      const { sent, layer } = failingDns("ENOTFOUND")
      const error = failureOf(yield* withTime(systemAt("https://spotpipe-test.invalid", layer)))
      expect(error.reason.message).toContain("cannot resolve host spotpipe-test.invalid")
      expect(error.reason).toMatchObject({
        _tag: "Transport",
        networkCode: "ENOTFOUND",
        host: "spotpipe-test.invalid:443"
      })
      expect(sent.count).toBe(1)
    })
  )

  it.effect("temporary-dns-failure-is-retried", () =>
    Effect.gen(function* () {
      const { sent, layer } = failingDns("EAI_AGAIN")
      const error = failureOf(yield* withTime(systemAt("https://spotpipe-test.invalid", layer)))
      expect(error.reason).toMatchObject({ _tag: "Transport", networkCode: "EAI_AGAIN" })
      expect(sent.count).toBe(6)
    })
  )

  it.effect("reset-connections-are-still-retried", () =>
    Effect.gen(function* () {
      const fake = makeFake(() => ({ reset: true }))
      const error = failureOf(yield* withTime(systemAt("http://ts.test", fake.layer)))
      expect(error.isRetryable).toBe(true)
      expect(fake.seen).toHaveLength(6)
    })
  )
})

describe("a call whose fiber is interrupted", () => {
  it.live("closes its connection, before the answer and mid-body, and frees its place for the next call", () =>
    Effect.gen(function* () {
      // `system` stalls (headers only, or before any byte) until the client lets go; `auth/session/user` answers.
      const closed: Array<string> = []
      let stall: "headers" | "body" = "headers"
      const server = http.createServer((request, response) => {
        if (request.url?.endsWith("/system")) {
          const kind = stall
          request.socket.once("close", () => closed.push(kind))
          if (kind === "body") {
            response.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
            response.write('{"time_zone":')
          }
          return
        }
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({ id: "u-1", name: "tsUserA", display_name: "A" }))
      })
      const port = yield* Effect.promise(() => listen(server))
      const exit = yield* Effect.exit(
        Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (c) =>
          Effect.gen(function* () {
            for (const kind of ["headers", "body"] as const) {
              stall = kind
              const gaveUp = yield* Effect.exit(Effect.timeout(c.system, 300))
              expect(Exit.isFailure(gaveUp)).toBe(true)
              // The server sees the connection closed soon after, not when a timeout of its own or the client's runs out.
              for (let i = 0; i < 100 && !closed.includes(kind); i++) yield* Effect.sleep(10)
              expect(closed).toContain(kind)
              // One request at a time: the interrupted call's place is free again.
              yield* c.currentUser
            }
          })
        ).pipe(
          Effect.provide(
            ThoughtSpotClient.layer({
              host: `http://127.0.0.1:${port}`,
              auth: Auth.bearerToken("pre-issued-token-value"),
              concurrency: 1,
              rateLimit: { requestsPerSecond: Number.POSITIVE_INFINITY }
            }).pipe(Layer.provide(NodeHttpClient.layerUndici))
          ),
          Effect.ensuring(Effect.promise(() => close(server)))
        )
      )
      if (Exit.isFailure(exit)) throw new Error(String(exit.cause))
      expect(closed).toEqual(["headers", "body"])
    })
  )
})
