/**
 * A `userAgent` option that cannot be sent is refused when the client is built, naming the option: an empty one
 * is refused by ThoughtSpot (it requires the header) and one with a line break or a character beyond Latin-1 is
 * refused by the HTTP client on every attempt, which was retried as a transport failure for seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"

let sandbox: RunningSandbox
beforeAll(async () => {
  sandbox = await startSandbox({ rows: 10 })
})
afterAll(() => sandbox.close())

const systemWith = (userAgent: string) =>
  Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (c) => c.system).pipe(
    Effect.provide(
      ThoughtSpotClient.layerNode({
        host: sandbox.url,
        auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password }),
        userAgent,
        retry: { baseDelayMillis: 0 }
      })
    )
  )

describe("the userAgent option", () => {
  it.live("a-user-agent-that-cannot-be-sent-is-refused-before-any-request", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["", "userAgent is empty: ThoughtSpot requires a User-Agent; leave the option out for the default"],
        ["my-app/1.0\r\nX-Injected: 1", "userAgent holds a character HTTP does not allow in a header"],
        ["my-app/1.0 → spotpipe", "userAgent holds a character HTTP does not allow in a header"]
      ]
      for (const [userAgent, said] of cases) {
        const before = sandbox.stats().requests
        const exit = yield* Effect.exit(systemWith(userAgent))
        const text = String(Exit.isFailure(exit) ? exit.cause : "")
        expect(Exit.isFailure(exit) && exit.cause.reasons.some((r) => r._tag === "Die"), text).toBe(true)
        expect(text).toContain(said)
        expect(sandbox.stats().requests - before).toBe(0)
      }
    })
  )

  it.live("a-user-agent-of-latin-1-text-is-accepted", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(systemWith("my-app/1.0 (café) spotpipe"))
      expect(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : "")).toBe(true)
    })
  )
})
