/** HTTP outcomes → ThoughtSpotError reasons, the three error-body shapes, and which reasons are retryable. */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import { Auth, ThoughtSpotClient, ThoughtSpotError } from "../src/index.ts"
import * as Classify from "../src/internal/classify.ts"
import { WITHHELD } from "../src/internal/scrub.ts"
import { makeFake, testOptions } from "./fake.ts"

const noScrub: Classify.Scrub = (t) => t
const classify = (status: number, body: unknown = "", retryAfter?: string) =>
  Classify.fromResponse({
    operation: "searchData",
    status,
    retryAfter,
    body: typeof body === "string" ? body : JSON.stringify(body),
    nowMillis: Date.UTC(2026, 0, 1),
    scrub: noScrub
  })

describe("error bodies", () => {
  it("shape-a-flat-message-object", () => {
    expect(
      Classify.parseErrorBody(
        JSON.stringify({
          error: {
            message: {
              code: 10002,
              incident_id_guid: "inc-a",
              trace_id_guid: "tr-a",
              debug: "Either secret_key or password must be provided."
            }
          }
        })
      )
    ).toEqual({
      code: 10002,
      incidentId: "inc-a",
      traceId: "tr-a",
      serverMessage: "Either secret_key or password must be provided."
    })
  })

  it("shape-b-nested-debug-with-json-array-text", () => {
    const body = {
      error: {
        message: {
          debug: {
            code: 12325,
            incident_id_guid: "5757e177",
            trace_id_guid: "tracing-disabled",
            debug:
              '["Error Code: INTERNAL_ERROR Incident Id: 5757e177\\nError Message: No data source found for the query.",""]'
          }
        }
      }
    }
    expect(Classify.parseErrorBody(JSON.stringify(body))).toEqual({
      code: 12325,
      incidentId: "5757e177",
      traceId: "tracing-disabled",
      serverMessage:
        "Error Code: INTERNAL_ERROR Incident Id: 5757e177\nError Message: No data source found for the query."
    })
    expect(
      Classify.parseErrorBody(JSON.stringify({ error: { message: { debug: { code: 10000, debug: "[null]" } } } }))
    ).toEqual({ code: 10000 })
  })

  it("shape-c-debug-text-only", () => {
    expect(
      Classify.parseErrorBody(
        JSON.stringify({ error: { message: { debug: "Cannot set property '__args' of undefined" } } })
      )
    ).toEqual({ serverMessage: "Cannot set property '__args' of undefined" })
  })

  it("non-json-body-becomes-clipped-text", () => {
    expect(Classify.parseErrorBody("<html>Bad Gateway</html>")).toEqual({ serverMessage: "<html>Bad Gateway</html>" })
    expect(Classify.parseErrorBody("x".repeat(2000)).serverMessage?.length).toBeLessThan(600)
    expect(Classify.parseErrorBody("")).toEqual({})
  })
})

