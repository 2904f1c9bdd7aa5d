/**
 * `--json` on the export commands and `run`, end to end (the built CLI against a loopback sandbox): stdout is
 * one JSON object with the manifest's essentials — each output's file, rows, columns, SHA-256 and status, the
 * failures and totals — that agrees with the manifest and the files on disk; logs and progress stay on stderr;
 * the exit code is what it is without `--json`; with `--out -` it is a usage error. Runs are in-process
 * (runCliInProcess), `--out -` included, but one real process: a liveboard's `--json` report as installed.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 90_000 }
const tempDir = tempFolders("spotpipe-json-")
const sha256 = (file: string) => createHash("sha256").update(NodeFs.readFileSync(file)).digest("hex")

let sandbox: RunningSandbox
let broken: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  const golden = { rows: fixtures.golden.rows, seed: fixtures.golden.seed }
  ;[sandbox, broken] = await Promise.all([
    startSandbox(golden),
    // Every liveboard-data answer is malformed JSON: a liveboard export fails while it writes.
    startSandbox({
      ...golden,
      faults: { routes: { "metadata/liveboard/data": { malformed: 1 } }, maxConsecutiveFaults: 1000 }
    })
  ])
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await Promise.all([sandbox?.close(), broken?.close()])
})

interface ReportOutput {
  readonly file: string
  readonly export: string
  readonly rows: number
  readonly available_rows: number | null
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string | null }>
  readonly bytes: number
  readonly sha256: string
  readonly status: string
}

interface Report {
  readonly dry_run: boolean
  readonly command: string
  readonly status: "succeeded" | "failed"
  readonly folder: string
  readonly manifest: string | null
  readonly outputs: ReadonlyArray<ReportOutput>
  readonly exports: ReadonlyArray<{ export: string; status: string; error: string | null }> | null
  readonly failures: ReadonlyArray<{ export: string | null; what: string; error: string }>
  readonly totals: { files: number; rows: number; bytes: number; failed: number }
}

/** stdout must be exactly one line of JSON. */
const reportOf = (stdout: string): Report => {
  const lines = stdout.trimEnd().split("\n")
  expect(lines).toHaveLength(1)
  return JSON.parse(lines[0]!) as Report
}

