/**
 * `readRowsInPieces`: a page's `data_rows` read in small pieces cut at `],[` gives exactly the rows a whole,
 * exact parse gives (integers beyond 2^53 as `bigint`), ends right after the array's own `]`, or declines
 * (`undefined`) — never wrong rows, never a run into the next `contents` item. Small `pieceBytes` make one
 * small array take many cuts.
 */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { readRowsInPieces } from "../src/internal/rowsInPieces.ts"
import { splitDataRows } from "../src/internal/splitDataRows.ts"

const CLOSE_BRACKET = 93
const PIECE_SIZES = [1, 7, 64, undefined] as const

/** The oracle: `JSON.parse` reading each number's source, so an unsafe integer literal is its exact bigint. */
const exactParse = (text: string): unknown =>
  JSON.parse(text, (_key: string, value: unknown, context?: { readonly source?: string }) => {
    if (typeof value !== "number") return value
    const source = context?.source
    if (source === undefined) throw new Error("this oracle needs JSON.parse's context.source (Node 21+)")
    return !Number.isSafeInteger(value) && /^-?\d+$/.test(source) ? BigInt(source) : value
  })

interface Calendar {
  readonly v: { readonly s: number; readonly e?: number }
  readonly d?: string
}
/** A cell as the generator models it; bigints are written as their digits. */
type Cell = null | boolean | number | bigint | string | Calendar | ReadonlyArray<Cell>

/** `\uXXXX` for every non-ASCII UTF-16 unit (valid JSON; JSON text has non-ASCII only inside strings). */
const escapeNonAscii = (json: string): string =>
  json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

const toJson = (cell: Cell, ascii: boolean): string => {
  if (typeof cell === "bigint") return cell.toString()
  if (Array.isArray(cell)) return `[${cell.map((c: Cell) => toJson(c, ascii)).join(",")}]`
  const json = JSON.stringify(cell)
  return ascii ? escapeNonAscii(json) : json
}

/** The `data_rows` text: optional spaces inside rows (harmless) and before the first row. */
const rowsText = (rows: ReadonlyArray<ReadonlyArray<Cell>>, ascii: boolean, space: string, lead: string): string =>
  `[${lead}${rows.map((row) => `[${space}${row.map((c) => toJson(c, ascii)).join(`${space},${space}`)}${space}]`).join(",")}]`

/** A one-item (plus `after`) data response around `rows`, and the byte index of the array's `[`. */
const envelope = (columnNames: ReadonlyArray<string>, rows: string, after = "") => {
  const prefix = `{"contents":[{"available_data_row_count":3,"column_names":${JSON.stringify(columnNames)},"data_rows":`
  const suffix = `,"record_offset":0,"record_size":100}${after}],"metadata_header":{"name":"Orders ]] [x]"}}`
  const text = prefix + rows + suffix
  return { text, prefix, suffix, bytes: Buffer.from(text), start: Buffer.byteLength(prefix) }
}

/** Reads the rows of `rows` (width `width`) inside an envelope, checking `end` whenever it answers. */
const readIn = (rows: string, width: number, pieceBytes?: number) => {
  const names = Array.from({ length: width }, (_, i) => `c${i}`)
  const body = envelope(names, rows)
  const result = readRowsInPieces(body.bytes, body.start, width, pieceBytes)
  if (result !== undefined) {
    expect(result.end).toBe(body.start + Buffer.byteLength(rows))
    expect(body.bytes[result.end - 1]).toBe(CLOSE_BRACKET)
  }
  return result
}

/** Expects `rows` to be read exactly as the oracle parses it, with every piece size. */
const expectRead = (rows: string, width: number) => {
  const expected = exactParse(rows) as Array<unknown>
  for (const size of PIECE_SIZES) {
    const result = readIn(rows, width, size)
    expect(result, `pieceBytes ${size}`).toBeDefined()
    expect(result?.rows).toStrictEqual(expected)
    expect(result?.rowCount).toBe(expected.length)
  }
}

/** Expects `rows` to be declined with every piece size. */
const expectDeclined = (rows: string, width: number) => {
  for (const size of PIECE_SIZES) expect(readIn(rows, width, size), `pieceBytes ${size}: ${rows}`).toBeUndefined()
}

// ---- generators ----

