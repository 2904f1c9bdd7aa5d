/**
 * A `--since` given as a wall time with its zone that the zone has twice (a fall-back) or never (a spring-forward
 * gap) names no one instant, and each `--timezone` would start elsewhere: refused (exit 2) before any request for
 * data, naming the unambiguous forms in UTC, which are taken (in-process, against a loopback sandbox).
 */

import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const shared = testSandbox({ rows: 50 })
const tempDir = tempFolders("spotpipe-zoned-since-")

const search = (since: string, timezone: string) =>
  runCliInProcess(
    [
      "search",
      "--table",
      "Orders",
      "--query",
      "[Order ID] [Shipped At]",
      "--since-column",
      "Shipped At",
      "--since",
      since,
      "--timezone",
      timezone,
      "--out",
      NodePath.join(tempDir(), "out"),
      "--quiet"
    ],
    { env: sandboxEnv(shared.sandbox) }
  )

describe("a zoned --since", () => {
  it("a-wall-time-its-zone-has-twice-or-never-is-refused-exit-2-naming-the-instants-in-utc", {
    timeout: 60_000
  }, async () => {
    for (const timezone of ["America/Los_Angeles", "America/New_York"]) {
      const twice = await search("2025-11-02 01:30:00 America/Los_Angeles", timezone)
      expect(twice.code, twice.stderr).toBe(2)
      expect(twice.stderr).toContain(
        'search on "Orders": --since "2025-11-02 01:30:00 America/Los_Angeles" names a wall time America/Los_Angeles has twice (its clocks go back over it): 01:30:00 there is 08:30:00 UTC and again 09:30:00 UTC, so it would start at another instant under each data time zone: give the one you mean in UTC, --since "2025-11-02 08:30:00 UTC" (the first) or --since "2025-11-02 09:30:00 UTC" (the second)'
      )
      const never = await search("2025-03-09 02:30:00 America/Los_Angeles", timezone)
      expect(never.code, never.stderr).toBe(2)
      expect(never.stderr).toContain(
        '--since "2025-03-09 02:30:00 America/Los_Angeles" names a wall time America/Los_Angeles does not have (its clocks go forward over it), so it would start at another instant under each data time zone: give a time outside the gap, or an instant in UTC, such as --since "2025-03-09 10:00:00 UTC" (where the gap ends)'
      )
    }
    expect(shared.requests("searchdata")).toBe(0)
    // The forms it names are taken, and so is a wall time the zone has once.
    for (const since of [
      "2025-11-02 09:30:00 UTC",
      "2025-03-09 10:00:00 UTC",
      "2025-11-02 00:30:00 America/Los_Angeles"
    ]) {
      const taken = await search(since, "America/New_York")
      expect(taken.code, taken.stderr).toBe(0)
    }
  })

  it("in-a-job-fails-its-export-exit-1-while-the-others-are-written", { timeout: 60_000 }, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "out")
    const search = { type: "search", table: "Orders", query: "[Order ID] [Shipped At]", sinceColumn: "Shipped At" }
    const job = writeJob(dir, {
      exports: [
        { ...search, since: "2025-11-02 01:30:00 America/Los_Angeles", output: "twice" },
        { ...search, since: "2025-11-02 08:30:00 UTC", output: "once" }
      ]
    })
    const run = await runCliInProcess(["run", job, "--out", out, "--quiet"], { env: sandboxEnv(shared.sandbox) })
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain(
      'exports[0].since "2025-11-02 01:30:00 America/Los_Angeles" names a wall time America/Los_Angeles has twice'
    )
    expect(NodeFs.existsSync(NodePath.join(out, "once.csv"))).toBe(true)
    expect(NodeFs.existsSync(NodePath.join(out, "twice.csv"))).toBe(false)
  })
})
