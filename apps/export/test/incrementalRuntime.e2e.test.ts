/**
 * Incremental runs of saved answers and liveboard visualizations, end to end (the built CLI against loopback
 * sandboxes): `--since-column … --since VALUE|last` reads the rows at or after the value through a runtime filter,
 * records the column's maximum read before the data, and the next `last` run reads only the rows from there —
 * the rows added between the two runs among them (`sandbox.addRows`); DATE and DATE_TIME values in the data time
 * zone; a job file's `sinceColumn`/`since` and `--resume` from the interrupted run's own starting point; and the
 * refusals (exit 2): a column not in the result, a total or a date period (also one the cluster does not describe
 * whose name says it), a liveboard export of several visualizations, one runtime filter too many. Runs are
 * in-process but one, the `--since last` run of an answer as users run it (a process of the built CLI).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { startRewritingProxy } from "./support/RenamingProxy.ts"
import { runCli } from "./support/runCli.ts"
import {
  linesIn as lines,
  manifestIn,
  watermarksIn as marks,
  sandboxEnv,
  testSandbox,
  writeJob
} from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }

const zoned = testSandbox({ rows: 2000 })

const tempDir = tempFolders("spotpipe-incremental-runtime-")

const rowsOf = (file: string) => lines(file).map((line) => JSON.parse(line) as Record<string, unknown>)
/** A line's Order ID, exactly (most are beyond 2^53, which JSON.parse would round). */
const orderId = (line: string): bigint | null => {
  const m = /"Order ID":(-?\d+|null)/.exec(line)
  if (m === null) throw new Error(`no Order ID in ${line}`)
  return m[1] === "null" ? null : BigInt(m[1]!)
}

const manifestOf = (dir: string) =>
  manifestIn<{
    outputs: Array<{
      file: string
      resume?: string
      warnings: ReadonlyArray<string>
      source: { runtime_filter?: Record<string, unknown> }
    }>
  }>(dir)

/** `spotpipe liveboard "Order Operations" --viz "Order Timeline"` as NDJSON into `dir`, with `more` flags. */
const orderTimeline = (env: Record<string, string>, dir: string, ...more: Array<string>) =>
  runCliInProcess(
    ["liveboard", "Order Operations", "--viz", "Order Timeline", "--format", "ndjson", "--out", dir, ...more],
    {
      env
    }
  )

/**
 * A proxy in front of the sandbox for a cluster whose answer and visualization descriptions carry no
 * `timeBucket` (the sandbox's do).
 */
const startProxyWithoutBuckets = () =>
  startRewritingProxy(zoned.sandbox.url, {
    response: (text, { url }) =>
      url.includes("metadata/search") ? text.replace(/"timeBucket":"[A-Z_]*",?/g, "") : text
  })

