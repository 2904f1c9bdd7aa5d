/**
 * `search --since-column` over a result that is not row-level, end to end (the built CLI against a loopback sandbox): a
 * result whose cluster groups the column into periods without being asked (a bare date beside a total becomes
 * `Month(Order Date)`) and a result whose totals do not show the column are refused before any data is read (by
 * `--dry-run` too), writing nothing — the first would write part of a period as the period, the second would put the
 * rows at the watermark in two runs' totals — while a result without totals, grouped by other columns, is read from the
 * starting point as the same query with the filter in it reads. A DATE shown by day (`[Order Date].'daily'`, named
 * `Day(Order Date)`) is read as the column itself, since a day of a DATE is its value, with totals too; a day of a
 * DATE_TIME (many instants) and any other period of a DATE stay refused. Runs are in-process but one, a search by
 * date as users run it (a process of the built CLI).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { filesIn, linesIn, manifestIn, sandboxEnv, testSandbox, watermarksIn, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }

const sandbox = testSandbox()

const tempDir = tempFolders("spotpipe-incremental-grouped-")

/** `spotpipe search` of `query` on Orders into `dir`, quiet. */
const searchArgs = (dir: string, query: string) => [
  ...["search", "--table", "Orders", "--query", query],
  ...["--out", dir, "--quiet"]
]
const search = (dir: string, query: string, ...more: ReadonlyArray<string>) =>
  runCliInProcess([...searchArgs(dir, query), ...more], { env: sandboxEnv(sandbox.sandbox) })

/**
 * `query` read from 2025-06-01 on by `--since-column "Order Date"`, and the same query with that filter in it (the
 * reference), each as NDJSON into a fresh folder.
 */
const sinceAndReference = async (query: string) => {
  const since = tempDir()
  const run = await search(since, query, "--since-column", "Order Date", "--since", "2025-06-01", "--format", "ndjson")
  expect(run.code, run.stderr).toBe(0)
  const whole = tempDir()
  const reference = await search(whole, `${query} [Order Date] >= '2025-06-01'`, "--format", "ndjson")
  expect(reference.code, reference.stderr).toBe(0)
  return { since, whole }
}

/**
 * `query` read from `since` on by `--since-column <column>` (and `more`) into a fresh folder, which must be refused (exit 2)
 * before any data is read, leaving the folder empty: the run, for what it says.
 */
const refusedSince = async (query: string, column: string, since: string, ...more: ReadonlyArray<string>) => {
  const dir = tempDir()
  const run = await search(dir, query, "--since-column", column, "--since", since, ...more)
  expect(run.code, `${query}: ${run.stderr}`).toBe(2)
  expect([...filesIn(dir).keys()]).toEqual([])
  return run
}

/** The next run of `query` into `dir`: `--since-column "Order Date" --since last`, as NDJSON. */
const sinceLast = (dir: string, query: string) =>
  search(dir, query, "--since-column", "Order Date", "--since", "last", "--format", "ndjson", "--force")

describe("search --since-column of a date the cluster groups into periods unasked", () => {
  it(
    "is refused before any data is read, naming the period column and the way out, and writes nothing",
    timeout,
    async () => {
      // The query names no bucket, but a bare date beside a total is grouped by month: February 2020 would be
      // written as the total of February 15–29 labelled 2020-02-01.
      for (const query of ["[Revenue] [Order Date]", "[Region] [Order Date]"]) {
        const run = await refusedSince(query, "Order Date", "2020-02-15")
        expect(run.stderr).toContain(
          'the cluster groups [Order Date] into periods (its result has the column "Month(Order Date)"'
        )
        expect(run.stderr).toContain(`--query "${query} [Order Date] >= '…'" without --since-column`)
        // The way to keep a DATE exact beside totals: show it by day.
        expect(run.stderr).toContain("add [Order Date].'daily' to the query")
      }

      // A job file's export is planned the same way: that export fails (the job's others would run), writing no
      // data and no watermark.
      const dir = tempDir()
      const job = writeJob(dir, {
        exports: [
          {
            type: "search",
            table: "Orders",
            query: "[Revenue] [Order Date]",
            sinceColumn: "Order Date",
            since: "2020-02-15"
          }
        ]
      })
      const run = await runCliInProcess(["run", job, "--out", dir, "--quiet"], { env: sandboxEnv(sandbox.sandbox) })
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr).toContain("the cluster groups [Order Date] into periods")
      const left = [...filesIn(dir).keys()]
      expect(left.filter((file) => file.startsWith("search-") || file.includes("watermarks"))).toEqual([])
    }
  )
})

