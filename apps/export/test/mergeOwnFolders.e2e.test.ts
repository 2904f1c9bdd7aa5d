/**
 * Shards that each wrote into a folder of their own, as pods on Kubernetes do: what `spotpipe merge` tells the user
 * to run works when run as printed (a liveboard's files are in a folder of their own, so a plain `cp` of the
 * folders fails), and a shard that stopped before it finished is named as that shard's unfinished run, with the
 * command that resumes it in its folder. `spotpipe load` of one shard's folder says how to load the whole job.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { cliEnv, killAtStepPath, mainPath, mainWithDuckDbPath, runCli, runNode } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { readJson, runShards } from "./support/shardRuns.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-merge-own-folders-"))
let sandbox: RunningSandbox
let env: Record<string, string>
let job: string

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 600, seed: 11 })
  env = sandboxEnv(sandbox)
  job = NodePath.join(root, "small.json")
  NodeFs.writeFileSync(
    job,
    JSON.stringify({
      version: 1,
      defaults: { format: "csv", pageSize: 20 },
      exports: [
        { type: "answer", id: "Revenue by Month" },
        { type: "answer", id: "Revenue by Region and Product" },
        { type: "liveboard", id: "Sales Overview" }
      ]
    })
  )
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

/**
 * Runs a command line as printed, in `cwd`, with `spotpipe` the CLI under test (asynchronously: the sandbox answers
 * from this process).
 */
