/**
 * Reads a typed output's staged CSV (`typedStaging` in TypedCells.ts) into a {@link ParquetEncoder}'s columns.
 *
 * The staged text is spotpipe's own: `\n` line ends, `\N` for null (a string `\N` is quoted), strings quoted with
 * doubled quotes when they hold a comma, quote, line break or edge space, and typed columns holding only the
 * canonical text their kind reads exactly. The usual forms (integers, decimals, `true`/`false`, `YYYY-MM-DD`,
 * `YYYY-MM-DDTHH:mm:ss` with `Z` or an offset, `HH:mm:ss`) are read from the bytes; any other text goes through
 * `typedCell`, the one reading of a typed cell, so both agree (`test/StagedRows.test.ts` holds them to it).
 * {@link StagedParquetWriter} takes the staged file in pieces of any size, as the engine's worker reads it.
 */
import type { ColumnKind } from "../ColumnKinds.ts"
import { daysFromCivil, typedCell } from "../TypedCells.ts"
import { ParquetEncoder } from "./ParquetEncoder.ts"

const QUOTE = 34
const COMMA = 44
const NEWLINE = 10
const BACKSLASH = 92
const MINUS = 45
const ZERO = 48

const TWO_32 = 2 ** 32
/** |microseconds| below this are exact as doubles. */
const SAFE = 2 ** 53

/** The kinds by code: the reader switches on a column's code. */
const kindByCode: ReadonlyArray<ColumnKind> = [
  "text",
  "int64",
  "int32",
  "double",
  "boolean",
  "date",
  "timestamp",
  "time"
]
/** The width of a kind's usual staged text: `YYYY-MM-DD`, `HH:mm:ss`, `YYYY-MM-DDTHH:mm:ssZ`. */
const usualWidths: Partial<Record<ColumnKind, number>> = { date: 10, time: 8, timestamp: 20 }
/** Text up to this many bytes is copied while its end is found. */
const SHORT_TEXT = 64
const TEXT = 0
const INT64 = 1
const INT32 = 2
const DOUBLE = 3
const BOOLEAN = 4
const DATE = 5
const TIMESTAMP = 6

/** A staged cell that its column's kind does not read: names the row (counted from the file's first) and column. */
export class StagedCellError extends Error {}

/** Writes an exact integer (|value| < 2^53) as a little-endian int64. */
const setInt64 = (view: DataView, at: number, value: number): void => {
  const high = Math.floor(value / TWO_32)
  view.setUint32(at, value - high * TWO_32, true)
  view.setInt32(at + 4, high, true)
}

/**
 * Writes the integer of at most 18 digits (and a sign) at `bytes[from, to)` as a little-endian int64 and returns
 * true, or returns false for any other text (then read by `typedCell`). 18 digits stay below 2^60; the value is
 * put together from parts below 2^53, so it is exact without a bigint.
 */
const writeInteger = (view: DataView, at: number, bytes: Uint8Array, from: number, to: number): boolean => {
  const negative = bytes[from] === MINUS
  const first = negative ? from + 1 : from
  const digits = to - first
  if (digits === 0 || digits > 18 || (digits > 1 && bytes[first] === ZERO)) return false
  const split = digits > 9 ? to - 9 : first
  let high = 0 // the digits before the last nine
  for (let i = first; i < split; i++) {
    const d = bytes[i]! - ZERO
    if (d < 0 || d > 9) return false
    high = high * 10 + d
  }
  let low = 0 // the last nine (or all)
  for (let i = split; i < to; i++) {
    const d = bytes[i]! - ZERO
    if (d < 0 || d > 9) return false
    low = low * 10 + d
  }
  let lo: number
  let hi: number
  if (high === 0) {
    lo = low
    hi = 0
  } else {
    // high × 10^9 + low = x × 2^15 + y, with x = (high >> 15) × 10^9 and y = (high & 0x7fff) × 10^9 + low.
    const x = Math.floor(high / 32768) * 1e9
    const y = (high % 32768) * 1e9 + low
    const lowFull = (x % 131072) * 32768 + y // x × 2^15 = ⌊x / 2^17⌋ × 2^32 + (x mod 2^17) × 2^15
    lo = lowFull >>> 0
    hi = Math.floor(x / 131072) + Math.floor(lowFull / TWO_32)
  }
  if (negative) {
    // Two's complement of the 64-bit magnitude.
    if (lo === 0) hi = (TWO_32 - hi) % TWO_32
    else {
      lo = TWO_32 - lo
      hi = TWO_32 - hi - 1
    }
  }
  view.setUint32(at, lo, true)
  view.setUint32(at + 4, hi, true)
  return true
}

