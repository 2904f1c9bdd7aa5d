import { describe, expect, it } from "@effect/vitest"
import { makeRowRenderer } from "../src/formats/RowRenderer.ts"
import { FileNameAllocator } from "../src/plan/FileName.ts"
import { distinctSnakeNames, nameHash, slugName, snakeColumns, snakeName } from "../src/plan/Names.ts"

const day = (cell: unknown) => (cell === null ? null : `day ${String(cell)}`)

describe("snake column names", () => {
  it("makes-warehouse-safe-identifiers-from-result-names", () => {
    expect(snakeName("Month(Order Date)")).toBe("month_order_date")
    expect(snakeName("Total Revenue")).toBe("total_revenue")
    expect(snakeName("  Revenue -- % of Total  ")).toBe("revenue_of_total")
    expect(snakeName("already_snake_42")).toBe("already_snake_42")
    expect(snakeName("__x__")).toBe("x")
  })

  it("transliterates-accents-and-hashes-a-name-that-loses-letters-or-is-left-empty", () => {
    expect(snakeName("Café Crème")).toBe("cafe_creme")
    expect(snakeName("ﬁnal")).toBe("final") // a compatibility ligature decomposes
    // ß and 収 have no ASCII base: dropped, and the name's own hash keeps it apart from any other.
    expect(snakeName("Größe")).toBe(`groe_${nameHash("Größe")}`)
    expect(snakeName("収益")).toBe(`column_${nameHash("収益")}`)
    expect(snakeName("出荷")).toBe(`column_${nameHash("出荷")}`)
    expect(snakeName("収益")).not.toBe(snakeName("出荷"))
    expect(snakeName("")).toBe(`column_${nameHash("")}`)
    expect(snakeName("🙂")).toBe(`column_${nameHash("🙂")}`)
    expect(nameHash("収益")).toMatch(/^[0-9a-f]{8}$/)
  })

  it("never-starts-with-a-digit-and-stays-within-63-characters", () => {
    expect(snakeName("2024 Sales")).toBe("c_2024_sales")
    expect(snakeName("1")).toBe("c_1")
    const long = snakeName(`${"word ".repeat(30)}end`)
    expect(long.length).toBeLessThanOrEqual(63)
    expect(long.endsWith("_")).toBe(false)
    const lossy = snakeName(`${"word ".repeat(30)}収益`)
    expect(lossy).toBe(`${"word_".repeat(10)}word_${nameHash(`${"word ".repeat(30)}収益`)}`)
    expect(lossy.length).toBeLessThanOrEqual(63)
  })

  it("gives-each-name-the-same-identifier-whatever-the-other-columns-and-their-order", () => {
    const japanese = ["Region", "数量", "収益"]
    const forward = distinctSnakeNames(japanese)
    const reversed = distinctSnakeNames(["Region", "収益", "数量"])
    expect(forward).toEqual(["region", `column_${nameHash("数量")}`, `column_${nameHash("収益")}`])
    expect(reversed).toEqual([forward[0], forward[2], forward[1]])
    expect(distinctSnakeNames(["収益"])).toEqual([forward[2]])
  })

  it("hashes-every-one-of-different-names-that-share-an-identifier", () => {
    expect(distinctSnakeNames(["Total Revenue", "total_revenue", "TOTAL-REVENUE"])).toEqual([
      `total_revenue_${nameHash("Total Revenue")}`,
      `total_revenue_${nameHash("total_revenue")}`,
      `total_revenue_${nameHash("TOTAL-REVENUE")}`
    ])
    // In either order each keeps its own, and neither keeps the plain `revenue` another run gives the other.
    expect(distinctSnakeNames(["revenue", "Revenue"])).toEqual([
      `revenue_${nameHash("revenue")}`,
      `revenue_${nameHash("Revenue")}`
    ])
    // `Total 2` is a name of its own, and keeps its identifier.
    expect(distinctSnakeNames(["Total", "total", "Total 2"])).toEqual([
      `total_${nameHash("Total")}`,
      `total_${nameHash("total")}`,
      "total_2"
    ])
  })

  it("numbers-only-a-repeated-name-skipping-names-another-column-has", () => {
    expect(distinctSnakeNames(["Revenue", "Revenue", "Revenue 2"])).toEqual(["revenue", "revenue_3", "revenue_2"])
    // A numbered long name stays within the limit.
    const long = "x".repeat(70)
    const [first, second] = distinctSnakeNames([long, long])
    expect(first).toBe("x".repeat(63))
    expect(second).toBe(`${"x".repeat(61)}_2`)
  })

  it("names-period-end-companions-after-their-column-and-hashes-both-where-one-meets-a-result-column", () => {
    const plans = [
      { name: "Order Date", type: "DATE", format: day, end: day },
      { name: "order_date_end", type: "VARCHAR" },
      { name: "Ship Date", type: "DATE", format: day, end: day },
      { name: "収益日", type: "DATE", format: day, end: day }
    ]
    const renderer = makeRowRenderer(plans, true, snakeColumns)
    const lossy = `column_${nameHash("収益日")}`
    expect(renderer.columns).toEqual([
      { name: "order_date", source_name: "Order Date", type: "DATE" },
      { name: `order_date_end_${nameHash("Order Date (end)")}`, type: "DATE", end_of: "order_date" },
      { name: `order_date_end_${nameHash("order_date_end")}`, source_name: "order_date_end", type: "VARCHAR" },
      { name: "ship_date", source_name: "Ship Date", type: "DATE" },
      { name: "ship_date_end", type: "DATE", end_of: "ship_date" },
      { name: lossy, source_name: "収益日", type: "DATE" },
      { name: `${lossy}_end`, type: "DATE", end_of: lossy }
    ])
    // Failures name the written column.
    const failing = makeRowRenderer(
      [{ name: "Bad Column", type: "INT64", format: () => new Error("no") }],
      false,
      snakeColumns
    )
    const failure = failing.render([[1]], 0)
    expect(failure).toMatchObject({ column: "bad_column" })
  })

  it("keeps-repeated-result-names-mapped-to-the-results-name", () => {
    const renderer = makeRowRenderer(
      [
        { name: "Revenue", type: "DOUBLE" },
        { name: "Revenue", type: "DOUBLE" }
      ],
      false,
      snakeColumns
    )
    expect(renderer.columns).toEqual([
      { name: "revenue", source_name: "Revenue", type: "DOUBLE" },
      { name: "revenue_2", source_name: "Revenue", type: "DOUBLE" }
    ])
  })
})

