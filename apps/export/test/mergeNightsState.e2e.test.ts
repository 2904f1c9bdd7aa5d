/**
 * The nightly layout's state across nights (`spotpipe run job.json --shard i/N --job-run NIGHT --out ./land
 * --resume`, then `spotpipe merge ./land`): a shard refused because last night's increment is not merged leaves
 * that night's state as it was, so finishing last night continues it exactly and loses no rows.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { csvLines, nightlyDefaults, nightlyExports, nightlyLayout } from "./support/nights.ts"
import { readJson } from "./support/shardRuns.ts"

const { root, night, writeJob, shardRun, runNight } = nightlyLayout("spotpipe-merge-nights-")
const exports = nightlyExports
const defaults = nightlyDefaults
const lines = csvLines

describe("nightly state", () => {
  it("a-shard-refused-over-an-unmerged-increment-leaves-where-that-night-started", async () => {
    const first = writeJob("first.json", { defaults, exports: exports("9007199254740000") })
    const job = writeJob("job.json", { defaults, exports: exports("last") })
    const out = NodePath.join(root, "land")
    const inc = NodePath.join(out, "orders_inc.csv")
    const started = NodePath.join(out, ".spotpipe-state", "started.json")
    await runNight(first, out, "n1", await night(1000))
    expect((await runCliInProcess(["merge", out], { env: await night(1000) })).code).toBe(0)
    // Night 2 runs whole but is not merged.
    await runNight(job, out, "n2", await night(1100))
    const night2 = NodeFs.readFileSync(inc)
    const startedNight2 = readJson(started).exports
    expect(Object.values(readJson(started).exports).map((e) => (e as { job_run: string }).job_run)).toEqual(["n2"])
    // Night 3, shards in the other order: shard 1 (which writes orders_inc) is refused, and records nothing.
    await runNight(job, out, "n3", await night(1200), [2])
    const refused = await shardRun(job, out, "n3", 1, await night(1200))
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`orders_inc.csv: ${out} holds the increment job run "n2" wrote`)
    expect(readJson(started).exports).toEqual(startedNight2)
    expect(NodeFs.readFileSync(inc)).toEqual(night2)
    // Finishing night 2 as the refusal says keeps its increment as written, and merges it.
    await runNight(job, out, "n2", await night(1200))
    const merged = await runCliInProcess(["merge", out], { env: await night(1200) })
    expect(merged.code, merged.stderr).toBe(0)
    expect(merged.stderr).not.toMatch(/starting over/)
    expect(NodeFs.readFileSync(inc)).toEqual(night2)
    const manifest = readJson(NodePath.join(out, "manifest.json"))
    expect(manifest.job_run).toBe("n2")
    const entry = manifest.outputs.find((o: { file: string }) => o.file === "orders_inc.csv")
    expect(entry.rows_written).toBe(lines(inc) - 1)
    expect(entry.rows_written).toBeGreaterThan(100)
    // Night 3 then runs from night 2's watermark.
    await runNight(job, out, "n3", await night(1200))
    expect((await runCliInProcess(["merge", out], { env: await night(1200) })).code).toBe(0)
    expect(lines(inc) - 1).toBeLessThan(110)
  }, 240_000)
})