const twoTo53 = 2n ** 53n
const bigLiteral: fc.Arbitrary<bigint> = fc
  .tuple(
    fc.oneof(
      fc.bigInt({ min: twoTo53 - 2n, max: twoTo53 + 2n }),
      fc.bigInt({ min: twoTo53, max: 2n ** 64n }),
      fc.constantFrom(2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 10n ** 16n, 10n ** 20n),
      fc.bigInt({ min: 10n ** 20n, max: 10n ** 40n })
    ),
    fc.boolean()
  )
  .map(([b, negative]) => (negative ? -b : b))

const benignFragment = fc.oneof(
  fc.constantFrom("[", "]", ",", '"', "\\", "\\\\", '\\"', "{", "}", ":", " ", "\n", "\u0000", "é", "得", "😀", "𝄞"),
  fc.constantFrom("12345678901234567890", "9007199254740993", "1e400", "-0", "[1,2]"),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: "grapheme", maxLength: 3 }),
  fc.string({ unit: "binary", maxLength: 3 })
)
const hostileFragment = fc.oneof(benignFragment, fc.constantFrom("],[", "]]", '"],["', "]],[[", "],[1],["))
const text = (hostile: boolean): fc.Arbitrary<string> =>
  fc.array(hostile ? hostileFragment : benignFragment, { maxLength: 5 }).map((parts) => parts.join(""))

const calendar: fc.Arbitrary<Calendar> = fc.oneof(
  fc.record({ v: fc.record({ s: fc.integer(), e: fc.integer() }) }),
  fc.record({ v: fc.record({ s: fc.integer() }), d: fc.constantFrom("Q1 FY2024", "]", "],[x]]") })
)

const nested: fc.Arbitrary<Cell> = fc.array(
  fc.oneof(fc.integer(), bigLiteral, text(true), fc.array(fc.oneof(fc.integer(), text(true)), { maxLength: 3 })),
  { maxLength: 3 }
)

const cell = (hostile: boolean): fc.Arbitrary<Cell> =>
  fc.oneof(
    fc.maxSafeInteger(),
    fc.integer({ min: -1000, max: 1000 }),
    bigLiteral,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constant(null),
    fc.boolean(),
    text(hostile),
    calendar,
    ...(hostile ? [nested] : [])
  )

/** Another `contents` item after the first, full of `]]` and `],[`, that a reader must not run into. */
const secondItem = fc.constantFrom(
  "",
  ',{"column_names":["z"],"data_rows":[[7],[8]],"record_offset":0}',
  `,{"column_names":["z"],"data_rows":${JSON.stringify([["],["], [["]]"]], [[1, [2]]]])},"record_offset":0}`,
  ',{"column_names":["a","b"],"data_rows":[],"record_offset":0}'
)

const page = fc.boolean().chain((hostile) =>
  fc.integer({ min: 1, max: 6 }).chain((width) =>
    fc.record({
      width: fc.constant(width),
      rows: fc.array(fc.array(cell(hostile), { minLength: width, maxLength: width }), { maxLength: 20 }),
      names: fc.array(fc.constantFrom("Region", "Total Revenue", "Month(Order Date)", "名前", "a]],[b"), {
        minLength: width,
        maxLength: width
      }),
      ascii: fc.boolean(),
      space: fc.constantFrom("", " ", "\n", " \t"),
      lead: fc.constantFrom("", " ", "\n"),
      after: secondItem,
      pieceBytes: fc.integer({ min: 1, max: 200 })
    })
  )
)

/** True when no `],[` or `]]` can appear inside a row's text: no cell is an array and no cell's text holds one. */
const isCommon = (rows: ReadonlyArray<ReadonlyArray<Cell>>): boolean =>
  rows.every((row) => row.every((c) => !Array.isArray(c) && !/]]|],\[/.test(toJson(c, false))))

