/**
 * JSON parsing that keeps integers beyond 2^53 exact.
 *
 * ThoughtSpot INT64 cells can exceed `Number.MAX_SAFE_INTEGER`, and plain `JSON.parse` rounds them. A reviver
 * reading `context.source` is exact but about 8× slower, so this module parses with plain `JSON.parse` and
 * then puts the exact values back:
 * 1. Walk the parsed tree up to its first unsafe number (|n| > 2^53 - 1, ±Infinity included). None: the result
 *    is exactly `JSON.parse`'s, and the text is never scanned.
 * 2. No digit anywhere is followed by `e`/`E` (one native test, string-unaware): no number is in exponent form.
 *    Then one native regex lists the runs of 16+ digits not preceded by a digit or `.` (so not fraction
 *    digits), with the `.` after them if there is one. These scans (and the careful one in 4) read the text,
 *    or, when the caller passes the text's UTF-8 bytes, a one-byte view of them that has the same ASCII
 *    characters in the same order (see `scanView`) and is faster to scan; the runs are then read from the
 *    bytes by a strided loop (`byteRuns`), faster than the regex when nearly every row has one.
 * 3. Walking the tree in enumeration order, each unsafe number takes the next run (16-digit runs up to 2^53 - 1
 *    are safe numbers and are skipped) and becomes its exact `bigint`. This must use every run and meet no run
 *    with a tail, and then it is exact:
 *    - no exponent form, and an unsafe decimal form (16+ integer digits) would have left a run with a `.` tail;
 *      so every unsafe number of the tree has its own integer literal among the runs;
 *    - the runs may hold extras: digits inside strings, and literals that `JSON.parse` dropped for a repeated
 *      object key. With an extra, the runs outnumber the unsafe numbers and cannot all be used;
 *    - so the runs are exactly the unsafe numbers' literals, in document order. Enumeration order is document
 *      order in arrays; an object lists integer-like keys first and a repeated key at its first place, so an
 *      object holding unsafe numbers under two of its keys is not accepted.
 * 4. Otherwise a careful scan that tracks strings keeps only the literals outside strings and evaluates each
 *    decimal/exponent number outside strings: none unsafe and the literals pair up as in 3, done; else the
 *    reviver decides.
 * Decimal and exponent forms stay `number`s: only integer literals become `bigint` (however long). On request,
 * a decimal or exponent number beyond a double's range in the result (`1e400`, ±Infinity to `JSON.parse`)
 * throws `NumberOutOfRange`: such a number is never a literal, so it always ends up with the reviver, and
 * detecting it costs nothing on other pages.
 */

const MAX_SAFE = Number.MAX_SAFE_INTEGER
const MAX_SAFE_DIGITS = "9007199254740991"
const BACKSLASH = 92
const DOT = 46
const MINUS = 45
const PLUS = 43
const LOWER_E = 101
const UPPER_E = 69
const ZERO = 48
const NINE = 57

/**
 * Thrown by `parseJsonExact` when the parsed value would hold a decimal or exponent number beyond a double's
 * range (such as `1e400`), which `JSON.parse` silently turns into ±Infinity.
 */
export class NumberOutOfRange extends RangeError {
  constructor() {
    super("a number in the JSON text does not fit a double (e.g. 1e400)")
    this.name = "NumberOutOfRange"
  }
}

/** Levels of nested arrays and objects `parseJsonExact` accepts by default (the value itself is level 1). */
export const MAX_NESTING = 1000

/**
 * Thrown by `parseJsonExact` for valid JSON nested deeper than its `maxDepth`: walking such a tree would
 * overflow the call stack. A `SyntaxError`, so callers that decline malformed text decline this too.
 */
export class NestingTooDeep extends SyntaxError {
  /** The levels that were allowed. */
  readonly maxDepth: number
  constructor(maxDepth: number) {
    super(`the JSON text is nested deeper than ${maxDepth} levels`)
    this.name = "NestingTooDeep"
    this.maxDepth = maxDepth
  }
}

