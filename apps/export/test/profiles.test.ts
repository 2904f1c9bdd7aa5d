/**
 * Named connection profiles: where the config file is, how a profile's fields and secret are layered under the
 * command line and the THOUGHTSPOT_* environment (field by field, a table over every combination), how a profile
 * is chosen, the keychain, and `spotpipe config` (in-process) refusing secrets and writing the file 0600.
 */
import * as NodeChildProcess from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option, Redacted } from "effect"
import {
  type Connection,
  type ConnectionFlags,
  type ConnectionSpec,
  connectionLayers,
  resolveConnection
} from "../src/cluster/Connection.ts"
import {
  configPath,
  keychainStoreCommand,
  parseConfigFile,
  parseSecretSource,
  readKeychain
} from "../src/cluster/Profiles.ts"
import { UsageError } from "../src/UsageError.ts"
import { runInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-profiles-")

const noFlags: ConnectionFlags = {
  host: Option.none(),
  username: Option.none(),
  passwordFile: Option.none(),
  orgId: Option.none(),
  sandbox: false,
  allowInsecureHttp: false,
  profile: Option.none()
}

/** The last line printed on stdout (the test console keeps the lines of earlier runs in one test). */
const lastLine = (text: string) => text.split("\n").at(-1)

/** Resolves a single command's connection with `flags` and `env` as the only environment. */
/** `preserveEmptyStrings`: empty values kept, as the command's own environment keeps them (see cli/Main.ts). */
const resolve = (flags: Partial<ConnectionFlags>, env: Record<string, string>, preserveEmptyStrings = false) =>
  Effect.gen(function* () {
    const { layers, profile } = yield* connectionLayers({ ...noFlags, ...flags })
    const connection = yield* resolveConnection(layers)
    return { connection, profile }
  }).pipe(
    Effect.provide(
      Layer.merge(NodeServices.layer, ConfigProvider.layer(ConfigProvider.fromEnv({ env, preserveEmptyStrings })))
    )
  )

const writeConfig = (dir: string, config: unknown): string => {
  const path = NodePath.join(dir, "config.json")
  NodeFs.writeFileSync(path, JSON.stringify(config))
  return path
}

const cluster = (c: Connection) => {
  assert.strictEqual(c._tag, "Cluster")
  return c as Extract<Connection, { _tag: "Cluster" }>
}

const secretOf = (c: Extract<Connection, { _tag: "Cluster" }>) =>
  c.auth._tag === "Password"
    ? Redacted.value(c.auth.password)
    : c.auth._tag === "SecretKey"
      ? Redacted.value(c.auth.secretKey)
      : Redacted.value(c.auth.token)

describe("config file path", () => {
  const table: ReadonlyArray<[string, NodeJS.Platform, Record<string, string>, string | undefined]> = [
    ["SPOTPIPE_CONFIG wins", "linux", { SPOTPIPE_CONFIG: "/x/c.json", HOME: "/h", XDG_CONFIG_HOME: "/x" }, "/x/c.json"],
    ["linux XDG", "linux", { HOME: "/h", XDG_CONFIG_HOME: "/xdg" }, "/xdg/spotpipe/config.json"],
    ["linux relative XDG ignored", "linux", { HOME: "/h", XDG_CONFIG_HOME: "rel" }, "/h/.config/spotpipe/config.json"],
    ["linux home", "linux", { HOME: "/h" }, "/h/.config/spotpipe/config.json"],
    ["macOS", "darwin", { HOME: "/Users/a" }, "/Users/a/Library/Application Support/spotpipe/config.json"],
    ["macOS XDG", "darwin", { HOME: "/Users/a", XDG_CONFIG_HOME: "/xdg" }, "/xdg/spotpipe/config.json"],
    [
      "Windows",
      "win32",
      { APPDATA: "C:\\Users\\a\\AppData\\Roaming" },
      "C:\\Users\\a\\AppData\\Roaming\\spotpipe\\config.json"
    ],
    ["no home", "linux", {}, undefined]
  ]
  for (const [name, platform, env, expected] of table) {
    it(`config-path: ${name}`, () => {
      expect(configPath((n) => env[n], platform)).toBe(expected)
    })
  }
})

describe("secrets are references, never values", () => {
  it("secret-value-refused-unseen", () => {
    const parsed = parseSecretSource("hunter2-Secret")
    assert.isTrue("refused" in parsed)
    if ("refused" in parsed) {
      expect(parsed.refused).toContain("env:VARIABLE")
      expect(parsed.refused).not.toContain("hunter2")
    }
    expect(parseSecretSource("env:TS_PASSWORD")).toEqual({ ok: { _tag: "Env", variable: "TS_PASSWORD" } })
    expect(parseSecretSource("keychain")).toEqual({ ok: { _tag: "Keychain", account: "" } })
  })

  it("config-file-with-a-secret-key-refused-unseen", () => {
    const text = JSON.stringify({
      profiles: { prod: { host: "h", password: "hunter2-Secret", secret: "s3cr3t-Value" } }
    })
    const parsed = parseConfigFile(text, "/c.json")
    assert.isTrue("refused" in parsed)
    if ("refused" in parsed) {
      expect(parsed.refused).toContain("profiles.prod.password: a profile never holds a secret")
      expect(parsed.refused).toContain("profiles.prod.secret is not a reference")
      expect(parsed.refused).not.toContain("hunter2")
      expect(parsed.refused).not.toContain("s3cr3t")
    }
  })
})

describe("a host with credentials in the config file", () => {
  it.effect("config-file-host-with-password-refused-unseen", () =>
    Effect.gen(function* () {
      const path = writeConfig(tempDir(), { profiles: { p: { host: "https://ana:hunter2-Zq@acme.example.com" } } })
      const run = yield* runInProcess(["config", "list"], { SPOTPIPE_CONFIG: path })
      expect(run.code).toBe(2)
      expect(run.stderr).toContain("profiles.p.host must not contain a user name or password")
      expect(run.stderr + run.stdout).not.toContain("hunter2")
    })
  )

  it.effect("config-file-host-with-password-behind-a-mistyped-scheme-refused-unseen", () =>
    Effect.gen(function* () {
      // `https:/…` (one slash) is no URL with a user part to a URL parser, yet the text holds the password.
      const path = writeConfig(tempDir(), { profiles: { p: { host: "https:/ana:hunter2-Zq@acme.example.com" } } })
      const run = yield* runInProcess(["config", "list"], { SPOTPIPE_CONFIG: path })
      expect(run.code).toBe(2)
      expect(run.stderr).toContain("profiles.p.host is not a URL with http:// or https://")
      expect(run.stderr + run.stdout).not.toContain("hunter2")
    })
  )
})

describe("precedence, field by field: flag > environment > profile; flag > profile > environment for --profile", () => {
  const dir = tempDir()
  const passwordFile = NodePath.join(dir, "flag-password")
  NodeFs.writeFileSync(passwordFile, "flag-pw\n")
  const profile = {
    host: "https://profile.example.com",
    username: "profile-user",
    "org-id": 3,
    secret: "env:PROFILE_PW"
  }
  const path = writeConfig(dir, { default: "prod", profiles: { prod: profile } })
  const base = { SPOTPIPE_CONFIG: path, PROFILE_PW: "profile-pw" }

  type Source = "flag" | "env" | "profile"
  // What chose the profile, how it is chosen, and the order of the sources then.
  const choices: ReadonlyArray<{
    readonly by: string
    readonly flag: Partial<ConnectionFlags>
    readonly env: Record<string, string>
    readonly order: ReadonlyArray<Source>
  }> = [
    { by: "the config file's default", flag: {}, env: {}, order: ["flag", "env", "profile"] },
    { by: "THOUGHTSPOT_PROFILE", flag: {}, env: { THOUGHTSPOT_PROFILE: "prod" }, order: ["flag", "env", "profile"] },
    { by: "--profile", flag: { profile: Option.some("prod") }, env: {}, order: ["flag", "profile", "env"] }
  ]
  const fields: ReadonlyArray<{
    readonly field: "host" | "username" | "secret" | "orgId"
    readonly flag: Partial<ConnectionFlags>
    readonly env?: Record<string, string>
    /** No THOUGHTSPOT_* variable sets this field. */
    readonly noEnv?: boolean
    /** Given in every case: the host's rows sign in with a password of the command line, for any host. */
    readonly always?: Partial<ConnectionFlags>
    readonly value: (c: Extract<Connection, { _tag: "Cluster" }>) => unknown
    readonly expected: Record<Source, { readonly value: unknown; readonly from: string }>
  }> = [
    {
      field: "host",
      flag: { host: Option.some("https://flag.example.com") },
      env: { THOUGHTSPOT_HOST: "https://env.example.com" },
      always: { passwordFile: Option.some(passwordFile) },
      value: (c) => c.host,
      expected: {
        flag: { value: "https://flag.example.com", from: "--host" },
        env: { value: "https://env.example.com", from: "THOUGHTSPOT_HOST" },
        profile: { value: "https://profile.example.com", from: 'profile "prod"' }
      }
    },
    {
      field: "username",
      flag: { username: Option.some("flag-user") },
      env: { THOUGHTSPOT_USERNAME: "env-user" },
      value: (c) => (c.auth._tag === "BearerToken" ? undefined : c.auth.username),
      expected: {
        flag: { value: "flag-user", from: "--username" },
        env: { value: "env-user", from: "THOUGHTSPOT_USERNAME" },
        profile: { value: "profile-user", from: 'profile "prod"' }
      }
    },
    {
      field: "secret",
      flag: { passwordFile: Option.some(passwordFile) },
      env: { THOUGHTSPOT_PASSWORD: "env-pw" },
      value: secretOf,
      expected: {
        flag: { value: "flag-pw", from: "--password-file" },
        env: { value: "env-pw", from: "THOUGHTSPOT_PASSWORD" },
        profile: { value: "profile-pw", from: 'profile "prod" (env:PROFILE_PW)' }
      }
    },
    {
      // There is no THOUGHTSPOT_* variable for the Org.
      field: "orgId",
      noEnv: true,
      flag: { orgId: Option.some(7) },
      value: (c) => (c.auth._tag === "BearerToken" ? undefined : c.auth.orgId),
      expected: {
        flag: { value: 7, from: "--org-id" },
        env: { value: undefined, from: "" },
        profile: { value: 3, from: 'profile "prod"' }
      }
    }
  ]
  // Every combination of sources setting the field (the profile always does): the first in the order wins.
  const combinations: ReadonlyArray<ReadonlyArray<Source>> = [
    ["profile"],
    ["env", "profile"],
    ["flag", "profile"],
    ["flag", "env", "profile"]
  ]
  for (const choice of choices) {
    for (const { field, flag, env, noEnv, always, value, expected } of fields) {
      for (const combination of combinations.filter((c) => noEnv !== true || !c.includes("env"))) {
        const winner = choice.order.find((source) => combination.includes(source)) as Source
        it.effect(`precedence (${choice.by}): ${field} from ${combination.join(" + ")} → ${winner}`, () =>
          Effect.gen(function* () {
            const { connection, profile: chosen } = yield* resolve(
              { ...choice.flag, ...always, ...(combination.includes("flag") ? flag : {}) },
              { ...base, ...choice.env, ...(combination.includes("env") ? env : {}) }
            )
            expect(chosen?.chosenBy).toBe(choice.by)
            const c = cluster(connection)
            expect(value(c)).toEqual(expected[winner].value)
            expect(c.sources?.[field === "orgId" ? "orgId" : field]).toBe(expected[winner].from)
          })
        )
      }
    }
  }

  it.effect("precedence: a token in the environment replaces the profile's password, and needs no user", () =>
    Effect.gen(function* () {
      const { connection } = yield* resolve({}, { ...base, THOUGHTSPOT_TOKEN: "env-token" })
      const c = cluster(connection)
      expect(c.auth._tag).toBe("BearerToken")
      expect(c.sources).toEqual({ host: 'profile "prod"', secret: "THOUGHTSPOT_TOKEN" })
    })
  )

  it.effect("precedence (--profile): what the profile leaves out still comes from the environment", () =>
    Effect.gen(function* () {
      const partial = writeConfig(tempDir(), {
        profiles: { p: { host: "https://profile.example.com", secret: "env:PROFILE_PW" } }
      })
      const { connection } = yield* resolve(
        { profile: Option.some("p") },
        { SPOTPIPE_CONFIG: partial, PROFILE_PW: "profile-pw", THOUGHTSPOT_USERNAME: "env-user" }
      )
      const c = cluster(connection)
      expect(c.auth._tag === "Password" && c.auth.username).toBe("env-user")
      expect(c.sources).toEqual({
        host: 'profile "p"',
        username: "THOUGHTSPOT_USERNAME",
        secret: 'profile "p" (env:PROFILE_PW)'
      })
    })
  )
})

describe("a profile's secret goes only to the profile's own host", () => {
  const dir = tempDir()
  const passwordFile = NodePath.join(dir, "flag-password")
  NodeFs.writeFileSync(passwordFile, "flag-pw\n")
  const path = writeConfig(dir, {
    default: "prod",
    profiles: {
      prod: { host: "https://prod.example.com", username: "ana", secret: "env:PROD_PW" },
      // Reading this secret fails (no such file): a run that gets past it never read it.
      unreadable: {
        host: "https://prod.example.com",
        username: "ana",
        secret: `file:${NodePath.join(dir, "no-such-file")}`
      },
      hostless: { username: "svc", auth: "secret-key", secret: "env:PROD_PW" },
      nosecret: { host: "https://prod.example.com", username: "ana" }
    }
  })
  const base = { SPOTPIPE_CONFIG: path, PROD_PW: "prod-pw" }
  const withProfile = (name: string, flags: Partial<ConnectionFlags> = {}) => ({
    profile: Option.some(name),
    ...flags
  })

  it.effect("secret-bound: --host elsewhere with --profile prod is refused: the host, its source, what to do", () =>
    Effect.gen(function* () {
      let prompted = false
      const error = yield* Effect.flip(
        Effect.gen(function* () {
          const { layers } = yield* connectionLayers({
            ...noFlags,
            ...withProfile("prod", { host: Option.some("https://other.example.com") })
          })
          // Not even a terminal's prompt: the user expects prod's secret and is told why it was not used.
          const prompt = () => Effect.sync(() => (prompted = true)).pipe(Effect.as(Redacted.make("typed")))
          return yield* resolveConnection(layers, Option.some(prompt))
        }).pipe(
          Effect.provide(Layer.merge(NodeServices.layer, ConfigProvider.layer(ConfigProvider.fromEnv({ env: base }))))
        )
      )
      assert.instanceOf(error, UsageError)
      expect(error.message).toBe(
        'the host in effect is https://other.example.com (from --host), but profile "prod" keeps its password (env:PROD_PW) for its own host https://prod.example.com: give a secret for https://other.example.com (pass --username and --password-file or set THOUGHTSPOT_USERNAME and one of THOUGHTSPOT_PASSWORD, THOUGHTSPOT_SECRET_KEY or THOUGHTSPOT_TOKEN), or drop --host to connect to https://prod.example.com'
      )
      expect(prompted).toBe(false)
    })
  )

  it.effect("secret-bound: THOUGHTSPOT_HOST elsewhere with the default profile is refused", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(resolve({}, { ...base, THOUGHTSPOT_HOST: "https://dev.example.com" }))
      expect(error.message).toBe(
        'the host in effect is https://dev.example.com (from THOUGHTSPOT_HOST), but profile "prod" keeps its password (env:PROD_PW) for its own host https://prod.example.com: give a secret for https://dev.example.com (pass --username and --password-file or set THOUGHTSPOT_USERNAME and one of THOUGHTSPOT_PASSWORD, THOUGHTSPOT_SECRET_KEY or THOUGHTSPOT_TOKEN), or unset THOUGHTSPOT_HOST to connect to https://prod.example.com'
      )
    })
  )

  it.effect("secret-bound: a job file's host elsewhere is refused; the job's own secret is fine", () =>
    Effect.gen(function* () {
      const resolveJob = (job: ConnectionSpec, env: Record<string, string>) =>
        Effect.gen(function* () {
          const { layers } = yield* connectionLayers(noFlags, { job })
          return yield* resolveConnection(layers)
        }).pipe(Effect.provide(Layer.merge(NodeServices.layer, ConfigProvider.layer(ConfigProvider.fromEnv({ env })))))
      const error = yield* Effect.flip(resolveJob({ host: "https://job.example.com" }, base))
      expect(error.message).toContain(`the host in effect is https://job.example.com (from the job file's "host")`)
      expect(error.message).toContain(
        `, or remove "host" from the job file's connection to connect to https://prod.example.com`
      )
      const viaVariable = yield* Effect.flip(
        resolveJob({ hostEnv: "JOB_HOST" }, { ...base, JOB_HOST: "https://job.example.com" })
      )
      expect(viaVariable.message).toContain("(from JOB_HOST)")
      expect(viaVariable.message).toContain(`, or remove "hostEnv" from the job file's connection to connect to`)
      const own = cluster(
        yield* resolveJob({ host: "https://job.example.com", passwordEnv: "JOB_PW" }, { ...base, JOB_PW: "job-pw" })
      )
      expect(secretOf(own)).toBe("job-pw")
      expect(own.sources).toEqual({ host: `the job file's "host"`, username: 'profile "prod"', secret: "JOB_PW" })
    })
  )

  it.effect("secret-bound: a secret kept for another host is not even read", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        resolve(withProfile("unreadable", { host: Option.some("https://other.example.com") }), base)
      )
      expect(error.message).toMatch(/^the host in effect is https:\/\/other\.example\.com \(from --host\), but/)
      // Given a secret for the host in effect, the run goes on without ever reading the profile's.
      const c = cluster(
        (yield* resolve(
          withProfile("unreadable", {
            host: Option.some("https://other.example.com"),
            passwordFile: Option.some(passwordFile)
          }),
          base
        )).connection
      )
      expect(secretOf(c)).toBe("flag-pw")
    })
  )

  it.effect("secret-bound: the profile's host written differently is still its host", () =>
    Effect.gen(function* () {
      const c = cluster(
        (yield* resolve(withProfile("prod", { host: Option.some("PROD.example.com/") }), base)).connection
      )
      expect(c.host).toBe("https://prod.example.com")
      expect(secretOf(c)).toBe("prod-pw")
      expect(c.sources).toEqual({ host: "--host", username: 'profile "prod"', secret: 'profile "prod" (env:PROD_PW)' })
    })
  )

  it.effect("secret-bound: another secret for the host in effect is used, the profile's set aside", () =>
    Effect.gen(function* () {
      const other = { host: Option.some("https://other.example.com") }
      const fromFile = cluster(
        (yield* resolve(withProfile("prod", { ...other, passwordFile: Option.some(passwordFile) }), base)).connection
      )
      expect([fromFile.host, secretOf(fromFile), fromFile.sources?.secret]).toEqual([
        "https://other.example.com",
        "flag-pw",
        "--password-file"
      ])
      // The environment's password names no host of its own: it goes to the host in effect.
      const fromEnv = cluster(
        (yield* resolve(withProfile("prod", other), { ...base, THOUGHTSPOT_PASSWORD: "env-pw" })).connection
      )
      expect([fromEnv.host, secretOf(fromEnv), fromEnv.sources?.secret]).toEqual([
        "https://other.example.com",
        "env-pw",
        "THOUGHTSPOT_PASSWORD"
      ])
    })
  )

  it.effect("secret-bound: a profile without a host lends its secret to the host in effect", () =>
    Effect.gen(function* () {
      const c = cluster(
        (yield* resolve(withProfile("hostless"), { ...base, THOUGHTSPOT_HOST: "https://dev.example.com" })).connection
      )
      expect([c.host, c.auth._tag, secretOf(c)]).toEqual(["https://dev.example.com", "SecretKey", "prod-pw"])
      expect(c.sources).toEqual({
        host: "THOUGHTSPOT_HOST",
        username: 'profile "hostless"',
        secret: 'profile "hostless" (env:PROD_PW)'
      })
    })
  )

  it.effect("secret-bound: with --profile, the environment's secret stays with THOUGHTSPOT_HOST", () =>
    Effect.gen(function* () {
      const dev = { THOUGHTSPOT_HOST: "https://dev.example.com", THOUGHTSPOT_PASSWORD: "dev-pw" }
      const error = yield* Effect.flip(resolve(withProfile("nosecret"), { ...base, ...dev }))
      expect(error.message).toBe(
        `the host in effect is https://prod.example.com (from profile "nosecret"), but THOUGHTSPOT_PASSWORD is kept for THOUGHTSPOT_HOST's host https://dev.example.com: give a secret for https://prod.example.com (pass --username and --password-file or run spotpipe config set secret env:VARIABLE --profile nosecret), unset THOUGHTSPOT_HOST to send THOUGHTSPOT_PASSWORD there, or drop --profile nosecret to connect to https://dev.example.com`
      )
      // Without THOUGHTSPOT_HOST the password names no host: the profile, which has none, takes it.
      const c = cluster(
        (yield* resolve(withProfile("nosecret"), { ...base, THOUGHTSPOT_PASSWORD: "dev-pw" })).connection
      )
      expect([c.host, secretOf(c), c.sources?.secret]).toEqual([
        "https://prod.example.com",
        "dev-pw",
        "THOUGHTSPOT_PASSWORD"
      ])
    })
  )
})

