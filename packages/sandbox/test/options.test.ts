/** Options: defaults, validation messages, CLI flag parsing, the Effect layer and the foreground bin. */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import { parseSandboxArgs, Sandbox, SandboxOptionError, startSandbox } from "../src/index.ts"

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
      [{ orderIds: "tiny" as "safe" }, "orderIds must be"]
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

describe("parseSandboxArgs", () => {
  it("parses-every-flag", () => {
    const r = parseSandboxArgs(
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
        "safe"
      ],
      { SPOTPIPE_SANDBOX_SECRET_KEY: "from-the-env-123" }
    )
    expect(Result.isSuccess(r) && r.success).toEqual({
      port: 0,
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
    })
    const flagKey = parseSandboxArgs(["--secret-key", "from-the-flag-1"], {
      SPOTPIPE_SANDBOX_SECRET_KEY: "env-key-123"
    })
    expect(Result.isSuccess(flagKey) && flagKey.success.secretKey).toBe("from-the-flag-1")
    const plain = parseSandboxArgs(["--custom-calendar"])
    expect(Result.isSuccess(plain) && plain.success).toEqual({ port: 4010, customCalendar: true })
  })

  it("names-the-bad-flag", () => {
    for (const [argv, hint] of [
      [["--rows", "many"], "--rows"],
      [["--frobnicate"], "unknown option '--frobnicate'"],
      [["--timezone", "Nowhere/Land"], "IANA"],
      [["--faults", "wobbly"], "unknown fault profile"],
      [["--order-ids", "huge"], "--order-ids must be beyond-2^53 or safe"]
    ] as const) {
      const r = parseSandboxArgs(argv)
      expect(Result.isFailure(r)).toBe(true)
      if (Result.isFailure(r)) expect(r.failure.message).toContain(hint)
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