describe("status mapping", () => {
  const shapeB = (code: number, debug: string) => ({ error: { message: { debug: { code, debug } } } })

  it("each-status-maps-to-its-reason", () => {
    const table: ReadonlyArray<readonly [number, string, boolean]> = [
      [400, "BadRequest", false],
      [401, "Authentication", false],
      [403, "Forbidden", false],
      [404, "NotFound", false],
      [408, "Timeout", true],
      [409, "BadRequest", false],
      [415, "UnsupportedMediaType", false],
      [429, "RateLimited", true],
      [500, "Server", true],
      [501, "Server", false],
      [502, "Server", true],
      [503, "Server", true],
      [504, "Server", true]
    ]
    for (const [status, tag, retryable] of table) {
      const error = classify(status)
      expect([status, error.reason._tag, error.isRetryable]).toEqual([status, tag, retryable])
      expect(error).toBeInstanceOf(ThoughtSpotError.ThoughtSpotError)
      expect(error.operation).toBe("searchData")
    }
  })

  it("permission-500-is-forbidden-not-retried", () => {
    const byCode = classify(500, shapeB(10023, '["User does not have access to read the object"]'))
    expect([byCode.reason._tag, byCode.reason.status, byCode.isRetryable]).toEqual(["Forbidden", 500, false])
    const byText = classify(500, shapeB(10038, '["FORBIDDEN: CSR refused"]'))
    expect([byText.reason._tag, byText.isRetryable]).toEqual(["Forbidden", false])
    const generic = classify(500, shapeB(10000, "[null]"))
    expect([generic.reason._tag, generic.isRetryable]).toEqual(["Server", true])
  })

  it("error-carries-status-code-ids-and-server-message", () => {
    const error = classify(400, {
      error: {
        message: {
          code: 10002,
          incident_id_guid: "inc-1",
          trace_id_guid: "tr-1",
          debug: "Invalid parameter values userName"
        }
      }
    })
    expect(error.reason).toMatchObject({
      status: 400,
      code: 10002,
      incidentId: "inc-1",
      traceId: "tr-1",
      serverMessage: "Invalid parameter values userName"
    })
    expect(error.message).toBe(
      "searchData: BadRequest: ThoughtSpot rejected the request (HTTP 400, code 10002, incident inc-1, trace tr-1): Invalid parameter values userName"
    )
  })

  it("retry-after-seconds-and-http-date", () => {
    expect(classify(429, "", "7").retryAfterMillis).toBe(7000)
    expect(classify(503, "", "Thu, 01 Jan 2026 00:00:30 GMT").retryAfterMillis).toBe(30_000)
    expect(classify(429, "", "soon").retryAfterMillis).toBeUndefined()
  })

  it("server-text-holding-a-secret-is-withheld-whole", () => {
    const scrub = Classify.makeScrub(new Set(["hunter2-secret", "tok-abc"]))
    const error = Classify.fromResponse({
      operation: "auth/token/full",
      status: 401,
      retryAfter: undefined,
      body: JSON.stringify({ error: { message: { debug: "bad password hunter2-secret for token tok-abc" } } }),
      nowMillis: 0,
      scrub
    })
    expect(error.message).not.toContain("hunter2-secret")
    expect(error.message).not.toContain("tok-abc")
    expect(error.message).toBe(
      `auth/token/full: Authentication: ThoughtSpot rejected the credentials; check the username and password, secret key or token (HTTP 401): ${WITHHELD}`
    )
  })

  it("client-side-reasons", () => {
    expect(Classify.badBody("x", "cut", true).isRetryable).toBe(true)
    expect(Classify.badBody("x", "shape", false).isRetryable).toBe(false)
    expect(Classify.incomplete("x", "short", { expectedRows: 10, receivedRows: 5 }).isRetryable).toBe(false)
    expect(Classify.attemptTimedOut("x", 100).isRetryable).toBe(true)
    expect(Classify.deadlineExceeded("x", 100).isRetryable).toBe(false)
    expect(Classify.badInput("x", "page size").reason._tag).toBe("BadRequest")
  })

  it("a-client-timeout-says-which-limit-ran-out-and-how-long-it-was", () => {
    // Facts beside the message, so that a caller names the limits its own way (a CLI by its flags).
    expect(Classify.attemptTimedOut("x", 1500).reason).toMatchObject({ limit: "attempt", limitMillis: 1500 })
    expect(Classify.deadlineExceeded("x", 60_000).reason).toMatchObject({ limit: "deadline", limitMillis: 60_000 })
    const server = Classify.fromResponse({
      operation: "x",
      status: 408,
      retryAfter: undefined,
      body: "",
      nowMillis: 0,
      scrub: (text) => text
    }).reason
    expect(server).not.toHaveProperty("limit")
  })

  it.effect("a-host-that-is-not-a-url-is-refused-without-the-user-name-and-password-in-it", () =>
    Effect.gen(function* () {
      // A host with credentials in it that is not a valid URL (an IPv6 address without its closing bracket): it
      // never reaches a request, and the message does not repeat it.
      const fake = makeFake(() => ({ body: { time_zone: "UTC" } }))
      const exit = yield* Effect.exit(
        Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (c) => c.system).pipe(
          Effect.provide(
            ThoughtSpotClient.layer(
              testOptions({ host: "http://me:pw-SECRET-42@[::1:8080", auth: Auth.bearerToken("t-1") })
            ).pipe(Layer.provide(fake.layer))
          )
        )
      )
      if (Exit.isSuccess(exit)) throw new Error("expected the URL to be refused")
      const error = Cause.squash(exit.cause)
      expect(error).toBeInstanceOf(ThoughtSpotClient.InvalidHost)
      expect(String(error)).toContain("host is not a URL with http:// or https://")
      for (const text of [String(error), Cause.pretty(exit.cause), JSON.stringify(exit)]) {
        expect(text).not.toContain("pw-SECRET-42")
        expect(text).not.toContain("me:")
      }
      expect(fake.seen).toHaveLength(0)
    })
  )
})
