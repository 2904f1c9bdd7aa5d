/**
 * The output directory end to end (the real process against loopback sandboxes): one writer at a time (a lock
 * file), leftovers of killed runs cleaned under it (only temp files of spotpipe's own naming whose process is
 * gone), no folder left behind by a run that published nothing, and never a mix of writers: while a run that is
 * not a shard writes a folder no shard writes there, and while a shard does, only the other shards of its job
 * and count (runs held at a step by PauseAtStep.ts while the others start). Runs alone are in-process; runs at the
 * same time as another (locks between processes), the held ones and the one under a file-size limit are processes.
 */
import { spawn, spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { type CliRun, cliEnv, mainPath, pauseAtStepPath as pauseAtStep, runCli, runNode } from "./support/runCli.ts"
import { filesIn, sandboxEnv } from "./support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-outdir-e2e-"))
let sandbox: RunningSandbox
let slow: RunningSandbox

/** The pid of a process that has exited (so it is not alive on this host). */
const deadPid = (): number => {
  const child = spawnSync(process.execPath, ["-e", ""])
  return child.pid!
}

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 600, seed: 5 })
  // 150 ms before every response: a run of 30 pages takes several seconds, long enough to start a second one.
  slow = await startSandbox({
    rows: 3_000,
    seed: 5,
    faults: { routes: { "metadata/answer/data": { latencyMs: 150 } }, rateLimit: false }
  })
})

