/**
 * A folder the shards of a job write into night after night (`spotpipe run job.json --shard i/N --job-run NIGHT
 * --out ./land --resume`, then `spotpipe merge ./land`): merge works from the shards' latest runs, never from an
 * older night's, and what a night leaves unmerged is not silently replaced by the next. Each night's data comes
 * from a sandbox of another size, as a growing cluster's does.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { csvLines, nightlyDefaults, nightlyExports, nightlyLayout } from "./support/nights.ts"
import { readJson } from "./support/shardRuns.ts"

const { root, night, writeJob } = nightlyLayout("spotpipe-merge-nightly-")

/** `spotpipe run <job> --shard i/2 --job-run <jobRun> --out <out> --resume` for each shard; each must exit 0. */
const runNight = async (
  job: string,
  out: string,
  jobRun: string,
  env: Record<string, string>,
  shards: ReadonlyArray<number> = [1, 2],
  extra: (i: number) => ReadonlyArray<string> = () => []
) => {
  for (const i of shards) {
    const run = await runCliInProcess(
      ["run", job, "--shard", `${i}/2`, "--job-run", jobRun, "--out", out, "--resume", "--quiet", ...extra(i)],
      { env }
    )
    expect(run.code, run.stderr).toBe(0)
  }
}

const lines = csvLines

