/**
 * DATE cells against the data time zone, end to end: a cluster whose dates are computed in UTC (a sandbox in UTC)
 * exported with another `--timezone` fails loudly, naming the zone and saying to export with `--timezone UTC`,
 * instead of writing every date a day early; in the zone it computes dates in, the same export succeeds. Runs are
 * in-process (runCliInProcess) but the first, a real process so the failure is shown once as installed.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-date-zone-"))
let sandbox: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 200, seed: 5, timezone: "UTC" })
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("DATE cells and the data time zone", () => {
  it("dates-computed-in-utc-read-in-another-zone-fail-saying-to-export-with-timezone-utc", async () => {
    const out = NodePath.join(root, "other-zone")
    const run = await runCli(
      ["answer", "Revenue by Month", "--timezone", "America/Los_Angeles", "--out", out, "--quiet"],
      { env }
    )
    expect(run.code, run.stderr).toBe(1)
    const lines = run.stderr.trimEnd().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      /^spotpipe: answer "Revenue by Month": row \d+, column "Month\(Order Date\)": cell \d+ is 1[67]:00:00 on \d{4}-\d\d-\d\d in America\/Los_Angeles, not a midnight: .*; it is midnight in UTC \(\d{4}-\d\d-01\), so its dates were likely computed in UTC; the dates were read in America\/Los_Angeles, the data time zone \(.*--timezone.*the cluster's time_zone\): if the cluster computes dates in UTC, export with --timezone UTC/
    )
    // Nothing was published under the answer's name.
    expect(NodeFs.existsSync(NodePath.join(out, "answer-Revenue by Month.csv"))).toBe(false)
  }, 60_000)

  it("the-zone-is-named-as-the-user-wrote-it-not-by-its-canonical-alias", async () => {
    // Intl canonicalises Asia/Kolkata to Asia/Calcutta; the user wrote Asia/Kolkata, and every mention says so.
    const out = NodePath.join(root, "alias-zone")
    const run = await runCliInProcess(
      ["answer", "Revenue by Month", "--timezone", "Asia/Kolkata", "--out", out, "--quiet"],
      {
        env
      }
    )
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toMatch(/ in Asia\/Kolkata, not a midnight: /)
    expect(run.stderr).toContain("the dates were read in Asia/Kolkata, the data time zone")
    expect(run.stderr).not.toContain("Calcutta")
  }, 60_000)

  it("the-same-export-in-the-zone-the-dates-were-computed-in-writes-first-days-of-months", async () => {
    const out = NodePath.join(root, "cluster-zone")
    const run = await runCliInProcess(["answer", "Revenue by Month", "--out", out, "--quiet"], { env })
    expect(run.code, run.stderr).toBe(0)
    const lines = NodeFs.readFileSync(NodePath.join(out, "answer-Revenue by Month.csv"), "utf8").trimEnd().split("\r\n")
    expect(lines[0]).toBe("Month(Order Date),Total Revenue")
    expect(lines.length).toBeGreaterThan(1)
    // Every month's first day (or a null month), never the last day of the month before.
    for (const line of lines.slice(1)) expect(line).toMatch(/^(\d{4}-\d\d-01)?,/)
    expect(lines.filter((line) => /^\d{4}-\d\d-01,/.test(line)).length).toBeGreaterThan(1)
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8"))
    expect(manifest.timezone).toEqual({ name: "UTC", source: "cluster" })
  }, 60_000)
})
