/**
 * A watermark edited by hand or damaged into another valid value, end to end (in-process against a loopback
 * sandbox): `--modified-since last` refuses it (exit 2) rather than start elsewhere than the previous run left off,
 * and one run given a starting point records it anew, after which `last` works again. In a job, that export fails
 * (exit 1) and the others are written.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-edited-watermark-")
const sandbox = testSandbox()

describe("an edited watermark", () => {
  it("is-refused-by-last-and-recorded-anew-by-a-run-given-a-starting-point", async () => {
    const dir = tempDir()
    const env = sandboxEnv(sandbox.sandbox)
    const metadata = (...more: Array<string>) =>
      runCliInProcess(["metadata", "--format", "ndjson", "--out", dir, "--quiet", "--force", ...more], { env })
    const first = await metadata("--modified-since", "2000-01-01")
    expect(first.code, first.stderr).toBe(0)

    const file = NodePath.join(dir, ".spotpipe-state", "watermarks.json")
    const state = JSON.parse(NodeFs.readFileSync(file, "utf8")) as { exports: Record<string, { value: string }> }
    const [mark] = Object.values(state.exports)
    // A year later: a valid instant, which would leave out everything changed in between.
    mark!.value = mark!.value.replace(/^(\d{4})/, (year) => String(Number(year) + 1))
    NodeFs.writeFileSync(file, JSON.stringify(state, null, 2))

    const edited = await metadata("--modified-since", "last")
    expect(edited.code, edited.stderr).toBe(2)
    expect(edited.stderr).toContain(
      `its watermark in ${file} was changed after its run wrote it (its sha256 does not match), so where the previous run left off is unknown and --modified-since last could skip or repeat rows: run it once with --modified-since given a starting point instead of "last"`
    )

    const given = await metadata("--modified-since", "2000-01-01")
    expect(given.code, given.stderr).toBe(0)
    const again = await metadata("--modified-since", "last")
    expect(again.code, again.stderr).toBe(0)
  }, 60_000)

  it("fails-its-export-in-a-job-exit-1-while-the-others-are-written", async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "land")
    const env = sandboxEnv(sandbox.sandbox)
    const job = (since: string) =>
      writeJob(
        dir,
        {
          defaults: { format: "ndjson" },
          exports: [
            { type: "metadata", metadataTypes: ["ANSWER"], modifiedSince: since, output: "answers" },
            { type: "metadata", metadataTypes: ["LIVEBOARD"], modifiedSince: since, output: "boards" }
          ]
        },
        `job-${since}`
      )
    const first = await runCliInProcess(["run", job("2000-01-01"), "--out", out, "--quiet"], { env })
    expect(first.code, first.stderr).toBe(0)
    const file = NodePath.join(out, ".spotpipe-state", "watermarks.json")
    const state = JSON.parse(NodeFs.readFileSync(file, "utf8")) as { exports: Record<string, { value: string }> }
    const answers = Object.entries(state.exports).find(([id]) => id.startsWith("answers "))![1]
    answers.value = answers.value.replace(/^(\d{4})/, (year) => String(Number(year) + 1))
    NodeFs.writeFileSync(file, JSON.stringify(state, null, 2))
    NodeFs.rmSync(NodePath.join(out, "boards.ndjson"))

    const edited = await runCliInProcess(["run", job("last"), "--out", out, "--quiet", "--force"], { env })
    expect(edited.code, edited.stderr).toBe(1)
    expect(edited.stderr).toContain("was changed after its run wrote it (its sha256 does not match)")
    expect(NodeFs.existsSync(NodePath.join(out, "boards.ndjson"))).toBe(true)
  }, 60_000)
})
