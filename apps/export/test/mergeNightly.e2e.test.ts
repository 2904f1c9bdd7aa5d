/**
 * A folder the shards of a job write into night after night (`spotpipe run job.json --shard i/N --job-run NIGHT
 * --out ./land --resume`, then `spotpipe merge ./land`): merge works from the shards' latest runs, never from an
 * older night's, and what a night leaves unmerged is not silently replaced by the next. Each night's data comes
 * from a sandbox of another size, as a growing cluster's does.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { readJson } from "./support/shardRuns.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-merge-nightly-"))
let sandbox: RunningSandbox | undefined
let rowsNow = 0
/**
 * The environment of the sandbox, holding `rows` rows: restarted on the same port when it held another number, so
 * the runs read one cluster (its host) whose data grew, as the watermarks of incremental exports require.
 */
const night = async (rows: number) => {
  if (sandbox === undefined || rowsNow !== rows) {
    const port = sandbox === undefined ? undefined : Number(new URL(sandbox.url).port)
    await sandbox?.close()
    sandbox = await startSandbox({ rows, ...(port === undefined ? {} : { port }) })
    rowsNow = rows
  }
  return sandboxEnv(sandbox)
}

const writeJob = (name: string, job: unknown) => {
  const path = NodePath.join(root, name)
  NodeFs.writeFileSync(path, JSON.stringify(job))
  return path
}

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

const lines = (file: string) =>
  NodeFs.readFileSync(file, "utf8")
    .split("\r\n")
    .filter((l) => l !== "").length

beforeAll(async () => {
  await night(1000)
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

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
    const exports = (since: string) => [
      {
        type: "search",
        table: "Orders",
        query: "[Order ID] [Revenue] sort by [Order ID]",
        output: "orders_inc",
        sinceColumn: "Order ID",
        since
      },
      { type: "answer", id: "Revenue by Month", output: "rbm" }
    ]
    const defaults = { format: "csv", pageSize: 500 }
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
      `Finish and merge job run "nA" first: spotpipe run ${jobE} --shard 2/2 --job-run nA --out ${out} --resume && spotpipe merge ${out}; then run this shard again as now. Or, to drop that increment knowingly, run this shard with --force instead of --resume.`
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
})
