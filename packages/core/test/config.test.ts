/** `layerConfig` / `authConfig`: the connection read from THOUGHTSPOT_* settings, with messages that say what to set. */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Redacted } from "effect"
import { ThoughtSpotClient } from "../src/index.ts"

const read = (env: Record<string, string>) =>
  Effect.exit(ThoughtSpotClient.authConfig).pipe(
    Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))
  )

describe("authConfig", () => {
  it.effect("token-wins-then-secret-key-then-password", () =>
    Effect.gen(function* () {
      const host = "https://ts.example.com"
      const token = yield* read({ THOUGHTSPOT_HOST: host, THOUGHTSPOT_TOKEN: "t-1", THOUGHTSPOT_USERNAME: "u" })
      expect(token._tag === "Success" && token.value.auth._tag).toBe("BearerToken")
      const key = yield* read({
        THOUGHTSPOT_HOST: host,
        THOUGHTSPOT_USERNAME: "u",
        THOUGHTSPOT_SECRET_KEY: "sk",
        THOUGHTSPOT_PASSWORD: "p",
        THOUGHTSPOT_ORG_ID: "3"
      })
      expect(key._tag === "Success" && key.value.auth).toMatchObject({ _tag: "SecretKey", username: "u", orgId: 3 })
      const password = yield* read({ THOUGHTSPOT_HOST: host, THOUGHTSPOT_USERNAME: "u", THOUGHTSPOT_PASSWORD: "p" })
      if (password._tag !== "Success" || password.value.auth._tag !== "Password")
        throw new Error("expected password auth")
      expect(Redacted.value(password.value.auth.password)).toBe("p")
      expect(String(password.value.auth.password)).toBe("<redacted>")
      expect(JSON.stringify(password.value.auth)).not.toContain('"p"')
    })
  )

  it.effect("org-id-with-a-token-is-refused", () =>
    Effect.gen(function* () {
      // A token belongs to the Org it was issued for: an Org id beside it cannot apply, and ignoring it would
      // read another Org's objects than the one set.
      const exit = yield* read({
        THOUGHTSPOT_HOST: "https://ts.example.com",
        THOUGHTSPOT_TOKEN: "t-1",
        THOUGHTSPOT_ORG_ID: "5"
      })
      expect(exit._tag).toBe("Failure")
      expect(String(exit)).toContain("THOUGHTSPOT_ORG_ID cannot apply to THOUGHTSPOT_TOKEN")
      expect(String(exit)).not.toContain("t-1")
    })
  )

  it.effect("a-host-that-is-not-a-cluster-url-is-refused-without-repeating-it", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["my.thoughtspot.cloud", "THOUGHTSPOT_HOST is not a URL with http:// or https://"],
        ["ftp://my.thoughtspot.cloud", "THOUGHTSPOT_HOST is not a URL with http:// or https://"],
        ["https://me:s3cret-in-url@my.thoughtspot.cloud", "must not contain a user name or password"],
        ["https://my.thoughtspot.cloud/api/rest/2.0", "must not include the API path"],
        ["https://my.thoughtspot.cloud/?org=2", "must not have a query"],
        ["https://my.thoughtspot.cloud#x", "must not have a query"]
      ]
      for (const [host, said] of cases) {
        const exit = yield* read({ THOUGHTSPOT_HOST: host, THOUGHTSPOT_TOKEN: "t-1" })
        expect(exit._tag, host).toBe("Failure")
        expect(String(exit)).toContain(said)
        expect(String(exit)).not.toContain("s3cret-in-url")
      }
      // A cluster behind a proxy keeps its path; a trailing slash is fine.
      for (const host of [
        "https://proxy.example.com/thoughtspot",
        "https://my.thoughtspot.cloud/",
        "http://127.0.0.1:4010"
      ]) {
        const exit = yield* read({ THOUGHTSPOT_HOST: host, THOUGHTSPOT_TOKEN: "t-1" })
        expect(exit._tag === "Success" && exit.value.host).toBe(host)
      }
    })
  )

  it.effect("an-org-id-that-is-not-a-plain-int32-is-refused", () =>
    Effect.gen(function* () {
      const env = { THOUGHTSPOT_HOST: "https://ts.example.com", THOUGHTSPOT_USERNAME: "u", THOUGHTSPOT_PASSWORD: "p" }
      // "1e3" was read as Org 1000 and "-1" sent as is: neither is an Org id as written.
      for (const orgId of ["1e3", "-1", "0x10", "1.5", "2147483648", " 7"]) {
        const exit = yield* read({ ...env, THOUGHTSPOT_ORG_ID: orgId })
        expect(exit._tag, orgId).toBe("Failure")
        expect(String(exit)).toContain("THOUGHTSPOT_ORG_ID")
      }
      const ok = yield* read({ ...env, THOUGHTSPOT_ORG_ID: "1482304613" })
      expect(ok._tag === "Success" && ok.value.auth).toMatchObject({ orgId: 1482304613 })
    })
  )

  it.effect("missing-credentials-say-what-to-set", () =>
    Effect.gen(function* () {
      const none = yield* read({ THOUGHTSPOT_HOST: "https://ts.example.com" })
      expect(none._tag).toBe("Failure")
      expect(String(none)).toContain("set THOUGHTSPOT_TOKEN, or THOUGHTSPOT_USERNAME")
      const userOnly = yield* read({ THOUGHTSPOT_HOST: "https://ts.example.com", THOUGHTSPOT_USERNAME: "u" })
      expect(String(userOnly)).toContain("also set THOUGHTSPOT_PASSWORD or THOUGHTSPOT_SECRET_KEY")
      const noHost = yield* read({ THOUGHTSPOT_TOKEN: "t" })
      expect(String(noHost)).toContain(
        "THOUGHTSPOT_HOST is not set (or is empty): set it to the cluster's address, e.g. https://my-company.thoughtspot.cloud"
      )
      // Nothing set at all: the host comes first, said the same way.
      expect(String(yield* read({}))).toContain("THOUGHTSPOT_HOST is not set (or is empty): set it")
      // A secret without its user names the variable that is missing.
      const passwordOnly = yield* read({ THOUGHTSPOT_HOST: "https://ts.example.com", THOUGHTSPOT_PASSWORD: "p" })
      expect(String(passwordOnly)).toContain(
        "THOUGHTSPOT_PASSWORD is set but THOUGHTSPOT_USERNAME is not (or is empty): set THOUGHTSPOT_USERNAME"
      )
      const keyOnly = yield* read({ THOUGHTSPOT_HOST: "https://ts.example.com", THOUGHTSPOT_SECRET_KEY: "k" })
      expect(String(keyOnly)).toContain("THOUGHTSPOT_SECRET_KEY is set but THOUGHTSPOT_USERNAME is not")
    })
  )

  it.effect("an-empty-variable-counts-as-not-set-and-the-message-says-so", () =>
    Effect.gen(function* () {
      // A variable exported empty is no value: the message must not tell its owner it is missing without a word
      // about why, and an empty token must not win over a user name and password.
      const host = yield* read({ THOUGHTSPOT_HOST: "", THOUGHTSPOT_TOKEN: "t" })
      expect(String(host)).toContain("THOUGHTSPOT_HOST is not set (or is empty): set it")
      const password = yield* read({
        THOUGHTSPOT_HOST: "https://ts.example.com",
        THOUGHTSPOT_USERNAME: "u",
        THOUGHTSPOT_PASSWORD: ""
      })
      expect(String(password)).toContain(
        "also set THOUGHTSPOT_PASSWORD or THOUGHTSPOT_SECRET_KEY (an empty value counts as not set)"
      )
      const user = yield* read({
        THOUGHTSPOT_HOST: "https://ts.example.com",
        THOUGHTSPOT_USERNAME: "",
        THOUGHTSPOT_PASSWORD: "p"
      })
      expect(String(user)).toContain("THOUGHTSPOT_PASSWORD is set but THOUGHTSPOT_USERNAME is not (or is empty)")
      const token = yield* read({
        THOUGHTSPOT_HOST: "https://ts.example.com",
        THOUGHTSPOT_TOKEN: "",
        THOUGHTSPOT_USERNAME: "u",
        THOUGHTSPOT_PASSWORD: "p"
      })
      expect(token._tag === "Success" && token.value.auth._tag).toBe("Password")
    })
  )
})