const isDigit = (code: number): boolean => code >= ZERO && code <= NINE
const isExponentMark = (code: number): boolean => code === LOWER_E || code === UPPER_E
const isUnsafe = (value: number): boolean => value > MAX_SAFE || value < -MAX_SAFE

/** A digit before `e`/`E`, anywhere (string-unaware): every exponent form has one; so do many GUIDs. */
const exponentMark = /\d[eE]/

/**
 * Runs of 16+ digits not preceded by a digit or `.` (so not fraction digits), with the `.` right after if there
 * is one. Spelled out: V8 runs `\d{16}` an order of magnitude slower than sixteen literal `\d`s. (One regex
 * for both this and `exponentMark` measured slower than the two: the alternation defeats V8's skipping.)
 */
const literalRuns = /(?<![\d.])\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d*\.?/g

/** True for a 16-digit run at most 2^53 - 1: a safe number, not paired with anything. */
const isSafeRun = (run: string): boolean => run.length === 16 && run <= MAX_SAFE_DIGITS

/**
 * What `literalRuns` finds, read from UTF-8 `bytes` (`view` is their latin1 view, for the run strings): the
 * maximal runs of 16+ digits not preceded by `.`, each with the `.` after it if there is one. Faster than the
 * regex when runs are many (every row), since it probes every 16th byte: a run of 16+ digits starting after the
 * last probe or the last run's end covers the next probe, so no run is missed; a digit probe is widened to its
 * whole run.
 */
const byteRuns = (bytes: Uint8Array, view: string): Array<string> => {
  const runs: Array<string> = []
  const length = bytes.length
  for (let probe = 15; probe < length; probe += 16) {
    if (!isDigit(bytes[probe]!)) continue
    let start = probe
    while (start > 0 && isDigit(bytes[start - 1]!)) start--
    let end = probe + 1
    while (end < length && isDigit(bytes[end]!)) end++
    probe = end // a non-digit (or the end): the next run starts after it
    if (end - start < 16 || (start > 0 && bytes[start - 1] === DOT)) continue
    runs.push(view.slice(start, end < length && bytes[end] === DOT ? end + 1 : end))
  }
  return runs
}

/**
 * True when the tree holds an unsafe number (stops at the first). `room`: the levels left for `value` and its
 * children; a tree deeper than that throws `tooDeep` (the tree walked up to the first unsafe number).
 */
const hasUnsafe = (value: object, room: number): boolean => {
  if (room <= 0) throw tooDeep
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item === "number") {
        if (item > MAX_SAFE || item < -MAX_SAFE) return true
      } else if (typeof item === "object" && item !== null && hasUnsafe(item, room - 1)) return true
    }
    return false
  }
  const record = value as Record<string, unknown>
  for (const key in record) {
    const item = record[key]
    if (typeof item === "number") {
      if (item > MAX_SAFE || item < -MAX_SAFE) return true
    } else if (typeof item === "object" && item !== null && hasUnsafe(item, room - 1)) return true
  }
  return false
}

/** Thrown by the walks below when a tree is deeper than their `room`; `parseJsonExact` reports `NestingTooDeep`. */
const tooDeep = Symbol("tooDeep")

/** Throws `tooDeep` when the tree has more than `room` levels (walks all of it). */
const checkNesting = (value: object, room: number): void => {
  if (room <= 0) throw tooDeep
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item === "object" && item !== null) checkNesting(item, room - 1)
    }
    return
  }
  const record = value as Record<string, unknown>
  for (const key in record) {
    const item = record[key]
    if (typeof item === "object" && item !== null) checkNesting(item, room - 1)
  }
}

/**
 * Whether the JSON `text` is nested at most `maxDepth` levels, by its brackets outside strings: for small texts
 * (cells) parsed with a reviver, which would overflow the stack on a deeper one before anything could check it.
 */
const textNestedWithin = (text: string, maxDepth: number): boolean => {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 34) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === BACKSLASH) i++
    } else if (code === 91 || code === 123) {
      if (++depth > maxDepth) return false
    } else if (code === 93 || code === 125) depth--
  }
  return true
}

