/**
 * The transcoder against the ordinary path it shortcuts: on generated `data_rows` texts (every cell form, odd
 * spellings, awkward strings, dates of every type, unknown columns, both formats and every writer option) it
 * must either write exactly the bytes of parse → render → format, or name the very cell that path refuses
 * (row, column, reason), or decline. It must decline malformed text and rows of another width, and nothing else.
 */
import { describe, expect, it } from "@effect/vitest"
import { parseJsonExact } from "@spotpipe/core"
import { resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import fc from "fast-check"
import { isRenderFailure, makeRowRenderer, type RenderFailure } from "../src/formats/RowRenderer.ts"
import { makeRowsTranscoder } from "../src/formats/RowsTranscoder.ts"
import { makeRowFormat } from "../src/formats/TextFormats.ts"
import { planColumns } from "../src/plan/ColumnPlanner.ts"
import { snakeColumns } from "../src/plan/Names.ts"

const zone = (name: string): TimeZone => {
  const z = resolveTimeZone(name)
  if (z instanceof Error) throw z
  return z
}

/** A column type, or `null` (metadata did not know the column). */
const columnType = fc.constantFrom(
  "VARCHAR",
  "CHAR",
  "INT64",
  "INT32",
  "DOUBLE",
  "FLOAT",
  "BOOL",
  "DATE",
  "DATE_TIME",
  "TIMESTAMP",
  "TIME",
  null
)

// String values that drive the writers' decisions, mixed with arbitrary Unicode (lone surrogates included).
const awkward = fc.constantFrom(
  '"',
  ",",
  "\r",
  "\n",
  " ",
  "=",
  "+",
  "-",
  "@",
  "\t",
  "'",
  "\\",
  "/",
  "\ufeff",
  "\u2028",
  "\u2029",
  "—",
  "\uffef"
)
const stringValue = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.string({
      unit: fc.oneof(
        awkward,
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 2 }),
        fc.string({ unit: "binary" })
      )
    })
  },
  // Exactly a null string of the scenarios below, PostgreSQL's end-of-data marker, empty.
  fc.constantFrom("\\N", "NULL", "-", " x", "é", "\\.", "")
)
/** JSON spellings of a string: canonical, or with some characters as `\u` escapes or `\/`. */
const stringToken = fc.tuple(stringValue, fc.integer({ min: 0, max: 3 })).map(([value, style]) => {
  const canonical = JSON.stringify(value)
  if (style === 0 || value.length === 0) return canonical
  if (style === 1) return canonical.replaceAll("/", "\\/")
  const code = value.charCodeAt(0)
  return `"\\u${code
    .toString(16)
    .padStart(4, style === 2 ? "0" : "0")
    .toUpperCase()}${JSON.stringify(value.slice(1)).slice(1)}`
})
const numberToken = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.constantFrom("-0", "0", "1.50", "1e3", "1E+2", "2.5e-3", "0.0000001", "0.000001", "123456789012345678.5"),
  fc.constantFrom("3393.88", "0.1", "-418.57", "100.0", "1234567890.12345", "12345678901234.56", "9007199254740993"),
  fc.constantFrom("1e400", "-1e400"),
  // Integers in other spellings, numbers a double cannot hold, and the edges of INT64 and INT32.
  fc.constantFrom(
    "9007199254740993.0",
    "9007199254740993e0",
    "9.007199254740993e15",
    "90071992547409930E-1",
    "-9007199254740993.000",
    "1e-400",
    "-1e-400",
    "0e-400",
    "0.0",
    "-0.0",
    "2.0",
    "1.5",
    "0.1e1",
    "1.0000000000000001",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "9.223372036854775807e18",
    "1e19",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "21474836470e-1",
    "1e2147483648"
  )
)
const epochToken = fc.oneof(
  fc.integer({ min: -2_000_000_000, max: 4_000_000_000 }).map(String),
  // 2021-07-07's midnights in Los Angeles, UTC and Kolkata: DATE cells are midnights of the zone (others refused).
  fc.constantFrom("null", "1625641200", "1625616000", "1625596200", "64240", "-1", "99999999999999999999", "1.5")
)
const calendarToken = fc
  .tuple(fc.integer({ min: 0, max: 2_000_000_000 }), fc.option(fc.integer({ min: 0, max: 100_000_000 })))
  .map(([s, span]) => (span === null ? `{"v":{"s":${s}}}` : `{"v":{"s":${s},"e":${s + span}}}`))
