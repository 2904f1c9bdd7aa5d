/**
 * Writes a page's `data_rows` straight from the response bytes to CSV or NDJSON bytes, without building rows.
 *
 * Parsing 100 000 rows into arrays, rendering them into new arrays and formatting those into strings costs
 * several times what `JSON.parse` alone does, mostly in allocation. Here each row is scanned once (as strictly
 * as `JSON.parse` for the forms taken), its cells' spans noted, and the output written byte by byte into reused
 * 1 MiB chunks. Common cells take a fast path: `null`, booleans, integer literals (printed as their digits,
 * which is exact at any size), decimals that print as themselves, strings without escapes (their UTF-8 bytes
 * copied; the body is known to be valid UTF-8), and rendered dates (plain ASCII, copied as is). Every other
 * cell — escapes, other numbers, objects, any other formatted cell — becomes its value and is written by the
 * same functions as the ordinary path (`csvCell`, `jsonCell`, the column's formatter), so the bytes are that
 * path's; `test/RowsTranscoder.test.ts` checks it on generated pages.
 *
 * Anything else declines the page (`undefined`): bytes that are not valid JSON, a row of another width, a
 * number beyond a double, a cell its formatter refuses. The page is then parsed and rendered the ordinary
 * way, which gives the precise error or retry.
 */
import { parseJsonExact } from "@spotpipe/core/json"
import { csvCell } from "./CsvFormat.ts"
import { jsonCell } from "./NdjsonFormat.ts"
import type { Cell } from "./RowFormat.ts"
import type { CellFormatter } from "./RowRenderer.ts"

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
}

