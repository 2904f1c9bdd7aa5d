/**
 * A server limited far below the client's default rate (the sandbox's `rate-limit` fault: 5 requests/s, burst 2,
 * `Retry-After: 1`), over loopback: a dozen streams on one client, default options, all finish with every row.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect, Layer, Logger, Stream } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"

const streams = 12
const rows = 5_000

describe("a server that allows 5 requests/s", () => {
  let sandbox: RunningSandbox
  beforeAll(async () => {
    sandbox = await startSandbox({ rows, faults: "rate-limit" })
  })
  afterAll(() => sandbox?.close())

  it.live(
    `${streams} streams on one client with default options read every row`,
    () =>
      Effect.gen(function* () {
        const client = yield* ThoughtSpotClient.ThoughtSpotClient
        const counts = yield* Effect.forEach(
          Array.from({ length: streams }, (_, i) => i),
          () =>
            client
              .searchData({
                logicalTableIdentifier: fixtures.ordersTable.id,
                queryString: "[Order ID] [Region] [Revenue] sort by [Order ID]",
                pageSize: 1000
              })
              .pipe(
                Stream.runFold(
                  () => 0,
                  (total, page) => total + page.rows.length
                )
              ),
          { concurrency: "unbounded" }
        )
        expect(counts).toEqual(Array.from({ length: streams }, () => counts[0]))
        expect(counts[0]).toBe(rows)
        // The server did refuse requests: the client got through them, not around them.
        expect(sandbox.stats().rateLimited).toBeGreaterThan(0)
      }).pipe(
        Effect.provide(
          Layer.merge(
            ThoughtSpotClient.layerNode({
              host: sandbox.url,
              auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password })
            }),
            Logger.layer([])
          )
        )
      ),
    120_000
  )
})
