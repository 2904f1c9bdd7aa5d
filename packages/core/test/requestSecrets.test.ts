/**
 * The secrets a `ThoughtSpotClient.request` carries in its own fields (a user's password in `users/create`, a
 * token in a query, a connection's password deep in its configuration): found by the field names of
 * `ApiCall.secretFields`, and never shown by that call's errors, retry logs or spans, in any encoding a server
 * echoes them in, against a loopback server that echoes each request in its error text.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, Tracer } from "effect"
import { HttpClient } from "effect/http"
import { ApiCall, Auth, ThoughtSpotClient } from "../src/index.ts"
import { WITHHELD } from "../src/internal/scrub.ts"

describe("ApiCall.secretsOf", () => {
  it("finds the spec's secret fields at any depth, in any case, numbers by their digits", () => {
    const body = JSON.stringify({
      name: "ann",
      password: "pw-top-level",
      Secret_Key: "sk-any-case",
      data_warehouse_config: { configuration: { user: "loader", password: "pw-in-a-connection" } },
      authentication: { API_KEY: { key: "X-Api-Key", value: "api-key-value" }, BEARER_TOKEN: "bearer-value" },
      OAUTH2: { client_id: "client", client_secret: "client-secret-value" },
      signature_verification: { secret: "hmac-secret" },
      users: [{ name: "bo", password: "pw-in-an-array" }],
      // Not secrets: search tokens, a header's name, an ordinary `value`.
      tokens: "[sales],[region]",
      additional_headers: [{ key: "X-Custom", value: "header-value" }],
      value: "plain"
    })
    const found = ApiCall.secretsOf({ method: "POST", path: "users/create", body })
    expect(new Set(found)).toEqual(
      new Set([
        "pw-top-level",
        "sk-any-case",
        "pw-in-a-connection",
        "api-key-value",
        "bearer-value",
        "client-secret-value",
        "hmac-secret",
        "pw-in-an-array",
        "header-value"
      ])
    )
    // A number keeps its digits (through a double it would be 12345678901234567000).
    expect(
      ApiCall.secretsOf({ method: "POST", path: "users/create", body: '{"password":12345678901234567890}' })
    ).toEqual(["12345678901234567890"])
    // A key given twice is sent twice: both values are secrets (a parse keeps only the last).
    const twice = '{"password":"first-Secret-1", "x": [1, {"a": "\\"q\\""}], "password" : "second-Secret-2"}'
    expect(ApiCall.secretsOf({ method: "POST", path: "users/create", body: twice })).toEqual([
      "first-Secret-1",
      "second-Secret-2"
    ])
    // Escapes are read as JSON reads them; true, false and null are no secrets.
    expect(
      ApiCall.secretsOf({
        method: "POST",
        path: "users/create",
        body: '{"token":"a\\u0062c\\"d","secret":{"k":[true,null,-1.50e3]}}'
      })
    ).toEqual(['abc"d', "-1.50e3"])
  })

  it("finds them in query parameters, given or written in the path, and takes explicit secrets", () => {
    const found = ApiCall.secretsOf({
      method: "GET",
      path: "system?access_token=in%20the%20path&x=1",
      query: [
        ["token", "query-token"],
        ["auth[password]", "nested-query-password"],
        ["name", "not-a-secret"]
      ],
      secrets: ["explicit-secret"]
    })
    expect(new Set(found)).toEqual(new Set(["explicit-secret", "in the path", "query-token", "nested-query-password"]))
    // A body that is not JSON is searched for nothing (and refused by ThoughtSpot); empty values are no secrets.
    expect(ApiCall.secretsOf({ method: "POST", path: "x", body: "password=not-json" })).toEqual([])
    expect(ApiCall.secretsOf({ method: "POST", path: "x", body: '{"password":""}' })).toEqual([])
  })
})

describe("ApiCall.secretsOf: credentials under other names", () => {
  const found = (path: string, body: unknown) =>
    new Set(ApiCall.secretsOf({ method: "POST", path, body: JSON.stringify(body) }))

  it("every additional header value and URL parameter of a webhook, whatever its name", () => {
    const webhook = {
      name: "orders",
      url: "https://hooks.example/in",
      events: ["LIVEBOARD_SCHEDULE"],
      url_params: { code: "url-param-code", region: "eu", n: 7 },
      additional_headers: [
        { key: "Authorization", value: "Bearer header-bearer" },
        { key: "X-Api-Key", value: "header-api-key" },
        { key: "X-Tenant", value: "tenant-7" }
      ],
      authentication: {
        BASIC_AUTH: { username: "hook-user", password: "basic-password" },
        BEARER_TOKEN: "bearer-token-value",
        OAUTH2: { authorization_url: "https://idp.example/token", client_id: "cid", client_secret: "oauth-secret" }
      },
      storage_destination: {
        storage_type: "AWS_S3",
        storage_config: {
          aws_s3_config: { bucket_name: "files", region: "us-west-2", role_arn: "arn:aws:iam::1:role/r" }
        }
      }
    }
    for (const path of ["webhooks/create", "webhooks/wh-1/update"]) {
      expect(found(path, webhook)).toEqual(
        new Set([
          // The delivery url after its host (urlSecrets.test.ts).
          "/in",
          "url-param-code",
          "eu",
          "7",
          "Bearer header-bearer",
          "header-api-key",
          "tenant-7",
          "basic-password",
          "bearer-token-value",
          "oauth-secret"
        ])
      )
    }
  })

  it("a custom action's URL query parameters", () => {
    const action = {
      name: "push",
      action_details: {
        URL: {
          url: "https://actions.example/push",
          parameters: [{ key: "sig", value: "action-param-sig" }],
          authentication: { API_Key: { key: "X-Key", value: "action-api-key" } }
        }
      }
    }
    expect(found("customization/custom-actions", action)).toEqual(new Set(["action-param-sig", "action-api-key"]))
  })

  it("every value a variables update assigns: a request cannot tell a sensitive variable from another", () => {
    expect(
      found("template/variables/wh_password/update-values", {
        operation: "REPLACE",
        variable_assignment: [{ assigned_values: ["variable-pw-1", "variable-pw-2"], org_identifier: "Primary" }]
      })
    ).toEqual(new Set(["variable-pw-1", "variable-pw-2"]))
    expect(
      found("template/variables/update-values", {
        variable_assignment: [
          { variable_identifier: "wh_password", variable_values: ["variable-pw-3"], operation: "ADD" }
        ],
        variable_value_scope: [{ org_identifier: "Primary" }]
      })
    ).toEqual(new Set(["variable-pw-3"]))
    // A token's formula variable values are filter values, not secrets.
    expect(
      found("auth/token/custom", { username: "ann", variable_values: [{ name: "region", values: ["west"] }] })
    ).toEqual(new Set())
  })

  it("warehouse and storage credentials of a connection configuration, in either spelling", () => {
    const configuration = {
      accountName: "acme",
      user: "loader",
      privateKey: "-----BEGIN PRIVATE KEY-----pk",
      private_key_passphrase: "pk-passphrase",
      accessToken: "dapi-access-token",
      refreshToken: "oauth-refresh-token",
      oauthClientSecret: "oauth-client-secret",
      "secret-access-key": "storage-secret-key",
      AWS_SECRET_ACCESS_KEY: "aws-secret-key",
      accessKeyId: "AKIA-not-a-secret"
    }
    expect(found("connection-configurations/create", { name: "c", configuration })).toEqual(
      new Set([
        "-----BEGIN PRIVATE KEY-----pk",
        "pk-passphrase",
        "dapi-access-token",
        "oauth-refresh-token",
        "oauth-client-secret",
        "storage-secret-key",
        "aws-secret-key"
      ])
    )
    // In a query too, in the CLI's nested forms.
    expect(
      new Set(
        ApiCall.secretsOf({
          method: "GET",
          path: "x",
          query: [
            ["additional_headers[][value]", "query-header"],
            ["url_params.code", "query-code"],
            ["clientSecret", "query-client-secret"]
          ]
        })
      )
    ).toEqual(new Set(["query-header", "query-code", "query-client-secret"]))
  })

  it("session tokens, short password names, auth settings' token keys and an api_key given as text", () => {
    const configuration = {
      aws_session_token: "aws-session-token",
      sessionToken: "session-token-value",
      PWD: "jdbc-pwd-value",
      passwd: "passwd-value",
      api_key: "api-key-as-text"
    }
    expect(found("connection-configurations/create", { name: "c", configuration })).toEqual(
      new Set(["aws-session-token", "session-token-value", "jdbc-pwd-value", "passwd-value", "api-key-as-text"])
    )
    expect(ApiCall.secretsOf({ method: "POST", path: "x", body: '{"api_key":"X"}' })).toEqual(["X"])
    expect(ApiCall.secretsOf({ method: "POST", path: "x", body: '{"apiKey":12345678}' })).toEqual(["12345678"])
    expect(found("system/preferences/update", { access_tokens: [{ key: "plaintext-token-key", name: "ci" }] })).toEqual(
      new Set(["plaintext-token-key"])
    )
    // A webhook's api_key object: its value is a secret, the header it names is not.
    expect(found("webhooks/create", { authentication: { API_KEY: { key: "X-Api-Key", value: "v-1" } } })).toEqual(
      new Set(["v-1"])
    )
    expect(ApiCall.secretsOf({ method: "GET", path: "x", query: [["api_key", "query-api-key"]] })).toEqual([
      "query-api-key"
    ])
  })
})

describe("ApiCall.shownPath", () => {
  it("leaves out a query, a fragment and a URL's user name and password", () => {
    expect(ApiCall.shownPath("metadata/search")).toBe("metadata/search")
    expect(ApiCall.shownPath("system?token=tok-in-query")).toBe("system?…")
    expect(ApiCall.shownPath("system#access_token=tok-in-fragment")).toBe("system?…")
    expect(ApiCall.shownPath(" https://me:p@ss?w#rd@host.example/api/rest/2.0/system?x=1")).toBe(
      "https://host.example/api/rest/2.0/system?…"
    )
    expect(ApiCall.shownPath("//me:pw@host.example/system")).toBe("//host.example/system")
  })

  it("a refused path's error names it without its query", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) =>
        client.request({ method: "GET", path: "https://me:pw-in-url@elsewhere.example/system?token=tok-in-query" })
      ).pipe(
        Effect.provide(
          Layer.orDie(ThoughtSpotClient.layerNode({ host: "http://127.0.0.1:9", auth: Auth.bearerToken("t") }))
        )
      )
    )
    if (Exit.isSuccess(exit)) throw new Error("expected the path to be refused")
    const shown = Cause.pretty(exit.cause)
    expect(shown).toContain("GET https://elsewhere.example/system?…")
    expect(shown).not.toContain("tok-in-query")
    expect(shown).not.toContain("pw-in-url")
  })
})

describe("ThoughtSpotClient.request: a request's own secrets", () => {
  let server: Server
  let url: string
  /** Answers 503 to the first request of a path holding `retry-me`, then 400; every answer echoes the request. */
  const tries = new Map<string, number>()
  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (c: Buffer) => chunks.push(c))
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8")
        const target = request.url ?? ""
        const n = (tries.get(target) ?? 0) + 1
        tries.set(target, n)
        const echoed = `${target} ${body} ${request.headers.authorization ?? ""}`
        const text = [
          `plain: ${echoed}`,
          `url: ${encodeURIComponent(echoed)}`,
          `base64: ${Buffer.from(echoed).toString("base64")}`,
          `hex: ${Buffer.from(echoed).toString("hex")}`
        ].join("\n")
        const status = target.includes("retry-me") && n === 1 ? 503 : 400
        // JSON-escaped inside the error body (quotes of the echoed body become \").
        response
          .writeHead(status, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { message: text } }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it("never shows them in an error, a retry log or a span, in any encoding", async () => {
    const token = "connection-token-0f3a9c"
    const secrets = [
      "Hunter2-Pass-8812",
      "conn-Pa55-deep-4471",
      "query-Token-9a7b3c",
      "api-Key-Value-55e1",
      "Bearer hdr-Token-71c2",
      "hdr-Api-Key-90d4",
      "url-Param-Code-3e8f",
      "basic-Pass-62aa",
      "variable-Pw-5d10",
      "variable-Pw-old-ab77",
      "dapi-Access-Token-c3d9",
      "storage-Secret-Key-4f0e",
      "action-Param-Sig-18b5"
    ]
    const spans: Array<Tracer.NativeSpan> = []
    const tracer = Tracer.make({
      span(options) {
        const span = new Tracer.NativeSpan(options)
        spans.push(span)
        return span
      }
    })
    const lines: Array<string> = []
    const logger = Logger.make(({ message }) => lines.push(inspect(message, { depth: Number.POSITIVE_INFINITY })))
    const requests: ReadonlyArray<ApiCall.ApiRequest> = [
      {
        method: "POST",
        path: "users/create",
        body: JSON.stringify({ name: "ann", password: secrets[0] })
      },
      {
        method: "POST",
        path: "connection/create",
        body: JSON.stringify({ name: "wh", data_warehouse_config: { configuration: { password: secrets[1] } } })
      },
      // A read, answered 503 then 400: the retry is logged with the server's text.
      { method: "GET", path: "system/retry-me", query: [["token", secrets[2]!]] },
      {
        method: "POST",
        path: "webhooks/create",
        body: JSON.stringify({ name: "w", authentication: { API_KEY: { key: "X-Key", value: secrets[3] } } })
      },
      // Credentials under other names: a webhook's headers and URL parameters, its basic auth.
      {
        method: "POST",
        path: "webhooks/create",
        body: JSON.stringify({
          name: "orders",
          url: "https://hooks.example/in",
          events: ["LIVEBOARD_SCHEDULE"],
          url_params: { code: secrets[6] },
          additional_headers: [
            { key: "Authorization", value: secrets[4] },
            { key: "X-Api-Key", value: secrets[5] }
          ],
          authentication: { BASIC_AUTH: { username: "hook", password: secrets[7] } }
        })
      },
      // A variable's values (it may be a sensitive one), by both update endpoints.
      {
        method: "POST",
        path: "template/variables/wh_password/update-values",
        body: JSON.stringify({
          operation: "REPLACE",
          variable_assignment: [{ assigned_values: [secrets[8]], org_identifier: "Primary" }]
        })
      },
      {
        method: "POST",
        path: "template/variables/update-values",
        body: JSON.stringify({
          variable_assignment: [
            { variable_identifier: "wh_password", variable_values: [secrets[9]], operation: "ADD" }
          ],
          variable_value_scope: [{ org_identifier: "Primary" }]
        })
      },
      // A connection configuration's credentials in camel case; a custom action's URL parameter.
      {
        method: "POST",
        path: "connection-configurations/create",
        body: JSON.stringify({
          name: "c",
          configuration: { accessToken: secrets[10], stage: { secretAccessKey: secrets[11] } }
        })
      },
      {
        method: "POST",
        path: "customization/custom-actions",
        body: JSON.stringify({
          name: "push",
          action_details: {
            URL: { url: "https://actions.example/push", parameters: [{ key: "sig", value: secrets[12] }] }
          }
        })
      }
    ]
    const shown: Array<string> = []
    for (const request of requests) {
      const exit = await Effect.runPromiseExit(
        Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) => client.request(request)).pipe(
          Effect.provide(
            Layer.orDie(
              ThoughtSpotClient.layerNode({
                host: url,
                auth: Auth.bearerToken(token),
                retry: { baseDelayMillis: 1, maxDelayMillis: 1 }
              })
            )
          ),
          Effect.withTracer(tracer),
          Effect.provideService(HttpClient.TracerHeaderFilter, () => true),
          Effect.provide(Logger.layer([logger]))
        )
      )
      if (Exit.isSuccess(exit)) throw new Error("expected the echoing server's 400")
      const error = Cause.squash(exit.cause)
      shown.push(
        Cause.pretty(exit.cause),
        String(exit.cause),
        JSON.stringify(exit),
        inspect(exit, { depth: Number.POSITIVE_INFINITY }),
        inspect(error, { depth: Number.POSITIVE_INFINITY })
      )
    }
    // The server's text that echoed a secret is withheld whole; the failure says so.
    expect(shown.join("\n")).toContain(`(HTTP 400): ${WITHHELD}`)
    expect(shown.join("\n")).not.toContain("ann")
    expect(lines.some((line) => line.includes("retrying GET system/retry-me"))).toBe(true)
    shown.push(
      ...lines,
      ...spans.map((span) =>
        inspect(
          { span, attributes: [...span.attributes], events: span.events },
          { depth: Number.POSITIVE_INFINITY, maxArrayLength: Number.POSITIVE_INFINITY }
        )
      )
    )
    for (const text of shown) {
      for (const secret of [token, ...secrets]) {
        for (const form of [
          secret,
          encodeURIComponent(secret),
          Buffer.from(secret).toString("base64").slice(0, 12),
          Buffer.from(secret).toString("hex")
        ]) {
          expect(text).not.toContain(form)
        }
      }
    }
  })
})
