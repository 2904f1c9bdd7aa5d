/** Exact JSON parsing: integers beyond 2^53 become bigint, everything else is exactly JSON.parse. */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { exactNumber, JsonNumber, parseJsonExact } from "../src/internal/bigJson.ts"

describe("parseJsonExact", () => {
  it("plain-page-equals-json-parse", () => {
    const text = '{"a":[1,2.5,"x",null,true,{"b":-3}],"n":9007199254740991,"m":-9007199254740991}'
    expect(parseJsonExact(text)).toEqual(JSON.parse(text))
  })

  it("unsafe-integers-become-exact-bigints", () => {
    const value = parseJsonExact('[[9007199254740993, "a"], [-9007199254740993, 18446744073709551615]]')
    expect(value).toEqual([
      [9007199254740993n, "a"],
      [-9007199254740993n, 18446744073709551615n]
    ])
  })

  it("the-largest-safe-integer-stays-a-number", () => {
    expect(parseJsonExact("[9007199254740991,-9007199254740991,1000000000000000]")).toEqual([
      9007199254740991, -9007199254740991, 1000000000000000
    ])
    expect(parseJsonExact("[9007199254740992]")).toEqual([9007199254740992n])
  })

  it("big-digits-inside-strings-stay-strings", () => {
    const text =
      '["12345678901234567890", "say \\"12345678901234567890\\" twice", "a,12345678901234567890,b", 12345678901234567890]'
    expect(parseJsonExact(text)).toEqual([
      "12345678901234567890",
      'say "12345678901234567890" twice',
      "a,12345678901234567890,b",
      12345678901234567890n
    ])
  })

  it("decimal-and-exponent-forms-stay-numbers", () => {
    const text =
      "[12345678901234567890.5, 1e20, 1.5E+21, 0.12345678901234567890, 12345678901234567890e2, 98765432109876543210]"
    const value = parseJsonExact(text) as ReadonlyArray<unknown>
    // exactly what JSON.parse makes of them: numbers, rounded as usual
    expect(value.slice(0, 5)).toEqual((JSON.parse(text) as ReadonlyArray<unknown>).slice(0, 5))
    expect(value.slice(0, 5).every((v) => typeof v === "number")).toBe(true)
    expect(value[5]).toBe(98765432109876543210n)
  })

  it("exact-numbers-keep-every-spelling-a-double-cannot-give-back", () => {
    const text =
      '[1, -2, 3.25, 9007199254740993, 1.50, 1e3, -0, 9007199254740993.0, 1e-400, 1e400, {"k":[2.0, "1.50"]}, 1e+21]'
    expect(parseJsonExact(text, { exactNumbers: true })).toEqual([
      1,
      -2,
      3.25,
      9007199254740993n,
      new JsonNumber("1.50"),
      new JsonNumber("1e3"),
      new JsonNumber("-0"),
      new JsonNumber("9007199254740993.0"),
      new JsonNumber("1e-400"),
      new JsonNumber("1e400"),
      { k: [new JsonNumber("2.0"), "1.50"] },
      1e21
    ])
    // One token, as a rows reader asks: the same answers.
    expect([exactNumber("12"), exactNumber("9007199254740992"), exactNumber("0.1"), exactNumber("0.10")]).toEqual([
      12,
      9007199254740992n,
      0.1,
      new JsonNumber("0.10")
    ])
  })

  it("exponent-form-before-a-literal-does-not-shift-values", () => {
    expect(parseJsonExact("[1e20, 100000000000000000000]")).toEqual([1e20, 100000000000000000000n])
    expect(parseJsonExact('["guid 0e0a", 1e20, 100000000000000000001]')).toEqual([
      "guid 0e0a",
      1e20,
      100000000000000000001n
    ])
  })

  it("a-bare-top-level-number-is-exact-too", () => {
    expect(parseJsonExact("12345678901234567890")).toBe(12345678901234567890n)
    expect(parseJsonExact(" -12345678901234567890 ")).toBe(-12345678901234567890n)
  })

  it("nested-objects-and-arrays", () => {
    const value = parseJsonExact(
      '{"contents":[{"data_rows":[[{"v":{"s":12345678901234567890}}],[[-99999999999999999999]]]}]}'
    )
    expect(value).toEqual({
      contents: [{ data_rows: [[{ v: { s: 12345678901234567890n } }], [[-99999999999999999999n]]] }]
    })
  })

  it("integer-like-keys-still-exact", () => {
    expect(parseJsonExact('{"b":12345678901234567891,"1":12345678901234567892}')).toEqual({
      b: 12345678901234567891n,
      "1": 12345678901234567892n
    })
  })

  it("nul-escapes-in-strings-are-data", () => {
    expect(parseJsonExact('["\\u0000123", 12345678901234567890]')).toEqual(["\u0000123", 12345678901234567890n])
  })

  it("malformed-json-throws-like-json-parse", () => {
    expect(() => parseJsonExact('[12345678901234567890, "cut')).toThrow(SyntaxError)
    expect(() => parseJsonExact("[012345678901234567890]")).toThrow(SyntaxError)
  })

  it("agrees-with-an-exact-reference-on-random-documents", () => {
    // Reference: the slow but exact reviver with source text.
    const reference = (text: string): unknown =>
      JSON.parse(text, (_k: string, v: unknown, ctx?: { readonly source?: string }) =>
        typeof v === "number" && !Number.isSafeInteger(v) && ctx?.source !== undefined && /^-?\d+$/.test(ctx.source)
          ? BigInt(ctx.source)
          : v
      )
    const bigLiteral = fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map((b) => ({ raw: b.toString() }))
    const cell = fc.oneof(
      bigLiteral,
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => ({ raw: JSON.stringify(d) })),
      fc.string().map((s) => ({ raw: JSON.stringify(s) })),
      fc.bigInt({ min: 0n, max: 10n ** 22n }).map((b) => ({ raw: JSON.stringify(`x ${b} ,${b}]`) })),
      fc.constantFrom(
        { raw: "1e20" },
        { raw: "-2.5E+19" },
        { raw: "-98765432109876543.25" },
        { raw: "12345678901234567890.0" },
        { raw: "null" },
        { raw: "true" }
      )
    )
    const space = fc.constantFrom("", " ", "\n", "\t ", "\r\n")
    const row = fc.tuple(fc.array(fc.tuple(cell, space), { maxLength: 6 }), space)
    const doc = fc.tuple(fc.array(row, { maxLength: 8 }), fc.boolean()).map(([rows, wrapped]) => {
      const body = `[${rows.map(([cells, s]) => `${s}[${cells.map(([c, t]) => `${t}${c.raw}${t}`).join(",")}]`).join(",")}]`
      // either a data-page-like object (with a nested object holding a big literal) or a bare top-level array
      return wrapped ? `{"rows":${body},"obj":{"k":${rows.length},"n":{"v":-18446744073709551617}}}` : body
    })
    fc.assert(
      fc.property(doc, (text) => {
        expect(parseJsonExact(text)).toEqual(reference(text))
      }),
      { numRuns: 300 }
    )
  })
})