const nestedToken = fc.oneof(
  calendarToken,
  fc.constantFrom(
    '{"a":[1,"x"]}',
    "[]",
    "[1,[2,{}]]",
    '{"v":1}',
    '{"k":"1e400"}',
    '{"n":1e400}',
    '{ "a" : [ 1.50 , -0, 1e3, 9007199254740993.0, 12345678901234567890 ] , "b" : { } }',
    '{"s":"\\u00e9\\/ \\"q\\",x","t":[true,false,null]}',
    '{"lone":"\\ud800"}',
    '{"v":{"s":1e3}}',
    '{"v":{"s":1600000000,"e":"x"}}'
  )
)
const literalToken = fc.constantFrom("null", "true", "false")

const cellFor = (type: string | null): fc.Arbitrary<string> => {
  switch (type) {
    case "DATE":
    case "DATE_TIME":
    case "TIMESTAMP":
    case "TIME":
      return fc.oneof({ weight: 4, arbitrary: epochToken }, calendarToken, literalToken)
    case "VARCHAR":
    case "CHAR":
      return fc.oneof({ weight: 4, arbitrary: stringToken }, literalToken, nestedToken)
    case "INT64":
    case "INT32":
      return fc.oneof({ weight: 4, arbitrary: numberToken }, literalToken, stringToken, nestedToken)
    default:
      return fc.oneof(stringToken, numberToken, literalToken, nestedToken)
  }
}
const space = fc.constantFrom("", "", "", " ", "\n", "\t ", "\r\n")

const scenario = fc.array(columnType, { minLength: 1, maxLength: 6 }).chain((types) =>
  fc.record({
    types: fc.constant(types),
    rows: fc.array(fc.tuple(...types.map(cellFor)), { maxLength: 12 }),
    gaps: fc.array(space, { minLength: 4, maxLength: 4 }),
    format: fc.constantFrom("csv" as const, "ndjson" as const),
    newline: fc.constantFrom("\r\n" as const, "\n" as const),
    escapeFormulae: fc.boolean(),
    periodEnd: fc.boolean(),
    // Repeated column names (and one that a numbered name would take): output names are made distinct.
    repeatNames: fc.boolean(),
    // CSV `--null-string` (empty: the default) and `--column-names`.
    nullString: fc.constantFrom("", "", "\\N", "NULL", "-", " x", "é"),
    columnNames: fc.constantFrom("original" as const, "snake" as const),
    offset: fc.constantFrom("utc" as const, "zone" as const),
    zone: fc.constantFrom("America/Los_Angeles", "Asia/Kolkata", "UTC")
  })
)

type Generated = typeof scenario extends fc.Arbitrary<infer S> ? S : never
type Scenario = Omit<Generated, "repeatNames" | "nullString" | "columnNames"> & {
  readonly repeatNames?: boolean
  readonly nullString?: string
  readonly columnNames?: "original" | "snake"
}

const textOf = ({ rows, gaps }: Scenario): string => {
  const [a, b, c, d] = gaps as [string, string, string, string]
  return `${a}[${b}${rows.map((row) => `[${row.join(`${c},${d}`)}]`).join(`,${b}`)}${c}]`
}