describe("answer --since-column", () => {
  it(
    "reads the rows at or after --since, then with last the rows from the maximum the previous run found, those added since among them",
    timeout,
    async () => {
      const own = await startSandbox({ rows: 500 })
      try {
        const env = sandboxEnv(own)
        const args = (dir: string) => [
          "answer",
          "Order Details",
          "--format",
          "ndjson",
          "--out",
          dir,
          "--quiet",
          "--force"
        ]
        const answer = (dir: string, ...more: Array<string>) => runCliInProcess([...args(dir), ...more], { env })
        const everything = async () => {
          const full = tempDir()
          const run = await answer(full)
          expect(run.code, run.stderr).toBe(0)
          return lines(NodePath.join(full, "answer-Order Details.ndjson"))
        }
        const all = await everything()
        const from = (rows: ReadonlyArray<string>, since: bigint) =>
          rows.filter((line) => {
            const id = orderId(line)
            return id !== null && id >= since
          })
        const since = orderId(all[300]!)!
        const dir = tempDir()
        const file = NodePath.join(dir, "answer-Order Details.ndjson")

        const first = await answer(dir, "--since-column", "Order ID", "--since", String(since))
        expect(first.code, first.stderr).toBe(0)
        expect(lines(file)).toEqual(from(all, since))
        expect(manifestOf(dir).outputs[0]!.source.runtime_filter).toEqual({
          col1: "Order ID",
          op1: "GE",
          val1: String(since)
        })
        const newest = all.map(orderId).reduce((a, b) => (b !== null && (a === null || b > a) ? b : a))!
        expect(marks(dir)).toEqual([
          expect.objectContaining({ kind: "column", column: "Order ID", value: String(newest) })
        ])

        // Orders arrive between the runs: the next run reads them, and the newest row of the previous one again.
        own.addRows(40)
        const grown = await everything()
        expect(grown.length).toBe(all.length + 40)
        // As users run it: a process of the built CLI.
        const second = await runCli([...args(dir), "--since-column", "Order ID", "--since", "last"], { env })
        expect(second.code, second.stderr).toBe(0)
        const again = lines(file)
        expect(again).toEqual(from(grown, newest))
        expect(again.length).toBeGreaterThan(30)
        expect(again).toContain(all.find((line) => orderId(line) === newest))
      } finally {
        await own.close()
      }
    }
  )

  it(
    "is refused, exit 2, for a column not in the result, a total, a date period, a TIME, or a 49th runtime filter",
    timeout,
    async () => {
      const env = sandboxEnv(zoned.sandbox)
      const dir = tempDir()
      const answer = (name: string, ...more: Array<string>) =>
        runCliInProcess(["answer", name, "--out", dir, "--quiet", "--force", ...more], { env })

      const missing = await answer("Order Details", "--since-column", "Order Number", "--since", "1")
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain('--since-column "Order Number" is not a column of its result')
      expect(missing.stderr).toContain('"Order ID"')

      const total = await answer("Revenue by Month", "--since-column", "Total Revenue", "--since", "1")
      expect(total.code).toBe(2)
      expect(total.stderr).toContain("is an aggregate (SUM)")

      const period = await answer("Revenue by Month", "--since-column", "Month(Order Date)", "--since", "2025-01-01")
      expect(period.code).toBe(2)
      expect(period.stderr).toContain("is a date grouped into periods (MONTHLY)")

      const filters = Array.from({ length: 49 }, (_, i) => ["--runtime-filter", `Quantity GE ${i}`]).flat()
      const tooMany = await answer("Order Details", ...filters, "--since-column", "Order ID", "--since", "1")
      expect(tooMany.code).toBe(2)
      expect(tooMany.stderr).toContain("give at most 48 runtime filters with --since-column")

      const time = await answer("Order Details", "--since-column", "Ship Time", "--since", "12:00:00")
      expect(time.code).toBe(2)
      expect(time.stderr).toContain('"Ship Time" is a TIME')

      const notNumber = await answer("Order Details", "--since-column", "Quantity", "--since", "many")
      expect(notNumber.code).toBe(2)
      expect(notNumber.stderr).toContain('--since "many" is not a number')
      expect(NodeFs.existsSync(NodePath.join(dir, "manifest.json"))).toBe(false)
    }
  )
})