describe("slug file names", () => {
  it("slugs-object-names-and-numbers-collisions-with-an-underscore", () => {
    expect(slugName("answer-Revenue by Month")).toBe("answer_revenue_by_month")
    expect(slugName("liveboard-Executive Summary (restricted)")).toBe("liveboard_executive_summary_restricted")
    expect(slugName("../../etc/passwd")).toBe("etc_passwd")
    expect(slugName("2024")).toBe("2024") // a file name may start with a digit
    expect(slugName("収益")).toBe(`untitled_${nameHash("収益")}`)
    expect(slugName("answer-収益")).toBe(`answer_${nameHash("answer-収益")}`)
    expect(slugName("answer-出荷")).toBe(`answer_${nameHash("answer-出荷")}`)
    const names = new FileNameAllocator()
    names.reserve("manifest.json")
    expect(names.allocate("answer-Revenue by Month", "csv", "slug")).toBe("answer_revenue_by_month.csv")
    expect(names.allocate("Answer  Revenue (by) Month", "csv", "slug")).toBe("answer_revenue_by_month_2.csv")
    expect(names.allocate("answer-revenue-by-month", "csv", "slug")).toBe("answer_revenue_by_month_3.csv")
    expect(names.allocate("Manifest", "json", "slug")).toBe("manifest_2.json")
    // Names Windows reserves stay safe.
    expect(names.allocate("CON", "csv", "slug")).toBe("_con.csv")
    // The original style keeps its own numbering.
    expect(names.allocate("answer-Revenue by Month", "csv")).toBe("answer-Revenue by Month.csv")
    expect(names.allocate("answer-Revenue by Month", "csv")).toBe("answer-Revenue by Month (2).csv")
  })
})
