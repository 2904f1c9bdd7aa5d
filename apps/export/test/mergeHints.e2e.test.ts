/**
 * Every command `spotpipe merge` tells the user to run works as printed: a shard that never ran, a shard's other
 * output or a part file changed since it was written — each refusal names the shard's command line with its job
 * run and the flags its files were written with, and running exactly that, then merging again, merges. A sharded
 * run of a job without "split" merges too (the shards' manifests into one run manifest), so the folder loads.
 * Runs are in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { readJson, runShards, wholeFiles } from "./support/shardRuns.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-merge-hints-"))
let sandbox: RunningSandbox
let env: Record<string, string>

const exports = [
  { type: "metadata", metadataTypes: ["ANSWER"] },
  { type: "answer", id: "Order Details", sort: [{ column: "Order ID" }], split: 3 },
  {
    type: "search",
    table: "Orders",
    query: "[Order ID] [Region] [Revenue] sort by [Order ID]",
    format: "ndjson",
    split: 2
  },
  { type: "answer", id: "Revenue by Month" }
]

const writeJob = (name: string, job: unknown) => {
  const path = NodePath.join(root, name)
  NodeFs.writeFileSync(path, JSON.stringify(job))
  return path
}

/** The `spotpipe run …` command a refusal names (in parentheses, up to `;`, ` writes` or `)`), as arguments. */
const hintedRun = (message: string): ReadonlyArray<string> => {
  const command = /\((spotpipe run .*?)(?:;| writes |\))/.exec(message)?.[1]
  expect(command, message).toBeDefined()
  return command!.split(" ").slice(1)
}

/** Runs the hinted command as printed (with --quiet); it must succeed. */
const runHint = async (message: string) => {
  const run = await runCliInProcess([...hintedRun(message), "--quiet"], { env })
  expect(run.code, run.stderr).toBe(0)
}

let job: string
/** A single run's whole files, written with `--newline lf` as the shards are. */
let single: Record<string, Buffer>

