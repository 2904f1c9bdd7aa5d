/**
 * Integration over loopback against `@spotpipe/sandbox`: every auth method, short-lived tokens across a long
 * paged read, 1 M rows through each data endpoint under faults (5xx, 429, resets, truncated bodies) giving
 * exactly the rows of a fault-free read, in order, and the error shapes of a real cluster.
 */
import { createHash } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, type SandboxOptions, startSandbox } from "@spotpipe/sandbox"
import { Effect, type Exit, Layer, Logger, References, Stream } from "effect"
import { Auth, type Pagination, ThoughtSpotClient } from "../src/index.ts"
import { failureOf, successOf } from "./exits.ts"

const user = fixtures.user
const password = Auth.password({ username: user.username, password: user.password })

const run = <A, E>(
  sandbox: RunningSandbox,
  options: Partial<ThoughtSpotClient.ThoughtSpotClientOptions>,
  use: (client: ThoughtSpotClient.Service) => Effect.Effect<A, E>
): Promise<Exit.Exit<A, E>> =>
  Effect.runPromiseExit(
    Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, use).pipe(
      Effect.provide(Layer.orDie(ThoughtSpotClient.layerNode({ host: sandbox.url, auth: password, ...options })))
    )
  )

/** Row count and a digest of every cell, in order (bigints by their digits). */
const digest = (pages: Stream.Stream<Pagination.DataPage, unknown>) =>
  Effect.suspend(() => {
    const hash = createHash("sha256")
    let rows = 0
    let bigints = 0
    return pages.pipe(
      Stream.runForEach((page) =>
        Effect.sync(() => {
          for (const row of page.rows) {
            rows++
            let line = ""
            for (const cell of row) {
              if (typeof cell === "bigint") bigints++
              line += `${typeof cell === "object" && cell !== null ? JSON.stringify(cell) : String(cell)}\u0001`
            }
            hash.update(line)
          }
        })
      ),
      Effect.map(() => ({ rows, bigints, sha256: hash.digest("hex") }))
    )
  })

const start = (options: SandboxOptions) => startSandbox({ rows: 1_000_000, ...options })

