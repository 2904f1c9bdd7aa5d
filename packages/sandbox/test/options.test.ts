/** Options: defaults, validation messages, the command-line flags, the Effect layer and the foreground bin. */
import { spawn, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { ConfigProvider, Effect, Exit, Layer } from "effect"
import { CliError, CliOutput, Command } from "effect/cli"
import { describe, expect, it } from "vitest"
import { makeSandboxCommand } from "../src/Flags.ts"
import { Sandbox, SandboxOptionError, type SandboxOptions, startSandbox } from "../src/index.ts"

describe("startSandbox options", () => {
  it("binds-loopback-on-a-free-port-by-default", async () => {
    const sb = await startSandbox()
    try {
      expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(sb.rows).toBe(10_000)
      expect(sb.timezone).toBe("America/Los_Angeles")
      expect(sb.secretKey.length).toBeGreaterThanOrEqual(16)
    } finally {
      await sb.close()
    }
  })

  it("rejects-bad-options-with-a-typed-error-that-says-what-to-do", async () => {
    const cases: Array<[Parameters<typeof startSandbox>[0], string]> = [
      [{ timezone: "Mars/Olympus" }, "IANA"],
      [{ rows: -1 }, "rows"],
      [{ faults: "sometimes" }, "flaky"],
      [{ faults: { routes: { "*": { error500: 2 } } } }, "probability"],
      [{ faults: '{"bogus":1}' }, "unknown faults key"],
      [{ port: 70000 }, "port"],
      [{ tokenValiditySeconds: 0 }, "tokenValiditySeconds"],
      [{ orderIds: "tiny" as "safe" }, "orderIds must be"],
      // An unknown value would otherwise run as a default shape and a test would pass against the wrong wire.
      [{ errorShape: "Flat" as "flat" }, `errorShape must be "nested" (default, live clusters) or "flat"`],
      [{ customCalendar: "with_end" as "with-end" }, `customCalendar must be false (default), true or "with-end"`],
      // A route key the sandbox does not serve would inject nothing, and a chaos run would pass without faults.
      [{ faults: { routes: { "/searchdata": { error503: 1 } } } }, `faults.routes has no route "/searchdata"`],
      [{ faults: '{"routes":{"searchData":{"reset":0.5}}}' }, `faults.routes has no route "searchData"`]
    ]
    for (const [options, hint] of cases) {
      const error = await startSandbox(options).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SandboxOptionError)
      expect((error as SandboxOptionError).message).toContain(hint)
    }
  })
})

describe("port in use", () => {
  it("port-in-use-fails-with-a-clear-option-error", async () => {
    const first = await startSandbox()
    try {
      const port = Number(new URL(first.url).port)
      const error = await startSandbox({ port }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SandboxOptionError)
      expect((error as SandboxOptionError).message).toContain(`port ${port} is already in use`)
    } finally {
      await first.close()
    }
  })
})

/**
 * Parses `argv` with the sandbox's command (effect/cli), with `env` as the environment; returns the options it
 * would start the sandbox with, or the parse errors' messages.
 */
const parseFlags = (argv: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  let options: SandboxOptions | undefined
  const command = makeSandboxCommand(
    "spotpipe-sandbox",
    { invocation: "spotpipe-sandbox", hideSecretKey: false },
    (o) =>
      Effect.sync(() => {
        options = o
      })
  )
  const silent = CliOutput.layerPresenter({ present: () => Effect.void })
  const exit = Effect.runSyncExit(
    Command.runWith(command, { version: "test" })(argv).pipe(
      Effect.provide(Layer.mergeAll(NodeServices.layer, silent, ConfigProvider.layer(ConfigProvider.fromEnv({ env }))))
    )
  )
  if (Exit.isSuccess(exit)) return { options, errors: [] }
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")?.error
  const errors = CliError.isCliError(error) && error._tag === "ShowHelp" ? error.errors.map((e) => e.message) : []
  return { options: undefined, errors: errors.length > 0 ? errors : [String(exit.cause)] }
}