describe("nightly merge into one folder", () => {
  it("a-job-that-dropped-its-split-merges-tonights-files-not-last-nights-parts", async () => {
    const exports = [
      { type: "answer", id: "Order Details", split: 2, output: "od" },
      { type: "metadata", metadataTypes: ["LOGICAL_TABLE"], output: "tables" }
    ]
    const jobC = writeJob("jobC.json", { defaults: { format: "csv", pageSize: 100 }, exports })
    const jobD = writeJob("jobD.json", {
      defaults: { format: "csv", pageSize: 100 },
      exports: exports.map(({ split: _, ...rest }) => rest)
    })
    const out = NodePath.join(root, "land")
    await runNight(jobC, out, "night1", await night(1000))
    const first = await runCliInProcess(["merge", out], { env: await night(1000) })
    expect(first.code, first.stderr).toBe(0)
    await runNight(jobD, out, "night2", await night(1200))
    expect(lines(NodePath.join(out, "od.csv"))).toBe(1201)
    for (const force of [[], ["--force"]]) {
      const merge = await runCliInProcess(["merge", out, ...force], { env: await night(1200) })
      expect(merge.code, merge.stderr).toBe(0)
      expect(merge.stdout).toMatch(/job run night2/)
      expect(lines(NodePath.join(out, "od.csv"))).toBe(1201)
      const manifest = readJson(NodePath.join(out, "manifest.json"))
      expect(manifest.job_run).toBe("night2")
      expect(manifest.job.file).toBe(jobD)
      const od = manifest.outputs.find((o: { file: string }) => o.file === "od.csv")
      expect(od.rows_written).toBe(1200)
      // Last night's parts are named as left out.
      expect(merge.stderr).toMatch(/od\.part-0001-of-0002\.csv.*left out|leaves (it|them) out/)
    }
  }, 120_000)

  it("a-nights-increment-no-merge-took-is-not-started-over-by-the-next-night", async () => {
    const exports = nightlyExports
    const defaults = nightlyDefaults
    const jobE0 = writeJob("jobE0.json", { defaults, exports: exports("9007199254740000") })
    const jobE = writeJob("jobE.json", { defaults, exports: exports("last") })
    const out = NodePath.join(root, "land5")
    const inc = NodePath.join(out, "orders_inc.csv")
    await runNight(jobE0, out, "n0", await night(1000))
    expect((await runCliInProcess(["merge", out], { env: await night(1000) })).code).toBe(0)
    // Night A: only shard 1 ran (it writes orders_inc), so the night is not merged.
    await runNight(jobE, out, "nA", await night(1100), [1])
    const nightA = NodeFs.readFileSync(inc)
    expect((await runCliInProcess(["merge", out], { env: await night(1100) })).code).toBe(1)
    // Night B: shard 1 refuses to start night A's increment over, writes its other outputs (none) and says how.
    const shard1 = await runCliInProcess(
      ["run", jobE, "--shard", "1/2", "--job-run", "nB", "--out", out, "--resume", "--quiet"],
      { env: await night(1200) }
    )
    expect(shard1.code, shard1.stderr).toBe(1)
    expect(shard1.stderr).toContain(`orders_inc.csv: ${out} holds the increment job run "nA" wrote (`)
    expect(shard1.stderr).toContain(
      `Finish and merge job run "nA" first: spotpipe run ${jobE} --shard 1/2 --job-run nA --out ${out} --resume && spotpipe run ${jobE} --shard 2/2 --job-run nA --out ${out} --resume && spotpipe merge ${out}; then run this shard again as now. Or, to drop that increment knowingly, run this shard with --force instead of --resume.`
    )
    expect(NodeFs.readFileSync(inc)).toEqual(nightA)
    // Following it: night A finishes and merges, then night B runs whole from night A's watermark.
    await runNight(jobE, out, "nA", await night(1200), [2])
    const mergedA = await runCliInProcess(["merge", out], { env: await night(1200) })
    expect(mergedA.code, mergedA.stderr).toBe(0)
    const manifestA = readJson(NodePath.join(out, "manifest.json"))
    expect(manifestA.job_run).toBe("nA")
    // Night A's increment is in a merged run, as it was written.
    expect(NodeFs.readFileSync(inc)).toEqual(nightA)
    expect(manifestA.outputs.find((o: { file: string }) => o.file === "orders_inc.csv").rows_written).toBe(
      lines(inc) - 1
    )
    await runNight(jobE, out, "nB", await night(1200))
    const mergedB = await runCliInProcess(["merge", out], { env: await night(1200) })
    expect(mergedB.code, mergedB.stderr).toBe(0)
    // Night B's increment starts at night A's maximum (its rows from 1100 on, the maximum read again).
    expect(lines(inc)).toBeGreaterThan(100)
    // The usual night (the last one merged) starts over quietly, as before.
    await runNight(jobE, out, "nC", await night(1200))
  }, 180_000)

  it("parts-read-before-and-after-the-result-grew-are-refused-with-a-command-that-mends-them", async () => {
    const job = writeJob("jobS.json", {
      defaults: { format: "csv", pageSize: 100 },
      exports: [{ type: "answer", id: "Order Details", split: 2, output: "od" }]
    })
    const out = NodePath.join(root, "grown")
    await runNight(job, out, "g1", await night(1000), [1])
    await runNight(job, out, "g1", await night(1100), [2])
    const merge = await runCliInProcess(["merge", out], { env: await night(1100) })
    expect(merge.code).toBe(1)
    expect(merge.stderr).toContain(
      `od.csv: od.part-0001-of-0002.csv (shard 1 of 2) was read when the result had 1000 rows, od.part-0002-of-0002.csv (shard 2 of 2) later when it had 1100: the data changed between the shards' runs, and a --resume keeps the earlier part as complete. Run shard 1 of 2 again with --force (spotpipe run ${job} --shard 1/2 --job-run g1 --out ${out} --force), or every shard again in a new job run (spotpipe run ${job} --shard <i>/2 --job-run <new-id> --out ${out} --resume for each i from 1 to 2), then merge again; nothing was written`
    )
    // The first way out, as printed, mends it.
    const command = /again with --force \((spotpipe run [^)]*)\)/.exec(merge.stderr)![1]!
    const rerun = await runCliInProcess([...command.split(" ").slice(1), "--quiet"], { env: await night(1100) })
    expect(rerun.code, rerun.stderr).toBe(0)
    const merged = await runCliInProcess(["merge", out], { env: await night(1100) })
    expect(merged.code, merged.stderr).toBe(0)
    expect(lines(NodePath.join(out, "od.csv"))).toBe(1101)
  }, 120_000)

  it("shards-run-with-different-command-line-settings-are-refused-for-files-that-are-not-parts", async () => {
    const job = writeJob("jobN.json", {
      defaults: { format: "csv", pageSize: 100 },
      exports: [
        { type: "answer", id: "Order Details", output: "od" },
        { type: "answer", id: "Revenue by Month", output: "rbm" }
      ]
    })
    const out = NodePath.join(root, "newlines")
    const env = await night(1000)
    await runNight(job, out, "k1", env, [1], () => ["--newline", "lf"])
    await runNight(job, out, "k1", env, [2])
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code).toBe(1)
    expect(merge.stderr).toContain(
      `were run with different settings that only the command line sets — shard 2 of 2: newline "\\r\\n"; shard 1 of 2: newline "\\n" — so the merged run would hold files written two ways: run shard 1 again as the newest run (shard 2 of 2) ran (spotpipe run ${job} --shard 1/2 --job-run k1 --out ${out} --resume), then merge again; nothing was written`
    )
    expect(NodeFs.existsSync(NodePath.join(out, "manifest.json"))).toBe(false)
    const command = /ran \((spotpipe run [^)]*)\)/.exec(merge.stderr)![1]!
    const rerun = await runCliInProcess([...command.split(" ").slice(1), "--quiet"], { env })
    expect(rerun.code, rerun.stderr).toBe(0)
    const merged = await runCliInProcess(["merge", out], { env })
    expect(merged.code, merged.stderr).toBe(0)
    const newlines = readJson(NodePath.join(out, "manifest.json")).outputs.map(
      (o: { settings: { newline: string } }) => o.settings.newline
    )
    expect(newlines).toEqual(["\r\n", "\r\n"])
  }, 120_000)

  it("a-load-of-last-nights-merge-over-tonights-unmerged-shards-says-to-merge-them", async () => {
    const job = writeJob("jobL.json", {
      defaults: { format: "csv", pageSize: 100 },
      exports: [
        { type: "answer", id: "Order Details", output: "od" },
        { type: "metadata", metadataTypes: ["LOGICAL_TABLE"], output: "tables" }
      ]
    })
    const out = NodePath.join(root, "loads")
    await runNight(job, out, "l1", await night(1000))
    expect((await runCliInProcess(["merge", out], { env: await night(1000) })).code).toBe(0)
    await runNight(job, out, "l2", await night(1200))
    const into = `duckdb:${NodePath.join(root, "loads.duckdb")}`
    const load = await runCliInProcess(["load", out, "--into", into], { env: await night(1200) })
    expect(load.code).toBe(1)
    expect(load.stderr).toMatch(
      new RegExp(
        `od\\.csv is not the file this manifest describes: shard \\d of 2 of job run "l2" wrote it after this merged run, and its shards are not merged yet: join them with spotpipe merge ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, then load the folder`
      )
    )
    expect((await runCliInProcess(["merge", out], { env: await night(1200) })).code).toBe(0)
    const loaded = await runCliInProcess(["load", out, "--into", into], { env: await night(1200) })
    expect(loaded.code, loaded.stderr).toBe(0)
  }, 120_000)
})
