/**
 * Every usage error ends with exit code 2, one line on stderr that says what to do, nothing on stdout, and no
 * request (the configured host is unroutable: reaching it would be exit 1). All cases run through the CLI
 * program in-process (fast), the JSON error lines too; a few also through the real process to prove the exit code
 * and streams, and the wizard's refusal without a terminal (stdin and stdout as pipes) runs there only.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-usage-")

// No request may happen: this host is never reachable, so reaching it would fail with exit 1, not 2.
const cluster = { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_USERNAME: "ana", THOUGHTSPOT_PASSWORD: "pw-Zx81" }

// A valid job whose connection names its own variables (set to the unreachable cluster).
const jobDir = tempDir()
const job = NodePath.join(jobDir, "job.json")
NodeFs.writeFileSync(
  job,
  JSON.stringify({
    connection: { hostEnv: "JOB_HOST", usernameEnv: "JOB_USER", passwordEnv: "JOB_PW" },
    exports: [{ type: "answer", id: "A" }]
  })
)
const jobEnv = { JOB_HOST: "http://127.0.0.1:9", JOB_USER: "ana", JOB_PW: "pw-Zx81" }

const cases: ReadonlyArray<{
  readonly name: string
  readonly args: ReadonlyArray<string>
  readonly env?: Record<string, string>
  readonly says: string
}> = [
  {
    name: "unknown-format",
    args: ["answer", "A", "--format", "xlsx"],
    env: cluster,
    says: "--format csv, ndjson or parquet"
  },
  {
    name: "null-string-with-a-delimiter",
    args: ["answer", "A", "--null-string", "n,a"],
    env: cluster,
    says: "must not hold a comma, a double quote, CR or LF"
  },
  {
    name: "null-string-with-a-quote",
    args: ["answer", "A", "--null-string", '"NULL"'],
    env: cluster,
    says: "use text such as \\N or NULL"
  },
  {
    name: "null-string-with-a-line-break",
    args: ["answer", "A", "--null-string", "a\nb"],
    env: cluster,
    says: "--null-string is refused"
  },
  {
    name: "null-string-for-ndjson",
    args: ["answer", "A", "--format", "ndjson", "--null-string", "\\N"],
    env: cluster,
    says: "--null-string is for CSV"
  },
  { name: "unknown-column-names", args: ["answer", "A", "--column-names", "camel"], env: cluster, says: "snake" },
  { name: "unknown-file-names", args: ["metadata", "--file-names", "kebab"], env: cluster, says: "slug" },
  { name: "page-size-zero", args: ["answer", "A", "--page-size", "0"], env: cluster, says: "between 1 and 100000" },
  {
    name: "page-size-too-big",
    args: ["metadata", "--page-size", "100001"],
    env: cluster,
    says: "between 1 and 100000"
  },
  { name: "page-size-not-a-number", args: ["metadata", "--page-size", "many"], env: cluster, says: "--page-size" },
  { name: "bad-timezone", args: ["answer", "A", "--timezone", "Mars/Base"], env: cluster, says: "IANA name" },
  { name: "missing-host", args: ["answer", "A"], env: { THOUGHTSPOT_PASSWORD: "x" }, says: "THOUGHTSPOT_HOST" },
  {
    name: "missing-credentials",
    args: ["liveboard", "L"],
    env: { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_USERNAME: "ana" },
    says: "THOUGHTSPOT_PASSWORD"
  },
  {
    name: "password-without-user",
    args: ["metadata"],
    env: { THOUGHTSPOT_HOST: "h.example", THOUGHTSPOT_PASSWORD: "x" },
    says: "THOUGHTSPOT_USERNAME"
  },
  { name: "password-as-a-flag", args: ["answer", "A", "--password", "hunter2"], env: cluster, says: "--password-file" },
  { name: "token-as-a-flag", args: ["--token=abc123", "metadata"], env: cluster, says: "THOUGHTSPOT_TOKEN" },
  {
    name: "missing-password-file",
    args: ["metadata", "--password-file", "/nonexistent/pw"],
    env: { THOUGHTSPOT_HOST: "h", THOUGHTSPOT_USERNAME: "a" },
    says: "cannot read the password file given with --password-file (its path is not shown: it could be the password itself): there is no such file"
  },
  { name: "unknown-metadata-type", args: ["metadata", "--type", "ANSWER,WIDGET"], env: cluster, says: "WIDGET" },
  { name: "unknown-flag", args: ["answer", "A", "--colour"], env: cluster, says: "--colour" },
  { name: "missing-argument", args: ["answer"], env: cluster, says: "guid-or-name" },
  { name: "search-without-query", args: ["search", "--table", "Orders"], env: cluster, says: "--query" },
  { name: "bad-log-format", args: ["metadata", "--log-format", "xml"], env: cluster, says: "--log-format text" },
  { name: "bad-newline", args: ["metadata", "--newline", "cr"], env: cluster, says: "--newline crlf" },
  {
    name: "bad-datetime-offset",
    args: ["metadata", "--datetime-offset", "local"],
    env: cluster,
    says: "--datetime-offset"
  },
  {
    name: "sandbox-and-host",
    args: ["metadata", "--sandbox", "--host", "https://ts.example.com"],
    env: cluster,
    says: "--sandbox and --host both given: pass only one"
  },
  { name: "bad-sandbox-flag", args: ["sandbox", "--rows", "lots"], says: "--rows" },
  {
    name: "sandbox-negative-rows",
    args: ["sandbox", "--rows", "-5"],
    says: 'Invalid value for flag --rows: "-5". Expected: an integer from 0 to 1000000000'
  },
  {
    name: "sandbox-port-not-a-number",
    args: ["sandbox", "--port", "abc"],
    says: 'Invalid value for flag --port: "abc". Expected: an integer from 0 to 65535'
  },
  {
    name: "sandbox-unknown-faults",
    args: ["sandbox", "--faults", "wobbly"],
    says: 'Invalid value for flag --faults: "wobbly". Expected: a profile (none, flaky, rate-limit'
  },
  {
    name: "sandbox-short-secret-key",
    args: ["sandbox"],
    env: { SPOTPIPE_SANDBOX_SECRET_KEY: "hunter2" },
    says: "a key of at least 8 characters"
  },
  {
    name: "run-without-a-job-file",
    args: ["run", "/nonexistent/job.json"],
    env: cluster,
    says: "cannot read the job file /nonexistent/job.json: there is no such file; check the path"
  },
  {
    name: "run-to-stdout",
    args: ["run", job, "--out", "-"],
    env: jobEnv,
    says: "spotpipe run writes files: give --out a directory, not -"
  },
  {
    name: "run-password-file-wins-over-the-job-file",
    args: ["run", job, "--out", jobDir, "--password-file", "/nonexistent/pw"],
    env: jobEnv,
    says: "cannot read the password file given with --password-file (its path is not shown: it could be the password itself): there is no such file"
  },
  {
    name: "run-job-names-an-unset-variable",
    args: ["run", job, "--out", jobDir],
    env: { ...cluster, JOB_HOST: "http://127.0.0.1:9", JOB_USER: "ana" },
    says: "the job file names JOB_PW for the password, but it is not set: set JOB_PW"
  },
  {
    name: "page-size-with-a-fraction",
    args: ["metadata", "--page-size", "1.5"],
    env: cluster,
    says: 'page size "1.5" is not a whole number: use --page-size between 1 and 100000'
  },
  {
    name: "metadata-type-unknown",
    args: ["metadata", "--type", "answer,Dashboard"],
    env: cluster,
    says: "unknown metadata type DASHBOARD: use --type with any of"
  },
  {
    name: "viz-lists-nothing",
    args: ["liveboard", "Sales Overview", "--viz", " , "],
    env: cluster,
    says: "--viz lists no visualization: give GUIDs or names separated by commas, or leave it out for all"
  },
  {
    name: "resume-with-stdout",
    args: ["answer", "Sales", "--resume", "--out", "-"],
    env: cluster,
    says: "--resume continues files in a directory, but --out - writes to stdout: drop one of them"
  },
  {
    name: "job-file-is-a-folder",
    args: ["run", "/tmp"],
    env: cluster,
    says: "cannot read the job file /tmp: it is a folder, not a file"
  },
  {
    name: "plain-http-to-a-remote-host",
    args: ["metadata"],
    env: { ...cluster, THOUGHTSPOT_HOST: "http://ts.example.com" },
    says: "--allow-insecure-http"
  },
  { name: "timeout-zero", args: ["metadata", "--timeout", "0"], env: cluster, says: "--timeout with whole seconds" },
  {
    name: "deadline-beyond-a-day",
    args: ["answer", "A", "--deadline", "90000"],
    env: cluster,
    says: "--deadline with whole seconds from 1 to 86400"
  },
  {
    name: "deadline-shorter-than-timeout",
    args: ["metadata", "--timeout", "30", "--deadline", "10"],
    env: cluster,
    says: "raise --deadline or lower --timeout"
  },
  {
    name: "host-with-a-query",
    args: ["metadata"],
    env: { ...cluster, THOUGHTSPOT_HOST: "https://ts.example.com/?org=2" },
    says: "must not have a query"
  },
  ...[["answer", "A"], ["tml"], ["run", job]].map((command) => ({
    name: `resume-with-force-${command[0]}`,
    args: [...command, "--resume", "--force"],
    env: { ...cluster, ...jobEnv },
    says: "--resume and --force contradict each other"
  }))
]

describe("usage errors", () => {
  for (const c of cases) {
    it.live(`${c.name}-exits-2-with-a-line-that-says-what-to-do`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(c.args, c.env ?? {})
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(c.says)
        expect(run.stderr).not.toContain("hunter2")
        expect(run.stderr).not.toContain("abc123")
        expect(run.stderr).not.toMatch(/\n\s+at /) // no stack trace
      })
    )
  }
})

describe("the demo", () => {
  it.live("uses-its-own-sandbox-whatever-the-thoughtspot-variables-say", () =>
    Effect.gen(function* () {
      const out = NodePath.join(jobDir, "demo")
      const run = yield* runInProcess(["demo", "--out", out, "--quiet"], cluster)
      expect(run.code, run.stderr).toBe(0)
      expect(NodeFs.readdirSync(out)).toContain("metadata.csv")
    })
  )
})

describe("help", () => {
  for (const command of ["demo", "metadata", "answer", "liveboard", "search", "run"]) {
    it.live(`${command}-help-prints-usage-and-exits-0`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess([command, "--help"])
        expect(run.code).toBe(0)
        expect(run.stdout).toContain(`spotpipe ${command}`)
      })
    )
  }
  it.live("password-file-help-names-the-secrets-in-order-and-whose-host-they-go-to", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["answer", "--help"])
      expect(run.code).toBe(0)
      const line = run.stdout.split("\n").find((l) => l.includes("--password-file")) ?? ""
      expect(line).toContain(
        "otherwise THOUGHTSPOT_TOKEN, THOUGHTSPOT_SECRET_KEY or THOUGHTSPOT_PASSWORD (with THOUGHTSPOT_HOST set, only for its host), the profile's secret (only for its own host) or a prompt"
      )
    })
  )
  it.live("sandbox-help-shows-the-sandbox-flags", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["sandbox", "--help"])
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
        "SPOTPIPE_SANDBOX_SECRET_KEY"
      ]) {
        expect(run.stdout).toContain(flag)
      }
      // spotpipe refuses secrets as flag values, so its help does not offer the bin's --secret-key.
      expect(run.stdout).not.toContain("--secret-key")
    })
  )
})

describe("usage errors as JSON lines", () => {
  // A pipeline reads the exit code from the line itself with --log-format json, whatever found the mistake: the
  // parser (unknown flag or command, missing argument, a value a flag refuses) or a check after it.
  for (const args of [
    ["answer", "A", "--fromat", "csv"],
    ["answr", "A"],
    ["answer"],
    ["answer", "A", "--format", "xls"],
    ["answer", "A", "--out", "-", "--json"]
  ]) {
    it.live(`usage-error-with-log-format-json-is-one-object-with-exit-code-2: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess([...args, "--log-format", "json"], cluster)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        const lines = run.stderr.trimEnd().split("\n")
        expect(lines).toHaveLength(1)
        expect(JSON.parse(lines[0]!)).toMatchObject({ level: "ERROR", exit_code: 2, message: expect.any(String) })
      })
    )
  }
})

describe.concurrent("the real process", () => {
  const real = cases.filter((c) =>
    [
      "unknown-format",
      "missing-host",
      "password-as-a-flag",
      "unknown-flag",
      "sandbox-negative-rows",
      "null-string-with-a-delimiter"
    ].includes(c.name)
  )
  for (const c of real) {
    it(`${c.name}-exits-2-with-stdout-empty`, { timeout: 30_000 }, async () => {
      const run = await runCli(c.args, c.env === undefined ? {} : { env: c.env })
      expect(run.code, run.stderr).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr).toContain(c.says)
      expect(run.stderr.trim().split("\n").length).toBeLessThanOrEqual(2)
    })
  }

  // Its stdin and stdout are pipes here, as in a script: the wizard would print escape codes and give up.
  for (const args of [["--wizard"], ["config", "list", "--wizard"], ["answer", "A", "--wizard=true"]]) {
    it(`wizard-without-a-terminal-exits-2-saying-so: ${args.join(" ")}`, { timeout: 30_000 }, async () => {
      const run = await runCli(args, { env: cluster })
      expect(run.code, run.stderr).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr.trimEnd()).toBe(
        "spotpipe: --wizard asks for each flag on a terminal, but stdin and stdout are not one: run it in a terminal, or give the flags themselves (--help lists them)"
      )
    })
  }
})
