/**
 * Split exports and `spotpipe merge`, end to end: a job whose large exports are split into page ranges, run as
 * shards (into one folder, or a folder each), merges into files byte-identical to an unsplit run's, with one
 * manifest; and every way the parts can fail to fit — a part missing, a part changed after it was written, parts
 * written with different settings — is refused with what to do, writing nothing. Parquet is refused at the job
 * file. Runs are in-process (the shards the tests share run once, each test merging a copy); real processes are
 * the merge of the first test (as users run it), the run killed mid-export and the checkout's DuckDB load.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { killAtStepPath as killAtStep, mainPath, runCli, runNode } from "./support/runCli.ts"
import { filesIn, sandboxEnv } from "./support/Sandboxes.ts"
import { copyFolder, partFile, runShards as runShardsOf } from "./support/shardRuns.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-merge-"))
let sandbox: RunningSandbox
let env: Record<string, string>

const exports = [
  { type: "answer", id: "Order Details", split: 3 },
  { type: "search", table: "Orders", query: "[Order ID] [Region] [Revenue]", format: "ndjson", split: 4 },
  // One page: two of its three parts are empty.
  { type: "answer", id: "Revenue by Month", split: 3 },
  { type: "metadata", metadataTypes: ["ANSWER"] }
]
const unsplit = { defaults: { pageSize: 70 }, exports: exports.map(({ split: _, ...rest }) => rest) }
const split = { defaults: { pageSize: 70 }, exports }

const writeJob = (name: string, job: unknown) => {
  const path = NodePath.join(root, name)
  NodeFs.writeFileSync(path, JSON.stringify(job))
  return path
}

/** The data files of a folder (no manifests, no hidden files). */
const dataFiles = (dir: string): Record<string, Buffer> =>
  Object.fromEntries(
    [...filesIn(dir)].filter(([name]) => !NodePath.basename(name).startsWith("manifest") && !name.startsWith("."))
  )

let single: Record<string, Buffer>
let splitJob: string

/** Runs the split job's three shards into `folders(i)`, with extra flags for some. */
const runShards = (folders: (i: number) => string, extra?: (i: number) => ReadonlyArray<string>) =>
  runShardsOf({ job: splitJob, count: 3, out: folders, env, ...(extra === undefined ? {} : { extra }) })

