/**
 * One rule for the cluster URL on every way a client is built: `make`, `layer` and `layerNode` with a `host`
 * option, `layerConfig` with `THOUGHTSPOT_HOST`. A host that is not a cluster URL fails each of them, before any
 * request, with the same typed `InvalidHost` and the same words (the setting named as it was given, the value
 * never repeated); `authConfig`, a `Config`, says the same in its `ConfigError`.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { makeFake } from "./fake.ts"

/** Hosts that are not cluster URLs, with what is said about each (after the setting's name). */
const refused: ReadonlyArray<readonly [unknown, string]> = [
  [undefined, "is not set (or is empty)"],
  ["", "is not set (or is empty)"],
  ["my.thoughtspot.cloud", "is not a URL with http:// or https://"],
  ["ftp://my.thoughtspot.cloud", "is not a URL with http:// or https://"],
  ["https://", "is not a URL with http:// or https://"],
  ["https://me:s3cret-in-url@my.thoughtspot.cloud", "must not contain a user name or password"],
  ["https://my.thoughtspot.cloud/?org=2", "must not have a query (?…) or fragment (#…)"],
  ["https://my.thoughtspot.cloud?", "must not have a query (?…) or fragment (#…)"],
  ["https://my.thoughtspot.cloud#x", "must not have a query (?…) or fragment (#…)"],
  ["https://my.thoughtspot.cloud/api/rest/2.0", "must not include the API path (/api/rest/…)"],
  ["https://proxy.example.com/ts/API/REST/2.0/", "must not include the API path (/api/rest/…)"],
  ["https://my.thoughtspot.cloud/callosum/v1", "must not include the v1 API path (/callosum/…)"],
  ["https://proxy.example.com/ts/Callosum/", "must not include the v1 API path (/callosum/…)"],
  // A URL parser drops the line break (ts.example.com) and encodes the space: neither is what was written.
  ["https://my.thought\nspot.cloud", "must not contain whitespace or control characters"],
  ["https://proxy.example.com/thought\tspot", "must not contain whitespace or control characters"],
  ["https://proxy.example.com/thought spot", "must not contain whitespace or control characters"],
  ["https:/my.thoughtspot.cloud", "is not a URL with http:// or https://"],
  // A good address with a port a URL parser refuses: said as the port it is.
  ["https://ts.example.com:99999", "has port 99999, out of range: a port is 1 to 65535"],
  ["https://me:pw@[::1]:70000/ts", "has port 70000, out of range"],
  ["https://ts.example.com:84x3/", "has a port that is not a number"]
]

/** Hosts every path takes: a trailing slash, a proxy's path, a port. */
const accepted = ["https://my.thoughtspot.cloud/", "https://proxy.example.com/thoughtspot", "http://127.0.0.1:4010"]

const auth = Auth.bearerToken("tok-host-tests")

/** What building the client with `host` ends with on each path, and how many requests were sent. */
const build = async (host: unknown) => {
  const fake = makeFake(() => ({ status: 500 }))
  const options = { host: host as string, auth }
  const built = <E>(layer: Layer.Layer<ThoughtSpotClient.ThoughtSpotClient, E>) =>
    Effect.runPromiseExit(Effect.scoped(Effect.asVoid(Layer.build(layer))))
  const env: Record<string, string> = typeof host === "string" ? { THOUGHTSPOT_HOST: host } : {}
  const exits: Record<"make" | "layer" | "layerNode" | "layerConfig", Exit.Exit<void, unknown>> = {
    make: await Effect.runPromiseExit(
      Effect.scoped(Effect.asVoid(ThoughtSpotClient.make(options))).pipe(Effect.provide(fake.layer))
    ),
    layer: await built(ThoughtSpotClient.layer(options).pipe(Layer.provide(fake.layer))),
    layerNode: await built(ThoughtSpotClient.layerNode(options)),
    layerConfig: await built(
      ThoughtSpotClient.layerConfig().pipe(
        Layer.provide(fake.layer),
        Layer.provide(
          Layer.succeed(
            ConfigProvider.ConfigProvider,
            ConfigProvider.fromEnv({ env: { ...env, THOUGHTSPOT_TOKEN: "t" } })
          )
        )
      )
    )
  }
  return { exits, requests: fake.seen.length }
}

const failureOf = (exit: Exit.Exit<void, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return undefined
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined || reason._tag !== "Fail") throw new Error(`expected a typed failure: ${String(exit.cause)}`)
  return reason.error
}

