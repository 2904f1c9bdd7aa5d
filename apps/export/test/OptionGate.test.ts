import { availableParallelism } from "node:os"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import {
  checkLogging,
  checkOutput,
  checkTimeLimits,
  defaultWorkers,
  type RawConnectionOptions,
  type RawOutputOptions,
  rejectSecretFlags,
  resolveConnection,
  type SecretEnvironment,
  type SecretSources,
  startedWithLeanMalloc
} from "../src/cli/OptionGate.ts"
import { UsageError } from "../src/cli/UsageError.ts"

const output: RawOutputOptions = {
  format: "csv",
  out: Option.none(),
  timezone: Option.none(),
  pageSize: Option.none(),
  concurrency: Option.none(),
  workers: Option.none(),
  newline: "crlf",
  force: false,
  escapeFormulae: false,
  periodEnd: false
}

const usageMessage = <A>(effect: Effect.Effect<A, UsageError>) =>
  Effect.map(Effect.flip(effect), (e) => {
    assert.instanceOf(e, UsageError)
    return e.message
  })

describe("output options", () => {
  it.effect("defaults-are-csv-crlf-10000-rows-into-the-current-directory", () =>
    Effect.gen(function* () {
      const settings = yield* checkOutput(output)
      assert.strictEqual(settings.format, "csv")
      assert.strictEqual(settings.newline, "\r\n")
      assert.strictEqual(settings.pageSize, 10_000)
      assert.deepStrictEqual(settings.destination, { _tag: "Directory", path: "." })
    })
  )

  it.effect("unknown-format-says-which-formats-exist", () =>
    Effect.gen(function* () {
      const message = yield* usageMessage(checkOutput({ ...output, format: "xlsx" }))
      assert.include(message, '"xlsx"')
      assert.include(message, "--format csv or --format ndjson")
    })
  )

  it.effect("page-size-outside-1-to-100000-is-refused", () =>
    Effect.gen(function* () {
      for (const size of [0, -5, 100_001, 1.5]) {
        const message = yield* usageMessage(checkOutput({ ...output, pageSize: Option.some(size) }))
        assert.include(message, "between 1 and 100000")
      }
      for (const size of [1, 100_000]) {
        assert.strictEqual((yield* checkOutput({ ...output, pageSize: Option.some(size) })).pageSize, size)
      }
    })
  )

  it.effect("bad-timezone-is-refused-and-iana-names-pass", () =>
    Effect.gen(function* () {
      const message = yield* usageMessage(checkOutput({ ...output, timezone: Option.some("Mars/Olympus") }))
      assert.include(message, "IANA")
      for (const zone of ["UTC", "Asia/Kolkata", "America/Los_Angeles"]) {
        const settings = yield* checkOutput({ ...output, timezone: Option.some(zone) })
        assert.deepStrictEqual(settings.timezone, Option.some(zone))
      }
    })
  )

  it.effect("out-dash-means-stdout-and-lf-newline-is-accepted", () =>
    Effect.gen(function* () {
      const settings = yield* checkOutput({ ...output, out: Option.some("-"), newline: "LF", format: "NDJSON" })
      assert.deepStrictEqual(settings.destination, { _tag: "Stdout" })
      assert.strictEqual(settings.newline, "\n")
      assert.strictEqual(settings.format, "ndjson")
      assert.include(yield* usageMessage(checkOutput({ ...output, newline: "cr" })), "--newline")
      assert.include(yield* usageMessage(checkOutput({ ...output, concurrency: Option.some(0) })), "--concurrency")
    })
  )

  it.effect("defaults-fetch-one-large-page-ahead-and-use-one-worker-thread-on-two-cores-with-the-lean-malloc-env", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* checkOutput(output)).concurrency, 2)
      assert.strictEqual((yield* checkOutput({ ...output, pageSize: Option.some(49_999) })).concurrency, 2)
      assert.strictEqual((yield* checkOutput({ ...output, pageSize: Option.some(100_000) })).concurrency, 1)
      const chosen = { ...output, pageSize: Option.some(100_000), concurrency: Option.some(3) }
      assert.strictEqual((yield* checkOutput(chosen)).concurrency, 3)
      assert.strictEqual(
        (yield* checkOutput(output)).workers,
        defaultWorkers(availableParallelism(), startedWithLeanMalloc())
      )
      assert.deepStrictEqual(
        [1, 2, 8].map((cores) => defaultWorkers(cores, true)),
        [0, 1, 1]
      )
      assert.deepStrictEqual(
        [1, 2, 8].map((cores) => defaultWorkers(cores, false)),
        [0, 0, 0]
      )
      assert.isTrue(startedWithLeanMalloc({ MALLOC_MMAP_THRESHOLD_: "1048576" }))
      assert.isFalse(startedWithLeanMalloc({}))
      assert.strictEqual((yield* checkOutput({ ...output, workers: Option.some(2) })).workers, 2)
      for (const bad of [-1, 17, 1.5]) {
        assert.include(yield* usageMessage(checkOutput({ ...output, workers: Option.some(bad) })), "--workers")
      }
    })
  )

  it.effect("log-format-and-quiet-verbose-conflict", () =>
    Effect.gen(function* () {
      assert.include(
        yield* usageMessage(checkLogging({ quiet: false, verbose: false, logFormat: "xml" })),
        "--log-format text"
      )
      assert.include(yield* usageMessage(checkLogging({ quiet: true, verbose: true, logFormat: "text" })), "--quiet")
      assert.deepStrictEqual(yield* checkLogging({ quiet: false, verbose: true, logFormat: "JSON" }), {
        quiet: false,
        verbose: true,
        format: "json"
      })
    })
  )
})

