/**
 * `spotpipe run --resume` that finds every export complete says in one line that the run was already complete and
 * how to export anew: a schedule that always passes --resume into one folder otherwise never reads new data, its
 * summary listing every export as skipped with exit 0. In-process runs against a loopback sandbox.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-resume-complete-")
const sandbox = testSandbox({ rows: 30 })
const complete = "the run was already complete: --resume found every export written and verified"

describe("a resumed run that finds nothing to do", () => {
  it("says-the-run-was-already-complete-and-that-force-or-a-new-job-run-exports-anew", async () => {
    const dir = tempDir()
    const job = writeJob(dir, {
      exports: [
        { type: "answer", id: "Order Details" },
        { type: "metadata", metadataTypes: ["ANSWER"] }
      ]
    })
    const out = NodePath.join(dir, "out")
    const env = sandboxEnv(sandbox.sandbox)
    // The first run, even with --resume, exports: nothing to say.
    const first = await runCliInProcess(["run", job, "--out", out, "--resume"], { env })
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).not.toContain("already complete")
    const again = await runCliInProcess(["run", job, "--out", out, "--resume"], { env })
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain("(skipped)")
    const said = again.stdout.split("\n").filter((line) => line.includes(complete))
    expect(said).toEqual([
      `${complete}, so nothing was exported anew; to export anew, run with --force instead of --resume, or with a new --job-run`
    ])
    const json = await runCliInProcess(["run", job, "--out", out, "--resume", "--log-format", "json"], { env })
    expect(json.code, json.stderr).toBe(0)
    const summary = json.stdout
      .split("\n")
      .filter((line) => line.startsWith('{"summary"'))
      .map((line) => JSON.parse(line).summary)
    expect(summary.map((s) => s.already_complete)).toEqual([true])
  })
})
