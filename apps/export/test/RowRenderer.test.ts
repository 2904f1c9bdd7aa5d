import { describe, expect, it } from "@effect/vitest"
import { isRenderFailure, makeRowRenderer } from "../src/RowRenderer.ts"

const day = (cell: unknown) => (cell === null ? null : typeof cell === "number" ? `day${cell}` : new Error("bad cell"))
const dayEnd = (cell: unknown) => (cell === null ? null : `end${String(cell)}`)

describe("RowRenderer", () => {
  it("plain-columns-pass-through-without-copying", () => {
    const renderer = makeRowRenderer(
      [
        { name: "a", type: "VARCHAR" },
        { name: "b", type: "INT64" }
      ],
      true
    )
    const rows = [["x", 1n]]
    expect(renderer.render(rows, 0)).toBe(rows)
    expect(renderer.columns).toEqual([
      { name: "a", type: "VARCHAR" },
      { name: "b", type: "INT64" }
    ])
  })

  it("date-columns-are-formatted-and-the-companion-follows-when-asked", () => {
    const plans = [
      { name: "d", type: "DATE", format: day, end: dayEnd },
      { name: "n", type: "INT32" }
    ]
    const withEnd = makeRowRenderer(plans, true)
    expect(withEnd.columns.map((c) => c.name)).toEqual(["d", "d (end)", "n"])
    expect(withEnd.columns[1]).toEqual({ name: "d (end)", type: "DATE", end_of: "d" })
    expect(
      withEnd.render(
        [
          [5, 1],
          [null, null]
        ],
        0
      )
    ).toEqual([
      ["day5", "end5", 1],
      [null, null, null]
    ])
    const without = makeRowRenderer(plans, false)
    expect(without.render([[5, 7]], 0)).toEqual([["day5", 7]])
  })

  it("a-bad-cell-names-its-absolute-row-and-column", () => {
    const renderer = makeRowRenderer([{ name: "when", type: "DATE", format: day }], false)
    const result = renderer.render([[1], ["oops"]], 100)
    expect(isRenderFailure(result)).toBe(true)
    if (isRenderFailure(result)) {
      expect(result.row).toBe(101)
      expect(result.column).toBe("when")
      expect(result.error.message).toBe("bad cell")
    }
  })

  it("a-row-whose-width-differs-from-the-columns-fails-instead-of-shifting", () => {
    const plain = makeRowRenderer(
      [
        { name: "a", type: "VARCHAR" },
        { name: "b", type: "INT64" }
      ],
      false
    )
    const short = plain.render([["x", 1], ["y"]], 10)
    expect(isRenderFailure(short) && short.row).toBe(11)
    expect(isRenderFailure(short) && short.error.message).toBe("the row has 1 cells but the result has 2 columns")
    const dated = makeRowRenderer([{ name: "d", type: "DATE", format: day }], true)
    expect(isRenderFailure(dated.render([[1, 2]], 0))).toBe(true)
  })
})