const setup = (s: Scenario) => {
  const names = s.types.map((_, i) => (s.repeatNames === true ? ["c", "c", "c (2)"][i % 3]! : `c${i}`))
  const plans = planColumns(names, s.types, {
    timeZone: zone(s.zone),
    offset: s.offset
  })
  const renderer = makeRowRenderer(plans, s.periodEnd, s.columnNames === "snake" ? snakeColumns : undefined)
  const columns = renderer.columns.map((column) => column.name)
  const options = { columns, newline: s.newline, escapeFormulae: s.escapeFormulae, nullString: s.nullString ?? "" }
  const transcoder = makeRowsTranscoder({
    format: s.format,
    ...options,
    sources: renderer.sources,
    formatters: renderer.formatters,
    plainText: renderer.plainText,
    width: names.length
  })
  /** The transcoder's result with its chunks joined (and handed back, as the export does once written). */
  const transcode = (bytes: Uint8Array, start: number) => {
    const result = transcoder.transcode(bytes, start)
    if (result === undefined) return undefined
    const joined = Buffer.concat(result.chunks)
    transcoder.recycle(result.chunks)
    return { ...result, bytes: joined }
  }
  /**
   * The ordinary path: exact parse (numbers as sent), width check, render, format; the failure it reports for a
   * cell that cannot be written exactly; `undefined` where it refuses the page as malformed.
   */
  const ordinary = (text: string): Buffer | RenderFailure | undefined => {
    let rows: unknown
    try {
      rows = parseJsonExact(text, { exactNumbers: true })
    } catch {
      return undefined
    }
    if (!Array.isArray(rows)) return undefined
    if (rows.some((row) => !Array.isArray(row) || row.length !== names.length)) return undefined
    const rendered = renderer.render(rows, 0)
    if (isRenderFailure(rendered)) return rendered
    return Buffer.from(makeRowFormat(s.format, options).page(rendered), "utf8")
  }
  return { transcode, ordinary }
}

const bytesOf = (text: string) => Buffer.from(text, "utf8")

/** The transcoder's answer and the ordinary path's agree: the same bytes, or the same refused cell. */
const expectSame = (
  result: { readonly bytes: Buffer; readonly failure?: RenderFailure } | undefined,
  expected: Buffer | RenderFailure | undefined
) => {
  expect(result).toBeDefined()
  expect(expected).toBeDefined()
  if (result!.failure !== undefined || !Buffer.isBuffer(expected)) {
    const failure = (f: RenderFailure | undefined) => f && { row: f.row, column: f.column, message: f.error.message }
    expect(failure(result!.failure)).toEqual(failure(expected as RenderFailure))
    expect(result!.bytes.length).toBe(0)
  } else expect(result!.bytes.toString("utf8")).toBe(expected.toString("utf8"))
}