describe("liveboard --since-column", () => {
  it(
    "reads one visualization's rows at or after a DATE or DATE_TIME in the data time zone, then from its maximum",
    timeout,
    async () => {
      const env = sandboxEnv(zoned.sandbox)
      const liveboard = (dir: string, ...more: Array<string>) => orderTimeline(env, dir, "--quiet", "--force", ...more)
      const full = tempDir()
      expect((await liveboard(full)).code).toBe(0)
      const file = (dir: string) => NodePath.join(dir, "liveboard-Order Operations", "Order Timeline.ndjson")
      const all = rowsOf(file(full))

      // DATE: the day in the sandbox's zone (Los Angeles), sent as that day's local midnight in epoch seconds.
      const dir = tempDir()
      const first = await liveboard(dir, "--since-column", "Order Date", "--since", "2025-06-01")
      expect(first.code, first.stderr).toBe(0)
      const dated = (since: string) =>
        all.filter((row) => row["Order Date"] !== null && (row["Order Date"] as string) >= since)
      expect(rowsOf(file(dir))).toEqual(dated("2025-06-01"))
      expect(manifestOf(dir).outputs[0]!.source.runtime_filter).toEqual({
        col1: "Order Date",
        op1: "GE",
        val1: String(Date.parse("2025-06-01T00:00:00-07:00") / 1000)
      })
      const newest = all
        .map((row) => row["Order Date"] as string | null)
        .reduce((a, b) => (b !== null && (a === null || b > a) ? b : a))!
      expect(marks(dir)).toEqual([
        expect.objectContaining({ kind: "column", column: "Order Date", value: `${newest} America/Los_Angeles` })
      ])
      const second = await liveboard(dir, "--since-column", "Order Date", "--since", "last")
      expect(second.code, second.stderr).toBe(0)
      expect(rowsOf(file(dir))).toEqual(dated(newest))

      // DATE_TIME: the wall time in the sandbox's zone.
      const timed = tempDir()
      const at = Date.parse("2025-11-20T13:30:00-08:00")
      const third = await liveboard(timed, "--since-column", "Shipped At", "--since", "2025-11-20 13:30:00")
      expect(third.code, third.stderr).toBe(0)
      const shipped = (row: Record<string, unknown>) =>
        row["Shipped At"] === null ? Number.NaN : Date.parse(row["Shipped At"] as string)
      const expected = all.filter((row) => shipped(row) >= at)
      expect(expected.length).toBeGreaterThan(0)
      expect(rowsOf(file(timed))).toEqual(expected)
      const latest = Math.max(...expected.map(shipped))
      const wall = new Date(latest - 8 * 3_600_000).toISOString()
      expect(marks(timed)).toEqual([
        expect.objectContaining({
          column: "Shipped At",
          value: `${wall.slice(0, 10)} ${wall.slice(11, 19)} America/Los_Angeles`
        })
      ])
    }
  )

  it("refuses a liveboard export of several visualizations, exit 2, naming them and --viz", timeout, async () => {
    const run = await runCliInProcess(
      [
        "liveboard",
        "Order Operations",
        "--out",
        tempDir(),
        "--quiet",
        "--since-column",
        "Order Date",
        "--since",
        "2025-01-01"
      ],
      { env: sandboxEnv(zoned.sandbox) }
    )
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("--since-column reads one visualization per export, and this one would read 3")
    expect(run.stderr).toContain("--viz")
  })
})

describe("a date --since-column whose bucket the cluster does not describe", () => {
  it(
    "is read, and the run says it could not check the column is no period: on stderr and in the manifest",
    timeout,
    async () => {
      // A cluster whose answer description carries no `timeBucket` (the sandbox's does): a proxy takes it out.
      const proxy = await startProxyWithoutBuckets()
      try {
        const env = { ...sandboxEnv(zoned.sandbox), THOUGHTSPOT_HOST: proxy.url }
        const dir = tempDir()
        const run = await orderTimeline(env, dir, "--force", "--since-column", "Order Date", "--since", "2025-06-01")
        expect(run.code, run.stderr).toBe(0)
        expect(run.stderr).toContain("does not say whether it is grouped into periods")
        const manifest = manifestOf(dir)
        expect(manifest.outputs[0]!.warnings).toEqual([
          expect.stringContaining('--since-column "Order Date" does not say whether it is grouped into periods')
        ])
        // Where the cluster describes it as no bucket, nothing is said.
        const described = tempDir()
        const plain = await orderTimeline(
          sandboxEnv(zoned.sandbox),
          described,
          "--since-column",
          "Order Date",
          "--since",
          "2025-06-01"
        )
        expect(plain.code, plain.stderr).toBe(0)
        expect(plain.stderr).not.toContain("grouped into periods")
      } finally {
        await proxy.close()
      }
    }
  )

  it("is refused when its name says it is a period, as a search result's does, writing nothing", timeout, async () => {
    const proxy = await startProxyWithoutBuckets()
    try {
      const dir = tempDir()
      const run = await runCliInProcess(
        ["answer", "Revenue by Month", "--out", dir, "--since-column", "Month(Order Date)", "--since", "2025-06-01"],
        { env: { ...sandboxEnv(zoned.sandbox), THOUGHTSPOT_HOST: proxy.url } }
      )
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain(
        '--since-column "Month(Order Date)" is a date grouped into periods (its name says Month, though the cluster\'s description does not say)'
      )
      expect(NodeFs.readdirSync(dir)).toEqual([])
    } finally {
      await proxy.close()
    }
  })
})

