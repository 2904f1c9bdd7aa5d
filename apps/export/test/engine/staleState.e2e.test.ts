/**
 * Resume state of outputs a job no longer has: an export removed from the job file after a run of it stopped
 * midway left its checkpoint and partial file in `.spotpipe-state/`, which then stayed for ever. A later run of the
 * job that plans all of it removes the state that names this job and belongs to none of its outputs; state of
 * another job in the same folder stays. The runs killed midway are processes; the runs after them are in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "../support/inProcess.ts"
import { killAtStepPath as killAtStep, runNode } from "../support/runCli.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-stale-state-"))
let sandbox: RunningSandbox
let env: Record<string, string>

const writeJob = (name: string, exports: ReadonlyArray<unknown>) => {
  const path = NodePath.join(root, name)
  NodeFs.writeFileSync(path, JSON.stringify({ defaults: { pageSize: 70 }, exports }))
  return path
}

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 1_000, seed: 7 })
  env = sandboxEnv(sandbox)
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

const orders = { type: "answer", id: "Order Details" }
const catalog = { type: "metadata", metadataTypes: ["ANSWER"] }

describe("resume state of outputs the job no longer has", () => {
  it("an-export-removed-from-the-job-leaves-no-state-behind-once-the-job-runs-again", async () => {
    const out = NodePath.join(root, "removed")
    const job = writeJob("nightly.json", [orders, catalog])
    const killed = await runNode([killAtStep, "checkpoint-written:2", "run", job, "--out", out, "--concurrency", "1"], {
      env
    })
    expect(killed.signal, killed.stderr).toBe("SIGKILL")
    // Another job's stopped export in the same folder: its state is not this job's to remove.
    const other = writeJob("other.json", [{ type: "answer", id: "Revenue by Month", format: "ndjson" }])
    const otherKilled = await runNode([killAtStep, "checkpoint-written:1", "run", other, "--out", out], { env })
    expect(otherKilled.signal, otherKilled.stderr).toBe("SIGKILL")
    const state = NodePath.join(out, ".spotpipe-state")
    expect(NodeFs.readdirSync(state).some((name) => name.startsWith("answer-Order%20Details.csv"))).toBe(true)
    const theOthers = NodeFs.readdirSync(state).filter((name) => name.startsWith("answer-Revenue%20by%20Month"))
    expect(theOthers.length).toBeGreaterThan(0)

    // The answer is taken out of the job file; the job runs again.
    writeJob("nightly.json", [catalog])
    const again = await runCliInProcess(["run", job, "--out", out, "--resume"], { env })
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toContain(
      "removed the resume state of 1 output the job no longer has: answer-Order Details.csv"
    )
    expect(NodeFs.readdirSync(state).sort()).toEqual(theOthers.sort())

    // Once the other job is done too, nothing is left: the state folder goes.
    const otherAgain = await runCliInProcess(["run", other, "--out", out, "--resume", "--quiet"], { env })
    expect(otherAgain.code, otherAgain.stderr).toBe(0)
    expect(NodeFs.existsSync(state)).toBe(false)
  }, 60_000)
})
