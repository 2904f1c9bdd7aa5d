/**
 * `search --since-column` of a query that keeps only its first rows (`top N`, `bottom N`, a bare `top`: top 10), end to
 * end (the built CLI against a loopback sandbox): each run would write the top N of its increment, which no loading
 * mode combines into the top N of all rows, so it is refused before any data is read, writing nothing (a job file's
 * export fails the same way; `--dry-run` refuses it as the run does). Which words are such keywords (not inside a
 * `[column]` or a quoted value) is IncrementalLimit.test.ts's. A saved answer's or liveboard visualization's
 * `--since-column` is held to the same rule through its saved query (its TML); one whose TML cannot be read gets a
 * warning that it could not be checked. Runs are in-process but one, the first refused search as users run it (a
 * process of the built CLI).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { startRewritingProxy } from "./support/RenamingProxy.ts"
import { runCli } from "./support/runCli.ts"
import { filesIn, sandboxEnv, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }

let sandbox: RunningSandbox

beforeAll(async () => {
  sandbox = await startSandbox()
})

afterAll(async () => {
  await sandbox?.close()
})

const tempDir = tempFolders("spotpipe-incremental-top-")

/** `spotpipe search` of `query` on Orders into `dir`, quiet. */
const searchArgs = (dir: string, query: string) => [
  ...["search", "--table", "Orders", "--query", query],
  ...["--out", dir, "--quiet"]
]
const search = (dir: string, query: string, ...more: ReadonlyArray<string>) =>
  runCliInProcess([...searchArgs(dir, query), ...more], { env: sandboxEnv(sandbox) })
/** {@link search} as users run it: a process of the built CLI. */
const searchProcess = (dir: string, query: string, ...more: ReadonlyArray<string>) =>
  runCli([...searchArgs(dir, query), ...more], { env: sandboxEnv(sandbox) })

/** A job file's incremental search that keeps only its top 2 rows. */
const topSearchExport = {
  type: "search",
  table: "Orders",
  query: "[Order ID] [Revenue] top 2",
  sinceColumn: "Order ID",
  since: "100"
}

describe("search --since-column of a query with top or bottom", () => {
  it("is refused before any data is read, saying why and what to do, and writes nothing", timeout, async () => {
    const cases: ReadonlyArray<readonly [query: string, column: string, since: string, limit: string]> = [
      ["[Order ID] [Revenue] [Order Date] sort by [Revenue] descending top 5", "Order Date", "2025-06-01", "top 5"],
      ["[Region] [Revenue] [Order Date].'daily' BOTTOM 3", "Order Date", "2025-06-01", "bottom 3"],
      // A bare `top` is the top 10, as on ThoughtSpot.
      ["top [Order ID] [Revenue]", "Order ID", "100", "top"]
    ]
    for (const [i, [query, column, since, limit]] of cases.entries()) {
      const dir = tempDir()
      // The first as users run it.
      const run = await (i === 0 ? searchProcess : search)(dir, query, "--since-column", column, "--since", since)
      expect(run.code, `${query}: ${run.stderr}`).toBe(2)
      expect(run.stderr).toContain(`the query keeps only some of its rows ("${limit}")`)
      expect(run.stderr).toContain(`--since-column "${column}" would write those of each run's rows`)
      expect(run.stderr).toContain("leave --since-column out and export the whole result each run")
      expect([...filesIn(dir).keys()]).toEqual([])
    }

    // A job file's export is planned the same way: that export fails, writing no data and no watermark.
    const dir = tempDir()
    const job = writeJob(dir, { exports: [topSearchExport] })
    const run = await runCliInProcess(["run", job, "--out", dir, "--quiet"], { env: sandboxEnv(sandbox) })
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain('the query keeps only some of its rows ("top 2")')
    const left = [...filesIn(dir).keys()]
    expect(left.filter((file) => file.startsWith("search-") || file.includes("watermarks"))).toEqual([])
  })
  it(
    "is refused by --dry-run too: exit 2 with the message and no plan, with --json too; a job's dry run lists it under failures",
    timeout,
    async () => {
      // Named as given: the flag, or the job file's key.
      const why = (setting: string) =>
        `the query keeps only some of its rows ("top 2"), and ${setting} "Order ID" would write`
      for (const json of [[], ["--json"]]) {
        const dir = tempDir()
        const run = await search(
          dir,
          "[Order ID] [Revenue] top 2",
          "--since-column",
          "Order ID",
          "--since",
          "100",
          "--dry-run",
          ...json
        )
        expect(run.code, run.stderr).toBe(2)
        expect(run.stderr).toContain(why("--since-column"))
        // A usage error: no plan (and no JSON) on stdout.
        expect(run.stdout).toBe("")
        expect([...filesIn(dir).keys()]).toEqual([])
      }

      // In a job file the export fails its plan (exit 1) and the JSON plan lists it, the job's other export planned.
      const dir = tempDir()
      const job = writeJob(dir, {
        exports: [topSearchExport, { type: "search", table: "Orders", query: "[Region] [Revenue]", output: "regions" }]
      })
      const run = await runCliInProcess(["run", job, "--out", dir, "--quiet", "--dry-run", "--json"], {
        env: sandboxEnv(sandbox)
      })
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr).toContain(why("exports[0].sinceColumn"))
      const plan = JSON.parse(run.stdout) as {
        dry_run: boolean
        outputs: Array<{ file: string }>
        failures: Array<{ export: string; what: string; error: string }>
      }
      expect(plan.dry_run).toBe(true)
      expect(plan.outputs.map((o) => o.file)).toEqual(["regions.csv"])
      expect(plan.failures).toEqual([
        {
          export: "search-Orders",
          what: 'export 1 (search on "Orders")',
          error: expect.stringContaining(why("exports[0].sinceColumn"))
        }
      ])
      expect([...filesIn(dir).keys()]).toEqual(["job.json"])
    }
  )
})

