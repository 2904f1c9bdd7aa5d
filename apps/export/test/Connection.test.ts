import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, expect, it } from "@effect/vitest"
import { ThoughtSpotClient } from "@spotpipe/core"
import { ConfigProvider, Effect, Layer, Option, Redacted } from "effect"
import {
  type ConnectionFlags,
  type ConnectionLayer,
  type ConnectionSpec,
  commandLineLayer,
  type Environment,
  environmentLayer,
  jobFileLayer,
  readEnvironment,
  rejectSecretFlags,
  resolveConnection
} from "../src/cluster/Connection.ts"
import { checkHostUrl, isLoopbackHost } from "../src/cluster/HostUrl.ts"
import { UsageError } from "../src/UsageError.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-pw-")

const usageMessage = <A>(effect: Effect.Effect<A, UsageError>) =>
  Effect.map(Effect.flip(effect), (e) => {
    assert.instanceOf(e, UsageError)
    return e.message
  })

const envOf =
  (values: Record<string, string>): Environment =>
  (name) =>
    values[name] === "" ? undefined : values[name]

const flags: ConnectionFlags = {
  host: Option.some("https://acme.thoughtspot.cloud"),
  username: Option.some("ana"),
  passwordFile: Option.none(),
  orgId: Option.none(),
  sandbox: false,
  allowInsecureHttp: false
}

/** The layers of a single command: the command line over the environment. */
const single = (over: Partial<ConnectionFlags>, env: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const cli = yield* commandLineLayer({ ...flags, ...over })
    return [cli, environmentLayer(envOf(env))]
  }).pipe(Effect.provide(NodeServices.layer))

const resolveSingle = (
  over: Partial<ConnectionFlags>,
  env: Record<string, string> = {},
  prompt: Option.Option<(message: string) => Effect.Effect<Redacted.Redacted<string>, UsageError>> = Option.none()
) => Effect.flatMap(single(over, env), (layers) => resolveConnection(layers, prompt))

/** The layers of `spotpipe run`: the command line over the job file over the environment. */
const resolveJob = (
  spec: ConnectionSpec,
  env: Record<string, string>,
  over: Partial<ConnectionFlags> = { host: Option.none(), username: Option.none() }
) =>
  Effect.gen(function* () {
    const cli = yield* commandLineLayer({ ...flags, ...over })
    return yield* resolveConnection([cli, jobFileLayer(spec, envOf(env)), environmentLayer(envOf(env))])
  }).pipe(Effect.provide(NodeServices.layer))

const hostOf = (c: { readonly _tag: string; readonly host?: string }) => (c._tag === "Cluster" ? c.host : c._tag)

