/**
 * `auditLogs` given epoch seconds (which read as milliseconds fall in January 1970, where every window is empty)
 * is refused before any request, saying to give milliseconds; the same range in milliseconds reads events.
 * Against the sandbox, whose audit log has events over the last days.
 */
import { describe, expect, it } from "@effect/vitest"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit, Layer, Stream } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { failureOf } from "./exits.ts"

const DAY = 86_400_000

describe("an audit log range in epoch seconds", () => {
  it.live("is-refused-before-any-request-saying-to-give-milliseconds", () =>
    Effect.gen(function* () {
      const fetched: Array<string> = []
      const sandbox = yield* Effect.acquireRelease(
        Effect.promise(() =>
          startSandbox({
            rows: 10,
            log: (line) => {
              if (line.includes("/logs/fetch")) fetched.push(line)
            }
          })
        ),
        (sandbox) => Effect.promise(() => sandbox.close())
      )
      const until = Math.floor(Date.now() / DAY) * DAY - DAY
      const since = until - DAY
      const read = (range: { readonly since: number; readonly until: number }) =>
        Effect.exit(
          Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) =>
            Stream.runCollect(client.auditLogs(range))
          ).pipe(
            Effect.provide(
              Layer.orDie(
                ThoughtSpotClient.layerNode({
                  host: sandbox.url,
                  auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password })
                })
              )
            )
          )
        )
      for (const range of [
        { since: since / 1000, until: until / 1000 },
        { since: since / 1000, until }
      ]) {
        const error = failureOf(yield* read(range))
        expect([error.operation, error.reason._tag]).toEqual(["auditLogs", "BadRequest"])
        expect(error.reason.description).toBe(
          `since ${since / 1000} is before 2001-09-09 as epoch milliseconds (below 10^12), where ThoughtSpot keeps no audit events (it keeps them for 30 days): give both ends in epoch milliseconds (epoch seconds × 1000)`
        )
      }
      expect(fetched).toEqual([])
      const events = yield* read({ since, until })
      expect(Exit.isSuccess(events) && events.value.length).toBeGreaterThan(0)
    }).pipe(Effect.scoped)
  )
})
