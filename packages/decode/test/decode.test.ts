/**
 * Plain decoders: the error table (one case per reason), row/column naming, lenient pass-through counting,
 * COMPACT and FULL rows, untouched non-date columns (bigints keep their identity) and unknown column types.
 */
import { describe, expect, it } from "vitest"
import {
  type Column,
  DateCellError,
  type DateCellErrorReason,
  decodeCell,
  decodeColumn,
  decodeCompactRows,
  decodeFullRows,
  encodePeriod,
  isDateCellError,
  isPeriod,
  MAX_EPOCH_SECONDS,
  MIN_EPOCH_SECONDS,
  makePeriod,
  periodValue
} from "../src/index.ts"

describe("error table", () => {
  const cases: Array<readonly [string, unknown, DateCellErrorReason, RegExp]> = [
    ["nan", Number.NaN, "NotFinite", /not a finite number/],
    ["infinity", Number.POSITIVE_INFINITY, "NotFinite", /not a finite number/],
    [
      "negative-infinity-in-calendar-start",
      { v: { s: Number.NEGATIVE_INFINITY } },
      "NotFinite",
      /has a v\.s that is not a finite number/
    ],
    ["fraction", 694252800.5, "NotWholeSeconds", /not a whole number of seconds/],
    ["fractional-end", { v: { s: 1, e: 2.5 } }, "NotWholeSeconds", /has a v\.e that is not a whole/],
    ["unsafe-number-integer", 2 ** 60, "UnsafeInteger", /bigint/],
    ["milliseconds", 1625759921000, "OutOfRange", /milliseconds/],
    ["huge-bigint", 2n ** 70n, "OutOfRange", /outside the supported instants/],
    ["end-before-start", { v: { s: 100, e: 99 } }, "EndBeforeStart", /end v\.e is before its start/],
    [
      "string",
      "1625759921",
      "WrongType",
      /is not a ThoughtSpot date \(epoch seconds or \{"v":\{"s":…\}\}\): it is a string$/
    ],
    ["boolean", true, "WrongType", /it is a boolean$/],
    ["array", [1625759921], "WrongType", /it is an array$/],
    ["undefined", undefined, "WrongType", /undefined value/],
    ["object-without-v", { s: 1 }, "WrongShape", /not a Custom Calendar cell/],
    ["v-without-s", { v: { e: 1 } }, "WrongShape", /not a Custom Calendar cell/],
    ["v-not-an-object", { v: 5 }, "WrongShape", /not a Custom Calendar cell/],
    ["string-start", { v: { s: "1" } }, "WrongShape", /its v\.s/],
    ["extra-key", { v: { s: 1 }, x: 1 }, "WrongShape", /no other keys/],
    ["extra-key-in-v", { v: { s: 1, z: 2 } }, "WrongShape", /no other keys/],
    ["display-not-a-string", { v: { s: 1 }, d: 5 }, "WrongShape", /not a Custom Calendar cell/]
  ]
  for (const [name, value, reason, message] of cases) {
    it(`${name}-is-${reason}`, () => {
      const error = decodeCell(value, { row: 7, column: "Order Date" })
      expect(error).toBeInstanceOf(DateCellError)
      if (!isDateCellError(error)) return
      expect(error._tag).toBe("DateCellError")
      expect(error.reason).toBe(reason)
      expect(error.row).toBe(7)
      expect(error.column).toBe("Order Date")
      expect(error.message).toMatch(/^cell .+ in row 7, column "Order Date" (is|has) /)
      expect(error.message).toMatch(message)
      // The message describes the cell; advice (which options exist) is the caller's to give.
      expect(error.message).not.toMatch(/lenient|mode|[Cc]heck|[Rr]eport|[Pp]arse the/)
    })
  }

  it("long-values-are-truncated-in-errors", () => {
    const error = decodeCell("x".repeat(10_000)) as DateCellError
    expect(error.value.length).toBe(80)
    expect(error.value.endsWith("…")).toBe(true)
    expect(error.message.length).toBeLessThan(400)
  })

  it("a-value-cut-in-an-error-keeps-whole-characters", () => {
    // The cut falls between the two halves of an emoji: half of it would be a lone surrogate, not text.
    const error = decodeCell(`${"x".repeat(77)}😀 and more`) as DateCellError
    expect(error.value).toBe(`"${"x".repeat(77)}…`)
    const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
    expect(error.message).not.toMatch(loneSurrogate)
  })

  it("cyclic-objects-render-safely", () => {
    const cyclic: { v?: unknown; self?: unknown } = {}
    cyclic.self = cyclic
    const error = decodeCell(cyclic) as DateCellError
    expect(error.value).toBe("[unserializable object]")
  })

  it("errors-without-location-say-date-cell", () => {
    expect((decodeCell("x") as DateCellError).message).toMatch(/^cell "x" is not a ThoughtSpot date/)
    expect((decodeCell("x") as DateCellError).row).toBeUndefined()
  })
})

