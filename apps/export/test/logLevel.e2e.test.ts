/**
 * `--log-level` (a global flag, its level in any case), end to end with the built CLI: it sets the least severe
 * line shown on stderr — debug lines appear at debug, info lines vanish at warn, warnings at error, everything at none —
 * wherever it is written on the command line; `--verbose` and `--quiet` are debug and warn, and may be given
 * with a `--log-level` that says the same, never with one that contradicts them. The level changes logs only:
 * the summary on stdout stays (only `--quiet` drops it), and JSON log lines obey it too. Runs are in-process
 * (runCliInProcess) but one, `--quiet --log-level warn`, a real process so the flag is read once as installed.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 90_000 }
const tempDir = tempFolders("spotpipe-log-level-")

// The demo's last step logs at info: the tables it loaded, or how to install DuckDB where it is missing.
const infoLine = /^spotpipe: (loaded \d+ tables|the demo .*DuckDB)/m
const debugLine = /^spotpipe: using ThoughtSpot at /m
const warningLine = /^spotpipe: warning: /m

let sandbox: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  sandbox = await startSandbox({ rows: fixtures.golden.rows, seed: fixtures.golden.seed })
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await sandbox?.close()
})

const demo = (...flags: ReadonlyArray<string>) =>
  runCliInProcess(["demo", "--out", NodePath.join(tempDir(), "demo"), ...flags])

describe("--log-level", () => {
  it("info-lines-show-by-default-and-vanish-at-warn-and-with-quiet", timeout, async () => {
    const [plain, warn, quiet] = await Promise.all([demo(), demo("--log-level", "warn"), demo("--quiet")])
    for (const run of [plain, warn, quiet]) expect(run.code, run.stderr).toBe(0)
    expect(plain.stderr).toMatch(infoLine)
    for (const run of [warn, quiet]) {
      expect(run.stderr).not.toMatch(infoLine)
      expect(run.stderr).toMatch(warningLine) // the demo's sampled answer warns at every level down to warn
    }
    // The level is about logs: the summary stays; --quiet drops it.
    expect(warn.stdout).toMatch(/\d+ files \(\d+ results\), [\d,]+ rows in \S+demo\n$/)
    expect(quiet.stdout).toBe("")
  })

  it("debug-lines-show-at-debug-and-with-verbose-wherever-the-flag-is-written", timeout, async () => {
    const answer = ["answer", "Revenue by Month"]
    const [plain, after, before, verbose, both] = await Promise.all([
      runCliInProcess([...answer, "--out", tempDir()], { env }),
      runCliInProcess([...answer, "--out", tempDir(), "--log-level", "debug"], { env }),
      runCliInProcess(["--log-level=debug", ...answer, "--out", tempDir()], { env }),
      runCliInProcess([...answer, "--out", tempDir(), "--verbose"], { env }),
      runCliInProcess([...answer, "--out", tempDir(), "--verbose", "--log-level", "debug"], { env })
    ])
    for (const run of [plain, after, before, verbose, both]) expect(run.code, run.stderr).toBe(0)
    expect(plain.stderr).not.toMatch(debugLine)
    for (const run of [after, before, verbose, both]) expect(run.stderr).toMatch(debugLine)
  })

  it("the-level-is-matched-ignoring-case-and-an-unknown-one-is-a-usage-error-naming-the-levels", timeout, async () => {
    const answer = ["answer", "Revenue by Month"]
    const [upper, mixed, unknown] = await Promise.all([
      runCliInProcess([...answer, "--out", tempDir(), "--log-level", "DEBUG"], { env }),
      runCliInProcess(["--log-level=Warn", ...answer, "--out", tempDir()], { env }),
      runCliInProcess([...answer, "--out", tempDir(), "--log-level", "loud"], { env })
    ])
    for (const run of [upper, mixed]) expect(run.code, run.stderr).toBe(0)
    expect(upper.stderr).toMatch(debugLine)
    expect(mixed.stderr).toBe("")
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain(
      'unknown log level "loud": use --log-level with one of all, trace, debug, info, warn, error, fatal, none'
    )
  })

  it("error-hides-warnings-and-none-hides-every-log-line", timeout, async () => {
    const sampled = ["answer", "Sampled Orders"]
    const [warn, error, none] = await Promise.all([
      runCliInProcess([...sampled, "--out", tempDir(), "--log-level", "warn"], { env }),
      runCliInProcess([...sampled, "--out", tempDir(), "--log-level", "error"], { env }),
      runCliInProcess([...sampled, "--out", tempDir(), "--log-level", "none"], { env })
    ])
    for (const run of [warn, error, none]) expect(run.code, run.stderr).toBe(0)
    expect(warn.stderr).toMatch(warningLine)
    expect(error.stderr).not.toMatch(warningLine)
    expect(none.stderr).toBe("")
    expect(none.stdout).toContain("answer-Sampled Orders.csv")
  })

  it("quiet-with-the-level-it-means-is-accepted", timeout, async () => {
    const run = await runCli(["answer", "Sampled Orders", "--out", tempDir(), "--quiet", "--log-level", "warn"], {
      env
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(warningLine)
    expect(run.stdout).toBe("")
  })

  it("a-level-that-contradicts-verbose-or-quiet-is-a-usage-error", timeout, async () => {
    const answer = ["answer", "Revenue by Month", "--out", tempDir()]
    const runs = await Promise.all([
      runCliInProcess([...answer, "--verbose", "--log-level", "info"], { env }),
      runCliInProcess([...answer, "--quiet", "--log-level", "debug"], { env }),
      runCliInProcess(["--log-level", "error", ...answer, "--quiet"], { env })
    ])
    for (const run of runs) {
      expect(run.code).toBe(2)
      expect(run.stderr).toContain("contradict each other: pass only one")
    }
  })

  it("json-log-lines-obey-the-level", timeout, async () => {
    const run = await runCliInProcess(
      ["answer", "Sampled Orders", "--out", tempDir(), "--log-format", "json", "--log-level", "warn"],
      { env }
    )
    expect(run.code, run.stderr).toBe(0)
    const levels = run.stderr
      .trimEnd()
      .split("\n")
      .map((line) => (JSON.parse(line) as { level: string }).level)
    expect(levels.length).toBeGreaterThan(0)
    for (const level of levels) expect(["WARN", "ERROR", "FATAL"]).toContain(level)
  })

  it("ls-and-run-take-the-level-too", timeout, async () => {
    const job = NodePath.join(tempDir(), "job.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month" }] }))
    const [ls, lsQuiet, run] = await Promise.all([
      runCliInProcess(["ls", "answers", "--log-level", "debug"], { env }),
      runCliInProcess(["ls", "answers", "--log-level", "warn"], { env }),
      runCliInProcess(["run", job, "--out", tempDir(), "--log-level", "debug"], { env })
    ])
    for (const r of [ls, lsQuiet, run]) expect(r.code, r.stderr).toBe(0)
    expect(ls.stderr).toMatch(debugLine)
    expect(lsQuiet.stderr).toBe("")
    expect(run.stderr).toMatch(debugLine)
  })
})
