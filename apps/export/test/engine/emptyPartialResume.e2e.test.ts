/**
 * A run that failed before its first page (the cluster went away) leaves an empty partial file and no checkpoint:
 * `--resume` writes that output from the start without a warning, as nothing is dropped. A partial file with bytes
 * and no checkpoint still restarts with one. The failing cluster is a sandbox whose data route always fails.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "../support/inProcess.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-empty-partial-")
let sandbox: RunningSandbox
let failing: RunningSandbox

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 1_000, seed: 7 })
  failing = await startSandbox({
    rows: 1_000,
    seed: 7,
    faults: { routes: { "metadata/answer/data": { error500: 1 } }, maxConsecutiveFaults: 1_000_000 }
  })
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  await failing?.close()
})

const file = "answer-Order Details.csv"
const partialOf = (out: string) => NodePath.join(out, ".spotpipe-state", `${encodeURIComponent(file)}.partial`)
const sha = (path: string) => createHash("sha256").update(NodeFs.readFileSync(path)).digest("hex")
const job = (dir: string) => {
  const path = NodePath.join(dir, "nightly.json")
  NodeFs.writeFileSync(path, JSON.stringify({ exports: [{ type: "answer", id: "Order Details", pageSize: 70 }] }))
  return path
}
const noCheckpoint = (stderr: string) => stderr.split("\n").filter((line) => line.includes("has no checkpoint"))

describe("--resume after a failure before the first page", () => {
  it("writes-an-output-whose-partial-file-is-empty-from-the-start-without-a-warning", async () => {
    const whole = tempDir()
    const clean = await runCliInProcess(["run", job(whole), "--out", whole], { env: sandboxEnv(sandbox) })
    expect(clean.code, clean.stderr).toBe(0)

    const out = tempDir()
    // --deadline 1: the retries give up within a second (by default they take about ten seconds here).
    const failed = await runCliInProcess(["run", job(out), "--out", out, "--timeout", "1", "--deadline", "1"], {
      env: sandboxEnv(failing)
    })
    expect(failed.code, failed.stderr).toBe(1)
    expect(NodeFs.statSync(partialOf(out)).size).toBe(0)

    const resumed = await runCliInProcess(["run", job(out), "--out", out, "--resume"], { env: sandboxEnv(sandbox) })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(noCheckpoint(resumed.stderr)).toEqual([])
    expect(resumed.stderr).not.toContain("starting over")
    expect(sha(NodePath.join(out, file))).toBe(sha(NodePath.join(whole, file)))
  }, 60_000)

  it("still-warns-for-a-partial-file-with-bytes-and-no-checkpoint", async () => {
    const out = tempDir()
    NodeFs.mkdirSync(NodePath.dirname(partialOf(out)), { recursive: true })
    // A header and a row: one that only holds its header drops nothing, as an empty one.
    NodeFs.writeFileSync(partialOf(out), "Order ID,Revenue\r\n1,2\r\n")
    const resumed = await runCliInProcess(["run", job(out), "--out", out, "--resume"], { env: sandboxEnv(sandbox) })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(noCheckpoint(resumed.stderr)).toEqual([
      `spotpipe: warning: ${file}: a partial file has no checkpoint: starting over`
    ])
  }, 60_000)
})
