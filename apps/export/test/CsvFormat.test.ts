/**
 * The typed CSV writer against its reference: on random pages of mixed-type cells it must write exactly the bytes
 * `Papa.unparse` writes with the same config and the explicit column list.
 */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import Papa from "papaparse"
import { csvCell, formula, makeCsvFormat } from "../src/formats/CsvFormat.ts"
import type { Cell } from "../src/formats/RowFormat.ts"

// Characters that drive papaparse's decisions, mixed with arbitrary Unicode (incl. astral graphemes).
const awkward = fc.constantFrom('"', ",", "\r", "\n", "\r\n", " ", "=", "+", "-", "@", "\t", "'", "\ufeff", "\u2028")
// `\.` is the one string written unlike papaparse (tested on its own below).
const text = fc
  .string({ unit: fc.oneof(awkward, fc.string({ unit: "grapheme", minLength: 1, maxLength: 2 })) })
  .filter((value) => value !== "\\.")
const formulaLike = fc.tuple(fc.constantFrom("=", "+", "-", "@", "\t", "\r"), text).map(([p, s]) => p + s)
const cell: fc.Arbitrary<Cell> = fc.oneof(
  text,
  formulaLike,
  // A negative zero is written `-0`, unlike papaparse (tested on its own below).
  fc.double().map((x) => (Object.is(x, -0) ? 0 : x)),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.boolean(),
  fc.constant(null)
)
const page = (width: number, minLength = 0) =>
  fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength, maxLength: 30 })
const options = fc.record({ newline: fc.constantFrom("\r\n" as const, "\n" as const), escapeFormulae: fc.boolean() })

describe("csv writer", () => {
  it("pages-are-byte-identical-to-papaparse-unparse-with-the-same-config", () =>
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain((width) =>
            fc.tuple(fc.array(text, { minLength: width, maxLength: width }), fc.array(page(width), { maxLength: 4 }))
          ),
        options,
        ([columns, pages], { escapeFormulae, newline }) => {
          const csv = makeCsvFormat({ columns, newline, escapeFormulae })
          const config = { newline, escapeFormulae: escapeFormulae ? formula : false }
          expect(csv.header).toBe(Papa.unparse([columns], { ...config, header: false }) + newline)
          for (const rows of pages) {
            const expected =
              rows.length === 0
                ? ""
                : Papa.unparse({ fields: columns, data: rows as Array<Array<Cell>> }, { ...config, header: false }) +
                  newline
            expect(csv.page(rows)).toBe(expected)
          }
        }
      ),
      { numRuns: 300 }
    ))

  it("a-whole-file-equals-one-papaparse-unparse-with-header", () =>
    fc.assert(
      // At least one row: given `data: []`, papaparse writes a spurious empty row (RowFormat never asks it to).
      fc.property(page(4, 1), options, (rows, { escapeFormulae, newline }) => {
        const columns = ["Order ID", "Note, with comma", " edge ", "=x"]
        const csv = makeCsvFormat({ columns, newline, escapeFormulae })
        const whole = Papa.unparse(
          { fields: columns, data: rows as Array<Array<Cell>> },
          { newline, escapeFormulae: escapeFormulae ? formula : false }
        )
        expect(csv.header + csv.page(rows)).toBe(whole + newline)
      }),
      { numRuns: 200 }
    ))

  it("escape-formulae-escapes-a-cell-by-its-first-character-even-when-it-spans-lines", () => {
    // papaparse's own pattern (`.*$` without the `s` flag) let these through as formulas.
    expect(csvCell('=HYPERLINK("http://x")\nline2', true)).toBe(`"'=HYPERLINK(""http://x"")\nline2"`)
    expect(csvCell("-1\r\n", true)).toBe(`"'-1\r\n"`)
    expect(csvCell("@a", true)).toBe(`"'@a"`)
    expect(csvCell('=HYPERLINK("http://x")\nline2', false)).toBe(`"=HYPERLINK(""http://x"")\nline2"`)
  })

  it("a-cell-that-is-copys-end-of-data-marker-is-quoted", () => {
    // Unquoted on a line of its own, `\.` ends a PostgreSQL COPY: every row after it would be lost.
    for (const escapeFormulae of [false, true]) {
      const csv = makeCsvFormat({ columns: ["Note"], newline: "\n", escapeFormulae })
      expect(csv.page([["\\."], ["\\.x"], ["a\\."]])).toBe('"\\."\n\\.x\na\\.\n')
    }
  })

  it("a-negative-zero-is-written--0-as-readers-load-it-back", () => {
    // papaparse and `String` write `0`, which a reader loads as +0.0: the export would change the value.
    for (const escapeFormulae of [false, true]) {
      expect(csvCell(-0, escapeFormulae)).toBe("-0")
      expect(csvCell(0, escapeFormulae)).toBe("0")
      const csv = makeCsvFormat({ columns: ["x", "y"], newline: "\n", escapeFormulae, nullString: "\\N" })
      expect(
        csv.page([
          [-0, 0],
          [0, -0.0]
        ])
      ).toBe("-0,0\n0,-0\n")
    }
  })

  it("an-empty-string-is-quoted-when-there-is-a-null-string", () => {
    // A one-column empty string would be a blank line, which DuckDB's read_csv skips; quoted it is never a null.
    const withNull = makeCsvFormat({ columns: ["Note"], newline: "\n", escapeFormulae: false, nullString: "\\N" })
    expect(withNull.page([[""], [null], ["x"]])).toBe('""\n\\N\nx\n')
    const plain = makeCsvFormat({ columns: ["Note", "n"], newline: "\n", escapeFormulae: false })
    expect(
      plain.page([
        ["", 1],
        [null, 2]
      ])
    ).toBe(",1\n,2\n")
  })

  it("cells-outside-the-rendered-types-follow-papaparse-too", () => {
    const odd: Array<unknown> = [
      undefined,
      new Date(Date.UTC(2021, 6, 8, 15, 58, 41)),
      new Date(Number.NaN),
      { a: 1 },
      [1, "a,b"],
      ["=x"],
      Number.NaN,
      Number.POSITIVE_INFINITY,
      "=a\nb",
      "\r",
      ""
    ]
    for (const escapeFormulae of [false, true]) {
      for (const value of odd) {
        expect(csvCell(value, escapeFormulae)).toBe(
          Papa.unparse([[value]], { escapeFormulae: escapeFormulae ? formula : false })
        )
      }
    }
  })
})