describe("sandbox flags", () => {
  it("parses-every-flag", () => {
    const all = parseFlags(
      [
        "--port",
        "0",
        "--rows=500",
        "--timezone",
        "UTC",
        "--custom-calendar=with-end",
        "--faults",
        "flaky",
        "--token-validity",
        "30",
        "--seed",
        "9",
        "--no-user-agent-check",
        "--error-shape=flat",
        "--order-ids",
        "safe",
        "--host",
        "127.0.0.2"
      ],
      { SPOTPIPE_SANDBOX_SECRET_KEY: "from-the-env-123" }
    )
    expect(all).toEqual({
      options: {
        port: 0,
        host: "127.0.0.2",
        rows: 500,
        timezone: "UTC",
        customCalendar: "with-end",
        faults: "flaky",
        tokenValiditySeconds: 30,
        seed: 9,
        requireUserAgent: false,
        errorShape: "flat",
        orderIds: "safe",
        secretKey: "from-the-env-123"
      },
      errors: []
    })
    const flagKey = parseFlags(["--secret-key", "from-the-flag-1"], { SPOTPIPE_SANDBOX_SECRET_KEY: "env-key-123" })
    expect(flagKey.options?.secretKey).toBe("from-the-flag-1")
    // An empty variable counts as unset: the sandbox then makes a random key.
    expect(parseFlags([], { SPOTPIPE_SANDBOX_SECRET_KEY: "" }).options).not.toHaveProperty("secretKey")
    expect(parseFlags(["--custom-calendar"]).options).toEqual({
      port: 4010,
      host: "127.0.0.1",
      rows: 10_000,
      timezone: "America/Los_Angeles",
      customCalendar: true,
      orderIds: "beyond-2^53",
      seed: 1,
      errorShape: "nested",
      requireUserAgent: true
    })
  })

  it("names-the-bad-flag-and-what-to-use", () => {
    for (const [argv, hint] of [
      [["--rows", "many"], '--rows: "many". Expected: an integer from 0 to 1000000000'],
      [["--rows", "-5"], '--rows: "-5". Expected: an integer from 0 to 1000000000'],
      [["--rows=1000000001"], "--rows"],
      [["--port", "abc"], '--port: "abc". Expected: an integer from 0 to 65535'],
      [["--port", "70000"], "--port"],
      [["--seed", "1.5"], "--seed"],
      [["--frobnicate"], "--frobnicate"],
      [["--timezone", "Nowhere/Land"], '--timezone: "Nowhere/Land". Expected: an IANA time zone'],
      [["--faults", "wobbly"], '--faults: "wobbly". Expected: a profile (none, flaky,'],
      [["--faults", '{"bogus":1}'], "unknown faults key"],
      [["--token-validity", "0"], "--token-validity"],
      [["--order-ids", "huge"], '--order-ids: "huge". Expected: "beyond-2^53" | "safe"'],
      [["--error-shape", "round"], "--error-shape"],
      [["--custom-calendar=maybe"], "--custom-calendar"]
    ] as const) {
      const { errors } = parseFlags(argv)
      expect(errors.join("\n"), argv.join(" ")).toContain(hint)
    }
  })

  it("a-short-secret-key-is-refused-without-showing-it", () => {
    for (const { errors } of [
      parseFlags(["--secret-key", "short-1"]),
      parseFlags([], { SPOTPIPE_SANDBOX_SECRET_KEY: "short-1" })
    ]) {
      expect(errors.join("\n")).toContain("at least 8 characters")
      expect(errors.join("\n")).not.toContain("short-1")
    }
  })
})

describe("Sandbox layer", () => {
  it("starts-and-closes-with-its-scope", async () => {
    const url = await Effect.runPromise(
      Effect.gen(function* () {
        const sb = yield* Sandbox
        const res = yield* Effect.promise(() => fetch(`${sb.url}/api/rest/2.0/system`))
        expect(res.status).toBe(401)
        return sb.url
      }).pipe(Effect.provide(Sandbox.layer({ rows: 10 })))
    )
    await expect(fetch(`${url}/api/rest/2.0/system`)).rejects.toThrow()
  })
})