const runPrinted = (command: string, cwd: string, main = mainPath) =>
  new Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resolve, reject) => {
    const child = spawn("sh", ["-c", `spotpipe() { "$SPOTPIPE_NODE" "$SPOTPIPE_MAIN" "$@"; }\n${command}`], {
      cwd,
      env: cliEnv({ ...env, SPOTPIPE_NODE: process.execPath, SPOTPIPE_MAIN: main }),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

describe("merge of shards in folders of their own", () => {
  it("the-copy-it-advises-for-shards-in-own-folders-works-as-printed-liveboard-folders-too", async () => {
    const base = NodePath.join(root, "advice")
    NodeFs.mkdirSync(base)
    // Folder names with a space: the advice quotes them.
    await runShards({
      job,
      count: 3,
      out: (i) => NodePath.join(base, `pod ${i}`),
      env,
      extra: () => ["--job-run", "a1"]
    })
    expect(NodeFs.statSync(NodePath.join(base, "pod 3", "liveboard-Sales Overview")).isDirectory()).toBe(true)
    const merge = await runCli(["merge", "./pod 1", "./pod 2", "./pod 3"], { env, cwd: base })
    expect(merge.code, merge.stderr).toBe(2)
    const advice = /merge there: (mkdir -p .*)$/m.exec(merge.stderr)?.[1]
    expect(advice, merge.stderr).toBe(
      "mkdir -p ./landing && cp -R './pod 1'/* './pod 2'/* './pod 3'/* ./landing/ && spotpipe merge ./landing"
    )
    const ran = await runPrinted(advice!, base)
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stdout).toMatch(/joined the runs of 3 shards of job run a1 in .*landing/)
    // The merged run is the whole job's, and loads.
    const landing = NodePath.join(base, "landing")
    const files = readJson(NodePath.join(landing, "manifest.json")).outputs.map((o: { file: string }) => o.file)
    expect(files).toHaveLength(6)
    expect(files).toContain("liveboard-Sales Overview/Yearly Orders.csv")
    const load = await runCliInProcess(["load", landing, "--into", `duckdb:${NodePath.join(base, "x.duckdb")}`])
    expect(load.code, load.stderr).toBe(0)
    expect(load.stdout).toMatch(/loaded 6 tables/)
  }, 120_000)

  it("a-shard-stopped-before-it-finished-is-named-with-the-command-that-resumes-it-there", async () => {
    const base = NodePath.join(root, "stopped")
    const pod = (i: number) => NodePath.join(base, `shard-${i - 1}`)
    // Shard 1's pod is killed mid-export: its folder holds only the resume state.
    const killed = await runNode(
      [killAtStepPath, "checkpoint-written:2", "run", job, "--out", pod(1), "--shard", "1/3", "--job-run", "k1"],
      { env }
    )
    expect(killed.signal, killed.stderr).toBe("SIGKILL")
    expect(NodeFs.readdirSync(pod(1)).filter((n) => n.startsWith("manifest"))).toEqual([])
    await runShards({ job, count: 3, out: pod, env, shards: [2, 3], extra: () => ["--job-run", "k1"] })
    const merge = await runCliInProcess(["merge", pod(1), pod(2), pod(3), "--out", NodePath.join(base, "landing")], {
      env
    })
    expect(merge.code, merge.stderr).toBe(1)
    const message = merge.stderr.trimEnd()
    expect(message).toContain(
      `shard 1 of 3 (scheduler index 0) left no finished run of it in ${pod(2)}, ${pod(3)}, and ${pod(1)} holds no manifest, only the resume state of an unfinished run (answer-Revenue by Month.csv): most likely that shard's, which stopped before it finished; resume it in job run "k1" (spotpipe run ${job} --shard 1/3 --job-run k1 --out ${pod(1)} --resume), then merge again`
    )
    expect(NodeFs.existsSync(NodePath.join(base, "landing"))).toBe(false)
    // Run as printed, it finishes the shard in its folder.
    const resume = /\((spotpipe run .* --resume)\)/.exec(message)![1]!
    const resumed = await runPrinted(resume, root)
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(readJson(NodePath.join(pod(1), "manifest.shard-1-of-3.json")).job_run).toBe("k1")
    // Given alone, the folder is named as an unfinished run too, not as one without a manifest.
    await runNode([killAtStepPath, "checkpoint-written:1", "run", job, "--out", pod(4), "--shard", "1/3"], { env })
    const alone = await runCliInProcess(["merge", pod(4)], { env })
    expect(alone.code, alone.stderr).toBe(1)
    expect(alone.stderr).toContain(`${pod(4)} holds no manifest, only the resume state of an unfinished run (`)
    expect(alone.stderr).toContain(`--out ${pod(4)} --resume`)
  }, 120_000)

  it("a-load-of-one-shards-folder-names-the-folders-of-all-shards-and-the-command-works-as-printed", async () => {
    const base = NodePath.join(root, "load")
    NodeFs.mkdirSync(base)
    await runShards({
      job,
      count: 3,
      out: (i) => NodePath.join(base, "pods", `shard-${i - 1}`),
      env,
      extra: () => ["--job-run", "l1"]
    })
    const load = await runCli(["load", "./pods/shard-1", "--into", "duckdb:x.duckdb"], {
      env,
      cwd: base,
      withDuckDb: true
    })
    expect(load.code, load.stderr).toBe(2)
    const advice = /then load that folder: (mkdir -p .*) --into …$/m.exec(load.stderr)?.[1]
    expect(advice, load.stderr).toBe(
      "mkdir -p ./landing && cp -R ./pods/shard-0/* ./pods/shard-1/* ./pods/shard-2/* ./landing/ && spotpipe merge ./landing && spotpipe load ./landing"
    )
    const ran = await runPrinted(`${advice} --into duckdb:x.duckdb`, base, mainWithDuckDbPath)
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stdout).toMatch(/loaded 6 tables/)
    // Without the other shards' folders beside it, placeholders name them.
    NodeFs.mkdirSync(NodePath.join(base, "lone"))
    NodeFs.cpSync(NodePath.join(base, "pods", "shard-1"), NodePath.join(base, "lone", "shard-1"), { recursive: true })
    const lone = await runCliInProcess(["load", NodePath.join(base, "lone", "shard-1"), "--into", "duckdb:y.duckdb"])
    expect(lone.code, lone.stderr).toBe(2)
    expect(lone.stderr).toContain(
      `the folders of shards 1, 3 are not beside it: fill them in. Copy every shard's folder into one, join their runs there with spotpipe merge (it joins the parts of split exports too), then load that folder: mkdir -p ./landing && cp -R '<folder of shard 1>'/* ${NodePath.join(base, "lone", "shard-1")}/* '<folder of shard 3>'/* ./landing/`
    )
  }, 120_000)
})
