/**
 * What a cell of a non-date column becomes, by the column's type: written exactly, or refused with a reason
 * (the export then fails, naming the row and column). Both data paths use these functions — the ordinary one
 * for every cell, the rows transcoder for every cell it does not copy as it is — so they write the same bytes.
 *
 * - Strings are written as they are; one holding an unpaired surrogate (`"\ud800"`), which UTF-8 cannot
 *   encode, is refused.
 * - Objects and arrays (a Custom Calendar `{"v":…}` cell included) become their JSON text: compact, strings
 *   re-escaped as `JSON.stringify` does, numbers exactly as sent (see {@link jsonText}).
 * - Numbers in INT64/INT32 columns: any spelling whose exact decimal value is an integer within the type's range
 *   is written as that integer's digits, worked out on the text (`9.007199254740993e15` → `9007199254740993`);
 *   anything else is refused.
 * - Numbers in other columns are written as their double's shortest text, as before, unless the double is not
 *   the number at all: a non-zero number that underflows to 0 (`1e-400`) or overflows to Infinity is refused.
 *   Integer literals are their own digits at any size.
 */
import { JsonNumber } from "@spotpipe/core/json"
import type { Cell } from "./RowFormat.ts"

/** How a column treats numbers: exact integers of a range, or anything a double holds. */
export type NumericClass = "int64" | "int32" | "any"

/** The numeric class of a ThoughtSpot column type (`null`: unknown). */
export const numericClassOf = (type: string | null): NumericClass =>
  type === "INT64" ? "int64" : type === "INT32" ? "int32" : "any"

const ranges = {
  int64: { type: "INT64", min: -(2n ** 63n), max: 2n ** 63n - 1n, digits: 19 },
  int32: { type: "INT32", min: -(2n ** 31n), max: 2n ** 31n - 1n, digits: 10 }
} as const

const refuse = (message: string): Error =>
  new Error(`${message}; it cannot be written without changing it: correct the value at the source`)

/** The text of a number as it was sent (a bigint or double prints its own digits). */
const sourceText = (value: number | bigint | JsonNumber): string =>
  value instanceof JsonNumber ? value.text : String(value)

/** The parts of a JSON number token: sign, its significant digits (no leading zeros) and a power of ten. */
const decimalParts = (text: string) => {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (match === null) return undefined
  const fraction = match[3] ?? ""
  const digits = (match[2]! + fraction).replace(/^0+/, "")
  // An exponent of thousands of digits is still only "very large" or "very small".
  const exponent = Math.max(-1e9, Math.min(1e9, Number(match[4] ?? "0"))) - fraction.length
  return { negative: match[1] === "-", digits, exponent }
}

/** The integer a number token stands for, worked out on its text; an Error when it is none or out of range. */
const exactInteger = (value: number | bigint | JsonNumber, numeric: "int64" | "int32"): number | bigint | Error => {
  const range = ranges[numeric]
  let integer: bigint
  if (typeof value === "bigint") integer = value
  else if (typeof value === "number") {
    if (!Number.isInteger(value))
      return refuse(`${sourceText(value)} is not an integer, but the column is ${range.type}`)
    if (Math.abs(value) >= 2 ** 63) {
      return refuse(`${sourceText(value)} is outside the ${range.type} range (${range.min} to ${range.max})`)
    }
    // Beyond 2^53 a double need not be the number that was sent (an exact parse gives those as bigints or text).
    if (!Number.isSafeInteger(value)) return refuse(`${sourceText(value)} lost its exact digits before it was written`)
    if (value < Number(range.min) || value > Number(range.max)) {
      return refuse(`${sourceText(value)} is outside the ${range.type} range (${range.min} to ${range.max})`)
    }
    return value
  } else {
    const parts = decimalParts(value.text)
    if (parts === undefined) return refuse(`${value.text} is not a number`)
    if (parts.digits === "") integer = 0n
    else {
      const significant = parts.digits.replace(/0+$/, "")
      const shift = parts.exponent + (parts.digits.length - significant.length)
      if (shift < 0) return refuse(`${value.text} is not an integer, but the column is ${range.type}`)
      if (significant.length + shift > range.digits) {
        return refuse(`${value.text} is outside the ${range.type} range (${range.min} to ${range.max})`)
      }
      integer = BigInt(significant + "0".repeat(shift))
      if (parts.negative) integer = -integer
    }
  }
  if (integer < range.min || integer > range.max) {
    return refuse(`${sourceText(value)} is outside the ${range.type} range (${range.min} to ${range.max})`)
  }
  return integer
}

