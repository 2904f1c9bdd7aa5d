/**
 * A column chunk's statistics: its least and greatest non-null value, PLAIN-encoded, in the order the Parquet
 * format defines for the column's type (`min_value`/`max_value` under TYPE_DEFINED_ORDER): signed for integers,
 * dates, timestamps and times; false before true; unsigned bytes for UTF-8 text (code point order); IEEE order for
 * doubles, with NaN left out and a zero written as -0.0 when least and +0.0 when greatest, as the format asks.
 *
 * Query engines skip whole row groups by these bounds, so they are exact: a bound too tight would drop matching
 * rows from a filtered query without a word. Text bounds longer than {@link TEXT_BOUND_BYTES} are not written (a cut
 * greatest value would no longer be an upper bound), nor is a range of a chunk without a non-null value.
 */
import type { ColumnKind } from "../ColumnKinds.ts"

/** The least and greatest value of a chunk, each in its PLAIN encoding. */
export interface ValueRange {
  readonly min: Uint8Array
  readonly max: Uint8Array
}

/** The longest text written as a bound, in bytes. */
export const TEXT_BOUND_BYTES = 64

/**
 * The range of a chunk's values `bytes[0, at)`, laid out as the encoder keeps them: 4-byte integers, 8-byte integers
 * or doubles, one byte per boolean, or length-prefixed texts (each distinct text once, or every text; the range is
 * the same). `undefined` when there is no bound to write.
 */
export const rangeOf = (kind: ColumnKind, bytes: Uint8Array, at: number): ValueRange | undefined => {
  if (at === 0) return undefined
  switch (kind) {
    case "int32":
    case "date":
      return int32Range(new Int32Array(bytes.buffer, bytes.byteOffset, at >> 2))
    case "int64":
    case "timestamp":
    case "time":
      return int64Range(new Int32Array(bytes.buffer, bytes.byteOffset, at >> 2))
    case "double":
      return doubleRange(new Float64Array(bytes.buffer, bytes.byteOffset, at >> 3))
    case "boolean":
      return booleanRange(bytes, at)
    case "text":
      return textRange(bytes, at)
  }
}

const littleEndian = (size: number, set: (view: DataView) => void): Uint8Array => {
  const out = new Uint8Array(size)
  set(new DataView(out.buffer))
  return out
}

const int32Range = (values: Int32Array): ValueRange => {
  let min = values[0]!
  let max = min
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!
    if (v < min) min = v
    else if (v > max) max = v
  }
  return {
    min: littleEndian(4, (view) => view.setInt32(0, min, true)),
    max: littleEndian(4, (view) => view.setInt32(0, max, true))
  }
}

/** Over little-endian 64-bit integers seen as (low, high) 32-bit pairs: compared by the signed high half first. */
const int64Range = (halves: Int32Array): ValueRange => {
  let minAt = 0
  let maxAt = 0
  for (let i = 2; i < halves.length; i += 2) {
    const high = halves[i + 1]!
    const low = halves[i]! >>> 0
    const minHigh = halves[minAt + 1]!
    if (high < minHigh || (high === minHigh && low < halves[minAt]! >>> 0)) minAt = i
    const maxHigh = halves[maxAt + 1]!
    if (high > maxHigh || (high === maxHigh && low > halves[maxAt]! >>> 0)) maxAt = i
  }
  const pair = (at: number) => new Uint8Array(Int32Array.of(halves[at]!, halves[at + 1]!).buffer)
  return { min: pair(minAt), max: pair(maxAt) }
}

const doubleRange = (values: Float64Array): ValueRange | undefined => {
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  let any = false
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (Number.isNaN(v)) continue // NaN orders with nothing
    any = true
    if (v < min) min = v
    if (v > max) max = v
  }
  if (!any) return undefined
  // -0 and +0 compare equal: a zero bound is written so that it covers both.
  const least = min === 0 ? -0 : min
  const greatest = max === 0 ? 0 : max
  return {
    min: littleEndian(8, (view) => view.setFloat64(0, least, true)),
    max: littleEndian(8, (view) => view.setFloat64(0, greatest, true))
  }
}

const booleanRange = (bytes: Uint8Array, at: number): ValueRange => {
  let falses = 0
  for (let i = 0; i < at; i++) falses += 1 - bytes[i]!
  return { min: Uint8Array.of(falses > 0 ? 0 : 1), max: Uint8Array.of(falses < at ? 1 : 0) }
}

/** Compares the texts of `length` bytes at `a` and `b` (after their length prefixes) as unsigned bytes. */
const compareTexts = (bytes: Uint8Array, a: number, aLength: number, b: number, bLength: number): number => {
  const common = Math.min(aLength, bLength)
  for (let i = 0; i < common; i++) {
    const d = bytes[a + i]! - bytes[b + i]!
    if (d !== 0) return d
  }
  return aLength - bLength
}

const textRange = (bytes: Uint8Array, at: number): ValueRange | undefined => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, at)
  let min = 4
  let minLength = view.getUint32(0, true)
  let max = min
  let maxLength = minLength
  for (let start = 4 + minLength; start < at; ) {
    const length = view.getUint32(start, true)
    const text = start + 4
    if (compareTexts(bytes, text, length, min, minLength) < 0) {
      min = text
      minLength = length
    } else if (compareTexts(bytes, text, length, max, maxLength) > 0) {
      max = text
      maxLength = length
    }
    start = text + length
  }
  if (minLength > TEXT_BOUND_BYTES || maxLength > TEXT_BOUND_BYTES) return undefined
  return { min: bytes.slice(min, min + minLength), max: bytes.slice(max, max + maxLength) }
}