/** An INT32 of at most 9 digits (and a sign) at `bytes[from, to)`, or NaN for any other text. */
const int32At = (bytes: Uint8Array, from: number, to: number): number => {
  const negative = bytes[from] === MINUS
  const first = negative ? from + 1 : from
  const digits = to - first
  if (digits === 0 || digits > 9 || (digits > 1 && bytes[first] === ZERO)) return Number.NaN
  let value = 0
  for (let i = first; i < to; i++) {
    const d = bytes[i]! - ZERO
    if (d < 0 || d > 9) return Number.NaN
    value = value * 10 + d
  }
  return negative ? -value : value
}

/** 10^k for the fraction digits a short decimal may have. */
const powersOfTen = Array.from({ length: 23 }, (_, k) => 10 ** k)

/**
 * A decimal of at most 15 significant digits (`-123.45`, no exponent) at `[from, to)`, or NaN. Its digits as an
 * integer and 10^k are both exact doubles, so their quotient is the correctly rounded value: `Number(text)`.
 */
const decimalAt = (bytes: Uint8Array, from: number, to: number): number => {
  const negative = bytes[from] === MINUS
  let i = negative ? from + 1 : from
  let mantissa = 0
  let digits = 0
  let fraction = -1
  for (; i < to; i++) {
    const code = bytes[i]!
    if (code === 46 && fraction < 0) fraction = i
    else {
      const d = code - ZERO
      if (d < 0 || d > 9) return Number.NaN
      mantissa = mantissa * 10 + d
      if (mantissa > 0) digits++
    }
  }
  if (digits > 15 || to === (negative ? from + 1 : from) || fraction === to - 1 || fraction === from) return Number.NaN
  const value = fraction < 0 ? mantissa : mantissa / powersOfTen[to - fraction - 1]!
  return negative ? -value : value
}

/** The two-digit number at `at`, or -1. */
const twoAt = (bytes: Uint8Array, at: number): number => {
  const tens = bytes[at]! - ZERO
  const ones = bytes[at + 1]! - ZERO
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1
}

