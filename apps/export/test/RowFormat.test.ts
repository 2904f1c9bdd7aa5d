import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import Papa from "papaparse"
import type { RenderedPage } from "../src/formats/RowFormat.ts"
import { makeRowFormat } from "../src/formats/TextFormats.ts"

const columns = ["Region", "Note", "Revenue", "Big"]
const page: RenderedPage = [
  ["West", 'say "hi", then\nleave', 12.5, 9007199254740993n],
  ["Zürich 東京", null, -3, 1n],
  ["=SUM(A1)", "+1", 0, null]
]

describe("csv", () => {
  it("rfc4180-quoting-crlf-and-a-header-written-once", () => {
    const csv = makeRowFormat("csv", { columns, newline: "\r\n", escapeFormulae: false })
    const text = csv.header + csv.page(page) + csv.page([["East", "", 1, 2n]])
    expect(text).toBe(
      "Region,Note,Revenue,Big\r\n" +
        'West,"say ""hi"", then\nleave",12.5,9007199254740993\r\n' +
        "Zürich 東京,,-3,1\r\n" +
        "=SUM(A1),+1,0,\r\n" +
        "East,,1,2\r\n"
    )
    expect(csv.page([])).toBe("")
  })

  it("formula-escaping-is-opt-in-and-leaves-numbers-alone", () => {
    const csv = makeRowFormat("csv", { columns, newline: "\n", escapeFormulae: true })
    expect(csv.page([["=SUM(A1)", "@x", -3, null]])).toBe(`"'=SUM(A1)","'@x",-3,\n`)
  })

  it("a-header-with-awkward-names-is-quoted", () => {
    const csv = makeRowFormat("csv", {
      columns: ["a,b", 'q"', "Total Revenue"],
      newline: "\r\n",
      escapeFormulae: false
    })
    expect(csv.header).toBe('"a,b","q""",Total Revenue\r\n')
  })

  it("papaparse-reads-back-exactly-what-was-written", () =>
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: "grapheme" }), { minLength: 3, maxLength: 3 })), (rows) => {
        const csv = makeRowFormat("csv", { columns: ["x", "y", "z"], newline: "\r\n", escapeFormulae: false })
        const text = csv.header + csv.page(rows)
        const parsed = Papa.parse<Array<string>>(text.slice(0, -2), { header: false, newline: "\r\n" })
        expect(parsed.data).toEqual([["x", "y", "z"], ...rows])
      })
    ))
})

describe("ndjson", () => {
  it("one-object-per-line-keys-in-column-order-nulls-and-exact-bigints", () => {
    const ndjson = makeRowFormat("ndjson", { columns, newline: "\r\n", escapeFormulae: true })
    expect(ndjson.header).toBe("")
    const text = ndjson.page(page)
    const lines = text.split("\n")
    expect(lines).toHaveLength(4)
    expect(lines[0]).toBe('{"Region":"West","Note":"say \\"hi\\", then\\nleave","Revenue":12.5,"Big":9007199254740993}')
    expect(lines[2]).toBe('{"Region":"=SUM(A1)","Note":"+1","Revenue":0,"Big":null}')
    expect(Object.keys(JSON.parse(lines[1]!))).toEqual(columns)
  })

  it("every-line-is-valid-json-equal-to-the-row", () =>
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.string(),
            fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(-0), fc.constant(null)),
            fc.boolean()
          )
        ),
        (rows) => {
          const ndjson = makeRowFormat("ndjson", { columns: ["s", "n", "b"], newline: "\n", escapeFormulae: false })
          const text = ndjson.page(rows)
          const parsed =
            text === ""
              ? []
              : text
                  .trimEnd()
                  .split("\n")
                  .map((l) => JSON.parse(l))
          // A negative zero too: `-0`, which JSON.parse reads as -0.
          expect(parsed).toStrictEqual(rows.map(([s, n, b]) => ({ s, n, b })))
          for (let r = 0; r < rows.length; r++) expect(Object.is(parsed[r].n, rows[r]![1])).toBe(true)
        }
      )
    ))
})
