/**
 * The CLI's message for a cell it cannot write: decode describes a bad date cell, and the CLI adds the advice a
 * spotpipe user can follow for its reason — never decode's own remedies, which are not CLI options.
 */
import { makeCellRenderer } from "@spotpipe/decode"
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

  it("other-cell-failures-keep-their-message", () => {
    expect(badCellMessage("search", 2, "Name", new Error("text that is not UTF-8"))).toBe(
      'search: row 2, column "Name": text that is not UTF-8'
    )
  })
})
