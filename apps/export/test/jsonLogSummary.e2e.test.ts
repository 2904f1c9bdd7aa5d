/**
 * The `--log-format json` summary line carries the run's warnings, end to end (the built CLI against a loopback
 * sandbox): a scheduler that reads that line instead of the `--json` report finds the run's own warnings
 * (`warnings`: an inactive Org `--orgs all` skipped) and each output's (`outputs[].warnings`: a sampled result), as
 * the manifest and the `--json` report list them — for a single command and for `spotpipe run`. Runs are
 * in-process (runCliInProcess) but the first, a sampled answer's JSON log, a real process as installed.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }
const tempDir = tempFolders("spotpipe-json-log-summary-")

let sandbox: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  sandbox = await startSandbox({ rows: fixtures.golden.rows, seed: fixtures.golden.seed })
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await sandbox?.close()
})

interface ManifestLike {
  readonly warnings: ReadonlyArray<string>
  readonly outputs: ReadonlyArray<{ readonly file: string; readonly export: string; readonly warnings: Array<string> }>
}

const manifestOf = (dir: string): ManifestLike =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as ManifestLike

interface SummaryLike {
  readonly warnings: ReadonlyArray<string>
  readonly outputs: ReadonlyArray<{ readonly file: string; readonly warnings: ReadonlyArray<string> }>
}

/** The summary: stdout's last line, one JSON object. */
const summaryOf = (stdout: string): SummaryLike =>
  (JSON.parse(stdout.trimEnd().split("\n").at(-1)!) as { summary: SummaryLike }).summary

describe("the --log-format json summary of a single command", () => {
  it("carries each output's warnings as its manifest entry and the --json report list them", timeout, async () => {
    const dir = tempDir()
    const run = await runCli(["answer", "Sampled Orders", "--out", dir, "--log-format", "json"], { env })
    expect(run.code, run.stderr).toBe(0)
    const summary = summaryOf(run.stdout)
    const manifest = manifestOf(dir)
    // The sampled result's warning, which until now reached only stderr and the manifest.
    expect(manifest.outputs[0]!.warnings.length).toBeGreaterThan(0)
    expect(summary.outputs.map((o) => ({ file: o.file, warnings: o.warnings }))).toEqual(
      manifest.outputs.map((o) => ({ file: o.file, warnings: o.warnings }))
    )
    expect(summary.warnings).toEqual(manifest.warnings)

    const report = await runCliInProcess(["answer", "Sampled Orders", "--out", tempDir(), "--json"], { env })
    expect(report.code, report.stderr).toBe(0)
    const json = JSON.parse(report.stdout) as SummaryLike
    expect(summary.outputs.map((o) => o.warnings)).toEqual(json.outputs.map((o) => o.warnings))
  })

  it("carries the run's own warnings, as the --json report does", timeout, async () => {
    const dir = tempDir()
    const run = await runCliInProcess(
      ["metadata", "--type", "ANSWER", "--orgs", "all", "--out", dir, "--log-format", "json"],
      {
        env
      }
    )
    expect(run.code, run.stderr).toBe(0)
    const summary = summaryOf(run.stdout)
    const inactive = fixtures.orgs.find((o) => o.status === "IN_ACTIVE")!
    expect(summary.warnings).toEqual([expect.stringContaining(`--orgs all skips an inactive Org`)])
    expect(summary.warnings[0]).toContain(`${inactive.id} (${inactive.name})`)
    expect(summary.warnings).toEqual(manifestOf(dir).warnings)
    const report = await runCliInProcess(
      ["metadata", "--type", "ANSWER", "--orgs", "all", "--out", tempDir(), "--json"],
      {
        env
      }
    )
    expect(report.code, report.stderr).toBe(0)
    expect(summary.warnings).toEqual((JSON.parse(report.stdout) as SummaryLike).warnings)
  })
})

describe("the --log-format json summary of spotpipe run", () => {
  const runJob = async (job: object) => {
    const dir = tempDir()
    const file = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(file, JSON.stringify(job))
    const run = await runCliInProcess(["run", file, "--out", dir, "--log-format", "json"], { env })
    expect(run.code, run.stderr).toBe(0)
    return { summary: summaryOf(run.stdout), manifest: manifestOf(dir) }
  }

  it("carries each output's warnings, with its file and export", timeout, async () => {
    const { summary, manifest } = await runJob({
      exports: [
        { type: "answer", id: "Sampled Orders" },
        { type: "answer", id: "Revenue by Month" }
      ]
    })
    expect(manifest.outputs.map((o) => o.warnings.length > 0)).toEqual([true, false])
    expect(summary.outputs).toEqual(
      manifest.outputs.map((o) => ({ file: o.file, export: o.export, warnings: o.warnings }))
    )
    expect(summary.warnings).toEqual([])
  })

  it("carries the run's own warnings", timeout, async () => {
    const { summary, manifest } = await runJob({
      orgs: "all",
      exports: [{ type: "metadata", metadataTypes: ["ANSWER"] }]
    })
    expect(manifest.warnings).toEqual([expect.stringContaining("skips an inactive Org")])
    expect(summary.warnings).toEqual(manifest.warnings)
  })
})
