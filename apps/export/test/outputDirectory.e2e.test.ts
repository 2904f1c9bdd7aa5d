/**
 * The output directory end to end (the real process against loopback sandboxes): one writer at a time (a lock
 * file), leftovers of killed runs cleaned under it (only temp files of spotpipe's own naming whose process is
 * gone), and no folder left behind by a run that published nothing.
 */
import { spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"

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
        `another spotpipe run \\(pid ${holder.pid}, started [0-9T:.-]+Z\\) is writing to .*busy: wait for it or use another --out`
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
    // Not ours to remove: an unrelated temp file, and a temp file of a process that is alive (this one's parent).
    const kept = [".foo.tmp", `.other.csv.${process.pid}-0123abcd.tmp`, "notes.txt"]
    for (const name of [...stale, ...kept]) NodeFs.writeFileSync(NodePath.join(out, name), "left over")
    const run = await runCli(["answer", "Order Details", "--out", out, "--quiet"], { env: sandboxEnv(sandbox) })
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
      runCli(["search", "--table", "Orders", "--query", query, "--output-name", name, "--out", out, "--quiet"], { env })
    expect((await search("by region", "[Region] [Revenue]")).code).toBe(0)
    expect((await search("by/product", "[Product] [Revenue]")).code).toBe(0)
    const board = await runCli(["liveboard", "Sales Overview", "--output-name", "sales", "--out", out, "--quiet"], {
      env
    })
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
    const empty = await runCli(
      ["search", "--table", "Orders", "--query", "[Region]", "--output-name", " ", "--out", out],
      {
        env
      }
    )
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain("--output-name is empty")
  }, 60_000)

  it("a-search-that-fails-leaves-no-output-folder-behind", async () => {
    const out = NodePath.join(root, "never", "made")
    const run = await runCli(["search", "--table", "Orders", "--query", "[No Such Column]", "--out", out], {
      env: sandboxEnv(sandbox)
    })
    expect(run.code).toBe(1)
    expect(NodeFs.existsSync(NodePath.join(root, "never"))).toBe(false)
  }, 60_000)
})
