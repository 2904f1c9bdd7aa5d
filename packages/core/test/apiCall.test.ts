/**
 * `ThoughtSpotClient.request` and the byte-level helpers of `ApiCall`: answers as the bytes that arrived (equal to
 * a plain HTTP read of the same endpoint), bodies sent as given, a renewed token after a 401, paths that cannot
 * leave `/api/rest/2.0/`, and array elements / object members cut out of JSON text without re-writing a value.
 */
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect, type Exit, Layer } from "effect"
import fc from "fast-check"
import { ApiCall, Auth, ThoughtSpotClient } from "../src/index.ts"
import { failureOf, successOf } from "./exits.ts"

const user = fixtures.user
const password = Auth.password({ username: user.username, password: user.password })

const withClient = <A, E>(
  options: ThoughtSpotClient.ThoughtSpotClientOptions,
  use: (client: ThoughtSpotClient.Service) => Effect.Effect<A, E>
): Promise<Exit.Exit<A, E>> =>
  Effect.runPromiseExit(
    Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, use).pipe(
      Effect.provide(Layer.orDie(ThoughtSpotClient.layerNode(options)))
    )
  )

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8")
const bytesOf = (s: string) => new Uint8Array(Buffer.from(s, "utf8"))

describe("ApiCall.apiPath", () => {
  it("takes the three spellings of an endpoint and keeps a query", () => {
    for (const path of [
      "metadata/search",
      "/metadata/search",
      "/api/rest/2.0/metadata/search",
      "api/rest/2.0/metadata/search"
    ]) {
      expect(ApiCall.apiPath(path)).toEqual({ _tag: "Ok", path: "metadata/search" })
    }
    expect(ApiCall.apiPath("/system/config?x=1")).toEqual({ _tag: "Ok", path: "system/config?x=1" })
    // The spec itself names one endpoint with a trailing slash.
    expect(ApiCall.apiPath("ai/relevant-questions/")).toEqual({ _tag: "Ok", path: "ai/relevant-questions/" })
  })

  it("refuses URLs, other versions and paths that would leave /api/rest/2.0/", () => {
    for (const path of [
      "https://evil.example/api/rest/2.0/system",
      "//evil.example/system",
      "/api/rest/1.0/system",
      "/api/rest/v2/system",
      "metadata/../../admin",
      "metadata/%2E%2e/x",
      "./system",
      "metadata\\..\\x",
      "system#frag",
      "metadata//search",
      "",
      "/api/rest/2.0/"
    ]) {
      expect(ApiCall.apiPath(path)._tag, path).toBe("Refused")
    }
  })

  it("refuses control characters a URL parser would drop (sys⏎tem would call system)", () => {
    for (const [path, at] of [
      ["sys\ntem", "U+000A, a line break, tab or the like, at character 4"],
      ["system\nX-Injected: 1", "U+000A, a line break, tab or the like, at character 7"],
      ["metadata/\tsearch", "U+0009, a line break, tab or the like, at character 10"],
      ["system?x=\r1", "U+000D"],
      ["sys\u0000tem", "U+0000"],
      ["sys\u007ftem", "U+007F"]
    ] as const) {
      const result = ApiCall.apiPath(path)
      expect(result._tag, path).toBe("Refused")
      if (result._tag === "Refused") {
        expect(result.message).toContain(at)
        expect(result.message).toContain("remove it")
      }
    }
  })
})

describe("ApiCall.changesState", () => {
  it("is false for GET and the endpoints that only read, true for every other call", () => {
    const reads: ReadonlyArray<readonly [ApiCall.Method, string]> = [
      ["GET", "system"],
      ["GET", "users/create"],
      ["POST", "metadata/search"],
      ["POST", "metadata/search?record_size=5"],
      ["POST", "Metadata/Search/"],
      ["POST", "searchdata"],
      ["POST", "auth/token/full"],
      ["POST", "connections/fetch-connection-diff-status/0f9a"],
      ["POST", "localizations/manual-translation/locales/fr-FR/export"],
      ["POST", "ai/relevant-questions/"]
    ]
    const changes: ReadonlyArray<readonly [ApiCall.Method, string]> = [
      ["POST", "users/create"],
      ["POST", "users/0f9a/update"],
      ["POST", "metadata/delete"],
      ["POST", "metadata/tml/import"],
      ["POST", "metadata/search/extra"],
      ["POST", "connections/fetch-connection-diff-status"],
      ["PUT", "ai/agent/instructions/set"],
      ["DELETE", "ai/agent/conversations/0f9a/delete"],
      ["POST", "anything/else"]
    ]
    for (const [method, path] of reads) expect(ApiCall.changesState(method, path), `${method} ${path}`).toBe(false)
    for (const [method, path] of changes) expect(ApiCall.changesState(method, path), `${method} ${path}`).toBe(true)
  })
})