describe("readRowsInPieces", () => {
  it("rows-read-in-pieces-equal-an-exact-whole-parse", () => {
    fc.assert(
      fc.property(page, ({ width, rows, names, ascii, space, lead, after, pieceBytes }) => {
        const array = rowsText(rows, ascii, space, lead)
        const body = envelope(names, array, after)
        const result = readRowsInPieces(body.bytes, body.start, width, pieceBytes)
        if (isCommon(rows)) expect(result).toBeDefined()
        if (result === undefined) return
        const expected = exactParse(array) as Array<unknown>
        expect(expected).toHaveLength(rows.length)
        expect(result.rows).toStrictEqual(expected)
        expect(result.rowCount).toBe(rows.length)
        expect(result.end).toBe(body.start + Buffer.byteLength(array))
        expect(body.bytes[result.end - 1]).toBe(CLOSE_BRACKET)
      }),
      { numRuns: 400 }
    )
  })

  it("split-body-read-in-pieces-keeps-the-envelope-and-the-rows", () => {
    fc.assert(
      fc.property(page, ({ width, rows, names, ascii, space, lead, pieceBytes }) => {
        const array = rowsText(rows, ascii, space, lead)
        const body = envelope(names, array)
        const split = splitDataRows(body.bytes, (start, columnNames) =>
          readRowsInPieces(body.bytes, start, columnNames.length, pieceBytes)
        )
        if (isCommon(rows)) expect(split).toBeDefined()
        const direct = readRowsInPieces(body.bytes, body.start, width, pieceBytes)
        if (direct === undefined) expect(split).toBeUndefined()
        if (split === undefined) return
        expect(split.envelope).toBe(`${body.prefix}[]${body.suffix}`)
        expect(split.items).toHaveLength(1)
        expect(split.items[0]?.rows).toStrictEqual(exactParse(array))
        expect(split.items[0]?.rowCount).toBe(rows.length)
      }),
      { numRuns: 150 }
    )
  })

  it("unsafe-integers-come-out-as-exact-bigints", () => {
    const rows = '[[9007199254740993,"9007199254740993"],[-18446744073709551617,9007199254740991],[1e20,2.5]]'
    expectRead(rows, 2)
    const read = readIn(rows, 2, 1)
    expect(read?.rows).toStrictEqual([
      [9007199254740993n, "9007199254740993"],
      [-18446744073709551617n, 9007199254740991],
      [1e20, 2.5]
    ])
  })

  it("empty-arrays-have-no-rows-and-end-at-their-own-bracket", () => {
    for (const rows of ["[]", "[ ]", "[\n\t ]"]) {
      for (const width of [0, 3]) {
        for (const size of PIECE_SIZES) {
          expect(readIn(rows, width, size)).toStrictEqual({
            end: expect.any(Number),
            rowCount: 0,
            rows: []
          })
        }
      }
    }
  })

  it("a-single-row-is-read", () => {
    expectRead('[[1,"a",null,true,{"v":{"s":1625097600,"e":1627775999}},-2.5]]', 6)
    expectRead('[ [ "😀 ]" , 12345678901234567890 ]]', 2)
  })

  it("rows-of-zero-cells-are-read-when-the-width-is-zero", () => {
    expectRead("[[]]", 0)
    expectRead("[[],[],[]]", 0)
    expectRead("[[ ],[\n]]", 0)
    expectDeclined("[[]]", 1)
    expectDeclined("[[1]]", 0)
  })

  it("cuts-inside-strings-and-nested-cells-are-refused-not-taken", () => {
    expectRead('[["a],[b"],["c]]d"],["],["],["]]"]]', 1)
    expectRead("[[1,[2],[3]],[4,[5,[6]],[[7]]],[8,[],[[]]]]", 3)
    expectRead('[[{"v":{"s":1,"e":2}},"x"],[{"v":{"s":3},"d":"],[ ]]"},"y"]]', 2)
    expectRead(JSON.stringify([["\\"], ['"],["'], ['\\"]]'], ["\\\\],["], ["x\\"]]), 1)
  })

  it("a-row-of-another-width-declines", () => {
    expectDeclined("[[1,2],[3]]", 2)
    expectDeclined("[[1,2],[3,4],[5,6,7]]", 2)
    expectDeclined("[[1,2]]", 3)
    const many = Array.from({ length: 50 }, (_, i) => `[${i},"r${i}"]`)
    many[37] = "[37]"
    expectDeclined(`[${many.join(",")}]`, 2)
  })

  it("elements-that-are-not-rows-decline", () => {
    expectDeclined("[1,2]", 1)
    expectDeclined("[1,[2]]", 1)
    expectDeclined('[{"a":[1]},[2]]', 1)
    expectDeclined('[[1],"x",[2]]', 1)
  })

  it("a-number-beyond-a-double-declines", () => {
    expectDeclined("[[1],[1e400]]", 1)
    expectDeclined("[[-1e400,2]]", 2)
    expectDeclined("[[1],[2],[3],[4],[5.5e999]]", 1)
    expectRead('[["1e400"],[1e308]]', 1)
  })

  it("bytes-that-are-not-utf-8-decline-instead-of-becoming-replacement-characters", () => {
    const body = Buffer.concat([Buffer.from('[["caf'), Buffer.of(0xc3, 0x28), Buffer.from('"],["ok"]]')])
    expect(readRowsInPieces(body, 0, 1)).toBeUndefined()
    expect(readRowsInPieces(Buffer.from('[["café"],["ok"]]'), 0, 1)?.rowCount).toBe(2)
  })

  it("a-truncated-array-declines", () => {
    const cut = (text: string, start: number) => readRowsInPieces(Buffer.from(text), start, 1, 1)
    const prefix = '{"contents":[{"column_names":["a"],"data_rows":'
    for (const rows of [
      "[",
      "[ ",
      "[[1],[2],[3",
      "[[1],[2]",
      "[[1],[2],",
      '[[1],["a]]b',
      '[[1],["x"],["]],[',
      "[[1],[[2]]"
    ]) {
      expect(cut(prefix + rows, prefix.length), rows).toBeUndefined()
      expect(readRowsInPieces(Buffer.from(prefix + rows), prefix.length, 1), rows).toBeUndefined()
    }
  })

  it("whitespace-without-a-closing-pair-declines", () => {
    expectDeclined("[[1] ,[2] ]", 1)
    expectDeclined("[[1],[2]\n]", 1)
    expectDeclined("[[1],[2] ]", 1)
    // whitespace between rows but a tight end is still read right, or declined
    for (const size of PIECE_SIZES) {
      const read = readIn("[[1] , [2],\n[3]]", 1, size)
      if (read !== undefined) expect(read.rows).toStrictEqual([[1], [2], [3]])
    }
  })

  it("more-refused-cuts-than-the-budget-declines-instead-of-guessing", () => {
    const hostileRows = `[${Array.from({ length: 200 }, (_, i) => `["a],[b ${i}"]`).join(",")}]`
    expect(readIn(hostileRows, 1, 1)).toBeUndefined()
    const oneRow = `[["${"],[".repeat(1000)}"],["${"]]".repeat(1000)}"]]`
    expect(readIn(oneRow, 1, 1)).toBeUndefined()
    // `]]` inside strings is only tried as the array's end where a cut is refused, so while cuts succeed it
    // costs nothing, even with a cut after every row
    const closes = `[${Array.from({ length: 200 }, (_, i) => `["a]] ${i}"]`).join(",")}]`
    expect(readIn(closes, 1, 1)?.rows).toStrictEqual(JSON.parse(closes))
    // but where every cut is refused too (each row's string holds `],[`), each one is a refusal
    const both = `[${Array.from({ length: 200 }, (_, i) => `["a]],[b ${i}"]`).join(",")}]`
    expect(readIn(both, 1, 1)).toBeUndefined()
    // within one piece such strings cost no refusal, so the default piece size reads them
    expect(readIn(hostileRows, 1)?.rows).toStrictEqual(JSON.parse(hostileRows))
    // and a few of them cost only a few refusals
    expectRead(`[${Array.from({ length: 4 }, (_, i) => `["a],[b]] ${i}",${i}]`).join(",")}]`, 2)
  })

  it("the-first-item-stops-at-its-own-end", () => {
    const first = '[[1,"a]]"],[2,"],["],[3,null]]'
    const second = '[[4,"b"],[5,"]]"],[6,[7]]]'
    const text = `{"contents":[{"column_names":["n","s"],"data_rows":${first},"record_offset":0},{"column_names":["n","s"],"data_rows":${second},"record_offset":0}]}`
    const bytes = Buffer.from(text)
    const start1 = text.indexOf(first)
    const start2 = text.indexOf(second)
    for (const size of PIECE_SIZES) {
      const one = readRowsInPieces(bytes, start1, 2, size)
      expect(one?.end).toBe(start1 + first.length)
      expect(one?.rows).toStrictEqual(JSON.parse(first))
      const two = readRowsInPieces(bytes, start2, 2, size)
      expect(two?.end).toBe(start2 + second.length)
      expect(two?.rows).toStrictEqual(JSON.parse(second))
      const split = splitDataRows(bytes, (start, names) => readRowsInPieces(bytes, start, names.length, size))
      expect(split?.items.map((item) => item?.rows)).toStrictEqual([JSON.parse(first), JSON.parse(second)])
      expect(split?.envelope).toBe(text.replace(first, "[]").replace(second, "[]"))
    }
  })

  it("a-first-item-without-its-closing-pair-does-not-run-into-the-second", () => {
    for (const first of ["[[1],[2] ]", "[[1] ,[2]\n]"]) {
      const text = `{"contents":[{"column_names":["n"],"data_rows":${first},"record_offset":0},{"column_names":["n"],"data_rows":[[3],[4]]}]}`
      const bytes = Buffer.from(text)
      for (const size of PIECE_SIZES) expect(readRowsInPieces(bytes, text.indexOf(first), 1, size)).toBeUndefined()
    }
    const empty =
      '{"contents":[{"column_names":["n"],"data_rows":[],"x":0},{"column_names":["n"],"data_rows":[[3],[4]]}]}'
    const start = empty.indexOf("[]")
    expect(readRowsInPieces(Buffer.from(empty), start, 1, 1)).toStrictEqual({ end: start + 2, rowCount: 0, rows: [] })
  })

  it("split-body-route-replaces-the-array-with-an-empty-one", () => {
    const rows = `[["Île-de-France",9223372036854775807,{"v":{"s":1,"e":2}}],["😀 ],[ ]]",-9007199254740993,null],["${"x".repeat(40)}",1.5,{"v":{"s":-3}}]]`
    const text = `{"contents":[{"available_data_row_count":3,"column_names":["r","n","d"],"data_rows":${rows},"record_offset":0,"record_size":3,"returned_data_row_count":3}]}`
    const bytes = Buffer.from(text)
    const split = splitDataRows(bytes, (start, names) => readRowsInPieces(bytes, start, names.length, 16))
    expect(split?.envelope).toBe(text.replace(rows, "[]"))
    expect(split?.items[0]?.rowCount).toBe(3)
    expect(split?.items[0]?.rows).toStrictEqual([
      ["Île-de-France", 9223372036854775807n, { v: { s: 1, e: 2 } }],
      ["😀 ],[ ]]", -9007199254740993n, null],
      ["x".repeat(40), 1.5, { v: { s: -3 } }]
    ])
    // a declined array makes the whole split decline (the caller then parses the whole body)
    const spaced = text.replace(rows, "[[1,2,3] ]")
    const spacedBytes = Buffer.from(spaced)
    expect(
      splitDataRows(spacedBytes, (start, names) => readRowsInPieces(spacedBytes, start, names.length, 16))
    ).toBeUndefined()
  })

  it("reads-a-view-into-a-larger-buffer", () => {
    const rows = '[[1,"a"],[12345678901234567890,"b]]"],[3,"c"]]'
    const text = `{"contents":[{"column_names":["n","s"],"data_rows":${rows}}]}`
    const whole = Buffer.concat([Buffer.from('[[9],[9]],"]]"'), Buffer.from(text), Buffer.from("],[0]]")])
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 14, Buffer.byteLength(text))
    const start = text.indexOf(rows)
    for (const size of PIECE_SIZES) {
      const read = readRowsInPieces(view, start, 2, size)
      expect(read?.end).toBe(start + rows.length)
      expect(read?.rows).toStrictEqual([
        [1, "a"],
        [12345678901234567890n, "b]]"],
        [3, "c"]
      ])
    }
  })

  it("pages-larger-than-a-piece-are-read-across-pieces", () => {
    // default piece size: several pieces of ~64 KB, and one row longer than the reused piece buffer
    const rows = Array.from({ length: 4000 }, (_, i) => [i, BigInt(i) * 10n ** 18n + 7n, `r${i} ],[ é😀`, i / 4])
    rows[2000] = [-1, 2n ** 64n, "y".repeat(300_000), 0.5]
    const array = `[${rows.map((row) => `[${row.map((c) => (typeof c === "bigint" ? c.toString() : JSON.stringify(c))).join(",")}]`).join(",")}]`
    const read = readIn(array, 4)
    expect(read?.rowCount).toBe(4000)
    expect(read?.rows).toStrictEqual(exactParse(array))
  })

  it("more-pieces-than-one-join-takes-come-out-whole-and-in-order", () => {
    // one row per piece: 10 000 pieces, more than a single spread joins at once (4096)
    const rows = Array.from({ length: 10_000 }, (_, i) => [i, `r${i}`])
    const array = JSON.stringify(rows)
    const read = readIn(array, 2, 1)
    expect(read?.rowCount).toBe(10_000)
    expect(read?.rows).toStrictEqual(rows)
  })
})
