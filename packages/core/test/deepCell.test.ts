/**
 * Cells nested deeper than 1000 levels: a typed, non-retried failure that names the row and column, through the
 * real client on every read path (rows parsed in pieces, the whole-body parse, `parseRows` for a page reader), instead
 * of a stack overflow; 1000 levels still go through exactly.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import { MAX_NESTING, NestingTooDeep, parseJsonExact } from "../src/internal/bigJson.ts"
import { type PageReader, parseRows, type Rows } from "../src/Pagination.ts"
import { failureOf } from "./exits.ts"
import { makeFake, testOptions, useClient, withTokens } from "./fake.ts"

const search = { logicalTableIdentifier: "table-1", queryString: "[n] [label]" }

const nested = (levels: number, inner = "") => `${"[".repeat(levels)}${inner}${"]".repeat(levels)}`

/** 4 rows in pages of 2; the second page's second row (row 4) holds `cell` in column "label". */
const body = (offset: number, cell: string, first = "1") => {
  const rows = offset === 0 ? `[[${first},"a"],[2,"b"]]` : `[[3,"c"],[4,${cell}]]`
  return `{"contents":[{"available_data_row_count":4,"column_names":["n","label"],"data_rows":${rows},"record_offset":${offset},"record_size":2,"returned_data_row_count":2,"sampling_ratio":1}]}`
}

const read = (cell: string, decoder?: PageReader<Rows>, first?: string) =>
  Effect.gen(function* () {
    const fake = makeFake(
      withTokens((r) =>
        r.path === "searchdata" ? { body: body(Number(r.body.record_offset), cell, first) } : { status: 404 }
      )
    )
    const exit = yield* Effect.exit(
      useClient(fake, testOptions(), (c) =>
        Stream.runCollect(
          decoder === undefined
            ? c.searchData({ ...search, pageSize: 2 })
            : c.searchData({ ...search, pageSize: 2 }, decoder)
        )
      )
    )
    return { exit, requests: fake.seen.filter((s) => s.path === "searchdata").length }
  })

const says = 'a cell in row 4, column "label" is nested deeper than 1000 levels: spotpipe does not export such values'

describe("a deeply nested cell", () => {
  it.effect("a-cell-nested-200000-deep-is-a-typed-error-naming-row-and-column", () =>
    Effect.gen(function* () {
      const { exit, requests } = yield* read(nested(200_000))
      const error = failureOf(exit) as { readonly reason: { readonly _tag: string; readonly message: string } }
      expect(error.reason._tag).toBe("ResponseDecode")
      expect(error.reason.message).toContain(says)
      // The data will not change on a retry: two pages, each asked for once.
      expect(requests).toBe(2)
    })
  )

  it.effect("a-deep-cell-after-a-big-integer-is-found-too", () =>
    Effect.gen(function* () {
      // The walk for unsafe numbers stops at the first one; the nesting is still checked everywhere.
      const { exit } = yield* read(nested(200_000), undefined, "12345678901234567890")
      const error = failureOf(exit) as { readonly reason: { readonly message: string } }
      expect(error.reason.message).toContain(says)
    })
  )

  it.effect("a-deep-cell-in-a-page-lent-to-a-reader-is-refused-by-parse-rows", () =>
    Effect.gen(function* () {
      for (const exactNumbers of [false, true]) {
        const { exit, requests } = yield* read(nested(200_000), (page) => parseRows(page, { exactNumbers }))
        const error = failureOf(exit) as { readonly reason: { readonly _tag: string; readonly message: string } }
        expect(error.reason._tag).toBe("ResponseDecode")
        expect(error.reason.message).toContain(says)
        expect(requests).toBe(2)
      }
    })
  )

  it.effect("a-deep-cell-is-also-refused-just-past-the-limit", () =>
    Effect.gen(function* () {
      const { exit } = yield* read(nested(MAX_NESTING + 1, "7"))
      const error = failureOf(exit) as { readonly reason: { readonly message: string } }
      expect(error.reason.message).toContain(says)
    })
  )

  it.effect("a-cell-of-1000-levels-is-read-exactly", () =>
    Effect.gen(function* () {
      const cell = nested(MAX_NESTING, "12345678901234567890")
      const { exit } = yield* read(cell)
      if (Exit.isFailure(exit)) throw new Error(String(exit.cause))
      const value = exit.value[1]!.rows[1]![1]
      let inner: unknown = value
      for (let level = 0; level < MAX_NESTING; level++) inner = (inner as ReadonlyArray<unknown>)[0]
      expect(inner).toBe(12345678901234567890n)
    })
  )
})

describe("parseJsonExact nesting limit", () => {
  it("nesting-up-to-the-limit-parses-and-deeper-throws-a-syntax-error", () => {
    expect(parseJsonExact(nested(MAX_NESTING))).toBeDefined()
    expect(() => parseJsonExact(nested(MAX_NESTING + 1))).toThrow(NestingTooDeep)
    expect(() => parseJsonExact(nested(200_000))).toThrow(SyntaxError)
    expect(() => parseJsonExact(`[9007199254740993,${nested(200_000)}]`)).toThrow(NestingTooDeep)
    expect(() => parseJsonExact(`{"a":${nested(5)}}`, { maxDepth: 5 })).toThrow(NestingTooDeep)
    expect(parseJsonExact(`{"a":${nested(4)}}`, { maxDepth: 5 })).toEqual({ a: [[[[]]]] })
  })

  it("exact-numbers-parse-refuses-deep-text-before-its-reviver-overflows-the-stack", () => {
    expect(() => parseJsonExact(nested(200_000, "1.50"), { exactNumbers: true })).toThrow(NestingTooDeep)
    expect(() => parseJsonExact(nested(MAX_NESTING + 1), { exactNumbers: true })).toThrow(NestingTooDeep)
    // Brackets inside strings do not count.
    expect(parseJsonExact(`["${"[".repeat(2_000)}"]`, { exactNumbers: true })).toEqual(["[".repeat(2_000)])
    expect(
      String((parseJsonExact(nested(MAX_NESTING, "1.50"), { exactNumbers: true }) as unknown[]).flat(MAX_NESTING)[0])
    ).toBe("1.50")
  })
})
