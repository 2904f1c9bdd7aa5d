/**
 * Which search queries count as sorted (`SearchOrder.hasSortBy`): the words `sort by` followed by a `[Column]`,
 * in any case and spacing; never a `sort by` inside a column name or a quoted value, nor one that a quote left open
 * may have swallowed. And when a result counts as read in several pages (`spansPages`).
 */
import { describe, expect, it } from "@effect/vitest"
import { hasSortBy, spansPages } from "../src/plan/SearchOrder.ts"

describe("hasSortBy", () => {
  it("sort-by-a-column-counts-in-any-case-and-spacing", () => {
    for (const query of [
      "[Order ID] [Region] sort by [Order ID]",
      "[Region] [Revenue] sort by [Revenue] descending",
      "sort by [Order ID] [Order ID] [Region]",
      "[Region] SORT\tBy  [Region]",
      "[Region]sort by[Region]",
      "[Order Date].monthly [Revenue] sort by [Order Date].monthly",
      "[Region] [Region] = 'a' sort by [Region]",
      "[Region] 'sort by' sort by [Region]"
    ]) {
      expect(hasSortBy(query), query).toBe(true)
    }
  })

  it("sort-by-inside-a-column-name-or-a-quoted-value-does-not-count", () => {
    for (const query of [
      "[Order ID] [Region]",
      "[sort by x] [Region]",
      "[Region] [Region] = 'sort by [Region]'",
      '[Region] [Region] = "sort by [Region]"',
      "[Region] [Region] = 'it\\'s sort by [Region]'",
      "[Region] [Order Date].'sort by [Region]'",
      // A quote left open takes the rest of the query.
      "[Region] [Region] = 'x sort by [Region]",
      // Not the two words, or no column after them.
      "[Region] sortby [Region]",
      "[Region] resort by [Region]",
      "[Region] sort [Region]",
      "[Region] sort by",
      "[Region] sort by 'Region'",
      "[Region] sort ] by [Region]",
      ""
    ]) {
      expect(hasSortBy(query), query).toBe(false)
    }
  })
})

describe("spansPages", () => {
  it("more-rows-than-a-page-or-rows-read-before-span-pages", () => {
    expect(spansPages(0, 250, 100)).toBe(true)
    expect(spansPages(0, 101, 100)).toBe(true)
    expect(spansPages(300, 300, 100)).toBe(true)
    expect(spansPages(100, undefined, 100)).toBe(true)
  })

  it("a-result-that-fits-one-page-does-not", () => {
    expect(spansPages(0, 100, 100)).toBe(false)
    expect(spansPages(0, 0, 100)).toBe(false)
    expect(spansPages(0, 7, 100000)).toBe(false)
    expect(spansPages(0, undefined, 100)).toBe(false)
  })
})
