/**
 * The README's "Tests" section says what a missing `THOUGHTSPOT_HOST` gives in each example: the words the
 * client really says, `InvalidHost: host is not set …` from a `host` option read from an unset variable (the
 * client names the option; it never sees the variable), and `THOUGHTSPOT_HOST is not set …` from `layerConfig`.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { makeFake } from "./fake.ts"

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
// One line: the README wraps its prose anywhere.
const testsSection = readme
  .slice(readme.indexOf("\n## Tests\n"), readme.indexOf("\n## Benchmark\n"))
  .replace(/\s+/g, " ")
const fake = makeFake(() => ({ status: 500 }))

describe("the README on a missing THOUGHTSPOT_HOST", () => {
  it.effect("quotes-the-first-examples-InvalidHost-as-the-client-says-it", () =>
    Effect.gen(function* () {
      const unset = process.env.SPOTPIPE_NEVER_SET_VARIABLE
      const error = yield* Effect.flip(
        Layer.build(
          ThoughtSpotClient.layer({ host: unset!, auth: Auth.password({ username: "u", password: "p" }) }).pipe(
            Layer.provide(fake.layer)
          )
        ).pipe(Effect.scoped)
      )
      expect(error._tag).toBe("InvalidHost")
      const said = `${error._tag}: ${error.message}`
      expect(said.startsWith("InvalidHost: host is not set (or is empty)")).toBe(true)
      expect(testsSection).toContain("`InvalidHost: host is not set (or is empty)`")
      expect(said).not.toContain("THOUGHTSPOT_HOST")
    })
  )

  it.effect("says-layerConfigs-ConfigError-names-the-variable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Layer.build(ThoughtSpotClient.layerConfig().pipe(Layer.provide(fake.layer))).pipe(
          Effect.scoped,
          Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({})))
        )
      )
      expect(String(error)).toContain("THOUGHTSPOT_HOST is not set")
      expect(testsSection).toContain("`layerConfig`'s with a `ConfigError` that names `THOUGHTSPOT_HOST`")
    })
  )
})
