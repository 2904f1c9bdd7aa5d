/**
 * What `merge --json` says of a merged run's exports, from a real merge of shard runs: `status` `failed`, with each
 * failed export and its error in `failures`, when an export failed in a shard's latest run; else `succeeded`.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { readJson } from "./support/shardRuns.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-merge-outcome-")
const sandbox = testSandbox({ rows: 100, seed: 3 })

/** Runs the job's 2 shards into one folder and merges them: merge's --json report. */
const mergeReport = async (exports: ReadonlyArray<Record<string, unknown>>) => {
  const root = tempDir()
  const job = writeJob(root, { exports })
  const out = NodePath.join(root, "land")
  const env = sandboxEnv(sandbox.sandbox)
  for (const i of [1, 2]) {
    await runCliInProcess(["run", job, "--out", out, "--shard", `${i}/2`, "--job-run", "n1", "--quiet"], { env })
  }
  const merged = await runCliInProcess(["merge", out, "--json"], { env })
  expect(merged.code, merged.stderr).toBe(0)
  expect(readJson(NodePath.join(out, "manifest.json")).job_run).toBe("n1")
  return JSON.parse(merged.stdout).merge as { readonly status: string; readonly failures: ReadonlyArray<unknown> }
}

describe("a merged run's outcome", () => {
  it("is-failed-naming-each-export-that-failed-in-a-shard", async () => {
    const outcome = await mergeReport([
      { type: "answer", id: "Order Details", split: 2 },
      { type: "answer", id: "No Such Answer", output: "missing" }
    ])
    expect(outcome.status).toBe("failed")
    expect(outcome.failures).toEqual([{ export: "missing", error: expect.stringContaining("No Such Answer") }])
  }, 60_000)

  it("is-succeeded-when-every-export-was-written", async () => {
    const outcome = await mergeReport([{ type: "answer", id: "Order Details", split: 2 }])
    expect(outcome).toMatchObject({ status: "succeeded", failures: [] })
  }, 60_000)

  it("merge-checks-its-out-folder-first-by-the-rule-every-writing-command-follows", async () => {
    const root = tempDir()
    const file = NodePath.join(root, "a-file")
    NodeFs.writeFileSync(file, "x")
    const merged = await runCliInProcess(["merge", root, "--out", NodePath.join(file, "sub")])
    expect(merged.code).toBe(2)
    expect(merged.stderr).toContain(`${file} is a file, not a folder; pass a folder to --out`)
  })
  it("a-refused-merge-with-json-prints-a-failed-report-naming-why", async () => {
    const root = tempDir()
    const merged = await runCliInProcess(["merge", root, "--json"])
    expect(merged.code).not.toBe(0)
    const report = JSON.parse(merged.stdout).merge as { readonly status: string; readonly error: string }
    expect(report.status).toBe("failed")
    expect(report.error.length).toBeGreaterThan(0)
    expect(merged.stderr).toContain(report.error)
  })
})