describe("search --since-column --dry-run of a result that is not row-level", () => {
  it(
    "is refused as the run is: exit 2 with the message and no plan, with --json too; a job's dry run lists it under failures",
    timeout,
    async () => {
      const cases: ReadonlyArray<readonly [query: string, column: string, since: string, why: string]> = [
        ["[Revenue] [Order Date]", "Order Date", "2020-02-15", "the cluster groups [Order Date] into periods"],
        ["[Region] [Revenue]", "Order Date", "2025-06-01", "would be in two runs' totals"]
      ]
      for (const [query, column, since, why] of cases) {
        for (const json of [[], ["--json"]]) {
          const run = await refusedSince(query, column, since, "--dry-run", ...json)
          expect(run.stderr).toContain(why)
          // A usage error: no plan (and no JSON) on stdout.
          expect(run.stdout).toBe("")
        }
      }

      const dir = tempDir()
      const job = writeJob(dir, {
        exports: [
          {
            type: "search",
            table: "Orders",
            query: "[Revenue] [Order Date]",
            sinceColumn: "Order Date",
            since: "2020-02-15"
          },
          {
            type: "search",
            table: "Orders",
            query: "[Region] [Revenue]",
            sinceColumn: "Order Date",
            since: "2025-06-01",
            output: "totals"
          },
          { type: "search", table: "Orders", query: "[Region] [Revenue]", output: "regions" }
        ]
      })
      const run = await runCliInProcess(["run", job, "--out", dir, "--quiet", "--dry-run", "--json"], {
        env: sandboxEnv(sandbox.sandbox)
      })
      expect(run.code, run.stderr).toBe(1)
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
          error: expect.stringContaining(cases[0]![3])
        },
        { export: "totals", what: expect.stringContaining("export 2"), error: expect.stringContaining(cases[1]![3]) }
      ])
      expect([...filesIn(dir).keys()]).toEqual(["job.json"])
    }
  )
})

describe("search --since-column under totals that do not show the column", () => {
  it(
    "is refused before any data is read, since the rows at the watermark would be in two runs' totals, and writes nothing",
    timeout,
    async () => {
      const cases: ReadonlyArray<readonly [query: string, column: string, since: string, total: string]> = [
        ["[Region] [Revenue]", "Order Date", "2025-06-01", "Total Revenue"],
        ["[Region] [Revenue] [Shipped At].monthly", "Order Date", "2025-06-01", "Total Revenue"],
        ["[Region] count [Order ID]", "Shipped At", "2025-06-01 00:00:00", "Count Order ID"]
      ]
      for (const [query, column, since, total] of cases) {
        const run = await refusedSince(query, column, since)
        expect(run.stderr).toContain(
          `the query's result holds totals (its column "${total}") and does not show [${column}] as it is`
        )
        expect(run.stderr).toContain("would be in two runs' totals")
        expect(run.stderr).toContain("Use a row-level query")
      }
    }
  )
})

describe("search --since-column of a result grouped by other columns, without totals", () => {
  it("reads the groups of the rows from the starting point, as the query with the filter in it", timeout, async () => {
    const { since, whole } = await sinceAndReference("[Region] [Shipped At].monthly")
    const text = (dir: string) => NodeFs.readFileSync(NodePath.join(dir, "search-Orders.ndjson"), "utf8")
    expect(text(since)).toEqual(text(whole))
    expect(text(since).length).toBeGreaterThan(0)
  })
})

const ndjson = (dir: string): Array<Record<string, unknown>> =>
  linesIn(NodePath.join(dir, "search-Orders.ndjson")).map((line) => JSON.parse(line) as Record<string, unknown>)

/** The run's watermarks as the next `--since last` reads them (without the run that wrote them). */
const marks = (dir: string) => watermarksIn(dir).map(({ kind, column, value }) => ({ kind, column, value }))

const sourceQuery = (dir: string) =>
  manifestIn<{ outputs: Array<{ source: { query: string | null } }> }>(dir).outputs[0]!.source.query

