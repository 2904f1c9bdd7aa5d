/**
 * An option given as `undefined` takes its default, in the types (this file is type-checked with
 * `exactOptionalPropertyTypes`) and at run time: a rate limit of only a `burst` keeps the default rate,
 * `request()` takes `query`, `body` and `secrets` as `undefined`, and the admin requests their fields so.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit, Fiber, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Auth, RateLimiter, ThoughtSpotClient, type Tml } from "../src/index.ts"
import { makeFake, testOptions, useClient, withTokens } from "./fake.ts"

/** What a program passes on from its own optional settings: each may be unset. */
interface Settings {
  readonly rate?: number | undefined
  readonly burst?: number | undefined
  readonly body?: string | undefined
  readonly secretKey?: string | undefined
  readonly tmlType?: Tml.TmlExportMetadata["type"] | undefined
}

describe("options given as undefined", () => {
  let sandbox: RunningSandbox
  beforeAll(async () => {
    sandbox = await startSandbox({ rows: 100 })
  })
  afterAll(async () => {
    await sandbox?.close()
  })

  it.live("a-rate-limit-of-only-a-burst-and-request-fields-given-as-undefined-work-against-the-sandbox", () =>
    Effect.gen(function* () {
      const settings: Settings = { burst: 5 }
      const exit = yield* Effect.exit(
        Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) =>
          Effect.gen(function* () {
            const system = yield* client.request({
              method: "GET",
              path: "system",
              query: undefined,
              body: settings.body,
              secrets: undefined
            })
            const users = yield* Stream.runCollect(
              client.searchUsers({ name_pattern: undefined, sort_options: undefined })
            )
            const found = yield* Stream.runCollect(
              client.searchMetadata({
                metadata: [{ type: "ANSWER", name_pattern: undefined }],
                include_details: undefined
              })
            )
            return { status: system.status, users: users.length, found: found.length }
          })
        ).pipe(
          Effect.provide(
            Layer.orDie(
              ThoughtSpotClient.layerNode({
                host: sandbox.url,
                auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password }),
                rateLimit: { requestsPerSecond: settings.rate, burst: settings.burst }
              })
            )
          )
        )
      )
      if (Exit.isFailure(exit)) throw new Error(String(exit.cause))
      expect(exit.value.status).toBe(200)
      expect(exit.value.users).toBeGreaterThan(0)
      expect(exit.value.found).toBeGreaterThan(0)
    })
  )

  it.live("a-tml-export-whose-object-type-is-given-as-undefined-exports-the-object", () =>
    Effect.gen(function* () {
      const settings: Settings = {}
      const items = yield* Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) =>
        client.exportTml({
          metadata: [{ identifier: fixtures.liveboards["Sales Overview"]!.id, type: settings.tmlType }],
          edoc_format: undefined
        })
      ).pipe(
        Effect.provide(
          Layer.orDie(
            ThoughtSpotClient.layerNode({
              host: sandbox.url,
              auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password })
            })
          )
        ),
        Effect.orDie
      )
      expect(items.map((item) => [item._tag, item.id])).toEqual([
        ["TmlExported", fixtures.liveboards["Sales Overview"]!.id]
      ])
    })
  )

  it.effect("only-a-burst-keeps-the-default-100-per-second", () =>
    Effect.gen(function* () {
      expect(RateLimiter.defaults).toEqual({ requestsPerSecond: 100, burst: 1 })
      for (const rateLimit of [{ burst: 5 }, { requestsPerSecond: undefined, burst: 5 }]) {
        const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" } })))
        yield* useClient(fake, testOptions({ rateLimit, concurrency: 10 }), (client) =>
          Effect.gen(function* () {
            yield* client.system // the token first, then a pause that refills the burst
            yield* TestClock.adjust(1_000)
            const fiber = yield* Effect.forkChild(
              Effect.forEach(Array.from({ length: 10 }), () => client.system, { concurrency: 10 })
            )
            yield* TestClock.adjust(1_000)
            yield* Fiber.join(fiber)
          })
        )
        const calls = fake.seen.filter((s) => s.path === "system").slice(1)
        const start = calls[0]!.at
        // Five at once (the burst), then one every 10 ms (100/s).
        expect(calls.map((s) => s.at - start)).toEqual([0, 0, 0, 0, 0, 10, 20, 30, 40, 50])
      }
    })
  )

  it("an-object-token-with-a-password-and-a-secret-key-given-as-undefined-signs-in-with-the-password", () => {
    const settings: Settings = {}
    const auth = Auth.objectToken({
      username: "tsUserA",
      objectId: "0a1b",
      password: "pw",
      secretKey: settings.secretKey
    })
    expect(auth.credential._tag).toBe("Password")
    const byKey = Auth.objectToken({ username: "tsUserA", objectId: "0a1b", secretKey: "key", password: undefined })
    expect(byKey.credential._tag).toBe("SecretKey")
  })
})
