/**
 * Every request leaves one debug line (what `--verbose` shows): method, path, status and time, never the query
 * string, headers or body, which may hold a token or a password.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, References } from "effect"
import { captureLogs } from "./captureLogs.ts"
import { makeFake, PASSWORD, testOptions, useClient, withTime, withTokens } from "./fake.ts"

describe("request log", () => {
  it.effect("one-debug-line-per-request-without-query-or-secrets", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ body: { ok: true } })))
      const logs = captureLogs()
      yield* withTime(
        useClient(fake, testOptions(), (c) =>
          c.request({ method: "GET", path: "metadata/search?auth_token=query-token-secret" })
        )
      ).pipe(Effect.provide(logs.layer), Effect.provideService(References.MinimumLogLevel, "All"))
      const requests = logs.lines.filter((l) => / → \d{3} in \d+ ms$/.test(l.text))
      expect(requests.map((l) => l.level)).toEqual(requests.map(() => "Debug"))
      expect(requests.map((l) => l.text.replace(/ in \d+ ms$/, ""))).toEqual([
        "POST auth/token/full → 200",
        "GET metadata/search → 200",
        "POST auth/token/revoke → 204"
      ])
      for (const line of logs.lines) {
        expect(line.text).not.toContain(PASSWORD)
        expect(line.text).not.toContain("query-token-secret")
      }
    })
  )
})