afterAll(async () => {
  await sandbox?.close()
  await slow?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("output directory", () => {
  it("a-second-run-on-the-same-directory-fails-naming-the-first-which-succeeds", async () => {
    const out = NodePath.join(root, "busy")
    const job = NodePath.join(root, "busy.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({ defaults: { pageSize: 100 }, exports: [{ type: "answer", id: "Order Details" }] })
    )
    const first = runCli(["run", job, "--out", out, "--quiet", "--concurrency", "1"], { env: sandboxEnv(slow) })
    const lock = NodePath.join(out, ".spotpipe.lock")
    let finished = false
    void first.then(() => (finished = true))
    // The lock is created, then its holder written into it: wait for the holder (an empty lock is being written).
    const held = () => {
      try {
        return NodeFs.readFileSync(lock, "utf8").endsWith("\n")
      } catch {
        return false
      }
    }
    while (!held() && !finished) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(NodeFs.existsSync(lock), "the first run holds a lock while it writes").toBe(true)
    const holder = JSON.parse(NodeFs.readFileSync(lock, "utf8")) as { pid: number; hostname: string }
    expect(holder.hostname).toBe(NodeOs.hostname())
    const second = await runCli(["search", "--table", "Orders", "--query", "[Region]", "--out", out], {
      env: sandboxEnv(sandbox)
    })
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(
      new RegExp(
        `another spotpipe run \\(pid ${holder.pid}, started [0-9T:.-]+Z: spotpipe run .*busy\\.json\\) is writing to .*busy: wait for it or use another --out`
      )
    )
    expect(NodeFs.existsSync(NodePath.join(out, "search-Orders.csv"))).toBe(false)
    const done = await first
    expect(done.code, done.stderr).toBe(0)
    expect(NodeFs.existsSync(NodePath.join(out, "answer-Order Details.csv"))).toBe(true)
    expect(NodeFs.existsSync(lock)).toBe(false)
  }, 60_000)

  it("a-stale-lock-and-stale-temp-files-are-cleaned-with-a-warning-and-nothing-else-is-touched", async () => {
    const out = NodePath.join(root, "stale")
    NodeFs.mkdirSync(NodePath.join(out, ".spotpipe-state"), { recursive: true })
    NodeFs.mkdirSync(NodePath.join(out, "liveboard-x"))
    const dead = deadPid()
    NodeFs.writeFileSync(
      NodePath.join(out, ".spotpipe.lock"),
      JSON.stringify({ pid: dead, hostname: NodeOs.hostname(), started_at: "2026-01-01T00:00:00.000Z" })
    )
    const stale = [
      `.answer-Order Details.csv.${dead}-0123abcd.tmp`,
      `liveboard-x/.Revenue.csv.${dead}-89abcdef.tmp`,
      `.spotpipe-state/answer-A.csv.checkpoint.json.${dead}-00ff00ff.tmp`
    ]
    // Not ours to remove: an unrelated temp file, and a temp file of a process that is alive (the parent of this one,
    // which the in-process run is).
    const kept = [".foo.tmp", `.other.csv.${process.ppid}-0123abcd.tmp`, "notes.txt"]
    for (const name of [...stale, ...kept]) NodeFs.writeFileSync(NodePath.join(out, name), "left over")
    const run = await runCliInProcess(["answer", "Order Details", "--out", out, "--quiet"], {
      env: sandboxEnv(sandbox)
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(
      /\.spotpipe\.lock was left by spotpipe \(pid \d+, started 2026-01-01T00:00:00\.000Z\), which is no longer running: taking it over/
    )
    for (const name of stale) {
      expect(NodeFs.existsSync(NodePath.join(out, name)), name).toBe(false)
      expect(run.stderr).toContain(
        `removed ${NodePath.join(out, name)}, a temp file left by a run that no longer exists`
      )
    }
    for (const name of kept) expect(NodeFs.readFileSync(NodePath.join(out, name), "utf8"), name).toBe("left over")
    expect(NodeFs.existsSync(NodePath.join(out, ".spotpipe.lock"))).toBe(false)
  }, 60_000)

  it("output-name-names-the-file-of-a-search-and-the-folder-of-a-liveboard", async () => {
    const out = NodePath.join(root, "named")
    const env = sandboxEnv(sandbox)
    const search = (name: string, query: string) =>
      runCliInProcess(
        ["search", "--table", "Orders", "--query", query, "--output-name", name, "--out", out, "--quiet"],
        {
          env
        }
      )
    expect((await search("by region", "[Region] [Revenue]")).code).toBe(0)
    expect((await search("by/product", "[Product] [Revenue]")).code).toBe(0)
    const board = await runCliInProcess(
      ["liveboard", "Sales Overview", "--output-name", "sales", "--out", out, "--quiet"],
      {
        env
      }
    )
    expect(board.code, board.stderr).toBe(0)
    const names = NodeFs.readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith("manifest"))
      .map((e) => NodePath.relative(out, NodePath.join(e.parentPath, e.name)))
      .sort()
    const vizzes = fixtures.liveboards["Sales Overview"].visualizations.map((v) => `sales/${v.name}.csv`)
    expect(names).toEqual(["by region.csv", "by_product.csv", ...vizzes].sort())
    // Each run's own manifest lists its files; manifest.json is the latest run's.
    const manifests = NodeFs.readdirSync(out)
      .filter((n) => /^manifest-.*\.json$/.test(n))
      .sort()
    const filesOf = (name: string) =>
      (
        JSON.parse(NodeFs.readFileSync(NodePath.join(out, name), "utf8")) as { outputs: Array<{ file: string }> }
      ).outputs.map((o) => o.file)
    expect(manifests.map(filesOf)).toEqual([["by region.csv"], ["by_product.csv"], vizzes])
    expect(filesOf("manifest.json")).toEqual(vizzes)
    const empty = await runCliInProcess(
      ["search", "--table", "Orders", "--query", "[Region]", "--output-name", " ", "--out", out],
      { env }
    )
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain("--output-name is empty")
  }, 60_000)

  it("a-file-over-the-file-size-limit-fails-saying-so-and-resume-finishes-it-whole", async () => {
    const out = NodePath.join(root, "file-size-limit")
    const job = NodePath.join(root, "file-size-limit.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({ defaults: { pageSize: 100 }, exports: [{ type: "answer", id: "Order Details" }] })
    )
    const args = ["run", job, "--out", out, "--quiet"]
    // At most 20 KiB per file (40 blocks of 512 bytes; 40 KiB where a block is 1024), a FAT32 disk's 4 GiB in small:
    // the export's partial file passes it mid-export. Spawned without waiting, since the sandbox answers from here.
    const child = spawn("sh", ["-c", 'ulimit -f 40 && exec "$@"', "sh", process.execPath, mainPath, ...args], {
      env: cliEnv(sandboxEnv(sandbox)),
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text))
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve))
    const limited = { status, stderr }
    expect(limited.status, limited.stderr).toBe(1)
    expect(limited.stderr).toContain("file-size limit (ulimit -f)")
    expect(limited.stderr).not.toContain("check that its folder still exists")
    const resumed = await runCliInProcess([...args, "--resume"], { env: sandboxEnv(sandbox) })
    expect(resumed.code, resumed.stderr).toBe(0)
    const whole = NodePath.join(root, "file-size-limit-whole")
    expect((await runCliInProcess(["run", job, "--out", whole, "--quiet"], { env: sandboxEnv(sandbox) })).code).toBe(0)
    const file = "answer-Order Details.csv"
    expect(NodeFs.readFileSync(NodePath.join(out, file))).toEqual(NodeFs.readFileSync(NodePath.join(whole, file)))
  })

  it("a-search-that-fails-leaves-no-output-folder-behind", async () => {
    const out = NodePath.join(root, "never", "made")
    const run = await runCliInProcess(["search", "--table", "Orders", "--query", "[No Such Column]", "--out", out], {
      env: sandboxEnv(sandbox)
    })
    expect(run.code).toBe(1)
    expect(NodeFs.existsSync(NodePath.join(root, "never"))).toBe(false)
  }, 60_000)
})

describe("one folder: one run that is not a shard, or shards of one sharding", () => {
  // Shard 1/2 runs the 1st and 3rd exports, shard 2/2 the others: 6 pages of 100 rows each.
  const job = {
    defaults: { pageSize: 100 },
    exports: [
      { type: "answer", id: "Order Details" },
      { type: "search", table: "Orders", query: "[Order ID] [Region] [Revenue]" },
      { type: "answer", id: "Order Details", format: "ndjson", output: "order-details-ndjson" },
      { type: "search", table: "Orders", query: "[Order ID] [Quantity]" }
    ]
  }
  const jobFile = NodePath.join(root, "mix.json")
  const otherJobFile = NodePath.join(root, "other.json")
  let reference: Record<string, Buffer>
  /** The data files of a folder (manifests and resume state differ by run). */
  const dataFiles = (dir: string): Record<string, Buffer> =>
    Object.fromEntries(
      [...filesIn(dir)].filter(([name]) => !NodePath.basename(name).startsWith("manifest") && !name.startsWith("."))
    )
  const search = (out: string) =>
    runCli(["search", "--table", "Orders", "--query", "[Region]", "--out", out, "--quiet"], {
      env: sandboxEnv(sandbox)
    })

  /** Starts `spotpipe args…`, resolving `held` once it is held at `step` (by default its first written page). */
  const startHeld = (args: ReadonlyArray<string>, hold: string, step = "page-written") => {
    let finished: CliRun | undefined
    const run = runNode([pauseAtStep, step, hold, ...args], { env: sandboxEnv(sandbox) })
    void run.then((done) => (finished = done))
    const held = (async () => {
      while (!NodeFs.existsSync(hold)) {
        if (finished !== undefined) throw new Error(`the run ended before it was held: ${finished.stderr}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
    return { run, held }
  }
  const holderOf = (lock: string) =>
    JSON.parse(NodeFs.readFileSync(lock, "utf8")) as { pid: number; started_at: string; command: string }

  beforeAll(async () => {
    NodeFs.writeFileSync(jobFile, JSON.stringify(job))
    NodeFs.writeFileSync(otherJobFile, JSON.stringify({ ...job, exports: job.exports.slice(1) }))
    const out = NodePath.join(root, "mix-reference")
    const single = await runCliInProcess(["run", jobFile, "--out", out, "--quiet"], { env: sandboxEnv(sandbox) })
    expect(single.code, single.stderr).toBe(0)
    reference = dataFiles(out)
    expect(Object.keys(reference).length).toBe(4)
  }, 60_000)

  it("while-a-run-that-is-not-a-shard-writes-a-folder-no-shard-and-no-other-command-writes-there", async () => {
    const out = NodePath.join(root, "whole-first")
    const hold = NodePath.join(root, "whole-first.hold")
    const whole = startHeld(["run", jobFile, "--out", out, "--resume", "--concurrency", "1", "--quiet"], hold)
    await whole.held
    const holder = holderOf(NodePath.join(out, ".spotpipe.lock"))
    expect(holder.command).toBe(`spotpipe run ${jobFile}`)
    const shard = await runCli(["run", jobFile, "--out", out, "--shard", "1/2", "--resume", "--quiet"], {
      env: sandboxEnv(sandbox)
    })
    expect(shard.code, shard.stderr).toBe(1)
    expect(shard.stderr).toContain(
      `another spotpipe run (pid ${holder.pid}, started ${holder.started_at}: spotpipe run ${jobFile}) is writing to ${out}, and shard 1/2 shares a folder only with the other shards of its job: wait for it or use another --out`
    )
    const single = await search(out)
    expect(single.code, single.stderr).toBe(1)
    expect(single.stderr).toContain(`another spotpipe run (pid ${holder.pid}, started ${holder.started_at}: `)
    expect(NodeFs.readdirSync(out).filter((name) => name.startsWith(".spotpipe.shard"))).toEqual([])
    NodeFs.rmSync(hold)
    const done = await whole.run
    expect(done.code, done.stderr).toBe(0)
    expect(dataFiles(out)).toEqual(reference)
    expect(NodeFs.existsSync(NodePath.join(out, "manifest.shard-1-of-2.json"))).toBe(false)
  }, 60_000)

  it("a-shard-that-ends-leaves-the-state-folder-to-a-shard-that-has-not-written-there-yet", async () => {
    const out = NodePath.join(root, "shard-state")
    const hold = NodePath.join(root, "shard-state.hold")
    // Shard 2 holds the folder and made the state folder, which is still empty, when shard 1 runs to its end.
    const second = startHeld(["run", jobFile, "--out", out, "--shard", "2/2", "--quiet"], hold, "claimed")
    await second.held
    expect(NodeFs.readdirSync(NodePath.join(out, ".spotpipe-state"))).toEqual([])
    const first = await runCli(["run", jobFile, "--out", out, "--shard", "1/2", "--quiet"], {
      env: sandboxEnv(sandbox)
    })
    expect(first.code, first.stderr).toBe(0)
    expect(NodeFs.existsSync(NodePath.join(out, ".spotpipe-state"))).toBe(true)
    NodeFs.rmSync(hold)
    const done = await second.run
    expect(done.code, done.stderr).toBe(0)
    expect(dataFiles(out)).toEqual(reference)
    // The last shard to end takes the empty state folder away.
    expect(NodeFs.existsSync(NodePath.join(out, ".spotpipe-state"))).toBe(false)
  }, 60_000)

  it("while-a-shard-writes-a-folder-only-the-other-shards-of-its-job-and-count-write-there", async () => {
    const out = NodePath.join(root, "shard-first")
    const hold = NodePath.join(root, "shard-first.hold")
    const first = startHeld(
      ["run", jobFile, "--out", out, "--shard", "1/2", "--resume", "--concurrency", "1", "--quiet"],
      hold
    )
    await first.held
    const holder = holderOf(NodePath.join(out, ".spotpipe.shard-1-of-2.lock"))
    const run = (file: string, ...more: ReadonlyArray<string>) =>
      runCli(["run", file, "--out", out, "--resume", "--quiet", ...more], { env: sandboxEnv(sandbox) })
    const whole = await run(jobFile)
    expect(whole.code, whole.stderr).toBe(1)
    expect(whole.stderr).toContain(
      `shard 1/2 of another spotpipe run (pid ${holder.pid}, started ${holder.started_at}: spotpipe run ${jobFile} --shard 1/2) is writing to ${out}, and a run that is not a shard needs the folder to itself: wait for it or use another --out`
    )
    const single = await search(out)
    expect(single.code, single.stderr).toBe(1)
    expect(single.stderr).toContain(`shard 1/2 of another spotpipe run (pid ${holder.pid}, `)
    const ofThree = await run(jobFile, "--shard", "1/3")
    expect(ofThree.code, ofThree.stderr).toBe(1)
    expect(ofThree.stderr).toContain("and shard 1/3 shares a folder only with shards of the same count")
    const otherJob = await run(otherJobFile, "--shard", "2/2")
    expect(otherJob.code, otherJob.stderr).toBe(1)
    expect(otherJob.stderr).toContain("and shard 2/2 shares a folder only with the shards of its own job")
    // Its sibling is welcome, and writes its part while shard 1/2 is held.
    const sibling = await run(jobFile, "--shard", "2/2")
    expect(sibling.code, sibling.stderr).toBe(0)
    NodeFs.rmSync(hold)
    const done = await first.run
    expect(done.code, done.stderr).toBe(0)
    expect(dataFiles(out)).toEqual(reference)
    expect(NodeFs.readdirSync(out).filter((name) => name.endsWith(".lock"))).toEqual([])
  }, 60_000)
})
