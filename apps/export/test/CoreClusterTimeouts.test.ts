/** The export's client takes the per-attempt timeout and the request deadline from its connect options. */
import * as http from "node:http"
import type * as net from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import { connect } from "../src/cluster/CoreCluster.ts"

describe("CoreCluster timeouts", () => {
  it.live("attempt-timeout-and-deadline-reach-the-client", () =>
    Effect.gen(function* () {
      // Answers nothing, ever: every attempt runs into its timeout.
      const server = http.createServer(() => {})
      const port = yield* Effect.promise(
        () =>
          new Promise<number>((resolve) =>
            server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port))
          )
      )
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.flatMap(
            connect(
              {
                _tag: "Cluster",
                host: `http://127.0.0.1:${port}`,
                auth: { _tag: "BearerToken", token: Redacted.make("pre-issued") }
              },
              { version: "0.0.0", pageSize: 10, concurrency: 1, attemptTimeoutMillis: 50, deadlineMillis: 1_000 }
            ),
            (cluster) => cluster.timeZone
          )
        )
      ).pipe(
        Effect.ensuring(
          Effect.promise(() => {
            server.closeAllConnections()
            return new Promise<void>((resolve) => server.close(() => resolve()))
          })
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(String(Exit.isFailure(exit) ? exit.cause : "")).toMatch(
        /no complete response within 50 ms|gave up after 1 s/
      )
    })
  )
})
