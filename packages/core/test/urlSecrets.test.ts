/**
 * Credentials a request writes inside URLs: a webhook's delivery URL carries the receiver's key after its host
 * (Slack's `/services/T…/B…/<key>`), and any URL may carry user info (`https://user:token@host/…`, a git remote).
 * `ApiCall.secretsOf` takes them as the request's secrets, so a call's error never shows them in any encoding:
 * the server's text that echoes one is withheld whole — against a loopback server that echoes each request in its
 * error text.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import { ApiCall, Auth, ThoughtSpotClient } from "../src/index.ts"
import { WITHHELD } from "../src/internal/scrub.ts"

describe("ApiCall.secretsOf: URLs", () => {
  it("a webhook's delivery url: everything after its host, as written and decoded", () => {
    const body = JSON.stringify({ name: "w", url: "https://hooks.slack.com/services/T01/B02/Key%2F9x7Yq" })
    for (const path of ["webhooks/create", "/api/rest/2.0/webhooks/wh-1/update", "WEBHOOKS/CREATE/"]) {
      expect(ApiCall.secretsOf({ method: "POST", path, body }), path).toEqual([
        "/services/T01/B02/Key%2F9x7Yq",
        "/services/T01/B02/Key/9x7Yq"
      ])
    }
    // A key given twice is sent twice: both are secrets. A query counts too; a text that is no URL counts whole.
    expect(
      ApiCall.secretsOf({
        method: "POST",
        path: "webhooks/create",
        body: '{"url":"https://a.example/in/k-1","url":"https://b.example/x?code=k-2","name":"n"}'
      })
    ).toEqual(["/in/k-1", "/x?code=k-2"])
    expect(ApiCall.secretsOf({ method: "POST", path: "webhooks/create", body: '{"url":"hooks.example/k-3"}' })).toEqual(
      ["hooks.example/k-3"]
    )
    // A bare host names no key: nothing.
    expect(
      ApiCall.secretsOf({ method: "POST", path: "webhooks/create", body: '{"url":"https://hooks.example/"}' })
    ).toEqual([])
  })

  it("another endpoint's url, or a webhook's nested one, is no delivery url", () => {
    for (const [path, body] of [
      ["customization/custom-actions", { action_details: { URL: { url: "https://actions.example/push" } } }],
      ["webhooks/search", { url: "https://hooks.example/k" }],
      ["webhooks/create", { authentication: { OAUTH2: { authorization_url: "https://idp.example/oauth" } } }]
    ] as const) {
      expect(ApiCall.secretsOf({ method: "POST", path, body: JSON.stringify(body) }), path).toEqual([])
    }
  })

  it("the user info of any URL among the values, whole and in parts", () => {
    expect(
      ApiCall.secretsOf({
        method: "POST",
        path: "vcs/git/config/create",
        body: JSON.stringify({ repository_url: "https://x-access-token:ghp_s3cr%40t@github.com/o/r.git" })
      })
    ).toEqual([
      "x-access-token:ghp_s3cr%40t",
      "x-access-token:ghp_s3cr@t",
      "x-access-token",
      "ghp_s3cr%40t",
      "ghp_s3cr@t"
    ])
    expect(ApiCall.secretsOf({ method: "GET", path: "x", query: [["next", "https://tok3n-only@h.example/"]] })).toEqual(
      ["tok3n-only"]
    )
  })
})

describe("ThoughtSpotClient.request: credentials in URLs", () => {
  let server: Server
  let url: string
  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (c: Buffer) => chunks.push(c))
      request.on("end", () => {
        const echoed = Buffer.concat(chunks).toString("utf8")
        const text = `invalid webhook: ${echoed} | ${encodeURIComponent(echoed)} | ${Buffer.from(echoed).toString("base64")}`
        response
          .writeHead(400, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { message: text } }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const failure = async (request: ApiCall.ApiRequest): Promise<string> => {
    const exit = await Effect.runPromiseExit(
      Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) => client.request(request)).pipe(
        Effect.provide(Layer.orDie(ThoughtSpotClient.layerNode({ host: url, auth: Auth.bearerToken("tok-url-test") })))
      )
    )
    if (Exit.isSuccess(exit)) throw new Error("expected the echoing server's 400")
    return Cause.pretty(exit.cause)
  }

  const forms = (secret: string): ReadonlyArray<string> => [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString("base64").slice(0, 12)
  ]

  it("a webhook's key in its url's path is never shown: the echo is withheld", async () => {
    const key = "XoXb9kQ27LmN4pRt8sVw"
    const shown = await failure({
      method: "POST",
      path: "webhooks/create",
      body: JSON.stringify({ name: "orders", url: `https://hooks.slack.com/services/T0A1/B0B2/${key}` })
    })
    expect(shown).toContain(`(HTTP 400): ${WITHHELD}`)
    for (const form of forms(key)) expect(shown).not.toContain(form)
  })

  it("a token in a git remote's user info is never shown", async () => {
    const token = "ghp_Re4lT0kenValue77"
    const shown = await failure({
      method: "POST",
      path: "vcs/git/config/create",
      body: JSON.stringify({ repository_url: `https://${token}@github.com/acme/tml.git`, username: "ci" })
    })
    expect(shown).toContain(`(HTTP 400): ${WITHHELD}`)
    for (const form of forms(token)) expect(shown).not.toContain(form)
  })
})