describe("valid cells", () => {
  it("bigint-in-range-is-exact", () => {
    expect(decodeCell(1625759921n)).toEqual({ start: 1625759921, form: "epoch" })
    expect(decodeCell({ v: { s: 1n, e: 86401n } })).toEqual({ start: 1, end: 86401, form: "calendar" })
  })

  it("end-and-display-are-kept", () => {
    expect(decodeCell({ v: { s: 1625097600, e: 1625184000 }, d: "01-07-2021" })).toEqual({
      start: 1625097600,
      end: 1625184000,
      display: "01-07-2021",
      form: "calendar"
    })
  })

  it("end-equal-to-start-is-allowed", () => {
    expect(decodeCell({ v: { s: 5, e: 5 } })).toEqual({ start: 5, end: 5, form: "calendar" })
  })

  it("negative-zero-is-epoch-zero", () => {
    expect(decodeCell(-0)).toMatchObject({ start: 0 })
  })
})

describe("encoding periods", () => {
  it("an-epoch-form-period-with-an-end-or-display-encodes-to-the-calendar-form-keeping-them", () => {
    // No epoch cell carries them, but a period built by hand can: a bare number would drop them.
    const periods = [
      makePeriod("epoch", 5, 10),
      makePeriod("epoch", 5, undefined, "Q1"),
      makePeriod("epoch", 5, 10, "Q1")
    ]
    expect(periods.map(encodePeriod)).toEqual([
      { v: { s: 5, e: 10 } },
      { v: { s: 5 }, d: "Q1" },
      { v: { s: 5, e: 10 }, d: "Q1" }
    ])
    for (const period of periods) {
      const again = decodeCell(encodePeriod(period))
      expect(again instanceof DateCellError || again === null ? again : periodValue(again)).toEqual(periodValue(period))
    }
    expect(encodePeriod(makePeriod("epoch", 5))).toBe(5)
  })
})

