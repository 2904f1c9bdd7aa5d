/**
 * Writes a page's `data_rows` straight from the response bytes to CSV or NDJSON bytes, without building rows.
 *
 * Parsing 100 000 rows into arrays, rendering them into new arrays and formatting those into strings costs
 * several times what `JSON.parse` alone does, mostly in allocation. Here each row is scanned once (as strictly
 * as `JSON.parse` for the forms taken), its cells' spans noted, and the output written into reused 1 MiB
 * chunks. How each output column is written is decided once per plan: passed through by cell kind, written by
 * its formatter's byte writer (dates: epoch seconds straight to ASCII bytes, no string), or formatted. Common
 * cells take a fast path: `null`, booleans, integer literals (printed as their digits, exact at any size),
 * decimals that print as themselves, strings (their UTF-8 bytes copied; short escapes unescaped in place for
 * CSV, and copied as they are for NDJSON, where they are already `JSON.stringify`'s text), dates. Short tokens
 * and NDJSON key prefixes are copied four bytes a step. Every other cell — `\u` and `\/` escapes, other numbers,
 * objects, any other formatted cell — becomes its value and is written by the same functions as the ordinary path
 * (`CellRules.ts`, `csvCell`, `jsonCell`, the column's formatter), so the bytes are that path's; a cell those
 * functions refuse (an unpaired surrogate, a decimal in an INT64 column, …) is named in the result (row, column,
 * reason) instead of written, and so is text that is not UTF-8 (one native check per array).
 * `test/RowsTranscoder.test.ts` checks both on generated pages.
 *
 * Anything else declines the page (`undefined`): bytes that are not valid JSON, a row of another width. The page
 * is then parsed and rendered the ordinary way, which gives the precise error or retry.
 */
import { isUtf8 } from "node:buffer"
import { exactNumber, parseJsonExact } from "@spotpipe/core/json"
import { csvCell } from "./CsvFormat.ts"
import { jsonCell } from "./NdjsonFormat.ts"
import type { Cell } from "./RowFormat.ts"
import type { CellFormatter, RenderFailure } from "./RowRenderer.ts"

/** Room a byte writer may use (`@spotpipe/decode`'s longest date text, `YYYY-MM-DDTHH:mm:ss±HH:MM`). */
const MAX_WRITTEN = 25
/** A byte writer's "no text" (the formatter gives null). */
const NO_TEXT = -1

/** What the transcoder writes, and how. */
export interface TranscoderOptions {
  readonly format: "csv" | "ndjson"
  /** Output column names (NDJSON keys). */
  readonly columns: ReadonlyArray<string>
  /** Per output column: the source cell index and its formatter (`undefined`: the cell passes through). */
  readonly sources: ReadonlyArray<number>
  readonly formatters: ReadonlyArray<CellFormatter | undefined>
  /**
   * Per output column: its formatter's strings are plain text — printable ASCII without quotes, commas,
   * backslashes, edge spaces or a leading `= + - @` (dates) — so they are copied without checks.
   */
  readonly plainText?: ReadonlyArray<boolean>
  /** Cells per source row. */
  readonly width: number
  readonly newline: "\r\n" | "\n"
  readonly escapeFormulae: boolean
  /** CSV only: the text of a null cell (see `RowFormatOptions.nullString`). */
  readonly nullString?: string
}

/**
 * The transcoded `data_rows` array: where it ended, its rows, and their text in order — or, when a cell cannot
 * be written exactly, the first such cell (`row` counted from 0 in this array) and no text.
 */
export interface Transcoded {
  readonly end: number
  readonly rowCount: number
  readonly chunks: ReadonlyArray<Uint8Array>
  readonly failure?: RenderFailure
}

/**
 * A page's rows already written as text by the export job's page decoder (see `Cluster.PageDecoder`): per sink,
 * its chunks in order.
 */
export interface EncodedRows {
  readonly _tag: "EncodedRows"
  readonly chunks: ReadonlyArray<ReadonlyArray<Uint8Array>>
  readonly rowCount: number
  /** Once written, these chunks go back to this thread's transcoders (per sink) … */
  readonly local: ReadonlyArray<ReadonlyArray<Uint8Array>>
  /** … and these to the worker that made them. */
  readonly pooled?: PooledResult
  /** A cell that cannot be written exactly (`row` counted from 0 on this page): the page has no chunks. */
  readonly failure?: RenderFailure
}

