/**
 * JSON parsing that keeps integers beyond 2^53 exact.
 *
 * ThoughtSpot INT64 cells can exceed `Number.MAX_SAFE_INTEGER`, and plain `JSON.parse` rounds them. A reviver
 * reading `context.source` is exact but about 8× slower, so this module parses with plain `JSON.parse` and
 * then puts the exact values back:
 * 1. No run of 16+ digits anywhere: no unsafe integer can exist — plain `JSON.parse`, done.
 * 2. Otherwise collect, in document order, the source text of every integer literal beyond 2^53, parse, and
 *    walk the result in document order replacing the k-th unsafe number by `BigInt` of the k-th literal.
 *    The pairing is exact when the literal list holds exactly the unsafe numbers of the tree, in order:
 *    - a quick scan (no string tracking) may also pick up digits inside strings that merely look like a
 *      literal; that only ever adds literals, so the walk then cannot use them all and the reviver decides;
 *    - an unsafe number written in decimal or exponent form (`1e20`, `12345678901234567.0`) has no literal
 *      and would shift the pairing, so text that may contain one gets a careful scan that tracks strings and
 *      sends such pages to the reviver;
 *    - objects with integer-like keys enumerate out of source order: also left to the reviver.
 * Decimal and exponent forms stay `number`s: only integer literals become `bigint`.
 */

const MAX_SAFE_DIGITS = "9007199254740991"
const QUOTE = 34
const BACKSLASH = 92
const DOT = 46
const MINUS = 45
const PLUS = 43
const LOWER_E = 101
const UPPER_E = 69
const ZERO = 48
const NINE = 57

// Spelled out: V8 runs `\d{16}` an order of magnitude slower than sixteen literal `\d`s.
const hasLongDigitRun = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d/
/**
 * Anything that could be an exponent form: a digit before `e`/`E`. It also matches inside strings (e.g.
 * GUIDs), which only costs the careful scan.
 */
const mayHaveExponent = /\d[eE]/

const isDigit = (code: number): boolean => code >= ZERO && code <= NINE
const isExponentMark = (code: number): boolean => code === LOWER_E || code === UPPER_E
/** The literal lists built by a scan, or `undefined` when the page may hold an unsafe non-integer form. */
type Literals = Array<string> | undefined

/** The literal text (with its sign) of the digit run at [start, end) if it is an unsafe integer, else `undefined`. */
const literalAt = (text: string, start: number, end: number): string | undefined => {
  const digits = end - start
  if (text.charCodeAt(start) === ZERO) return undefined // not valid JSON: JSON.parse will say so
  if (digits === 16 && text.slice(start, end) <= MAX_SAFE_DIGITS) return undefined
  return text.charCodeAt(start - 1) === MINUS ? text.slice(start - 1, end) : text.slice(start, end)
}

/**
 * A literal-shaped run of 16+ digits: preceded by a value start (text start, `[`, `,`, `:`, whitespace, maybe `-`) and
 * followed by a value end or a `.` (kept in the match, to spot decimal forms). One native `match` call
 * collects them all, much faster than an `exec` loop.
 */
const literalShaped = /(?<=^|[[,:\s])-?\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d+(?:[,\]}\s.]|$)/g

/**
 * Quick scan: no string tracking. Every true unsafe literal is found; digits in strings that look like a
 * literal may be found too (harmless, see the module comment). Returns `undefined` when a 16+ digit run is
 * followed by `.` (a decimal form that could be an unsafe number): the careful scan decides then.
 */
const quickScan = (text: string): Literals => {
  const found = text.match(literalShaped)
  if (found === null) return []
  let kept = 0
  for (let i = 0; i < found.length; i++) {
    const match = found[i]!
    const last = match.charCodeAt(match.length - 1)
    if (last === DOT) return undefined
    const literal = isDigit(last) ? match : match.slice(0, -1)
    const negative = literal.charCodeAt(0) === MINUS
    if (literal.charCodeAt(negative ? 1 : 0) === ZERO) continue // not valid JSON: JSON.parse will say so
    if (literal.length - (negative ? 1 : 0) === 16 && (negative ? literal.slice(1) : literal) <= MAX_SAFE_DIGITS)
      continue
    found[kept++] = literal
  }
  found.length = kept
  return found
}

