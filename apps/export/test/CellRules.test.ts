/**
 * The cell rules on their own: integers worked out on the number's text (any spelling, any exponent, both
 * ranges), doubles refused only when 0 or infinity would stand for a non-zero or finite number, JSON text of
 * nested cells with numbers as sent, and unpaired surrogates refused.
 */
import { describe, expect, it } from "@effect/vitest"
import { JsonNumber, parseJsonExact } from "@spotpipe/core/json"
import { jsonText, valueCell } from "../src/formats/CellRules.ts"

const exact = (token: string): unknown => parseJsonExact(token, { exactNumbers: true })
const message = (cell: unknown): string | undefined => (cell instanceof Error ? cell.message : undefined)

describe("CellRules", () => {
  it("integer-columns-take-every-spelling-of-an-integer-in-range", () => {
    const cases: ReadonlyArray<readonly [string, bigint | number]> = [
      ["0", 0],
      ["-0", 0n],
      ["-0.0e7", 0n],
      ["0e-400", 0n],
      ["12", 12],
      ["1.2e1", 12n],
      ["1200e-2", 12n],
      ["0.00012e5", 12n],
      ["9223372036854775807", 9223372036854775807n],
      ["-9223372036854775808", -9223372036854775808n],
      ["-9.223372036854775808E+18", -9223372036854775808n]
    ]
    for (const [token, value] of cases) expect(valueCell(exact(token), "int64"), token).toEqual(value)
    expect(valueCell(exact("-2.147483648e9"), "int32")).toEqual(-2147483648n)
  })

  it("integer-columns-refuse-fractions-and-numbers-out-of-range-without-building-them", () => {
    expect(message(valueCell(exact("1.25e1"), "int64"))).toMatch(/^1\.25e1 is not an integer, but the column is INT64/)
    expect(message(valueCell(exact("1e-999999999999"), "int64"))).toMatch(/is not an integer/)
    // A huge exponent is refused by its length, not by writing out its digits.
    expect(message(valueCell(exact("1e999999999999"), "int64"))).toMatch(/outside the INT64 range/)
    expect(message(valueCell(exact("9223372036854775808"), "int64"))).toMatch(/outside the INT64 range/)
    expect(message(valueCell(exact("2147483648"), "int32"))).toMatch(
      /^2147483648 is outside the INT32 range \(-2147483648 to 2147483647\)/
    )
    // A double that is no longer the number sent (no exact parse before it) is refused, not rounded.
    expect(message(valueCell(9007199254740992, "int64"))).toMatch(/lost its exact digits/)
    expect(message(valueCell(1.5, "int64"))).toMatch(/not an integer/)
  })

  it("other-columns-refuse-only-an-underflow-or-an-overflow", () => {
    expect(valueCell(exact("1.50"), "any")).toBe(1.5)
    expect(valueCell(exact("-0"), "any")).toBe(-0)
    expect(valueCell(exact("0.0e-999"), "any")).toBe(0)
    expect(valueCell(exact("123456789012345678901234567890"), "any")).toBe(123456789012345678901234567890n)
    expect(message(valueCell(exact("-4.9e-325"), "any"))).toMatch(/too small for a double \(it would become 0\)/)
    expect(message(valueCell(exact("1.8e308"), "any"))).toMatch(/too large for a double \(it would become Infinity\)/)
  })

  it("nested-cells-are-their-compact-json-text-with-numbers-as-sent", () => {
    const cell = exact('{ "b" : [ 1.50, -0, 1e400, 12345678901234567890, "\\u00e9\\/" ], "a" : { "v" : null } }')
    expect(valueCell(cell, "any")).toBe('{"b":[1.50,-0,1e400,12345678901234567890,"é/"],"a":{"v":null}}')
    expect(valueCell(cell, "int64")).toBe(valueCell(cell, "any"))
    expect(jsonText([new JsonNumber("2.0"), true, "\ud800"])).toBe('[2.0,true,"\\ud800"]')
  })

  it("text-with-an-unpaired-surrogate-is-refused-a-pair-is-kept", () => {
    expect(valueCell("a\ud83e\uddf4b", "any")).toBe("a\ud83e\uddf4b")
    expect(message(valueCell("a\udc00", "any"))).toMatch(/^the text holds an unpaired surrogate \(\\uDC00\)/)
    expect(message(valueCell("\ud83e", "int64"))).toMatch(/unpaired surrogate \(\\uD83E\)/)
  })
})