describe("the environment's secret goes only to THOUGHTSPOT_HOST's host, with or without a profile", () => {
  const dir = tempDir()
  const path = writeConfig(dir, {
    default: "prod",
    profiles: { prod: { host: "https://prod.example.com", username: "ana", secret: "env:PROD_PW" } }
  })
  const dev = { THOUGHTSPOT_HOST: "https://dev.example.com", THOUGHTSPOT_PASSWORD: "dev-pw" }
  const base = { SPOTPIPE_CONFIG: path, PROD_PW: "prod-pw", ...dev }

  it.effect("env-secret-bound: --host at the default profile's host gets the profile's secret, not dev's", () =>
    Effect.gen(function* () {
      const c = cluster((yield* resolve({ host: Option.some("https://prod.example.com") }, base)).connection)
      expect([c.host, secretOf(c)]).toEqual(["https://prod.example.com", "prod-pw"])
      expect(c.sources).toEqual({ host: "--host", username: 'profile "prod"', secret: 'profile "prod" (env:PROD_PW)' })
    })
  )

  it.effect("env-secret-bound: --host elsewhere gets neither: the environment's is named first", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(resolve({ host: Option.some("https://other.example.com") }, base))
      expect(error.message).toBe(
        "the host in effect is https://other.example.com (from --host), but THOUGHTSPOT_PASSWORD is kept for THOUGHTSPOT_HOST's host https://dev.example.com: give a secret for https://other.example.com (pass --username and --password-file), unset THOUGHTSPOT_HOST to send THOUGHTSPOT_PASSWORD there, or drop --host to connect to https://dev.example.com"
      )
      expect(error.message).not.toContain("dev-pw")
    })
  )

  it.effect("env-secret-bound: THOUGHTSPOT_HOST in effect over the default profile gets the environment's secret", () =>
    Effect.gen(function* () {
      const c = cluster((yield* resolve({}, base)).connection)
      expect([c.host, secretOf(c), c.sources?.secret]).toEqual([
        "https://dev.example.com",
        "dev-pw",
        "THOUGHTSPOT_PASSWORD"
      ])
    })
  )
})