/**
 * Careful scan: tracks strings, so only literals outside strings are kept. Returns `undefined` when an
 * exponent or decimal-form number that could be unsafe appears before the last literal (pairing could shift).
 */
const carefulScan = (text: string): Literals => {
  const runs = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d+/g
  const literals: Array<string> = []
  let scanned = 0
  let inString = false
  let unsafeForm = false
  for (let match = runs.exec(text); match !== null; match = runs.exec(text)) {
    const start = match.index
    const end = start + match[0].length
    // Bring the in-string state up to `start`, noting exponent marks outside strings on the way.
    for (; scanned < start; scanned++) {
      const code = text.charCodeAt(scanned)
      if (code === QUOTE) inString = !inString
      else if (inString) {
        if (code === BACKSLASH) scanned++ // skip the escaped character
      } else if (isExponentMark(code) && isDigit(text.charCodeAt(scanned - 1))) unsafeForm = true
    }
    if (inString) continue
    const before = text.charCodeAt(start - 1)
    if (before === DOT || before === PLUS || isExponentMark(before)) continue // fraction or exponent digits
    if (before === MINUS && isExponentMark(text.charCodeAt(start - 2))) continue
    const after = text.charCodeAt(end)
    if (after === DOT || isExponentMark(after)) {
      unsafeForm = true
      continue
    }
    const literal = literalAt(text, start, end)
    if (literal === undefined) continue
    if (unsafeForm) return undefined
    literals.push(literal)
  }
  return literals
}

/**
 * Walks `root` in document order replacing the k-th unsafe number by `BigInt(literals[k])`, and stops once
 * every literal is used. Returns false when unsure (an object with integer-like keys, whose enumeration order
 * is not source order) or when literals are left over.
 */
const restore = (root: unknown, literals: ReadonlyArray<string>): boolean => {
  const count = literals.length
  let next = 0
  let ok = true
  const visit = (value: object): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i]
        if (typeof item === "number") {
          if (item > Number.MAX_SAFE_INTEGER || item < Number.MIN_SAFE_INTEGER) {
            value[i] = BigInt(literals[next++]!)
            if (next === count) return
          }
        } else if (typeof item === "object" && item !== null) {
          visit(item)
          if (next === count || !ok) return
        }
      }
      return
    }
    const record = value as Record<string, unknown>
    for (const key in record) {
      if (isDigit(key.charCodeAt(0))) {
        // Integer-like keys enumerate before the others, not in source order: the pairing could go wrong.
        ok = false
        return
      }
      const item = record[key]
      if (typeof item === "number") {
        if (item > Number.MAX_SAFE_INTEGER || item < Number.MIN_SAFE_INTEGER) {
          record[key] = BigInt(literals[next++]!)
          if (next === count) return
        }
      } else if (typeof item === "object" && item !== null) {
        visit(item)
        if (next === count || !ok) return
      }
    }
  }
  if (typeof root === "object" && root !== null) visit(root)
  return ok && next === count
}

const isUnsafe = (value: number): boolean => value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER

const integerLiteral = /^-?\d+$/

/** The always-exact, slow route. */
const parseWithReviver = (text: string): unknown =>
  JSON.parse(text, (_key: string, value: unknown, context?: { readonly source?: string }) =>
    typeof value === "number" && isUnsafe(value) && context?.source !== undefined && integerLiteral.test(context.source)
      ? BigInt(context.source)
      : value
  )

/**
 * Parses JSON text like `JSON.parse`, except that an integer literal whose magnitude exceeds
 * `Number.MAX_SAFE_INTEGER` becomes an exact `bigint`. Decimal and exponent forms stay `number`s; digits
 * inside strings stay strings. Throws `SyntaxError` on malformed input, as `JSON.parse` does.
 */
export const parseJsonExact = (text: string): unknown => {
  if (!hasLongDigitRun.test(text)) return JSON.parse(text)
  const literals = mayHaveExponent.test(text) ? carefulScan(text) : (quickScan(text) ?? carefulScan(text))
  if (literals === undefined) return parseWithReviver(text)
  const value: unknown = JSON.parse(text)
  if (literals.length === 0) return value
  return restore(value, literals) ? value : parseWithReviver(text)
}
