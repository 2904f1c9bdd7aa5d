/**
 * A folder another run is writing to right now: a dry run into it says what the real run says (that run, by pid),
 * reading its lock without taking or changing it, and a load of it says that the run is still writing and to wait,
 * not that it was left unfinished. The other run is a real one, held at a step of the engine (PauseAtStep).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { type CliRun, pauseAtStepPath, runNode } from "./support/runCli.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }
const tempDir = tempFolders("spotpipe-dry-live-")
const served = testSandbox({ rows: 300 })

/** `spotpipe args…` held once it has claimed its folder: its pid, the text of its lock, and how to let it go. */
const heldRun = async (root: string, args: ReadonlyArray<string>, lockName: string, out: string) => {
  const hold = NodePath.join(root, "hold")
  const run = runNode([pauseAtStepPath, "claimed", hold, ...args], { env: sandboxEnv(served.sandbox) })
  let ended: CliRun | undefined
  void run.then((done) => (ended = done))
  while (!NodeFs.existsSync(hold) && ended === undefined) await new Promise((resolve) => setTimeout(resolve, 20))
  expect(ended?.stderr).toBeUndefined()
  return {
    pid: Number(NodeFs.readFileSync(hold, "utf8")),
    lock: NodeFs.readFileSync(NodePath.join(out, lockName), "utf8"),
    release: async () => {
      NodeFs.rmSync(hold)
      return await run
    }
  }
}

const lastLine = (text: string) => text.trimEnd().split("\n").at(-1)

describe("a folder a live run is writing to", () => {
  it("a-dry-run-refuses-it-in-the-run's-words-and-a-load-says-to-wait", timeout, async () => {
    const root = tempDir()
    const out = NodePath.join(root, "lk")
    const env = sandboxEnv(served.sandbox)
    const search = ["search", "--table", "Orders", "--query", "[Order ID] [Revenue] sort by [Order ID]", "--out", out]
    const held = await heldRun(root, search, ".spotpipe.lock", out)

    const dry = await runCliInProcess([...search, "--dry-run"], { env })
    const real = await runCliInProcess(search, { env })
    expect(real.code).toBe(1)
    expect(lastLine(real.stderr)).toMatch(
      new RegExp(`^spotpipe: another spotpipe run \\(pid ${held.pid}, started .*: spotpipe search\\) is writing to `)
    )
    expect(dry.code).toBe(1)
    expect(lastLine(dry.stderr)).toBe(lastLine(real.stderr))
    // The plan is printed all the same, and the lock is as the live run wrote it.
    expect(dry.stdout).toContain("search-Orders.csv")
    expect(NodeFs.readFileSync(NodePath.join(out, ".spotpipe.lock"), "utf8")).toBe(held.lock)

    const load = await runCliInProcess(["load", out, "--into", `duckdb:${NodePath.join(root, "lk.duckdb")}`], { env })
    expect(load.code).toBe(2)
    expect(lastLine(load.stderr)).toMatch(
      new RegExp(
        `^spotpipe: .*lk holds no manifest\\.json yet: a spotpipe run is writing to it now \\(pid ${held.pid}, started .*: spotpipe search\\); wait for it to finish, then load the folder$`
      )
    )

    const done = await held.release()
    expect(done.code, done.stderr).toBe(0)
    // Once it is done, a dry run says what any run into a finished folder would.
    const after = await runCliInProcess([...search, "--dry-run"], { env })
    expect(lastLine(after.stderr)).toContain("already exists: pass --force to replace it")
  })

  it("of-a-shard-a-dry-run-of-the-whole-job-is-refused-and-of-another-shard-passes", timeout, async () => {
    const root = tempDir()
    const out = NodePath.join(root, "out")
    const env = sandboxEnv(served.sandbox)
    const job = writeJob(root, {
      exports: [
        { type: "answer", id: "Revenue by Month" },
        { type: "search", table: "Orders", query: "[Region] [Revenue]" }
      ]
    })
    const held = await heldRun(root, ["run", job, "--out", out, "--shard", "1/2"], ".spotpipe.shard-1-of-2.lock", out)

    const other = await runCliInProcess(["run", job, "--out", out, "--shard", "2/2", "--dry-run"], { env })
    expect(other.code, other.stderr).toBe(0)
    const whole = ["run", job, "--out", out]
    const dry = await runCliInProcess([...whole, "--dry-run"], { env })
    const real = await runCliInProcess(whole, { env })
    expect(real.code).toBe(1)
    expect(lastLine(real.stderr)).toMatch(
      new RegExp(`^spotpipe: shard 1/2 of another spotpipe run \\(pid ${held.pid}, .*needs the folder to itself`)
    )
    expect(dry.code).toBe(1)
    expect(lastLine(dry.stderr)).toBe(lastLine(real.stderr))
    expect(NodeFs.readFileSync(NodePath.join(out, ".spotpipe.shard-1-of-2.lock"), "utf8")).toBe(held.lock)

    const done = await held.release()
    expect(done.code, done.stderr).toBe(0)
  })
})