describe("single commands: flags over THOUGHTSPOT_*", () => {
  it.effect("missing-host-asks-for-host-or-sandbox", () =>
    Effect.gen(function* () {
      const message = yield* usageMessage(resolveSingle({ host: Option.none() }, { THOUGHTSPOT_PASSWORD: "pw" }))
      assert.strictEqual(
        message,
        "no ThoughtSpot host: pass --host https://your-cluster.thoughtspot.cloud or set THOUGHTSPOT_HOST (or use --sandbox)"
      )
    })
  )

  it.effect("missing-credentials-name-every-source", () =>
    Effect.gen(function* () {
      const message = yield* usageMessage(resolveSingle({}))
      for (const source of ["THOUGHTSPOT_PASSWORD", "THOUGHTSPOT_SECRET_KEY", "THOUGHTSPOT_TOKEN", "--password-file"]) {
        assert.include(message, source)
      }
      assert.include(message, "--sandbox")
    })
  )

  it.effect("password-from-env-needs-a-username", () =>
    Effect.gen(function* () {
      const env = { THOUGHTSPOT_PASSWORD: "pw" }
      const message = yield* usageMessage(resolveSingle({ username: Option.none() }, env))
      assert.include(message, "THOUGHTSPOT_USERNAME")
      const ok = yield* resolveSingle({}, env)
      assert.strictEqual(hostOf(ok), "https://acme.thoughtspot.cloud")
      assert.strictEqual(ok._tag === "Cluster" && ok.auth._tag, "Password")
    })
  )

  it.effect("token-wins-over-password-and-secret-key-over-password", () =>
    Effect.gen(function* () {
      const all = { THOUGHTSPOT_PASSWORD: "pw", THOUGHTSPOT_SECRET_KEY: "sk", THOUGHTSPOT_TOKEN: "tok" }
      const withToken = yield* resolveSingle({}, all)
      assert.strictEqual(withToken._tag === "Cluster" && withToken.auth._tag, "BearerToken")
      const withKey = yield* resolveSingle({}, { ...all, THOUGHTSPOT_TOKEN: "" })
      assert.strictEqual(withKey._tag === "Cluster" && withKey.auth._tag, "SecretKey")
    })
  )

  it.effect("password-file-is-read-and-its-final-newline-dropped-and-wins-over-the-environment", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = NodePath.join(dir, "pw")
      NodeFs.writeFileSync(file, "s3cret\n")
      const result = yield* resolveSingle({ passwordFile: Option.some(file) }, { THOUGHTSPOT_TOKEN: "tok" })
      assert.isTrue(result._tag === "Cluster" && result.auth._tag === "Password")
      if (result._tag === "Cluster" && result.auth._tag === "Password") {
        assert.strictEqual(Redacted.value(result.auth.password), "s3cret")
        assert.notInclude(JSON.stringify(result), "s3cret")
      }
      NodeFs.writeFileSync(file, "\n")
      assert.include(yield* usageMessage(resolveSingle({ passwordFile: Option.some(file) })), "is empty")
      // A password typed where its file's path belongs is never repeated.
      const typedPassword = "hunter2-typed-instead-of-a-path"
      const missing = yield* usageMessage(resolveSingle({ passwordFile: Option.some(typedPassword) }))
      assert.include(missing, "cannot read the password file given with --password-file")
      assert.include(missing, "there is no such file")
      assert.notInclude(missing, typedPassword)
    })
  )

  it.effect("prompt-is-used-only-when-a-terminal-exists", () =>
    Effect.gen(function* () {
      const asked: Array<string> = []
      const prompt = Option.some((message: string) =>
        Effect.sync(() => {
          asked.push(message)
          return Redacted.make("typed")
        })
      )
      const result = yield* resolveSingle({}, {}, prompt)
      assert.deepStrictEqual(asked, ["Password for ana at https://acme.thoughtspot.cloud"])
      assert.isTrue(result._tag === "Cluster" && result.auth._tag === "Password")
    })
  )

  it.effect("host-must-be-http-without-userinfo-and-sandbox-excludes-host", () =>
    Effect.gen(function* () {
      const env = { THOUGHTSPOT_TOKEN: "t" }
      assert.include(yield* usageMessage(resolveSingle({ host: Option.some("ftp://x") }, env)), "https or http")
      assert.include(
        yield* usageMessage(resolveSingle({ host: Option.some("https://u:p@x") }, env)),
        "must not contain"
      )
      assert.include(yield* usageMessage(resolveSingle({ sandbox: true }, env)), "--host")
      assert.include(
        yield* usageMessage(resolveSingle({ host: Option.none(), sandbox: true }, { THOUGHTSPOT_HOST: "https://h" })),
        "--sandbox and a host both given: THOUGHTSPOT_HOST names https://h"
      )
      const bare = yield* resolveSingle({ host: Option.some("acme.example.com/") }, env)
      assert.strictEqual(hostOf(bare), "https://acme.example.com")
      const sandbox = yield* resolveSingle({ host: Option.none(), sandbox: true })
      assert.strictEqual(sandbox._tag, "Sandbox")
    })
  )

  it.effect("the-org-id-goes-with-a-password-or-secret-key", () =>
    Effect.gen(function* () {
      const result = yield* resolveSingle({ orgId: Option.some(0) }, { THOUGHTSPOT_SECRET_KEY: "sk" })
      assert.isTrue(result._tag === "Cluster" && result.auth._tag === "SecretKey" && result.auth.orgId === 0)
    })
  )
})

