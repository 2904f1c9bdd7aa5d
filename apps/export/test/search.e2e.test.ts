/**
 * `spotpipe search --since-column` as a data engineer runs it, against the embedded sandbox: a query that groups
 * the since column into periods is refused, since the period holding the starting point would be written as if
 * whole while holding only part of its rows (and a `--since last` run would write that period again as another part),
 * and so is one whose totals do not show it (the rows at the watermark would be in two runs' totals).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-search-e2e-")

const timeout = { timeout: 60_000 }

const search = (query: string, ...more: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const dir = tempDir()
    const run = yield* runInProcess(
      ["search", "--sandbox", "--table", "Orders", "--query", query, "--format", "ndjson", "--out", dir, ...more],
      {}
    )
    return { ...run, dir }
  })

describe("search --since-column of a column the query buckets", () => {
  it.live(
    "is-refused-naming-the-way-out-and-writes-nothing",
    () =>
      Effect.gen(function* () {
        for (const query of ["[Region] [Revenue] [Order Date].monthly", "[Region] [Revenue] [order date] .'weekly'"]) {
          const run = yield* search(query, "--since-column", "Order Date", "--since", "2025-06-15")
          expect(run.code, run.stderr).toBe(2)
          expect(run.stderr).toContain("the query groups [Order Date] into periods")
          expect(run.stderr).toContain(`--query "${query} [Order Date] >= '…'"`)
          expect(NodeFs.existsSync(NodePath.join(run.dir, "search-Orders.ndjson"))).toBe(false)
        }
      }),
    timeout
  )

  it.live(
    "a-bucket-of-another-column-is-read-from-the-starting-point",
    () =>
      Effect.gen(function* () {
        const run = yield* search(
          "[Order ID] [Order Date] [Shipped At].monthly",
          "--since-column",
          "Order Date",
          "--since",
          "2025-06-01"
        )
        expect(run.code, run.stderr).toBe(0)
        const rows = NodeFs.readFileSync(NodePath.join(run.dir, "search-Orders.ndjson"), "utf8").trimEnd().split("\n")
        expect(rows.length).toBeGreaterThan(0)
        for (const row of rows) expect(JSON.parse(row)["Order Date"] >= "2025-06-01").toBe(true)
      }),
    timeout
  )

  it.live(
    "an-aggregated-query-that-does-not-show-it-is-refused-since-runs-would-total-the-watermark-rows-twice",
    () =>
      Effect.gen(function* () {
        const since = yield* search(
          "[Region] [Revenue] [Shipped At].monthly",
          "--since-column",
          "Order Date",
          "--since",
          "2025-06-01"
        )
        expect(since.code, since.stderr).toBe(2)
        expect(since.stderr).toContain("would be in two runs' totals")
        expect(NodeFs.existsSync(NodePath.join(since.dir, "search-Orders.ndjson"))).toBe(false)
      }),
    timeout
  )
})