describe("search --since-column of a DATE shown by day", () => {
  it(
    "reads a row-level result as with the plain column: each row's day is its date, the same watermark, then last from it",
    timeout,
    async () => {
      // The sandbox's zone (America/Los_Angeles) is not UTC: a day's start is that zone's midnight, as a DATE's is.
      const since = ["--since-column", "Order Date", "--since", "2025-06-01", "--format", "ndjson"]
      const plain = tempDir()
      // As users run it: a process of the built CLI.
      const reference = await runCli([...searchArgs(plain, "[Order ID] [Revenue] [Order Date]"), ...since], {
        env: sandboxEnv(sandbox.sandbox)
      })
      expect(reference.code, reference.stderr).toBe(0)
      const expected = ndjson(plain).map(({ "Order Date": day, ...rest }) => ({ ...rest, "Day(Order Date)": day }))
      expect(expected.length).toBeGreaterThan(0)
      const [mark] = marks(plain)
      // The day (before the data time zone the watermark names).
      const newest = mark!.value.split(" ")[0]!

      // Both spellings: the quoted one a cluster was seen to take, and the bare one of the documentation.
      for (const query of ["[Order ID] [Revenue] [Order Date].'daily'", "[Order ID] [Revenue] [Order Date].daily"]) {
        const dir = tempDir()
        const run = await search(dir, query, ...since)
        expect(run.code, `${query}: ${run.stderr}`).toBe(0)
        expect(ndjson(dir)).toEqual(expected)
        expect(marks(dir)).toEqual([{ kind: "column", column: "Order Date", value: mark!.value }])
        expect(sourceQuery(dir)).toBe(`${query} [Order Date] >= '2025-06-01'`)

        const next = await sinceLast(dir, query)
        expect(next.code, next.stderr).toBe(0)
        const again = ndjson(dir)
        expect(again).toEqual(expected.filter((row) => (row["Day(Order Date)"] as string) >= newest))
        expect(again.length).toBeGreaterThan(0)
        expect(sourceQuery(dir)).toBe(`${query} [Order Date] >= '${newest}'`)
      }
    }
  )

  it(
    "reads totals by day from the starting point, and the next run writes the last day's total whole again",
    timeout,
    async () => {
      // A bare date beside a total is grouped by month (refused above); by day each total is one date's, whole.
      const query = "[Revenue] [Order Date].'daily'"
      const { since: dir, whole } = await sinceAndReference(query)
      const rows = ndjson(dir)
      expect(rows).toEqual(ndjson(whole))
      const days = rows.map((row) => row["Day(Order Date)"] as string)
      expect(days.length).toBeGreaterThan(1)
      expect(days.every((day) => day >= "2025-06-01")).toBe(true)
      const newest = [...days].sort().at(-1)!
      expect(marks(dir)).toEqual([{ kind: "column", column: "Order Date", value: `${newest} America/Los_Angeles` }])

      const next = await sinceLast(dir, query)
      expect(next.code, next.stderr).toBe(0)
      // The watermark's day again, its total as the first run wrote it: not a part of it.
      expect(ndjson(dir)).toEqual(rows.filter((row) => row["Day(Order Date)"] === newest))
    }
  )
})

describe("search --since-column of a day of a DATE_TIME, or another period of a DATE", () => {
  it("is refused before any data is read, writing nothing", timeout, async () => {
    const cases: ReadonlyArray<readonly [query: string, column: string, since: string, says: string]> = [
      // A day of a DATE_TIME holds many instants: a watermark inside it would cut it.
      [
        "[Order ID] [Shipped At].'daily'",
        "Shipped At",
        "2025-06-01 12:00:00",
        "a day of a DATE_TIME holds many instants"
      ],
      ["[Revenue] [Shipped At].daily", "Shipped At", "2025-06-01", "a day of a DATE_TIME holds many instants"],
      ["[Revenue] [Order Date].'weekly'", "Order Date", "2025-06-02", "[Order Date].'daily'"],
      ["[Revenue] [Order Date].'daily' [Order Date].monthly", "Order Date", "2025-06-01", "[Order Date].'daily'"],
      ["[Order ID] [Order Date].'day of week'", "Order Date", "2025-06-01", "[Order Date].'daily'"]
    ]
    for (const [query, column, since, says] of cases) {
      const run = await refusedSince(query, column, since)
      expect(run.stderr).toContain(`the query groups [${column}] into periods`)
      expect(run.stderr).toContain(says)
    }
  })
})