describe("host rule", () => {
  const env = { THOUGHTSPOT_TOKEN: "t" }
  const hostFrom = (host: string) => Effect.map(resolveSingle({ host: Option.some(host) }, env), hostOf)

  it.effect("the-scheme-is-added-and-a-path-prefix-is-kept-without-its-trailing-slash", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* hostFrom("proxy.example.com/thoughtspot/"), "https://proxy.example.com/thoughtspot")
      assert.strictEqual(
        yield* hostFrom("https://proxy.example.com/thoughtspot"),
        "https://proxy.example.com/thoughtspot"
      )
      assert.strictEqual(yield* hostFrom("  https://acme.example.com:8443/  "), "https://acme.example.com:8443")
      assert.strictEqual(yield* hostFrom("http://127.0.0.1:4010/ts//"), "http://127.0.0.1:4010/ts")
    })
  )

  it.effect("a-query-a-fragment-credentials-or-the-api-path-are-refused-without-echo", () =>
    Effect.gen(function* () {
      for (const [host, says] of [
        ["https://acme.example.com/?org=2", "query"],
        ["https://acme.example.com/ts?", "query"],
        ["https://acme.example.com/#top", "fragment"],
        ["https://me:s3cret@acme.example.com", "user name or password"],
        ["https://acme.example.com/api/rest/2.0", "/api/rest"]
      ] as const) {
        const message = yield* usageMessage(resolveSingle({ host: Option.some(host) }, env))
        assert.include(message, says, host)
        assert.include(message, "--host: ", host)
        assert.notInclude(message, "s3cret")
        assert.notInclude(message, "org=2")
      }
    })
  )

  it("plain-http-to-a-remote-host-is-refused-unless-allowed", () => {
    const refused = checkHostUrl("http://ts.example.com", false)
    expect(refused._tag).toBe("Refused")
    if (refused._tag === "Refused") expect(refused.message).toMatch(/--allow-insecure-http/)
    expect(checkHostUrl("http://ts.example.com/", true)).toEqual({ _tag: "Ok", url: "http://ts.example.com" })
    expect(checkHostUrl("https://ts.example.com/", false)).toEqual({ _tag: "Ok", url: "https://ts.example.com" })
  })

  it("plain-http-to-loopback-is-fine", () => {
    for (const host of ["http://127.0.0.1:4010", "http://localhost:4010", "http://[::1]:4010", "http://127.8.0.1"]) {
      expect(checkHostUrl(host, false)._tag, host).toBe("Ok")
    }
    expect(isLoopbackHost("127.0.0.1.example.com")).toBe(false)
    expect(checkHostUrl("http://127.0.0.1.evil.example", false)._tag).toBe("Refused")
  })

  it("credentials-in-the-url-and-other-schemes-are-refused-without-echo", () => {
    const withUser = checkHostUrl("https://me:s3cret@ts.example.com", false)
    expect(withUser._tag).toBe("Refused")
    if (withUser._tag === "Refused") expect(withUser.message).not.toContain("s3cret")
    expect(checkHostUrl("ftp://ts.example.com", false)._tag).toBe("Refused")
    expect(checkHostUrl("not a url", false)._tag).toBe("Refused")
  })

  it("another-scheme-is-named-once-with-the-form-to-use", () => {
    for (const [host, scheme] of [
      ["ftp://x", "ftp"],
      ["FTP://ts.example.com", "ftp"],
      ["ws://ts.example.com", "ws"]
    ] as const) {
      expect(checkHostUrl(host, false), host).toEqual({
        _tag: "Refused",
        message: `the host URL's scheme is ${scheme}, not https or http: use https://my-company.thoughtspot.cloud`
      })
    }
  })
})