describe("spotpipe run: flags > the job file > environment > profile", () => {
  const path = writeConfig(tempDir(), {
    default: "p",
    profiles: { p: { host: "https://profile.example.com", username: "profile-user", secret: "env:PROFILE_PW" } }
  })
  const resolveJob = (job: ConnectionSpec, env: Record<string, string>) =>
    Effect.gen(function* () {
      const { layers } = yield* connectionLayers(noFlags, { job })
      return yield* resolveConnection(layers)
    }).pipe(Effect.provide(Layer.merge(NodeServices.layer, ConfigProvider.layer(ConfigProvider.fromEnv({ env })))))

  it.effect("job-over-profile: the job's host and secret, the profile's user", () =>
    Effect.gen(function* () {
      const env = { SPOTPIPE_CONFIG: path, PROFILE_PW: "profile-pw", JOB_HOST: "https://job.example.com", JOB_PW: "j" }
      const c = cluster(yield* resolveJob({ hostEnv: "JOB_HOST", passwordEnv: "JOB_PW" }, env))
      expect([c.host, secretOf(c)]).toEqual(["https://job.example.com", "j"])
      expect(c.sources).toEqual({ host: "JOB_HOST", username: 'profile "p"', secret: "JOB_PW" })
    })
  )

  it.effect("job-over-profile: the job's user and Org with the profile's host and secret", () =>
    Effect.gen(function* () {
      const env = { SPOTPIPE_CONFIG: path, PROFILE_PW: "profile-pw" }
      const c = cluster(yield* resolveJob({ username: "job-user", orgId: 4 }, env))
      expect([c.host, secretOf(c), c.auth._tag === "Password" && c.auth.orgId]).toEqual([
        "https://profile.example.com",
        "profile-pw",
        4
      ])
      expect(c.sources).toEqual({
        host: 'profile "p"',
        username: `the job file's "username"`,
        secret: 'profile "p" (env:PROFILE_PW)',
        orgId: `the job file's "orgId"`
      })
    })
  )

  it.effect("job-over-profile: a variable the job names but is not set never falls back to the profile", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        resolveJob({ passwordEnv: "JOB_PW" }, { SPOTPIPE_CONFIG: path, PROFILE_PW: "profile-pw" })
      )
      expect(error.message).toBe("the job file names JOB_PW for the password, but it is not set: set JOB_PW")
    })
  )
})