const noEnv: SecretEnvironment = { password: Option.none(), secretKey: Option.none(), token: Option.none() }
const connection: RawConnectionOptions = {
  host: Option.some("https://acme.thoughtspot.cloud"),
  username: Option.some("ana"),
  passwordFile: Option.none(),
  orgId: Option.none(),
  sandbox: false
}
const noSources: SecretSources = {
  readPasswordFile: () => Effect.die("no file expected"),
  prompt: Option.none()
}

describe("connection", () => {
  it.effect("missing-host-asks-for-host-or-sandbox", () =>
    Effect.gen(function* () {
      const message = yield* usageMessage(resolveConnection({ ...connection, host: Option.none() }, noEnv, noSources))
      assert.include(message, "THOUGHTSPOT_HOST")
      assert.include(message, "--sandbox")
    })
  )

  it.effect("missing-credentials-name-every-source", () =>
    Effect.gen(function* () {
      const message = yield* usageMessage(resolveConnection(connection, noEnv, noSources))
      for (const source of ["THOUGHTSPOT_PASSWORD", "THOUGHTSPOT_SECRET_KEY", "THOUGHTSPOT_TOKEN", "--password-file"]) {
        assert.include(message, source)
      }
    })
  )

  it.effect("password-from-env-needs-a-username", () =>
    Effect.gen(function* () {
      const env = { ...noEnv, password: Option.some(Redacted.make("pw")) }
      const message = yield* usageMessage(resolveConnection({ ...connection, username: Option.none() }, env, noSources))
      assert.include(message, "THOUGHTSPOT_USERNAME")
      const ok = yield* resolveConnection(connection, env, noSources)
      assert.strictEqual(ok._tag, "Cluster")
      if (ok._tag === "Cluster") {
        assert.strictEqual(ok.host, "https://acme.thoughtspot.cloud")
        assert.strictEqual(ok.credentials._tag, "Password")
      }
    })
  )

  it.effect("token-wins-over-password-and-secret-key-over-password", () =>
    Effect.gen(function* () {
      const all = {
        password: Option.some(Redacted.make("pw")),
        secretKey: Option.some(Redacted.make("sk")),
        token: Option.some(Redacted.make("tok"))
      }
      const withToken = yield* resolveConnection(connection, all, noSources)
      assert.strictEqual(withToken._tag === "Cluster" && withToken.credentials._tag, "Token")
      const withKey = yield* resolveConnection(connection, { ...all, token: Option.none() }, noSources)
      assert.strictEqual(withKey._tag === "Cluster" && withKey.credentials._tag, "SecretKey")
    })
  )

  it.effect("password-file-is-read-and-its-final-newline-dropped", () =>
    Effect.gen(function* () {
      const sources: SecretSources = { ...noSources, readPasswordFile: () => Effect.succeed("s3cret\n") }
      const result = yield* resolveConnection({ ...connection, passwordFile: Option.some("/pw") }, noEnv, sources)
      assert.isTrue(result._tag === "Cluster" && result.credentials._tag === "Password")
      if (result._tag === "Cluster" && result.credentials._tag === "Password") {
        assert.strictEqual(Redacted.value(result.credentials.password), "s3cret")
        assert.notInclude(JSON.stringify(result), "s3cret")
      }
    })
  )

  it.effect("prompt-is-used-only-when-a-terminal-exists", () =>
    Effect.gen(function* () {
      const asked: Array<string> = []
      const sources: SecretSources = {
        ...noSources,
        prompt: Option.some((message) =>
          Effect.sync(() => {
            asked.push(message)
            return Redacted.make("typed")
          })
        )
      }
      const result = yield* resolveConnection(connection, noEnv, sources)
      assert.strictEqual(asked.length, 1)
      assert.isTrue(result._tag === "Cluster" && result.credentials._tag === "Password")
    })
  )

  it.effect("host-must-be-http-without-userinfo-and-sandbox-excludes-host", () =>
    Effect.gen(function* () {
      const env = { ...noEnv, token: Option.some(Redacted.make("t")) }
      assert.include(
        yield* usageMessage(resolveConnection({ ...connection, host: Option.some("ftp://x") }, env, noSources)),
        "http or https"
      )
      assert.include(
        yield* usageMessage(resolveConnection({ ...connection, host: Option.some("https://u:p@x") }, env, noSources)),
        "must not contain"
      )
      assert.include(yield* usageMessage(resolveConnection({ ...connection, sandbox: true }, env, noSources)), "--host")
      const bare = yield* resolveConnection({ ...connection, host: Option.some("acme.example.com/") }, env, noSources)
      assert.strictEqual(bare._tag === "Cluster" && bare.host, "https://acme.example.com")
      const sandbox = yield* resolveConnection({ ...connection, host: Option.none(), sandbox: true }, noEnv, noSources)
      assert.strictEqual(sandbox._tag, "Sandbox")
    })
  )
})