describe("making periods", () => {
  // A Period is whole safe-integer seconds in range: parts that make none are a programming mistake and throw where
  // the period is made, so no malformed period reaches encodePeriod or a cell.
  const make = makePeriod as (...parts: ReadonlyArray<unknown>) => unknown
  const range = `within MIN_EPOCH_SECONDS … MAX_EPOCH_SECONDS (${MIN_EPOCH_SECONDS} … ${MAX_EPOCH_SECONDS}, 0000-12-31T00:00:00Z … 10000-01-01T23:59:59Z)`
  const mistakes: ReadonlyArray<
    readonly [ReadonlyArray<unknown>, TypeErrorConstructor | RangeErrorConstructor, string]
  > = [
    [["calendar", 10, 5], RangeError, "end 5 is before start 10: a period's end is exclusive, at or after its start"],
    [["epoch", 1.5], RangeError, `start is 1.5, not whole epoch seconds ${range}`],
    [["epoch", 5, 10.5], RangeError, `end is 10.5, not whole epoch seconds ${range}`],
    [["epoch", Number.NaN], RangeError, `start is NaN, not whole epoch seconds ${range}`],
    [["epoch", 2 ** 60], RangeError, `start is ${2 ** 60}, not whole epoch seconds ${range}`],
    [
      ["epoch", MAX_EPOCH_SECONDS + 1],
      RangeError,
      `start is ${MAX_EPOCH_SECONDS + 1}, not whole epoch seconds ${range}`
    ],
    [["cal", 10], TypeError, 'form must be "epoch" or "calendar", not "cal"'],
    [["epoch", "10"], TypeError, 'start must be whole epoch seconds (a number), not "10"'],
    [
      ["epoch", 10n],
      TypeError,
      "start must be whole epoch seconds (a number), not 10n (convert an in-range bigint with Number())"
    ],
    [["calendar", 5, null], TypeError, "end must be whole epoch seconds (a number), not null"],
    [["calendar", 5, 10, 7], TypeError, "display must be the cell's display text (a string), not 7"]
  ]

  it("parts-that-make-no-period-throw-where-it-is-made", () => {
    for (const [args, kind, message] of mistakes) {
      expect(() => make(...args)).toThrow(new kind(`makePeriod: ${message}`))
      expect(() => make(...args)).toThrow(kind)
    }
  })

  it("isPeriod-is-true-only-for-valid-periods", () => {
    for (const [[form, start, end, display]] of mistakes) {
      expect(
        isPeriod({ form, start, ...(end === undefined ? {} : { end }), ...(display === undefined ? {} : { display }) })
      ).toBe(false)
    }
    for (const value of [null, 5, "x", { start: 5 }, { form: "epoch" }, { start: 5, form: "epoch", extra: 1 }])
      expect(isPeriod(value)).toBe(false)
    const valid = [
      makePeriod("epoch", 5),
      makePeriod("calendar", 5, 5),
      makePeriod("calendar", MIN_EPOCH_SECONDS, MAX_EPOCH_SECONDS, "all"),
      { start: 5, end: undefined, form: "epoch" }
    ]
    for (const value of valid) expect(isPeriod(value)).toBe(true)
  })

  it("encodePeriod-never-writes-a-malformed-cell", () => {
    // A Period built by hand (an object literal) is checked as makePeriod checks its parts.
    const encode = encodePeriod as (period: unknown) => unknown
    expect(() => encode({ start: 10, end: 5, form: "calendar" })).toThrow(
      new RangeError(
        "encodePeriod: period.end 5 is before period.start 10: a period's end is exclusive, at or after its start"
      )
    )
    expect(() => encode({ start: 1.5, form: "epoch" })).toThrow(
      new RangeError(`encodePeriod: period.start is 1.5, not whole epoch seconds ${range}`)
    )
    expect(() => encode({ start: 5, form: "cal" })).toThrow(
      new TypeError('encodePeriod: period.form must be "epoch" or "calendar", not "cal"')
    )
    expect(() => encode(null)).toThrow(
      new TypeError("encodePeriod: period must be a Period { start, end?, display?, form }, not null")
    )
    // Every period makePeriod builds encodes to a cell that decodes back to it.
    const again = decodeCell(encodePeriod(makePeriod("calendar", 10, 10, "d")))
    expect(again).toEqual({ start: 10, end: 10, display: "d", form: "calendar" })
  })

  it("negative-zero-is-made-epoch-zero", () => {
    expect(Object.is(makePeriod("epoch", -0).start, 0)).toBe(true)
    expect(Object.is(makePeriod("calendar", -0, -0).end, 0)).toBe(true)
  })

  it("a-malformed-period-given-to-the-decoder-keeps-its-specific-error", () => {
    // The decoders still read a Period-shaped value (decoding is idempotent) and name what is wrong with it.
    expect(decodeCell({ start: 1.5, form: "epoch" })).toMatchObject({ reason: "NotWholeSeconds" })
    expect(decodeCell({ start: 10, end: 5, form: "calendar" })).toMatchObject({ reason: "EndBeforeStart" })
  })
})