/**
 * Replaces, in enumeration order, each unsafe number by the exact value of the next run of `found` (unsigned
 * digits; safe 16-digit runs are skipped), stopping when all are used. Returns false when a run with a decimal
 * tail comes up, when not every run found its number, or when an object holds unsafe numbers under
 * two keys (see the module comment); the tree then holds some bigints (see `revert`).
 */
const restore = (root: object, found: ReadonlyArray<string>): boolean => {
  const count = found.length
  let next = 0
  let ok = true
  /** The exact value of the next run for `value` (its double), or undefined (and `ok` false) when there is none. */
  const take = (value: number): bigint | undefined => {
    while (next < count) {
      const run = found[next++]!
      if (run.charCodeAt(run.length - 1) === DOT) break // a run with a decimal tail
      if (run.length === 16 && run <= MAX_SAFE_DIGITS) continue // a safe number: not one of the unsafe ones
      const big = BigInt(run)
      return value < 0 ? -big : big
    }
    ok = false
    return undefined
  }
  const visit = (value: object): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i]
        if (typeof item === "number") {
          if (item > MAX_SAFE || item < -MAX_SAFE) {
            const big = take(item)
            if (big === undefined) return
            value[i] = big
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
    let keysWithUnsafe = 0
    for (const key in record) {
      const before = next
      const item = record[key]
      if (typeof item === "number") {
        if (item > MAX_SAFE || item < -MAX_SAFE) {
          const big = take(item)
          if (big === undefined) return
          record[key] = big
        }
      } else if (typeof item === "object" && item !== null) visit(item)
      if (!ok) return
      if (next !== before && ++keysWithUnsafe > 1) {
        ok = false
        return
      }
      if (next === count) return
    }
  }
  if (count > 0) visit(root)
  // Runs left over must all be safe 16-digit ones.
  for (; ok && next < count; next++) ok = isSafeRun(found[next]!)
  return ok && count > 0
}

/**
 * Undoes a failed `restore`: every bigint back to its double (`JSON.parse` makes no bigints, and `Number` of a
 * literal's exact value is the double `JSON.parse` made of it).
 */
const revert = (value: object): void => {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item === "bigint") value[i] = Number(item)
      else if (typeof item === "object" && item !== null) revert(item)
    }
    return
  }
  const record = value as Record<string, unknown>
  for (const key in record) {
    const item = record[key]
    if (typeof item === "bigint") record[key] = Number(item)
    else if (typeof item === "object" && item !== null) revert(item)
  }
}

/** The value of the number token around text[at] (digits, sign, `.`, `e`/`E`). */
const numberAround = (text: string, at: number): number => {
  const inNumber = (code: number) =>
    isDigit(code) || code === DOT || code === MINUS || code === PLUS || isExponentMark(code)
  let start = at
  while (start > 0 && inNumber(text.charCodeAt(start - 1))) start--
  let end = at + 1
  while (end < text.length && inNumber(text.charCodeAt(end))) end++
  return Number(text.slice(start, end))
}

/** The index of the quote that closes the string whose text starts at `from` (valid JSON: there is one). */
const closingQuote = (text: string, from: number): number => {
  for (let at = text.indexOf('"', from); ; at = text.indexOf('"', at + 1)) {
    let backslashes = 0
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return at
  }
}

/**
 * The careful scan: tracks strings, so only literals outside strings are kept (unsigned digits). Returns
 * `undefined` when a decimal or exponent number outside strings is unsafe or beyond a double's range (it has
 * no literal; the reviver then decides, and throws `NumberOutOfRange` if such a number is in the result).
 * Everything runs natively but the bookkeeping: runs and exponent marks come from regexes, strings are
 * skipped from quote to quote with `indexOf`, and the two kinds of match are taken in text order.
 */
