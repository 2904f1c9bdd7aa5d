import { describe, expect, it } from "@effect/vitest"
import { makeRowRenderer } from "../src/formats/RowRenderer.ts"
import { FileNameAllocator } from "../src/plan/FileName.ts"
import { distinctSnakeNames, slugName, snakeColumns, snakeName } from "../src/plan/Names.ts"

const day = (cell: unknown) => (cell === null ? null : `day ${String(cell)}`)

describe("snake column names", () => {
  it("makes-warehouse-safe-identifiers-from-result-names", () => {
    expect(snakeName("Month(Order Date)")).toBe("month_order_date")
    expect(snakeName("Total Revenue")).toBe("total_revenue")
    expect(snakeName("  Revenue -- % of Total  ")).toBe("revenue_of_total")
    expect(snakeName("already_snake_42")).toBe("already_snake_42")
    expect(snakeName("__x__")).toBe("x")
  })

  it("transliterates-accents-drops-what-has-no-ascii-base-and-is-never-empty", () => {
    expect(snakeName("Café Crème")).toBe("cafe_creme")
    expect(snakeName("Größe")).toBe("groe") // ß has no NFKD base letter: dropped
    expect(snakeName("ﬁnal")).toBe("final") // a compatibility ligature decomposes
    expect(snakeName("収益")).toBe("column")
    expect(snakeName("")).toBe("column")
    expect(snakeName("🙂")).toBe("column")
  })

  it("never-starts-with-a-digit-and-stays-within-63-characters", () => {
    expect(snakeName("2024 Sales")).toBe("c_2024_sales")
    expect(snakeName("1")).toBe("c_1")
    const long = snakeName(`${"word ".repeat(30)}end`)
    expect(long.length).toBeLessThanOrEqual(63)
    expect(long.endsWith("_")).toBe(false)
  })

  it("numbers-collisions-in-column-order-skipping-names-another-column-has", () => {
    expect(distinctSnakeNames(["Total Revenue", "total_revenue", "TOTAL-REVENUE"])).toEqual([
      "total_revenue",
      "total_revenue_2",
      "total_revenue_3"
    ])
    // `total_2` is a column's own name, so the repeated `Total` takes `total_3`.
    expect(distinctSnakeNames(["Total", "total", "Total 2"])).toEqual(["total", "total_3", "total_2"])
    expect(distinctSnakeNames(["収", "益"])).toEqual(["column", "column_2"])
    // A numbered long name stays within the limit.
    const long = "x".repeat(70)
    const [first, second] = distinctSnakeNames([long, long])
    expect(first).toBe("x".repeat(63))
    expect(second).toBe(`${"x".repeat(61)}_2`)
  })

  it("names-period-end-companions-after-their-column-and-numbers-them-against-result-columns", () => {
    const plans = [
      { name: "Order Date", type: "DATE", format: day, end: day },
      { name: "order_date_end", type: "VARCHAR" },
      { name: "Order  Date", type: "DATE", format: day, end: day }
    ]
    const renderer = makeRowRenderer(plans, true, snakeColumns)
    expect(renderer.columns).toEqual([
      { name: "order_date", source_name: "Order Date", type: "DATE" },
      { name: "order_date_end_2", type: "DATE", end_of: "order_date" },
      { name: "order_date_end", type: "VARCHAR" },
      { name: "order_date_2", source_name: "Order  Date", type: "DATE" },
      { name: "order_date_2_end", type: "DATE", end_of: "order_date_2" }
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
    expect(slugName("収益")).toBe("untitled")
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
