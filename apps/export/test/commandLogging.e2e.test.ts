/**
 * Every command logs the same way, end to end with the built CLI: on stderr, in spotpipe's format (text or
 * `--log-format json`), at the level `--log-level`, `--verbose` or `--quiet` ask for — never on stdout, which
 * holds a command's answer (`auth status --json`, `config list --json`) or data. A retry while `auth status`
 * signs in, or a warning of `merge`, which sets up no logging of its own, are such log lines. Runs are in-process
 * (runCliInProcess) but two real processes: `auth status --json`, whose stdout and stderr are the process's own,
 * and the run stopped with SIGTERM.
 */
import { spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 90_000 }
const tempDir = tempFolders("spotpipe-command-logging-")

// Every other `GET system` answers 503 (the first one too): a run's first attempt fails, its retry goes through.
let flaky: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  flaky = await startSandbox({
    port: 0,
    faults: { routes: { system: { error503: 1 } }, maxConsecutiveFaults: 1, rateLimit: false }
  })
  env = sandboxEnv(flaky)
})

afterAll(async () => {
  await flaky?.close()
})

const retryLine = /^spotpipe: retrying system in [\d.]+ s \(attempt 2 of \d+\): ThoughtSpot server error /m

describe("auth status logs like every command", () => {
  it("auth-status-json-keeps-retry-logs-on-stderr-in-spotpipes-format", timeout, async () => {
    const run = await runCli(["auth", "status", "--json"], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(() => JSON.parse(run.stdout)).not.toThrow()
    expect(JSON.parse(run.stdout)).toMatchObject({ host: flaky.url, cluster: { version: expect.any(String) } })
    expect(run.stderr).toMatch(retryLine)
  })

  it("auth-status-takes-the-logging-flags-of-the-other-commands", timeout, async () => {
    // One after the other: the sandbox's faults alternate over all requests to `system`.
    const errorOnly = await runCliInProcess(["auth", "status", "--json", "--log-level", "error"], { env })
    const verbose = await runCliInProcess(["auth", "status", "--verbose"], { env })
    const json = await runCliInProcess(["auth", "status", "--log-format", "json"], { env })
    const quiet = await runCliInProcess(["auth", "status", "--quiet"], { env })
    for (const run of [errorOnly, verbose, json, quiet]) expect(run.code, run.stderr).toBe(0)
    expect(errorOnly.stderr).toBe("")
    expect(JSON.parse(errorOnly.stdout)).toMatchObject({ host: flaky.url })
    expect(verbose.stderr).toMatch(retryLine)
    expect(verbose.stdout).toContain(`user      `)
    const lines = json.stderr.trimEnd().split("\n")
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ level: expect.any(String) })
    expect(json.stderr).toContain('"message":"retrying system in ')
    expect(quiet.stderr).toBe("") // a retry is an info line
  })
})

describe("a stopped run's last JSON line", () => {
  it("sigterm-with-log-format-json-ends-with-one-error-object-naming-exit-code-143", timeout, async () => {
    const dir = tempDir()
    const job = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month" }] }))
    // Stopped while it waits to retry `GET system` (the first one answers 503).
    const run = await runCli(["run", job, "--out", NodePath.join(dir, "out"), "--log-format", "json"], {
      env,
      killOn: { text: '"message":"retrying system in ', signal: "SIGTERM" }
    })
    expect(run.code, run.stderr).toBe(143)
    expect(run.stdout).toBe("")
    const lines = run.stderr.trimEnd().split("\n")
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow()
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({
      level: "ERROR",
      message: "spotpipe: interrupted; no partial file was published",
      exit_code: 143
    })
  })
})

describe("config takes the logging flags", () => {
  it("config-commands-accept-quiet-verbose-and-log-format", timeout, async () => {
    const configEnv = { SPOTPIPE_CONFIG: NodePath.join(tempDir(), "config.json") }
    const set = await runCliInProcess(
      ["config", "set", "host", "https://acme.example.com", "--profile", "p", "--quiet"],
      {
        env: configEnv
      }
    )
    expect(set.code, set.stderr).toBe(0)
    expect(set.stderr).toBe("") // --quiet drops the confirmation
    const list = await runCliInProcess(["config", "list", "--json", "--verbose", "--log-format", "json"], {
      env: configEnv
    })
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout)).toMatchObject({
      default: "p",
      profiles: { p: { host: "https://acme.example.com" } }
    })
    for (const args of [
      ["config", "get", "host", "--log-level", "error"],
      ["config", "use", "p", "--log-format", "json"],
      ["config", "unset", "host", "--quiet"]
    ]) {
      const run = await runCliInProcess(args, { env: configEnv })
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0)
    }
  })
})

describe("a command without logging of its own", () => {
  it("merge-logs-a-warning-on-stderr-in-spotpipes-format-never-on-stdout", timeout, async () => {
    const dir = tempDir()
    const job = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month", split: 2 }] }))
    const out = NodePath.join(dir, "landing")
    const run = await runCliInProcess(["run", job, "--out", out, "--quiet"], { env })
    expect(run.code, run.stderr).toBe(0)
    // A lock left by a process that is gone: merge takes it over with a warning.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid
    NodeFs.writeFileSync(
      NodePath.join(out, ".spotpipe.lock"),
      `${JSON.stringify({ pid: gone, hostname: NodeOs.hostname(), started_at: new Date().toISOString() })}\n`
    )
    const merge = await runCliInProcess(["merge", out, "--quiet"])
    expect(merge.code, merge.stderr).toBe(0)
    expect(merge.stdout).toBe("")
    expect(merge.stderr).toMatch(/^spotpipe: warning: \S+\.spotpipe\.lock was left by spotpipe .*taking it over$/m)
  })
})
