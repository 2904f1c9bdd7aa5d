/**
 * The CLI's message for a cell it cannot write: decode describes a bad date cell, and the CLI adds the advice a
 * spotpipe user can follow for its reason — never decode's own remedies, which are not CLI options.
 */
import { makeCellRenderer, makeEndRenderer, resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import { describe, expect, it } from "vitest"
import { badCellMessage } from "../src/Failure.ts"

const errorFor = (cell: unknown) => {
  const rendered = makeCellRenderer("DATE", { column: "Order Date" })(cell)
  if (!(rendered instanceof Error)) throw new Error(`expected a date cell error for ${String(cell)}`)
  return rendered
}

describe("bad cell messages", () => {
  it("a-string-in-a-date-column-names-row-column-and-cell-and-says-to-report-the-type", () => {
    expect(badCellMessage('answer "Sales"', 3, "Order Date", errorFor("abc"))).toBe(
      'answer "Sales": row 3, column "Order Date": cell "abc" is not a ThoughtSpot date (epoch seconds or {"v":{"s":…}}): it is a string; if the column is not a date, the column\'s type in metadata may be wrong: report it to the owner of the model or answer'
    )
  })

  it("each-reason-gets-advice-a-cli-user-can-follow", () => {
    const cells: ReadonlyArray<readonly [unknown, RegExp]> = [
      [1625759921000, /milliseconds .*: report it/],
      [{ v: { s: 100, e: 99 } }, /malformed Custom Calendar cell: report it to your ThoughtSpot administrator$/],
      [2 ** 60, /this is a bug: report it/],
      [694252800.5, /the column's type in metadata may be wrong: report it/],
      [{ s: 1 }, /the column's type in metadata may be wrong: report it/]
    ]
    for (const [cell, advice] of cells) {
      const message = badCellMessage("search", 1, "Order Date", errorFor(cell))
      expect(message).toMatch(/^search: row 1, column "Order Date": cell .+ (is|has) /)
      expect(message).toMatch(advice)
      expect(message).not.toMatch(/lenient|\bmode\b/)
      // The column is named once.
      expect(message.split('"Order Date"')).toHaveLength(2)
    }
  })

  it("a-date-in-year-10000-where-it-is-rendered-says-to-export-in-the-clusters-zone-not-to-check-the-unit", () => {
    const kiritimati = resolveTimeZone("Pacific/Kiritimati") as TimeZone
    const render = makeCellRenderer("DATE", { column: "Valid To", timeZone: kiritimati })
    // 9999-12-31T10:00:00Z: the midnight that starts 10000-01-01 at UTC+14.
    const message = badCellMessage("search", 2, "Valid To", render(253402250400) as Error)
    expect(message).toContain("in year 10000")
    expect(message).toContain(
      "dates are written in years 0001–9999 of the data time zone (Pacific/Kiritimati; a job file's \"timezone\" when it sets one, else --timezone, else the cluster's time_zone): export in the zone the cluster computes dates in"
    )
    expect(message).not.toContain("milliseconds")
  })

  it("a-date-that-is-no-midnight-in-the-zone-names-the-zone-its-sources-and-says-to-try-utc-for-a-utc-midnight", () => {
    const la = resolveTimeZone("America/Los_Angeles") as TimeZone
    const render = makeCellRenderer("DATE", { column: "Order Date", timeZone: la })
    // 1992-01-01T00:00:00Z: a day computed in UTC, which would be 1991-12-31 read in Los Angeles.
    expect(badCellMessage("search", 4, "Order Date", render(694224000) as Error)).toBe(
      'search: row 4, column "Order Date": cell 694224000 is 16:00:00 on 1991-12-31 in America/Los_Angeles, not a midnight: a DATE is the midnight that starts its day in the data time zone, so the cell was computed in another zone than America/Los_Angeles (its date would be off by a day) or is no DATE; it is midnight in UTC (1992-01-01), so its dates were likely computed in UTC; the dates were read in America/Los_Angeles, the data time zone (a job file\'s "timezone" when it sets one, else --timezone, else the cluster\'s time_zone): if the cluster computes dates in UTC, export with --timezone UTC (in a job file, "timezone": "UTC"); if the column holds no dates, the column\'s type in metadata may be wrong: report it to the owner of the model or answer'
    )
    // No midnight in UTC either: the zone to give is the cluster's own.
    const message = badCellMessage("search", 4, "Order Date", render(694224000 + 3600) as Error)
    expect(message).toContain("export with --timezone set to the zone the cluster computes dates in")
    expect(message).not.toContain("UTC")
    // The period end of a Custom Calendar cell too (the --period-end column).
    const end = makeEndRenderer("DATE", { column: "Order Date", timeZone: la })({ v: { s: 694252800, e: 694310400 } })
    expect(badCellMessage("search", 5, "Order Date (end)", end as Error)).toMatch(
      /^search: row 5, column "Order Date \(end\)": cell .* has a period end v\.e that is 16:00:00 on 1992-01-01 in America\/Los_Angeles, not a midnight.*export with --timezone UTC/
    )
  })

  it("other-cell-failures-keep-their-message", () => {
    expect(badCellMessage("search", 2, "Name", new Error("text that is not UTF-8"))).toBe(
      'search: row 2, column "Name": text that is not UTF-8'
    )
  })
})