describe("choosing the profile: --profile > THOUGHTSPOT_PROFILE > the default", () => {
  const dir = tempDir()
  const path = writeConfig(dir, {
    default: "a",
    profiles: {
      a: { host: "https://a.example.com", username: "u", secret: "env:PW" },
      b: { host: "https://b.example.com", username: "u", secret: "env:PW" },
      c: { host: "https://c.example.com", username: "u", secret: "env:PW" }
    }
  })
  const env = { SPOTPIPE_CONFIG: path, PW: "pw" }
  const table: ReadonlyArray<[string, Partial<ConnectionFlags>, Record<string, string>, string, string]> = [
    ["default", {}, {}, "a", "the config file's default"],
    ["variable over default", {}, { THOUGHTSPOT_PROFILE: "b" }, "b", "THOUGHTSPOT_PROFILE"],
    ["flag over variable", { profile: Option.some("c") }, { THOUGHTSPOT_PROFILE: "b" }, "c", "--profile"]
  ]
  for (const [name, flags, extra, chosen, by] of table) {
    it.effect(`choose-profile: ${name}`, () =>
      Effect.gen(function* () {
        const { connection, profile } = yield* resolve(flags, { ...env, ...extra })
        expect(profile?.name).toBe(chosen)
        expect(profile?.chosenBy).toBe(by)
        expect(cluster(connection).host).toBe(`https://${chosen}.example.com`)
      })
    )
  }

  it.effect("choose-profile: THOUGHTSPOT_PROFILE set but empty names none, not the config file's default", () =>
    Effect.gen(function* () {
      const empty = { ...env, THOUGHTSPOT_PROFILE: "" }
      const error = yield* Effect.flip(resolve({}, empty, true))
      expect(error.message).toBe(
        "no ThoughtSpot host: THOUGHTSPOT_PROFILE is set but empty; pass --host https://your-cluster.thoughtspot.cloud, set THOUGHTSPOT_HOST or save it in a profile (spotpipe config set host URL --profile NAME) and pass --profile NAME (or use --sandbox)"
      )
      const exported = {
        THOUGHTSPOT_HOST: "https://env.example.com",
        THOUGHTSPOT_USERNAME: "v",
        THOUGHTSPOT_PASSWORD: "p"
      }
      const { connection, profile } = yield* resolve({}, { ...empty, ...exported }, true)
      expect(profile).toBeUndefined()
      expect(cluster(connection).host).toBe("https://env.example.com")
      expect(cluster(connection).sources?.username).toBe("THOUGHTSPOT_USERNAME")
      // No user from the default profile either.
      const noUser = yield* Effect.flip(resolve({}, { ...empty, ...exported, THOUGHTSPOT_USERNAME: "" }, true))
      expect(noUser.message).toBe(
        "no user for the password (THOUGHTSPOT_PASSWORD): THOUGHTSPOT_USERNAME and THOUGHTSPOT_PROFILE are set but empty; pass --username, set THOUGHTSPOT_USERNAME or save it in a profile (spotpipe config set username NAME --profile NAME) and pass --profile NAME (or sign in with a token)"
      )
      // --profile still names one.
      const named = yield* resolve({ profile: Option.some("b") }, empty, true)
      expect(named.profile?.name).toBe("b")
      expect(cluster(named.connection).host).toBe("https://b.example.com")
    })
  )

  it.effect("choose-profile: an unknown name is a usage error with the closest names", () =>
    Effect.gen(function* () {
      const named = writeConfig(tempDir(), { profiles: { prod: {}, staging: {} } })
      const error = yield* Effect.flip(resolve({ profile: Option.some("prd") }, { SPOTPIPE_CONFIG: named }))
      assert.instanceOf(error, UsageError)
      expect(error.message).toBe(
        `--profile names the profile "prd", which is not defined (${named} defines prod, staging): create it with spotpipe config set host URL --profile prd; did you mean "prod"?`
      )
    })
  )

  it.effect("choose-profile: --sandbox ignores the default profile, but not a named one", () =>
    Effect.gen(function* () {
      const { connection } = yield* resolve({ sandbox: true }, env)
      expect(connection._tag).toBe("Sandbox")
      const error = yield* Effect.flip(resolve({ sandbox: true, profile: Option.some("b") }, env))
      expect(error.message).toBe(
        "--sandbox and --profile b both given: the profile's host (https://b.example.com) and the sandbox are two clusters; pass only one"
      )
    })
  )

  it.effect("choose-profile: --sandbox beats the THOUGHTSPOT_* variables as it does the default profile", () =>
    Effect.gen(function* () {
      const exported = {
        ...env,
        THOUGHTSPOT_HOST: "https://real.example.com",
        THOUGHTSPOT_USERNAME: "me",
        THOUGHTSPOT_PASSWORD: "Real-Pw-1",
        THOUGHTSPOT_PROFILE: "b"
      }
      const { connection, profile } = yield* resolve({ sandbox: true }, exported)
      // The sandbox signs in as its own test user: no host, user or secret of the environment reaches it.
      expect(connection).toEqual({ _tag: "Sandbox" })
      expect(profile).toBeUndefined()
      // What this command says still counts: --profile is a flag.
      const error = yield* Effect.flip(resolve({ sandbox: true, profile: Option.some("b") }, exported))
      expect(error.message).toBe(
        "--sandbox and --profile b both given: the profile's host (https://b.example.com) and the sandbox are two clusters; pass only one"
      )
    })
  )

  it.effect("choose-profile: no config file and no profile named: nothing changes", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(resolve({}, { SPOTPIPE_CONFIG: NodePath.join(dir, "none.json") }))
      expect(error.message).toBe(
        "no ThoughtSpot host: pass --host https://your-cluster.thoughtspot.cloud, set THOUGHTSPOT_HOST or save it in a profile (spotpipe config set host URL --profile NAME) and pass --profile NAME (or use --sandbox)"
      )
    })
  )
})