describe("rows transcoder", () => {
  it("writes-the-null-string-for-null-cells-and-quotes-a-string-equal-to-it", () => {
    // A passed-through VARCHAR, a formatted DATE (null through its byte writer), an INT64 (formatted) column.
    const s: Scenario = {
      types: ["VARCHAR", "DATE", "INT64"],
      rows: [
        ["null", "null", "null"],
        ['"\\\\N"', "1625641200", "7"],
        ['""', "null", "null"]
      ],
      gaps: ["", "", "", ""],
      format: "csv",
      newline: "\n",
      escapeFormulae: false,
      periodEnd: false,
      offset: "utc",
      zone: "America/Los_Angeles", // 1625641200 is 2021-07-07's midnight there
      nullString: "\\N"
    }
    const { transcode, ordinary } = setup(s)
    const body = bytesOf(`{"data_rows":${textOf(s)}}`)
    const result = transcode(body, body.indexOf("["))
    const expected = '\\N,\\N,\\N\n"\\N",2021-07-07,7\n"",\\N,\\N\n'
    expect(result?.bytes.toString("utf8")).toBe(expected)
    expect(ordinary(textOf(s))?.toString()).toBe(expected)
  })

  it("quotes-a-cell-that-is-copys-end-of-data-marker-and-an-empty-string-when-there-is-a-null-string", () => {
    // One column, so each cell is a line of its own: `\.` would end a PostgreSQL COPY, a blank line is skipped.
    for (const token of ['"\\\\."', '"\\u005c."', '"\\u005C\\u002e"']) {
      const s: Scenario = {
        types: ["VARCHAR"],
        rows: [[token], ['""'], ["null"]],
        gaps: ["", "", "", ""],
        format: "csv",
        newline: "\n",
        escapeFormulae: false,
        periodEnd: false,
        offset: "utc",
        zone: "UTC",
        nullString: "\\N"
      }
      const { transcode, ordinary } = setup(s)
      const body = bytesOf(`{"data_rows":${textOf(s)}}`)
      const expected = '"\\."\n""\n\\N\n'
      expect(transcode(body, body.indexOf("["))?.bytes.toString("utf8")).toBe(expected)
      expect(ordinary(textOf(s))?.toString()).toBe(expected)
    }
  })

  it("writes-exactly-the-ordinary-paths-bytes-or-declines", () =>
    fc.assert(
      fc.property(scenario, (s) => {
        const text = textOf(s)
        const { transcode, ordinary } = setup(s)
        const body = bytesOf(`{"data_rows":${text}}`)
        const result = transcode(body, body.indexOf("["))
        const expected = ordinary(text)
        if (result === undefined) return
        expect(result.rowCount).toBe(s.rows.length)
        expect(result.end).toBe(body.length - 1)
        expectSame(result, expected)
      }),
      { numRuns: 2500 }
    ))

  it("declines-only-pages-the-ordinary-path-refuses", () =>
    fc.assert(
      fc.property(scenario, (s) => {
        // A cell that cannot be written is named, not declined: only malformed text goes back to the client.
        const text = textOf(s)
        const { transcode, ordinary } = setup(s)
        const body = bytesOf(text)
        const expected = ordinary(text)
        const result = transcode(body, body.indexOf("["))
        if (expected === undefined) expect(result).toBeUndefined()
        else expect(result).toBeDefined()
      }),
      { numRuns: 800 }
    ))

  it("declines-text-cut-short-or-corrupted", () =>
    fc.assert(
      fc.property(scenario, fc.nat(), fc.nat(), (s, cut, flip) => {
        const text = textOf(s)
        const { transcode } = setup(s)
        const body = bytesOf(text)
        const start = body.indexOf("[")
        // Any strict prefix that ends before the closing bracket is not a complete array.
        const prefix = body.subarray(0, start + 1 + (cut % Math.max(1, body.length - start - 1)))
        if (prefix.length < body.length) expect(transcode(prefix, start)).toBeUndefined()
        // One byte replaced: accepted only if the text is still valid JSON (then it is just another page).
        const corrupted = Buffer.from(body)
        const at = start + (flip % Math.max(1, body.length - start))
        corrupted[at] = 0x22 // a stray quote
        const result = transcode(corrupted, start)
        if (result !== undefined) {
          expect(() => JSON.parse(corrupted.subarray(start, result.end).toString("utf8"))).not.toThrow()
        }
      }),
      { numRuns: 800 }
    ))

  it("declines-rows-of-another-width", () => {
    const s: Scenario = {
      types: ["VARCHAR", "INT64"],
      rows: [],
      gaps: ["", "", "", ""],
      format: "csv",
      newline: "\n",
      escapeFormulae: false,
      periodEnd: false,
      offset: "utc",
      zone: "UTC"
    }
    const { transcode } = setup(s)
    for (const text of ['[["a",1],["b"]]', '[["a",1,2]]', '[["a",1],[]]', '[["a",1],"x"]', '[["a",1],]', '[["a" 1]]']) {
      expect(transcode(bytesOf(text), 0)).toBeUndefined()
    }
    expect(transcode(bytesOf('[["a",1],["b",2]]'), 0)?.rowCount).toBe(2)
  })

  it("declines-every-prefix-of-a-page-of-short-cells-without-throwing", () => {
    // Short cells are copied four bytes at a time, reading past their end: a page cut right after a row must
    // still decline cleanly, never read outside the input.
    const text = '[["a",1,true,"b\\"c"],[" ",-2,false,"x"],["",0,null,"\\n"]]'
    for (const format of ["csv", "ndjson"] as const) {
      const { transcode, ordinary } = setup({
        types: ["VARCHAR", "INT64", "BOOL", "VARCHAR"],
        rows: [],
        gaps: ["", "", "", ""],
        format,
        newline: "\n",
        escapeFormulae: false,
        periodEnd: false,
        offset: "utc",
        zone: "UTC"
      })
      const body = bytesOf(text)
      for (let cut = 1; cut < body.length; cut++) expect(transcode(body.subarray(0, cut), 0)).toBeUndefined()
      expect(transcode(body, 0)?.bytes.equals(ordinary(text) as Buffer)).toBe(true)
    }
  })

  it("writes-plain-text-date-columns-through-their-byte-writer", () => {
    // The formatter's byte writer is used for epoch cells and nulls; anything it cannot write (here a Custom
    // Calendar cell, and a cell it calls invalid) goes to the formatter, whose error names the cell.
    const calls: Array<unknown> = []
    const format = Object.assign((cell: unknown) => (cell === 7 ? new Error("bad") : cell === null ? null : "F"), {
      writeBytes: (cell: unknown, out: Uint8Array, at: number) => {
        calls.push(cell)
        if (cell === null) return -1
        if (cell === 7) return -2
        out[at] = 87 // W
        return at + 1
      }
    })
    for (const format_ of ["csv", "ndjson"] as const) {
      calls.length = 0
      const transcoder = makeRowsTranscoder({
        format: format_,
        columns: ["d"],
        sources: [0],
        formatters: [format],
        plainText: [true],
        width: 1,
        newline: "\n",
        escapeFormulae: false
      })
      const result = transcoder.transcode(bytesOf('[[1],[null],[{"v":{"s":1}}]]'), 0)
      const text = Buffer.concat(result?.chunks ?? []).toString("utf8")
      expect(text).toBe(format_ === "csv" ? "W\n\nF\n" : '{"d":"W"}\n{"d":null}\n{"d":"F"}\n')
      expect(calls).toEqual([1, null])
      // The formatter's refusal names the cell (as the ordinary path does); the page is not written.
      const refused = transcoder.transcode(bytesOf("[[1],[7]]"), 0)
      expect(refused?.failure).toMatchObject({ row: 1, column: "d", error: new Error("bad") })
      expect(refused?.chunks).toEqual([])
    }
  })

  it("pages-larger-than-a-chunk-and-rows-of-many-cells-come-out-whole", { timeout: 30_000 }, () => {
    // Chunks are 1 MiB: 6 000 rows of 60 cells cross many chunk boundaries, mid-row and mid-cell, and a row of
    // nulls writes only separators (which must never run past a chunk's end).
    const types = Array.from({ length: 60 }, (_, i) => (["VARCHAR", "INT64", "DATE", null] as const)[i % 4]!)
    const s: Scenario = {
      types,
      rows: [],
      gaps: ["", "", "", ""],
      format: "csv",
      newline: "\n",
      escapeFormulae: false,
      periodEnd: true,
      offset: "zone",
      zone: "Asia/Kolkata"
    }
    const cell = (r: number, c: number): string =>
      r % 7 === 0
        ? "null"
        : c % 4 === 0
          ? JSON.stringify(`name ${r}, "${c}" ü`)
          : c % 4 === 3
            ? '{"v":{"s":1600000000}}'
            : c % 4 === 2
              ? String(1_599_935_400 + r * 86_400) // a DATE: a midnight in Kolkata (2020-09-13 on)
              : String(1_600_000_000 + r * 97 + c)
    const text = `[${Array.from({ length: 6_000 }, (_, r) => `[${types.map((_, c) => cell(r, c)).join(",")}]`).join(",")}]`
    for (const format of ["csv", "ndjson"] as const) {
      const { transcode, ordinary } = setup({ ...s, format })
      for (let round = 0; round < 2; round++) {
        const result = transcode(bytesOf(text), 0)
        expect(result?.chunks.length).toBeGreaterThan(2)
        expect(result?.bytes.equals(ordinary(text) as Buffer)).toBe(true)
      }
    }
  })

  it("writes-an-ordinary-orders-page-without-declining", () => {
    const s: Scenario = {
      types: ["INT64", "VARCHAR", "DOUBLE", "BOOL", "DATE", "DATE_TIME", "TIME"],
      rows: [],
      gaps: ["", "", "", ""],
      format: "csv",
      newline: "\r\n",
      escapeFormulae: false,
      periodEnd: false,
      offset: "utc",
      zone: "America/Los_Angeles"
    }
    const text =
      '[[9007199258440000,"Nguyễn Back\\\\Slash",3393.88,true,1625641200,1625975907,64240],' +
      '[-5,"李 \\"Kim\\", Jr.",418.57,false,null,null,null],[12,"Gloves 🧤\\nline",22.36,null,1605254400,1605634866,69459]]'
    const { transcode, ordinary } = setup(s)
    const result = transcode(bytesOf(text), 0)
    expect(result).toBeDefined()
    expect(Buffer.from(result!.bytes).toString("utf8")).toBe(ordinary(text)!.toString("utf8"))
    expect(Buffer.from(result!.bytes).toString("utf8")).toBe(
      "9007199258440000,Nguyễn Back\\Slash,3393.88,true,2021-07-07,2021-07-11T03:58:27Z,09:50:40\r\n" +
        '-5,"李 ""Kim"", Jr.",418.57,false,,,\r\n' +
        '12,"Gloves 🧤\nline",22.36,,2020-11-13,2020-11-17T17:41:06Z,11:17:39\r\n'
    )
  })
})