const carefulLiterals = (text: string): Array<string> | undefined => {
  const runs = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d+/g
  const marks = /\d[eE]/g
  const literals: Array<string> = []
  // The string [open, close] (quote indices) that is current or next; open = -1 when no string is left.
  let open = text.indexOf('"')
  let close = open < 0 ? -1 : closingQuote(text, open + 1)
  /** True when text[at] is inside a string; `at` never decreases between calls. */
  const inString = (at: number): boolean => {
    while (open >= 0 && close < at) {
      open = text.indexOf('"', close + 1)
      close = open < 0 ? -1 : closingQuote(text, open + 1)
    }
    return open >= 0 && open < at
  }
  const nextMark = (): number => (marks.test(text) ? marks.lastIndex - 1 : -1) // the `e`/`E`
  let run = runs.exec(text)
  let mark = nextMark()
  while (run !== null || mark >= 0) {
    if (mark >= 0 && (run === null || mark < run.index)) {
      if (!inString(mark) && isUnsafe(numberAround(text, mark))) return undefined
      mark = nextMark()
      continue
    }
    const start = run!.index
    const end = start + run![0].length
    run = runs.exec(text)
    if (inString(start)) continue
    const before = text.charCodeAt(start - 1)
    if (before === DOT || before === PLUS || isExponentMark(before)) continue // fraction or exponent digits
    if (before === MINUS && isExponentMark(text.charCodeAt(start - 2))) continue
    const after = text.charCodeAt(end)
    if (after === DOT || isExponentMark(after)) {
      if (isUnsafe(numberAround(text, start))) return undefined
      continue
    }
    if (end - start === 16 && text.slice(start, end) <= MAX_SAFE_DIGITS) continue
    literals.push(text.slice(start, end))
  }
  return literals
}

const integerLiteral = /^-?\d+$/

/** The always-exact, slow route. */
const parseWithReviver = (text: string, rejectOutOfRange: boolean): unknown =>
  JSON.parse(text, (_key: string, value: unknown, context?: { readonly source?: string }) => {
    if (typeof value !== "number" || !isUnsafe(value)) return value
    const source = context?.source
    if (source !== undefined && integerLiteral.test(source)) return BigInt(source)
    if (rejectOutOfRange && value - value !== 0) throw new NumberOutOfRange()
    return value
  })

/**
 * A one-byte (latin1) view of `bytes`, the UTF-8 encoding of `text`, to scan for runs and marks instead of the
 * text, when they are given and their lengths fit (else `undefined`). The scans look only at ASCII characters (digits,
 * `.`, `e`/`E`, `-`, `+`, quotes, backslashes) and at whether their neighbours are such characters. UTF-8
 * encodes each ASCII character as that same single byte and every other character as bytes of 0x80 and above
 * (lead and continuation bytes alike), which latin1 maps to characters that are none of those; so the view holds
 * the text's ASCII characters in the same order with the same ASCII neighbours, and every scan finds the same
 * digit strings with the same verdicts (a byte order mark at the start of one but not the other is three such
 * bytes, so harmless too). The regexes run several times faster on the one-byte view than on the two-byte
 * string V8 makes of a page holding non-ASCII text, and the view costs one native copy.
 */
const scanView = (text: string, bytes: Uint8Array | undefined): string | undefined =>
  // UTF-8 takes 1–3 bytes per UTF-16 code unit (4 per surrogate pair): other lengths are not this text's bytes.
  bytes === undefined || bytes.length < text.length || bytes.length > 3 * text.length
    ? undefined
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")

/**
 * A JSON number whose spelling a double cannot give back (`1.50`, `1e3`, `-0`, `9007199254740993.0`, `1e-400`,
 * `1e400`): its source text, exactly as sent. Made only by `parseJsonExact` with `exactNumbers` (and
 * {@link exactNumber}), so that a consumer can decide what the number is by decimal arithmetic on its text.
 */
export class JsonNumber {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
  toString(): string {
    return this.text
  }
}

/**
 * The exact value of one JSON number token, as `parseJsonExact` with `exactNumbers` gives it: a `number` when
 * `String` of its double is the token itself (integer literals within 2^53, canonical decimals), a `bigint` for an
 * integer literal beyond 2^53 (as without `exactNumbers`), else a {@link JsonNumber} holding the token.
 */
export const exactNumber = (token: string): number | bigint | JsonNumber => {
  const value = Number(token)
  if (integerLiteral.test(token) && token !== "-0") return isUnsafe(value) ? BigInt(token) : value
  return String(value) === token ? value : new JsonNumber(token)
}