/** Rows a worker transcoded (the engine's `TranscodePool`). */
export interface PooledResult {
  /** Where the rows ended, as an index into the page's bytes. */
  readonly end: number
  readonly rowCount: number
  /** Per format, its chunks in order. */
  readonly chunks: ReadonlyArray<ReadonlyArray<Uint8Array>>
  /** The worker and plan the chunks go back to (see `TranscodePool.recycle`). */
  readonly owner: { readonly worker: number; readonly key: number }
}

/** A transcoder for one column plan and format. */
export interface RowsTranscoder {
  /** Reads the `data_rows` array at `bytes[start]` (of a valid UTF-8 body) into output chunks, or declines. */
  readonly transcode: (bytes: Uint8Array, start: number) => Transcoded | undefined
  /** Hands back chunks once written, for the next pages to reuse (memory then stays flat). */
  readonly recycle: (chunks: ReadonlyArray<Uint8Array>) => void
}

/**
 * Output is written into chunks of this size: no buffer is ever grown and copied, a page's text costs what it
 * holds (not a doubling's slack), and written chunks are reused.
 */
export const CHUNK_BYTES = 1 << 20
/** Written chunks kept for reuse, per transcoder. */
const SPARE_CHUNKS = 8

// Cell kinds noted by the scan.
const NULL = 0
const TRUE = 1
const FALSE = 2
/** An integer literal: printed as its own digits (exact whatever its size); `-0` is a NUMBER (formatted). */
const INTEGER = 3
/** Any other number literal. */
const NUMBER = 4
/** A decimal literal that `String(Number(token))` gives back unchanged: copied as it is. */
const DECIMAL = 8
/** A string without escapes: its bytes are its UTF-8 text. */
const PLAIN = 5
/** A string whose escapes are all short ones JSON.stringify also writes (`\" \\ \b \f \n \r \t`). */
const ESCAPED = 6
/** A string with a `\/` or `\u` escape: its value comes from the exact parse. */
const ESCAPED_OTHER = 9
/** An object or array. */
const NESTED = 7

// PLAIN string flags that matter to the CSV quoting rule.
const HAS_COMMA = 1
/** A 0xEF or 0xE2 lead byte: maybe a byte order mark (always quoted) or a line separator (ends a formula). */
const HAS_SPECIAL = 2
/** An escaped quote, line feed or carriage return: always quoted in CSV. */
const HAS_QUOTED_ESCAPE = 4

// How the scan treats each byte inside a string (0: part of the text, nothing to note).
const IN_TEXT = 0
const ENDS = 1
const ESCAPES = 2
const COMMA_BYTE = 3
const SPECIAL_BYTE = 4
const REFUSED = 5
const stringClass = new Uint8Array(256)
stringClass.fill(REFUSED, 0, 32) // raw control characters are not JSON
stringClass[34] = ENDS
stringClass[92] = ESCAPES
stringClass[44] = COMMA_BYTE
stringClass[0xef] = SPECIAL_BYTE
stringClass[0xe2] = SPECIAL_BYTE

// What the byte after a backslash is: a short escape (and its CSV text byte), one that needs quoting, or rare.
const escapeClass = new Uint8Array(256) // 0: not a JSON escape (declines)
const SHORT = 1
const QUOTED = 2
const OTHER = 3
const escapedByte = new Uint8Array(256)
for (const [letter, byte, cls] of [
  ['"', 34, QUOTED],
  ["\\", 92, SHORT],
  ["b", 8, SHORT],
  ["f", 12, SHORT],
  ["n", 10, QUOTED],
  ["r", 13, QUOTED],
  ["t", 9, SHORT],
  ["/", 47, OTHER],
  ["u", 0, OTHER]
] as const) {
  escapeClass[letter.charCodeAt(0)] = cls
  escapedByte[letter.charCodeAt(0)] = byte
}

// How an output column is written, decided once per plan.
/** The cell passes through: written by its kind. */
const PASS = 0
/** A plain-text column with a byte writer: epoch-second cells are written straight into the output. */
const WRITE = 1
/** Any other formatted column: the formatter's value, then the ordinary path's writer. */
const FORMAT = 2
/**
 * A column whose formatter gives back its usual cells unchanged (see `CellFormatter.usual`): those are written
 * as in PASS, the others by the formatter.
 */
const USUAL = 3
/** An integer in an INT64/INT32 column: copied when short enough to be within range, else formatted. */
const CHECK_LENGTH = 4

// A USUAL column's numbers: any literal, or integers of a range (longer literals are checked by the formatter).
const ANY_NUMBER = 0
const INT64 = 1
const INT32 = 2
/** A typed DOUBLE column: integer literals only as long as a double holds every one of them exactly. */
const DOUBLE = 3
/** Longest integer literal (sign included) certainly within the range, per numeric class. */
const safeLiteral = Uint8Array.of(255, 18, 9, 15)

