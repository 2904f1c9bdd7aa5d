/**
 * `spotpipe merge` never joins shards of two runs of a job: the shards of one run share a job run id (`spotpipe run
 * --job-run`, or `SPOTPIPE_JOB_RUN`), recorded in their manifests. A folder the shards write into night after night,
 * where one shard did not run tonight, is refused naming that shard and the night its latest run is of; tonight's
 * shards together merge, and the merged run records the id. A shard resumed in its job run continues its files; one
 * resumed in another job run writes them anew. Without ids, shard runs that started far apart are refused too.
 * Runs are in-process; real processes are only the runs killed or interrupted mid-export.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { killAtStepPath as killAtStep, pauseAtStepPath as pauseAtStep, runNode } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { readJson, runShards as runShardsOf, wholeFiles } from "./support/shardRuns.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-merge-job-run-"))
let sandbox: RunningSandbox
let env: Record<string, string>

const exports = [
  { type: "answer", id: "Order Details", split: 3 },
  { type: "search", table: "Orders", query: "[Order ID] [Region] [Revenue]", format: "ndjson", split: 2 },
  { type: "metadata", metadataTypes: ["ANSWER"] }
]

const writeJob = (name: string, job: unknown) => {
  const path = NodePath.join(root, name)
  NodeFs.writeFileSync(path, JSON.stringify(job))
  return path
}

let single: Record<string, Buffer>
let job: string

/** Runs the given shards of the job (of 3) into `out`, each with `extra` flags and `jobRun` in SPOTPIPE_JOB_RUN. */
const runShards = (
  out: string,
  shards: ReadonlyArray<number>,
  jobRun: string | undefined,
  extra: ReadonlyArray<string> = []
) =>
  runShardsOf({
    job,
    count: 3,
    out: () => out,
    shards,
    env: jobRun === undefined ? env : { ...env, SPOTPIPE_JOB_RUN: jobRun },
    extra: () => extra
  })

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 600, seed: 11 })
  env = sandboxEnv(sandbox)
  const out = NodePath.join(root, "single")
  const unsplit = { defaults: { pageSize: 70 }, exports: exports.map(({ split: _, ...rest }) => rest) }
  const run = await runCliInProcess(["run", writeJob("unsplit.json", unsplit), "--out", out, "--quiet"], { env })
  expect(run.code, run.stderr).toBe(0)
  single = wholeFiles(out)
  job = writeJob("nightly.json", { defaults: { pageSize: 70 }, exports })
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("merge and job runs", () => {
  it("a-shard-that-did-not-run-tonight-is-refused-not-taken-from-last-night", async () => {
    const out = NodePath.join(root, "nightly")
    await runShards(out, [1, 2, 3], "night-1")
    // Tonight, into the same folder (--force replaces last night's files): shard 3's pod never started.
    await runShards(out, [1, 2], "night-2", ["--force"])
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stdout).toBe(1)
    expect(merge.stderr).toMatch(
      /its newest run is of job run "night-2", but shard 3 of 3 \(scheduler index 2\) left no run of it in .*\. The shards' runs are of 2 job runs — job run "night-2": shards 1, 2 \(its latest run started \S+, the newest\); job run "night-1": shard 3 \(its latest run started \S+\) — and merging them would mix their data\. To merge job run "night-2", run shard 3 in it \(spotpipe run .*nightly\.json --shard 3\/3 --job-run night-2 --out \S*nightly --resume\).*nothing was written/
    )
    // Nothing was written: no merged file, and the folder's latest manifest is still a shard's.
    expect(wholeFiles(out)).toEqual({ "metadata-answer.csv": expect.any(Buffer) })
    expect(NodeFs.existsSync(NodePath.join(out, "manifest.json"))).toBe(false)
    expect(readJson(NodePath.join(out, "manifest.shard-1-of-3.json")).job_run).toBe("night-2")
    // Shard 3 runs tonight (a --resume, as a retried pod runs): the night merges whole.
    await runShards(out, [3], "night-2", ["--resume"])
    const merged = await runCliInProcess(["merge", out], { env })
    expect(merged.code, merged.stderr).toBe(0)
    expect(merged.stdout).toMatch(/\nmerged 2 files \(5 parts\), [\d,]+ rows of job run night-2 in .*nightly; its run/)
    expect(wholeFiles(out)).toEqual(single)
    const manifest = readJson(NodePath.join(out, "manifest.json"))
    expect(manifest.command).toBe("merge")
    expect(manifest.job_run).toBe("night-2")
    expect(manifest.outputs.map((o: { file: string }) => o.file).sort()).toEqual(Object.keys(single).sort())
  }, 120_000)

  it("a-stray-shard-rerun-with-another-job-run-is-named-with-both-job-runs-and-both-ways-out", async () => {
    const out = NodePath.join(root, "stray")
    await runShards(out, [1, 2, 3], "night-5")
    // Shard 2 run again by hand, with a wrong id: its run is now the newest of the job.
    await runShards(out, [2], "night-5x", ["--force"])
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stdout).toBe(1)
    const message = merge.stderr.trimEnd()
    expect(message).toMatch(
      /its newest run is of job run "night-5x", but shards 1, 3 of 3 \(scheduler index 0, 2\) left no run of it in .*\. The shards' runs are of 2 job runs — job run "night-5x": shard 2 \(its latest run started (\S+), the newest\); job run "night-5": shards 1, 3 \(its latest run started (\S+)\) — and merging them would mix their data\./
    )
    expect(message).toContain(
      `To merge job run "night-5x", run shards 1, 3 in it (spotpipe run ${job} --shard <i>/3 --job-run night-5x --out ${out} --resume, for i = 1, 3); if instead job run "night-5x" is a stray (a shard run by hand with another --job-run), run shard 2 in job run "night-5" (spotpipe run ${job} --shard 2/3 --job-run night-5 --out ${out} --resume); then merge again; nothing was written`
    )
    // The second way out: shard 2 run in night-5 again, and the night merges whole.
    await runShards(out, [2], "night-5", ["--resume"])
    const merged = await runCliInProcess(["merge", out], { env })
    expect(merged.code, merged.stderr).toBe(0)
    expect(wholeFiles(out)).toEqual(single)
    expect(readJson(NodePath.join(out, "manifest.json")).job_run).toBe("night-5")
  }, 120_000)

  it("shards-of-one-job-run-merge-and-record-it", async () => {
    // --job-run on the command line, each shard in a folder of its own.
    const folder = (i: number) => NodePath.join(root, `own-${i}`)
    for (const i of [1, 2, 3]) {
      const run = await runCliInProcess(
        ["run", job, "--out", folder(i), "--quiet", "--shard", `${i}/3`, "--job-run", "spotpipe-nightly-29421240"],
        { env }
      )
      expect(run.code, run.stderr).toBe(0)
      expect(readJson(NodePath.join(folder(i), `manifest.shard-${i}-of-3.json`)).job_run).toBe(
        "spotpipe-nightly-29421240"
      )
    }
    const out = NodePath.join(root, "own-merged")
    NodeFs.mkdirSync(out)
    const merge = await runCliInProcess(["merge", folder(1), folder(2), folder(3), "--out", out, "--json"], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(JSON.parse(merge.stdout).merge.job_run).toBe("spotpipe-nightly-29421240")
    expect(readJson(NodePath.join(out, "manifest.json")).job_run).toBe("spotpipe-nightly-29421240")
    const { "metadata-answer.csv": _, ...splitOnes } = single
    expect(wholeFiles(out)).toEqual(splitOnes)
  }, 120_000)

  it("a-shard-resumed-in-its-job-run-continues-and-merges-and-in-another-starts-over", async () => {
    const out = NodePath.join(root, "killed")
    // Shard 1's first export is part 1 of "Order Details" (pages 1-3): killed after its second page.
    const kill = (folder: string) =>
      runNode(
        [killAtStep, "checkpoint-written:2", "run", job, "--out", folder, "--shard", "1/3", "--concurrency", "1"],
        { env: { ...env, SPOTPIPE_JOB_RUN: "night-7" } }
      )
    const killed = await kill(out)
    expect(killed.signal, killed.stderr).toBe("SIGKILL")
    // The retried pod has the same id.
    await runShards(out, [1, 2, 3], "night-7", ["--resume"])
    const resumed = readJson(NodePath.join(out, "manifest.shard-1-of-3.json"))
    expect(resumed.job_run).toBe("night-7")
    const part = resumed.outputs.find((o: { file: string }) => o.file === "answer-Order Details.part-0001-of-0003.csv")
    expect(part.resume).toBe("continued")
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(wholeFiles(out)).toEqual(single)
    expect(readJson(NodePath.join(out, "manifest.json")).job_run).toBe("night-7")
    // A --resume in another job run does not continue the file the killed run began: it writes it anew.
    const other = NodePath.join(root, "killed-other")
    expect((await kill(other)).signal).toBe("SIGKILL")
    const next = await runCliInProcess(
      ["run", job, "--out", other, "--shard", "1/3", "--resume", "--job-run", "night-8"],
      { env }
    )
    expect(next.code, next.stderr).toBe(0)
    expect(next.stderr).toContain(
      "answer-Order Details.part-0001-of-0003.csv: the job run (--job-run) changed since the interrupted run (night-7 → night-8): starting over"
    )
    const written = readJson(NodePath.join(other, "manifest.shard-1-of-3.json")).outputs.find(
      (o: { file: string }) => o.file === "answer-Order Details.part-0001-of-0003.csv"
    )
    expect(written.resume).toBe("written")
  }, 120_000)

  it("the-resume-hint-of-an-interrupted-shard-names-its-job-run-and-continues-it", async () => {
    const out = NodePath.join(root, "interrupted")
    const hold = NodePath.join(root, "interrupted.hold")
    const run = runNode(
      [pauseAtStep, "checkpoint-written", hold, "run", job, "--out", out, "--shard", "1/3", "--concurrency", "1"],
      { env: { ...env, SPOTPIPE_JOB_RUN: "night-9" } }
    )
    while (!NodeFs.existsSync(hold)) await new Promise((resolve) => setTimeout(resolve, 20))
    process.kill(Number(NodeFs.readFileSync(hold, "utf8")), "SIGINT")
    NodeFs.rmSync(hold)
    const interrupted = await run
    expect(interrupted.code, interrupted.stderr).toBe(130)
    const hint = /^run "(.*)" to continue$/.exec(interrupted.stderr.trimEnd().split("\n").at(-1) ?? "")?.[1]
    expect(hint).toBe(`spotpipe run ${job} --out ${out} --shard 1/3 --job-run night-9 --concurrency 1 --resume`)
    // Run as printed, without the variable: the same job run, so the partial file is continued.
    const resumed = await runCliInProcess(hint!.split(" ").slice(1), { env })
    expect(resumed.code, resumed.stderr).toBe(0)
    const manifest = readJson(NodePath.join(out, "manifest.shard-1-of-3.json"))
    expect(manifest.job_run).toBe("night-9")
    expect(manifest.outputs[0].resume).toBe("continued")
  }, 120_000)

  it("a-resume-in-a-new-job-run-writes-anew-what-the-last-one-wrote", async () => {
    // One folder for every night, run with --resume: a new night's id does not keep last night's files.
    const out = NodePath.join(root, "resume-nightly")
    await runShards(out, [1], "night-1", ["--resume"])
    const next = await runCliInProcess(["run", job, "--out", out, "--shard", "1/3", "--resume"], {
      env: { ...env, SPOTPIPE_JOB_RUN: "night-2" }
    })
    expect(next.code, next.stderr).toBe(0)
    expect(next.stderr).toContain(
      "answer-Order Details.part-0001-of-0003.csv: the job run (--job-run) changed since its output was written (night-1 → night-2): starting over"
    )
    const tonight = readJson(NodePath.join(out, "manifest.shard-1-of-3.json"))
    expect(tonight.job_run).toBe("night-2")
    expect(tonight.outputs.map((o: { resume: string }) => o.resume)).toEqual(["written", "written"])
    expect(tonight.outputs.map((o: { settings: { jobRun: string } }) => o.settings.jobRun)).toEqual([
      "night-2",
      "night-2"
    ])
    // The same night's retry keeps them.
    await runShards(out, [1], "night-2", ["--resume"])
    const retried = readJson(NodePath.join(out, "manifest.shard-1-of-3.json"))
    expect(retried.outputs.map((o: { resume: string }) => o.resume)).toEqual(["skipped", "skipped"])
  }, 120_000)

  it("shards-without-a-job-run-that-started-far-apart-are-refused", async () => {
    const out = NodePath.join(root, "no-ids")
    await runShards(out, [1, 2, 3], undefined)
    // Shard 2's latest run is of the night before: its manifests (the run's own and the copy) say it started 30
    // hours earlier.
    for (const name of NodeFs.readdirSync(out).filter((n) => n.startsWith("manifest"))) {
      const manifest = readJson(NodePath.join(out, name))
      if (manifest.shard?.index !== 2) continue
      const earlier = new Date(Date.parse(manifest.started_at) - 30 * 3_600_000).toISOString()
      NodeFs.writeFileSync(NodePath.join(out, name), JSON.stringify({ ...manifest, started_at: earlier }))
    }
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code).toBe(1)
    expect(merge.stderr).toMatch(
      /the latest runs of the 3 shards of the job .*nightly\.json .* have no job run id and started 30 h apart \(shard 2 of 3 at \S+, shard \d of 3 at \S+\), more than 12 h: they are most likely of different runs .* Run every shard of one run again with the same --job-run ID .* merge with --max-spread 31; nothing was written/
    )
    expect(NodeFs.existsSync(NodePath.join(out, "manifest.json"))).toBe(false)
    // Shards of one run that started close together merge as before, and a wider spread can be allowed.
    const allowed = await runCliInProcess(["merge", out, "--max-spread", "31"], { env })
    expect(allowed.code, allowed.stderr).toBe(0)
    expect(wholeFiles(out)).toEqual(single)
    expect(readJson(NodePath.join(out, "manifest.json")).job_run).toBeUndefined()
    expect(allowed.stdout).toMatch(/\nmerged 2 files \(5 parts\), [\d,]+ rows in /)
    const bad = await runCliInProcess(["merge", out, "--max-spread", "soon"], { env })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--max-spread "soon" is not a number of hours above 0')
  }, 120_000)

  it("a-job-run-id-that-is-not-an-id-is-a-usage-error", async () => {
    const out = NodePath.join(root, "bad-id")
    const flag = await runCliInProcess(["run", job, "--out", out, "--shard", "1/3", "--job-run", "night 1"], { env })
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain("--job-run must be 1 to 128 letters, digits or . _ - : + = @ /")
    const variable = await runCliInProcess(["run", job, "--out", out, "--shard", "1/3"], {
      env: { ...env, SPOTPIPE_JOB_RUN: "a\u001b[2Jb" }
    })
    expect(variable.code).toBe(2)
    expect(variable.stderr).toContain("SPOTPIPE_JOB_RUN must be 1 to 128 letters")
    // Set but empty or blank (a Kubernetes fieldRef to a label the Job lacks): refused, not taken as no job run.
    for (const blank of ["", "  "]) {
      const empty = await runCliInProcess(["run", job, "--out", out, "--shard", "1/3", "--resume"], {
        env: { ...env, SPOTPIPE_JOB_RUN: blank }
      })
      expect(empty.code).toBe(2)
      expect(empty.stderr).toContain(`SPOTPIPE_JOB_RUN is set but ${blank === "" ? "empty" : "blank"}`)
    }
    // An AWS Batch parameter the submission left out would be the same id every night.
    const unset = await runCliInProcess(["run", job, "--out", out, "--shard", "1/3", "--job-run", "Ref::jobRun"], {
      env
    })
    expect(unset.code).toBe(2)
    expect(unset.stderr).toContain('--job-run is "Ref::jobRun", an AWS Batch parameter the job submission did not give')
    expect(NodeFs.existsSync(out)).toBe(false)
  })
})
