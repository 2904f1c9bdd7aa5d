/**
 * A search's DATE_TIME `--since-column` with a data time zone (`--timezone`) other than the cluster's, end to end
 * (the built CLI against a loopback sandbox in America/Los_Angeles): `--since` and the recorded watermark are wall
 * times in the data time zone, while the cluster reads a query's date-time literal in its own zone — so the literal
 * is written in the cluster's zone. The rows written are exactly a full export's from that instant on, and a
 * `--since last` run after rows were added exactly those from the previous maximum on, that row again among them.
 * Runs are in-process but one, the `--since last` run as users run it (a process of the built CLI).
 *
 * The watermark names the zone its wall time is in: a `--since last` run in another data time zone (the first with
 * `--timezone UTC`, the next in the cluster's) starts at the same instant, not at the same wall time 8 hours later.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { linesIn as lines, watermarksIn as marks, sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }

const tempDir = tempFolders("spotpipe-incremental-time-zone-")

/** A line's Shipped At as epoch milliseconds (NaN for null). */
const shippedAt = (line: string) => {
  const value = (JSON.parse(line) as Record<string, string | null>)["Shipped At"]
  return value === null || value === undefined ? Number.NaN : Date.parse(value)
}

describe("search --since-column on a DATE_TIME with --timezone other than the cluster's", () => {
  it(
    "reads exactly the rows from --since on in the data time zone, then with last exactly those from the maximum on",
    timeout,
    async () => {
      const own = await startSandbox({ rows: 600, timezone: "America/Los_Angeles" })
      try {
        const env = sandboxEnv(own)
        const searchWith = (cli: typeof runCli | typeof runCliInProcess, dir: string, ...more: Array<string>) =>
          cli(
            [
              "search",
              "--table",
              "Orders",
              "--query",
              "[Order ID] [Shipped At] sort by [Order ID]",
              "--format",
              "ndjson",
              "--timezone",
              "UTC",
              "--out",
              dir,
              "--quiet",
              "--force",
              ...more
            ],
            { env }
          )
        const search = (dir: string, ...more: Array<string>) => searchWith(runCliInProcess, dir, ...more)
        const file = (dir: string) => NodePath.join(dir, "search-Orders.ndjson")
        const full = async () => {
          const dir = tempDir()
          const run = await search(dir)
          expect(run.code, run.stderr).toBe(0)
          return lines(file(dir))
        }
        const from = (rows: ReadonlyArray<string>, at: number) => rows.filter((line) => shippedAt(line) >= at)

        const all = await full()
        const dir = tempDir()
        // 13:30 in the data time zone (UTC), 05:30 in the cluster's.
        const first = await search(dir, "--since-column", "Shipped At", "--since", "2025-11-20 13:30:00")
        expect(first.code, first.stderr).toBe(0)
        const expected = from(all, Date.parse("2025-11-20T13:30:00Z"))
        expect(expected.length).toBeGreaterThan(0)
        expect(lines(file(dir))).toEqual(expected)
        const newest = Math.max(...all.map(shippedAt).filter((t) => !Number.isNaN(t)))
        const wall = new Date(newest).toISOString()
        expect(marks(dir)).toEqual([
          expect.objectContaining({ column: "Shipped At", value: `${wall.slice(0, 10)} ${wall.slice(11, 19)} UTC` })
        ])

        own.addRows(60)
        const grown = await full()
        // As users run it: a process of the built CLI.
        const second = await searchWith(runCli, dir, "--since-column", "Shipped At", "--since", "last")
        expect(second.code, second.stderr).toBe(0)
        const again = lines(file(dir))
        expect(again).toEqual(from(grown, newest))
        // The maximum's row is read again, as the watermark promises.
        expect(again.some((line) => shippedAt(line) === newest)).toBe(true)
      } finally {
        await own.close()
      }
    }
  )

  it(
    "a watermark recorded with --timezone UTC is the same instant to a last run in the cluster's zone: no row lost",
    timeout,
    async () => {
      const own = await startSandbox({ rows: 600, timezone: "America/Los_Angeles" })
      try {
        const env = sandboxEnv(own)
        const search = (dir: string, ...more: Array<string>) =>
          runCliInProcess(
            [
              "search",
              "--table",
              "Orders",
              "--query",
              "[Order ID] [Shipped At] sort by [Order ID]",
              "--format",
              "ndjson",
              "--out",
              dir,
              "--quiet",
              "--force",
              ...more
            ],
            { env }
          )
        const file = (dir: string) => NodePath.join(dir, "search-Orders.ndjson")
        const full = async () => {
          const dir = tempDir()
          const run = await search(dir)
          expect(run.code, run.stderr).toBe(0)
          return lines(file(dir))
        }
        const newestOf = (rows: ReadonlyArray<string>) =>
          Math.max(...rows.map(shippedAt).filter((t) => !Number.isNaN(t)))

        const dir = tempDir()
        const first = await search(
          dir,
          "--timezone",
          "UTC",
          "--since-column",
          "Shipped At",
          "--since",
          "2025-06-01 00:00:00"
        )
        expect(first.code, first.stderr).toBe(0)
        const newest = newestOf(await full())
        const recorded = marks(dir)

        // The table grows; the next run leaves --timezone out, so its data time zone is the cluster's.
        own.addRows(60)
        const grown = await full()
        const second = await search(dir, "--since-column", "Shipped At", "--since", "last")
        expect(second.code, second.stderr).toBe(0)
        const again = lines(file(dir))
        expect(again).toEqual(grown.filter((line) => shippedAt(line) >= newest))
        expect(again.some((line) => shippedAt(line) === newest)).toBe(true)
        const wall = new Date(newest).toISOString()
        expect(recorded).toEqual([
          expect.objectContaining({ column: "Shipped At", value: `${wall.slice(0, 10)} ${wall.slice(11, 19)} UTC` })
        ])
        // Recorded anew in the zone this run read in.
        const next = new Date(newestOf(grown) - 8 * 3_600_000).toISOString()
        expect(marks(dir)).toEqual([
          expect.objectContaining({
            column: "Shipped At",
            value: `${next.slice(0, 10)} ${next.slice(11, 19)} America/Los_Angeles`
          })
        ])
      } finally {
        await own.close()
      }
    }
  )
})
