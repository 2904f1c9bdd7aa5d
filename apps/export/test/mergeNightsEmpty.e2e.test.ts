/**
 * The nightly layout's state across nights (`spotpipe run job.json --shard i/N --job-run NIGHT --out ./land
 * --resume`, then `spotpipe merge ./land`): a shard refused because last night's increment is not merged leaves
 * that night's state as it was, so finishing last night continues it exactly and loses no rows.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { nightlyDefaults, nightlyExports, nightlyLayout } from "./support/nights.ts"
import { readJson } from "./support/shardRuns.ts"

const { root, night, writeJob, shardRun, runNight } = nightlyLayout("spotpipe-merge-nights-empty-")
const exports = nightlyExports
const defaults = nightlyDefaults

const rowsOf = (out: string, file: string) =>
  readJson(NodePath.join(out, "manifest.json")).outputs.find((o: { file: string }) => o.file === file)
    ?.rows_written as number

describe("an unmerged increment of the night before", () => {
  it("of-no-rows-does-not-stop-the-next-night-and-of-one-row-is-refused-saying-1-row", async () => {
    const first = writeJob("first.json", { defaults, exports: exports("9007199254740000") })
    const job = writeJob("job.json", { defaults, exports: exports("last") })
    const out = NodePath.join(root, "land")
    await runNight(first, out, "n1", await night(1000))
    expect((await runCliInProcess(["merge", out], { env: await night(1000) })).code).toBe(0)
    // Night 2 finds no row at or after night 1's maximum (the table lost its last rows) and is not merged.
    await runNight(job, out, "n2", await night(900))
    const n2 = readJson(NodePath.join(out, "manifest.shard-1-of-2.json"))
    expect(n2.outputs.find((o: { file: string }) => o.file === "orders_inc.csv").rows_written).toBe(0)
    // Night 3 starts it over: it lost nothing.
    await runNight(job, out, "n3", await night(1000))
    const merged = await runCliInProcess(["merge", out], { env: await night(1000) })
    expect(merged.code, merged.stderr).toBe(0)
    expect(readJson(NodePath.join(out, "manifest.json")).job_run).toBe("n3")
    expect(rowsOf(out, "orders_inc.csv")).toBeGreaterThan(0)
    // Night 4 reads the one row at night 3's maximum again; unmerged, it stops night 5, said in the singular.
    await runNight(job, out, "n4", await night(1000))
    const refused = await shardRun(job, out, "n5", 1, await night(1000))
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `orders_inc.csv: ${out} holds the increment job run "n4" wrote (1 row after the watermark before it)`
    )
  }, 240_000)
})
