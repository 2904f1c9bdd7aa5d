/**
 * `--sort` and `--runtime-filter` (a job file's `sort` and `runtimeFilters`) through the CLI against a loopback
 * sandbox, which applies runtime sorts and filters as ThoughtSpot's data endpoints take them: the rows come in the
 * order asked for and only those that pass, on every page; the manifest's source records what was sent; resume
 * never continues or keeps a file read with other ones; a bad operator or value is a usage error (exit 2) before
 * any request, and a column the cluster does not know is the cluster's error, shown.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import Papa from "papaparse"
import { runInProcess } from "./support/inProcess.ts"
import { manifestIn as readManifest, sandboxEnv, type TestSandbox, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-runtime-")
const timeout = { timeout: 60_000 }

const rows = 250
const sandbox = testSandbox({ rows })

/** Data requests `target` answered (search, answer and liveboard data). */
const dataRequests = (target: TestSandbox) =>
  target.requests("searchdata") + target.requests("metadata/answer/data") + target.requests("metadata/liveboard/data")

interface ManifestOutput {
  readonly file: string
  readonly source: Record<string, unknown>
  readonly rows_written: number
  readonly warnings: ReadonlyArray<string>
  readonly fingerprint: string
}
const manifestIn = (dir: string) => readManifest<{ readonly outputs: ReadonlyArray<ManifestOutput> }>(dir)

/** The `status` of the first output of a `--json` report. */
const statusOf = (stdout: string) =>
  (JSON.parse(stdout) as { outputs: ReadonlyArray<{ status: string }> }).outputs[0]!.status

/** The CSV file's header and data rows, as text. */
const csvIn = (file: string) => {
  const [header, ...lines] = Papa.parse<Array<string>>(NodeFs.readFileSync(file, "utf8"), {
    skipEmptyLines: true
  }).data
  return { header: header!, rows: lines }
}

/** The Order IDs of a CSV file's rows, exactly, those without one left out. */
const orderIds = ({ header, rows: lines }: ReturnType<typeof csvIn>) =>
  lines
    .map((row) => row[header.indexOf("Order ID")]!)
    .filter((id) => id !== "")
    .map(BigInt)

/** Compares big integers for a descending sort. */
const descending = (a: bigint, b: bigint) => (a < b ? 1 : a > b ? -1 : 0)

/** `spotpipe <args>` against `target` into `dir` (a fresh folder by default), with the data requests it answered. */
const cliOn =
  (target: TestSandbox) =>
  (args: ReadonlyArray<string>, dir = tempDir()) =>
    Effect.gen(function* () {
      const before = dataRequests(target)
      const run = yield* runInProcess([...args, "--out", dir], sandboxEnv(target.sandbox))
      return { ...run, dir, dataRequests: dataRequests(target) - before }
    })

/** `spotpipe run` of a job file of `exports` against `target` into a fresh folder, with the data requests answered. */
const runJobOn = (target: TestSandbox, exports: ReadonlyArray<Record<string, unknown>>) =>
  cliOn(target)(["run", writeJob(tempDir(), { exports })])

const cli = cliOn(sandbox)

const orderDetails = (dir: string) => csvIn(NodePath.join(dir, "answer-Order Details.csv"))