describe("the host rule is core's, with the CLI's policy on top", () => {
  /** URLs core refuses, for each of its reasons (none has a user or password: see below). */
  const coreRefuses = [
    "https://ts.example.com/?org=2",
    "https://ts.example.com#top",
    "https://ts.example.com/thoughtspot?",
    "https://ts.example.com/api/rest/2.0/",
    "https://ts.example.com/callosum/v1",
    "https://ts.exa\nmple.com",
    "https://ts.example.com/thought spot",
    "https://",
    "HTTPS://ts.example.com:99999"
  ]

  it("a-url-core-refuses-is-refused-in-core's-words", () => {
    for (const host of coreRefuses) {
      const problem = ThoughtSpotClient.clusterUrlProblem(host)
      expect(problem, JSON.stringify(host)).toBeDefined()
      // Shape is refused whatever --allow-insecure-http says.
      for (const allow of [false, true]) {
        expect(checkHostUrl(host, allow), JSON.stringify(host)).toEqual({
          _tag: "Refused",
          message: `the host ${problem}`
        })
      }
    }
  })

  it("a-bare-host-is-https-then-core's-rule", () => {
    for (const bare of [
      "ts.example.com?x",
      "ts.example.com#",
      "ts.example.com/api/rest/2.0",
      "ts.example.com/callosum/v1/",
      "ts.exa\tmple.com"
    ]) {
      const problem = ThoughtSpotClient.clusterUrlProblem(`https://${bare}`)
      expect(problem, JSON.stringify(bare)).toBeDefined()
      expect(checkHostUrl(bare, false), JSON.stringify(bare)).toEqual({
        _tag: "Refused",
        message: `the host ${problem}`
      })
    }
    for (const [bare, url] of [
      ["ts.example.com", "https://ts.example.com"],
      ["ts.example.com:8443/", "https://ts.example.com:8443"],
      ["proxy.example.com/thoughtspot//", "https://proxy.example.com/thoughtspot"],
      ["[::1]:4010", "https://[::1]:4010"],
      ["bücher.example", "https://xn--bcher-kva.example"]
    ] as const) {
      expect(checkHostUrl(bare, false), bare).toEqual({ _tag: "Ok", url })
    }
  })

  it("credentials-in-the-url-get-the-cli's-advice", () => {
    for (const host of ["https://me:s3cret@ts.example.com", "me:s3cret@ts.example.com", "https://me@ts.example.com"]) {
      const checked = checkHostUrl(host, true)
      assert(checked._tag === "Refused", host)
      expect(checked.message).toMatch(/^the host must not contain a user name or password: set the credentials /)
      expect(checked.message).toContain("THOUGHTSPOT_USERNAME")
      expect(checked.message).not.toContain("Auth.password")
      expect(checked.message).not.toContain("s3cret")
    }
  })

  it("a-mistyped-http-scheme-is-refused-not-read-as-a-host-named-https", () => {
    // Taken for a bare host, these became https://https/ts.example.com and https://http/localhost:4010.
    for (const host of ["https:/ts.example.com", "http:/localhost:4010", "HTTPS:ts.example.com"]) {
      expect(checkHostUrl(host, true), host).toEqual({
        _tag: "Refused",
        message: `the host ${ThoughtSpotClient.clusterUrlProblem(host)}`
      })
    }
  })

  it("the-same-url-whatever-case-port-or-slashes", () => {
    for (const [host, url] of [
      ["HTTPS://TS.Example.COM/", "https://ts.example.com"],
      ["https://ts.example.com:443//", "https://ts.example.com"],
      ["http://[::1]:4010/thoughtspot/", "http://[::1]:4010/thoughtspot"],
      [" https://proxy.example.com/ThoughtSpot \n", "https://proxy.example.com/ThoughtSpot"]
    ] as const) {
      expect(checkHostUrl(host, false), host).toEqual({ _tag: "Ok", url })
      // The URL the CLI hands the client is one core takes.
      expect(ThoughtSpotClient.clusterUrlProblem(url), url).toBeUndefined()
    }
  })

  it.effect("a-refused-host-names-where-it-came-from", () =>
    Effect.gen(function* () {
      const problem = ThoughtSpotClient.clusterUrlProblem("https://ts.example.com/callosum/v1")
      const host = "https://ts.example.com/callosum/v1"
      const env = { THOUGHTSPOT_HOST: host, THOUGHTSPOT_TOKEN: "t" }
      expect(yield* usageMessage(resolveSingle({ host: Option.some(host) }, env))).toBe(`--host: the host ${problem}`)
      expect(yield* usageMessage(resolveSingle({ host: Option.none() }, env))).toBe(
        `THOUGHTSPOT_HOST: the host ${problem}`
      )
      expect(yield* usageMessage(resolveJob({ host, tokenEnv: "T" }, { T: "t" }))).toBe(
        `the job file's "host": the host ${problem}`
      )
    })
  )
})

