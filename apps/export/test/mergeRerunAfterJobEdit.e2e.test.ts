/**
 * After the job file changed, a merge that finds a shard with no run of the new job names the command that runs it,
 * and that command works as printed: the shard's folder holds its files of the earlier job, which a run without
 * `--resume` refuses to touch, so the command has it.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-merge-job-edit-"))
let sandbox: RunningSandbox
let env: Record<string, string>

const exports = [
  { type: "answer", id: "Revenue by Month", format: "ndjson" },
  { type: "answer", id: "Order Details" },
  { type: "answer", id: "Revenue by Month", output: "again" },
  { type: "answer", id: "Order Details", format: "ndjson", output: "details" }
]

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 40, seed: 3 })
  env = sandboxEnv(sandbox)
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

const shard = async (i: number) => {
  const run = await runCli(["run", "jsh.json", "--out", "SH", "--quiet", "--shard", `${i}/2`], { env, cwd: root })
  expect(run.code, run.stderr).toBe(0)
}

describe("merge after a job file change", () => {
  it("names-a-rerun-command-for-the-shard-that-works-as-printed-over-its-earlier-files", async () => {
    const job = NodePath.join(root, "jsh.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports }))
    await shard(1)
    await shard(2)
    // The job file changes (one more export); only shard 1 runs it so far.
    NodeFs.writeFileSync(
      job,
      JSON.stringify({ exports: [...exports, { type: "answer", id: "Revenue by Month", output: "third" }] })
    )
    const first = await runCli(["run", "jsh.json", "--out", "SH", "--quiet", "--shard", "1/2", "--resume"], {
      env,
      cwd: root
    })
    expect(first.code, first.stderr).toBe(0)

    const refused = await runCli(["merge", "SH"], { env, cwd: root })
    expect(refused.code, refused.stderr).toBe(1)
    const command = /\((spotpipe run [^;)]*)\)/.exec(refused.stderr)?.[1]
    expect(command).toBe("spotpipe run jsh.json --shard 2/2 --out SH --resume")
    // Run as printed: the shard runs the new job over its earlier files, and the merge goes through.
    const rerun = await runCli([...command!.split(" ").slice(1), "--quiet"], { env, cwd: root })
    expect(rerun.code, rerun.stderr).toBe(0)
    const merged = await runCli(["merge", "SH", "--quiet"], { env, cwd: root })
    expect(merged.code, merged.stderr).toBe(0)
  }, 120_000)
})