describe("--sort and --runtime-filter", () => {
  it.live(
    "answer-sort-orders-every-page-and-is-recorded-in-the-manifest-source",
    () =>
      Effect.gen(function* () {
        const run = yield* cli(["answer", "Order Details", "--page-size", "100", "--sort", "Quantity:desc"])
        expect(run.code, run.stderr).toBe(0)
        const { header, rows: lines } = orderDetails(run.dir)
        const quantity = header.indexOf("Quantity")
        const id = header.indexOf("Order ID")
        expect(lines).toHaveLength(rows)
        const quantities = lines
          .map((row) => row[quantity])
          .filter((q) => q !== "")
          .map(Number)
        expect(quantities.length).toBeGreaterThan(rows / 2)
        expect(quantities).toEqual([...quantities].sort((a, b) => b - a))
        // Read in 3 pages, yet every order once: each page was read in the same order.
        const ids = lines.map((row) => row[id]).filter((v) => v !== "")
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids.length).toBeGreaterThan(rows / 2)
        const output = manifestIn(run.dir).outputs[0]!
        expect(output.source["runtime_sort"]).toEqual({ sortCol1: "Quantity", asc1: false })
        expect(output.source).not.toHaveProperty("runtime_filter")
      }),
    timeout
  )

  it.live(
    "answer-runtime-filter-keeps-exactly-the-rows-that-pass",
    () =>
      Effect.gen(function* () {
        const all = yield* cli(["answer", "Order Details", "--page-size", "100"])
        expect(all.code, all.stderr).toBe(0)
        const every = orderDetails(all.dir)
        const quantity = every.header.indexOf("Quantity")
        const expected = every.rows.filter((row) => row[quantity] !== "" && Number(row[quantity]) > 5)
        const run = yield* cli([
          "answer",
          "Order Details",
          "--page-size",
          "100",
          "--runtime-filter",
          "Quantity GT 5",
          "--sort",
          "Order ID"
        ])
        expect(run.code, run.stderr).toBe(0)
        const filtered = orderDetails(run.dir)
        expect(filtered.rows).toEqual(expected)
        expect(filtered.rows.length).toBeGreaterThan(0)
        expect(filtered.rows.length).toBeLessThan(rows)
        const output = manifestIn(run.dir).outputs[0]!
        expect(output.rows_written).toBe(expected.length)
        expect(output.source["runtime_filter"]).toEqual({ col1: "Quantity", op1: "GT", val1: "5" })
        expect(output.source["runtime_sort"]).toEqual({ sortCol1: "Order ID", asc1: true })
      }),
    timeout
  )

  it.live(
    "liveboard-visualization-takes-the-runtime-sort",
    () =>
      Effect.gen(function* () {
        // Saved sorted by revenue descending; the runtime sort replaces that order.
        const run = yield* cli(["liveboard", "Sales Overview", "--viz", "Revenue by Region", "--sort", "Total Revenue"])
        expect(run.code, run.stderr).toBe(0)
        const { header, rows: lines } = csvIn(
          NodePath.join(run.dir, "liveboard-Sales Overview", "Revenue by Region.csv")
        )
        const revenue = lines.map((row) => Number(row[header.indexOf("Total Revenue")]))
        expect(revenue.length).toBeGreaterThan(1)
        expect(revenue).toEqual([...revenue].sort((a, b) => a - b))
        expect(manifestIn(run.dir).outputs[0]!.source["runtime_sort"]).toEqual({
          sortCol1: "Total Revenue",
          asc1: true
        })
      }),
    timeout
  )

  it.live(
    "search-with-sort-is-a-fixed-order-and-a-query-with-its-own-sort-by-is-refused",
    () =>
      Effect.gen(function* () {
        const run = yield* cli([
          "search",
          "--table",
          "Orders",
          "--query",
          "[Order ID] [Region]",
          "--page-size",
          "100",
          "--sort",
          "Order ID:DESC"
        ])
        expect(run.code, run.stderr).toBe(0)
        // No "no sort by" warning: the runtime sort fixes the order of the pages.
        expect(run.stderr).not.toContain('has no "sort by"')
        const search = csvIn(NodePath.join(run.dir, "search-Orders.csv"))
        expect(search.rows).toHaveLength(rows)
        // Null IDs (the sandbox has some) aside, every ID once and in descending order.
        const ids = orderIds(search)
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids).toEqual([...ids].sort(descending))
        expect(manifestIn(run.dir).outputs[0]!.warnings).toEqual([])

        const both = yield* cli([
          "search",
          "--table",
          "Orders",
          "--query",
          "[Order ID] sort by [Order ID]",
          "--sort",
          "Region"
        ])
        expect(both.code).toBe(2)
        expect(both.stderr).toContain(
          '--sort: the search query has its own "sort by", and how ThoughtSpot would combine it with a runtime sort is not documented'
        )
        expect(both.dataRequests).toBe(0)
      }),
    timeout
  )

  it.live(
    "resume-never-keeps-a-file-read-with-another-sort-or-filter",
    () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const args = ["answer", "Order Details", "--sort", "Order ID", "--json"]
        const first = yield* cli(args, dir)
        expect(first.code, first.stderr).toBe(0)
        const same = yield* cli([...args, "--resume"], dir)
        expect(same.code, same.stderr).toBe(0)
        expect(statusOf(same.stdout)).toBe("skipped")
        const fingerprint = manifestIn(dir).outputs[0]!.fingerprint

        // Another direction: the file is read again, in that order.
        const desc = yield* cli(["answer", "Order Details", "--sort", "Order ID:desc", "--json", "--resume"], dir)
        expect(desc.code, desc.stderr).toBe(0)
        expect(statusOf(desc.stdout)).toBe("written")
        expect(manifestIn(dir).outputs[0]!.fingerprint).not.toBe(fingerprint)
        const ids = orderIds(orderDetails(dir))
        expect(ids[0]! > ids[ids.length - 1]!).toBe(true)

        // No sort, or a filter added: read again too.
        const unsorted = yield* cli(["answer", "Order Details", "--json", "--resume"], dir)
        expect(statusOf(unsorted.stdout)).toBe("written")
        const filtered = yield* cli(
          ["answer", "Order Details", "--runtime-filter", "Quantity GE 3", "--json", "--resume"],
          dir
        )
        expect(statusOf(filtered.stdout)).toBe("written")
        expect(manifestIn(dir).outputs[0]!.source["runtime_filter"]).toEqual({ col1: "Quantity", op1: "GE", val1: "3" })
      }),
    timeout
  )

  it.live(
    "a-job-file-takes-sort-and-runtimeFilters-and-writes-what-the-command-writes",
    () =>
      Effect.gen(function* () {
        const single = yield* cli([
          "answer",
          "Order Details",
          "--sort",
          "Quantity:desc",
          "--runtime-filter",
          'Order Date BW "2020-01-01" 2030-01-01',
          "--runtime-filter",
          "Quantity LE 4"
        ])
        // The sandbox applies no BW: the request carried it, and its refusal is the cluster's, shown.
        expect(single.code).toBe(1)
        expect(single.stderr).toContain("runtime_filter op1 'BW' is not applied by the sandbox")

        const run = yield* runJobOn(sandbox, [
          {
            type: "answer",
            id: "Order Details",
            output: "details",
            sort: [{ column: "Order ID", order: "desc" }],
            runtimeFilters: [{ column: "Quantity", op: "LE", values: ["4"] }]
          }
        ])
        expect(run.code, run.stderr).toBe(0)
        const dir = run.dir
        const command = yield* cli([
          "answer",
          "Order Details",
          "--sort",
          "Order ID:desc",
          "--runtime-filter",
          "Quantity LE 4"
        ])
        expect(command.code, command.stderr).toBe(0)
        const fromJob = NodeFs.readFileSync(NodePath.join(dir, "details.csv"))
        expect(fromJob.equals(NodeFs.readFileSync(NodePath.join(command.dir, "answer-Order Details.csv")))).toBe(true)
        const details = csvIn(NodePath.join(dir, "details.csv"))
        const quantities = details.rows.map((row) => row[details.header.indexOf("Quantity")]!)
        expect(quantities.length).toBeGreaterThan(0)
        expect(quantities.every((q) => q !== "" && Number(q) <= 4)).toBe(true)
        const ids = orderIds(details)
        expect(ids).toEqual([...ids].sort(descending))
        expect(manifestIn(dir).outputs[0]!.source["runtime_filter"]).toEqual({ col1: "Quantity", op1: "LE", val1: "4" })
      }),
    timeout
  )

  it.live(
    "bad-operators-values-and-job-fields-are-usage-errors-before-any-request",
    () =>
      Effect.gen(function* () {
        const refused = [
          [
            ["--runtime-filter", "Region LIKE West"],
            "it names no operator; write COLUMN OP VALUE…, OP one of EQ, NE, LT, LE, GT, GE, CONTAINS, BEGINS_WITH, ENDS_WITH, BW, BW_INC, BW_INC_MIN, BW_INC_MAX, IN, NOT_IN"
          ],
          [["--runtime-filter", "Region eq West"], '"eq" is no operator: operators are upper case (EQ)'],
          [["--runtime-filter", "Region EQ North West"], "EQ takes one value, not 2"],
          [["--runtime-filter", "Order Date BW 2024-01-01"], "BW takes two values (from and to), not 1"],
          [["--runtime-filter", "Region IN"], "IN takes one value or more"],
          [["--runtime-filter", 'Region EQ "West'], "a quote opened at position 11 is not closed"],
          [["--sort", ":desc"], '--sort ":desc" names no column'],
          [
            Array.from({ length: 50 }, () => ["--runtime-filter", "Quantity GT 1"]).flat(),
            "ThoughtSpot applies at most 49 runtime filters"
          ]
        ] as const
        for (const [flags, message] of refused) {
          const run = yield* cli(["answer", "Order Details", ...flags])
          expect(run.code, run.stderr).toBe(2)
          expect(run.stderr).toContain(message)
          expect(run.dataRequests).toBe(0)
        }

        const jobRun = (exports: ReadonlyArray<Record<string, unknown>>) =>
          Effect.gen(function* () {
            const run = yield* runJobOn(sandbox, exports)
            expect(run.code, run.stderr).toBe(2)
            expect(run.dataRequests).toBe(0)
            return run.stderr
          })
        const fields = yield* jobRun([
          { type: "answer", id: "Order Details", runtimeFilters: [{ column: "Region", op: "LIKE", values: ["W%"] }] },
          {
            type: "liveboard",
            id: "Sales Overview",
            runtimeFilters: [{ column: "Order Date", op: "BW", values: ["a"] }]
          },
          { type: "search", table: "Orders", query: "[Order ID]", sort: [{ column: "" }] }
        ])
        expect(fields).toContain(
          "exports[0].runtimeFilters[0].op: must be one of EQ, NE, LT, LE, GT, GE, CONTAINS, BEGINS_WITH, ENDS_WITH, BW, BW_INC, BW_INC_MIN, BW_INC_MAX, IN, NOT_IN (upper case)"
        )
        expect(fields).toContain("exports[1].runtimeFilters[0]: BW takes two values (from and to), not 1")
        expect(fields).toContain("exports[2].sort[0].column: must not be empty")
        const both = yield* jobRun([
          { type: "search", table: "Orders", query: "[Order ID] sort by [Order ID]", sort: [{ column: "Order ID" }] }
        ])
        expect(both).toContain('exports[0].sort: the search query has its own "sort by"')
      }),
    timeout
  )

  it.live(
    "an-unknown-column-is-the-clusters-error-shown",
    () =>
      Effect.gen(function* () {
        const run = yield* cli(["answer", "Order Details", "--sort", "Colour"])
        expect(run.code).toBe(1)
        expect(run.stderr).toContain("unknown column 'Colour'")
      }),
    timeout
  )
})

