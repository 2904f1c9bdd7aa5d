/**
 * What `merge --json` says of a merged run's exports (`mergeOutcomeJson`), read from the manifest a real merge of
 * shard runs wrote: `failed`, with each failed export and its error, when an export failed in a shard's latest run.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { mergeOutcomeJson } from "../src/cli/BatchSummary.ts"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { readJson } from "./support/shardRuns.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-merge-outcome-")
const sandbox = testSandbox({ rows: 100, seed: 3 })

/** Runs the job's 2 shards into one folder and merges them: the merged manifest. */
const mergedManifest = async (exports: ReadonlyArray<Record<string, unknown>>) => {
  const root = tempDir()
  const job = writeJob(root, { exports })
  const out = NodePath.join(root, "land")
  const env = sandboxEnv(sandbox.sandbox)
  for (const i of [1, 2]) {
    await runCliInProcess(["run", job, "--out", out, "--shard", `${i}/2`, "--job-run", "n1", "--quiet"], { env })
  }
  const merged = await runCliInProcess(["merge", out, "--quiet"], { env })
  expect(merged.code, merged.stderr).toBe(0)
  return readJson(NodePath.join(out, "manifest.json"))
}

describe("a merged run's outcome", () => {
  it("is-failed-naming-each-export-that-failed-in-a-shard", async () => {
    const manifest = await mergedManifest([
      { type: "answer", id: "Order Details", split: 2 },
      { type: "answer", id: "No Such Answer", output: "missing" }
    ])
    const outcome = mergeOutcomeJson(manifest)
    expect(outcome.status).toBe("failed")
    expect(outcome.failures).toEqual([{ export: "missing", error: expect.stringContaining("No Such Answer") }])
  }, 60_000)

  it("is-succeeded-when-every-export-was-written", async () => {
    const manifest = await mergedManifest([{ type: "answer", id: "Order Details", split: 2 }])
    expect(mergeOutcomeJson(manifest)).toEqual({ status: "succeeded", failures: [] })
  }, 60_000)
})
