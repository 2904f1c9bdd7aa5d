/**
 * Which search queries count as sorted (`SearchOrder.hasSortBy`): the words `sort by` followed by a `[Column]`,
 * in any case and spacing; never a `sort by` inside a column name or a quoted value, nor one that a quote left open
 * may have swallowed. When a result counts as read in several pages (`spansPages`). And where a saved answer's or
 * liveboard visualization's query is in its TML (`savedQueryOf`), or why it is not there.
 */
import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { hasSortBy, savedQueryOf, spansPages } from "../src/plan/SearchOrder.ts"

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

describe("savedQueryOf", () => {
  const liveboard = JSON.stringify({
    guid: "lb-1",
    liveboard: {
      name: "Ops",
      visualizations: [
        { id: "Viz_1", answer: { name: "A", search_query: "[Region] sort by [Region]" }, viz_guid: "AAAA-1" },
        { id: "Viz_2", answer: { name: "B", search_query: "[Region] [Revenue]" }, viz_guid: "bbbb-2" },
        { id: "Viz_3", note_tile: { html_parsed_string: "<p>note</p>" }, viz_guid: "cccc-3" }
      ]
    }
  })

  it("an-answers-query-is-its-answer-search-query", () => {
    const tml = JSON.stringify({ guid: "a-1", answer: { name: "Sales", search_query: "[Region] [Revenue]" } })
    expect(savedQueryOf(tml)).toEqual(Result.succeed("[Region] [Revenue]"))
  })

  it("a-visualizations-query-is-found-by-its-viz-guid-in-any-case", () => {
    expect(savedQueryOf(liveboard, "aaaa-1")).toEqual(Result.succeed("[Region] sort by [Region]"))
    expect(savedQueryOf(liveboard, "BBBB-2")).toEqual(Result.succeed("[Region] [Revenue]"))
  })

  it("a-document-without-the-query-says-why-and-is-never-read-as-sorted-or-not", () => {
    expect(savedQueryOf("guid: a-1\nanswer:\n  name: Sales\n")).toEqual(Result.fail("its TML is not a JSON document"))
    expect(savedQueryOf(JSON.stringify({ guid: "a-1", liveboard: {} }))).toEqual(Result.fail("its TML has no answer"))
    expect(savedQueryOf(JSON.stringify({ guid: "a-1", answer: { name: "SQL answer" } }))).toEqual(
      Result.fail("its TML has no search_query")
    )
    expect(savedQueryOf(liveboard, "cccc-3")).toEqual(Result.fail("its TML has no search_query"))
    expect(savedQueryOf(liveboard, "dddd-4")).toEqual(
      Result.fail("its liveboard's TML has no visualization with viz_guid dddd-4")
    )
  })
})
