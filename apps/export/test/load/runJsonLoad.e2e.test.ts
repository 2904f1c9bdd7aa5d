/**
 * `spotpipe run --json` of a job that loads, end to end (in-process against a loopback sandbox, into DuckDB): the
 * load's outcome is in the run's one JSON object on stdout, and stderr carries no table — neither the run's nor
 * the load's — as it does without a load.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "../support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-run-json-load-")
const sandbox = testSandbox({ rows: 200 })

describe("run --json of a job that loads", () => {
  it.live(
    "prints-the-load-in-the-json-report-and-no-table-on-stderr",
    () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const job = writeJob(dir, {
          exports: [
            { type: "answer", id: "Revenue by Month" },
            { type: "answer", id: "Order Details", format: "ndjson" }
          ],
          load: { into: `duckdb:${NodePath.join(dir, "w.duckdb")}` }
        })
        const run = yield* runInProcess(
          ["run", job, "--out", NodePath.join(dir, "out"), "--json"],
          sandboxEnv(sandbox.sandbox)
        )
        expect(run.code, run.stderr).toBe(0)
        const report = JSON.parse(run.stdout)
        expect(report.load.status).toBe("succeeded")
        // Each table holds the rows its file has (the report's outputs).
        expect(report.load.tables.map((t: { table: string; rows: number }) => [t.table, t.rows])).toEqual([
          ["answer_revenue_by_month", report.outputs[0].rows],
          ["answer_order_details", report.outputs[1].rows]
        ])
        expect(report.load.rows).toBe(report.totals.rows)
        expect(run.stderr).not.toMatch(/\btable +rows +seconds +file\b/)
        expect(run.stderr).not.toContain("loaded 2 tables")
      }),
    { timeout: 60_000 }
  )
})