const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
/** Days from 1970-01-01 to January 1st of each year 0–9999 (a date's text has four digits of year). */
const yearStarts = Int32Array.from({ length: 10_000 }, (_, year) => daysFromCivil(year, 1, 1))
/** Days before each month (1–12) of a common year, then of a leap year (offset 13). */
const monthStarts = Int32Array.from({ length: 26 }, (_, i) =>
  i % 13 === 0 ? 0 : daysFromCivil(i < 13 ? 2001 : 2000, i % 13, 1) - daysFromCivil(i < 13 ? 2001 : 2000, 1, 1)
)
const monthDays = Uint8Array.of(0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

/** Days of `YYYY-MM-DD` at `from`, or NaN when it is not a calendar date in that form. */
const daysAt = (bytes: Uint8Array, from: number): number => {
  if (bytes[from + 4] !== MINUS || bytes[from + 7] !== MINUS) return Number.NaN
  const century = twoAt(bytes, from)
  const rest = twoAt(bytes, from + 2)
  const month = twoAt(bytes, from + 5)
  const day = twoAt(bytes, from + 8)
  if (century < 0 || rest < 0 || month < 1 || month > 12 || day < 1) return Number.NaN
  const year = century * 100 + rest
  const leap = isLeap(year)
  if (day > monthDays[month]! && !(leap && month === 2 && day === 29)) return Number.NaN
  return yearStarts[year]! + monthStarts[leap ? month + 13 : month]! + day - 1
}

/** Seconds of `HH:mm:ss` at `from`, or NaN. */
const secondsAt = (bytes: Uint8Array, from: number): number => {
  if (bytes[from + 2] !== 58 || bytes[from + 5] !== 58) return Number.NaN
  const hour = twoAt(bytes, from)
  const minute = twoAt(bytes, from + 3)
  const second = twoAt(bytes, from + 6)
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59
    ? hour * 3600 + minute * 60 + second
    : Number.NaN
}

/** Microseconds of `HH:mm:ss` at `from`, or NaN. */
const timeAt = (bytes: Uint8Array, from: number): number => secondsAt(bytes, from) * 1_000_000

/**
 * Microseconds since the epoch of `YYYY-MM-DDTHH:mm:ss` plus `Z` or `±HH:MM` (no fraction), or NaN for any other
 * form (read by `typedCell`) or a value beyond 2^53.
 */
const instantAt = (bytes: Uint8Array, from: number, to: number): number => {
  const length = to - from
  if ((length !== 20 && length !== 25) || bytes[from + 10] !== 84) return Number.NaN
  const days = daysAt(bytes, from)
  const seconds = secondsAt(bytes, from + 11)
  let offset = 0
  if (length === 20) {
    if (bytes[from + 19] !== 90) return Number.NaN
  } else {
    const sign = bytes[from + 19] === MINUS ? -1 : bytes[from + 19] === 43 ? 1 : Number.NaN
    if (bytes[from + 22] !== 58) return Number.NaN
    const hours = twoAt(bytes, from + 20)
    const minutes = twoAt(bytes, from + 23)
    if (!(hours >= 0 && hours <= 23 && minutes >= 0 && minutes <= 59)) return Number.NaN
    offset = sign * (hours * 3600 + minutes * 60)
  }
  const value = (days * 86400 + seconds - offset) * 1_000_000
  return value > -SAFE && value < SAFE ? value : Number.NaN
}

/** Appends staged rows to an encoder's columns; keeps the rows read so far for its errors. */
export class StagedRowReader {
  private readonly kinds: Uint8Array
  private readonly names: ReadonlyArray<string>
  /** Rows read so far. */
  rows = 0
  /** Where each column's values end at the start of the row being read. */
  private readonly marks: Int32Array
  /** The width of each column's usual text, where it has one (0: any). */
  private readonly widths: Uint8Array
  private readonly utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

  private readonly encoder: ParquetEncoder

  constructor(encoder: ParquetEncoder, columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnKind }>) {
    this.encoder = encoder
    this.kinds = Uint8Array.from(columns, (c) => kindByCode.indexOf(c.kind))
    this.names = columns.map((c) => c.name)
    this.marks = new Int32Array(columns.length)
    this.widths = Uint8Array.from(columns, (c) => usualWidths[c.kind] ?? 0)
  }

  private fail(column: number, why: string): never {
    throw new StagedCellError(`row ${this.rows + 1}, column "${this.names[column]}": ${why}`)
  }

  /** A typed cell the fast paths do not read, through `typedCell` (the one rule). */
  private slow(column: number, bytes: Uint8Array, from: number, to: number): unknown {
    const kind = kindByCode[this.kinds[column]!]!
    const text = this.utf8.decode(bytes.subarray(from, to))
    const value = typedCell(kind, text)
    if (value instanceof Error) this.fail(column, value.message)
    return value
  }

  /**
   * Reads the complete rows of `bytes[0, end)` (which starts at a row) and returns where the first incomplete one
   * starts (`end` when every row is complete). Throws {@link StagedCellError} on a cell its kind does not read.
   */
  read(bytes: Uint8Array, end = bytes.length): number {
    const encoder = this.encoder
    const columns = encoder.columns
    const kinds = this.kinds
    const width = kinds.length
    const marks = this.marks
    const widths = this.widths
    let pos = 0
    for (;;) {
      if (pos >= end) return pos
      const rowStart = pos
      const row = encoder.rows
      let c = 0
      for (; c < width; c++) {
        const column = columns[c]!
        const kind = kinds[c]
        marks[c] = column.at
        let from = pos
        let to: number
        let quotes = -1 // -1: not quoted; else the doubled quotes inside
        let fixed = Number.NaN // a fixed-width cell's value, read with its end
        let copied = -1 // where a short text cell's copy ends
        if (bytes[pos] === QUOTE) {
          quotes = 0
          from = ++pos
          for (;;) {
            while (pos < end && bytes[pos] !== QUOTE) pos++
            if (pos + 1 >= end || bytes[pos + 1] !== QUOTE) break
            quotes++
            pos += 2
          }
          if (pos + 1 >= end) break // the closing quote's follower is not here yet
          to = pos++
        } else {
          // A fixed-width kind's usual text is read at once, without a scan for its end.
          const usual = widths[c]!
          const at = pos + usual
          const code = bytes[at]
          if (usual > 0 && at < end && (code === COMMA || code === NEWLINE)) {
            fixed =
              kind === DATE ? daysAt(bytes, pos) : kind === TIMESTAMP ? instantAt(bytes, pos, at) : timeAt(bytes, pos)
          }
          if (!Number.isNaN(fixed)) pos = at
          else if (kind === TEXT) {
            // Short text is copied while its end is found (one pass); a longer one is copied once it is known.
            column.room(4 + SHORT_TEXT)
            const out = column.bytes
            let at = column.at + 4
            const limit = Math.min(end, pos + SHORT_TEXT)
            while (pos < limit) {
              const code = bytes[pos]
              if (code === COMMA || code === NEWLINE) break
              out[at++] = code!
              pos++
            }
            if (pos < limit) copied = at
            else {
              while (pos < end) {
                const code = bytes[pos]
                if (code === COMMA || code === NEWLINE) break
                pos++
              }
              if (pos >= end) break
            }
          } else {
            while (pos < end) {
              const code = bytes[pos]
              if (code === COMMA || code === NEWLINE) break
              pos++
            }
            if (pos >= end) break
          }
          to = pos
        }
        if (bytes[pos] !== (c === width - 1 ? NEWLINE : COMMA)) this.fail(c, "the staged row has another width")
        pos++
        const length = to - from
        if (quotes < 0 && length === 2 && bytes[from] === BACKSLASH && bytes[from + 1] === 78) {
          column.defined[row] = 0
          continue
        }
        column.defined[row] = 1
        if (kind === TEXT) {
          const start = column.at
          if (copied >= 0) {
            column.view.setUint32(start, length, true)
            column.at = copied
            column.pending = start
            continue
          }
          // UTF-8 text, as staged (the transcoder checked it); doubled quotes made single.
          const size = length - Math.max(quotes, 0)
          column.room(4 + size)
          const out = column.bytes
          let at = column.at
          column.view.setUint32(at, size, true)
          at += 4
          if (quotes > 0) {
            for (let i = from; i < to; i++) {
              out[at++] = bytes[i]!
              if (bytes[i] === QUOTE) i++
            }
          } else if (length > 32) {
            out.set(bytes.subarray(from, to), at)
            at += length
          } else for (let i = from; i < to; i++) out[at++] = bytes[i]!
          column.at = at
          column.pending = start
          continue
        }
        if (quotes >= 0) this.fail(c, "a typed cell is never quoted")
        if (kind === INT64) {
          column.room(8)
          if (!writeInteger(column.view, column.at, bytes, from, to))
            column.view.setBigInt64(column.at, this.slow(c, bytes, from, to) as bigint, true)
          column.at += 8
        } else if (kind === INT32) {
          column.room(4)
          const value = int32At(bytes, from, to)
          column.view.setInt32(column.at, Number.isNaN(value) ? (this.slow(c, bytes, from, to) as number) : value, true)
          column.at += 4
        } else if (kind === DOUBLE) {
          column.room(8)
          let value = decimalAt(bytes, from, to)
          if (Number.isNaN(value)) value = this.number(c, bytes, from, to)
          column.view.setFloat64(column.at, value, true)
          column.at += 8
        } else if (kind === BOOLEAN) {
          column.room(1)
          column.bytes[column.at++] =
            length === 4 &&
            bytes[from] === 116 &&
            bytes[from + 1] === 114 &&
            bytes[from + 2] === 117 &&
            bytes[from + 3] === 101
              ? 1
              : length === 5 &&
                  bytes[from] === 102 &&
                  bytes[from + 1] === 97 &&
                  bytes[from + 2] === 108 &&
                  bytes[from + 3] === 115 &&
                  bytes[from + 4] === 101
                ? 0
                : (this.slow(c, bytes, from, to) as boolean)
                  ? 1
                  : 0
        } else if (kind === DATE) {
          column.room(4)
          const days = !Number.isNaN(fixed) ? fixed : length === 10 ? daysAt(bytes, from) : Number.NaN
          column.view.setInt32(column.at, Number.isNaN(days) ? (this.slow(c, bytes, from, to) as number) : days, true)
          column.at += 4
        } else if (kind === TIMESTAMP) {
          column.room(8)
          const value = Number.isNaN(fixed) ? instantAt(bytes, from, to) : fixed
          if (Number.isNaN(value)) column.view.setBigInt64(column.at, this.slow(c, bytes, from, to) as bigint, true)
          else setInt64(column.view, column.at, value)
          column.at += 8
        } else {
          column.room(8)
          const micros = Number.isNaN(fixed) ? (length === 8 ? timeAt(bytes, from) : Number.NaN) : fixed
          if (Number.isNaN(micros)) column.view.setBigInt64(column.at, this.slow(c, bytes, from, to) as bigint, true)
          else setInt64(column.view, column.at, micros)
          column.at += 8
        }
      }
      if (c < width) {
        // An incomplete row: take back the values read from it.
        for (let k = 0; k < c; k++) {
          columns[k]!.at = marks[k]!
          columns[k]!.pending = -1
        }
        return rowStart
      }
      encoder.endRow()
      this.rows++
    }
  }

  /** A double column's number that is not a short decimal: JavaScript's own reading of its text. */
  private number(column: number, bytes: Uint8Array, from: number, to: number): number {
    let text = ""
    for (let i = from; i < to; i++) text += String.fromCharCode(bytes[i]!)
    const value = /^-?\d/.test(text) ? Number(text) : Number.NaN
    if (!Number.isFinite(value)) this.fail(column, `"${text}" is not a number`)
    return value
  }
}

