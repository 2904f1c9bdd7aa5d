import { describe, expect, it } from "@effect/vitest"
import { distinctNames, isRenderFailure, makeRowRenderer } from "../src/formats/RowRenderer.ts"
import { typesByName, typesByPosition } from "../src/plan/ColumnPlanner.ts"

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

  it("repeated-names-are-numbered-skipping-names-a-column-has", () => {
    expect(distinctNames(["Ts", "Ts", "Ts (2)", "Ts", "a"])).toEqual(["Ts", "Ts (3)", "Ts (2)", "Ts (4)", "a"])
    expect(distinctNames(["x", "y"])).toEqual(["x", "y"])
    // Period-end columns are named after their column's output name, and yield to a result column of that name.
    const renderer = makeRowRenderer(
      [
        { name: "d", type: "DATE", format: day, end: dayEnd },
        { name: "d", type: "DATE", format: day, end: dayEnd },
        { name: "d (2) (end)", type: "VARCHAR" }
      ],
      true
    )
    expect(renderer.columns).toEqual([
      { name: "d", type: "DATE" },
      { name: "d (end)", type: "DATE", end_of: "d" },
      { name: "d (2)", source_name: "d", type: "DATE" },
      { name: "d (2) (end) (2)", type: "DATE", end_of: "d (2)" },
      { name: "d (2) (end)", type: "VARCHAR" }
    ])
  })

  it("types-go-by-position-and-by-an-unambiguous-name-when-the-columns-differ", () => {
    const listed = [
      { name: "Ts", type: "DATE_TIME" },
      { name: "Ts", type: "DATE" },
      { name: "n", type: "INT64" }
    ]
    expect(typesByPosition(listed)(["Ts", "Ts", "n"])).toEqual(["DATE_TIME", "DATE", "INT64"])
    // Another column list: a name listed with two types has none; a name listed once keeps its type.
    expect(typesByPosition(listed)(["n", "Ts", "m"])).toEqual(["INT64", null, null])
    expect(typesByName((name) => (name === "a" ? "INT32" : null))(["a", "b", "a"])).toEqual(["INT32", null, "INT32"])
  })
})
