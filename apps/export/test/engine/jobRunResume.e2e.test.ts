/**
 * `--resume` in one fixed folder shared by the job runs of a schedule (a Kubernetes Indexed Job: SPOTPIPE_JOB_RUN is
 * the Job's uid): an output stopped midway in tonight's run continues from its checkpoint although last night's run
 * published that file, and replaces it at the end with the bytes an uninterrupted run writes. Last night's file
 * alone, with no state of tonight's, is written anew and said so. The runs killed midway are processes; the runs
 * after them are in-process.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "../support/inProcess.ts"
import { killAtStepPath, runNode } from "../support/runCli.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-job-run-resume-")
let sandbox: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 1_000, seed: 7 })
  env = sandboxEnv(sandbox)
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
})

const orders = "answer-Order Details.csv"
const writeJob = (dir: string, exports: ReadonlyArray<unknown>) => {
  const path = NodePath.join(dir, "nightly.json")
  NodeFs.writeFileSync(path, JSON.stringify({ defaults: { pageSize: 70 }, exports }))
  return path
}
const sha = (file: string) => createHash("sha256").update(NodeFs.readFileSync(file)).digest("hex")
const manifestOf = (dir: string, name = "manifest.json") =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(dir, name), "utf8")) as {
    readonly job_run?: string
    readonly outputs: ReadonlyArray<{ readonly file: string; readonly resume: string; readonly fingerprint: string }>
  }
const entryOf = (dir: string, file: string, name?: string) => manifestOf(dir, name).outputs.find((o) => o.file === file)
const startingOver = (stderr: string) => stderr.split("\n").filter((line) => line.includes("starting over"))

/** The bytes and manifest entry of an uninterrupted run of `args` (a job run `B`) in a folder of its own. */
const uninterrupted = async (job: ReadonlyArray<unknown>, args: ReadonlyArray<string> = []) => {
  const dir = tempDir()
  const run = await runCliInProcess(["run", writeJob(dir, job), "--out", dir, "--job-run", "B", ...args], { env })
  expect(run.code, run.stderr).toBe(0)
  return { sha256: sha(NodePath.join(dir, orders)), entry: entryOf(dir, orders)! }
}

describe("--resume of a job run in a folder an earlier job run wrote", () => {
  it("continues-the-checkpoint-of-this-job-run-over-the-earlier-job-runs-file", async () => {
    const exports = [{ type: "answer", id: "Order Details" }]
    const expected = await uninterrupted(exports)
    const out = tempDir()
    const job = writeJob(out, exports)
    const a = await runCliInProcess(["run", job, "--out", out, "--job-run", "A", "--quiet"], { env })
    expect(a.code, a.stderr).toBe(0)

    const b = ["run", job, "--out", out, "--job-run", "B", "--resume"]
    const killed = await runNode([killAtStepPath, "checkpoint-written:3", ...b], { env })
    expect(killed.signal, killed.stderr).toBe("SIGKILL")
    // The first run of B finds A's file and no state of its own: written anew.
    expect(startingOver(killed.stderr)).toEqual([
      `spotpipe: ${orders}: the job run (--job-run) changed since its output was written (A → B): starting over`
    ])

    const retried = await runCliInProcess(b, { env })
    expect(retried.code, retried.stderr).toBe(0)
    expect(startingOver(retried.stderr)).toEqual([])
    expect(entryOf(out, orders)).toMatchObject({ resume: "continued", fingerprint: expected.entry.fingerprint })
    expect(manifestOf(out).job_run).toBe("B")
    expect(sha(NodePath.join(out, orders))).toBe(expected.sha256)
  }, 60_000)

  it("continues-a-shards-checkpoint-when-the-shards-share-the-folder", async () => {
    const exports = [
      { type: "answer", id: "Order Details" },
      { type: "answer", id: "Revenue by Month", format: "ndjson" }
    ]
    const out = tempDir()
    const job = writeJob(out, exports)
    for (const shard of ["1/2", "2/2"]) {
      const a = await runCliInProcess(["run", job, "--out", out, "--shard", shard, "--job-run", "A", "--quiet"], {
        env
      })
      expect(a.code, a.stderr).toBe(0)
    }
    // The shard that writes the answer stops midway in job run B; the other shard of B then runs.
    const mine = entryOf(out, orders, "manifest.shard-1-of-2.json") === undefined ? "2/2" : "1/2"
    const other = mine === "1/2" ? "2/2" : "1/2"
    const b = (shard: string) => ["run", job, "--out", out, "--shard", shard, "--job-run", "B", "--resume"]
    const killed = await runNode([killAtStepPath, "checkpoint-written:3", ...b(mine)], { env })
    expect(killed.signal, killed.stderr).toBe("SIGKILL")
    const otherRun = await runCliInProcess(b(other), { env })
    expect(otherRun.code, otherRun.stderr).toBe(0)

    const retried = await runCliInProcess(b(mine), { env })
    expect(retried.code, retried.stderr).toBe(0)
    expect(startingOver(retried.stderr)).toEqual([])
    const [index, count] = mine.split("/")
    expect(entryOf(out, orders, `manifest.shard-${index}-of-${count}.json`)?.resume).toBe("continued")
    const expected = await uninterrupted(exports.slice(0, 1))
    expect(sha(NodePath.join(out, orders))).toBe(expected.sha256)
  }, 90_000)

  it("keeps-a-file-this-job-run-published-before-its-manifest-as-this-job-runs", async () => {
    const exports = [{ type: "answer", id: "Order Details" }]
    const expected = await uninterrupted(exports)
    const out = tempDir()
    const job = writeJob(out, exports)
    const a = await runCliInProcess(["run", job, "--out", out, "--job-run", "A", "--quiet"], { env })
    expect(a.code, a.stderr).toBe(0)
    const b = ["run", job, "--out", out, "--job-run", "B", "--resume"]
    // Killed once the file is in place, before the run's manifest lists it.
    const killed = await runNode([killAtStepPath, "after-publish:1", ...b], { env })
    expect(killed.signal, killed.stderr).toBe("SIGKILL")

    const retried = await runCliInProcess(b, { env })
    expect(retried.code, retried.stderr).toBe(0)
    expect(startingOver(retried.stderr)).toEqual([])
    // Listed as job run B's output (its fingerprint), not as the entry job run A's manifest has for the same bytes.
    expect(entryOf(out, orders)).toMatchObject({ resume: "skipped", fingerprint: expected.entry.fingerprint })
    expect(sha(NodePath.join(out, orders))).toBe(expected.sha256)
  }, 60_000)
})
