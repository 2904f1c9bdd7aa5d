/**
 * Adversarial pages for exact JSON parsing: every shortcut of `parseJsonExact` (no text scan without unsafe
 * numbers, one string-unaware regex pass, pairing by counts, the careful scan) against the slow but exact
 * reviver, on text built to fool them: digit runs in strings and keys equal in value to exponent-form numbers,
 * duplicate keys, integer-like keys, -0, 1e400, huge literals, deep nesting and every kind of JSON whitespace.
 */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { NumberOutOfRange, parseJsonExact } from "../src/internal/bigJson.ts"

/**
 * The exact reference: a reviver with source text. With `reject`, a non-literal number beyond a double's range
 * in the value is an error.
 */
const reference = (text: string, reject: boolean): unknown =>
  JSON.parse(text, (_k: string, v: unknown, ctx?: { readonly source?: string }) => {
    if (typeof v !== "number" || Math.abs(v) <= Number.MAX_SAFE_INTEGER) return v
    if (ctx?.source !== undefined && /^-?\d+$/.test(ctx.source)) return BigInt(ctx.source)
    if (reject && !Number.isFinite(v)) throw new NumberOutOfRange()
    return v
  })

/**
 * The text's UTF-8 bytes as a body holds them: a view into a larger buffer with digits, dots and quotes around
 * it, so a scan that read past the view's bounds would find runs that are not in the text.
 */
const bodyBytes = (text: string): Uint8Array => {
  const around = '"1234567890123456789.", 98765432109876543210'
  const whole = Buffer.from(`${around}${text}${around}`)
  const start = Buffer.byteLength(around)
  return whole.subarray(start, whole.length - start)
}

/**
 * Same outcome as the reference, in both modes and on both routes (text alone, and with the body bytes): the same
 * value (bigints, -0 and all), or the same error class.
 */
const expectLikeReference = (text: string): void => {
  const bytes = bodyBytes(text)
  for (const reject of [false, true]) {
    let expected: unknown
    try {
      expected = reference(text, reject)
    } catch (error) {
      const kind = (error as Error).constructor as new () => Error
      expect(() => parseJsonExact(text, { rejectOutOfRange: reject })).toThrow(kind)
      expect(() => parseJsonExact(text, { rejectOutOfRange: reject, bytes })).toThrow(kind)
      continue
    }
    expect(parseJsonExact(text, { rejectOutOfRange: reject })).toStrictEqual(expected)
    expect(parseJsonExact(text, { rejectOutOfRange: reject, bytes })).toStrictEqual(expected)
  }
}

/**
 * Non-ASCII text whose UTF-8 bytes, with the top bit cleared, would read as ASCII that the scans care about:
 * `°`/`¹` (C2 B0/B9: digits), `®` (C2 AE: `.`), `•` (E2 80 A2: a quote), `ł` (C5 82: `E`), `得` (E5 BE 97:
 * `e`), `ܐ` (DC 90: a backslash), plus other scripts and an astral character.
 */
const nonAscii = fc.constantFrom("°", "¹", "®", "•", "ł", "得", "ܐ", "Île-de-France", "中文", "😀", "\u00e9")

// Values that collide: the same unsafe double reached by an integer literal, other literals, an exponent form,
// a decimal form, and digits inside strings.
const twoTo53 = 9007199254740992n
const nearTwoTo53 = fc.bigInt({ min: twoTo53 - 3n, max: twoTo53 + 3n })
const bigMagnitude = fc.oneof(
  nearTwoTo53,
  fc.bigInt({ min: twoTo53, max: 2n ** 64n }),
  fc.constantFrom(10n ** 20n, 10n ** 20n + 1n, 10n ** 16n - 1n, 10n ** 16n, 2n ** 63n - 1n, 2n ** 64n - 1n),
  fc.bigInt({ min: 10n ** 20n, max: 10n ** 30n })
)
const signed = (b: bigint) => fc.boolean().map((neg) => (neg ? -b : b))
const literal = bigMagnitude.chain(signed).map((b) => b.toString())
const numberCell = fc.oneof(
  literal,
  fc.constantFrom(
    "1e20",
    "1E20",
    "-1e+20",
    "100000000000000000000.0",
    "1.0e20",
    "9.007199254740993e15",
    "9007199254740993.0",
    "9007199254740993e0",
    "12345678901234567890.5",
    "0.12345678901234567890",
    "1.12345678901234567890",
    "1.2345678901234567e20",
    "2.5e19",
    "0.12345678901234567e25",
    "12345678901234567E3",
    "-0",
    "-0.0",
    "0",
    "9007199254740991",
    "-9007199254740991",
    "1000000000000000",
    "1e-12345678901234567",
    "1e400",
    "-1E400",
    `1${"0".repeat(400)}`,
    `-9${"9".repeat(330)}`
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d))
)
/** Strings that hold what the scans look for: digit runs after delimiters, exponent marks, quotes, escapes. */
const trickyString = fc
  .tuple(
    fc.oneof(
      fc.constantFrom("", "x ", ",", "[", ":", " ", "\\n", '\\"', "\\\\", "\\u0031", "\\u002c", "-", "."),
      nonAscii
    ),
    fc.oneof(
      literal,
      fc.constantFrom("1e20", "5E", "9007199254740993", "100000000000000000000", "12345678901234567.5")
    ),
    fc.oneof(fc.constantFrom("", ",", "]", "}", " ", "e5", ".5", '\\"', "\\u0030"), nonAscii)
  )
  .map(([a, b, c]) => `"${a}${b}${c}"`)
