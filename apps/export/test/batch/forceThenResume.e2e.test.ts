/**
 * A `--force` run (a new night into last night's folder) in which an export could not even be looked up, then
 * its `--resume`: the file that export left from the night before must be written again, never kept as this
 * night's. Its `--force` replaced nothing of it (no output was planned), so only the run itself can say that
 * the earlier runs' files are not this run's. The runs are in-process: the CLI's logic is the subject.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "../support/inProcess.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-force-resume-"))
let sandbox: RunningSandbox

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 100, seed: 5 })
})

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

interface Run {
  readonly run_id: string
  readonly exports: ReadonlyArray<{ readonly export: string; readonly status: string }>
  readonly outputs: ReadonlyArray<{ readonly file: string; readonly resume: string; readonly sha256: string }>
}
const manifestOf = (dir: string): Run => JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8"))

describe("spotpipe run --force, then --resume", () => {
  it("an export whose lookup failed in the --force run is written again by --resume, not kept from the night before", async () => {
    const dir = NodePath.join(root, "landing")
    const job = NodePath.join(root, "nightly.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        // The limited user may not read the cluster's time zone (GET system is for administrators).
        defaults: { timezone: "America/Los_Angeles" },
        exports: [
          { type: "answer", id: "Revenue by Month", output: "revenue" },
          { type: "answer", id: "Top Customers (restricted)", output: "customers" }
        ]
      })
    )
    const full = sandboxEnv(sandbox)
    // The limited user cannot see the second answer: its lookup fails, as a transient error or a revoked share would.
    const limited = sandboxEnv(sandbox, { username: "tsViewer", password: "Viewer@123!" })
    expect(fixtures.user.username).not.toBe("tsViewer")

    const night1 = await runCliInProcess(["run", job, "--out", dir, "--quiet"], { env: full })
    expect(night1.code, night1.stderr).toBe(0)
    const first = manifestOf(dir)

    const night2 = await runCliInProcess(["run", job, "--out", dir, "--force", "--quiet"], { env: limited })
    expect(night2.code).toBe(1)
    expect(manifestOf(dir).exports.map((e) => [e.export, e.status])).toEqual([
      ["revenue", "succeeded"],
      ["customers", "failed"]
    ])

    const resumed = await runCliInProcess(["run", job, "--out", dir, "--resume", "--quiet"], { env: full })
    expect(resumed.code, resumed.stderr).toBe(0)
    const last = manifestOf(dir)
    const customers = last.outputs.find((o) => o.file === "customers.csv")!
    // Night 1's file is not this night's: the run that meant to replace it never wrote it.
    expect(customers.resume).toBe("written")
    expect(last.outputs.find((o) => o.file === "revenue.csv")!.resume).toBe("skipped")
    expect(first.outputs.find((o) => o.file === "customers.csv")!.resume).toBe("written")

    // Once the night is whole, a further --resume keeps everything.
    const again = await runCliInProcess(["run", job, "--out", dir, "--resume", "--quiet"], { env: full })
    expect(again.code, again.stderr).toBe(0)
    expect(manifestOf(dir).outputs.map((o) => [o.file, o.resume])).toEqual([
      ["revenue.csv", "skipped"],
      ["customers.csv", "skipped"]
    ])
    expect(NodeFs.existsSync(NodePath.join(dir, ".spotpipe-state"))).toBe(false)
  }, 120_000)

  it("another job's --force run into the same folder in between does not take the mark of the first", async () => {
    const dir = NodePath.join(root, "shared")
    const jobOf = (name: string, exports: ReadonlyArray<object>) => {
      const file = NodePath.join(root, `${name}.json`)
      // The limited user may not read the cluster's time zone (GET system is for administrators).
      NodeFs.writeFileSync(file, JSON.stringify({ defaults: { timezone: "America/Los_Angeles" }, exports }))
      return file
    }
    const sales = jobOf("sales", [
      { type: "answer", id: "Revenue by Month", output: "revenue" },
      { type: "answer", id: "Top Customers (restricted)", output: "customers" }
    ])
    const catalog = jobOf("catalog", [{ type: "metadata", metadataTypes: ["ANSWER"], output: "answers" }])
    const full = sandboxEnv(sandbox)
    const limited = sandboxEnv(sandbox, { username: "tsViewer", password: "Viewer@123!" })

    expect((await runCliInProcess(["run", sales, "--out", dir, "--quiet"], { env: full })).code).toBe(0)
    expect((await runCliInProcess(["run", sales, "--out", dir, "--force", "--quiet"], { env: limited })).code).toBe(1)
    const other = await runCliInProcess(["run", catalog, "--out", dir, "--force", "--quiet"], { env: full })
    expect(other.code, other.stderr).toBe(0)

    const resumed = await runCliInProcess(["run", sales, "--out", dir, "--resume", "--quiet"], { env: full })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(manifestOf(dir).outputs.map((o) => [o.file, o.resume])).toEqual([
      ["revenue.csv", "skipped"],
      ["customers.csv", "written"]
    ])
  }, 120_000)
})