describe("columns", () => {
  it("strict-mode-stops-at-the-first-bad-cell-with-its-row", () => {
    const result = decodeColumn([1, null, "oops", 2.5], "DATE", { column: "d", rowOffset: 100 })
    expect(result).toBeInstanceOf(DateCellError)
    expect(result).toMatchObject({ reason: "WrongType", row: 102, column: "d" })
  })

  it("lenient-mode-passes-unknown-values-through-and-counts-them", () => {
    const cells = [1, "oops", { v: { s: 2 } }, 2.5, null]
    const result = decodeColumn(cells, "DATE", { mode: "lenient", column: "d" })
    if (result._tag !== "Decoded") throw new Error("lenient decode failed")
    expect(result.value).toEqual([{ start: 1, form: "epoch" }, "oops", { start: 2, form: "calendar" }, 2.5, null])
    expect(result.passedThrough).toBe(2)
    expect(result.firstIssue).toMatchObject({ reason: "WrongType", row: 1, column: "d" })
  })

  it("non-date-columns-are-returned-untouched", () => {
    const big = 2n ** 64n
    const cells = [big, 2 ** 60, "x", null]
    const result = decodeColumn(cells, "INT64")
    expect(result).toEqual({ _tag: "Decoded", value: cells, passedThrough: 0 })
    if (result._tag === "Decoded") {
      expect(result.value).toBe(cells)
      expect(result.value[0]).toBe(big)
    }
  })

  it("unknown-type-columns-decode-only-calendar-objects", () => {
    const result = decodeColumn([{ v: { s: 3 } }, 4, "x"], "SOMETHING_NEW")
    expect(result).toEqual({ _tag: "Decoded", value: [{ start: 3, form: "calendar" }, 4, "x"], passedThrough: 0 })
    expect(decodeColumn([{ v: { s: "3" } }], "")).toBeInstanceOf(DateCellError)
  })
})