describe("a job file's incremental answer", () => {
  it("is refused with split, and with sinceColumn or since alone, naming the key", timeout, async () => {
    const dir = tempDir()
    const base = { type: "answer", id: "Order Details", output: "orders" }
    const path = writeJob(dir, {
      exports: [
        { ...base, sinceColumn: "Order ID", since: "0", split: 2 },
        { ...base, output: "lone", since: "0" }
      ]
    })
    const run = await runCliInProcess(["run", path, "--out", dir, "--quiet"], { env: sandboxEnv(zoned.sandbox) })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("exports[0].split")
    expect(run.stderr).toContain('cannot go with "sinceColumn"')
    expect(run.stderr).toContain("exports[1].sinceColumn")
  })

  it(
    "takes sinceColumn and since last, and --resume continues the interrupted run from its own starting point",
    timeout,
    async () => {
      // Every request for a liveboard's data fails: the job's liveboard export fails after the answer succeeded.
      const own = await startSandbox({
        rows: 300,
        faults: { routes: { "metadata/liveboard/data": { error500: 1 } }, maxConsecutiveFaults: 1000 }
      })
      try {
        const dir = tempDir()
        const env = sandboxEnv(own)
        const job = (name: string, exports: ReadonlyArray<object>) =>
          writeJob(dir, { defaults: { format: "ndjson" }, exports }, name)
        const orders = (since: string) => ({
          type: "answer",
          id: "Order Details",
          sinceColumn: "Order ID",
          since,
          output: "orders"
        })
        const file = NodePath.join(dir, "orders.ndjson")
        const first = await runCliInProcess(["run", job("a", [orders("0")]), "--out", dir, "--quiet"], { env })
        expect(first.code, first.stderr).toBe(0)
        const all = lines(file)
        // Every row but those without an Order ID (a null never passes the filter).
        const full = tempDir()
        const whole = await runCliInProcess(
          ["answer", "Order Details", "--format", "ndjson", "--out", full, "--quiet"],
          { env }
        )
        expect(whole.code, whole.stderr).toBe(0)
        const reference = lines(NodePath.join(full, "answer-Order Details.ndjson"))
        expect(reference.some((line) => orderId(line) === null)).toBe(true)
        expect(all).toEqual(reference.filter((line) => orderId(line) !== null))
        const newest = orderId(all[all.length - 1]!)!
        expect(marks(dir)).toEqual([expect.objectContaining({ column: "Order ID", value: String(newest) })])

        own.addRows(25)
        const jobB = job("b", [
          orders("last"),
          { type: "liveboard", id: "Order Operations", visualizations: ["Order Timeline"], output: "failing" }
        ])
        const interrupted = await runCliInProcess(
          ["run", jobB, "--out", dir, "--force", "--quiet", "--deadline", "1", "--timeout", "1"],
          { env }
        )
        expect(interrupted.code, interrupted.stderr).toBe(1)
        const increment = NodeFs.readFileSync(file)
        expect(lines(file).map(orderId)[0]).toBe(newest)
        expect(lines(file).length).toBeGreaterThan(20)

        // More orders arrive; the resume still continues from the interrupted run's point: the increment is kept.
        own.addRows(25)
        const resumed = await runCliInProcess(
          ["run", jobB, "--out", dir, "--resume", "--deadline", "1", "--timeout", "1"],
          {
            env
          }
        )
        expect(resumed.code, resumed.stderr).toBe(1)
        expect(NodeFs.readFileSync(file).equals(increment)).toBe(true)
        expect(manifestOf(dir).outputs.find((o) => o.file === "orders.ndjson")?.resume).toBe("skipped")
      } finally {
        await own.close()
      }
    }
  )
})