describe("profile secrets: variable, file, keychain", () => {
  const dir = tempDir()
  const secretFile = NodePath.join(dir, "pw.txt")
  NodeFs.writeFileSync(secretFile, "file-pw\n")
  // A stand-in for libsecret's secret-tool: prints the secret for account "ok", fails for any other.
  const bin = NodePath.join(dir, "bin")
  NodeFs.mkdirSync(bin)
  NodeFs.writeFileSync(
    NodePath.join(bin, "secret-tool"),
    '#!/bin/sh\n[ "$1 $2 $3 $4 $5" = "lookup service spotpipe account ok" ] && { printf "keychain-pw\\n"; exit 0; }\nexit 1\n',
    { mode: 0o755 }
  )
  const profileWith = (secret: string, auth?: string) =>
    writeConfig(NodePath.join(dir), {
      default: "p",
      profiles: { p: { host: "https://p.example.com", username: "u", secret, ...(auth === undefined ? {} : { auth }) } }
    })

  it.effect("profile-secret: from a file, as a secret key", () =>
    Effect.gen(function* () {
      const path = profileWith(`file:${secretFile}`, "secret-key")
      const c = cluster((yield* resolve({}, { SPOTPIPE_CONFIG: path })).connection)
      expect(c.auth._tag).toBe("SecretKey")
      expect(secretOf(c)).toBe("file-pw")
    })
  )

  it.effect("profile-secret: an unset variable stops with its name", () =>
    Effect.gen(function* () {
      const path = profileWith("env:NOT_SET_PW")
      const error = yield* Effect.flip(resolve({}, { SPOTPIPE_CONFIG: path }))
      expect(error.message).toBe(
        'the profile "p" names NOT_SET_PW for the password, but it is not set: set NOT_SET_PW, or change what profile "p" names (spotpipe config set secret … --profile p)'
      )
    })
  )

  it.effect("profile-secret: from the keychain (secret-tool, on Linux)", () =>
    Effect.gen(function* () {
      const path = profileWith("keychain:ok", "token")
      const c = cluster((yield* resolve({}, { SPOTPIPE_CONFIG: path, PATH: bin })).connection)
      expect(c.auth._tag).toBe("BearerToken")
      expect(secretOf(c)).toBe("keychain-pw")
      const missing = yield* Effect.flip(readKeychain("other", "linux", bin))
      expect(missing.message).toContain("secret-tool store --label=spotpipe service spotpipe account other")
    })
  )

  it.effect("profile-secret: no secret-tool installed names what to install", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(readKeychain("ok", "linux", NodePath.join(dir, "empty")))
      expect(error.message).toContain("secret-tool is not installed (Debian/Ubuntu: apt install libsecret-tools")
      const windows = yield* Effect.flip(readKeychain("ok", "win32"))
      expect(windows.message).toContain("reference the secret as env:VARIABLE or file:PATH")
    })
  )

  it.effect("profile-secret: overridden secrets are never read (the keychain is not asked)", () =>
    Effect.gen(function* () {
      // The keychain would fail (no secret-tool on this PATH): the environment's password makes it unneeded.
      const path = profileWith("keychain:ok")
      const env = { SPOTPIPE_CONFIG: path, PATH: NodePath.join(dir, "empty"), THOUGHTSPOT_PASSWORD: "env-pw" }
      const c = cluster((yield* resolve({}, env)).connection)
      expect(secretOf(c)).toBe("env-pw")
    })
  )
})

