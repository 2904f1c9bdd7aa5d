/**
 * A sampled result is said once on stderr, in the run's words naming the output: the client, which would say it
 * too, is asked to leave it to the run (in-process CLI against a loopback sandbox, whose "Sampled Orders" answer
 * reports 0.5 on every page).
 */
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const shared = testSandbox({ rows: 400 })
const tempDir = tempFolders("spotpipe-sampled-once-")

describe("a sampled answer", () => {
  it("is-said-once-on-stderr", { timeout: 120_000 }, async () => {
    const env = sandboxEnv(shared.sandbox)
    const run = await runCliInProcess(["answer", "Sampled Orders", "--page-size", "100", "--out", tempDir()], { env })
    expect(run.code, run.stderr).toBe(0)
    const said = run.stderr.split("\n").filter((line) => line.includes("returned a sample"))
    expect(said, run.stderr).toHaveLength(1)
    expect(said[0]).toContain("sampling_ratio is 0.5: ThoughtSpot returned a sample, not the complete result")
  })
})
