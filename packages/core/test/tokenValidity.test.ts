/**
 * `validitySeconds` becomes `validity_time_in_sec`, an int32 in the OpenAPI document: a value beyond 2147483647 stops
 * the client being built, with a RangeError naming the option and the range, before any request; the largest one
 * is sent and honoured (against the sandbox, over loopback).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Cause, Effect, Exit, Layer } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"

const user = fixtures.user
let sandbox: RunningSandbox
beforeAll(async () => {
  sandbox = await startSandbox({ rows: 10 })
})
afterAll(() => sandbox?.close())

const system = (validitySeconds: number) =>
  Effect.runPromiseExit(
    Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) => client.system).pipe(
      Effect.provide(
        Layer.orDie(
          ThoughtSpotClient.layerNode({
            host: sandbox.url,
            auth: Auth.password({ username: user.username, password: user.password, validitySeconds })
          })
        )
      )
    )
  )

describe("validitySeconds", () => {
  it("beyond-int32-is-refused-when-the-client-is-built", async () => {
    for (const validitySeconds of [3_000_000_000, 2_147_483_648]) {
      const before = sandbox.stats().requests
      const exit = await system(validitySeconds)
      expect(Exit.isFailure(exit)).toBe(true)
      const text = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
      expect(Exit.isFailure(exit) && exit.cause.reasons.some((r) => r._tag === "Die"), text).toBe(true)
      expect(text).toContain(
        `RangeError: auth.validitySeconds must be a whole number of seconds from 1 to 2147483647 (validity_time_in_sec is an int32), got ${validitySeconds}`
      )
      expect(sandbox.stats().requests).toBe(before)
    }
  })

  it("the-largest-int32-is-sent-and-honoured", async () => {
    const issued = sandbox.stats().tokensIssued
    const exit = await system(2_147_483_647)
    expect(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "")).toBe(true)
    expect(sandbox.stats().tokensIssued).toBe(issued + 1)
  })
})
