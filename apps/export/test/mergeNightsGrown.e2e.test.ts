/**
 * The nightly layout's state across nights (`spotpipe run job.json --shard i/N --job-run NIGHT --out ./land
 * --resume`, then `spotpipe merge ./land`): a shard refused because last night's increment is not merged leaves
 * that night's state as it was, so finishing last night continues it exactly and loses no rows.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { csvLines, nightlyDefaults, nightlyExports, nightlyLayout, nightlySplit } from "./support/nights.ts"
import { readJson } from "./support/shardRuns.ts"

const { root, night, writeJob, runNight } = nightlyLayout("spotpipe-merge-nights-grown-")
const exports = nightlyExports
const defaults = nightlyDefaults
const lines = csvLines

describe("nightly merge of parts read before and after the result grew", () => {
  it("the way-out-merge-prints-keeps-the-increment-a-shard-holds", async () => {
    const split = nightlySplit
    const first = writeJob("first.json", { defaults, exports: [...exports("9007199254740000"), split] })
    const job = writeJob("job.json", { defaults, exports: [...exports("last"), split] })
    const out = NodePath.join(root, "land")
    const inc = NodePath.join(out, "orders_inc.csv")
    await runNight(first, out, "n1", await night(1000))
    expect((await runCliInProcess(["merge", out, "--force"], { env: await night(1000) })).code).toBe(0)
    // Night 2: shard 1 (orders_inc and the split's first part) before the result grew, shard 2 after.
    await runNight(job, out, "n2", await night(1100), [1])
    const night2 = NodeFs.readFileSync(inc)
    await runNight(job, out, "n2", await night(1200), [2])
    const merge = await runCliInProcess(["merge", out, "--force"], { env: await night(1200) })
    expect(merge.code).toBe(1)
    const part = NodePath.join(out, "orders_full.part-0001-of-0002.csv")
    expect(merge.stderr).toContain(
      `the data changed between the shards' runs, and a --resume keeps the earlier part as complete. Remove that part and run shard 1 of 2 again with --resume, which reads it anew and keeps its other outputs (rm ${part} && spotpipe run ${job} --shard 1/2 --job-run n2 --out ${out} --resume), then merge again with --force. Not --force: it would read orders_inc.csv again from its newest watermark and drop the rows this run read; nothing was written`
    )
    expect(merge.stderr).not.toMatch(/--force \(spotpipe run/)
    // The way out, as printed, mends it and keeps night 2's increment.
    const [rm, rerun] = /\((rm [^)]*)\)/.exec(merge.stderr)![1]!.split(" && ")
    for (const file of rm!.split(" ").slice(1)) NodeFs.rmSync(file)
    const again = await runCliInProcess([...rerun!.split(" ").slice(1), "--quiet"], { env: await night(1200) })
    expect(again.code, again.stderr).toBe(0)
    const merged = await runCliInProcess(["merge", out, "--force"], { env: await night(1200) })
    expect(merged.code, merged.stderr).toBe(0)
    expect(NodeFs.readFileSync(inc)).toEqual(night2)
    const manifest = readJson(NodePath.join(out, "manifest.json"))
    const full = manifest.outputs.find((o: { file: string }) => o.file === "orders_full.csv")
    expect(full.rows_written).toBe(lines(NodePath.join(out, "orders_full.csv")) - 1)
    expect(full.rows_written).toBeGreaterThan(1100)
  }, 240_000)
})