describe("--json on the export commands", () => {
  it("liveboard-json-report-agrees-with-the-manifest-and-the-files", timeout, async () => {
    const out = tempDir()
    const run = await runCli(["liveboard", "Sales Overview", "--out", out, "--json"], { env })
    expect(run.code, run.stderr).toBe(0)
    const report = reportOf(run.stdout)
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8"))
    expect(report).toMatchObject({ dry_run: false, command: "liveboard", status: "succeeded", folder: out })
    expect(report.manifest).toBe(NodePath.join(out, `manifest-${manifest.run_id}.json`))
    expect(report.outputs.length).toBeGreaterThan(1)
    expect(report.outputs).toEqual(
      manifest.outputs.map((o: Record<string, unknown>) => ({
        file: o["file"],
        export: o["export"],
        format: o["format"],
        source: o["source"],
        rows: o["rows_written"],
        available_rows: o["available_data_row_count"],
        columns: o["columns"],
        bytes: o["bytes"],
        sha256: o["sha256"],
        status: o["resume"],
        warnings: o["warnings"]
      }))
    )
    for (const output of report.outputs) expect(output.sha256).toBe(sha256(NodePath.join(out, output.file)))
    expect(report.totals).toEqual({
      files: report.outputs.length,
      rows: report.outputs.reduce((n, o) => n + o.rows, 0),
      bytes: report.outputs.reduce((n, o) => n + o.bytes, 0),
      failed: 0
    })
    expect(report.failures).toEqual([])
    // The text summary is replaced, not added to.
    expect(run.stdout).not.toContain("files in")
    expect(run.stderr).not.toContain('"sha256"')
  })

  it("json-report-is-printed-with-quiet-and-logs-stay-on-stderr", timeout, async () => {
    const out = tempDir()
    const run = await runCliInProcess(["answer", "Sampled Orders", "--out", out, "--json", "--quiet"], { env })
    expect(run.code, run.stderr).toBe(0)
    const report = reportOf(run.stdout)
    expect(report.outputs.map((o) => o.file)).toEqual(["answer-Sampled Orders.csv"])
    expect(report.outputs[0]!.status).toBe("written")
    expect(run.stderr).toContain("warning:") // the sampling warning, on stderr only
  })

  it("a-failed-export-is-in-the-json-report-and-still-exits-1", timeout, async () => {
    const out = tempDir()
    const run = await runCliInProcess(
      ["liveboard", "Sales Overview", "--out", out, "--json", "--timeout", "1", "--deadline", "2"],
      {
        env: sandboxEnv(broken)
      }
    )
    expect(run.code).toBe(1)
    const report = reportOf(run.stdout)
    expect(report).toMatchObject({ command: "liveboard", status: "failed", outputs: [], exports: null })
    expect(report.failures).toHaveLength(1)
    expect(report.failures[0]!.what).toBe('liveboard "Sales Overview"')
    expect(report.totals).toEqual({ files: 0, rows: 0, bytes: 0, failed: 1 })
    // The one-line error is on stderr as without --json.
    expect(run.stderr).toContain(report.failures[0]!.error)
  })

  it("a-run-refused-before-any-export-starts-has-no-report-and-exits-1", timeout, async () => {
    const out = tempDir()
    NodeFs.writeFileSync(NodePath.join(out, "answer-Revenue by Month.csv"), "old")
    const run = await runCliInProcess(["answer", "Revenue by Month", "--out", out, "--json"], { env })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("already exists")
    // Refused before anything was written: the run-level failure has one line on stderr and no report.
    expect(run.stdout).toBe("")
  })

  it("ddl-that-cannot-be-written-makes-the-report-failed-as-the-exit-code-says", timeout, async () => {
    // BigQuery takes no "(" in a column name: the data is written, the DDL refused, the command exits 1.
    const [refused, written] = await Promise.all([
      runCliInProcess(["answer", "Revenue by Month", "--out", tempDir(), "--ddl", "bigquery", "--json"], { env }),
      runCliInProcess(["answer", "Revenue by Month", "--out", tempDir(), "--ddl", "duckdb", "--json"], { env })
    ])
    expect(refused.code).toBe(1)
    const report = reportOf(refused.stdout) as Report & { readonly ddl: { status: string; error: string } }
    expect(report.status).toBe("failed")
    expect(report.outputs.map((o) => o.status)).toEqual(["written"])
    expect(report.ddl.status).toBe("failed")
    expect(refused.stderr).toContain(report.ddl.error)
    expect(written.code, written.stderr).toBe(0)
    expect(reportOf(written.stdout)).toMatchObject({
      status: "succeeded",
      ddl: { status: "succeeded", files: ["ddl/duckdb.sql"] }
    })
  })

  it("json-with-out-dash-is-a-usage-error-saying-why", timeout, async () => {
    const run = await runCliInProcess(["answer", "Revenue by Month", "--out", "-", "--json"], { env })
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain("--json prints the run's summary on stdout, but --out - writes the data there")
  })
})