describe("cells written exactly or refused, on both paths", () => {
  const scenarioOf = (types: ReadonlyArray<string | null>, format: "csv" | "ndjson"): Scenario => ({
    types: [...types] as Scenario["types"],
    rows: [],
    gaps: ["", "", "", ""],
    format,
    newline: "\n",
    escapeFormulae: false,
    periodEnd: false,
    offset: "utc",
    zone: "UTC"
  })
  /** Both paths on `text`: the bytes they agree on, or the failure they agree on. */
  const both = (types: ReadonlyArray<string | null>, format: "csv" | "ndjson", text: string) => {
    const { transcode, ordinary } = setup(scenarioOf(types, format))
    const result = transcode(bytesOf(text), 0)
    const expected = ordinary(text)
    expectSame(result, expected)
    return result!.failure === undefined
      ? { text: result!.bytes.toString("utf8") }
      : { row: result!.failure.row, column: result!.failure.column, message: result!.failure.error.message }
  }

  it("integer-spellings-in-int64-columns-are-written-as-their-exact-digits", () => {
    const spellings = [
      "9007199254740993",
      "9007199254740993.0",
      "9007199254740993e0",
      "9.007199254740993e15",
      "90071992547409930E-1",
      "9007199254740993000e-3"
    ]
    const text = `[${spellings.map((n) => `[${n},-${n}]`).join(",")},[2.0,-0.0],[9223372036854775807,-9223372036854775808],[9.223372036854775807e18,0e-400]]`
    const expected = [
      ...spellings.map(() => "9007199254740993,-9007199254740993"),
      "2,0",
      "9223372036854775807,-9223372036854775808",
      "9223372036854775807,0"
    ]
    expect(both(["INT64", "INT64"], "csv", text)).toEqual({ text: expected.map((line) => `${line}\n`).join("") })
    expect(both(["INT64", "INT64"], "ndjson", text)).toEqual({
      text: expected.map((line) => `{"c0":${line.replace(",", ',"c1":')}}\n`).join("")
    })
  })

  it("non-integers-and-out-of-range-numbers-in-integer-columns-fail-naming-row-and-column", () => {
    const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
      ["INT64", "1.5", /^1\.5 is not an integer, but the column is INT64/],
      ["INT64", "1e-400", /^1e-400 is not an integer/],
      ["INT64", "1.0000000000000001", /is not an integer/],
      ["INT64", "9223372036854775808", /outside the INT64 range \(-9223372036854775808 to 9223372036854775807\)/],
      ["INT64", "-9.223372036854775809e18", /outside the INT64 range/],
      ["INT64", "1e400", /outside the INT64 range/],
      ["INT32", "2147483648", /outside the INT32 range \(-2147483648 to 2147483647\)/],
      ["INT32", "2.147483648e9", /outside the INT32 range/]
    ]
    for (const [type, number, message] of cases) {
      for (const format of ["csv", "ndjson"] as const) {
        const failure = both(["VARCHAR", type], format, `[["a",1],["b",2],["c",${number}],["d",3]]`)
        expect(failure).toMatchObject({ row: 2, column: "c1" })
        expect((failure as { message: string }).message).toMatch(message)
      }
    }
  })

  it("doubles-that-would-underflow-or-overflow-fail-other-numbers-are-written-as-before", () => {
    for (const type of ["DOUBLE", "FLOAT", null]) {
      expect(both([type], "csv", "[[1.50],[1e3],[0e-400],[12345678901234567890],[2.5e-3]]")).toEqual({
        text: "1.5\n1000\n0\n12345678901234567890\n0.0025\n"
      })
      expect(both([type], "csv", "[[1],[1e-400]]")).toMatchObject({
        row: 1,
        column: "c0",
        message: expect.stringMatching(/^1e-400 is too small for a double \(it would become 0\)/)
      })
      expect(both([type], "ndjson", "[[-1e400]]")).toMatchObject({
        row: 0,
        message: expect.stringMatching(/^-1e400 is too large for a double \(it would become Infinity\)/)
      })
    }
  })

  it("a-negative-zero-is--0-outside-integer-columns-and-0-in-them", () => {
    // `String(-0)` and `JSON.stringify(-0)` give "0": a double's sign was lost in CSV and NDJSON.
    const text = "[[-0,-0],[-0.0,-0.0],[-0e3,-0E-2],[-0.000,0],[0,0.0]]"
    for (const type of ["DOUBLE", "FLOAT", null]) {
      for (const integer of ["INT64", "INT32"]) {
        expect(both([type, integer], "csv", text)).toEqual({ text: "-0,0\n-0,0\n-0,0\n-0,0\n0,0\n" })
        const ndjson = both([type, integer], "ndjson", text)
        expect(ndjson).toEqual({ text: `${'{"c0":-0,"c1":0}\n'.repeat(4)}{"c0":0,"c1":0}\n` })
        expect(Object.is(JSON.parse((ndjson as { text: string }).text.split("\n")[0]!).c0, -0)).toBe(true)
      }
    }
  })

  it("objects-and-arrays-in-non-date-columns-are-written-as-their-json-text", () => {
    const text =
      '[[{ "a" : [ 1.50 , 12345678901234567890, "x\\/y" , -0 ] , "b" : { } }],[[1,"x","y"]],[{"v":{"s":1625641200}}],[{"k":"\\u00e9\\""}]]'
    const json = [
      '{"a":[1.50,12345678901234567890,"x/y",-0],"b":{}}',
      '[1,"x","y"]',
      '{"v":{"s":1625641200}}',
      '{"k":"é\\""}'
    ]
    for (const type of ["VARCHAR", "CHAR", "INT64", "DOUBLE", "BOOL"]) {
      expect(both([type], "csv", text)).toEqual({
        text: json.map((t) => `"${t.replaceAll('"', '""')}"\n`).join("")
      })
      expect(both([type], "ndjson", text)).toEqual({
        text: json.map((t) => `{"c0":${JSON.stringify(t)}}\n`).join("")
      })
    }
  })

  it("calendar-cells-stay-dates-in-date-columns-and-columns-of-unknown-type", () => {
    const text = '[[{"v":{"s":1625641200}}]]'
    expect(both(["DATE_TIME"], "csv", text)).toEqual({ text: "2021-07-07T07:00:00Z\n" })
    expect(both(["DATE"], "csv", '[[{"v":{"s":1625616000}}]]')).toEqual({ text: "2021-07-07\n" })
    // A DATE that is no midnight in the zone (here Los Angeles' midnight, read in UTC) is refused on both paths.
    for (const format of ["csv", "ndjson"] as const) {
      for (const cell of ["1625641200", '{"v":{"s":1625641200}}']) {
        expect(both(["DATE"], format, `[[${cell}]]`)).toEqual({
          row: 0,
          column: "c0",
          message: expect.stringMatching(/^cell .* is 07:00:00 on 2021-07-07 in UTC, not a midnight: /)
        })
      }
    }
    expect(both([null], "ndjson", text)).toEqual({ text: '{"c0":"2021-07-07T07:00:00Z"}\n' })
    expect(both([null], "csv", '[[{"k":[1e3]}]]')).toEqual({ text: '"{""k"":[1e3]}"\n' })
  })

  it("a-period-end-that-is-no-midnight-fails-its-end-column-on-both-paths", () => {
    // A day of Los Angeles whose end is UTC's midnight: the start writes, the --period-end column is refused.
    for (const format of ["csv", "ndjson"] as const) {
      const { transcode, ordinary } = setup({
        ...scenarioOf(["DATE"], format),
        zone: "America/Los_Angeles",
        periodEnd: true
      })
      const good = '[[{"v":{"s":1625641200,"e":1625727600}}]]'
      expectSame(transcode(bytesOf(good), 0), ordinary(good))
      expect(transcode(bytesOf(good), 0)?.bytes.toString("utf8")).toBe(
        format === "csv" ? "2021-07-07,2021-07-08\n" : '{"c0":"2021-07-07","c0 (end)":"2021-07-08"}\n'
      )
      const bad = '[[{"v":{"s":1625641200,"e":1625702400}}]]'
      const result = transcode(bytesOf(bad), 0)
      expectSame(result, ordinary(bad))
      expect(result?.failure).toMatchObject({ row: 0, column: "c0 (end)" })
      expect(result?.failure?.error.message).toMatch(
        /has a period end v\.e that is 17:00:00 on 2021-07-07 in America\/Los_Angeles, not a midnight: .*it is midnight in UTC \(2021-07-08\)/
      )
    }
  })

  it("unpaired-surrogate-escapes-fail-in-both-formats", () => {
    for (const format of ["csv", "ndjson"] as const) {
      for (const type of ["VARCHAR", null]) {
        const failure = both([type, type], format, '[["a","b"],["ok","x\\ud800y"]]')
        expect(failure).toEqual({
          row: 1,
          column: "c1",
          message: expect.stringMatching(/^the text holds an unpaired surrogate \(\\uD800\), which UTF-8 cannot encode/)
        })
      }
      // A pair written as two escapes is one character.
      expect(both(["VARCHAR"], format, '[["\\ud83e\\uddf4"]]')).toEqual({
        text: format === "csv" ? "🧴\n" : '{"c0":"🧴"}\n'
      })
    }
  })

  it("text-that-is-not-utf-8-fails-naming-its-row-and-column", () => {
    // Only the bytes show it (a decoded text has replacement characters), so this is the transcoder alone.
    for (const format of ["csv", "ndjson"] as const) {
      const { transcode } = setup(scenarioOf(["INT64", "VARCHAR"], format))
      const body = Buffer.concat([bytesOf('[[1,"ok"],[2,"caf'), Buffer.of(0xc3, 0x28), bytesOf('"],[3,"x"]]')])
      const result = transcode(body, 0)
      expect(result?.rowCount).toBe(3)
      expect(result?.bytes.length).toBe(0)
      expect(result?.failure).toMatchObject({ row: 1, column: "c1" })
      expect(result?.failure?.error.message).toMatch(/^the text is not valid UTF-8 \(bytes C3 28 22 5D…\)/)
      // A lone surrogate encoded in UTF-8 bytes (CESU) is not UTF-8 either.
      const cesu = Buffer.concat([bytesOf('[[1,"'), Buffer.of(0xed, 0xa0, 0x80), bytesOf('"]]')])
      expect(transcode(cesu, 0)?.failure).toMatchObject({ row: 0, column: "c1" })
    }
  })

  it("a-refused-cell-still-declines-malformed-text-after-it", () => {
    const { transcode } = setup(scenarioOf(["INT64", null], "csv"))
    expect(transcode(bytesOf('[[1.5,1],[2,{"a":1,}]]'), 0)).toBeUndefined()
    expect(transcode(bytesOf('[[1.5,1],[2,"\\x"]]'), 0)).toBeUndefined()
    expect(transcode(bytesOf('[[1.5,1],[2,{"a":1}]]'), 0)?.failure).toMatchObject({ row: 0, column: "c0" })
  })
})
