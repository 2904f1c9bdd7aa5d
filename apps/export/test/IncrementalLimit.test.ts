/**
 * Which search queries `--since-column` refuses for keeping only some of their rows (Incremental.ts
 * `limitRefusal`): `top`/`bottom` as search keywords, in any case, with a count or bare (10), read with
 * SearchOrder.ts's tokens — so the words inside a `[column]`, a bucket's quoted name or a quoted value are no limit.
 */
import { describe, expect, it } from "@effect/vitest"
import { limitRefusal } from "../src/plan/Incremental.ts"

describe("limitRefusal", () => {
  it("refuses top and bottom keywords, naming the limit as the query gives it", () => {
    expect(limitRefusal("[Region] [Revenue] top 5", "Order Date")).toContain(
      'the query keeps only some of its rows ("top 5"), and --since-column "Order Date" would write those of each run\'s rows'
    )
    expect(limitRefusal("[Region] [Revenue] Bottom 20 sort by [Revenue]", "Order Date")).toContain('("bottom 20")')
    // A bare keyword is the top 10, as on ThoughtSpot.
    expect(limitRefusal("TOP [Region] [Revenue]", "Order Date")).toContain('("top")')
    expect(limitRefusal("[Region] [Revenue] top", "Order Date")).toContain('("top")')
    expect(limitRefusal("[Region] [Revenue] top 5", "Order Date")).toContain(
      "leave --since-column out and export the whole result each run"
    )
  })

  it("reads no limit in column names, quoted values or other words", () => {
    expect(limitRefusal("[Order ID] [Revenue] sort by [Revenue]", "Order ID")).toBeUndefined()
    expect(limitRefusal("[Order ID] [top 5 customers] [bottom line]", "Order ID")).toBeUndefined()
    expect(limitRefusal("[Order ID] [Region] = 'top 5' [Status] != \"bottom\"", "Order ID")).toBeUndefined()
    expect(limitRefusal("[Order ID] [Order Date].'top'", "Order ID")).toBeUndefined()
    expect(limitRefusal("[Order ID] [Region] = 'it\\'s top'", "Order ID")).toBeUndefined()
    // Words that only hold the keyword.
    expect(limitRefusal("[Order ID] stop bottoms topmost", "Order ID")).toBeUndefined()
  })
})
