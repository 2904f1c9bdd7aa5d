/**
 * Terminal text: control characters from the server are shown, never acted on; JSON lines stay valid and
 * exact; counts read the same everywhere; "did you mean" picks the closest names.
 */
import { assert, describe, it } from "@effect/vitest"
import { formatCount, inert, jsonLine } from "../src/cli/TerminalText.ts"
import { closest, didYouMean } from "../src/Suggest.ts"

const osc52 = "\u001b]52;c;cm0gLXJmIH4=\u0007"
const clear = "\u001b[2J"

describe("inert", () => {
  it("shows-escape-sequences-and-other-controls-as-visible-escapes", () => {
    assert.strictEqual(
      inert(`Revenue${osc52} by Month${clear}`),
      "Revenue\\u001b]52;c;cm0gLXJmIH4=\\u0007 by Month\\u001b[2J"
    )
    assert.strictEqual(inert("a\rb\u009b31mc\u202ed\u2066e\u007f"), "a\\u000db\\u009b31mc\\u202ed\\u2066e\\u007f")
  })

  it("keeps-plain-text-tabs-line-feeds-and-non-ascii-as-they-are", () => {
    for (const text of ["Revenue by Month", "Umsatz € — 東京", "a\tb\nc", ""]) assert.strictEqual(inert(text), text)
  })

  it("json-lines-decode-to-the-same-value-and-carry-no-control-character", () => {
    const value = { name: `x${osc52}\u009b\u202e`, n: 10000, big: 9007199254740993n }
    const line = jsonLine(value)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    assert.notMatch(line, /[\u0000-\u001f\u007f-\u009f\u202e]/)
    assert.deepStrictEqual(JSON.parse(line), { name: value.name, n: 10000, big: "9007199254740993" })
  })

  it("counts-have-thousands-separators", () => {
    assert.strictEqual(formatCount(10000), "10,000")
    assert.strictEqual(formatCount(7), "7")
    assert.strictEqual(formatCount(1234567n), "1,234,567")
  })
})

describe("did you mean", () => {
  const answers = ["Revenue by Month", "Revenue by Region and Product", "Order Details", "Weekly Shipments"]

  it("suggests-the-closest-names-first", () => {
    assert.deepStrictEqual(closest("Revenue by Mnth", answers), ["Revenue by Month"])
    assert.deepStrictEqual(closest("revenue", answers), ["Revenue by Month", "Revenue by Region and Product"])
    assert.deepStrictEqual(closest("order detail", answers), ["Order Details"])
  })

  it("suggests-nothing-for-a-name-unlike-any", () => {
    assert.deepStrictEqual(closest("Inventory", answers), [])
    assert.strictEqual(didYouMean([]), "")
  })

  it("suggests-at-most-three-and-flags-by-prefix", () => {
    assert.strictEqual(closest("a", ["b", "c", "d", "e"]).length, 3)
    assert.deepStrictEqual(closest("--output", ["--out", "--format", "--force"]), ["--out"])
    assert.deepStrictEqual(closest("--fromat", ["--out", "--format", "--force"]), ["--format"])
  })

  it("phrases-one-or-several-suggestions", () => {
    assert.strictEqual(didYouMean(["Revenue by Month"]), '; did you mean "Revenue by Month"?')
    assert.strictEqual(didYouMean(["a", "b", "c"]), '; did you mean "a", "b" or "c"?')
    assert.strictEqual(didYouMean(["--out"], false), "; did you mean --out?")
  })
})
