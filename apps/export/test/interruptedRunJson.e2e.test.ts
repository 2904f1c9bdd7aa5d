/**
 * `spotpipe run … --json` stopped by Ctrl-C prints its report on stdout all the same, as a refused or failed run
 * does: status "interrupted", what it left, the command that continues it and the outputs already in the folder.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { startCli, waitFor } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-interrupted-json-")
let slow: RunningSandbox

beforeAll(async () => {
  slow = await startSandbox({ rows: 20_000, faults: { routes: { "*": { latencyMs: 150 } } } })
})

afterAll(async () => {
  await slow?.close()
})

describe("an interrupted run's --json report", () => {
  it("sigint-prints-an-interrupted-report-with-what-was-written-and-the-resume-command", {
    timeout: 60_000
  }, async () => {
    const dir = tempDir()
    const job = NodePath.join(dir, "job.json")
    // One small export, then a large one read in many slow pages: stopped while the second is being written.
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        exports: [
          { type: "answer", id: "Revenue by Month", output: "small" },
          { type: "answer", id: "Order Details", pageSize: 500, output: "large" }
        ]
      })
    )
    const out = NodePath.join(dir, "J")
    const run = startCli(
      ["run", job, "--out", out, "--json", "--concurrency", "1"],
      {
        PATH: process.env["PATH"] ?? "",
        HOME: process.env["HOME"] ?? "/tmp",
        THOUGHTSPOT_HOST: slow.url,
        THOUGHTSPOT_USERNAME: fixtures.user.username,
        THOUGHTSPOT_PASSWORD: fixtures.user.password
      },
      { collectStdout: true }
    )
    const state = NodePath.join(out, ".spotpipe-state")
    await waitFor(
      () =>
        NodeFs.existsSync(NodePath.join(out, "small.csv")) &&
        NodeFs.existsSync(state) &&
        NodeFs.readdirSync(state).some((f) => f.startsWith("large") && f.endsWith(".checkpoint.json")),
      run.stderr
    )
    run.child.kill("SIGINT")
    expect(await run.exited).toBe(130)
    const report = JSON.parse(run.stdout()) as {
      status: string
      folder: string
      manifest: string | null
      interrupted: { left: string; resume: string | null }
      outputs: ReadonlyArray<{ file: string; rows: number; status: string }>
      totals: { files: number }
    }
    expect(report.status).toBe("interrupted")
    expect(report.folder).toBe(out)
    expect(report.manifest).toBeNull()
    expect(report.interrupted).toEqual({
      left: "no partial file was published",
      resume: `spotpipe run ${job} --out ${out} --concurrency 1 --resume`
    })
    expect(report.outputs.map((o) => [o.file, o.status])).toEqual([["small.csv", "written"]])
    expect(report.totals.files).toBe(1)
    expect(run.stderr()).toContain("spotpipe: interrupted; no partial file was published")
  })
})
