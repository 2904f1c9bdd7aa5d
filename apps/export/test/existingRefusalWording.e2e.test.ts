/**
 * Files that exist already stop a run without --force or --resume, and its dry run, in words that fit what was run:
 * the outputs "of this export" for a single command, "of this job" for `spotpipe run`.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { fixtures } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 90_000 }
const tempDir = tempFolders("spotpipe-exists-wording-")
const served = testSandbox({ rows: fixtures.golden.rows, seed: fixtures.golden.seed })

/** The last line of a run's stderr. */
const lastLine = (stderr: string) => stderr.trimEnd().split("\n").at(-1) ?? ""

describe("files that exist already", () => {
  it("are-outputs-of-this-export-for-a-single-command-and-of-this-job-for-a-run", timeout, async () => {
    const env = sandboxEnv(served.sandbox)
    const root = tempDir()
    const out = NodePath.join(root, "out")
    const command = ["liveboard", "Sales Overview", "--out", out, "--quiet"]
    expect((await runCliInProcess(command, { env })).code).toBe(0)
    for (const extra of [[], ["--dry-run"]]) {
      const again = await runCliInProcess([...command, ...extra], { env })
      expect(again.code, again.stderr).toBe(1)
      expect(lastLine(again.stderr)).toMatch(/^spotpipe: 4 outputs of this export already exist in /)
    }

    const job = writeJob(root, { exports: [{ type: "liveboard", id: "Sales Overview" }] })
    const jobOut = NodePath.join(root, "job-out")
    expect((await runCliInProcess(["run", job, "--out", jobOut, "--quiet"], { env })).code).toBe(0)
    for (const extra of [[], ["--dry-run"]]) {
      const again = await runCliInProcess(["run", job, "--out", jobOut, "--quiet", ...extra], { env })
      expect(again.code, again.stderr).toBe(1)
      expect(lastLine(again.stderr)).toMatch(/^spotpipe: 4 outputs of this job already exist in /)
    }
  })
})