describe("rows", () => {
  const columns: Array<Column> = [
    { name: "Order Date", type: "DATE" },
    { name: "Region", type: "VARCHAR" },
    { name: "Order Id", type: "INT64" },
    { name: "Shipped", type: "DATE_TIME" }
  ]
  const big = 9007199254740993n

  it("compact-rows-decode-date-columns-and-copy-the-rest", () => {
    const rows = [
      [694252800, "West", big, { v: { s: 694260000 } }],
      [null, "East", 5, null]
    ]
    const result = decodeCompactRows(rows, columns)
    if (result._tag !== "Decoded") throw new Error("decode failed")
    expect(result.value).toEqual([
      [{ start: 694252800, form: "epoch" }, "West", big, { start: 694260000, form: "calendar" }],
      [null, "East", 5, null]
    ])
    expect(result.value[0]![2]).toBe(big)
    expect(rows[0]![0]).toBe(694252800) // input not mutated
  })

  it("compact-row-errors-name-row-and-column", () => {
    const result = decodeCompactRows(
      [
        [1, "a", 1, 2],
        [1, "b", 2, "late"]
      ],
      columns,
      { rowOffset: 500 }
    )
    expect(result).toMatchObject({ _tag: "DateCellError", row: 501, column: "Shipped", reason: "WrongType" })
  })

  it("full-rows-keep-omitted-nulls-omitted-and-key-order", () => {
    const rows = [
      { Region: "West", "Order Date": { v: { s: 694252800 } }, "Order Id": big },
      { Region: "East", "Order Id": 2, Shipped: 694260000 }
    ]
    const result = decodeFullRows(rows, columns)
    if (result._tag !== "Decoded") throw new Error("decode failed")
    expect(result.value).toEqual([
      { Region: "West", "Order Date": { start: 694252800, form: "calendar" }, "Order Id": big },
      { Region: "East", "Order Id": 2, Shipped: { start: 694260000, form: "epoch" } }
    ])
    expect(Object.keys(result.value[0]!)).toEqual(["Region", "Order Date", "Order Id"])
    expect("Order Date" in result.value[1]!).toBe(false)
  })

  it("a-column-named-__proto__-stays-a-plain-key", () => {
    const row = JSON.parse('{"__proto__": 694252800}') as Record<string, unknown>
    const result = decodeFullRows([row], [{ name: "__proto__", type: "DATE" }])
    if (result._tag !== "Decoded") throw new Error("decode failed")
    const out = result.value[0]!
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toEqual({ start: 694252800, form: "epoch" })
  })

  it("rows-of-the-wrong-shape-are-typed-errors-or-counted", () => {
    expect(decodeCompactRows([{ a: 1 } as unknown as Array<unknown>], columns)).toMatchObject({
      reason: "WrongType",
      row: 0
    })
    expect(decodeFullRows([[1] as unknown as Record<string, unknown>], columns)).toMatchObject({ reason: "WrongType" })
    const lenient = decodeFullRows([[1] as unknown as Record<string, unknown>], columns, { mode: "lenient" })
    expect(lenient).toMatchObject({ _tag: "Decoded", passedThrough: 1, value: [[1]] })
  })

  it("a-compact-row-of-another-width-is-a-typed-error-naming-the-row-and-both-widths", () => {
    const good = [694252800, "West", 1, null]
    const cases: ReadonlyArray<readonly [ReadonlyArray<unknown>, string]> = [
      [[], "row 101 has 0 cells but there are 4 columns"],
      [[694252800], "row 101 has 1 cell but there are 4 columns"],
      [[...good, "extra"], "row 101 has 5 cells but there are 4 columns"]
    ]
    for (const [row, says] of cases) {
      const result = decodeCompactRows([good, row], columns, { rowOffset: 100 })
      expect(result).toBeInstanceOf(DateCellError)
      expect(result).toMatchObject({ reason: "WrongShape", row: 101, value: JSON.stringify(row) })
      expect((result as DateCellError).message).toBe(
        `${says}: a COMPACT row holds exactly one cell per column, in the columns' order`
      )
      expect("column" in (result as DateCellError)).toBe(false)
    }
    // Also when no column is a date column: the width is checked, not only the cells that get decoded.
    const plain = decodeCompactRows([["West"], ["East", 1]], [{ name: "Region", type: "VARCHAR" }])
    expect(plain).toMatchObject({ _tag: "DateCellError", reason: "WrongShape", row: 1 })
  })

  it("a-compact-row-of-another-width-passes-through-unchanged-and-counted-in-lenient-mode", () => {
    const short = [694252800]
    const result = decodeCompactRows([short, [694252800, "West", 1, null]], columns, { mode: "lenient" })
    if (result._tag !== "Decoded") throw new Error("decode failed")
    expect(result.passedThrough).toBe(1)
    expect(result.value[0]).toBe(short)
    expect(result.value[1]).toEqual([{ start: 694252800, form: "epoch" }, "West", 1, null])
    expect(result.firstIssue?.message).toBe(
      "row 0 has 1 cell but there are 4 columns: a COMPACT row holds exactly one cell per column, in the columns' order"
    )
  })

  const fullRowRule =
    "a FULL row's keys are the columns' names (a null cell's key is left out), so a misspelt or renamed column would otherwise go through undecoded"

  it("a-full-row-with-a-key-no-column-has-is-a-typed-error-naming-the-row-the-unexpected-and-the-missing-keys", () => {
    const good = { "Order Date": 694252800, Region: "West", "Order Id": 1 }
    // A misspelt date column: without the check its epoch would go through as a raw number.
    const misspelt = { "Order date": 694252800, Region: "East", "Order Id": 2, Shipped: 694260000 }
    const result = decodeFullRows([good, misspelt], columns, { rowOffset: 100 })
    expect(result).toBeInstanceOf(DateCellError)
    expect(result).toMatchObject({ reason: "WrongShape", row: 101, value: JSON.stringify(misspelt) })
    expect((result as DateCellError).message).toBe(
      `row 101 has the key "Order date", which no column has, and lacks the column "Order Date": ${fullRowRule}`
    )
    expect("column" in (result as DateCellError)).toBe(false)
    // An extra key beside every column; keys beyond five are counted, not listed.
    const extra = { ...good, Shipped: null, a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }
    expect((decodeFullRows([extra], columns) as DateCellError).message).toBe(
      `row 0 has the keys "a", "b", "c", "d", "e" and 1 more, which no column has: ${fullRowRule}`
    )
    // Also when no column is a date column: every key is checked, not only the decoded ones.
    const plain = decodeFullRows([{ Region: "West" }, { region: "East" }], [{ name: "Region", type: "VARCHAR" }])
    expect(plain).toMatchObject({ _tag: "DateCellError", reason: "WrongShape", row: 1 })
  })

  it("a-full-row-with-a-key-no-column-has-passes-through-unchanged-and-counted-in-lenient-mode", () => {
    const renamed = { Date: 694252800, Region: "East" }
    const result = decodeFullRows([renamed, { "Order Date": 694252800 }], columns, { mode: "lenient" })
    if (result._tag !== "Decoded") throw new Error("decode failed")
    expect(result.passedThrough).toBe(1)
    expect(result.value[0]).toBe(renamed)
    expect(result.value[1]).toEqual({ "Order Date": { start: 694252800, form: "epoch" } })
    expect(result.firstIssue?.message).toBe(
      `row 0 has the key "Date", which no column has, and lacks the columns "Order Date", "Order Id", "Shipped": ${fullRowRule}`
    )
  })

  it("full-rows-under-columns-that-share-a-name-are-a-typed-error-or-counted-in-lenient-mode", () => {
    // A FULL row holds one value per name: under two "Created" columns (a DATE and an INT64) the INT64's value
    // would be decoded as a date, or the date's cells taken for the other column's.
    const shared = [
      { name: "Created", type: "DATE" },
      { name: "Region", type: "VARCHAR" },
      { name: "Created", type: "INT64" }
    ]
    const row = { Created: 694252800, Region: "West" }
    const result = decodeFullRows([row], shared, { rowOffset: 7 })
    expect(result).toBeInstanceOf(DateCellError)
    expect(result).toMatchObject({ reason: "WrongShape", row: 7 })
    expect((result as DateCellError).message).toBe(
      'row 7 is a FULL row, but more than one column is named "Created": a FULL row holds one value per name, so the cells of all but one of those columns are lost; COMPACT rows (decodeCompactRows) keep each column'
    )
    const lenient = decodeFullRows([row, { Region: "East" }], shared, { mode: "lenient" })
    if (lenient._tag !== "Decoded") throw new Error("decode failed")
    expect(lenient.passedThrough).toBe(2)
    expect(lenient.value[0]).toBe(row)
    expect(lenient.firstIssue?.row).toBe(0)
    // No row, nothing lost; COMPACT rows under the same columns decode.
    expect(decodeFullRows([], shared)).toEqual({ _tag: "Decoded", value: [], passedThrough: 0 })
    expect(decodeCompactRows([[694252800, "West", 5]], shared)).toMatchObject({ _tag: "Decoded" })
  })

  it("full-rows-of-every-key-list-are-checked-whatever-lists-came-before", () => {
    // Every subset of the columns in two key orders, then each with a key no column has, in several passes: the
    // key lists remembered from earlier rows must never let a row with a stranger key through.
    const names = columns.map((c) => c.name)
    const subsets: Array<Array<string>> = []
    for (let mask = 0; mask < 1 << names.length; mask++) {
      const subset = names.filter((_, i) => (mask >> i) & 1)
      subsets.push(subset, [...subset].reverse())
    }
    const rowOf = (keys: ReadonlyArray<string>): Record<string, unknown> =>
      Object.fromEntries(keys.map((key) => [key, key === "Region" ? "West" : 694252800]))
    const rows: Array<Record<string, unknown>> = []
    for (let pass = 0; pass < 3; pass++) for (const subset of subsets) rows.push(rowOf(subset))
    const result = decodeFullRows(rows, columns)
    if (result._tag !== "Decoded") throw new Error("decode failed")
    expect(result.value.map((row) => Object.keys(row))).toEqual(rows.map((row) => Object.keys(row)))
    for (const subset of subsets) {
      for (const stranger of [
        [...subset, "Ship Date"],
        ["Ship Date", ...subset],
        [...subset.slice(1), "order date"]
      ]) {
        if (stranger.every((key) => names.includes(key))) continue
        const failed = decodeFullRows([...rows, rowOf(stranger)], columns)
        expect(failed).toMatchObject({ _tag: "DateCellError", reason: "WrongShape", row: rows.length })
      }
    }
  })
})