describe("--json on spotpipe run", () => {
  it("run-json-report-lists-succeeded-and-failed-exports-and-exits-1", timeout, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "out")
    const jobFile = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(
      jobFile,
      JSON.stringify({
        exports: [
          { type: "answer", id: "Revenue by Month", output: "revenue" },
          { type: "answer", id: "No Such Answer", output: "missing" }
        ]
      })
    )
    const run = await runCliInProcess(["run", jobFile, "--out", out, "--json"], { env })
    expect(run.code).toBe(1)
    const report = reportOf(run.stdout)
    expect(report.status).toBe("failed")
    expect(report.outputs.map((o) => [o.file, o.status])).toEqual([["revenue.csv", "written"]])
    expect(report.outputs[0]!.sha256).toBe(sha256(NodePath.join(out, "revenue.csv")))
    expect(report.exports?.map((e) => [e.export, e.status])).toEqual([
      ["revenue", "succeeded"],
      ["missing", "failed"]
    ])
    expect(report.failures).toHaveLength(1)
    expect(report.failures[0]).toMatchObject({ export: "missing" })
    expect(report.failures[0]!.error).toContain("No Such Answer")
    expect(report.totals).toMatchObject({ files: 1, failed: 1 })
    expect(run.stderr).toContain("1 of 2 exports failed")
  })

  it("run-whose-ddl-cannot-be-written-still-prints-its-report-after-the-exports", timeout, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "out")
    const jobFile = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(jobFile, JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month" }] }))
    const run = await runCliInProcess(["run", jobFile, "--out", out, "--ddl", "bigquery", "--json"], { env })
    expect(run.code).toBe(1)
    const report = reportOf(run.stdout) as Report & { readonly ddl: { status: string; error: string } }
    expect(report).toMatchObject({ status: "failed", failures: [], ddl: { status: "failed" } })
    expect(report.exports?.map((e) => e.status)).toEqual(["succeeded"])
    expect(report.outputs[0]!.sha256).toBe(sha256(NodePath.join(out, report.outputs[0]!.file)))
    expect(run.stderr).toContain(report.ddl.error)
  })
})

describe("--json on load and merge", () => {
  it("merge-and-load-json-print-their-report-on-stdout-also-with-quiet", timeout, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "landing")
    const jobFile = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(jobFile, JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month", split: 2 }] }))
    const run = await runCliInProcess(["run", jobFile, "--out", out, "--quiet"], { env })
    expect(run.code, run.stderr).toBe(0)

    const merge = await runCliInProcess(["merge", out, "--json", "--quiet"])
    expect(merge.code, merge.stderr).toBe(0)
    const merged = JSON.parse(merge.stdout).merge
    expect(merge.stdout.trimEnd().split("\n")).toHaveLength(1)
    expect(merged).toMatchObject({ folder: out, others: [] })
    expect(merged.files).toHaveLength(1)
    expect(merged.files[0]).toMatchObject({ parts: 2 })

    const database = NodePath.join(dir, "w.duckdb")
    const load = await runCliInProcess(["load", out, "--into", `duckdb:${database}`, "--json", "--quiet"])
    expect(load.code, load.stderr).toBe(0)
    expect(load.stdout.trimEnd().split("\n")).toHaveLength(1)
    const loaded = JSON.parse(load.stdout).load
    expect(loaded).toMatchObject({ target: `duckdb:${database}`, rows: merged.files[0].rows })
    expect(loaded.tables).toHaveLength(1)
  })
})

describe("auth status --json", () => {
  it("auth-status-json-has-every-documented-key-null-where-unknown", timeout, async () => {
    // The sandbox: no profile, no Org given; a script reads .profile and .sources.org_id all the same.
    const run = await runCliInProcess(["auth", "status", "--json"], { env })
    expect(run.code, run.stderr).toBe(0)
    const status = JSON.parse(run.stdout)
    expect(Object.keys(status)).toEqual(["host", "profile", "auth", "user", "org", "cluster", "token", "sources"])
    expect(status.profile).toBe(null)
    expect(Object.keys(status.cluster)).toEqual(["version", "time_zone", "unavailable"])
    expect(status.cluster.unavailable).toBe(null)
    expect(status.sources).toEqual({
      host: "THOUGHTSPOT_HOST",
      username: "THOUGHTSPOT_USERNAME",
      secret: "THOUGHTSPOT_PASSWORD",
      org_id: null
    })
  })
})