const QUOTE = 34
const BACKSLASH = 92
const COMMA = 44
const SPACE = 32
const MINUS = 45
const PLUS = 43
const DOT = 46
const ZERO = 48
const NINE = 57
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const EQUALS = 61
const AT = 64
const APOSTROPHE = 39
const NEWLINE = 10
const LOWER_E = 101
const UPPER_E = 69

/** A number with a three-digit exponent can overflow a double: the ordinary path refuses such pages. */
const HUGE_EXPONENT = /\d[eE][+-]?\d{3}/

/** Thrown inside a scan to decline the page. */
class Decline {}
const decline = new Decline()

/**
 * True when a string token holds a byte order mark (EF BB BF), which papaparse always quotes. Other 0xEF/0xE2
 * sequences (dashes, quotes, line separators) change nothing in CSV unless formula escaping is on.
 */
const hasByteOrderMark = (input: Buffer, from: number, to: number): boolean => {
  for (let i = from; i + 2 < to; i++) {
    if (input[i] === 0xef && input[i + 1] === 0xbb && input[i + 2] === 0xbf) return true
  }
  return false
}

/** Writes `null` (4 bytes) at `out[at]`; returns the end. */
const writeNull = (out: Buffer, at: number): number => {
  out[at] = 110
  out[at + 1] = 117
  out[at + 2] = 108
  out[at + 3] = 108
  return at + 4
}

/**
 * Copies `input[from, to)` to `out[at]` and returns the position after it. Short tokens go four bytes a load and
 * a store: up to 3 bytes past the token are read (inside the input) and written (inside the room the caller
 * reserved, overwritten next); near the input's end byte by byte, long ones natively.
 */
const copyToken = (
  input: Buffer,
  inView: DataView,
  from: number,
  to: number,
  out: Uint8Array,
  view: DataView,
  at: number
): number => {
  const n = to - from
  if (n > 24) input.copy(out, at, from, to)
  else if (to + 3 < input.length) {
    for (let k = 0; k < n; k += 4) view.setInt32(at + k, inView.getInt32(from + k, true), true)
  } else for (let k = 0; k < n; k++) out[at + k] = input[from + k]!
  return at + n
}

const views = new WeakMap<ArrayBufferLike, DataView>()
/** A DataView of a whole chunk or input (made once per buffer). */
const viewOf = (bytes: Uint8Array): DataView => {
  let view = views.get(bytes.buffer)
  if (view === undefined || view.byteOffset !== bytes.byteOffset || view.byteLength !== bytes.byteLength) {
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    views.set(bytes.buffer, view)
  }
  return view
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * The value of a cell, as the ordinary path's exact parse gives it (`exact`: numbers as sent, see
 * `parseJsonExact`'s `exactNumbers`; else as before, for columns without a formatter). Outside integer columns
 * (`integers` false) a number whose double is finite and not 0 is given as that double: what its formatter
 * makes of the exact form too, without the cost of checking the spelling.
 */
const cellValue = (
  input: Buffer,
  kind: number,
  from: number,
  to: number,
  exact: boolean,
  integers = false
): unknown => {
  switch (kind) {
    case NULL:
      return null
    case TRUE:
      return true
    case FALSE:
      return false
    case PLAIN:
      return input.toString("utf8", from + 1, to - 1)
    case INTEGER: {
      if (to - from > 15)
        return exact
          ? exactNumber(input.toString("latin1", from, to))
          : parseJsonExact(input.toString("latin1", from, to))
      const negative = input[from] === MINUS
      let value = 0
      for (let i = negative ? from + 1 : from; i < to; i++) value = value * 10 + (input[i]! - ZERO)
      return negative ? -value : value
    }
    case NUMBER:
    case DECIMAL: {
      const token = input.toString("latin1", from, to)
      const value = Number(token)
      if (exact) return integers || value === 0 || value - value !== 0 ? exactNumber(token) : value
      if (!Number.isFinite(value)) throw decline
      return value
    }
    default: {
      const token = input.toString("utf8", from, to)
      // SyntaxError on a bad escape or nesting: declines. A string holds no number: a plain parse is exact.
      if (kind === ESCAPED_OTHER) return JSON.parse(token)
      if (exact) return parseJsonExact(token, { exactNumbers: true })
      if (kind === NESTED && HUGE_EXPONENT.test(token)) throw decline
      return parseJsonExact(token)
    }
  }
}

/** The first byte of `input[from, to)` that does not start a valid UTF-8 sequence there. */
const firstInvalidByte = (input: Buffer, from: number, to: number): number => {
  for (let i = from; i < to; i++) {
    const lead = input[i]!
    if (lead < 0x80) continue
    const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2
    if (i + length > to || !isUtf8(input.subarray(i, i + length))) return i
    i += length - 1
  }
  return to
}

/**
 * The cell of a `data_rows` array (valid JSON, just scanned) that holds the first byte that is not UTF-8: its
 * row and output column, for the error.
 */
const invalidUtf8 = (
  input: Buffer,
  start: number,
  end: number,
  options: Pick<TranscoderOptions, "columns" | "sources">
): RenderFailure => {
  const bad = firstInvalidByte(input, start, end)
  let depth = 0
  let row = -1
  let cell = 0
  for (let i = start; i < bad; i++) {
    const code = input[i]
    if (code === QUOTE) {
      for (i++; i < bad && input[i] !== QUOTE; i++) if (input[i] === BACKSLASH) i++
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth === 2) {
        row++
        cell = 0
      }
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) depth--
    else if (code === COMMA && depth === 2) cell++
  }
  const output = options.sources.indexOf(cell)
  const bytes = [...input.subarray(bad, Math.min(bad + 4, end))].map((b) =>
    b.toString(16).toUpperCase().padStart(2, "0")
  )
  return {
    row: Math.max(row, 0),
    column: options.columns[output] ?? `#${cell + 1}`,
    error: new Error(
      `the text is not valid UTF-8 (bytes ${bytes.join(" ")}…); it is never written with replacement characters: correct the value at the source`
    )
  }
}

