/**
 * `spotpipe load` warns that it moves no watermark only for exports whose watermark did not move: a merged run of
 * a sharded job without a "load", whose shards recorded their watermarks as they exported, loads without it.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "../support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-merged-watermarks-")
const sandbox = testSandbox({ rows: 100, seed: 4 })

describe("a merged run's watermarks", () => {
  it("moved with its shards: its load says nothing of watermarks", async () => {
    const root = tempDir()
    const job = writeJob(root, {
      exports: [
        { type: "metadata", metadataTypes: ["ANSWER"], modifiedSince: "2000-01-01", output: "answers" },
        { type: "metadata", metadataTypes: ["LIVEBOARD"], modifiedSince: "2000-01-01", output: "boards" }
      ]
    })
    const out = NodePath.join(root, "land")
    const env = sandboxEnv(sandbox.sandbox)
    for (const i of [1, 2]) {
      const shard = await runCliInProcess(
        ["run", job, "--out", out, "--shard", `${i}/2`, "--job-run", "n1", "--quiet"],
        {
          env
        }
      )
      expect(shard.code, shard.stderr).toBe(0)
    }
    const merged = await runCliInProcess(["merge", out, "--quiet"], { env })
    expect(merged.code, merged.stderr).toBe(0)
    const loaded = await runCliInProcess(["load", out, "--into", `duckdb:${NodePath.join(root, "w.duckdb")}`], { env })
    expect(loaded.code, loaded.stderr).toBe(0)
    expect(loaded.stderr).not.toContain("watermark")
  }, 60_000)
})
