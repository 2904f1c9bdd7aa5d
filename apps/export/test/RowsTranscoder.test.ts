/**
 * The transcoder against the ordinary path it shortcuts: on generated `data_rows` texts (every cell form, odd
 * spellings, awkward strings, dates of every type, unknown columns, both formats and every writer option) it
 * must either write exactly the bytes of parse → render → format, or decline. It must decline malformed text,
 * rows of another width and pages the ordinary path refuses, and must not decline an ordinary page.
 */
import { describe, expect, it } from "@effect/vitest"
import { parseJsonExact } from "@spotpipe/core"
import { resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import fc from "fast-check"
import { planColumns } from "../src/ColumnPlanner.ts"
import { makeRowFormat } from "../src/RowFormat.ts"
import { isRenderFailure, makeRowRenderer } from "../src/RowRenderer.ts"
import { makeRowsTranscoder } from "../src/RowsTranscoder.ts"

const zone = (name: string): TimeZone => {
  const z = resolveTimeZone(name)
  if (z instanceof Error) throw z
  return z
}

/** A column type, or `null` (metadata did not know the column). */
const columnType = fc.constantFrom("VARCHAR", "INT64", "DOUBLE", "BOOL", "DATE", "DATE_TIME", "TIMESTAMP", "TIME", null)

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
const stringValue = fc.string({
  unit: fc.oneof(awkward, fc.string({ unit: "grapheme", minLength: 1, maxLength: 2 }), fc.string({ unit: "binary" }))
})
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
  fc.constantFrom("1e400", "-1e400")
)
const epochToken = fc.oneof(
  fc.integer({ min: -2_000_000_000, max: 4_000_000_000 }).map(String),
  fc.constantFrom("null", "1625641200", "64240", "-1", "99999999999999999999", "1.5")
)
const calendarToken = fc
  .tuple(fc.integer({ min: 0, max: 2_000_000_000 }), fc.option(fc.integer({ min: 0, max: 100_000_000 })))
  .map(([s, span]) => (span === null ? `{"v":{"s":${s}}}` : `{"v":{"s":${s},"e":${s + span}}}`))
const nestedToken = fc.oneof(
  calendarToken,
  fc.constantFrom('{"a":[1,"x"]}', "[]", "[1,[2,{}]]", '{"v":1}', '{"k":"1e400"}', '{"n":1e400}')
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
      return fc.oneof({ weight: 4, arbitrary: stringToken }, literalToken)
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
    offset: fc.constantFrom("utc" as const, "zone" as const),
    zone: fc.constantFrom("America/Los_Angeles", "Asia/Kolkata", "UTC")
  })
)

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never

const textOf = ({ rows, gaps }: Scenario): string => {
  const [a, b, c, d] = gaps as [string, string, string, string]
  return `${a}[${b}${rows.map((row) => `[${row.join(`${c},${d}`)}]`).join(`,${b}`)}${c}]`
}

const setup = (s: Scenario) => {
  const names = s.types.map((_, i) => `c${i}`)
  const plans = planColumns(names, (name) => s.types[Number(name.slice(1))] ?? null, {
    timeZone: zone(s.zone),
    offset: s.offset
  })
  const renderer = makeRowRenderer(plans, s.periodEnd)
  const columns = renderer.columns.map((column) => column.name)
  const options = { columns, newline: s.newline, escapeFormulae: s.escapeFormulae }
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
  /** The ordinary path: exact parse, width check, render, format; `undefined` where it refuses the page. */
  const ordinary = (text: string): Buffer | undefined => {
    let rows: unknown
    try {
      rows = parseJsonExact(text)
    } catch {
      return undefined
    }
    if (!Array.isArray(rows)) return undefined
    if (rows.some((row) => !Array.isArray(row) || row.length !== names.length)) return undefined
    if (hasNonFinite(rows)) return undefined // the client refuses a number beyond a double before any writer sees it
    const rendered = renderer.render(rows, 0)
    if (isRenderFailure(rendered)) return undefined
    return Buffer.from(makeRowFormat(s.format, options).page(rendered), "utf8")
  }
  return { transcode, ordinary }
}

const bytesOf = (text: string) => Buffer.from(text, "utf8")

const hasNonFinite = (value: unknown): boolean =>
  typeof value === "number"
    ? !Number.isFinite(value)
    : typeof value === "object" && value !== null && Object.values(value).some(hasNonFinite)

describe("rows transcoder", () => {
  it("writes-exactly-the-ordinary-paths-bytes-or-declines", () =>
    fc.assert(
      fc.property(scenario, (s) => {
        const text = textOf(s)
        const { transcode, ordinary } = setup(s)
        const body = bytesOf(`{"data_rows":${text}}`)
        const result = transcode(body, body.indexOf("["))
        const expected = ordinary(text)
        if (result === undefined) return
        expect(expected).toBeDefined()
        expect(result.rowCount).toBe(s.rows.length)
        expect(result.end).toBe(body.length - 1)
        expect(Buffer.from(result.bytes).toString("utf8")).toBe(expected!.toString("utf8"))
      }),
      { numRuns: 1500 }
    ))

  it("declines-only-pages-the-ordinary-path-refuses-or-rare-forms", () =>
    fc.assert(
      fc.property(scenario, (s) => {
        // Without the forms the transcoder hands back (numbers beyond a double), it must never decline a page
        // the ordinary path accepts.
        const text = textOf(s)
        if (/1e400/i.test(text)) return
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
      expect(transcode(body, 0)?.bytes.equals(ordinary(text)!)).toBe(true)
    }
  })

  it("writes-plain-text-date-columns-through-their-byte-writer", () => {
    // The formatter's byte writer is used for epoch cells and nulls; anything it cannot write (here a Custom
    // Calendar cell, and a cell it calls invalid) goes to the formatter, whose error declines the page.
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
      expect(transcoder.transcode(bytesOf("[[1],[7]]"), 0)).toBeUndefined()
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
            : String(1_600_000_000 + r * 97 + c)
    const text = `[${Array.from({ length: 6_000 }, (_, r) => `[${types.map((_, c) => cell(r, c)).join(",")}]`).join(",")}]`
    for (const format of ["csv", "ndjson"] as const) {
      const { transcode, ordinary } = setup({ ...s, format })
      for (let round = 0; round < 2; round++) {
        const result = transcode(bytesOf(text), 0)
        expect(result?.chunks.length).toBeGreaterThan(2)
        expect(result?.bytes.equals(ordinary(text)!)).toBe(true)
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