describe("ApiCall.arrayElements", () => {
  it("cuts each element's own bytes: big integers, number spellings, escapes and key order intact", () => {
    const body = ' [ {"b":12345678901234567890123,"a":1.50} ,"x\\"]\\\\",\n[1e400, -0.0], null,true , {"k":[{}]}]\n'
    const result = ApiCall.arrayElements(bytesOf(body))
    expect(result._tag).toBe("Array")
    if (result._tag !== "Array") return
    expect(result.elements.map(text)).toEqual([
      '{"b":12345678901234567890123,"a":1.50}',
      '"x\\"]\\\\"',
      "[1e400, -0.0]",
      "null",
      "true",
      '{"k":[{}]}'
    ])
  })

  it("says what a text is when it is not an array", () => {
    expect(ApiCall.arrayElements(bytesOf('{"a":[1]}'))).toEqual({ _tag: "NotArray", kind: "object" })
    expect(ApiCall.arrayElements(bytesOf("[]"))).toEqual({ _tag: "Array", elements: [] })
    expect(ApiCall.arrayElements(bytesOf("[1,"))).toEqual({ _tag: "NotJson" })
    expect(ApiCall.arrayElements(new Uint8Array())).toEqual({ _tag: "NotJson" })
    expect(ApiCall.arrayElements(new Uint8Array([0x5b, 0x22, 0xff, 0x22, 0x5d]))).toEqual({ _tag: "NotJson" })
  })

  it("on any JSON array, with any whitespace, gives the elements as written", () => {
    const spaced = (value: unknown, space: string): string =>
      JSON.stringify(value, null, space.length === 0 ? undefined : space)
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.constantFrom("", " ", "\t", "  "), (items, space) => {
        const result = ApiCall.arrayElements(bytesOf(spaced(items, space)))
        if (result._tag !== "Array") return false
        expect(result.elements.map((e) => JSON.parse(text(e)))).toEqual(JSON.parse(JSON.stringify(items)))
        // On one line each, and unchanged when written compactly.
        for (const [i, element] of result.elements.entries()) {
          const line = text(ApiCall.oneLine(element))
          expect(line).not.toMatch(/[\r\n]/)
          expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(items[i])))
          if (space === "") expect(line).toBe(JSON.stringify(items[i]))
        }
        return true
      })
    )
  })

  it("oneLine drops only the whitespace outside strings, and only when there is a line break", () => {
    expect(text(ApiCall.oneLine(bytesOf('{ "a b" : 12345678901234567890 }')))).toBe('{ "a b" : 12345678901234567890 }')
    expect(text(ApiCall.oneLine(bytesOf('{\n  "a b": [ 1.50,\r\n "c\\nd" ]\n}')))).toBe('{"a b":[1.50,"c\\nd"]}')
  })
})

describe("ApiCall.objectMembers / withMembers", () => {
  it("replaces members where they stand, adds the others last, and keeps every other member's text", () => {
    const members = ApiCall.objectMembers('{ "z": 12345678901234567890, "record_offset" : 0, "n": {"a": [1.50]} }')
    expect(members).toEqual([
      ['"z"', "12345678901234567890"],
      ['"record_offset"', "0"],
      ['"n"', '{"a": [1.50]}']
    ])
    expect(
      ApiCall.withMembers(members!, [
        ["record_offset", "20"],
        ["record_size", "10"]
      ])
    ).toBe('{"z":12345678901234567890,"record_offset":20,"n":{"a": [1.50]},"record_size":10}')
    expect(ApiCall.objectMembers("[1]")).toBeUndefined()
    expect(ApiCall.objectMembers("{")).toBeUndefined()
    expect(ApiCall.withMembers(ApiCall.objectMembers("{}")!, [["record_size", "5"]])).toBe('{"record_size":5}')
  })
})

