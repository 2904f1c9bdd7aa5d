/**
 * The token revoke at shutdown against a sandbox that answers it 503: retried a few times (the client's retry
 * policy made short), so a passing failure still revokes the token; one that lasts is said at warning level —
 * the token stays valid until it expires — never with the token, and shutdown stays bounded: a client's whole
 * release (every token, attempt and wait) within 5 s, and the clients of several Orgs released at the same time.
 */
import { describe, expect, it } from "@effect/vitest"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { Clock, Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { captureLogs } from "./captureLogs.ts"
import { makeFake, type Reply, type Seen, testOptions, tokenReply, useClient, withTime } from "./fake.ts"

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

/** Tokens `tok-<n>` valid 300 s; revokes never answered; anything else answered as `system`. */
const silentRevokes = (r: Seen, n: number): Reply =>
  r.path === "auth/token/full"
    ? tokenReply(`tok-${n}`, r.at)
    : r.path === "auth/token/revoke"
      ? { delayMillis: 24 * 3_600_000 }
      : { body: { time_zone: "UTC" } }

const revokesOf = (fake: { readonly seen: ReadonlyArray<Seen> }) =>
  fake.seen.filter((s) => s.path === "auth/token/revoke")

/** Lets the program run, the clock still, until `count` revokes were sent (or it stops sending them). */
const untilRevokes = (fake: { readonly seen: ReadonlyArray<Seen> }, count: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1_000 && revokesOf(fake).length < count; i++) yield* TestClock.adjust(0)
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
          /^could not revoke a token on shutdown \(auth\/token\/revoke: ThoughtSpot server error .*503.*\): it stays valid until it expires, within \d+ min$/
        )
      })
    )
  )

  it.effect("a-release-whose-revokes-never-answer-ends-after-5-s-every-token-and-attempt-included", () =>
    Effect.gen(function* () {
      const fake = makeFake(silentRevokes)
      const logs = captureLogs()
      const fiber = yield* Effect.forkChild(
        useClient(fake, testOptions(), (c) =>
          Effect.gen(function* () {
            yield* c.system // tok-1, valid 300 s, renewed from 270 s
            yield* Effect.sleep(280_000)
            return yield* c.system // tok-3; tok-1 still valid: both are revoked
          })
        ).pipe(Effect.provide(logs.layer))
      )
      yield* TestClock.adjust(280_000)
      yield* untilRevokes(fake, 1)
      const closing = yield* Clock.currentTimeMillis
      yield* TestClock.adjust(4_999)
      expect(fiber.pollUnsafe()).toBeUndefined()
      expect(revokesOf(fake).map((r) => [r.body["token"], r.at - closing])).toEqual([["tok-1", 0]])
      yield* TestClock.adjust(1)
      expect((yield* Fiber.join(fiber)).time_zone).toBe("UTC")
      // tok-1's revoke took the whole 5 s: no time was left for tok-3's, which is not sent.
      expect(revokesOf(fake)).toHaveLength(1)
      // tok-1 (older, valid 15 s more), then tok-3 (5 min).
      expect(logs.lines.filter((l) => l.level === "Warn").map((l) => l.text)).toEqual(
        ["15 s", "5 min"].map(
          (left) =>
            `could not revoke a token on shutdown (auth/token/revoke: no answer within the 5 s a client's release at shutdown is given, retries included): it stays valid until it expires, within ${left}`
        )
      )
    })
  )

  it.effect("a-retry-after-a-503-gets-what-is-left-of-the-same-5-s", () =>
    Effect.gen(function* () {
      // The first revoke is refused at once with 503, the retry never answers.
      const fake = makeFake((r, n) =>
        r.path === "auth/token/revoke" && revokesOf(fake).length === 1 ? { status: 503 } : silentRevokes(r, n)
      )
      const logs = captureLogs()
      const fiber = yield* Effect.forkChild(
        useClient(fake, testOptions(), (c) => c.system).pipe(Effect.provide(logs.layer))
      )
      yield* TestClock.adjust(4_999)
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust(1)
      yield* Fiber.join(fiber)
      const [first, retry] = revokesOf(fake)
      expect([revokesOf(fake).length, first?.at, (retry?.at ?? 0) > 0]).toEqual([2, 0, true])
      expect(logs.lines.filter((l) => l.level === "Warn")).toHaveLength(1)
    })
  )

  it.effect("the-clients-of-several-orgs-release-at-the-same-time-in-one-5-s", () =>
    Effect.gen(function* () {
      const fake = makeFake(silentRevokes)
      const logs = captureLogs()
      const fiber = yield* Effect.forkChild(
        useClient(fake, testOptions(), (c) =>
          Effect.gen(function* () {
            yield* c.system
            for (const org of [1, 2, 3]) yield* Effect.flatMap(c.forOrg(org), (o) => o.system)
          })
        ).pipe(Effect.provide(logs.layer))
      )
      yield* untilRevokes(fake, 4)
      const closing = yield* Clock.currentTimeMillis
      yield* TestClock.adjust(4_999)
      expect(fiber.pollUnsafe()).toBeUndefined()
      // The four clients' revokes are all under way at once.
      expect(revokesOf(fake).map((r) => r.at - closing)).toEqual([0, 0, 0, 0])
      expect(fake.flight.now).toBe(4)
      yield* TestClock.adjust(1)
      yield* Fiber.join(fiber)
      expect(logs.lines.filter((l) => l.level === "Warn")).toHaveLength(4)
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