/** The double a number token stands for; an Error when the double would be 0 or Infinity instead. */
const exactDouble = (value: JsonNumber): number | Error => {
  const double = Number(value.text)
  if (!Number.isFinite(double)) return refuse(`${value.text} is too large for a double (it would become Infinity)`)
  if (double === 0 && /[1-9]/.test(value.text.replace(/[eE].*$/, ""))) {
    return refuse(`${value.text} is too small for a double (it would become 0)`)
  }
  return double
}

/** A number cell of a column of this class, as written; an Error when it cannot be written exactly. */
const numberCell = (value: number | bigint | JsonNumber, numeric: NumericClass): Cell | Error => {
  if (numeric !== "any") return exactInteger(value, numeric)
  if (value instanceof JsonNumber) return exactDouble(value)
  if (typeof value === "number" && !Number.isFinite(value)) return refuse("a number is too large for a double")
  return value
}

/**
 * `value` with every {@link JsonNumber} in it turned into its double, as a plain `JSON.parse` gives it: what date
 * renderers read (epoch seconds, Custom Calendar cells), whose rules are their own.
 */
export const asParsed = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (value instanceof JsonNumber) return Number(value.text)
  if (Array.isArray(value)) return value.map(asParsed)
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asParsed(item)]))
}

/** An unpaired surrogate (code units: no `u` flag). */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** A string cell as written, or an Error for an unpaired surrogate (UTF-8 cannot encode one). */
export const textCell = (value: string): string | Error => {
  if (!loneSurrogate.test(value)) return value
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0xd800 || code > 0xdfff) continue
    const next = value.charCodeAt(i + 1)
    if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++
    else {
      const spelled = `\\u${code.toString(16).toUpperCase()}`
      return refuse(`the text holds an unpaired surrogate (${spelled}), which UTF-8 cannot encode`)
    }
  }
  return value
}

/**
 * The JSON text of an object or array: no insignificant whitespace, strings as `JSON.stringify` writes them,
 * numbers as sent when parsed with `exactNumbers` (a {@link JsonNumber}'s text, a bigint's digits, else the
 * double's shortest text, which is then the text sent). Keys come in the order the parse gives them
 * (`JSON.parse`'s: integer-like keys first, a repeated key once, with its last value).
 */
export const jsonText = (value: unknown): string | Error => {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value)
    case "number":
      return Number.isFinite(value) ? String(value) : refuse("a number is too large for a double")
    case "bigint":
      return value.toString()
    case "boolean":
      return value ? "true" : "false"
    case "object": {
      if (value === null) return "null"
      if (value instanceof JsonNumber) return value.text
      const parts: Array<string> = []
      if (Array.isArray(value)) {
        for (const item of value) {
          const text = jsonText(item)
          if (text instanceof Error) return text
          parts.push(text)
        }
        return `[${parts.join(",")}]`
      }
      for (const [key, item] of Object.entries(value)) {
        const text = jsonText(item)
        if (text instanceof Error) return text
        parts.push(`${JSON.stringify(key)}:${text}`)
      }
      return `{${parts.join(",")}}`
    }
    default:
      return "null"
  }
}

/**
 * A cell of a non-date column of this numeric class, as written (see the module comment), or an Error saying
 * why it cannot be written exactly.
 */
export const valueCell = (cell: unknown, numeric: NumericClass): Cell | Error => {
  switch (typeof cell) {
    case "string":
      return textCell(cell)
    case "number":
    case "bigint":
      return numberCell(cell, numeric)
    case "boolean":
      return cell
    case "object":
      if (cell === null) return null
      if (cell instanceof JsonNumber) return numberCell(cell, numeric)
      return jsonText(cell)
    default:
      return null
  }
}