const plainString = fc
  .oneof(fc.string({ maxLength: 8 }), fc.string({ unit: "grapheme", maxLength: 8 }), nonAscii)
  .map((s) => JSON.stringify(s))
const space = fc.constantFrom("", " ", "\n", "\t", "\r\n", " \t\n ")
const key = fc.oneof(
  fc.constantFrom('"a"', '"b"', '"1"', '"0"', '"12345678901234567890"', '"k 12345678901234567890"', '"__proto__"'),
  plainString
)

const json: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    numberCell,
    trickyString,
    plainString,
    fc.constantFrom("null", "true", "false"),
    fc
      .array(fc.tuple(space, tie("value"), space), { maxLength: 5 })
      .map((items) => `[${items.map(([a, v, b]) => `${a}${v}${b}`).join(",")}]`),
    // duplicate keys allowed on purpose: JSON.parse keeps the last value at the first key's place
    fc
      .array(fc.tuple(key, space, tie("value")), { maxLength: 4 })
      .map((entries) => `{${entries.map(([k, s, v]) => `${s}${k}${s}:${s}${v}`).join(",")}}`)
  )
})).value

describe("parseJsonExact on adversarial pages", () => {
  it("string-run-equal-to-an-exponent-number-stays-a-string", () => {
    expect(parseJsonExact('["100000000000000000000", 1e20]')).toStrictEqual(["100000000000000000000", 1e20])
    expect(parseJsonExact('[1e20, "x 100000000000000000000"]')).toStrictEqual([1e20, "x 100000000000000000000"])
    expect(parseJsonExact('{"s":"100000000000000000000","n":1E+20,"m":100000000000000000000}')).toStrictEqual({
      s: "100000000000000000000",
      n: 1e20,
      m: 100000000000000000000n
    })
  })

  it("duplicate-key-dropping-a-literal-does-not-shift-values", () => {
    // The dropped literal equals the exponent-form number in value: counts alone would pair them.
    expect(parseJsonExact('{"a":100000000000000000000,"a":1,"b":1e20}')).toStrictEqual({ a: 1, b: 1e20 })
    expect(parseJsonExact('{"a":100000000000000000000,"a":1,"b":[100000000000000000001]}')).toStrictEqual({
      a: 1,
      b: [100000000000000000001n]
    })
  })

  it("duplicate-key-reordering-values-keeps-each-its-own-digits", () => {
    // Both literals round to the same double: only their digits tell them apart.
    expect(parseJsonExact('{"a":1,"b":9007199254740993,"a":9007199254740992}')).toStrictEqual({
      a: 9007199254740992n,
      b: 9007199254740993n
    })
  })

  it("integer-like-keys-enumerate-first-but-values-stay-exact", () => {
    expect(parseJsonExact('{"b":9007199254740993,"1":9007199254740992,"c":[9007199254740995]}')).toStrictEqual({
      b: 9007199254740993n,
      "1": 9007199254740992n,
      c: [9007199254740995n]
    })
  })

  it("number-beyond-a-double-throws-number-out-of-range-on-request", () => {
    const reject = { rejectOutOfRange: true }
    for (const text of ["[1e400]", '{"x":[1,-1E400]}', "1e400", "[12345678901234567890, 2.5e999]"]) {
      expect(() => parseJsonExact(text, reject)).toThrow(NumberOutOfRange)
    }
    // without the option: what JSON.parse makes of it
    expect(parseJsonExact('{"x":[1,-1E400]}')).toStrictEqual({ x: [1, Number.NEGATIVE_INFINITY] })
    // in a string it is just text; as an integer literal it is an exact bigint; dropped by a repeated key it is gone
    expect(parseJsonExact('["1e400", 1]', reject)).toStrictEqual(["1e400", 1])
    expect(parseJsonExact(`[1${"0".repeat(400)}]`, reject)).toStrictEqual([10n ** 400n])
    expect(parseJsonExact('{"a":1e400,"a":12345678901234567890}', reject)).toStrictEqual({ a: 12345678901234567890n })
  })

  it("a-lone-number-token-is-exact-or-a-number", () => {
    expect(parseJsonExact(" \n-98765432109876543210\t")).toBe(-98765432109876543210n)
    expect(parseJsonExact("9007199254740993")).toBe(9007199254740993n)
    expect(parseJsonExact("9007199254740991")).toBe(9007199254740991)
    expect(parseJsonExact("1e20")).toBe(1e20)
    expect(parseJsonExact("-12345678901234567890.5")).toBe(Number("-12345678901234567890.5"))
    expect(parseJsonExact("-1e400")).toBe(Number.NEGATIVE_INFINITY)
    expect(() => parseJsonExact("12345678901234567890 1")).toThrow(SyntaxError)
  })

  it("negative-zero-stays-negative-zero", () => {
    const value = parseJsonExact("[-0, 12345678901234567890, -0.0]") as ReadonlyArray<unknown>
    expect(Object.is(value[0], -0)).toBe(true)
    expect(value[1]).toBe(12345678901234567890n)
    expect(Object.is(value[2], -0)).toBe(true)
  })

  it("exponent-marks-in-strings-take-the-careful-route-and-stay-exact", () => {
    const text = `[${Array.from({ length: 50 }, (_, i) => `["3e${i}f-guid",${9007199254740993n + BigInt(i)},1.5]`).join(",")}]`
    expect(parseJsonExact(text)).toStrictEqual(
      Array.from({ length: 50 }, (_, i) => [`3e${i}f-guid`, 9007199254740993n + BigInt(i), 1.5])
    )
  })

  it("an-exponent-mark-before-after-or-inside-a-run-is-never-paired", () => {
    // The single regex pass lists exponent marks with the runs: whichever comes first in the text, a page with one
    // never pairs a string's digits with an exponent-form number of the same value.
    const cases: ReadonlyArray<readonly [string, unknown]> = [
      ['["100000000000000000000", 1e20]', ["100000000000000000000", 1e20]],
      ['[1e20, "100000000000000000000"]', [1e20, "100000000000000000000"]],
      ['["25000000000000000000", 2.5e19]', ["25000000000000000000", 2.5e19]],
      [
        '["1234567890123456700000000", 0.12345678901234567e25]',
        ["1234567890123456700000000", Number("0.12345678901234567e25")]
      ],
      ['[12345678901234567E3, "12345678901234567000"]', [12345678901234567e3, "12345678901234567000"]],
      [
        '[12345678901234567890, 3.5e19, "35000000000000000000"]',
        [12345678901234567890n, 3.5e19, "35000000000000000000"]
      ],
      ["[0.12345678901234567890, 12345678901234567890]", [Number("0.12345678901234567890"), 12345678901234567890n]]
    ]
    for (const [text, expected] of cases) {
      expect(parseJsonExact(text)).toStrictEqual(expected)
      expectLikeReference(text)
    }
  })

  it("long-fractions-and-safe-exponents-beside-big-literals", () => {
    expect(parseJsonExact("[0.30000000000000004, 12345678901234567890, 1.5e3, -9007199254740993]")).toStrictEqual([
      0.30000000000000004,
      12345678901234567890n,
      1500,
      -9007199254740993n
    ])
  })

  it("every-json-whitespace-around-literals", () => {
    expect(
      parseJsonExact('[ 12345678901234567890 ,\n\t-12345678901234567891\r\n,{ "k" :\t98765432109876543210 } ]')
    ).toStrictEqual([12345678901234567890n, -12345678901234567891n, { k: 98765432109876543210n }])
  })

  it("deep-nesting-keeps-document-order", () => {
    const depth = 300
    const text = `${"[".repeat(depth)}12345678901234567890,${"[".repeat(depth)}-12345678901234567891${"]".repeat(2 * depth)}`
    let value = parseJsonExact(text) as Array<unknown>
    for (let i = 1; i < depth; i++) value = value[0] as Array<unknown>
    expect(value[0]).toBe(12345678901234567890n)
    let inner = value[1] as Array<unknown>
    for (let i = 1; i < depth; i++) inner = inner[0] as Array<unknown>
    expect(inner[0]).toBe(-12345678901234567891n)
  })

  it("non-ascii-bytes-never-read-as-quotes-digits-or-marks-on-the-bytes-route", () => {
    // The exponent form sends this page to the careful scan, which tracks strings: were the bytes of `•` read as a
    // quote, the string's digits would be taken for the literal's, and the literal for text in a string.
    const text = '["•", "11111111111111111111", 1e0, 22222222222222222222, "•", "°9007199254740993®", "1ł"]'
    const expected = ["•", "11111111111111111111", 1, 22222222222222222222n, "•", "°9007199254740993®", "1ł"]
    expect(parseJsonExact(text, { bytes: Buffer.from(text) })).toStrictEqual(expected)
    expectLikeReference(text)
    expectLikeReference(`{"a":"•","b":[12345678901234567890,"•"],"c":"x 98765432109876543210"}`)
  })

  it("runs-at-every-offset-from-the-bytes-probe-are-found", () => {
    // The byte scan probes every 16th byte: runs of 15–40 digits, shifted through every offset, at the very start
    // and end of the bytes, beside non-ASCII text and after fraction dots.
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat({ max: 17 }),
            fc.oneof(
              fc.bigInt({ min: 10n ** 14n, max: 10n ** 17n }),
              fc.bigInt({ min: 9007199254740990n, max: 9007199254740994n }),
              fc.bigInt({ min: 10n ** 17n, max: 10n ** 40n })
            ),
            fc.constantFrom("", "é", "0.", "-", "得")
          ),
          { minLength: 1, maxLength: 12 }
        ),
        (cells) => {
          const text = `[${cells.map(([pad, n, s]) => (s === "0." ? `${" ".repeat(pad)}0.${n}` : `${" ".repeat(pad)}${s === "-" ? "-" : ""}${n}${s === "é" || s === "得" ? `,"${s}"` : ""}`)).join(",")}]`
          expectLikeReference(text)
        }
      ),
      { numRuns: 1500 }
    )
    // A page whose bytes start and end with runs (a lone token takes its own route; an array does not).
    expectLikeReference("[12345678901234567890]")
    expectLikeReference(`[${"1".repeat(16)},${"9".repeat(17)}]`)
  })

  it("agrees-with-the-reviver-on-adversarial-documents", () => {
    fc.assert(
      fc.property(json, (text) => {
        expectLikeReference(text)
      }),
      { numRuns: 3000 }
    )
  })

  it("agrees-with-the-reviver-on-adversarial-data-pages", () => {
    // Page-shaped: an envelope object and rows of mostly ordinary cells, where the quick route is meant to carry
    // the load, with a trap now and then (each one must be noticed, or be harmless).
    const ordinary = fc.oneof(
      literal,
      fc.integer().map(String),
      fc.constantFrom("1587279600", "149.27", "9007199254740991", "1234567890123456", "null", "false"),
      plainString
    )
    const cell = fc.oneof({ arbitrary: ordinary, weight: 30 }, numberCell, trickyString, json)
    const row = fc.array(fc.tuple(space, cell), { minLength: 1, maxLength: 6 })
    const page = fc
      .tuple(fc.array(row, { maxLength: 30 }), space, fc.option(key, { nil: undefined }))
      .map(([rows, s, extra]) => {
        const body = rows.map((cells) => `[${cells.map(([w, c]) => `${w}${c}${w}`).join(",")}]`).join(`,${s}`)
        const more = extra === undefined ? "" : `,${extra}:${rows.length}`
        return `{"contents":[{"column_names":["a"],"data_rows":[${body}]${more},"record_offset":0}]}`
      })
    fc.assert(
      fc.property(page, (text) => {
        expectLikeReference(text)
      }),
      { numRuns: 1500 }
    )
  })
})
