/** Timeouts set through the client's options, and every retry wait logged at info level without secrets. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { captureLogs } from "./captureLogs.ts"
import { makeFake, PASSWORD, testOptions, useClient, withTime, withTokens } from "./fake.ts"

describe("timeouts and visible waits", () => {
  it.effect("never-answering-server-times-out-per-attempt-and-each-wait-is-logged-at-info", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ delayMillis: 24 * 3_600_000, body: {} })))
      const logs = captureLogs()
      const exit = yield* Effect.exit(
        withTime(
          useClient(
            fake,
            testOptions({ retry: { attemptTimeoutMillis: 5_000, deadlineMillis: 3_600_000, maxAttempts: 3 } }),
            (c) => c.system
          ),
          500
        ).pipe(Effect.provide(logs.layer))
      )
      if (Exit.isSuccess(exit)) throw new Error("expected a failure")
      const error = exit.cause.reasons.find((r) => r._tag === "Fail")
      expect(error?._tag === "Fail" && error.error.reason._tag).toBe("Timeout")
      expect(error?._tag === "Fail" && error.error.message).toContain("no complete response within 5 s")
      const system = fake.seen.filter((s) => s.path === "system")
      expect(system).toHaveLength(3)
      // Each attempt is cut off after its 5 s, then waits its backoff (under 0.5 s, then 1 s) before the next.
      expect(system[1]!.at - system[0]!.at).toBeGreaterThanOrEqual(5_000)
      expect(system[1]!.at - system[0]!.at).toBeLessThanOrEqual(5_500)
      const retries = logs.lines.filter((l) => l.text.startsWith("retrying system"))
      expect(retries.map((l) => l.level)).toEqual(["Info", "Info"])
      // Said to whoever runs the program: no reason tag, no option name (the error's message keeps it).
      expect(retries[0]!.text).toMatch(
        /^retrying system in \d+\.\d s \(attempt 2 of 3\): no complete response within 5 s \(one attempt's time limit\)$/
      )
      expect(retries[1]!.text).toMatch(
        /^retrying system in \d+\.\d s \(attempt 3 of 3\): no complete response within 5 s/
      )
      expect(error?._tag === "Fail" && error.error.message).toContain("attemptTimeoutMillis")
      for (const line of logs.lines) expect(line.text).not.toContain(PASSWORD)
    })
  )

  it.effect("request-deadline-is-set-through-the-client-options", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ delayMillis: 24 * 3_600_000, body: {} })))
      const exit = yield* Effect.exit(
        withTime(
          useClient(
            fake,
            testOptions({ retry: { attemptTimeoutMillis: 60_000, deadlineMillis: 90_000 } }),
            (c) => c.system
          ),
          1_000
        )
      )
      if (Exit.isSuccess(exit)) throw new Error("expected a failure")
      const error = exit.cause.reasons.find((r) => r._tag === "Fail")
      expect(error?._tag === "Fail" && error.error.message).toContain("gave up after 90 s")
      const system = fake.seen.filter((s) => s.path === "system")
      expect(system).toHaveLength(2)
    })
  )

  it.effect("a-failure-that-is-not-retried-logs-no-retry", () =>
    Effect.gen(function* () {
      // A call that may change something, answered 502: sent once, and no line says it is being sent again.
      const changing = makeFake(withTokens(() => ({ status: 502, body: { error: "bad gateway" } })))
      const changingLogs = captureLogs()
      const created = yield* Effect.exit(
        withTime(
          useClient(changing, testOptions({ retry: { maxAttempts: 3 } }), (c) =>
            c.request({ method: "POST", path: "users/create", body: "{}" })
          )
        ).pipe(Effect.provide(changingLogs.layer))
      )
      expect(Exit.isFailure(created)).toBe(true)
      expect(changing.seen.filter((s) => s.path === "users/create")).toHaveLength(1)
      expect(changingLogs.lines.filter((l) => l.text.startsWith("retrying"))).toEqual([])

      // A token endpoint that keeps failing: its own attempts are announced, the outer call's give-up is not.
      const noTokens = makeFake(() => ({ status: 500, body: { error: "down" } }))
      const tokenLogs = captureLogs()
      const read = yield* Effect.exit(
        withTime(
          useClient(noTokens, testOptions({ retry: { maxAttempts: 3 } }), (c) => c.system),
          500
        ).pipe(Effect.provide(tokenLogs.layer))
      )
      expect(Exit.isFailure(read)).toBe(true)
      expect(noTokens.seen.map((s) => s.path)).toEqual(["auth/token/full", "auth/token/full", "auth/token/full"])
      const retries = tokenLogs.lines.filter((l) => l.text.startsWith("retrying"))
      expect(retries.map((l) => l.text.replace(/ in .*$/, ""))).toEqual([
        "retrying auth/token/full",
        "retrying auth/token/full"
      ])
    })
  )
})
