/**
 * The revokes at shutdown do not queue behind the request slots (`concurrency`): with one slot and the clients of
 * several Orgs released together, every revoke is under way at once, so a cluster slow to answer them still gets
 * each token revoked within the release's bound instead of the later ones waiting for a slot until it runs out.
 * Nor do they wait for the slot of a data request still under way when the client closes. They still keep the
 * client's rate and wait out a 429's `Retry-After`.
 */
import { describe, expect, it } from "@effect/vitest"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit, Fiber, Layer, Stream } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { captureLogs } from "./captureLogs.ts"
import { makeFake, tokenReply, useClient, withTime } from "./fake.ts"

/** The latency the sandbox puts on `auth/token/revoke`: held by its clock until every revoke is held. */
const HELD = 3_600_000

const activeOrgs = fixtures.orgs.filter((o) => o.status === "ACTIVE").map((o) => o.id)

describe("the revokes at shutdown and the request slots", () => {
  it.live("with-one-slot-the-revokes-of-several-orgs-are-all-under-way-at-once", () =>
    Effect.gen(function* () {
      // The signed-in client and one per active Org: a revoke is answered only once all of theirs are held at the
      // same time, which revokes waiting for the one slot can never be.
      const clients = activeOrgs.length + 1
      const held: Array<() => void> = []
      const sandbox = yield* Effect.promise(() =>
        startSandbox({
          rows: 100,
          faults: { routes: { "auth/token/revoke": { latencyMs: HELD } } },
          clock: {
            now: () => Date.now(),
            sleep: (ms) =>
              ms === HELD
                ? new Promise<void>((resolve) => {
                    held.push(resolve)
                    if (held.length === clients) for (const release of held.splice(0)) release()
                  })
                : new Promise((resolve) => setTimeout(resolve, ms))
          }
        })
      )
      const logs = captureLogs()
      const exit = yield* Effect.exit(
        Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) =>
          Effect.gen(function* () {
            yield* client.system
            for (const org of activeOrgs) yield* Effect.flatMap(client.forOrg(org), (c) => c.system)
          })
        ).pipe(
          Effect.provide(
            Layer.provideMerge(
              ThoughtSpotClient.layerNode({
                host: sandbox.url,
                auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password }),
                concurrency: 1
              }),
              logs.layer
            )
          ),
          Effect.ensuring(
            Effect.promise(() => {
              for (const release of held.splice(0)) release()
              return sandbox.close()
            })
          )
        )
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      expect([sandbox.stats().tokensIssued, sandbox.stats().tokensRevoked]).toEqual([clients, clients])
      expect(logs.lines.filter((l) => l.level === "Warn")).toEqual([])
    })
  )

  it.live("a-data-request-holding-the-one-slot-at-close-does-not-hold-back-the-revoke", () =>
    Effect.gen(function* () {
      // A program that closes its client while a read it forked (detached) still waits for an answer: the revoke
      // goes out beside it, as the sandbox holds that answer until the test is over.
      const held: Array<() => void> = []
      const sandbox = yield* Effect.promise(() =>
        startSandbox({
          rows: 100,
          faults: { routes: { searchdata: { latencyMs: HELD } } },
          clock: {
            now: () => Date.now(),
            sleep: (ms) =>
              ms === HELD
                ? new Promise<void>((resolve) => void held.push(resolve))
                : new Promise((resolve) => setTimeout(resolve, ms))
          }
        })
      )
      const logs = captureLogs()
      const reads: Array<Fiber.Fiber<number, unknown>> = []
      const cleanUp = Effect.gen(function* () {
        for (const read of reads) yield* Fiber.interrupt(read)
        for (const release of held.splice(0)) release()
        yield* Effect.promise(() => sandbox.close())
      })
      const exit = yield* Effect.exit(
        Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) =>
          Effect.gen(function* () {
            const read = yield* Effect.forkDetach(
              Stream.runCount(
                client.searchData({ logicalTableIdentifier: fixtures.ordersTable.id, queryString: "[Region]" })
              )
            )
            reads.push(read)
            // The client closes once the read's request is being answered (held): it holds the one slot.
            while (held.length === 0 && read.pollUnsafe() === undefined) yield* Effect.sleep(10)
          })
        ).pipe(
          Effect.provide(
            Layer.provideMerge(
              ThoughtSpotClient.layerNode({
                host: sandbox.url,
                auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password }),
                concurrency: 1
              }),
              logs.layer
            )
          ),
          Effect.ensuring(cleanUp)
        )
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      expect([sandbox.stats().tokensIssued, sandbox.stats().tokensRevoked]).toEqual([1, 1])
      expect(logs.lines.filter((l) => l.level === "Warn")).toEqual([])
    })
  )

  it.effect("without-a-slot-the-revokes-still-keep-the-rate-and-wait-out-a-429s-retry-after", () =>
    Effect.gen(function* () {
      // Each token's first revoke is answered 429 (Retry-After: 1 s), the next one 204.
      const fake = makeFake((r, n) => {
        if (r.path === "auth/token/full") return tokenReply(`tok-${n}`, r.at)
        if (r.path !== "auth/token/revoke") return { body: { time_zone: "UTC" } }
        const earlier = fake.seen.filter((s) => s.path === r.path && s.body["token"] === r.body["token"]).length
        return earlier === 1 ? { status: 429, headers: { "retry-after": "1" } } : { status: 204 }
      })
      const logs = captureLogs()
      yield* withTime(
        useClient(
          fake,
          {
            host: "http://ts.test",
            auth: Auth.password({ username: "tsUserA", password: "pw-of-tsUserA" }),
            concurrency: 1,
            rateLimit: { requestsPerSecond: 10 },
            retry: { baseDelayMillis: 0 }
          },
          (c) =>
            Effect.gen(function* () {
              yield* c.system
              for (const org of [1, 2, 3]) yield* Effect.flatMap(c.forOrg(org), (o) => o.system)
            })
        ).pipe(Effect.provide(logs.layer)),
        10
      )
      const revokes = fake.seen.filter((s) => s.path === "auth/token/revoke")
      const start = revokes[0]?.at ?? 0
      const tokens = [...new Set(revokes.map((r) => String(r.body["token"])))]
      // Four tokens, each sent at the limiter's pace (10/s), then again once its Retry-After has passed, at the
      // pace the 429s left it at: halved once (the other three had their slots before the first 429 came back),
      // then a little faster after each answer that is not a 429 (5/s, 5.2/s, 5.39/s).
      const times = (token: string) => revokes.filter((r) => r.body["token"] === token).map((r) => r.at - start)
      expect(tokens.map((token) => times(token).map(Math.round))).toEqual([
        [0, 1_000],
        [100, 1_200],
        [200, 1_392],
        [300, 1_585]
      ])
      expect(logs.lines.filter((l) => l.level === "Warn")).toEqual([])
    })
  )
})