describe("decoder arguments TypeScript refuses", () => {
  // Plain JavaScript gets no type errors: each of these decoded nothing without a word (epoch dates passed through
  // as numbers under a column of unknown type, an option ignored, an empty or made-up result) and now throws.
  const rows = [[694252800, "West"]]
  const columns: ReadonlyArray<Column> = [
    { name: "Order Date", type: "DATE" },
    { name: "Region", type: "VARCHAR" }
  ]
  const refused = (call: () => unknown, message: string) => expect(call).toThrow(new TypeError(message))

  it("columns-given-as-the-responses-column-names-are-refused", () => {
    refused(
      () => decodeCompactRows(rows, ["Order Date", "Region"] as unknown as ReadonlyArray<Column>),
      "decodeCompactRows: columns[0] is the name \"Order Date\", not a column: pass { name, type } objects, one per column in the response's order (a ThoughtSpot data response has only the names; the types are in metadata/search's column details)"
    )
    refused(
      () => decodeFullRows([{ Region: "West" }], [{ name: "Region" }] as unknown as ReadonlyArray<Column>),
      'decodeFullRows: columns[0].type must be the column\'s ThoughtSpot data type (a string such as "DATE"), not undefined'
    )
    refused(
      () => decodeCompactRows(rows, [null] as unknown as ReadonlyArray<Column>),
      "decodeCompactRows: columns[0] must be a column { name, type }, not null"
    )
  })

  it("a-known-type-in-another-case-is-refused-any-other-type-is-still-taken", () => {
    refused(
      () => decodeCompactRows(rows, [{ name: "Order Date", type: "date" }, columns[1]!]),
      'decodeCompactRows: columns[0].type is "date", which is no type: the type is spelt DATE (a type the decoders do not know decodes only {"v":…} cells, so its epoch dates would pass through as numbers)'
    )
    refused(
      () => decodeColumn([694252800], "Date_Time"),
      'decodeColumn: type is "Date_Time", which is no type: the type is spelt DATE_TIME (a type the decoders do not know decodes only {"v":…} cells, so its epoch dates would pass through as numbers)'
    )
    // A type of its own is a column of unknown type, as documented: only {"v":…} cells are decoded.
    const unknown = decodeColumn([694252800, { v: { s: 694252800 } }], "GEO_POINT")
    expect(unknown).toMatchObject({ value: [694252800, { start: 694252800, form: "calendar" }] })
  })

  it("rows-and-cells-that-are-no-array-are-refused", () => {
    const response = { column_names: ["Order Date", "Region"], data_rows: rows }
    refused(
      () => decodeCompactRows(response as unknown as ReadonlyArray<ReadonlyArray<unknown>>, columns),
      `decodeCompactRows: rows must be an array of rows, not ${JSON.stringify(response)}`
    )
    refused(
      () => decodeFullRows(undefined as unknown as ReadonlyArray<Record<string, unknown>>, columns),
      "decodeFullRows: rows must be an array of rows, not undefined"
    )
    refused(
      () => decodeColumn(694252800 as unknown as ReadonlyArray<unknown>, "DATE"),
      "decodeColumn: cells must be an array of one column's cells, not 694252800"
    )
  })

  it("a-misspelt-or-wrong-option-is-refused-instead-of-ignored", () => {
    const bad = rows.concat([["soon", "East"]])
    refused(
      () => decodeCompactRows(bad, columns, { rowoffset: 100 } as never),
      'decodeCompactRows: options has the key "rowoffset", which is no option: the option is spelt rowOffset'
    )
    refused(
      () => decodeCompactRows(bad, columns, { row_offset: 100 } as never),
      'decodeCompactRows: options has the key "row_offset", which is no option: the option is spelt rowOffset'
    )
    refused(
      () => decodeFullRows([], columns, { mode: "Lenient" } as never),
      'decodeFullRows: options.mode must be "strict" or "lenient", not "Lenient"'
    )
    refused(
      () => decodeColumn([], "DATE", { rowOffset: "100" } as never),
      'decodeColumn: options.rowOffset must be a whole number (the index of the first row, e.g. a page\'s offset), not "100"'
    )
    refused(
      () => decodeColumn([], "DATE", { Column: "d" } as never),
      'decodeColumn: options has the key "Column", which is no option: the option is spelt column'
    )
    // What TypeScript accepts still decodes.
    expect(decodeCompactRows(bad, columns, { rowOffset: 100 })).toMatchObject({ reason: "WrongType", row: 101 })
    expect(decodeColumn([], "DATE", { mode: "lenient", rowOffset: -5, column: "d" })).toMatchObject({ value: [] })
  })
})