describe("host rule", () => {
  const env = { ...noEnv, token: Option.some(Redacted.make("t")) }
  const hostOf = (host: string) =>
    Effect.map(resolveConnection({ ...connection, host: Option.some(host) }, env, noSources), (c) =>
      c._tag === "Cluster" ? c.host : c._tag
    )

  it.effect("the-scheme-is-added-and-a-path-prefix-is-kept-without-its-trailing-slash", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* hostOf("proxy.example.com/thoughtspot/"), "https://proxy.example.com/thoughtspot")
      assert.strictEqual(
        yield* hostOf("https://proxy.example.com/thoughtspot"),
        "https://proxy.example.com/thoughtspot"
      )
      assert.strictEqual(yield* hostOf("  https://acme.example.com:8443/  "), "https://acme.example.com:8443")
      assert.strictEqual(yield* hostOf("http://127.0.0.1:4010/ts//"), "http://127.0.0.1:4010/ts")
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
        const message = yield* usageMessage(
          resolveConnection({ ...connection, host: Option.some(host) }, env, noSources)
        )
        assert.include(message, says, host)
        assert.notInclude(message, "s3cret")
        assert.notInclude(message, "org=2")
      }
    })
  )
})

describe("time limits", () => {
  it.effect("flags-win-over-the-job-file-which-wins-over-the-defaults", () =>
    Effect.gen(function* () {
      const none = { timeout: Option.none<number>(), deadline: Option.none<number>() }
      assert.deepStrictEqual(yield* checkTimeLimits(none), { attemptTimeoutMillis: 120_000, deadlineMillis: 600_000 })
      assert.deepStrictEqual(yield* checkTimeLimits(none, { timeoutSeconds: 30, deadlineSeconds: 90 }), {
        attemptTimeoutMillis: 30_000,
        deadlineMillis: 90_000
      })
      assert.deepStrictEqual(
        yield* checkTimeLimits({ timeout: Option.some(5), deadline: Option.none() }, { timeoutSeconds: 30 }),
        { attemptTimeoutMillis: 5_000, deadlineMillis: 600_000 }
      )
    })
  )

  it.effect("out-of-range-or-a-deadline-shorter-than-one-attempt-is-a-usage-error-naming-the-flag", () =>
    Effect.gen(function* () {
      for (const [timeout, deadline, says] of [
        [0, 600, "--timeout"],
        [3601, 7200, "--timeout"],
        [10, 0, "--deadline"],
        [10, 86_401, "--deadline"],
        [60, 30, "raise --deadline or lower --timeout"]
      ] as const) {
        const message = yield* usageMessage(
          checkTimeLimits({ timeout: Option.some(timeout), deadline: Option.some(deadline) })
        )
        assert.include(message, says)
      }
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
