/**
 * Credentials that are not there: `Auth.password({ username: process.env.X!, password: process.env.Y! })` with a
 * variable unset hands the client `undefined`. Building the client refuses it, and an empty value, naming the
 * field and never the value, before any request (it died deep in the scrubber with a TypeError that named nothing).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Auth, type ThoughtSpotClient } from "../src/index.ts"
import { makeFake, PASSWORD, testOptions, useClient, withTokens } from "./fake.ts"

/** What a JavaScript caller, or `!` on an unset variable, can pass where the types say string. */
const unset = undefined as unknown as string

describe("credentials that are not set", () => {
  it.live("an-unset-or-empty-credential-is-refused-by-name-before-any-request", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [Auth.AuthMethod, string]> = [
        [
          Auth.password({ username: "tsUserA", password: unset }),
          "auth.password (Auth.password) is not set (undefined): pass the user's password; a value read from an environment variable that is not set is undefined"
        ],
        [
          Auth.password({ username: unset, password: PASSWORD }),
          "auth.username (Auth.password) is not set (undefined)"
        ],
        [Auth.password({ username: "tsUserA", password: "" }), "auth.password (Auth.password) is empty: pass"],
        [Auth.secretKey({ username: "tsUserA", secretKey: unset }), "auth.secretKey (Auth.secretKey) is not set"],
        [
          Auth.objectToken({ username: "tsUserA", objectId: unset, password: PASSWORD }),
          "auth.objectId (Auth.objectToken) is not set"
        ],
        [
          Auth.objectToken({ username: "tsUserA", objectId: "o", secretKey: "" }),
          "auth.secretKey (Auth.objectToken) is empty"
        ],
        [Auth.bearerToken(unset), "auth.token (Auth.bearerToken) is not set (undefined)"],
        [Auth.bearerToken(null as unknown as string), "auth.token (Auth.bearerToken) is not set (null)"],
        [Auth.cookieSession({ username: "", password: PASSWORD }), "auth.username (Auth.cookieSession) is empty"],
        [
          Auth.password({ username: "tsUserA", password: 42 as unknown as string }),
          "auth.password (Auth.password) is a number, not text"
        ],
        [
          undefined as unknown as Auth.AuthMethod,
          "auth is not an authentication method (undefined): pass one of Auth.password"
        ]
      ]
      for (const [auth, said] of cases) {
        const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" } })))
        const options: ThoughtSpotClient.ThoughtSpotClientOptions = testOptions({ auth })
        const exit = yield* Effect.exit(useClient(fake, options, (c) => c.system).pipe(Effect.timeout(2000)))
        const text = String(Exit.isFailure(exit) ? exit.cause : "")
        // A programming error, as a bad orgId is: the client dies with a TypeError, before any request.
        expect(Exit.isFailure(exit) && exit.cause.reasons.some((r) => r._tag === "Die"), text).toBe(true)
        expect(text).toContain(`TypeError: ${said}`)
        expect(text).not.toContain(PASSWORD)
        expect(fake.seen).toHaveLength(0)
      }
    })
  )

  it.live("credentials-that-are-set-are-taken-as-they-are", () =>
    Effect.gen(function* () {
      // Whitespace is a character a password may hold: only a missing or empty value is refused.
      const fake = makeFake(withTokens(() => ({ body: { time_zone: "UTC" } })))
      const auth = Auth.password({ username: " tsUserA ", password: " " })
      const info = yield* useClient(fake, testOptions({ auth }), (c) => c.system)
      expect(info.time_zone).toBe("UTC")
      expect(fake.seen[0]!.body).toMatchObject({ username: " tsUserA ", password: " " })
    })
  )
})
