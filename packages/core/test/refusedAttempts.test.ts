/**
 * A refused connection (a sandbox that was stopped: nothing listens at its port) is tried `refusedAttempts`
 * times, and each retry line names that total, not `maxAttempts`, which a refused call never reaches.
 */
import { describe, expect, it } from "@effect/vitest"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit, Logger } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"

/** The lines logged by `effect`, with its exit. */
const logged = <A, E>(effect: Effect.Effect<A, E>) => {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => {
    lines.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
  })
  return Effect.map(Effect.exit(Effect.provide(effect, Logger.layer([logger]))), (exit) => ({ exit, lines }))
}

/** `system` at a stopped sandbox's address: the token request meets a refused connection. */
const systemAtStopped = (retry: ThoughtSpotClient.ThoughtSpotClientOptions["retry"]) =>
  Effect.gen(function* () {
    const sandbox = yield* Effect.promise(() => startSandbox({ rows: 10 }))
    yield* Effect.promise(() => sandbox.close())
    return yield* logged(
      Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) => client.system).pipe(
        Effect.provide(
          ThoughtSpotClient.layerNode({
            host: sandbox.url,
            auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password }),
            retry
          })
        )
      )
    )
  })

describe("a refused connection", () => {
  it.live("the-retry-line-names-the-refused-attempts-as-the-total", () =>
    Effect.gen(function* () {
      const { exit, lines } = yield* systemAtStopped({ baseDelayMillis: 0 })
      expect(Exit.isFailure(exit)).toBe(true)
      const retries = lines.filter((line) => line.startsWith("retrying"))
      expect(retries).toEqual([
        expect.stringMatching(/^retrying auth\/token\/full in 0\.0 s \(attempt 2 of 2\): nothing is listening at /)
      ])
    })
  )

  it.live("a-refused-attempts-setting-is-the-total-said", () =>
    Effect.gen(function* () {
      const { exit, lines } = yield* systemAtStopped({ baseDelayMillis: 0, refusedAttempts: 3 })
      expect(Exit.isFailure(exit)).toBe(true)
      const retries = lines.filter((line) => line.startsWith("retrying")).map((line) => line.replace(/:.*$/s, ""))
      expect(retries).toEqual([
        "retrying auth/token/full in 0.0 s (attempt 2 of 3)",
        "retrying auth/token/full in 0.0 s (attempt 3 of 3)"
      ])
    })
  )
})
