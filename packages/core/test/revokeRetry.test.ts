/**
 * The token revoke at shutdown against a sandbox that answers it 503: retried a few times (the client's retry
 * policy made short), so a passing failure still revokes the token; one that lasts is said at warning level —
 * the token stays valid until it expires — never with the token, and shutdown stays bounded.
 */
import { describe, expect, it } from "@effect/vitest"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { captureLogs } from "./captureLogs.ts"
import { makeFake, testOptions, tokenReply, useClient, withTime } from "./fake.ts"

/** The sandbox answering `auth/token/revoke` with 503 `faulted` times in a row, then as usual. */
const revokeFailing = (faulted: number) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const revokes: Array<string> = []
      const sandbox = yield* Effect.promise(() =>
        startSandbox({
          rows: 100,
          faults: { routes: { "auth/token/revoke": { error503: 1 } }, maxConsecutiveFaults: faulted },
          log: (line) => {
            if (line.includes("/auth/token/revoke")) revokes.push(line)
          }
        })
      )
      return { sandbox, revokes }
    }),
    ({ sandbox }) => Effect.promise(() => sandbox.close())
  )

/** Signs in, reads `system`, closes the client (its revoke at shutdown): the lines logged and the token used. */
const signInAndClose = (url: string) =>
  Effect.gen(function* () {
    const logs = captureLogs()
    const exit = yield* Effect.exit(
      Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (c) => c.system).pipe(
        // The logger under the client too, so that what it logs while closing (the revoke) is captured.
        Effect.provide(
          Layer.provideMerge(
            ThoughtSpotClient.layerNode({
              host: url,
              auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password }),
              // Waits of 0 s: the test does not sleep (the bound on the attempts is what is checked).
              retry: { baseDelayMillis: 0 }
            }),
            logs.layer
          )
        )
      )
    )
    return { exit, lines: logs.lines }
  })

describe("the revoke at shutdown", () => {
  it.live("a-503-that-passes-is-retried-and-the-token-revoked", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { sandbox, revokes } = yield* revokeFailing(1)
        const { exit, lines } = yield* signInAndClose(sandbox.url)
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(revokes.map((line) => line.split(" ")[2])).toEqual(["503", "204"])
        expect([sandbox.stats().tokensIssued, sandbox.stats().tokensRevoked]).toEqual([1, 1])
        expect(lines.filter((l) => l.level === "Warn")).toEqual([])
      })
    )
  )

  it.live("a-503-that-lasts-is-tried-three-times-then-said-at-warning-level", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { sandbox, revokes } = yield* revokeFailing(100)
        const { exit, lines } = yield* signInAndClose(sandbox.url)
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(revokes.map((line) => line.split(" ")[2])).toEqual(["503", "503", "503"])
        expect(sandbox.stats().tokensRevoked).toBe(0)
        const warnings = lines.filter((l) => l.level === "Warn")
        expect(warnings).toHaveLength(1)
        expect(warnings[0]!.text).toMatch(
          /^could not revoke a token on shutdown \(auth\/token\/revoke: Server: .*503.*\): it stays valid until it expires, within \d+ min$/
        )
      })
    )
  )

  it.effect("a-revoke-that-never-answers-holds-shutdown-for-at-most-10-s", () =>
    Effect.gen(function* () {
      const fake = makeFake((r) =>
        r.path === "auth/token/full"
          ? tokenReply("t", r.at)
          : r.path === "auth/token/revoke"
            ? { delayMillis: 24 * 3_600_000 }
            : { body: { time_zone: "UTC" } }
      )
      const logs = captureLogs()
      const fiber = yield* Effect.forkChild(
        useClient(fake, testOptions(), (c) => c.system).pipe(Effect.provide(logs.layer))
      )
      yield* TestClock.adjust(9_999)
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust(1)
      expect((yield* Fiber.join(fiber)).time_zone).toBe("UTC")
      // Attempts of 5 s, the last one cut off by the 10 s bound.
      expect(fake.seen.filter((s) => s.path === "auth/token/revoke").length).toBeGreaterThanOrEqual(2)
      expect(logs.lines.filter((l) => l.level === "Warn").map((l) => l.text)).toEqual([
        expect.stringMatching(/^could not revoke a token on shutdown \(.*10 s.*\): it stays valid until it expires/)
      ])
    })
  )

  it.effect("a-retry-refused-with-401-means-the-token-is-gone-and-nothing-is-said", () =>
    Effect.gen(function* () {
      // The first revoke was carried out but its answer lost (502): the retry, signed in with that token, gets 401.
      const fake = makeFake((r) =>
        r.path === "auth/token/full"
          ? tokenReply("t", r.at)
          : r.path === "auth/token/revoke"
            ? { status: fake.seen.filter((s) => s.path === "auth/token/revoke").length === 1 ? 502 : 401 }
            : { body: { time_zone: "UTC" } }
      )
      const logs = captureLogs()
      yield* withTime(useClient(fake, testOptions(), (c) => c.system).pipe(Effect.provide(logs.layer)))
      expect(fake.seen.filter((s) => s.path === "auth/token/revoke").length).toBeGreaterThanOrEqual(2)
      expect(logs.lines.filter((l) => l.level === "Warn")).toEqual([])
    })
  )
})
