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

const { root, night, writeJob, shardRun, runNight } = nightlyLayout("spotpipe-merge-nights-own-")
const exports = nightlyExports
const defaults = nightlyDefaults
const lines = csvLines

/** The command lines (joined by ` && `) `text` prints after `before`, up to `after`. */
const printed = (text: string, before: string, after: string) => {
  const start = text.indexOf(before)
  expect(start, text).toBeGreaterThanOrEqual(0)
  const rest = text.slice(start + before.length)
  return rest.slice(0, rest.indexOf(after)).split(" && ")
}

/** Runs a printed `spotpipe …` command line (no quoted words: the test's paths have no spaces). */
const runPrinted = (command: string, env: Record<string, string>) => {
  expect(command.startsWith("spotpipe ")).toBe(true)
  return runCliInProcess([...command.split(" ").slice(1), "--quiet"], { env })
}

describe("a merged file in the folder the shards write into every night", () => {
  it("the-folders-own-merged-file-is-replaced-each-night-without-force-a-changed-one-is-not", async () => {
    const split = nightlySplit
    const first = writeJob("first.json", { defaults, exports: [...exports("9007199254740000"), split] })
    const job = writeJob("job.json", { defaults, exports: [...exports("last"), split] })
    const out = NodePath.join(root, "land")
    const full = NodePath.join(out, "orders_full.csv")
    await runNight(first, out, "n1", await night(1000))
    expect((await runCliInProcess(["merge", out], { env: await night(1000) })).code).toBe(0)
    // Night 2 runs whole; night 3's shard 1 is refused until night 2 is merged, as its message says.
    await runNight(job, out, "n2", await night(1100))
    // (Before the data grows: the refused run still writes the shard's other outputs, the split's part among them.)
    const refused = await shardRun(job, out, "n3", 1, await night(1100))
    expect(refused.code).toBe(1)
    const finish = printed(refused.stderr, 'Finish and merge job run "n2" first: ', "; then run this shard again")
    expect(finish).toEqual([
      `spotpipe run ${job} --shard 1/2 --job-run n2 --out ${out} --resume`,
      `spotpipe merge ${out}`
    ])
    for (const command of finish) {
      const run = await runPrinted(command, await night(1100))
      expect(run.code, run.stderr).toBe(0)
    }
    expect(readJson(NodePath.join(out, "manifest.json")).job_run).toBe("n2")
    expect(lines(full)).toBe(
      1 +
        readJson(NodePath.join(out, "manifest.json")).outputs.find(
          (o: { file: string }) => o.file === "orders_full.csv"
        ).rows_written
    )
    // Night 3 runs whole; load's hint to merge, run as printed, merges it.
    await runNight(job, out, "n3", await night(1200))
    const into = `duckdb:${NodePath.join(root, "land.duckdb")}`
    const load = await runCliInProcess(["load", out, "--into", into], { env: await night(1200) })
    expect(load.code).toBe(1)
    const join = /join them with (spotpipe merge \S+?),/.exec(load.stderr)
    expect(join, load.stderr).not.toBeNull()
    const merged = await runPrinted(join![1]!, await night(1200))
    expect(merged.code, merged.stderr).toBe(0)
    expect(readJson(NodePath.join(out, "manifest.json")).job_run).toBe("n3")
    const loaded = await runCliInProcess(["load", out, "--into", into], { env: await night(1200) })
    expect(loaded.code, loaded.stderr).toBe(0)
    // A merged file changed since the merge wrote it is not merge's own any more: kept unless --force.
    NodeFs.appendFileSync(full, "edited\r\n")
    const edited = NodeFs.readFileSync(full)
    await runNight(job, out, "n4", await night(1200))
    const refusedMerge = await runCliInProcess(["merge", out], { env: await night(1200) })
    expect(refusedMerge.code).toBe(1)
    expect(refusedMerge.stderr).toContain(`${full} already exists: pass --force to replace it`)
    expect(NodeFs.readFileSync(full)).toEqual(edited)
    const forced = await runCliInProcess(["merge", out, "--force"], { env: await night(1200) })
    expect(forced.code, forced.stderr).toBe(0)
  }, 240_000)
})
