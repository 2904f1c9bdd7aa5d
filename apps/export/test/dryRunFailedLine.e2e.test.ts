/**
 * A dry run's FAILED line names the export once: an error that names its export already (as the run's last line
 * quotes it alone) is printed as it is, with or without --force.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { fixtures } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 90_000 }
const tempDir = tempFolders("spotpipe-dry-failed-")
const served = testSandbox({ rows: fixtures.golden.rows, seed: fixtures.golden.seed })

describe("a dry run with an export it cannot plan", () => {
  it("names-the-export-once-in-its-failed-line", timeout, async () => {
    const root = tempDir()
    const job = writeJob(root, {
      exports: [
        { type: "answer", id: "Revenue by Month" },
        {
          type: "search",
          table: "Orders",
          query: "[Order ID] [Revenue] sort by [Order ID]",
          sinceColumn: "Order ID",
          since: "last",
          output: "orders"
        }
      ]
    })
    const out = NodePath.join(root, "out")
    const what = 'export 2 (search on "Orders")'
    for (const extra of [[], ["--force"]]) {
      const dry = await runCliInProcess(["run", job, "--out", out, "--dry-run", ...extra], {
        env: sandboxEnv(served.sandbox)
      })
      expect(dry.code, dry.stderr).toBe(1)
      const failed = dry.stdout.split("\n").filter((line) => line.startsWith("FAILED"))
      expect(failed).toHaveLength(1)
      expect(failed[0]).toMatch(
        new RegExp(`^FAILED  ${what.replace(/[()]/g, "\\$&")}: exports\\[1\\]\\.since "last" needs`)
      )
      expect(failed[0]!.split(what)).toHaveLength(2)
    }
  })
})