/** The reviver of `exactNumbers`: every number by {@link exactNumber} of its source text. */
const exactReviver = (_key: string, value: unknown, context?: { readonly source?: string }): unknown =>
  typeof value === "number" && context?.source !== undefined ? exactNumber(context.source) : value

/** Options of `parseJsonExact`. */
export interface ParseOptions {
  /**
   * Throw `NumberOutOfRange` when the value would hold a decimal or exponent number beyond a double's range
   * (`1e400`) instead of the ±Infinity `JSON.parse` makes of it. Costs nothing on pages without such numbers.
   */
  readonly rejectOutOfRange?: boolean | undefined
  /**
   * The UTF-8 encoding of `text` (such as the response body it was decoded from), when the caller has it: the
   * digit runs are then looked for in a one-byte view of these bytes, which is faster than in a text holding
   * non-Latin-1 characters. They must be exactly `text`'s encoding; only their ASCII bytes matter (see
   * `scanView`).
   */
  readonly bytes?: Uint8Array | undefined
  /**
   * Keep every number exactly as sent: plain integers and canonical decimals as `number`s, other integer
   * literals as `bigint`s, every other spelling (`1.50`, `1e3`, `-0`, `1e-400`, `1e400`) as a {@link JsonNumber}
   * holding its text (see {@link exactNumber}). Nothing is refused for its range. Slower (a reviver reads every
   * number's source): for cells, not whole pages.
   */
  readonly exactNumbers?: boolean | undefined
  /**
   * Levels of nested arrays and objects accepted, the value itself being level 1 (default {@link MAX_NESTING});
   * deeper text throws `NestingTooDeep`. The walk that looks for unsafe numbers counts the levels; a text with an
   * unsafe number is walked once more for them.
   */
  readonly maxDepth?: number | undefined
}

/**
 * Parses JSON text like `JSON.parse`, except that an integer literal whose magnitude exceeds
 * `Number.MAX_SAFE_INTEGER` becomes an exact `bigint`. Decimal and exponent forms stay `number`s; digits
 * inside strings stay strings. Throws `SyntaxError` on malformed input, as `JSON.parse` does, and with
 * `rejectOutOfRange` throws `NumberOutOfRange` for a number beyond a double's range. Valid JSON nested deeper
 * than `maxDepth` (default 1000) levels throws `NestingTooDeep`, a `SyntaxError`.
 */
export const parseJsonExact = (text: string, options?: ParseOptions): unknown => {
  const maxDepth = options?.maxDepth ?? MAX_NESTING
  if (options?.exactNumbers === true && !textNestedWithin(text, maxDepth)) throw new NestingTooDeep(maxDepth)
  if (options?.exactNumbers === true) return JSON.parse(text, exactReviver)
  const reject = options?.rejectOutOfRange === true
  const value: unknown = JSON.parse(text)
  if (typeof value !== "object" || value === null) {
    if (typeof value !== "number" || !isUnsafe(value)) return value
    // A lone number token (how the rows transcoder calls this, once per long number): the text is its literal.
    const token = text.trim()
    return integerLiteral.test(token) ? BigInt(token) : parseWithReviver(text, reject)
  }
  // Every ±Infinity counts as unsafe, and only the reviver accepts a non-integer unsafe number.
  try {
    if (!hasUnsafe(value, maxDepth)) return value
    // The walk stopped at the first unsafe number: the rest must be checked before the recursive walks below.
    checkNesting(value, maxDepth)
  } catch (error) {
    throw error === tooDeep ? new NestingTooDeep(maxDepth) : error
  }
  const bytes = options?.bytes
  const view = scanView(text, bytes)
  const scanned = view ?? text
  if (!exponentMark.test(scanned)) {
    const runs = view === undefined || bytes === undefined ? text.match(literalRuns) : byteRuns(bytes, view)
    if (restore(value, runs ?? [])) return value
    revert(value)
  }
  const careful = carefulLiterals(scanned)
  return careful !== undefined && restore(value, careful) ? value : parseWithReviver(text, reject)
}