describe("against the sandbox", () => {
  let clean: RunningSandbox
  let faulty: RunningSandbox
  const faultyLog: Array<string> = []
  beforeAll(async () => {
    clean = await start({ faults: "none" })
    faulty = await start({
      faults: {
        routes: {
          "*": { error500: 0.04, error502: 0.03, error503: 0.03, error429: 0.05, reset: 0.05, truncate: 0.05 }
        },
        retryAfter: true
      }
    })
  })
  afterAll(async () => {
    await clean?.close()
    await faulty?.close()
  })

  it("every-auth-method-reaches-the-current-user", async () => {
    const token = (await (
      await fetch(`${clean.url}/api/rest/2.0/auth/token/full`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", "user-agent": "core-test" },
        body: JSON.stringify({ username: user.username, password: user.password })
      })
    ).json()) as { token: string }
    const answer = fixtures.answers["Revenue by Month"]
    const methods: ReadonlyArray<Auth.AuthMethod> = [
      password,
      Auth.secretKey({ username: user.username, secretKey: clean.secretKey }),
      Auth.objectToken({ username: user.username, objectId: answer.id, secretKey: clean.secretKey }),
      Auth.bearerToken(token.token),
      Auth.cookieSession({ username: user.username, password: user.password })
    ]
    for (const auth of methods) {
      const exit = await run(
        clean,
        { auth },
        (c): Effect.Effect<string | ReadonlyArray<string>, unknown> =>
          auth._tag === "ObjectToken"
            ? Effect.map(
                Stream.runCollect(c.answerData({ metadataIdentifier: answer.id })),
                (pages) => pages[0]!.columnNames
              )
            : Effect.map(c.currentUser, (u) => u.name)
      )
      expect([auth._tag, successOf(exit)]).toEqual([
        auth._tag,
        auth._tag === "ObjectToken" ? answer.visualizations[0]!.columns.map((col) => col.name) : user.username
      ])
    }
    // an object token reads only its object
    const other = fixtures.answers["Order Details"]
    const scoped = await run(clean, { auth: methods[2]! }, (c) =>
      Stream.runCollect(c.answerData({ metadataIdentifier: other.id }))
    )
    expect(["Forbidden", "Authentication"]).toContain(failureOf(scoped).reason._tag)
    // a revoked pre-issued token is final, with a clear message
    clean.revokeAllTokens()
    const revoked = failureOf(await run(clean, { auth: Auth.bearerToken(token.token) }, (c) => c.currentUser))
    expect(revoked.reason._tag).toBe("Authentication")
    expect(revoked.message).toContain("expired or been revoked")
    expect(revoked.message).not.toContain(token.token)
  }, 30_000)

  it("wrong-password-and-forbidden-object-map-to-reasons", async () => {
    const bad = failureOf(
      await run(
        clean,
        { auth: Auth.password({ username: user.username, password: "not-the-password" }) },
        (c) => c.system
      )
    )
    expect([bad.operation, bad.reason._tag, bad.reason.code]).toEqual(["auth/token/full", "Authentication", 10097])
    expect(bad.message).not.toContain("not-the-password")
    const limited = fixtures.limitedUser
    const forbidden = failureOf(
      await run(clean, { auth: Auth.password({ username: limited.username, password: limited.password }) }, (c) =>
        Stream.runCollect(c.answerData({ metadataIdentifier: fixtures.answers["Top Customers (restricted)"].id }))
      )
    )
    expect([forbidden.reason._tag, forbidden.reason.code, forbidden.isRetryable]).toEqual(["Forbidden", 10023, false])
    expect(forbidden.reason.incidentId).toMatch(/^[0-9a-f-]{36}$/)
  }, 30_000)

  it("error-shapes-nested-and-flat-both-parsed", async () => {
    for (const errorShape of ["nested", "flat"] as const) {
      const sandbox = await startSandbox({ rows: 10, errorShape })
      try {
        const error = failureOf(
          await run(sandbox, {}, (c) =>
            Stream.runCollect(
              c.searchData({ logicalTableIdentifier: fixtures.ordersTable.id, queryString: "[No Such Column]" })
            )
          )
        )
        expect([errorShape, error.reason._tag, error.reason.status, error.reason.code]).toEqual([
          errorShape,
          "BadRequest",
          400,
          10002
        ])
        expect(error.reason.serverMessage).toMatch(/No Such Column/i)
      } finally {
        await sandbox.close()
      }
    }
  }, 30_000)

  it("two-second-tokens-across-a-long-paged-read", async () => {
    const sandbox = await startSandbox({
      rows: 300_000,
      tokenValiditySeconds: 2,
      faults: { routes: { searchdata: { latencyMs: 100 } } }
    })
    try {
      const exit = await run(sandbox, { prefetch: 2 }, (c) =>
        Effect.gen(function* () {
          const t0 = Date.now()
          const result = yield* digest(
            c.searchData({
              logicalTableIdentifier: fixtures.ordersTable.id,
              queryString: "[Order ID] [Region] [Revenue] sort by [Order ID]",
              pageSize: 5_000
            })
          )
          return { ...result, seconds: (Date.now() - t0) / 1000, tokens: yield* c.credentialRequests }
        })
      )
      const result = successOf(exit)
      expect(result.rows).toBe(300_000)
      expect(result.seconds).toBeGreaterThan(2.5) // the read outlived several tokens…
      expect(result.tokens).toBeGreaterThanOrEqual(2) // …which were renewed on the way
      expect(sandbox.stats().byStatus["401"] ?? 0).toBeLessThanOrEqual(result.tokens)
    } finally {
      await sandbox.close()
    }
  }, 60_000)

  const endpoints: ReadonlyArray<
    readonly [string, (c: ThoughtSpotClient.Service) => Stream.Stream<Pagination.DataPage, unknown>]
  > = [
    [
      "searchdata",
      (c) =>
        c.searchData({
          logicalTableIdentifier: fixtures.ordersTable.id,
          queryString: "[Order ID] [Region] [Customer] [Revenue] [Order Date] sort by [Order ID]",
          pageSize: 25_000
        })
    ],
    ["answer", (c) => c.answerData({ metadataIdentifier: fixtures.answers["Order Details"].id, pageSize: 25_000 })],
    [
      "liveboard",
      (c) =>
        Stream.unwrap(
          Effect.map(
            c.liveboardData({
              metadataIdentifier: fixtures.liveboards["Order Operations"].id,
              visualizationIdentifiers: [fixtures.liveboards["Order Operations"].visualizations[0]!.id],
              pageSize: 25_000
            }),
            (vizzes) => vizzes[0]!.pages
          )
        )
    ]
  ]

  for (const [name, read] of endpoints) {
    it(`million-rows-through-${name}-under-faults-match-a-clean-read`, async () => {
      const reference = successOf(await run(clean, {}, (c) => digest(read(c))))
      const lines: Array<string> = []
      const logger = Logger.make((o) => {
        lines.push(`${String(o.message)} ${String(o.cause)}`)
      })
      const before = faulty.stats()
      const faultyExit = await Effect.runPromiseExit(
        Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (c) => digest(read(c))).pipe(
          Effect.provide(
            ThoughtSpotClient.layerNode({
              host: faulty.url,
              auth: password,
              retry: { baseDelayMillis: 50, maxAttempts: 8 }
            }).pipe(
              // provided to the client layer too, so that its shutdown (token revoke) logs here as well
              Layer.provideMerge(
                Layer.mergeAll(Logger.layer([logger]), Layer.succeed(References.MinimumLogLevel, "All"))
              )
            )
          )
        )
      )
      const result = successOf(faultyExit)
      const after = faulty.stats()
      const injected = Object.entries(after.faultsInjected).map(
        ([kind, n]) => [kind, n - (before.faultsInjected[kind as keyof typeof before.faultsInjected] ?? 0)] as const
      )
      faultyLog.push(`${name}: ${JSON.stringify(Object.fromEntries(injected))}`)
      expect(reference.rows).toBe(1_000_000)
      expect(reference.bigints).toBeGreaterThan(900_000) // Order IDs beyond 2^53 arrived as exact bigints
      expect(result).toEqual(reference)
      expect(injected.reduce((sum, [, n]) => sum + n, 0)).toBeGreaterThan(0)
      expect(lines.some((line) => line.startsWith("retrying"))).toBe(true) // faults were met, retried and logged
      for (const text of lines) {
        expect(text).not.toContain(user.password)
        expect(text).not.toContain(faulty.secretKey)
      }
    }, 60_000)
  }

  it("faults-of-every-kind-were-injected-across-the-reads", () => {
    const totals = faulty.stats().faultsInjected
    expect(totals.error500 + totals.error502 + totals.error503).toBeGreaterThan(0)
    expect(totals.error429).toBeGreaterThan(0)
    expect(totals.reset + totals.truncate).toBeGreaterThan(0)
  })
})