describe("answer and liveboard --since-column of a saved query with top", () => {
  const liveboard = (dir: string, env: Record<string, string>) =>
    runCliInProcess(
      [
        "liveboard",
        "Sales Overview",
        "--viz",
        "Top 10 Customers",
        "--since-column",
        "Customer",
        "--since",
        "A",
        "--out",
        dir,
        "--quiet"
      ],
      { env }
    )

  it("is refused before any data is read, reading the saved query from the TML", timeout, async () => {
    const dir = tempDir()
    const run = await liveboard(dir, sandboxEnv(sandbox))
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toContain(
      `visualization "Top 10 Customers" of liveboard "Sales Overview": its saved query keeps only some of its rows ("top 10")`
    )
    expect([...filesIn(dir).keys()]).toEqual([])
  })

  it("whose TML cannot be read is a warning that the limit could not be checked", timeout, async () => {
    // ThoughtSpot answers 200 with the item's own ERROR status for an object it cannot export.
    const proxy = await startRewritingProxy(sandbox.url, {
      response: (text, request) =>
        request.url.endsWith("/metadata/tml/export")
          ? JSON.stringify([
              {
                info: {
                  id: fixtures.answers["Order Details"].id,
                  status: { status_code: "ERROR", error_message: "Cannot export this answer" }
                }
              }
            ])
          : text
    })
    try {
      const dir = tempDir()
      const run = await runCliInProcess(
        ["answer", "Order Details", "--since-column", "Order ID", "--since", "100", "--out", dir],
        { env: { ...sandboxEnv(sandbox), THOUGHTSPOT_HOST: proxy.url } }
      )
      expect(run.code, run.stderr).toBe(0)
      const warning = "whether its saved query keeps only some of its rows (top N) could not be checked"
      expect(run.stderr).toContain(warning)
      const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as {
        outputs: ReadonlyArray<{ warnings: ReadonlyArray<string> }>
      }
      expect(manifest.outputs[0]!.warnings).toEqual(expect.arrayContaining([expect.stringContaining(`${warning} (`)]))
    } finally {
      await proxy.close()
    }
  })
})