describe("spotpipe config", () => {
  it.effect("config-set: writes the file 0600, the first profile becomes the default, list shows references", () =>
    Effect.gen(function* () {
      const path = NodePath.join(tempDir(), "sub", "config.json")
      const env = { SPOTPIPE_CONFIG: path }
      for (const args of [
        ["host", "https://acme.thoughtspot.cloud"],
        ["username", "ana"],
        ["secret", "env:TS_PASSWORD"],
        ["org-id", "0"]
      ]) {
        const run = yield* runInProcess(["config", "set", ...args, "--profile", "prod"], env)
        expect(run.code).toBe(0)
      }
      expect(NodeFs.statSync(path).mode & 0o777).toBe(0o600)
      expect(JSON.parse(NodeFs.readFileSync(path, "utf8"))).toEqual({
        default: "prod",
        profiles: {
          prod: { host: "https://acme.thoughtspot.cloud", username: "ana", secret: "env:TS_PASSWORD", "org-id": 0 }
        }
      })
      const list = yield* runInProcess(["config", "list"], env)
      expect(list.stdout).toContain("prod (default)")
      expect(list.stdout).toContain("secret              env:TS_PASSWORD")
      const get = yield* runInProcess(["config", "get", "secret"], env)
      expect(lastLine(get.stdout)).toBe("env:TS_PASSWORD")
    })
  )

  it.effect("config-set: the keychain store command it prints runs in a POSIX shell as printed", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      // Stand-ins for secret-tool and macOS's security: each writes the arguments it was given, NUL-separated.
      const bin = NodePath.join(dir, "bin")
      NodeFs.mkdirSync(bin)
      for (const tool of ["secret-tool", "security"]) {
        NodeFs.writeFileSync(
          NodePath.join(bin, tool),
          `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > "${NodePath.join(dir, tool)}.args"\n`,
          { mode: 0o755 }
        )
      }
      const argsOf = (command: string, tool: string) => {
        NodeChildProcess.execFileSync("/bin/sh", ["-c", command], { env: { PATH: bin }, stdio: "ignore" })
        return NodeFs.readFileSync(NodePath.join(dir, `${tool}.args`), "utf8")
          .split("\0")
          .slice(0, -1)
      }
      const env = { SPOTPIPE_CONFIG: NodePath.join(dir, "config.json") }
      for (const account of ["ana", "Ana O'Neil", 'prod "eu" $HOME; echo `id` *', "a'b''c"]) {
        const run = yield* runInProcess(["config", "set", "secret", `keychain:${account}`, "--profile", "p"], env)
        expect(run.code).toBe(0)
        const printed = run.stderr
          .split("\n")
          .findLast((line) => line.startsWith("store the secret in the keychain with: "))
        const command = printed!.slice("store the secret in the keychain with: ".length)
        expect(argsOf(command, "secret-tool")).toEqual([
          "store",
          "--label=spotpipe",
          "service",
          "spotpipe",
          "account",
          account
        ])
        expect(argsOf(keychainStoreCommand(account, "darwin"), "security")).toEqual([
          "add-generic-password",
          "-s",
          "spotpipe",
          "-a",
          account,
          "-w"
        ])
      }
      // A plain account stays as it is.
      expect(keychainStoreCommand("ana", "linux")).toBe(
        "secret-tool store --label=spotpipe service spotpipe account ana"
      )
    })
  )

  it.effect("config-set: a secret value is refused unseen and nothing is written", () =>
    Effect.gen(function* () {
      const path = NodePath.join(tempDir(), "config.json")
      const env = { SPOTPIPE_CONFIG: path }
      yield* runInProcess(["config", "set", "host", "https://acme.thoughtspot.cloud"], env)
      const before = NodeFs.readFileSync(path, "utf8")
      for (const args of [
        ["secret", "hunter2-Zq"],
        ["password", "hunter2-Zq"],
        ["token", "hunter2-Zq"]
      ]) {
        const run = yield* runInProcess(["config", "set", ...args], env)
        expect(run.code).toBe(2)
        expect(run.stderr).toContain("env:VARIABLE")
        expect(run.stderr + run.stdout).not.toContain("hunter2")
      }
      expect(NodeFs.readFileSync(path, "utf8")).toBe(before)
      // And a URL carrying a password is refused without repeating it.
      const url = yield* runInProcess(["config", "set", "host", "https://ana:hunter2-Zq@acme.example.com"], env)
      expect(url.code).toBe(2)
      expect(url.stderr).not.toContain("hunter2")
    })
  )

  it.effect("config-set: a mistyped key names the closest key, swapped letters included", () =>
    Effect.gen(function* () {
      const env = { SPOTPIPE_CONFIG: NodePath.join(tempDir(), "config.json") }
      for (const [typed, meant] of [
        ["hots", "host"],
        ["usernmae", "username"],
        ["orgid", "org-id"]
      ] as const) {
        const run = yield* runInProcess(["config", "set", typed, "x"], env)
        expect(run.code).toBe(2)
        expect(run.stderr).toContain(`unknown key "${typed}"`)
        expect(run.stderr).toContain(`; did you mean "${meant}"?`)
      }
    })
  )

  it.effect("config-set: a refused value or profile name creates neither the file nor its folder", () =>
    Effect.gen(function* () {
      const folder = NodePath.join(tempDir(), "new-folder")
      const env = { SPOTPIPE_CONFIG: NodePath.join(folder, "config.json") }
      for (const args of [
        ["org-id", "minus one"],
        ["auth", "magic"],
        ["host", "not a url"],
        ["host", "https://acme.thoughtspot.cloud", "--profile", "bad name!"]
      ]) {
        const run = yield* runInProcess(["config", "set", ...args], env)
        expect(run.code, args.join(" ")).toBe(2)
        expect(NodeFs.existsSync(folder), args.join(" ")).toBe(false)
      }
    })
  )

  it.effect("config-set: a relative file reference is stored absolute; a symlinked config file stays a link", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const real = NodePath.join(dir, "dotfiles", "spotpipe.json")
      NodeFs.mkdirSync(NodePath.dirname(real))
      NodeFs.writeFileSync(real, JSON.stringify({ profiles: {} }))
      const link = NodePath.join(dir, "config.json")
      NodeFs.symlinkSync(real, link)
      const env = { SPOTPIPE_CONFIG: link }
      // The file must be there: one in the temp folder, named relative to where the test runs.
      const secretFile = NodePath.join(dir, "pw.txt")
      NodeFs.writeFileSync(secretFile, "pw\n", { mode: 0o600 })
      const relative = NodePath.relative(process.cwd(), secretFile)
      const run = yield* runInProcess(["config", "set", "secret", `file:${relative}`, "--profile", "p"], env)
      expect(run.code).toBe(0)
      expect(NodeFs.lstatSync(link).isSymbolicLink()).toBe(true)
      expect(JSON.parse(NodeFs.readFileSync(real, "utf8")).profiles.p.secret).toBe(`file:${secretFile}`)
    })
  )

  it("config-notices-follow-quiet-and-log-format-json-as-every-command-does", async () => {
    // A process of its own: the CLI's own log settings, not the in-process runner's capture of every log.
    const env = { SPOTPIPE_CONFIG: NodePath.join(tempDir(), "config.json") }
    for (const args of [
      ["config", "list"],
      ["config", "set", "host", "https://a.example.com", "--profile", "a"],
      ["config", "use", "a"],
      ["config", "unset", "host", "--profile", "a"]
    ]) {
      const quiet = await runCli([...args, "--quiet"], { env })
      expect(quiet.code).toBe(0)
      expect(quiet.stderr.trim()).toBe("")
      // `config unset` of a key the profile does not set fails: set it again.
      if (args[1] === "unset")
        await runCli(["config", "set", "host", "https://a.example.com", "--profile", "a"], { env })
      const json = await runCli([...args, "--log-format", "json"], { env })
      expect(json.code).toBe(0)
      const lines = json.stderr.split("\n").filter((line) => line.trim() !== "")
      expect(lines.length).toBeGreaterThan(0)
      for (const line of lines) expect(JSON.parse(line)).toHaveProperty("level", "INFO")
    }
  })

  it.effect("config-use: changes the default; an unknown profile is refused", () =>
    Effect.gen(function* () {
      const path = NodePath.join(tempDir(), "config.json")
      const env = { SPOTPIPE_CONFIG: path }
      yield* runInProcess(["config", "set", "host", "https://a.example.com", "--profile", "a"], env)
      yield* runInProcess(["config", "set", "host", "https://b.example.com", "--profile", "b"], env)
      expect(JSON.parse(NodeFs.readFileSync(path, "utf8")).default).toBe("a")
      expect((yield* runInProcess(["config", "use", "b"], env)).code).toBe(0)
      expect(JSON.parse(NodeFs.readFileSync(path, "utf8")).default).toBe("b")
      expect(lastLine((yield* runInProcess(["config", "get", "host"], env)).stdout)).toBe("https://b.example.com")
      const unknown = yield* runInProcess(["config", "use", "c"], env)
      expect(unknown.code).toBe(2)
    })
  )

  it.effect(
    "config-get-set-unset: THOUGHTSPOT_PROFILE set but empty changes no profile, as it names none for the other commands",
    () =>
      Effect.gen(function* () {
        const path = NodePath.join(tempDir(), "config.json")
        const env = { SPOTPIPE_CONFIG: path }
        yield* runInProcess(["config", "set", "host", "https://a.example.com", "--profile", "a"], env)
        const before = NodeFs.readFileSync(path, "utf8")
        const empty = { ...env, THOUGHTSPOT_PROFILE: "" }
        for (const args of [
          ["config", "get", "host"],
          ["config", "set", "username", "ana"],
          ["config", "unset", "host"]
        ]) {
          const run = yield* runInProcess(args, empty)
          expect(run.code).toBe(2)
          expect(run.stderr).toContain("THOUGHTSPOT_PROFILE is set but empty")
          expect(run.stderr).toContain("--profile NAME")
        }
        expect(NodeFs.readFileSync(path, "utf8")).toBe(before)
        // --profile still names one.
        const named = yield* runInProcess(["config", "get", "host", "--profile", "a"], empty)
        expect(lastLine(named.stdout)).toBe("https://a.example.com")
      })
  )
})

describe("help", () => {
  for (const path of [
    ["config"],
    ["config", "set"],
    ["config", "get"],
    ["config", "unset"],
    ["config", "list"],
    ["config", "use"],
    ["auth"],
    ["auth", "status"]
  ]) {
    it.effect(`${path.join("-")}-help-ends-with-examples`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess([...path, "--help"])
        expect(run.code).toBe(0)
        const examples = run.stdout.slice(run.stdout.lastIndexOf("EXAMPLES"))
        expect(examples).toMatch(new RegExp(`^EXAMPLES\\n[\\s\\S]*\\n  spotpipe ${path.join(" ")} `))
      })
    )
  }
})
