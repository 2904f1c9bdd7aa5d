/**
 * `request()` from plain JavaScript, past the types: a body that is not JSON text (an object) was sent as
 * `[object Object]` and came back a `BadRequest` blaming the server, its secrets unnoticed. It dies with a
 * `TypeError` saying to pass JSON text, before anything is sent, and `ApiCall.secretsOf` throws it rather than
 * answer "no secrets". Against the sandbox.
 */
import { describe, expect, it } from "@effect/vitest"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { Cause, Effect, Exit, Layer } from "effect"
import { ApiCall, Auth, ThoughtSpotClient } from "../src/index.ts"
import { successOf } from "./exits.ts"

/** The defect an exit died with. */
const defectOf = <A, E>(exit: Exit.Exit<A, E>): unknown => {
  if (Exit.isSuccess(exit)) throw new Error("expected a defect")
  const reason = exit.cause.reasons.find(Cause.isDieReason)
  if (reason === undefined) throw new Error(`expected a defect: ${String(exit.cause)}`)
  return reason.defect
}

describe("request() given what its types refuse", () => {
  it.live("a-body-that-is-not-text-dies-with-a-type-error-before-anything-is-sent", () =>
    Effect.gen(function* () {
      const searched: Array<string> = []
      const sandbox = yield* Effect.acquireRelease(
        Effect.promise(() =>
          startSandbox({
            rows: 10,
            log: (line) => {
              if (line.includes("/metadata/search")) searched.push(line)
            }
          })
        ),
        (sandbox) => Effect.promise(() => sandbox.close())
      )
      const call = (request: ApiCall.ApiRequest) =>
        Effect.exit(
          Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) => client.request(request)).pipe(
            Effect.provide(
              Layer.orDie(
                ThoughtSpotClient.layerNode({
                  host: sandbox.url,
                  auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password })
                })
              )
            )
          )
        )
      const asObject = {
        method: "POST",
        path: "metadata/search",
        body: { record_size: 1 }
      } as unknown as ApiCall.ApiRequest
      const defect = defectOf(yield* call(asObject))
      expect(defect).toBeInstanceOf(TypeError)
      expect((defect as TypeError).message).toBe(
        "request.body must be JSON text (a string), got an object: pass JSON.stringify(body), or leave it out for no body"
      )
      expect(searched).toEqual([])
      // As text it goes.
      const sent = successOf(yield* call({ method: "POST", path: "metadata/search", body: '{"record_size":1}' }))
      expect(sent.status).toBe(200)
      expect(searched).toHaveLength(1)
    }).pipe(Effect.scoped)
  )

  it("secretsOf-throws-for-a-body-that-is-not-text-rather-than-say-none", () => {
    const withPassword = { method: "POST", path: "users/create", body: { password: "pw-1234567" } }
    expect(() => ApiCall.secretsOf(withPassword as unknown as ApiCall.ApiRequest)).toThrow(
      new TypeError(
        "request.body must be JSON text (a string), got an object: pass JSON.stringify(body), or leave it out for no body"
      )
    )
    expect(ApiCall.secretsOf({ method: "POST", path: "users/create", body: '{"password":"pw-1234567"}' })).toEqual([
      "pw-1234567"
    ])
    const query = { method: "GET", path: "system", query: { record_size: "1" } } as unknown as ApiCall.ApiRequest
    expect(() => ApiCall.secretsOf(query)).toThrow(TypeError)
  })
})