/** The split job's three shards run once into one folder, and once into a folder each: tests take copies. */
const shardsTogether = NodePath.join(root, "shards-together")
const shardsApart = (i: number) => NodePath.join(root, `shards-apart-${i}`)

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 1_000, seed: 7 })
  env = sandboxEnv(sandbox)
  const out = NodePath.join(root, "single")
  const run = await runCliInProcess(["run", writeJob("unsplit.json", unsplit), "--out", out, "--quiet"], { env })
  expect(run.code, run.stderr).toBe(0)
  single = dataFiles(out)
  splitJob = writeJob("split.json", split)
  await runShards(() => shardsTogether)
  await runShards(shardsApart)
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("split exports and spotpipe merge", () => {
  it("shards-in-one-folder-merge-into-the-unsplit-runs-files", async () => {
    const out = copyFolder(shardsTogether, NodePath.join(root, "one-folder"))
    const parts = Object.keys(dataFiles(out)).filter((name) => partFile.test(name))
    expect(parts.sort()).toEqual([
      "answer-Order Details.part-0001-of-0003.csv",
      "answer-Order Details.part-0002-of-0003.csv",
      "answer-Order Details.part-0003-of-0003.csv",
      "answer-Revenue by Month.part-0001-of-0003.csv",
      "answer-Revenue by Month.part-0002-of-0003.csv",
      "answer-Revenue by Month.part-0003-of-0003.csv",
      "search-Orders.part-0001-of-0004.ndjson",
      "search-Orders.part-0002-of-0004.ndjson",
      "search-Orders.part-0003-of-0004.ndjson",
      "search-Orders.part-0004-of-0004.ndjson"
    ])
    // Only the first part carries the CSV header.
    const header = single["answer-Order Details.csv"]!.toString("utf8").split("\r\n")[0]!
    const second = NodeFs.readFileSync(NodePath.join(out, "answer-Order Details.part-0002-of-0003.csv"), "utf8")
    expect(second.startsWith(header)).toBe(false)
    // The one merge run as a process, as users run it.
    const merge = await runCli(["merge", out], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(merge.stdout).toMatch(/\nanswer-Order Details\.csv +3 +1,000 +[\d,]+\n/)
    expect(merge.stdout).toMatch(
      /\nmerged 3 files \(10 parts\), [\d,]+ rows in .+; its run lists the job's 1 other output there too\n$/
    )
    const merged = Object.fromEntries(Object.entries(dataFiles(out)).filter(([name]) => !partFile.test(name)))
    expect(merged).toEqual(single)
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8"))
    expect(manifest.command).toBe("merge")
    const orders = manifest.outputs.find((o: { file: string }) => o.file === "answer-Order Details.csv")
    expect(orders.rows_written).toBe(1_000)
    expect(orders.part).toBeUndefined()
    expect(orders.sha256).toMatch(/^[0-9a-f]{64}$/)
    // The shards' other output in this folder belongs to the merged run: the job whole, as an unsplit run's.
    expect(manifest.outputs.map((o: { file: string }) => o.file).sort()).toEqual(Object.keys(single).sort())
    expect(manifest.exports.map((e: { status: string }) => e.status)).toEqual(Array(4).fill("succeeded"))
    // A shard's manifest lists parts, which are no tables; the merged run loads.
    // With DuckDB at hand (in-process, the workspace's): without, the missing package is the first thing said.
    const partLoad = await runCliInProcess(
      ["load", NodePath.join(out, "manifest.shard-1-of-3.json"), "--into", `duckdb:${NodePath.join(root, "p.duckdb")}`],
      { env }
    )
    expect(partLoad.code).toBe(2)
    expect(partLoad.stderr).toMatch(
      /is part 1 of 3 of a split export, not a table: join the parts first \(spotpipe merge/
    )
    // DuckDB is native, outside the packed command: installed beside it, as a user would.
    const load = await runCli(["load", out, "--into", `duckdb:${NodePath.join(root, "m.duckdb")}`], {
      env,
      withDuckDb: true
    })
    expect(load.code, load.stderr).toBe(0)
    expect(load.stdout).toMatch(/\nanswer_order_details +1,000 /)
    expect(load.stdout).toMatch(/\nmetadata_answer +\d+ /)
    expect(load.stdout).toMatch(/\nloaded 4 tables, /)
    expect(load.stderr).toBe("")
    // Merging again replaces the merged files the folder's own merge wrote, as they are: no --force needed.
    const again = await runCliInProcess(["merge", out], { env })
    expect(again.code, again.stderr).toBe(0)
  }, 60_000)

  it("a-search-whose-first-part-has-no-page-merges-into-the-unsplit-file", async () => {
    // One page of a few rows over three parts: parts 1 and 2 have no page. A search learns its columns from its
    // pages, so part 1 (which carries the header) takes them from the planning read.
    const search = { type: "search", table: "Orders", query: "[Region] [Revenue] sort by [Region]", output: "regions" }
    const whole = NodePath.join(root, "regions-unsplit")
    const unsplitRun = await runCliInProcess(
      ["run", writeJob("regions-unsplit.json", { exports: [search] }), "--out", whole, "--quiet"],
      { env }
    )
    expect(unsplitRun.code, unsplitRun.stderr).toBe(0)
    const out = NodePath.join(root, "regions-split")
    const job = writeJob("regions-split.json", { exports: [{ ...search, split: 3 }] })
    await runShardsOf({ job, count: 3, out: () => out, env })
    const header = NodeFs.readFileSync(NodePath.join(out, "regions.part-0001-of-0003.csv"), "utf8")
    expect(header).toBe("Region,Total Revenue\r\n")
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(NodeFs.readFileSync(NodePath.join(out, "regions.csv"))).toEqual(
      NodeFs.readFileSync(NodePath.join(whole, "regions.csv"))
    )
  }, 60_000)

  it("shards-in-their-own-folders-merge-into-another", async () => {
    const folder = (i: number) => NodePath.join(root, `own-${i}`)
    for (const i of [1, 2, 3]) copyFolder(shardsApart(i), folder(i))
    const out = NodePath.join(root, "merged")
    const merge = await runCliInProcess(
      ["merge", folder(1), folder(2), folder(3), "--out", out, "--log-format", "json"],
      { env }
    )
    expect(merge.code, merge.stderr).toBe(0)
    expect(JSON.parse(merge.stdout).merge.files).toHaveLength(3)
    // The shards' other outputs are in their own folders, not in --out: the merged run lists the merged files,
    // and says which it leaves out.
    expect(JSON.parse(merge.stdout).merge.others).toEqual([])
    expect(merge.stderr).toMatch(
      /not in \S+merged, so its merged run does not list them and a load of it leaves them out: metadata-answer\.csv \(in \S+own-\d\)/
    )
    const { "metadata-answer.csv": _, ...splitOnly } = single
    expect(dataFiles(out)).toEqual(splitOnly)
    // The whole job from folders apart, as the README says: their files copied into one folder (`cp -R ./shard-*/*`
    // takes no hidden file), then merged there.
    const together = NodePath.join(root, "together")
    NodeFs.mkdirSync(together)
    for (const i of [1, 2, 3]) {
      for (const name of NodeFs.readdirSync(folder(i)).filter((n) => !n.startsWith("."))) {
        NodeFs.copyFileSync(NodePath.join(folder(i), name), NodePath.join(together, name))
      }
    }
    const whole = await runCliInProcess(["merge", together], { env })
    expect(whole.code, whole.stderr).toBe(0)
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(together, "manifest.json"), "utf8"))
    expect(manifest.outputs.map((o: { file: string }) => o.file).sort()).toEqual(Object.keys(single).sort())
  }, 60_000)

  it("a-part-killed-mid-run-is-continued-by-resume-and-merges-exactly", async () => {
    const out = NodePath.join(root, "killed")
    // Shard 1's first export is part 1 of "Order Details" (pages 1-5): killed after its second page.
    const killed = await runNode(
      [killAtStep, "checkpoint-written:2", "run", splitJob, "--out", out, "--shard", "1/3", "--concurrency", "1"],
      { env }
    )
    expect(killed.signal, killed.stderr).toBe("SIGKILL")
    await runShards(
      () => out,
      () => ["--resume"]
    )
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.shard-1-of-3.json"), "utf8"))
    const part = manifest.outputs.find((o: { file: string }) => o.file === "answer-Order Details.part-0001-of-0003.csv")
    expect(part.resume).toBe("continued")
    expect(part.rows_written).toBe(350)
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(Object.fromEntries(Object.entries(dataFiles(out)).filter(([name]) => !partFile.test(name)))).toEqual(single)
  }, 60_000)

  it("a-folder-another-run-holds-is-refused-and-nothing-is-written-there", async () => {
    const folder = (i: number) => NodePath.join(root, `locked-${i}`)
    for (const i of [1, 2, 3]) copyFolder(shardsApart(i), folder(i))
    const out = NodePath.join(root, "locked-merged")
    NodeFs.mkdirSync(out)
    // A run writing there now: a live process on this host, not the one merging (this one, in-process).
    const lock = JSON.stringify({
      pid: process.ppid,
      hostname: NodeOs.hostname(),
      started_at: new Date().toISOString()
    })
    NodeFs.writeFileSync(NodePath.join(out, ".spotpipe.lock"), lock)
    const merge = await runCliInProcess(["merge", folder(1), folder(2), folder(3), "--out", out], { env })
    expect(merge.code).toBe(1)
    expect(merge.stderr).toContain(`pid ${process.ppid}`)
    expect(NodeFs.readdirSync(out)).toEqual([".spotpipe.lock"])
  }, 60_000)

  it("an-out-of-dash-is-refused-and-no-folder-of-that-name-is-made", async () => {
    const cwd = NodeFs.mkdtempSync(NodePath.join(root, "dash-"))
    const merge = await runNode([mainPath, "merge", shardsTogether, "--out", "-"], { cwd, env })
    expect(merge.code).toBe(2)
    expect(merge.stderr).toContain("spotpipe merge writes files: give --out a directory, not -")
    expect(NodeFs.readdirSync(cwd)).toEqual([])
  }, 60_000)

  it("a-missing-part-is-refused-naming-it-and-nothing-is-written", async () => {
    const folder = (i: number) => NodePath.join(root, `missing-${i}`)
    for (const i of [1, 2, 3]) copyFolder(shardsApart(i), folder(i))
    const out = NodePath.join(root, "missing-merged")
    const merge = await runCliInProcess(["merge", folder(1), folder(3), "--out", out], { env })
    expect(merge.code).toBe(1)
    // Named as the shard that did not run, which holds the part (and any other output of it).
    expect(merge.stderr).toMatch(/ran as 3 shards, but shard 2 of 3 \(scheduler index 1\) left no run of it in /)
    expect(NodeFs.existsSync(out)).toBe(false)
  }, 60_000)

  it("a-changed-part-is-refused-and-nothing-is-written", async () => {
    const out = copyFolder(shardsTogether, NodePath.join(root, "changed"))
    const part = NodePath.join(out, "search-Orders.part-0003-of-0004.ndjson")
    const bytes = NodeFs.readFileSync(part)
    bytes[10] = bytes[10] === 0x31 ? 0x32 : 0x31
    NodeFs.writeFileSync(part, bytes)
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code).toBe(1)
    expect(merge.stderr).toMatch(/search-Orders\.part-0003-of-0004\.ndjson is not the file its manifest recorded/)
    expect(Object.keys(dataFiles(out)).filter((name) => !partFile.test(name))).toEqual(["metadata-answer.csv"])
  }, 60_000)

  it("a-shard-that-never-ran-is-refused-naming-it-though-every-part-is-there", async () => {
    // Four exports over four shards, one each: the parts on shards 1 and 2, the other outputs on 3 and 4.
    const job = writeJob("four.json", {
      defaults: { pageSize: 70 },
      exports: [
        { type: "answer", id: "Order Details", split: 2 },
        { type: "answer", id: "Revenue by Month" },
        { type: "metadata", metadataTypes: ["ANSWER"] }
      ]
    })
    const out = NodePath.join(root, "never-ran")
    const shard = async (index: number) => {
      // As a Kubernetes Indexed Job starts them (completions: 4).
      const run = await runCliInProcess(["run", job, "--out", out, "--quiet", "--shard", "auto/4"], {
        env: { ...env, JOB_COMPLETION_INDEX: String(index) }
      })
      expect(run.code, run.stderr).toBe(0)
    }
    for (const index of [0, 1, 2]) await shard(index)
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code).toBe(1)
    expect(merge.stderr).toMatch(
      /ran as 4 shards, but shard 4 of 4 \(scheduler index 3\) left no run of it in .*: run it \(spotpipe run .*four\.json --shard 4\/4 --out \S*never-ran --resume\)/
    )
    expect(Object.keys(dataFiles(out)).filter((name) => !partFile.test(name))).toEqual(["answer-Revenue by Month.csv"])
    await shard(3)
    const whole = await runCliInProcess(["merge", out], { env })
    expect(whole.code, whole.stderr).toBe(0)
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8"))
    expect(manifest.outputs.map((o: { file: string }) => o.file).sort()).toEqual([
      "answer-Order Details.csv",
      "answer-Revenue by Month.csv",
      "metadata-answer.csv"
    ])
  }, 60_000)

  it("a-shard-run-with-a-copy-of-the-job-file-elsewhere-merges", async () => {
    const out = NodePath.join(root, "copied-job")
    NodeFs.mkdirSync(NodePath.join(root, "alt"), { recursive: true })
    const copy = NodePath.join(root, "alt", "split.json")
    NodeFs.copyFileSync(splitJob, copy)
    for (const i of [1, 2, 3]) {
      const run = await runCliInProcess(
        ["run", i === 3 ? copy : splitJob, "--out", out, "--quiet", "--shard", `${i}/3`],
        { env }
      )
      expect(run.code, run.stderr).toBe(0)
    }
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(Object.fromEntries(Object.entries(dataFiles(out)).filter(([name]) => !partFile.test(name)))).toEqual(single)
  }, 60_000)

  it("parts-of-an-earlier-split-are-left-out-with-a-warning-naming-them", async () => {
    const out = NodePath.join(root, "resplit")
    const job = writeJob("resplit.json", split)
    const runAll = async (extra: ReadonlyArray<string>) => {
      for (const i of [1, 2, 3]) {
        const run = await runCliInProcess(["run", job, "--out", out, "--quiet", "--shard", `${i}/3`, ...extra], { env })
        expect(run.code, run.stderr).toBe(0)
      }
    }
    await runAll([])
    // "split" 3 → 2 for Order Details: its three old parts stay in the folder.
    writeJob("resplit.json", { ...split, exports: [{ ...exports[0], split: 2 }, ...exports.slice(1)] })
    await runAll(["--resume"])
    expect(NodeFs.existsSync(NodePath.join(out, "answer-Order Details.part-0003-of-0003.csv"))).toBe(true)
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(merge.stderr).toMatch(
      /3 part files are not of the latest runs of the job .*answer-Order Details\.part-0001-of-0003\.csv, .*answer-Order Details\.part-0003-of-0003\.csv \(left by an earlier version of the job/
    )
    expect(Object.fromEntries(Object.entries(dataFiles(out)).filter(([name]) => !partFile.test(name)))).toEqual(single)
  }, 60_000)

  it("an-export-that-failed-in-a-shard-is-recorded-as-failed-by-the-merged-run", async () => {
    // Shard 1 of 2: part 1 and the answer that does not exist; shard 2: part 2.
    const job = writeJob("failing.json", {
      defaults: { pageSize: 70 },
      exports: [
        { type: "answer", id: "Order Details", split: 2 },
        { type: "answer", id: "No Such Answer" }
      ]
    })
    const out = NodePath.join(root, "failing")
    const first = await runCliInProcess(["run", job, "--out", out, "--quiet", "--shard", "1/2"], { env })
    expect(first.code).toBe(1)
    const second = await runCliInProcess(["run", job, "--out", out, "--quiet", "--shard", "2/2"], { env })
    expect(second.code, second.stderr).toBe(0)
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(merge.stderr).toMatch(
      /1 of the job's exports failed in the shards' latest runs \(answer-No Such Answer\): the merged run records them as failed/
    )
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8"))
    expect(manifest.exports.map((e: { export: string; status: string }) => [e.export, e.status])).toEqual([
      ["answer-Order Details", "succeeded"],
      ["answer-No Such Answer", "failed"]
    ])
    // A load says what mends a merged run: its shards again, then the merge (a merged run is not resumed itself).
    const load = await runCliInProcess(["load", out, "--into", `duckdb:${NodePath.join(root, "failing.duckdb")}`], {
      env
    })
    expect(load.code).toBe(2)
    expect(load.stderr).toMatch(
      /the merged run \S+ has a failed export \(answer-No Such Answer: .*\): run the shards it failed in again with --resume \(the commands spotpipe merge printed\), then merge again with --force, or load what it wrote with --allow-failed/
    )
  }, 60_000)

  it("a-shards-other-output-changed-since-it-was-written-fails-the-merge-naming-it-and-resume-mends-it", async () => {
    const out = copyFolder(shardsTogether, NodePath.join(root, "changed-companion"))
    const shardManifests = NodeFs.readdirSync(out).filter((name) => /^manifest\.shard-\d-of-3\.json$/.test(name))
    const writer = shardManifests.find((name) =>
      JSON.parse(NodeFs.readFileSync(NodePath.join(out, name), "utf8")).outputs.some(
        (o: { file: string }) => o.file === "metadata-answer.csv"
      )
    )!
    const shard = /shard-(\d)-of-3/.exec(writer)![1]!
    NodeFs.appendFileSync(NodePath.join(out, "metadata-answer.csv"), "edited,by,hand\r\n")
    const before = NodeFs.readdirSync(out).sort()
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code).toBe(1)
    expect(merge.stderr).toContain(
      `${NodePath.join(out, "metadata-answer.csv")} is not the file shard ${shard} of 3 of the job recorded (it changed since)`
    )
    expect(merge.stderr).toContain(`--shard ${shard}/3 --out ${out} --resume`)
    // Nothing written: no merged files, no merged manifest (which load would take as the whole job's).
    expect(NodeFs.readdirSync(out).sort()).toEqual(before)
    const resumed = await runCliInProcess(
      ["run", splitJob, "--out", out, "--quiet", "--shard", `${shard}/3`, "--resume"],
      { env }
    )
    expect(resumed.code, resumed.stderr).toBe(0)
    const again = await runCliInProcess(["merge", out], { env })
    expect(again.code, again.stderr).toBe(0)
    const merged = Object.fromEntries(Object.entries(dataFiles(out)).filter(([name]) => !partFile.test(name)))
    expect(merged).toEqual(single)
  }, 60_000)

  it("an-export-that-failed-in-the-latest-run-is-not-taken-from-an-earlier-run-of-the-job", async () => {
    // One folder, run every night with --force: the second night fails the answer, whose first-night file stays.
    const job = writeJob("nightly-force.json", {
      defaults: { pageSize: 70 },
      exports: [
        { type: "answer", id: "Order Details", split: 2 },
        { type: "answer", id: "Revenue by Month" }
      ]
    })
    const out = NodePath.join(root, "nightly-force")
    const first = await runCliInProcess(["run", job, "--out", out, "--quiet"], { env })
    expect(first.code, first.stderr).toBe(0)
    expect((await runCliInProcess(["merge", out, "--quiet"], { env })).code).toBe(0)
    // A folder where the answer's partial file goes: its export fails in the second run.
    NodeFs.mkdirSync(NodePath.join(out, ".spotpipe-state", "answer-Revenue%20by%20Month.csv.partial", "x"), {
      recursive: true
    })
    const second = await runCliInProcess(["run", job, "--out", out, "--quiet", "--force"], { env })
    expect(second.code).toBe(1)
    const merge = await runCliInProcess(["merge", out, "--force"], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(merge.stderr).toContain("1 of the job's exports failed in the shards' latest runs (answer-Revenue by Month)")
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8"))
    expect(manifest.exports.map((e: { export: string; status: string }) => [e.export, e.status])).toEqual([
      ["answer-Order Details", "succeeded"],
      ["answer-Revenue by Month", "failed"]
    ])
    expect(manifest.outputs.map((o: { file: string }) => o.file)).toEqual(["answer-Order Details.csv"])
  }, 60_000)

  it("parts-written-with-different-settings-are-refused", async () => {
    const out = NodePath.join(root, "mixed")
    await runShards(
      () => out,
      (i) => (i === 2 ? ["--newline", "lf"] : [])
    )
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code).toBe(1)
    // Both values are shown.
    expect(merge.stderr).toMatch(
      /differ in settings \(\{"newline":"\\n"\} and \{"newline":"\\r\\n"\}\): the parts come from different runs or settings/
    )
  }, 60_000)

  it("shards-each-with-an-embedded-sandbox-merge-into-the-unsplit-runs-files", async () => {
    // Each --sandbox run starts its own sandbox on a port of its own: the same options, so the same data.
    const job = { defaults: { pageSize: 2_000 }, exports: [{ type: "answer", id: "Order Details", split: 4 }] }
    const splitOwn = writeJob("sandbox-split.json", job)
    const unsplitOwn = writeJob("sandbox-unsplit.json", { ...job, exports: [{ type: "answer", id: "Order Details" }] })
    const whole = NodePath.join(root, "sandbox-whole")
    const out = NodePath.join(root, "sandbox-shards")
    for (const args of [
      ["run", unsplitOwn, "--out", whole],
      ["run", splitOwn, "--out", out, "--shard", "1/2"],
      ["run", splitOwn, "--out", out, "--shard", "2/2"]
    ]) {
      const run = await runCliInProcess([...args, "--sandbox", "--quiet"])
      expect(run.code, run.stderr).toBe(0)
    }
    const merge = await runCliInProcess(["merge", out])
    expect(merge.code, merge.stderr).toBe(0)
    const merged = Object.fromEntries(Object.entries(dataFiles(out)).filter(([name]) => !partFile.test(name)))
    expect(merged).toEqual(dataFiles(whole))
    expect(Object.keys(merged)).toEqual(["answer-Order Details.csv"])
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8"))
    expect(manifest.host).toBe("sandbox:embedded?rows=10000&seed=1&timezone=America/Los_Angeles")
  }, 120_000)

  it("split-with-parquet-or-out-of-range-is-a-job-file-error", async () => {
    const parquet = writeJob("parquet.json", {
      exports: [{ type: "answer", id: "Order Details", split: 2, format: "parquet" }]
    })
    const refused = await runCliInProcess(["run", parquet, "--out", NodePath.join(root, "bad")], { env })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/exports\[0\]\.split: applies to CSV and NDJSON/)
    const load = writeJob("load.json", {
      exports: [{ type: "answer", id: "Order Details", split: 2 }],
      load: { into: "duckdb:w.duckdb" }
    })
    const loading = await runCliInProcess(["run", load, "--out", NodePath.join(root, "bad")], { env })
    expect(loading.code).toBe(2)
    expect(loading.stderr).toMatch(/exports\[0\]\.split: a split export's parts are no tables until they are merged/)
    const one = writeJob("one.json", { exports: [{ type: "answer", id: "Order Details", split: 1 }] })
    const range = await runCliInProcess(["run", one, "--out", NodePath.join(root, "bad")], { env })
    expect(range.code).toBe(2)
    expect(range.stderr).toMatch(/exports\[0\]\.split: must be a whole number of parts from 2 to 9999/)
  })
})
