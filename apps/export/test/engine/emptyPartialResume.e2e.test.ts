/**
 * A run that failed before its first page (the cluster went away) leaves an empty partial file and no checkpoint:
 * `--resume` writes that output from the start without a warning, as nothing is dropped; so with a partial file
 * holding only its CSV header. A partial file with rows and no checkpoint still restarts with one. The files a
 * stopped `--force` run had not rewritten yet are written anew as information, not as a file "not vouched for".
 * The failing cluster is a sandbox whose data route always fails.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "../support/inProcess.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-empty-partial-")
let sandbox: RunningSandbox
let failing: RunningSandbox

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 1_000, seed: 7 })
  failing = await startSandbox({
    rows: 1_000,
    seed: 7,
    faults: { routes: { "metadata/answer/data": { error500: 1 } }, maxConsecutiveFaults: 1_000_000 }
  })
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  await failing?.close()
})

const file = "answer-Order Details.csv"
const partialOf = (out: string) => NodePath.join(out, ".spotpipe-state", `${encodeURIComponent(file)}.partial`)
const sha = (path: string) => createHash("sha256").update(NodeFs.readFileSync(path)).digest("hex")
const job = (dir: string) => {
  const path = NodePath.join(dir, "nightly.json")
  NodeFs.writeFileSync(path, JSON.stringify({ exports: [{ type: "answer", id: "Order Details", pageSize: 70 }] }))
  return path
}
const noCheckpoint = (stderr: string) => stderr.split("\n").filter((line) => line.includes("has no checkpoint"))
const aboutTheFile = (stderr: string) => stderr.split("\n").filter((line) => line.includes(file))

describe("--resume after a failure before the first page", () => {
  it("writes-an-output-whose-partial-file-is-empty-from-the-start-without-a-warning", async () => {
    const whole = tempDir()
    const clean = await runCliInProcess(["run", job(whole), "--out", whole], { env: sandboxEnv(sandbox) })
    expect(clean.code, clean.stderr).toBe(0)

    const out = tempDir()
    // --deadline 1: the retries give up within a second (by default they take about ten seconds here).
    const failed = await runCliInProcess(["run", job(out), "--out", out, "--timeout", "1", "--deadline", "1"], {
      env: sandboxEnv(failing)
    })
    expect(failed.code, failed.stderr).toBe(1)
    expect(NodeFs.statSync(partialOf(out)).size).toBe(0)

    const resumed = await runCliInProcess(["run", job(out), "--out", out, "--resume"], { env: sandboxEnv(sandbox) })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(noCheckpoint(resumed.stderr)).toEqual([])
    expect(resumed.stderr).not.toContain("starting over")
    expect(sha(NodePath.join(out, file))).toBe(sha(NodePath.join(whole, file)))
  }, 60_000)

  it("still-warns-for-a-partial-file-with-bytes-and-no-checkpoint", async () => {
    const out = tempDir()
    NodeFs.mkdirSync(NodePath.dirname(partialOf(out)), { recursive: true })
    // A header and a row: one that only holds its header drops nothing, as an empty one.
    NodeFs.writeFileSync(partialOf(out), "Order ID,Revenue\r\n1,2\r\n")
    const resumed = await runCliInProcess(["run", job(out), "--out", out, "--resume"], { env: sandboxEnv(sandbox) })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(noCheckpoint(resumed.stderr)).toEqual([
      `spotpipe: warning: ${file}: a partial file has no checkpoint: starting over`
    ])
  }, 60_000)
})

describe("--resume after a run that stopped before writing", () => {
  it("files-a-stopped-force-run-had-not-rewritten-are-written-anew-as-information", async () => {
    const out = tempDir()
    const clean = await runCliInProcess(["run", job(out), "--out", out], { env: sandboxEnv(sandbox) })
    expect(clean.code, clean.stderr).toBe(0)
    const before = sha(NodePath.join(out, file))
    // The --force run fails at its first page: it marked the file as to be replaced and had not rewritten it.
    const forced = await runCliInProcess(
      ["run", job(out), "--out", out, "--force", "--timeout", "1", "--deadline", "1"],
      {
        env: sandboxEnv(failing)
      }
    )
    expect(forced.code, forced.stderr).toBe(1)
    expect(sha(NodePath.join(out, file))).toBe(before)

    const resumed = await runCliInProcess(["run", job(out), "--out", out, "--resume"], { env: sandboxEnv(sandbox) })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stderr).not.toContain("not vouched for")
    expect(aboutTheFile(resumed.stderr).filter((line) => line.includes("warning"))).toEqual([])
    expect(aboutTheFile(resumed.stderr)).toEqual([
      `spotpipe: ${file}: a --force run stopped before rewriting it: starting over`
    ])
    expect(sha(NodePath.join(out, file))).toBe(before)
  }, 60_000)

  it("a-partial-file-holding-only-its-header-is-written-anew-without-a-word", async () => {
    const whole = tempDir()
    const clean = await runCliInProcess(["run", job(whole), "--out", whole], { env: sandboxEnv(sandbox) })
    expect(clean.code, clean.stderr).toBe(0)
    const header = `${NodeFs.readFileSync(NodePath.join(whole, file), "utf8").split("\r\n")[0]}\r\n`

    const out = tempDir()
    NodeFs.mkdirSync(NodePath.dirname(partialOf(out)), { recursive: true })
    NodeFs.writeFileSync(partialOf(out), header)
    const resumed = await runCliInProcess(["run", job(out), "--out", out, "--resume"], { env: sandboxEnv(sandbox) })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(aboutTheFile(resumed.stderr)).toEqual([])
    expect(sha(NodePath.join(out, file))).toBe(sha(NodePath.join(whole, file)))
  }, 60_000)
})
