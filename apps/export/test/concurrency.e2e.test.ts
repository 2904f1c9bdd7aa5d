/**
 * `--concurrency N` is the number of data requests in flight at once, whatever else the export holds: with pages
 * under 50 000 rows one more page is kept while it is read (CoreCluster's `pagesAhead`), which must never become
 * one more request. The sandbox adds latency to every data page, so requests overlap whenever the CLI lets them,
 * and counts the most it answered at once. And planning asks for the cluster's time zone beside the object lookups,
 * not in a round trip of its own before them. The exports run in-process: what is measured is the sandbox's.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"

const temps: Array<string> = []
afterAll(() => {
  for (const dir of temps) NodeFs.rmSync(dir, { recursive: true, force: true })
})

/** Exports 100 000 rows in 10 pages at `--concurrency` and returns the sandbox's most requests at once. */
const peakRequests = async (concurrency: number): Promise<number> => {
  const sandbox = await startSandbox({ rows: 100_000, faults: { routes: { searchdata: { latencyMs: 200 } } } })
  try {
    const out = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-concurrency-"))
    temps.push(out)
    const run = await runCliInProcess(
      ["search", "--table", "Orders", "--query", "[Order ID] [Region]", "--page-size", "10000"].concat([
        "--concurrency",
        String(concurrency),
        "--out",
        out,
        "--quiet"
      ]),
      {
        env: sandboxEnv(sandbox)
      }
    )
    expect(run.code, run.stderr).toBe(0)
    const csv = NodeFs.readFileSync(NodePath.join(out, NodeFs.readdirSync(out).find((f) => f.endsWith(".csv"))!))
    expect(csv.toString("utf8").trimEnd().split("\r\n")).toHaveLength(100_001)
    return sandbox.stats().peakInFlight
  } finally {
    await sandbox.close()
  }
}

describe.concurrent("requests in flight", () => {
  it("concurrency-1-sends-one-request-at-a-time-although-a-page-is-read-ahead", { timeout: 60_000 }, async () => {
    expect(await peakRequests(1)).toBe(1)
  })

  it("concurrency-6-keeps-six-requests-in-flight-beyond-the-clients-default-of-four", { timeout: 60_000 }, async () => {
    expect(await peakRequests(6)).toBe(6)
  })
})

describe("planning", () => {
  it("asks-for-the-clusters-time-zone-while-it-looks-up-the-objects-not-before", { timeout: 60_000 }, async () => {
    // `system` answers 400 ms late: asked for first and alone, every lookup would be answered after it.
    const answered: Array<string> = []
    const sandbox = await startSandbox({
      rows: 100,
      faults: { routes: { system: { latencyMs: 400 } } },
      log: (line) => answered.push(line)
    })
    try {
      const out = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-planning-"))
      temps.push(out)
      const run = await runCliInProcess(["answer", "Order Details", "--out", out, "--quiet"], {
        env: sandboxEnv(sandbox)
      })
      expect(run.code, run.stderr).toBe(0)
      const system = answered.findIndex((line) => line.includes("/system "))
      const lookup = answered.findIndex((line) => line.includes("/metadata/search "))
      expect(system).toBeGreaterThan(0)
      expect(lookup).toBeGreaterThan(0)
      expect(lookup).toBeLessThan(system)
      // And the data is read in the cluster's zone, once it is known.
      const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8"))
      expect(manifest.timezone).toEqual({ name: "America/Los_Angeles", source: "cluster" })
      expect(manifest.outputs[0].settings.timezone).toBe("America/Los_Angeles")
    } finally {
      await sandbox.close()
    }
  })
})