/** The three shards of the job into `out`, in job run `jobRun`, with `--newline lf`. */
const allShards = (out: string, jobRun: string) =>
  runShards({ job, count: 3, out: () => out, env, extra: () => ["--job-run", jobRun, "--newline", "lf"] })

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 600, seed: 5 })
  env = sandboxEnv(sandbox)
  const unsplit = {
    defaults: { pageSize: 70 },
    exports: exports.map(({ split: _, ...rest }) => rest)
  }
  const out = NodePath.join(root, "single")
  const run = await runCliInProcess(
    ["run", writeJob("unsplit.json", unsplit), "--out", out, "--quiet", "--newline", "lf"],
    { env }
  )
  expect(run.code, run.stderr).toBe(0)
  single = wholeFiles(out)
  job = writeJob("job2.json", { defaults: { pageSize: 70 }, exports })
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("merge's hints", () => {
  it("a-missing-shard-is-named-with-its-job-run-and-flags-and-running-that-merges", async () => {
    const out = NodePath.join(root, "missing")
    await runShards({
      job,
      count: 3,
      out: () => out,
      env,
      shards: [1, 3],
      extra: () => ["--job-run", "n3", "--newline", "lf"]
    })
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stdout).toBe(1)
    expect(merge.stderr).toContain(
      `shard 2 of 3 (scheduler index 1) left no run of it in ${out}: run it in job run "n3" (spotpipe run ${job} --shard 2/3 --job-run n3 --out ${out} --newline lf --resume)`
    )
    await runHint(merge.stderr)
    const merged = await runCliInProcess(["merge", out], { env })
    expect(merged.code, merged.stderr).toBe(0)
    expect(wholeFiles(out)).toEqual(single)
    expect(readJson(NodePath.join(out, "manifest.json")).job_run).toBe("n3")
  }, 120_000)

  it("a-changed-output-beside-the-parts-is-named-with-the-command-that-rewrites-it-in-its-job-run", async () => {
    const out = NodePath.join(root, "changed-output")
    await allShards(out, "n2")
    expect((await runCliInProcess(["merge", out, "--quiet"], { env })).code).toBe(0)
    const file = NodePath.join(out, "metadata-answer.csv")
    NodeFs.appendFileSync(file, "Z")
    const merge = await runCliInProcess(["merge", out, "--force"], { env })
    expect(merge.code, merge.stdout).toBe(1)
    expect(merge.stderr).toContain(
      `${file} is not the file shard 1 of 3 of the job recorded (it changed since), so the merged run could not list it: run that shard again (spotpipe run ${job} --shard 1/3 --job-run n2 --out ${out} --newline lf --resume writes that file again and keeps the rest) and merge again with --force; nothing was written`
    )
    await runHint(merge.stderr)
    // Only the changed file was written again: the shard's parts were kept.
    const rerun = readJson(NodePath.join(out, "manifest.shard-1-of-3.json"))
    expect(rerun.job_run).toBe("n2")
    expect(
      Object.fromEntries(rerun.outputs.map((o: { file: string; resume: string }) => [o.file, o.resume]))
    ).toMatchObject({ "metadata-answer.csv": "written", "answer-Order Details.part-0003-of-0003.csv": "skipped" })
    const merged = await runCliInProcess(["merge", out, "--force"], { env })
    expect(merged.code, merged.stderr).toBe(0)
    expect(wholeFiles(out)).toEqual(single)
  }, 120_000)

  it("a-changed-part-is-named-with-its-shard-and-the-command-that-rewrites-only-it", async () => {
    const out = NodePath.join(root, "changed-part")
    await allShards(out, "n1")
    expect((await runCliInProcess(["merge", out, "--quiet"], { env })).code).toBe(0)
    const name = "search-Orders.part-0002-of-0002.ndjson"
    const writer = [1, 2, 3].find((i) =>
      readJson(NodePath.join(out, `manifest.shard-${i}-of-3.json`)).outputs.some(
        (o: { file: string }) => o.file === name
      )
    )!
    NodeFs.appendFileSync(NodePath.join(out, name), "Z")
    const merge = await runCliInProcess(["merge", out, "--force"], { env })
    expect(merge.code, merge.stdout).toBe(1)
    expect(merge.stderr).toContain(
      `: it changed after it was written. It is part 2 of 2 of search-Orders.ndjson, written by shard ${writer} of 3 of the job in job run "n1": run that shard again (spotpipe run ${job} --shard ${writer}/3 --job-run n1 --out ${out} --newline lf --resume writes that part again and keeps the rest), then merge again with --force; nothing was written`
    )
    await runHint(merge.stderr)
    const rerun = readJson(NodePath.join(out, `manifest.shard-${writer}-of-3.json`))
    for (const o of rerun.outputs as ReadonlyArray<{ file: string; resume: string }>) {
      expect([o.file, o.resume]).toEqual([o.file, o.file === name ? "written" : "skipped"])
    }
    const merged = await runCliInProcess(["merge", out, "--force"], { env })
    expect(merged.code, merged.stderr).toBe(0)
    expect(wholeFiles(out)).toEqual(single)
  }, 120_000)

  it("a-part-that-failed-in-its-shard-is-named-with-the-command-that-writes-it", async () => {
    const out = NodePath.join(root, "failed-part")
    await allShards(out, "n4")
    // What a shard whose part failed leaves: the export failed in its manifests, no entry and no file.
    const name = "answer-Order Details.part-0002-of-0003.csv"
    const writer = [1, 2, 3].find((i) =>
      readJson(NodePath.join(out, `manifest.shard-${i}-of-3.json`)).outputs.some(
        (o: { file: string }) => o.file === name
      )
    )!
    const copy = readJson(NodePath.join(out, `manifest.shard-${writer}-of-3.json`))
    const failed = {
      ...copy,
      outputs: copy.outputs.filter((o: { file: string }) => o.file !== name),
      exports: copy.exports.map((e: { export: string; files: ReadonlyArray<string> }) =>
        e.files.includes(name) ? { ...e, status: "failed", error: "the cluster went away", files: [] } : e
      )
    }
    for (const file of [`manifest.shard-${writer}-of-3.json`, `manifest-${copy.run_id}.json`]) {
      NodeFs.writeFileSync(NodePath.join(out, file), JSON.stringify(failed))
    }
    NodeFs.rmSync(NodePath.join(out, name))
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stdout).toBe(1)
    expect(merge.stderr).toContain(
      `answer-Order Details.csv: 1 of its 3 parts are missing (part 2): part 2 failed in shard ${writer} of 3's latest run: run that shard again (spotpipe run ${job} --shard ${writer}/3 --job-run n4 --out ${out} --newline lf --resume) and merge again`
    )
    await runHint(merge.stderr)
    const merged = await runCliInProcess(["merge", out], { env })
    expect(merged.code, merged.stderr).toBe(0)
    expect(wholeFiles(out)).toEqual(single)
  }, 120_000)

  it("a-damaged-manifest-of-a-shards-latest-run-is-named-with-the-job-run-to-run-it-in", async () => {
    const out = NodePath.join(root, "damaged")
    await allShards(out, "n5")
    // A run manifest torn after every shard's run: it may be a shard's latest.
    const torn = NodePath.join(out, "manifest-29991231T235959999Z-ffff.json")
    NodeFs.writeFileSync(torn, '{"spotpipe": "0.1.0", "run_id"')
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stdout).toBe(1)
    expect(merge.stderr).toContain(
      `${torn} is not a spotpipe manifest (torn, damaged or not a file), of a run that may be a shard's latest: merging without it could take that shard's parts from an earlier run; run that shard again in job run "n5" (with --job-run n5 and --resume, or --force), restore the file from a copy`
    )
  }, 120_000)

  it("an-export-that-failed-in-a-shard-is-named-with-the-command-that-runs-it-again", async () => {
    const failing = writeJob("failing.json", {
      defaults: { pageSize: 70 },
      exports: [
        { type: "answer", id: "Order Details", split: 2 },
        { type: "answer", id: "No Such Answer" }
      ]
    })
    const out = NodePath.join(root, "failing")
    for (const i of [1, 2]) {
      await runCliInProcess(["run", failing, "--out", out, "--quiet", "--shard", `${i}/2`, "--job-run", "f"], { env })
    }
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(merge.stderr).toContain(
      `1 of the job's exports failed in the shards' latest runs (answer-No Such Answer): the merged run records them as failed, and load refuses it; run that shard again (spotpipe run ${failing} --shard 1/2 --job-run f --out ${out} --resume), then merge again with --force`
    )
  }, 120_000)

  it("a-sharded-run-without-split-exports-merges-into-one-run-that-loads", async () => {
    const small = writeJob("job5.json", { exports: [{ type: "answer", id: "Revenue by Month", format: "ndjson" }] })
    const out = NodePath.join(root, "unsplit-shards")
    const shards = { job: small, count: 3, env, extra: () => ["--job-run", "e"] }
    await runShards({ ...shards, out: () => out })
    const into = `duckdb:${NodePath.join(root, "e3.duckdb")}`
    const before = await runCliInProcess(["load", out, "--into", into], { env })
    expect(before.code).toBe(2)
    expect(before.stderr).toContain(`join their runs into one with spotpipe merge ${out}`)
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(merge.stdout).toBe(
      `joined the runs of 3 shards of job run e in ${out} (no split export to merge): its run lists the job's 1 output\n`
    )
    const manifest = readJson(NodePath.join(out, "manifest.json"))
    expect(manifest).toMatchObject({ command: "merge", job_run: "e", shard: null })
    expect(manifest.outputs.map((o: { file: string }) => o.file)).toEqual(["answer-Revenue by Month.ndjson"])
    const load = await runCliInProcess(["load", out, "--into", into, "--quiet"], { env })
    expect(load.code, load.stderr).toBe(0)
    // Shards in folders of their own: a merge elsewhere would list none of their files, so it says what works.
    await runShards({ ...shards, out: (i) => NodePath.join(root, `own-${i}`) })
    const landing = NodePath.join(root, "own-landing")
    NodeFs.mkdirSync(landing)
    const apart = await runCliInProcess(
      ["merge", ...[1, 2, 3].map((i) => NodePath.join(root, `own-${i}`)), "--out", landing],
      { env }
    )
    expect(apart.code).toBe(2)
    expect(apart.stderr).toContain("wrote no part files, and shards 1, 2, 3 wrote into another folder than")
    expect(apart.stderr).toContain("copy the shard folders' files into one folder")
    expect(NodeFs.readdirSync(landing)).toEqual([])
  }, 120_000)

  it("a-folder-whose-newest-run-is-unsharded-is-not-merged-from-older-shard-runs", async () => {
    const small = writeJob("job6.json", { exports: [{ type: "answer", id: "Revenue by Month", format: "ndjson" }] })
    const out = NodePath.join(root, "unsharded-last")
    await runShards({ job: small, count: 2, env, out: () => out, extra: () => ["--job-run", "old"] })
    const whole = await runCliInProcess(["run", small, "--out", out, "--quiet", "--force"], { env })
    expect(whole.code, whole.stderr).toBe(0)
    const latest = NodeFs.readFileSync(NodePath.join(out, "manifest.json"))
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code).toBe(2)
    expect(merge.stderr).toContain(
      `no part files in ${out}, and the newest run there is not a shard's: merge joins the parts of exports split with "split": K in a job file, and the runs of a job's shards (spotpipe run --shard); a run that is neither loads as it is (spotpipe load <its folder>)`
    )
    expect(NodeFs.readFileSync(NodePath.join(out, "manifest.json"))).toEqual(latest)
  }, 120_000)
})