/**
 * Dates: ThoughtSpot takes a DATE or DATE_TIME runtime filter value only as epoch seconds, and the sandbox refuses
 * date text as a cluster would; spotpipe sends a day or wall time given as text as the epoch seconds it names in
 * the data time zone (the sandbox's America/Los_Angeles here), DST days included. A sandbox with every day's rows.
 */
describe("--runtime-filter on dates", () => {
  const dated = testSandbox({ rows: 10_000 })
  const datedCli = cliOn(dated)
  /** Epoch seconds of an RFC 3339 instant. */
  const epoch = (text: string) => Date.parse(text) / 1000

  it.live(
    "a-day-is-sent-as-epoch-seconds-of-its-midnight-in-the-data-time-zone-on-dst-days-too",
    () =>
      Effect.gen(function* () {
        const all = yield* datedCli(["answer", "Order Details", "--sort", "Order ID"])
        expect(all.code, all.stderr).toBe(0)
        const every = orderDetails(all.dir)
        const date = every.header.indexOf("Order Date")
        // 2025-03-09 starts at 00:00 PST (-08:00) and 2025-11-02 at 00:00 PDT (-07:00): both DST days.
        const expected = every.rows.filter((row) => row[date]! >= "2025-03-09" && row[date]! < "2025-11-02")
        const days = new Set(expected.map((row) => row[date]))
        expect(days.has("2025-03-09") && days.has("2025-11-01")).toBe(true)
        const run = yield* datedCli([
          "answer",
          "Order Details",
          "--sort",
          "Order ID",
          "--runtime-filter",
          "Order Date GE 2025-03-09",
          "--runtime-filter",
          "Order Date LT 2025-11-02"
        ])
        expect(run.code, run.stderr).toBe(0)
        expect(orderDetails(run.dir).rows).toEqual(expected)
        const output = manifestIn(run.dir).outputs[0]!
        expect(output.rows_written).toBe(expected.length)
        expect(output.source["runtime_filter"]).toEqual({
          col1: "Order Date",
          op1: "GE",
          val1: String(epoch("2025-03-09T00:00:00-08:00")),
          col2: "Order Date",
          op2: "LT",
          val2: String(epoch("2025-11-02T00:00:00-07:00"))
        })
        expect(output.source["runtime_filter_given"]).toEqual({ val1: "2025-03-09", val2: "2025-11-02" })

        // Epoch seconds go as they are, and nothing is recorded as given otherwise.
        const digits = yield* datedCli([
          "answer",
          "Order Details",
          "--sort",
          "Order ID",
          "--runtime-filter",
          `Order Date GE ${epoch("2025-03-09T00:00:00-08:00")}`,
          "--runtime-filter",
          `Order Date LT ${epoch("2025-11-02T00:00:00-07:00")}`
        ])
        expect(digits.code, digits.stderr).toBe(0)
        expect(orderDetails(digits.dir).rows).toEqual(expected)
        expect(manifestIn(digits.dir).outputs[0]!.source["runtime_filter"]).toEqual(output.source["runtime_filter"])
        expect(manifestIn(digits.dir).outputs[0]!.source).not.toHaveProperty("runtime_filter_given")
      }),
    timeout
  )

  it.live(
    "a-wall-time-in-a-repeated-hour-is-its-first-occurrence-and-in-a-skipped-hour-the-end-of-the-gap",
    () =>
      Effect.gen(function* () {
        // A search (the model's column types) across the fall-back night of 2025-11-02.
        const search = ["search", "--table", "Orders", "--query", "[Order ID] [Shipped At]", "--sort", "Order ID"]
        const all = yield* datedCli(search)
        expect(all.code, all.stderr).toBe(0)
        const every = csvIn(NodePath.join(all.dir, "search-Orders.csv"))
        const shipped = every.header.indexOf("Shipped At")
        const between = (from: number, to: number) =>
          every.rows.filter((row) => row[shipped] !== "" && epoch(row[shipped]!) >= from && epoch(row[shipped]!) < to)
        // 01:30 comes twice that night: its first occurrence (PDT), which keeps every row from either on.
        const from = epoch("2025-11-02T01:30:00-07:00")
        const to = epoch("2025-11-03T00:00:00-08:00")
        const night = yield* datedCli([
          ...search,
          "--runtime-filter",
          'Shipped At GE "2025-11-02 01:30:00"',
          "--runtime-filter",
          "Shipped At LT 2025-11-03"
        ])
        expect(night.code, night.stderr).toBe(0)
        const expected = between(from, to)
        expect(expected.length).toBeGreaterThan(0)
        expect(csvIn(NodePath.join(night.dir, "search-Orders.csv")).rows).toEqual(expected)
        const source = manifestIn(night.dir).outputs[0]!.source
        expect(source["runtime_filter"]).toMatchObject({ val1: String(from), val2: String(to) })
        expect(source["runtime_filter_given"]).toEqual({ val1: "2025-11-02 01:30:00", val2: "2025-11-03" })

        // 02:30 does not exist on 2025-03-09 (02:00 PST became 03:00 PDT): the rows before it are those before
        // the end of the gap. A liveboard visualization's columns give the type here.
        const gapEnd = epoch("2025-03-09T03:00:00-07:00")
        const dayBefore = epoch("2025-03-08T00:00:00-08:00")
        const viz = yield* datedCli([
          "liveboard",
          "Order Operations",
          "--viz",
          "Order Timeline",
          "--sort",
          "Order ID",
          "--runtime-filter",
          "Shipped At GE 2025-03-08",
          "--runtime-filter",
          'Shipped At LT "2025-03-09 02:30:00"'
        ])
        expect(viz.code, viz.stderr).toBe(0)
        const timeline = csvIn(NodePath.join(viz.dir, "liveboard-Order Operations", "Order Timeline.csv"))
        const at = timeline.header.indexOf("Shipped At")
        const ids = (rows: ReadonlyArray<ReadonlyArray<string>>, column: number) =>
          rows.map((row) => row[column]).sort()
        const gapRows = between(dayBefore, gapEnd)
        expect(gapRows.length).toBeGreaterThan(0)
        expect(ids(timeline.rows, timeline.header.indexOf("Order ID"))).toEqual(
          ids(gapRows, every.header.indexOf("Order ID"))
        )
        expect(timeline.rows.every((row) => epoch(row[at]!) >= dayBefore && epoch(row[at]!) < gapEnd)).toBe(true)
        expect(manifestIn(viz.dir).outputs[0]!.source["runtime_filter"]).toMatchObject({
          val1: String(dayBefore),
          val2: String(gapEnd)
        })
      }),
    timeout
  )

  it.live(
    "with-since-column-the-export-s-own-date-filter-is-converted-and-both-are-recorded-as-given",
    () =>
      Effect.gen(function* () {
        const all = yield* datedCli(["answer", "Order Details", "--sort", "Order ID"])
        expect(all.code, all.stderr).toBe(0)
        const every = orderDetails(all.dir)
        const date = every.header.indexOf("Order Date")
        const shipped = every.header.indexOf("Shipped At")
        const until = epoch("2025-11-02T00:00:00-07:00")
        const expected = every.rows.filter(
          (row) => row[date]! >= "2025-06-01" && row[shipped] !== "" && epoch(row[shipped]!) < until
        )
        expect(expected.length).toBeGreaterThan(0)
        const run = yield* datedCli([
          "answer",
          "Order Details",
          "--sort",
          "Order ID",
          "--runtime-filter",
          "Shipped At LT 2025-11-02",
          "--since-column",
          "Order Date",
          "--since",
          "2025-06-01"
        ])
        expect(run.code, run.stderr).toBe(0)
        expect(orderDetails(run.dir).rows).toEqual(expected)
        const source = manifestIn(run.dir).outputs[0]!.source
        expect(source["runtime_filter"]).toEqual({
          col1: "Shipped At",
          op1: "LT",
          val1: String(until),
          col2: "Order Date",
          op2: "GE",
          val2: String(epoch("2025-06-01T00:00:00-07:00"))
        })
        expect(source["runtime_filter_given"]).toEqual({ val1: "2025-11-02", val2: "2025-06-01" })
      }),
    timeout
  )

  it.live(
    "a-resume-of-the-same-date-filter-keeps-its-file",
    () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const args = ["answer", "Order Details", "--runtime-filter", "Order Date GE 2025-11-02", "--json"]
        const first = yield* datedCli(args, dir)
        expect(first.code, first.stderr).toBe(0)
        const fingerprint = manifestIn(dir).outputs[0]!.fingerprint
        const again = yield* datedCli([...args, "--resume"], dir)
        expect(again.code, again.stderr).toBe(0)
        expect(statusOf(again.stdout)).toBe("skipped")
        expect(again.dataRequests).toBe(0)
        expect(manifestIn(dir).outputs[0]!.fingerprint).toBe(fingerprint)
      }),
    timeout
  )

  it.live(
    "a-date-value-in-neither-form-is-a-usage-error-before-any-data-request",
    () =>
      Effect.gen(function* () {
        const la = "America/Los_Angeles"
        const refused = [
          [
            "Order Date GE 06/01/2025",
            `--runtime-filter on the DATE column "Order Date": "06/01/2025" is not a DATE as a runtime filter takes it; give a day, 2025-06-01 (its midnight in the data time zone, ${la}), or epoch seconds`
          ],
          [
            'Order Date GE "2025-06-01 10:00:00"',
            `"2025-06-01 10:00:00" is not a DATE as a runtime filter takes it; give a day, 2025-06-01`
          ],
          [
            "Shipped At LT 2025-02-30",
            `--runtime-filter on the DATE_TIME column "Shipped At": "2025-02-30" is no day or time of the calendar; give a wall time, 2025-06-01 13:30:00, or a day, 2025-06-01 (its midnight), in the data time zone (${la}), or epoch seconds`
          ],
          [
            "Shipped At GE 2025-06-01 10:00:00",
            'GE takes one value, not 2 (a date and time is one value, in double quotes: "2025-06-01 10:00:00")'
          ]
        ] as const
        for (const [filter, message] of refused) {
          const run = yield* datedCli(["answer", "Order Details", "--runtime-filter", filter])
          expect(run.code, run.stderr).toBe(2)
          expect(run.stderr).toContain(message)
          expect(run.dataRequests).toBe(0)
        }
        // In a job file, that export fails as any export that cannot be planned does (the others would run).
        const run = yield* runJobOn(dated, [
          {
            type: "search",
            table: "Orders",
            query: "[Order ID] [Order Date]",
            runtimeFilters: [{ column: "Order Date", op: "GE", values: ["yesterday"] }]
          }
        ])
        expect(run.code, run.stderr).toBe(1)
        expect(run.stderr).toContain(
          'runtimeFilters on the DATE column "Order Date": "yesterday" is not a DATE as a runtime filter takes it'
        )
        expect(run.dataRequests).toBe(0)
      }),
    timeout
  )

  it.live(
    "a-column-of-unknown-type-gets-its-value-as-given-with-a-warning",
    () =>
      Effect.gen(function* () {
        // No visualization of the liveboard has a column "Order Date" (they group it): its type is unknown there.
        const run = yield* datedCli([
          "liveboard",
          "Sales Overview",
          "--viz",
          "Revenue by Region",
          "--runtime-filter",
          "Order Date GE 2025-06-01"
        ])
        expect(run.stderr).toContain(
          'warning: liveboard "Sales Overview": --runtime-filter on "Order Date": the type of "Order Date" in this result is unknown'
        )
        // Sent as given, the cluster's refusal is shown.
        expect(run.code).toBe(1)
        expect(run.stderr).toContain(
          "runtime_filter val1 '2025-06-01' for the DATE column 'Order Date' is not epoch seconds"
        )
      }),
    timeout
  )
})