/** The end of the row starting at `bytes[0]` (after its line feed; quoted line feeds are text), or -1. */
const rowEnd = (bytes: Uint8Array, end: number): number => {
  let quoted = false
  for (let i = 0; i < end; i++) {
    const code = bytes[i]
    if (code === QUOTE) quoted = !quoted
    else if (code === NEWLINE && !quoted) return i + 1
  }
  return -1
}

/**
 * Writes the Parquet file of a staged CSV (header row first) that arrives in pieces of any size: a piece is read
 * into {@link space} (no copy) and announced with {@link wrote}; a row cut by a piece's end waits for the next.
 */
export class StagedParquetWriter {
  private buffer = Buffer.allocUnsafe(4 << 20)
  /** The start of a row not read yet, at `buffer[0, carry)`. */
  private carry = 0
  private header = true
  private readonly encoder: ParquetEncoder
  private readonly reader: StagedRowReader

  constructor(
    columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnKind }>,
    write: (bytes: Uint8Array) => void,
    createdBy: string
  ) {
    this.encoder = new ParquetEncoder(columns, write, createdBy)
    this.reader = new StagedRowReader(this.encoder, columns)
  }

  /** Where the next bytes go (at least 64 KiB). */
  space(): Uint8Array {
    if (this.buffer.length - this.carry < 1 << 16) {
      // One row longer than the buffer: make room for it.
      const grown = Buffer.allocUnsafe(this.buffer.length * 2)
      this.buffer.copy(grown, 0, 0, this.carry)
      this.buffer = grown
    }
    return this.buffer.subarray(this.carry)
  }

  /** Reads the `n` bytes put into {@link space}. Throws {@link StagedCellError} on a cell its column cannot hold. */
  wrote(n: number): void {
    const end = this.carry + n
    let start = 0
    if (this.header) {
      start = rowEnd(this.buffer, end)
      if (start < 0) {
        this.carry = end
        return
      }
      this.header = false
    }
    const used = start + this.reader.read(this.buffer.subarray(start, end), end - start)
    this.buffer.copy(this.buffer, 0, used, end)
    this.carry = end - used
  }

  /** Copies `bytes` in (for callers that hold the staged text already). */
  feed(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) {
      const space = this.space()
      const n = Math.min(space.length, bytes.length - at)
      space.set(bytes.subarray(at, at + n))
      this.wrote(n)
      at += n
    }
  }

  /** Ends the file; returns its rows. Throws when the staged text ended inside a row. */
  finish(): number {
    if (this.carry > 0 || this.header) throw new StagedCellError("the staged file ends inside a row")
    return this.encoder.finish()
  }
}