describe("job file connection", () => {
  it.effect("secrets-come-from-the-named-variables", () =>
    Effect.gen(function* () {
      const resolved = yield* resolveJob(
        { host: "https://ts.example.com", usernameEnv: "U", secretKeyEnv: "K" },
        { U: "svc", K: "key-value" }
      )
      expect(resolved._tag === "Cluster" && resolved.auth._tag).toBe("SecretKey")
      if (resolved._tag === "Cluster" && resolved.auth._tag === "SecretKey") {
        expect(resolved.auth.username).toBe("svc")
        expect(Redacted.value(resolved.auth.secretKey)).toBe("key-value")
      }
      expect(JSON.stringify(resolved)).not.toContain("key-value")
    })
  )

  it.effect("defaults-follow-the-cli-variables", () =>
    Effect.gen(function* () {
      const resolved = yield* resolveJob(
        {},
        { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_USERNAME: "u", THOUGHTSPOT_PASSWORD: "p" }
      )
      expect(resolved._tag === "Cluster" && resolved.auth._tag).toBe("Password")
      const token = yield* resolveJob({}, { THOUGHTSPOT_HOST: "https://h", THOUGHTSPOT_TOKEN: "t" })
      expect(token._tag === "Cluster" && token.auth._tag).toBe("BearerToken")
    })
  )

  it.effect("a-missing-variable-is-named-in-the-error-and-not-replaced-by-the-default-one", () =>
    Effect.gen(function* () {
      const ambient = { THOUGHTSPOT_HOST: "https://h", THOUGHTSPOT_USERNAME: "u", THOUGHTSPOT_PASSWORD: "p" }
      expect(yield* usageMessage(resolveJob({ hostEnv: "MY_HOST" }, ambient))).toBe(
        "the job file names MY_HOST for the host, but it is not set: set MY_HOST"
      )
      expect(yield* usageMessage(resolveJob({ host: "https://h", username: "u", passwordEnv: "PW" }, ambient))).toBe(
        "the job file names PW for the password, but it is not set: set PW"
      )
      expect(yield* usageMessage(resolveJob({ usernameEnv: "NIGHTLY_USER" }, ambient))).toMatch(/NIGHTLY_USER/)
      // Both named and unset: the user is reported first (a token would need none).
      expect(
        yield* usageMessage(
          resolveJob({ host: "https://h", usernameEnv: "NIGHTLY_USER", passwordEnv: "NIGHTLY_PW" }, {})
        )
      ).toBe("the job file names NIGHTLY_USER for the user name, but it is not set: set NIGHTLY_USER")
      expect(yield* usageMessage(resolveJob({ tokenEnv: "TOK" }, ambient))).toMatch(/TOK for the token/)
    })
  )

  it.effect("the-command-line-wins-over-the-job-file-which-wins-over-the-environment", () =>
    Effect.gen(function* () {
      const env = {
        THOUGHTSPOT_HOST: "https://env",
        THOUGHTSPOT_USERNAME: "u",
        THOUGHTSPOT_PASSWORD: "p",
        U2: "job",
        P2: "job-pw"
      }
      expect(hostOf(yield* resolveJob({}, env))).toBe("https://env")
      // Another host than THOUGHTSPOT_HOST's comes with a secret of its own (the environment's stays with its host).
      expect(hostOf(yield* resolveJob({ host: "https://job", passwordEnv: "P2" }, env))).toBe("https://job")
      const flagged = yield* resolveJob({ host: "https://job", usernameEnv: "U2", passwordEnv: "P2", orgId: 3 }, env, {
        host: Option.some("https://flag"),
        username: Option.some("flag-user"),
        orgId: Option.some(7)
      })
      expect(hostOf(flagged)).toBe("https://flag")
      expect(flagged._tag === "Cluster" && flagged.auth._tag === "Password" && flagged.auth.username).toBe("flag-user")
      expect(flagged._tag === "Cluster" && flagged.auth._tag === "Password" && flagged.auth.orgId).toBe(7)
      const job = yield* resolveJob({ usernameEnv: "U2", orgId: 3 }, env)
      expect(job._tag === "Cluster" && job.auth._tag === "Password" && job.auth.username).toBe("job")
      expect(job._tag === "Cluster" && job.auth._tag === "Password" && job.auth.orgId).toBe(3)
    })
  )

  it.effect("the-command-line-can-allow-insecure-http-or-override-the-host", () =>
    Effect.gen(function* () {
      const env = { THOUGHTSPOT_USERNAME: "u", THOUGHTSPOT_PASSWORD: "p" }
      const refused = yield* usageMessage(resolveJob({ host: "http://ts.example.com" }, env))
      expect(refused).toMatch(/--allow-insecure-http/)
      expect(refused).toMatch(/^the job file's "host": /)
      const allowed = yield* resolveJob({ host: "http://ts.example.com" }, env, {
        host: Option.none(),
        username: Option.none(),
        allowInsecureHttp: true
      })
      expect(hostOf(allowed)).toBe("http://ts.example.com")
      expect(hostOf(yield* resolveJob({ host: "http://ts.example.com", allowInsecureHttp: true }, env))).toBe(
        "http://ts.example.com"
      )
      const over = yield* resolveJob({ host: "https://a" }, env, {
        host: Option.some("https://b"),
        username: Option.none()
      })
      expect(hostOf(over)).toBe("https://b")
    })
  )

  it.effect("the-sandbox-flag-and-a-job-file-host-contradict-each-other", () =>
    Effect.gen(function* () {
      const message = yield* usageMessage(
        resolveJob({ host: "https://job" }, {}, { host: Option.none(), username: Option.none(), sandbox: true })
      )
      expect(message).toBe(
        `--sandbox and a host both given: the job file's "host" names https://job, and the sandbox is another cluster; drop --sandbox, or the host from the job file's "host"`
      )
      const sandbox = yield* resolveJob({ usernameEnv: "U" }, {}, { host: Option.none(), sandbox: true })
      expect(sandbox._tag).toBe("Sandbox")
    })
  )

  it.effect("a-missing-host-names-every-place-to-set-it", () =>
    Effect.gen(function* () {
      expect(yield* usageMessage(resolveJob({}, {}))).toBe(
        `no ThoughtSpot host: pass --host https://your-cluster.thoughtspot.cloud, "host" in the job file's connection or set THOUGHTSPOT_HOST (or use --sandbox)`
      )
    })
  )
})

describe("the environment's secret goes only to THOUGHTSPOT_HOST's host", () => {
  const a = "https://a.example.com"
  const b = "https://b.example.com"
  const noPrompt = Option.some(() => Effect.die("no prompt when the environment's secret is kept for another host"))

  it.effect(
    "env-secret-bound: --host elsewhere is refused, whichever secret, naming the host, its source, what to do",
    () =>
      Effect.gen(function* () {
        for (const name of ["THOUGHTSPOT_PASSWORD", "THOUGHTSPOT_SECRET_KEY", "THOUGHTSPOT_TOKEN"]) {
          const env = { THOUGHTSPOT_HOST: a, THOUGHTSPOT_USERNAME: "u", [name]: "Env-Secret-6620" }
          const message = yield* usageMessage(resolveSingle({ host: Option.some(b) }, env, noPrompt))
          expect(message).toBe(
            `the host in effect is ${b} (from --host), but ${name} is kept for THOUGHTSPOT_HOST's host ${a}: give a secret for ${b} (pass --username and --password-file), unset THOUGHTSPOT_HOST to send ${name} there, or drop --host to connect to ${a}`
          )
          expect(message).not.toContain("Env-Secret-6620")
        }
      })
  )

  it.effect("env-secret-bound: THOUGHTSPOT_HOST's host, however written, gets it", () =>
    Effect.gen(function* () {
      const env = { THOUGHTSPOT_HOST: a, THOUGHTSPOT_PASSWORD: "env-pw" }
      for (const host of [a, "A.example.com/", "https://a.example.com/"]) {
        const c = yield* resolveSingle({ host: Option.some(host) }, env)
        expect(c._tag === "Cluster" && [c.host, c.sources?.secret]).toEqual([a, "THOUGHTSPOT_PASSWORD"])
        expect(c._tag === "Cluster" && c.auth._tag === "Password" && Redacted.value(c.auth.password)).toBe("env-pw")
      }
    })
  )

  it.effect("env-secret-bound: a secret for the host in effect is used, the environment's set aside", () =>
    Effect.gen(function* () {
      const file = NodePath.join(tempDir(), "pw")
      NodeFs.writeFileSync(file, "file-pw\n")
      const env = { THOUGHTSPOT_HOST: a, THOUGHTSPOT_TOKEN: "env-token" }
      const c = yield* resolveSingle({ host: Option.some(b), passwordFile: Option.some(file) }, env, noPrompt)
      expect(c._tag === "Cluster" && [c.host, c.auth._tag, c.sources?.secret]).toEqual([
        b,
        "Password",
        "--password-file"
      ])
      expect(c._tag === "Cluster" && c.auth._tag === "Password" && Redacted.value(c.auth.password)).toBe("file-pw")
    })
  )

  it.effect("env-secret-bound: without THOUGHTSPOT_HOST the secret goes to the host in effect, as before", () =>
    Effect.gen(function* () {
      const flagged = yield* resolveSingle({ host: Option.some(b) }, { THOUGHTSPOT_PASSWORD: "env-pw" })
      expect(flagged._tag === "Cluster" && [flagged.host, flagged.sources?.secret]).toEqual([b, "THOUGHTSPOT_PASSWORD"])
      const job = yield* resolveJob({ host: b }, { THOUGHTSPOT_USERNAME: "u", THOUGHTSPOT_PASSWORD: "env-pw" })
      expect(job._tag === "Cluster" && [job.host, job.sources?.secret]).toEqual([b, "THOUGHTSPOT_PASSWORD"])
    })
  )

  it.effect("env-secret-bound: a job file's host elsewhere is refused; the job's own secret is fine", () =>
    Effect.gen(function* () {
      const env = { THOUGHTSPOT_HOST: a, THOUGHTSPOT_USERNAME: "u", THOUGHTSPOT_PASSWORD: "env-pw", JOB_HOST: b }
      expect(yield* usageMessage(resolveJob({ host: b }, env))).toBe(
        `the host in effect is ${b} (from the job file's "host"), but THOUGHTSPOT_PASSWORD is kept for THOUGHTSPOT_HOST's host ${a}: give a secret for ${b} (pass --username and --password-file or name the variable that holds it with "passwordEnv", "secretKeyEnv" or "tokenEnv" in the job file's connection), unset THOUGHTSPOT_HOST to send THOUGHTSPOT_PASSWORD there, or remove "host" from the job file's connection to connect to ${a}`
      )
      expect(yield* usageMessage(resolveJob({ hostEnv: "JOB_HOST" }, env))).toMatch(
        /^the host in effect is https:\/\/b\.example\.com \(from JOB_HOST\), but THOUGHTSPOT_PASSWORD is kept .*, or remove "hostEnv" from the job file's connection to connect to https:\/\/a\.example\.com$/
      )
      const own = yield* resolveJob({ host: b, passwordEnv: "JOB_PW" }, { ...env, JOB_PW: "job-pw" })
      expect(own._tag === "Cluster" && [own.host, own.sources?.secret]).toEqual([b, "JOB_PW"])
      expect(own._tag === "Cluster" && own.auth._tag === "Password" && Redacted.value(own.auth.password)).toBe("job-pw")
    })
  )
})

describe("layers", () => {
  it.effect("a-further-layer-slots-in-between-without-new-rules", () =>
    Effect.gen(function* () {
      // A named set of settings (a profile), below the command line and above the environment.
      const profile: ConnectionLayer = {
        label: "profile prod",
        host: { _tag: "Given", value: "https://prod.example.com", from: "profile prod" },
        username: { _tag: "Given", value: "svc", from: "profile prod" },
        hints: { host: "set host in profile prod" }
      }
      // The environment fills in what the profile leaves out: its password, which names no host of its own.
      const resolved = yield* resolveConnection([profile, environmentLayer(envOf({ THOUGHTSPOT_PASSWORD: "p" }))])
      expect(hostOf(resolved)).toBe("https://prod.example.com")
      expect(resolved._tag === "Cluster" && resolved.auth._tag === "Password" && resolved.auth.username).toBe("svc")
      // THOUGHTSPOT_HOST is beaten by the profile's host, and keeps the environment's password for itself.
      const env = environmentLayer(envOf({ THOUGHTSPOT_HOST: "https://env", THOUGHTSPOT_PASSWORD: "p" }))
      expect(yield* usageMessage(resolveConnection([profile, env]))).toMatch(
        /^the host in effect is https:\/\/prod\.example\.com \(from profile prod\), but THOUGHTSPOT_PASSWORD is kept for THOUGHTSPOT_HOST's host https:\/\/env: /
      )
      const { host: _host, ...withoutHost } = profile
      expect(yield* usageMessage(resolveConnection([withoutHost]))).toBe(
        "no ThoughtSpot host: set host in profile prod (or use --sandbox)"
      )
    })
  )

  it.effect("a-secret-kept-for-another-host-is-skipped-never-sent", () =>
    Effect.gen(function* () {
      const bound: ConnectionLayer = {
        label: "profile prod",
        username: { _tag: "Given", value: "svc", from: "profile prod" },
        secret: { _tag: "Given", value: { kind: "password", value: Redacted.make("prod-pw") }, from: "profile prod" },
        secretFor: { host: "prod.example.com", kept: "profile prod keeps its password for its own host" },
        hints: { secret: "set it in profile prod" }
      }
      const cli = yield* commandLineLayer({ ...flags, host: Option.some("https://other.example.com") }).pipe(
        Effect.provide(NodeServices.layer)
      )
      // The host in effect is another: the bound secret is skipped for the environment's, which names no host.
      const other = yield* resolveConnection([cli, bound, environmentLayer(envOf({ THOUGHTSPOT_PASSWORD: "env-pw" }))])
      expect(other._tag === "Cluster" && other.auth._tag === "Password" && Redacted.value(other.auth.password)).toBe(
        "env-pw"
      )
      // None other: stopped, before any prompt.
      const message = yield* usageMessage(
        resolveConnection(
          [cli, bound],
          Option.some(() => Effect.die("no prompt for a secret kept for another host"))
        )
      )
      expect(message).toBe(
        "the host in effect is https://other.example.com (from --host), but profile prod keeps its password for its own host https://prod.example.com: give a secret for https://other.example.com (pass --username and --password-file), or drop --host to connect to https://prod.example.com"
      )
      // Its own host, however written, gets it.
      const own = yield* commandLineLayer({ ...flags, host: Option.some("HTTPS://Prod.Example.com/") }).pipe(
        Effect.provide(NodeServices.layer)
      )
      const sent = yield* resolveConnection([own, bound, environmentLayer(envOf({ THOUGHTSPOT_PASSWORD: "env-pw" }))])
      expect(sent._tag === "Cluster" && sent.auth._tag === "Password" && Redacted.value(sent.auth.password)).toBe(
        "prod-pw"
      )
    })
  )

  it.effect("the-environment-is-read-through-the-config-provider-and-empty-counts-as-unset", () =>
    Effect.gen(function* () {
      const env = yield* readEnvironment({ passwordEnv: "NIGHTLY_PW" }).pipe(
        Effect.provide(
          ConfigProvider.layer(
            ConfigProvider.fromEnv({
              env: { NIGHTLY_PW: "x", THOUGHTSPOT_HOST: "", THOUGHTSPOT_TOKEN: "t" },
              preserveEmptyStrings: true
            })
          )
        )
      )
      expect([env("NIGHTLY_PW"), env("THOUGHTSPOT_HOST"), env("THOUGHTSPOT_TOKEN"), env("OTHER")]).toEqual([
        "x",
        undefined,
        "t",
        undefined
      ])
    })
  )
})

describe("a THOUGHTSPOT_* variable set but empty", () => {
  const fromEnv = (env: Record<string, string>, spec: ConnectionSpec = {}) =>
    Effect.gen(function* () {
      const read = yield* readEnvironment(spec)
      const cli = yield* commandLineLayer({ ...flags, host: Option.none(), username: Option.none() })
      const job = Object.keys(spec).length === 0 ? [] : [jobFileLayer(spec, read)]
      return yield* resolveConnection([cli, ...job, environmentLayer(read)])
    }).pipe(
      Effect.provide(
        Layer.merge(
          NodeServices.layer,
          ConfigProvider.layer(ConfigProvider.fromEnv({ env, preserveEmptyStrings: true }))
        )
      )
    )

  it.effect("is-said-to-be-empty-not-told-to-be-set", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* usageMessage(fromEnv({ THOUGHTSPOT_HOST: "", THOUGHTSPOT_USERNAME: "ana", THOUGHTSPOT_PASSWORD: "p" })),
        "no ThoughtSpot host: THOUGHTSPOT_HOST is set but empty; pass --host https://your-cluster.thoughtspot.cloud or give THOUGHTSPOT_HOST the cluster's URL (or use --sandbox)"
      )
      const host = { THOUGHTSPOT_HOST: "https://ts.example.com" }
      assert.strictEqual(
        yield* usageMessage(fromEnv({ ...host, THOUGHTSPOT_USERNAME: "", THOUGHTSPOT_PASSWORD: "p" })),
        "no user for the password (THOUGHTSPOT_PASSWORD): THOUGHTSPOT_USERNAME is set but empty; pass --username or set THOUGHTSPOT_USERNAME (or sign in with a token)"
      )
      assert.include(
        yield* usageMessage(fromEnv({ ...host, THOUGHTSPOT_PASSWORD: "", THOUGHTSPOT_TOKEN: "" })),
        "no credentials: THOUGHTSPOT_TOKEN and THOUGHTSPOT_PASSWORD are set but empty; "
      )
      // Not set at all: no such note.
      assert.notInclude(yield* usageMessage(fromEnv({ THOUGHTSPOT_TOKEN: "t" })), "empty")
    })
  )

  it.effect("a-variable-a-job-file-names-that-is-empty-is-said-to-be-empty", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* usageMessage(fromEnv({ TS_HOST: "", THOUGHTSPOT_TOKEN: "t" }, { hostEnv: "TS_HOST" })),
        "the job file names TS_HOST for the host, but it is set but empty: set TS_HOST"
      )
      assert.strictEqual(
        yield* usageMessage(fromEnv({}, { host: "https://ts.example.com", tokenEnv: "TS_TOKEN" })),
        "the job file names TS_TOKEN for the token, but it is not set: set TS_TOKEN"
      )
    })
  )
})

describe("secret flags", () => {
  it("a-secret-as-a-flag-value-is-refused-without-echoing-it", () => {
    for (const args of [
      ["answer", "x", "--password", "hunter2"],
      ["--token=abc.def", "metadata"],
      ["--secret-key", "k"]
    ]) {
      const error = rejectSecretFlags(args)
      assert.isTrue(Option.isSome(error))
      if (Option.isSome(error)) {
        assert.include(error.value.message, "THOUGHTSPOT_PASSWORD")
        assert.notInclude(error.value.message, "hunter2")
        assert.notInclude(error.value.message, "abc.def")
      }
    }
    assert.isTrue(Option.isNone(rejectSecretFlags(["answer", "x", "--password-file", "/p"])))
    assert.isTrue(Option.isNone(rejectSecretFlags(["answer", "--", "--password"])))
  })
})