/** Makes a transcoder for one column plan and format. */
export const makeRowsTranscoder = (options: TranscoderOptions): RowsTranscoder => {
  const { width, escapeFormulae } = options
  const sources = Int32Array.from(options.sources)
  const formatters = options.formatters
  const csv = options.format === "csv"
  const outputs = sources.length
  const lineEnd = Buffer.from(csv ? options.newline : "}\n")
  // CSV: a null cell's bytes; with a null text, a string cell equal to it is quoted (see `csvCell`).
  const nullText = csv ? (options.nullString ?? "") : ""
  const nullBytes = Buffer.from(nullText, "utf8")
  const nullLength = nullBytes.length
  // Room before a byte writer runs: its longest text (quoted for NDJSON), or the CSV null string when it declines.
  const writeRoom = Math.max(MAX_WRITTEN + 2, nullLength)
  const plainText = Uint8Array.from(sources, (_, o) => (options.plainText?.[o] === true ? 1 : 0))
  // Per output column, how it is written (and its byte writer): decided here, not per cell.
  const writers = formatters.map((format, o) => (plainText[o] === 1 ? format?.writeBytes : undefined))
  const modes = Uint8Array.from(sources, (_, o) =>
    formatters[o] === undefined
      ? PASS
      : writers[o] !== undefined
        ? WRITE
        : formatters[o]?.usual !== undefined
          ? USUAL
          : FORMAT
  )
  const numeric = Uint8Array.from(sources, (_, o) => {
    const usual = formatters[o]?.usual
    return usual === "int64"
      ? INT64
      : usual === "int32"
        ? INT32
        : formatters[o]?.typed === "double"
          ? DOUBLE
          : ANY_NUMBER
  })
  // How each output column writes each cell kind, so the loop decides with one load: a USUAL column copies its
  // usual cells (PASS) and formats the rest; an integer in an INT64/INT32 column is copied when short enough.
  // A typed column (`CellFormatter.typed`) copies only nulls and what its kind holds as written; strings and the
  // rest go to its formatter, which refuses what the column cannot hold.
  const cellModes = new Uint8Array(outputs << 4)
  for (let o = 0; o < outputs; o++) {
    const typed = formatters[o]?.typed
    for (let kind = 0; kind < 16; kind++) {
      let mode = modes[o]!
      if (mode === USUAL) {
        const integers = numeric[o] === INT64 || numeric[o] === INT32
        mode =
          kind === NUMBER || kind === ESCAPED_OTHER || kind === NESTED || (kind === DECIMAL && integers)
            ? FORMAT
            : kind === INTEGER && numeric[o] !== ANY_NUMBER
              ? CHECK_LENGTH
              : typed === undefined || kind === NULL
                ? PASS
                : (kind === TRUE || kind === FALSE) && typed === "boolean"
                  ? PASS
                  : (kind === DECIMAL || kind === INTEGER) && typed === "double"
                    ? PASS
                    : FORMAT
      }
      cellModes[(o << 4) | kind] = mode
    }
  }
  // NDJSON key prefixes (`{"a":` then `,"b":` …), all in one buffer: prefix o is [prefixAt[o], prefixAt[o + 1]).
  const prefixTexts = options.columns.map((name, i) => (i === 0 ? "{" : ",") + JSON.stringify(name) + ":")
  const prefixBytes = Buffer.from(prefixTexts.join(""))
  const prefixAt = new Int32Array(outputs + 1)
  for (let o = 0; o < outputs; o++) prefixAt[o + 1] = prefixAt[o]! + Buffer.byteLength(prefixTexts[o] ?? "")
  // The same prefixes as little-endian 4-byte words, each prefix starting a word: prefix o is words
  // [prefixWordAt[o], prefixWordAt[o + 1]).
  const prefixWordAt = new Int32Array(outputs + 1)
  for (let o = 0; o < outputs; o++)
    prefixWordAt[o + 1] = prefixWordAt[o]! + ((prefixAt[o + 1]! - prefixAt[o]! + 3) >> 2)
  const prefixWords = new Int32Array(prefixWordAt[outputs]!)
  for (let o = 0; o < outputs; o++) {
    const padded = Buffer.alloc((prefixWordAt[o + 1]! - prefixWordAt[o]!) * 4)
    prefixBytes.copy(padded, 0, prefixAt[o]!, prefixAt[o + 1]!)
    for (let k = 0; k < padded.length; k += 4) prefixWords[prefixWordAt[o]! + k / 4] = padded.readInt32LE(k)
  }
  const cells = Math.max(width, 1)
  const kinds = new Uint8Array(cells)
  const flags = new Uint8Array(cells)
  const starts = new Int32Array(cells)
  const ends = new Int32Array(cells)
  /** A cell's text by the ordinary path's functions. */
  const formatted = (value: Cell): string => (csv ? csvCell(value, escapeFormulae, nullText) : jsonCell(value))
  const spare: Array<Buffer> = []
  /** A fresh chunk with room for at least `bytes`. */
  const chunk = (bytes: number): Buffer =>
    bytes <= CHUNK_BYTES ? (spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES)) : Buffer.allocUnsafeSlow(bytes)
  const recycle = (chunks: ReadonlyArray<Uint8Array>): void => {
    for (const c of chunks) {
      if (spare.length < SPARE_CHUNKS && c.byteOffset === 0 && c.buffer.byteLength === CHUNK_BYTES) {
        spare.push(Buffer.from(c.buffer as ArrayBuffer))
      }
    }
  }

  const transcode = (bytes: Uint8Array, start: number): Transcoded | undefined => {
    const input = asBuffer(bytes)
    // Locals only in the loop below (no closure shares them), so V8 keeps them in registers.
    const filled: Array<Uint8Array> = []
    const inView = viewOf(input)
    let out = chunk(0)
    let view = viewOf(out)
    let at = 0
    let pos = start
    let rowCount = 0
    // The first cell that cannot be written exactly; from then on rows are only scanned (to find the end).
    let failure: RenderFailure | undefined
    let writing = outputs
    try {
      if (input[pos] !== OPEN_BRACKET) return undefined
      pos++
      while (input[pos] === SPACE || input[pos] === NEWLINE || input[pos] === 13 || input[pos] === 9) pos++
      if (input[pos] === CLOSE_BRACKET) {
        recycle([out])
        return { end: pos + 1, rowCount, chunks: [] }
      }
      for (;;) {
        while (input[pos] === SPACE || input[pos] === NEWLINE || input[pos] === 13 || input[pos] === 9) pos++
        if (input[pos] !== OPEN_BRACKET) throw decline
        pos++
        // Scan the row: each cell's kind and span.
        for (let c = 0; c < width; c++) {
          let code = input[pos]
          while (code === SPACE || code === NEWLINE || code === 13 || code === 9) code = input[++pos]
          starts[c] = pos
          if (code === QUOTE) {
            let kind = PLAIN
            let flag = 0
            // One table read per byte; only bytes that matter leave the inner loop.
            for (;;) {
              code = input[++pos]
              const cls = stringClass[code!]
              if (cls === IN_TEXT) continue
              if (cls === ENDS) break
              if (cls === COMMA_BYTE) flag |= HAS_COMMA
              else if (cls === SPECIAL_BYTE) flag |= HAS_SPECIAL
              else if (cls === ESCAPES) {
                const escaped = escapeClass[input[++pos]!]
                if (escaped === QUOTED) flag |= HAS_QUOTED_ESCAPE
                else if (escaped === OTHER) kind = ESCAPED_OTHER
                else if (escaped !== SHORT) throw decline // not a JSON escape, or cut short
                if (kind === PLAIN) kind = ESCAPED
              } else throw decline // cut short, or a raw control character
            }
            pos++
            kinds[c] = kind
            flags[c] = flag
          } else if (code === MINUS || (code !== undefined && code >= ZERO && code <= NINE)) {
            let kind = INTEGER
            if (code === MINUS) code = input[++pos]
            const first = pos
            while (code !== undefined && code >= ZERO && code <= NINE) code = input[++pos]
            const digits = pos - first
            if (digits === 0 || (digits > 1 && input[first] === ZERO)) throw decline
            if (digits === 1 && input[first] === ZERO && first > starts[c]!) kind = NUMBER // -0: a double's -0, an integer column's 0
            if (code === DOT) {
              const fraction = ++pos
              code = input[pos]
              while (code !== undefined && code >= ZERO && code <= NINE) code = input[++pos]
              if (pos === fraction) throw decline
              // Canonical when it has at most 15 significant digits (so no shorter decimal names the same
              // double), no trailing zero, and is at least 1e-6 (below, JavaScript prints an exponent).
              let significant = pos - fraction
              let leadingZeros = 0
              if (digits === 1 && input[first] === ZERO) {
                while (leadingZeros < significant && input[fraction + leadingZeros] === ZERO) leadingZeros++
                significant -= leadingZeros
              } else significant += digits
              kind =
                kind === INTEGER && significant <= 15 && significant > 0 && leadingZeros <= 5 && input[pos - 1] !== ZERO
                  ? DECIMAL
                  : NUMBER
            }
            if (code === LOWER_E || code === UPPER_E) {
              kind = NUMBER
              code = input[++pos]
              if (code === PLUS || code === MINUS) code = input[++pos]
              const exponent = pos
              while (code !== undefined && code >= ZERO && code <= NINE) code = input[++pos]
              if (pos === exponent) throw decline
            }
            kinds[c] = kind
          } else if (code === 110 && input[pos + 1] === 117 && input[pos + 2] === 108 && input[pos + 3] === 108) {
            kinds[c] = NULL
            pos += 4
          } else if (code === 116 && input[pos + 1] === 114 && input[pos + 2] === 117 && input[pos + 3] === 101) {
            kinds[c] = TRUE
            pos += 4
          } else if (
            code === 102 &&
            input[pos + 1] === 97 &&
            input[pos + 2] === 108 &&
            input[pos + 3] === 115 &&
            input[pos + 4] === 101
          ) {
            kinds[c] = FALSE
            pos += 5
          } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
            // Find the matching close, skipping strings; JSON.parse of the token validates the rest.
            let depth = 0
            for (;;) {
              code = input[pos]
              if (code === undefined) throw decline
              if (code === QUOTE) {
                for (pos++; input[pos] !== QUOTE; pos++) {
                  if (pos >= input.length) throw decline
                  if (input[pos] === BACKSLASH) pos++
                }
              } else if (code === OPEN_BRACKET || code === OPEN_BRACE) depth++
              else if ((code === CLOSE_BRACKET || code === CLOSE_BRACE) && --depth === 0) {
                pos++
                break
              }
              pos++
            }
            kinds[c] = NESTED
          } else throw decline
          ends[c] = pos
          code = input[pos]
          while (code === SPACE || code === NEWLINE || code === 13 || code === 9) code = input[++pos]
          if (code !== (c === width - 1 ? CLOSE_BRACKET : COMMA)) throw decline
          pos++
        }
        if (width === 0) {
          while (input[pos] === SPACE || input[pos] === NEWLINE || input[pos] === 13 || input[pos] === 9) pos++
          if (input[pos++] !== CLOSE_BRACKET) throw decline
        }

        // Write the row. Room for the separators and the line end first; cells reserve their own.
        if (at + 64 > out.length) {
          filled.push(out.subarray(0, at))
          out = chunk(64)
          view = viewOf(out)
          at = 0
        }
        for (let o = 0; o < writing; o++) {
          if (csv) {
            if (o > 0) {
              if (at + 1 > out.length) {
                filled.push(out.subarray(0, at))
                out = chunk(1)
                view = viewOf(out)
                at = 0
              }
              out[at++] = COMMA
            }
          } else {
            const length = prefixAt[o + 1]! - prefixAt[o]!
            if (at + length + 4 > out.length) {
              filled.push(out.subarray(0, at))
              out = chunk(length + 4)
              view = viewOf(out)
              at = 0
            }
            // Four bytes a store; the last word may write up to 3 bytes past the prefix (overwritten next).
            for (let w = prefixWordAt[o]!, k = 0; k < length; w++, k += 4) view.setInt32(at + k, prefixWords[w]!, true)
            at += length
          }
          const c = sources[o]!
          const kind = kinds[c]!
          let from = starts[c]!
          let to = ends[c]!
          // One table load decides how this cell is written (see `cellModes`).
          let mode = cellModes[(o << 4) | kind]!
          if (mode === CHECK_LENGTH) mode = to - from > safeLiteral[numeric[o]!]! ? FORMAT : PASS
          let value: string | undefined
          if (mode !== PASS) {
            if (mode === WRITE && (kind === NULL || (kind === INTEGER && to - from <= 15))) {
              // Epoch seconds (or null) straight into the output: no number-to-string, no rendered string.
              if (at + writeRoom > out.length) {
                filled.push(out.subarray(0, at))
                out = chunk(writeRoom)
                view = viewOf(out)
                at = 0
              }
              let seconds: number | null = null
              if (kind === INTEGER) {
                const negative = input[from] === MINUS
                seconds = 0
                for (let i = negative ? from + 1 : from; i < to; i++) seconds = seconds * 10 + (input[i]! - ZERO)
                if (negative) seconds = -seconds
              }
              const end = writers[o]!(seconds, out, csv ? at : at + 1)
              if (end >= 0) {
                if (csv) at = end
                else {
                  out[at] = QUOTE
                  out[end] = QUOTE
                  at = end + 1
                }
                continue
              }
              if (end === NO_TEXT) {
                // A null: the room made above holds the CSV null string too.
                if (!csv) at = writeNull(out, at)
                else if (nullLength > 0) at += nullBytes.copy(out, at)
                continue
              }
              // Anything else: the formatter says what is wrong.
            }
            const rendered = formatters[o]!(
              cellValue(input, kind, from, to, true, numeric[o] === INT64 || numeric[o] === INT32)
            )
            if (rendered instanceof Error) {
              failure = { row: rowCount, column: options.columns[o] ?? "", error: rendered }
              writing = 0
              break
            }
            if (typeof rendered === "string") {
              // Plain-text columns, and most other rendered cells, are short ASCII text that needs no quoting or
              // escaping: copied here; anything else goes through the ordinary path's cell writer.
              const n = rendered.length
              if (at + n + 2 > out.length) {
                filled.push(out.subarray(0, at))
                out = chunk(n + 2)
                view = viewOf(out)
                at = 0
              }
              const first = rendered.charCodeAt(0)
              let simple =
                (plainText[o] === 1 ||
                  (n > 0 &&
                    first !== SPACE &&
                    rendered.charCodeAt(n - 1) !== SPACE &&
                    !(
                      csv &&
                      escapeFormulae &&
                      (first === EQUALS || first === PLUS || first === MINUS || first === AT)
                    ))) &&
                !(nullLength > 0 && (n === 0 || (n === nullLength && rendered === nullText)))
              const mark = at
              if (!csv && simple) out[at++] = QUOTE
              for (let i = 0; simple && i < n; i++) {
                const code = rendered.charCodeAt(i)
                if (code < SPACE || code > 126 || code === QUOTE || code === BACKSLASH || code === COMMA) simple = false
                else out[at++] = code
              }
              if (simple) {
                if (!csv) out[at++] = QUOTE
                continue
              }
              at = mark
            }
            value = formatted(rendered)
          } else if (kind === NULL) {
            if (csv) {
              if (nullLength > 0) {
                if (at + nullLength > out.length) {
                  filled.push(out.subarray(0, at))
                  out = chunk(nullLength)
                  view = viewOf(out)
                  at = 0
                }
                at += nullBytes.copy(out, at)
              }
              continue
            }
            if (at + 4 > out.length) {
              filled.push(out.subarray(0, at))
              out = chunk(4)
              view = viewOf(out)
              at = 0
            }
            at = writeNull(out, at)
            continue
          } else if (kind === PLAIN || kind === ESCAPED) {
            if (csv) {
              // papaparse's rule for a string (see CsvFormat): quoted when it holds a comma, quote, line break
              // or byte order mark, or starts or ends with a space; formula escaping when asked.
              const flag = flags[c]!
              if (
                (kind === ESCAPED && escapeFormulae) ||
                // Short escapes at most double a text's length: only then can an escaped string be the null text.
                (kind === ESCAPED && nullLength > 0 && to - from - 2 <= 2 * nullLength) ||
                // Maybe `\.` (quoted, see CsvFormat): a short string that starts with an escape (`\\`, `\u005c`).
                (kind === ESCAPED && to - from <= 14 && input[from + 1] === BACKSLASH) ||
                ((flag & HAS_SPECIAL) !== 0 && (escapeFormulae || hasByteOrderMark(input, from, to))) ||
                (nullLength > 0 && to - from - 2 === nullLength && nullBytes.equals(input.subarray(from + 1, to - 1)))
              ) {
                value = formatted(cellValue(input, kind, from, to, false) as string)
              } else {
                from++
                to--
                const first = input[from]
                let apostrophe = false
                let quote: boolean
                if (escapeFormulae && (first === EQUALS || first === PLUS || first === MINUS || first === AT)) {
                  quote = true
                  apostrophe = true
                } else {
                  // An empty string is `""` when there is a null string (see CsvFormat).
                  quote =
                    (flag & (HAS_COMMA | HAS_QUOTED_ESCAPE)) !== 0 ||
                    (to > from ? first === SPACE || input[to - 1] === SPACE : nullLength > 0)
                }
                if (at + (to - from) + 16 > out.length) {
                  filled.push(out.subarray(0, at))
                  out = chunk(to - from + 16)
                  view = viewOf(out)
                  at = 0
                }
                if (quote) out[at++] = QUOTE
                if (apostrophe) out[at++] = APOSTROPHE
                if (kind === ESCAPED) {
                  // Unescape into the output; an escaped quote is doubled (the cell is quoted then).
                  for (let i = from; i < to; i++) {
                    let code = input[i]!
                    if (code === BACKSLASH) {
                      code = escapedByte[input[++i]!]!
                      if (code === QUOTE) out[at++] = QUOTE
                    }
                    out[at++] = code
                  }
                } else {
                  at = copyToken(input, inView, from, to, out, view, at)
                }
                if (quote) out[at++] = QUOTE
                continue
              }
            }
            // NDJSON: a string whose escapes are JSON.stringify's own is its own JSON text; copied below.
          } else if (kind !== TRUE && kind !== FALSE && kind !== INTEGER && kind !== DECIMAL) {
            value = formatted(cellValue(input, kind, from, to, false) as Cell)
          }
          if (value !== undefined) {
            if (at + value.length * 3 + 16 > out.length) {
              filled.push(out.subarray(0, at))
              out = chunk(value.length * 3 + 16)
              view = viewOf(out)
              at = 0
            }
            at += out.write(value, at, "utf8")
            continue
          }
          // Copy the token as it is: booleans, integers, canonical decimals, JSON strings (NDJSON).
          if (at + (to - from) + 16 > out.length) {
            filled.push(out.subarray(0, at))
            out = chunk(to - from + 16)
            view = viewOf(out)
            at = 0
          }
          at = copyToken(input, inView, from, to, out, view, at)
        }
        if (at + 64 > out.length) {
          filled.push(out.subarray(0, at))
          out = chunk(64)
          view = viewOf(out)
          at = 0
        }
        if (!csv && outputs === 0) out[at++] = OPEN_BRACE
        for (let i = 0; i < lineEnd.length; i++) out[at++] = lineEnd[i]!
        if (failure !== undefined) {
          // Rows are no longer written, so the strings with rare escapes and the nested cells that writing would
          // parse are checked here: malformed text still declines.
          for (let c = 0; c < width; c++) {
            if (kinds[c] === NESTED || kinds[c] === ESCAPED_OTHER)
              JSON.parse(input.toString("utf8", starts[c], ends[c]))
          }
        }
        rowCount++

        let code = input[pos]
        while (code === SPACE || code === NEWLINE || code === 13 || code === 9) code = input[++pos]
        pos++
        if (code === CLOSE_BRACKET) {
          // Text that is not UTF-8 is never written with replacement characters (an unlikely case: one native check).
          const invalid = isUtf8(input.subarray(start, pos)) ? undefined : invalidUtf8(input, start, pos, options)
          if (failure !== undefined || invalid !== undefined) {
            recycle([...filled, out])
            const first =
              invalid === undefined || (failure !== undefined && failure.row < invalid.row) ? failure! : invalid
            return { end: pos, rowCount, chunks: [], failure: first }
          }
          if (at > 0) filled.push(out.subarray(0, at))
          else recycle([out])
          return { end: pos, rowCount, chunks: filled }
        }
        if (code !== COMMA) throw decline
      }
    } catch (error) {
      if (error === decline || error instanceof SyntaxError) {
        recycle([...filled, out])
        return undefined
      }
      throw error
    }
  }
  return { transcode, recycle }
}