describe("ThoughtSpotClient.request against the sandbox", () => {
  let sandbox: RunningSandbox
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 })
  })
  afterAll(() => sandbox.close())

  /** The same call made with plain `fetch` and a token of its own: the bytes the server sends. */
  const fetched = async (path: string, body: string) => {
    const token = (await (
      await fetch(`${sandbox.url}/api/rest/2.0/auth/token/full`, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "test" },
        body: JSON.stringify({ username: user.username, password: user.password })
      })
    ).json()) as { token: string }
    const response = await fetch(`${sandbox.url}/api/rest/2.0/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "test", authorization: `Bearer ${token.token}` },
      body
    })
    return new Uint8Array(await response.arrayBuffer())
  }

  it("returns the bytes ThoughtSpot sent, integers beyond 2^53 included", async () => {
    const body = '{"metadata_identifier":"Order Details","record_size":3}'
    const response = successOf(
      await withClient({ host: sandbox.url, auth: password }, (client) =>
        client.request({ method: "POST", path: "/api/rest/2.0/metadata/answer/data", body })
      )
    )
    expect(response.status).toBe(200)
    expect(response.contentType).toMatch(/^application\/json/)
    expect(Buffer.from(response.bytes).equals(Buffer.from(await fetched("metadata/answer/data", body)))).toBe(true)
    // The sandbox's Order IDs start at 9007199254740000: beyond 2^53, which JSON.parse would round.
    expect(text(response.bytes)).toMatch(/\[9007199254740\d\d\d,/)
  })

  it("renews a revoked token once and replays the call", async () => {
    const exit = await withClient({ host: sandbox.url, auth: password }, (client) =>
      Effect.gen(function* () {
        const first = yield* client.request({ method: "GET", path: "system" })
        yield* Effect.sync(() => sandbox.revokeAllTokens())
        const second = yield* client.request({ method: "GET", path: "system" })
        return { first, second, issued: yield* client.credentialRequests }
      })
    )
    const { first, second, issued } = successOf(exit)
    expect(text(second.bytes)).toBe(text(first.bytes))
    expect(issued).toBe(2)
  })

  it("fails with ThoughtSpot's typed error, its message free of the password", async () => {
    const error = failureOf(
      await withClient({ host: sandbox.url, auth: password }, (client) =>
        client.request({ method: "POST", path: "metadata/answer/data", body: '{"metadata_identifier":"nope"}' })
      )
    )
    expect(error.operation).toBe("POST metadata/answer/data")
    expect(error.reason._tag).toBe("BadRequest")
    expect(error.message).toContain("no ANSWER with id or name 'nope'")
    expect(error.message).not.toContain(user.password)
  })

  it("refuses a path out of /api/rest/2.0/ before sending anything", async () => {
    const before = sandbox.stats().requests
    const error = failureOf(
      await withClient({ host: sandbox.url, auth: password }, (client) =>
        client.request({ method: "GET", path: "https://elsewhere.example/api/rest/2.0/system" })
      )
    )
    expect(error.reason._tag).toBe("BadRequest")
    expect(sandbox.stats().requests).toBe(before)
  })
})

describe("ThoughtSpotClient.request on the wire", () => {
  const seen: Array<{ method: string; url: string; body: string; authorization: string | undefined }> = []
  let server: Server
  let url: string
  let cutOnce = 0
  /** Statuses to answer the next requests with, first to last (then 200). */
  const script: Array<number> = []
  const readAll = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Array<Buffer> = []
      request.on("data", (c: Buffer) => chunks.push(c))
      request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    })
  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const body = await readAll(request)
      seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        body,
        authorization: request.headers.authorization
      })
      const status = script.shift()
      if (status !== undefined) {
        response.writeHead(status, { "content-type": "application/json" }).end('{"error":{"message":"scripted"}}')
        return
      }
      // Cut short: always, or on the first request only.
      const cut = request.url === "/api/rest/2.0/cut-always" || (request.url === "/api/rest/2.0/cut-once" && !cutOnce++)
      if (cut) {
        response.writeHead(200, { "content-type": "application/json" }).end('{"ok": [1,')
        return
      }
      if (request.url?.startsWith("/api/rest/2.0/empty")) {
        response.writeHead(204).end()
        return
      }
      response.writeHead(200, { "content-type": "application/json" }).end('{"ok": 1.50}')
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it("sends the body text as given, the query encoded after the path's own, with the credential", async () => {
    const body = '{ "n": 12345678901234567890, "x": 1.50 }'
    const exit = await withClient({ host: url, auth: Auth.bearerToken("tok") }, (client) =>
      Effect.gen(function* () {
        const put = yield* client.request({
          method: "PUT",
          path: "ai/agent/instructions/set?a=1",
          query: [
            ["b c", "d&e"],
            ["f", "ü"]
          ],
          body
        })
        const deleted = yield* client.request({ method: "DELETE", path: "/empty" })
        return { put, deleted }
      })
    )
    const { put, deleted } = successOf(exit)
    expect(text(put.bytes)).toBe('{"ok": 1.50}')
    expect(deleted.status).toBe(204)
    expect(deleted.bytes.length).toBe(0)
    expect(seen[0]).toEqual({
      method: "PUT",
      url: "/api/rest/2.0/ai/agent/instructions/set?a=1&b%20c=d%26e&f=%C3%BC",
      body,
      authorization: "Bearer tok"
    })
    expect(seen[1]).toMatchObject({ method: "DELETE", url: "/api/rest/2.0/empty", body: "" })
  })

  it("requests a body cut short in transit again, and fails loudly when it stays broken", async () => {
    const options = { host: url, auth: Auth.bearerToken("tok"), retry: { maxAttempts: 3, baseDelayMillis: 1 } }
    const before = seen.length
    const healed = successOf(await withClient(options, (client) => client.request({ method: "GET", path: "cut-once" })))
    expect(text(healed.bytes)).toBe('{"ok": 1.50}')
    expect(seen.length - before).toBe(2)
    const error = failureOf(
      await withClient(options, (client) => client.request({ method: "GET", path: "cut-always" }))
    )
    expect(error.reason._tag).toBe("ResponseDecode")
    expect(error.message).toContain("not valid JSON (cut short in transit?)")
    expect(seen.length - before).toBe(5)
  })

  it("sends a call that changes something again only after a failure that shows it was not carried out", async () => {
    const options = { host: url, auth: Auth.bearerToken("tok"), retry: { maxAttempts: 3, baseDelayMillis: 1 } }
    const attempts = async (method: ApiCall.Method, path: string, statuses: ReadonlyArray<number>) => {
      script.splice(0, script.length, ...statuses)
      const before = seen.length
      const exit = await withClient(options, (client) => client.request({ method, path }))
      script.length = 0
      return { exit, requests: seen.length - before }
    }
    // Unknown outcome (502, 504, 500, a body cut short): sent once, the failure as it came.
    for (const [method, path, status] of [
      ["POST", "users/create", 502],
      ["POST", "metadata/delete", 504],
      ["DELETE", "ai/agent/conversations/c1/delete", 500],
      ["PUT", "ai/agent/instructions/set", 502]
    ] as const) {
      const { exit, requests } = await attempts(method, path, [status])
      expect(failureOf(exit).isUnapplied).toBe(false)
      expect(requests, `${method} ${path}`).toBe(1)
    }
    const cut = await attempts("POST", "cut-always", [])
    expect(failureOf(cut.exit).reason._tag).toBe("ResponseDecode")
    expect(cut.requests).toBe(1)
    // Turned away before acting (429, 503): sent again.
    for (const status of [429, 503]) {
      const { exit, requests } = await attempts("POST", "users/create", [status])
      expect(text(successOf(exit).bytes)).toBe('{"ok": 1.50}')
      expect(requests).toBe(2)
    }
    // A read, by method or by endpoint: sent again after any retryable failure.
    for (const [method, path] of [
      ["GET", "system"],
      ["POST", "metadata/search"]
    ] as const) {
      const { exit, requests } = await attempts(method, path, [502, 504])
      expect(successOf(exit).status).toBe(200)
      expect(requests).toBe(3)
    }
  })

  it("never reaches a closed port: a refused connection is a failure the server did not act on", async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const error = failureOf(
      await withClient(
        { host: `http://127.0.0.1:${port}`, auth: Auth.bearerToken("tok"), retry: { baseDelayMillis: 1 } },
        (client) => client.request({ method: "POST", path: "users/create" })
      )
    )
    expect(error.reason._tag).toBe("Transport")
    expect(error.isUnapplied).toBe(true)
  })
})