describe("the cluster URL, on every way a client is built", () => {
  it("a host that is not a cluster URL fails make, layer, layerNode and layerConfig alike, before any request", async () => {
    for (const [host, said] of refused) {
      const { exits, requests } = await build(host)
      expect(requests, String(host)).toBe(0)
      const problems = new Set<string>()
      for (const [path, exit] of Object.entries(exits)) {
        // An unset THOUGHTSPOT_HOST is a missing setting (a ConfigError), as the README says: not this rule's.
        if (path === "layerConfig" && (host === undefined || host === "")) {
          expect(String(failureOf(exit)), path).toContain("THOUGHTSPOT_HOST is not set (or is empty)")
          continue
        }
        const error = failureOf(exit)
        expect(error, `${path} ${String(host)}`).toBeInstanceOf(ThoughtSpotClient.InvalidHost)
        const invalid = error as ThoughtSpotClient.InvalidHost
        const setting = path === "layerConfig" ? "THOUGHTSPOT_HOST" : "host"
        expect(invalid.setting).toBe(setting)
        expect(invalid.problem.startsWith(said), `${path} ${String(host)}: ${invalid.problem}`).toBe(true)
        expect(invalid.message).toBe(`${setting} ${invalid.problem}`)
        expect(invalid.message).not.toContain("s3cret-in-url")
        // The same words on every path, but for the advice on credentials, which names where they go.
        if (!said.startsWith("must not contain a user name")) problems.add(invalid.problem)
      }
      expect(problems.size, String(host)).toBeLessThanOrEqual(1)
    }
  })

  it("authConfig, a Config, refuses the same hosts with the same words in its ConfigError", async () => {
    for (const [host, said] of refused) {
      if (typeof host !== "string" || host === "") continue
      const exit = await Effect.runPromiseExit(
        ThoughtSpotClient.authConfig.pipe(
          Effect.provideService(
            ConfigProvider.ConfigProvider,
            ConfigProvider.fromEnv({ env: { THOUGHTSPOT_HOST: host, THOUGHTSPOT_TOKEN: "t" } })
          )
        )
      )
      expect(String(exit), host).toContain(`THOUGHTSPOT_HOST ${said}`)
      expect(String(exit)).not.toContain("s3cret-in-url")
    }
  })

  it("a cluster URL with a trailing slash, a proxy's path or a port builds on every path", async () => {
    for (const host of accepted) {
      const { exits } = await build(host)
      for (const [path, exit] of Object.entries(exits)) expect(Exit.isSuccess(exit), `${path} ${host}`).toBe(true)
    }
  })
})

describe("the rule, for a program that checks a host before building a client", () => {
  it("clusterUrlProblem says what InvalidHost says, with the advice on credentials the caller picks", async () => {
    for (const [host, said] of refused) {
      const { exits } = await build(host)
      const invalid = failureOf(exits.make) as ThoughtSpotClient.InvalidHost
      const environment = failureOf(exits.layerConfig) as ThoughtSpotClient.InvalidHost
      expect(ThoughtSpotClient.clusterUrlProblem(host), String(host)).toBe(invalid.problem)
      expect(ThoughtSpotClient.clusterUrlProblem(host, "option"), String(host)).toBe(invalid.problem)
      if (environment instanceof ThoughtSpotClient.InvalidHost) {
        expect(ThoughtSpotClient.clusterUrlProblem(host, "environment"), String(host)).toBe(environment.problem)
      }
      const own = ThoughtSpotClient.clusterUrlProblem(host, { credentials: "pass --username instead" })
      expect(own?.startsWith(said), String(host)).toBe(true)
      if (said.startsWith("must not contain a user name")) {
        expect(own).toBe("must not contain a user name or password: pass --username instead")
      }
    }
    for (const host of accepted) expect(ThoughtSpotClient.clusterUrlProblem(host), host).toBeUndefined()
  })
})

describe("where requests go", () => {
  it("a host with a trailing slash or whitespace around it (as a URL parser reads it) sends to the same path", async () => {
    for (const host of ["https://ts.example/proxy", "https://ts.example/proxy/", " https://ts.example/proxy/ \n"]) {
      const fake = makeFake(() => ({ body: { time_zone: "UTC" } }))
      const exit = await Effect.runPromiseExit(
        Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) => client.system).pipe(
          Effect.provide(ThoughtSpotClient.layer({ host, auth }).pipe(Layer.provide(fake.layer)))
        )
      )
      expect(Exit.isSuccess(exit), JSON.stringify(host)).toBe(true)
      expect(
        fake.seen.map((r) => r.path),
        JSON.stringify(host)
      ).toEqual(["/proxy/api/rest/2.0/system"])
    }
  })
})