/** The transcoded `data_rows` array: where it ended, its rows, and their text in order. */
export interface Transcoded {
  readonly end: number
  readonly rowCount: number
  readonly chunks: ReadonlyArray<Uint8Array>
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
/** An integer literal: printed as its own digits (exact whatever its size); `-0` is a NUMBER. */
const INTEGER = 3
/** Any other number literal. */
const NUMBER = 4
/** A decimal literal that `String(Number(token))` gives back unchanged: copied as it is. */
const DECIMAL = 8
/** A string without escapes: its bytes are its UTF-8 text. */
const PLAIN = 5
/** A string with escapes. */
const ESCAPED = 6
/** An object or array. */
const NESTED = 7

// PLAIN string flags that matter to the CSV quoting rule.
const HAS_COMMA = 1
/** A 0xEF or 0xE2 lead byte: maybe a byte order mark (always quoted) or a line separator (ends a formula). */
const HAS_SPECIAL = 2

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

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** The value of a cell, as the ordinary path's exact parse would give it. */
const cellValue = (input: Buffer, kind: number, from: number, to: number): unknown => {
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
      if (to - from > 15) return parseJsonExact(input.toString("latin1", from, to))
      const negative = input[from] === MINUS
      let value = 0
      for (let i = negative ? from + 1 : from; i < to; i++) value = value * 10 + (input[i]! - ZERO)
      return negative ? -value : value
    }
    case NUMBER:
    case DECIMAL: {
      const value = Number(input.toString("latin1", from, to))
      if (!Number.isFinite(value)) throw decline
      return value
    }
    default: {
      const token = input.toString("utf8", from, to)
      if (kind === NESTED && HUGE_EXPONENT.test(token)) throw decline
      return parseJsonExact(token) // SyntaxError on a bad escape or nesting: declines
    }
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
  const plainText = Uint8Array.from(sources, (_, o) => (options.plainText?.[o] === true ? 1 : 0))
  // NDJSON key prefixes (`{"a":` then `,"b":` …), all in one buffer: prefix o is [prefixAt[o], prefixAt[o + 1]).
  const prefixTexts = options.columns.map((name, i) => (i === 0 ? "{" : ",") + JSON.stringify(name) + ":")
  const prefixBytes = Buffer.from(prefixTexts.join(""))
  const prefixAt = new Int32Array(outputs + 1)
  for (let o = 0; o < outputs; o++) prefixAt[o + 1] = prefixAt[o]! + Buffer.byteLength(prefixTexts[o] ?? "")
  const cells = Math.max(width, 1)
  const kinds = new Uint8Array(cells)
  const flags = new Uint8Array(cells)
  const starts = new Int32Array(cells)
  const ends = new Int32Array(cells)
  /** A cell's text by the ordinary path's functions. */
  const formatted = (value: Cell): string => (csv ? csvCell(value, escapeFormulae) : jsonCell(value))
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
    let out = chunk(0)
    let at = 0
    let pos = start
    let rowCount = 0
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
            code = input[++pos]
            while (code !== QUOTE) {
              if (code === undefined || code < SPACE) throw decline // cut short, or a raw control character
              if (code === BACKSLASH) {
                kind = ESCAPED
                pos++ // the escape itself is checked by JSON.parse of the token
              } else if (code === COMMA) flag |= HAS_COMMA
              else if (code === 0xef || code === 0xe2) flag |= HAS_SPECIAL
              code = input[++pos]
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
            if (digits === 1 && input[first] === ZERO && first > starts[c]!) kind = NUMBER // -0 prints as 0
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
          at = 0
        }
        for (let o = 0; o < outputs; o++) {
          if (csv) {
            if (o > 0) {
              if (at + 1 > out.length) {
                filled.push(out.subarray(0, at))
                out = chunk(1)
                at = 0
              }
              out[at++] = COMMA
            }
          } else {
            const first = prefixAt[o]!
            const last = prefixAt[o + 1]!
            if (at + (last - first) > out.length) {
              filled.push(out.subarray(0, at))
              out = chunk(last - first)
              at = 0
            }
            for (let i = first; i < last; i++) out[at++] = prefixBytes[i]!
          }
          const c = sources[o]!
          const format = formatters[o]
          const kind = kinds[c]!
          let from = starts[c]!
          let to = ends[c]!
          let quote = false
          let apostrophe = false
          let value: string | undefined
          if (format !== undefined) {
            const rendered = format(cellValue(input, kind, from, to))
            if (rendered instanceof Error) throw decline // the ordinary path names the row, column and cause
            if (plainText[o] === 1 && typeof rendered === "string") {
              const n = rendered.length
              if (at + n + 2 > out.length) {
                filled.push(out.subarray(0, at))
                out = chunk(n + 2)
                at = 0
              }
              if (!csv) out[at++] = QUOTE
              for (let i = 0; i < n; i++) out[at++] = rendered.charCodeAt(i)
              if (!csv) out[at++] = QUOTE
              continue
            }
            if (typeof rendered === "string") {
              // Most other rendered cells are short ASCII text that needs no quoting or escaping: copied here;
              // anything else goes through the ordinary path's cell writer.
              const n = rendered.length
              if (at + n + 2 > out.length) {
                filled.push(out.subarray(0, at))
                out = chunk(n + 2)
                at = 0
              }
              const first = rendered.charCodeAt(0)
              let simple =
                n > 0 &&
                first !== SPACE &&
                rendered.charCodeAt(n - 1) !== SPACE &&
                !(csv && escapeFormulae && (first === EQUALS || first === PLUS || first === MINUS || first === AT))
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
            if (csv) continue
            value = "null"
          } else if (kind === PLAIN && csv) {
            // papaparse's rule for a string without quotes or line breaks (see CsvFormat).
            if ((flags[c]! & HAS_SPECIAL) !== 0) value = formatted(cellValue(input, kind, from, to) as string)
            else {
              from++
              to--
              const first = input[from]
              if (escapeFormulae && (first === EQUALS || first === PLUS || first === MINUS || first === AT)) {
                quote = true
                apostrophe = true
              } else {
                quote = (flags[c]! & HAS_COMMA) !== 0 || (to > from && (first === SPACE || input[to - 1] === SPACE))
              }
            }
          } else if (kind !== TRUE && kind !== FALSE && kind !== INTEGER && kind !== DECIMAL && kind !== PLAIN) {
            value = formatted(cellValue(input, kind, from, to) as Cell)
          }
          if (value !== undefined) {
            if (at + value.length * 3 + 16 > out.length) {
              filled.push(out.subarray(0, at))
              out = chunk(value.length * 3 + 16)
              at = 0
            }
            at += out.write(value, at, "utf8")
            continue
          }
          // Copy the token (or a plain string's inside) as it is: booleans, integers, JSON strings.
          if (at + (to - from) + 16 > out.length) {
            filled.push(out.subarray(0, at))
            out = chunk(to - from + 16)
            at = 0
          }
          if (quote) out[at++] = QUOTE
          if (apostrophe) out[at++] = APOSTROPHE
          if (to - from > 24) {
            input.copy(out, at, from, to)
            at += to - from
          } else for (let i = from; i < to; i++) out[at++] = input[i]!
          if (quote) out[at++] = QUOTE
        }
        if (at + 64 > out.length) {
          filled.push(out.subarray(0, at))
          out = chunk(64)
          at = 0
        }
        if (!csv && outputs === 0) out[at++] = OPEN_BRACE
        for (let i = 0; i < lineEnd.length; i++) out[at++] = lineEnd[i]!
        rowCount++

        let code = input[pos]
        while (code === SPACE || code === NEWLINE || code === 13 || code === 9) code = input[++pos]
        pos++
        if (code === CLOSE_BRACKET) {
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