describe("spotpipe-sandbox bin", () => {
  const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
  const runBin = (argv: ReadonlyArray<string>) => {
    const run = spawnSync(process.execPath, [main, ...argv], { encoding: "utf8", env: { PATH: process.env["PATH"] } })
    return { code: run.status, stdout: run.stdout, stderr: run.stderr }
  }

  it("a-bad-value-exits-2-with-one-line-naming-the-flag-and-what-to-use", () => {
    for (const [argv, says] of [
      [
        ["--rows", "-5"],
        'spotpipe-sandbox: Invalid value for flag --rows: "-5". Expected: an integer from 0 to 1000000000'
      ],
      [
        ["--port", "abc"],
        'spotpipe-sandbox: Invalid value for flag --port: "abc". Expected: an integer from 0 to 65535'
      ],
      [["--faults", "sometimes"], 'flag --faults: "sometimes". Expected: a profile (none, flaky, rate-limit,'],
      [["--porr", "1"], "spotpipe-sandbox: unknown flag --porr; did you mean --port?"]
    ] as const) {
      const run = runBin(argv)
      expect(run.code, run.stderr).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr.trimEnd().split("\n"), run.stderr).toHaveLength(1)
      expect(run.stderr).toContain(says)
    }
  })

  it("help-lists-every-flag-and-exits-0", () => {
    const run = runBin(["--help"])
    expect(run.code).toBe(0)
    for (const flag of [
      "--port",
      "--host",
      "--rows",
      "--timezone",
      "--custom-calendar",
      "--order-ids",
      "--faults",
      "--token-validity",
      "--seed",
      "--error-shape",
      "--no-user-agent-check",
      "--secret-key",
      "SPOTPIPE_SANDBOX_SECRET_KEY"
    ]) {
      expect(run.stdout).toContain(flag)
    }
    expect(run.stdout).toContain("spotpipe-sandbox --faults flaky --token-validity 5")
  })

  it("a-port-in-use-exits-2-with-one-line", async () => {
    const first = await startSandbox()
    try {
      const port = new URL(first.url).port
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [main, "--port", port], { env: { PATH: process.env["PATH"] } })
        let stderr = ""
        child.stderr.setEncoding("utf8").on("data", (c: string) => {
          stderr += c
        })
        child.on("close", (code) => resolve({ code, stderr }))
      })
      expect(run.code).toBe(2)
      expect(run.stderr).toBe(
        `spotpipe-sandbox: port ${port} is already in use on 127.0.0.1; choose another port (0 picks a free one)\n`
      )
    } finally {
      await first.close()
    }
  })

  it("prints-url-and-secret-then-one-line-per-request", async () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
    const child = spawn(process.execPath, [main, "--port", "0", "--rows", "10"], {
      env: { ...process.env, SPOTPIPE_SANDBOX_SECRET_KEY: "bin-test-secret" }
    })
    let out = ""
    child.stdout.setEncoding("utf8")
    const waitFor = (pattern: RegExp) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern)
          if (m !== null) resolve(m)
        }
        child.stdout.on("data", (c: string) => {
          out += c
          check()
        })
        child.on("exit", () => reject(new Error(`bin exited: ${out}`)))
        check()
      })
    try {
      const [, url] = await waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/)
      expect(out).toContain("bin-test-secret")
      expect(out).toContain("orgs: Primary (0), Sales EMEA (1482304613), Finance APAC (2094412837)")
      const res = await fetch(`${url}/api/rest/2.0/auth/token/full`, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "test" },
        body: JSON.stringify({ username: "tsUserA", password: "Guest@123!" })
      })
      expect(res.status).toBe(200)
      await waitFor(/POST \/api\/rest\/2\.0\/auth\/token\/full 200 [\d.]+ms/)
      expect(out.split("Guest@123!").length).toBe(2) // only the banner names the documented example password
    } finally {
      child.kill("SIGTERM")
    }
  })
})
