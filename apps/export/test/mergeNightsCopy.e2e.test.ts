/**
 * The nightly layout's state across nights (`spotpipe run job.json --shard i/N --job-run NIGHT --out ./land
 * --resume`, then `spotpipe merge ./land`): a shard refused because last night's increment is not merged leaves
 * that night's state as it was, so finishing last night continues it exactly and loses no rows.
 */
import * as NodeChild from "node:child_process"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { nightlyDefaults, nightlyLayout } from "./support/nights.ts"
import { runCli } from "./support/runCli.ts"
import { readJson } from "./support/shardRuns.ts"

const { root, night, writeJob } = nightlyLayout("spotpipe-merge-nights-copy-")
const defaults = nightlyDefaults

describe("shards in folders of their own, copied into one every night", () => {
  it("the-copy-and-merge-recipe-merge-prints-works-as-printed-on-the-second-night", async () => {
    const job = writeJob("job.json", {
      defaults,
      exports: [
        { type: "answer", id: "Order Details", output: "od" },
        { type: "answer", id: "Revenue by Month", output: "rbm" }
      ]
    })
    const dirs = [NodePath.join(root, "s1"), NodePath.join(root, "s2")]
    const land = NodePath.join(root, "land")
    for (const [jobRun, rows] of [
      ["n1", 1000],
      ["n2", 1100]
    ] as const) {
      const env = await night(rows)
      for (const i of [1, 2]) {
        const run = await runCliInProcess(
          ["run", job, "--shard", `${i}/2`, "--job-run", jobRun, "--out", dirs[i - 1]!, "--resume", "--quiet"],
          { env }
        )
        expect(run.code, run.stderr).toBe(0)
      }
      const merge = await runCliInProcess(["merge", ...dirs, "--out", land], { env })
      expect(merge.code).not.toBe(0)
      const recipe = /merge there: (mkdir -p .*)$/m.exec(merge.stderr)?.[1]
      expect(recipe, merge.stderr).toBeDefined()
      const steps = recipe!.split(" && ")
      expect(steps.at(-1)).toBe(`spotpipe merge ${land}`)
      NodeChild.execSync(steps.slice(0, -1).join(" && "), { shell: "/bin/sh" })
      const merged = await runCliInProcess([...steps.at(-1)!.split(" ").slice(1), "--quiet"], { env })
      expect(merged.code, merged.stderr).toBe(0)
      const manifest = readJson(NodePath.join(land, "manifest.json"))
      expect(manifest.job_run).toBe(jobRun)
      expect(manifest.outputs.find((o: { file: string }) => o.file === "od.csv").rows_written).toBe(rows)
    }
  }, 240_000)

  it("with-a-split-export-each-nights-merge-and-its-copy-recipe-replace-merge's-own-files-as-printed", async () => {
    const job = writeJob("split.json", {
      defaults,
      exports: [
        { type: "answer", id: "Order Details", output: "od", split: 2, pageSize: 100 },
        { type: "answer", id: "Revenue by Month", output: "rbm" }
      ]
    })
    const dirs = ["p1", "p2"]
    for (const [jobRun, rows] of [
      ["n1", 1000],
      ["n2", 1100]
    ] as const) {
      const env = await night(rows)
      for (const i of [1, 2]) {
        const run = await runCli(
          ["run", job, "--shard", `${i}/2`, "--job-run", jobRun, "--out", dirs[i - 1]!, "--resume", "--quiet"],
          { env, cwd: root }
        )
        expect(run.code, run.stderr).toBe(0)
      }
      // Into a folder of its own, naming the way to merge the whole job in one.
      const merge = await runCli(["merge", ...dirs, "--out", "parts"], { env, cwd: root })
      expect(merge.code, merge.stderr).toBe(0)
      const recipe = /merge there: (mkdir -p [^\n]*)$/m.exec(merge.stderr)?.[1]
      expect(recipe, merge.stderr).toBe("mkdir -p ./landing && cp -R p1/* p2/* ./landing/ && spotpipe merge ./landing")
      const steps = recipe!.split(" && ")
      NodeChild.execSync(steps.slice(0, -1).join(" && "), { shell: "/bin/sh", cwd: root })
      const merged = await runCli([...steps.at(-1)!.split(" ").slice(1), "--quiet"], { env, cwd: root })
      expect(merged.code, merged.stderr).toBe(0)
      const manifest = readJson(NodePath.join(root, "landing", "manifest.json"))
      expect(manifest.job_run).toBe(jobRun)
      expect(manifest.outputs.find((o: { file: string }) => o.file === "od.csv").rows_written).toBe(rows)
    }
  }, 240_000)
})
