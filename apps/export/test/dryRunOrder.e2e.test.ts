/**
 * A dry run checks a result's order as the run does on its first page: a search without `sort by` whose rows span
 * several of the run's pages is refused with `--strict` (or a job file's `"strict": true`) in the run's words, and
 * is warned of without it, in the run's warning, although the dry run itself reads one row.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 90_000 }
const tempDir = tempFolders("spotpipe-dry-order-")
const served = testSandbox({ rows: 300 })

const query = "[Order ID] [Revenue]"
const search = ["search", "--table", "Orders", "--query", query, "--page-size", "100"]

/** The lines of `text` that speak of the missing `sort by`. */
const orderLines = (text: string) => text.split("\n").filter((line) => line.includes('has no "sort by"'))

describe("a dry run of a search without sort by read in several pages", () => {
  it("with-strict-fails-as-the-run-does-in-its-words", timeout, async () => {
    const root = tempDir()
    const out = NodePath.join(root, "st")
    const env = sandboxEnv(served.sandbox)

    const dry = await runCliInProcess([...search, "--strict", "--out", out, "--dry-run"], { env })
    const real = await runCliInProcess([...search, "--strict", "--out", out], { env })
    expect(real.code).toBe(1)
    expect(dry.code).toBe(1)
    expect(orderLines(real.stderr)).toEqual([
      'spotpipe: search on "Orders": the search query has no "sort by" and its 300 rows are read in 3 pages of 100: each page is a query of its own on the cluster, so without a fixed order rows can be repeated or missing; add a sort by on columns that make each row unique (… sort by [Order ID]) (without --strict it is exported with this warning)'
    ])
    expect(orderLines(dry.stderr)).toEqual(orderLines(real.stderr))

    // A result of one page has no order to lose: the dry run passes as the run would.
    const onePage = ["search", "--table", "Orders", "--query", query, "--page-size", "300", "--strict"]
    const fits = await runCliInProcess([...onePage, "--out", NodePath.join(root, "fits"), "--dry-run"], { env })
    expect(fits.code, fits.stderr).toBe(0)
    // Nor does a sorted one.
    const sorted = ["search", "--table", "Orders", "--query", `${query} sort by [Order ID]`, "--page-size", "100"]
    const ok = await runCliInProcess([...sorted, "--strict", "--out", NodePath.join(root, "ok"), "--dry-run"], { env })
    expect(ok.code, ok.stderr).toBe(0)
    expect(orderLines(ok.stderr)).toEqual([])
  })

  it("of-a-job-with-strict-true-fails-as-the-run-does", timeout, async () => {
    const root = tempDir()
    const job = writeJob(root, {
      exports: [{ type: "search", table: "Orders", query, pageSize: 100, strict: true }]
    })
    const out = NodePath.join(root, "out")
    const env = sandboxEnv(served.sandbox)

    const dry = await runCliInProcess(["run", job, "--out", out, "--dry-run"], { env })
    expect(dry.code).toBe(1)
    expect(NodeFs.readdirSync(root)).toEqual(["job.json"])
    const real = await runCliInProcess(["run", job, "--out", out, "--quiet"], { env })
    expect(real.code).toBe(1)
    const said =
      'search on "Orders": the search query has no "sort by" and its 300 rows are read in 3 pages of 100: each page is a query of its own on the cluster, so without a fixed order rows can be repeated or missing; add a sort by on columns that make each row unique (… sort by [Order ID]) (without "strict": true it is exported with this warning)'
    expect(real.stderr).toContain(said)
    expect(dry.stderr).toContain(
      `spotpipe: dry run: 1 of the job's exports cannot be planned or read (nothing was written): ${said}`
    )
  })

  it("without-strict-warns-as-the-run-does-and-lists-the-warning-in-json", timeout, async () => {
    const root = tempDir()
    const out = NodePath.join(root, "out")
    const env = sandboxEnv(served.sandbox)

    const dry = await runCliInProcess([...search, "--out", out, "--dry-run", "--json"], { env })
    expect(dry.code, dry.stderr).toBe(0)
    expect(NodeFs.existsSync(out)).toBe(false)
    const real = await runCliInProcess([...search, "--out", out, "--json"], { env })
    expect(real.code, real.stderr).toBe(0)
    const warned = orderLines(real.stderr)
    expect(warned).toHaveLength(1)
    expect(warned[0]).toMatch(
      /^spotpipe: warning: search on "Orders": the search query has no "sort by" and its 300 rows/
    )
    expect(orderLines(dry.stderr)).toEqual(warned)
    // The JSON plan lists it on the file, as the run's report does.
    const plan = JSON.parse(dry.stdout) as { outputs: Array<{ warnings: Array<string> }> }
    const report = JSON.parse(real.stdout) as { outputs: Array<{ warnings: Array<string> }> }
    expect(plan.outputs[0]?.warnings).toEqual(report.outputs[0]?.warnings.filter((w) => w.includes("sort by")))
    expect(plan.outputs[0]?.warnings).toHaveLength(1)
  })
})
