/**
 * Reads back the Parquet files spotpipe writes (ParquetEncoder.ts), for a loader that needs their rows as values
 * (a PostgreSQL load). It reads what that writer produces and what any writer of flat tables commonly does: flat
 * required or optional columns, v1 data pages (PLAIN or dictionary-encoded values, RLE/bit-packed definition
 * levels) after an optional dictionary page, uncompressed or zstd. Anything else — another codec, nested columns,
 * v2 pages, a schema that is not the manifest's — is refused with a {@link ParquetReadError}, never guessed at.
 *
 * The file is read once, in order, a row group at a time (memory holds one group), and every byte of it passes
 * through `onBytes` in order, so the caller can hold the whole file to its manifest's SHA-256 as it reads. Its
 * rows must be the manifest's count: a few damaged bytes can claim billions of values in a page of a few bytes
 * (a run of one value), so every count is checked against what the manifest allows before anything is allocated
 * or decoded for it — a damaged file ends in a {@link ParquetReadError}, never in a read that does not end.
 */
import { open } from "node:fs/promises"
import { zstdDecompressSync } from "node:zlib"
import type { ColumnKind } from "../ColumnKinds.ts"
import type { ParquetColumn } from "./ParquetEncoder.ts"
import { decodeStruct, type ThriftFields, type ThriftRead, ThriftReadError } from "./Thrift.ts"

/** A value as read: text, INT32/DATE (days) and DOUBLE as numbers, INT64/TIMESTAMP/TIME (µs) as bigints. */
export type ParquetValue = string | number | bigint | boolean

/** One row group: per column, each row's value (null for a null). */
export interface ParquetRowGroup {
  readonly rows: number
  readonly columns: ReadonlyArray<ReadonlyArray<ParquetValue | null>>
}

/** A file this reader does not read (see the module comment); the message says what. */
export class ParquetReadError extends Error {}

// parquet.thrift's enums, as far as they are read.
const Type = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const
const Repetition = { REQUIRED: 0, OPTIONAL: 1 } as const
const Codec = { UNCOMPRESSED: 0, ZSTD: 6 } as const
const PageType = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const
const Encoding = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3, RLE_DICTIONARY: 8 } as const
const Converted = { UTF8: 0, DATE: 6, TIMESTAMP_MICROS: 10, INT_64: 18 } as const
// Fields of the LogicalType union.
const Logical = { STRING: 1, DATE: 6, TIME: 7, TIMESTAMP: 8, INTEGER: 10 } as const

// `ignoreBOM`: a value or name that starts with U+FEFF keeps it (by default the decoder drops it as a byte order mark).
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

const get = (fields: ThriftFields, id: number): ThriftRead | undefined => fields.get(id)
const number = (fields: ThriftFields, id: number, what: string): number => {
  const value = get(fields, id)
  if (typeof value !== "number") throw new ParquetReadError(`its ${what} is missing`)
  return value
}
const struct = (fields: ThriftFields, id: number): ThriftFields | undefined => {
  const value = get(fields, id)
  return value instanceof Map ? value : undefined
}
const list = (fields: ThriftFields, id: number, what: string): ReadonlyArray<ThriftFields> => {
  const value = get(fields, id)
  if (!Array.isArray(value) || !value.every((v) => v instanceof Map)) {
    throw new ParquetReadError(`its ${what} are missing`)
  }
  return value as ReadonlyArray<ThriftFields>
}
const name = (fields: ThriftFields): string => {
  const value = get(fields, 4)
  return value instanceof Uint8Array ? utf8.decode(value) : ""
}

/** A time unit (of a TIME or TIMESTAMP logical type) that is microseconds. */
const inMicros = (type: ThriftFields | undefined): boolean => struct(type ?? new Map(), 2)?.has(2) === true

/** The kind a schema element's types make of its column, or undefined for one spotpipe does not write. */
const kindOf = (element: ThriftFields): ColumnKind | undefined => {
  const converted = get(element, 6)
  const logical = struct(element, 10)
  const integer = logical === undefined ? undefined : struct(logical, Logical.INTEGER)
  if (integer !== undefined && get(integer, 2) !== true) return undefined // unsigned
  switch (get(element, 1)) {
    case Type.BOOLEAN:
      return "boolean"
    case Type.DOUBLE:
      return "double"
    case Type.BYTE_ARRAY:
      return converted === Converted.UTF8 || logical?.has(Logical.STRING) === true ? "text" : undefined
    case Type.INT32:
      return converted === Converted.DATE || logical?.has(Logical.DATE) === true ? "date" : "int32"
    case Type.INT64: {
      const timestamp = logical === undefined ? undefined : struct(logical, Logical.TIMESTAMP)
      if (timestamp !== undefined) return get(timestamp, 1) === true && inMicros(timestamp) ? "timestamp" : undefined
      if (converted === Converted.TIMESTAMP_MICROS) return "timestamp"
      const time = logical === undefined ? undefined : struct(logical, Logical.TIME)
      if (time !== undefined) return inMicros(time) ? "time" : undefined
      return converted === undefined || converted === Converted.INT_64 ? "int64" : undefined
    }
    default:
      return undefined
  }
}

/** The physical width of a kind's PLAIN values (0: variable or bit-packed). */
const plainWidth = (kind: ColumnKind): number =>
  kind === "int32" || kind === "date"
    ? 4
    : kind === "int64" || kind === "timestamp" || kind === "time" || kind === "double"
      ? 8
      : 0

/** `count` PLAIN values of `kind` from `bytes[at]`; returns them and where they end. */
const plainValues = (
  bytes: Uint8Array,
  at: number,
  count: number,
  kind: ColumnKind
): { values: Array<ParquetValue>; end: number } => {
  const width = plainWidth(kind)
  // A text value takes at least its 4-byte length: a count the page cannot hold is refused before any allocation.
  if (at + count * (width > 0 ? width : kind === "text" ? 4 : 1 / 8) > bytes.length) {
    throw new ParquetReadError("a page ends before its values")
  }
  const values: Array<ParquetValue> = new Array(count)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  switch (kind) {
    case "boolean":
      for (let i = 0; i < count; i++) values[i] = ((bytes[at + (i >> 3)]! >> (i & 7)) & 1) === 1
      return { values, end: at + Math.ceil(count / 8) }
    case "int32":
    case "date":
      for (let i = 0; i < count; i++) values[i] = view.getInt32(at + 4 * i, true)
      return { values, end: at + 4 * count }
    case "double":
      for (let i = 0; i < count; i++) values[i] = view.getFloat64(at + 8 * i, true)
      return { values, end: at + 8 * count }
    case "int64":
    case "timestamp":
    case "time":
      for (let i = 0; i < count; i++) values[i] = view.getBigInt64(at + 8 * i, true)
      return { values, end: at + 8 * count }
    case "text": {
      let p = at
      for (let i = 0; i < count; i++) {
        if (p + 4 > bytes.length) throw new ParquetReadError("a page ends before its values")
        const length = view.getUint32(p, true)
        if (p + 4 + length > bytes.length) throw new ParquetReadError("a page ends before its values")
        try {
          values[i] = utf8.decode(bytes.subarray(p + 4, p + 4 + length))
        } catch {
          throw new ParquetReadError("a text value is not UTF-8")
        }
        p += 4 + length
      }
      return { values, end: p }
    }
  }
}

/** `count` values of `width` bits (at most 24) from the RLE/bit-packed hybrid at `bytes[from, to)`. */
export const decodeHybrid = (
  bytes: Uint8Array,
  from: number,
  to: number,
  width: number,
  count: number
): Uint32Array => {
  if (width > 24) throw new ParquetReadError(`a bit width of ${width} is more than dictionary indices need`)
  // A damaged length can put the end past the page: every read below stops at `to`, so `to` must be in the page.
  if (to > bytes.length) throw new ParquetReadError("a page's levels or indices run past the page")
  const out = new Uint32Array(count)
  const mask = width === 0 ? 0 : 2 ** width - 1
  let n = 0
  let at = from
  while (n < count) {
    let header = 0
    let scale = 1
    for (;;) {
      if (at >= to) throw new ParquetReadError("a page's levels or indices end early")
      const b = bytes[at++]!
      header += (b & 0x7f) * scale
      if (b < 0x80) break
      scale *= 128
    }
    if (header % 2 === 0) {
      // A run of one value, in ⌈width / 8⌉ little-endian bytes.
      const run = header / 2
      let value = 0
      for (let i = 0; i < Math.ceil(width / 8); i++) value += bytes[at++]! * 256 ** i
      if (at > to || run === 0) throw new ParquetReadError("a page's levels or indices are not valid")
      out.fill(value, n, Math.min(count, n + run))
      n += run
    } else {
      // Groups of 8 values bit-packed, least significant bit first.
      const values = ((header - 1) / 2) * 8
      if (values === 0) throw new ParquetReadError("a page's levels or indices are not valid")
      if (at + (values / 8) * width > to) throw new ParquetReadError("a page's levels or indices end early")
      let buffer = 0
      let bits = 0
      for (let v = 0; v < values; v++) {
        while (bits < width) {
          buffer |= bytes[at++]! << bits
          bits += 8
        }
        if (n < count) out[n++] = buffer & mask
        buffer >>>= width
        bits -= width
      }
    }
  }
  return out
}

/** A zstd page body, never larger than its header says it is (a damaged frame can claim any size). */
const unzstd = (stored: Uint8Array, size: number): Uint8Array => {
  try {
    return new Uint8Array(zstdDecompressSync(stored, { maxOutputLength: Math.max(1, size) }))
  } catch {
    throw new ParquetReadError("a page's zstd data is damaged or larger than its stated size")
  }
}

/** One column chunk's cells, from its pages at `bytes[at, end)`. */
const readChunk = (
  bytes: Uint8Array,
  at: number,
  end: number,
  codec: number,
  kind: ColumnKind,
  optional: boolean,
  rows: number
): Array<ParquetValue | null> => {
  const cells: Array<ParquetValue | null> = []
  let dictionary: Array<ParquetValue> | undefined
  let position = at
  while (cells.length < rows) {
    if (position >= end) throw new ParquetReadError("a column chunk ends before its rows")
    const { fields: header, end: bodyStart } = decodeStruct(bytes.subarray(0, end), position)
    const compressedSize = number(header, 3, "page size")
    if (bodyStart + compressedSize > end) throw new ParquetReadError("a page runs past its column chunk")
    const stored = bytes.subarray(bodyStart, bodyStart + compressedSize)
    const size = number(header, 2, "page size")
    const body = codec === Codec.ZSTD ? unzstd(stored, size) : stored
    if (body.length !== size) throw new ParquetReadError("a page is not its stated size")
    position = bodyStart + compressedSize
    const type = number(header, 1, "page type")
    if (type === PageType.DICTIONARY_PAGE) {
      const page = struct(header, 7)
      const encoding = page === undefined ? -1 : number(page, 2, "dictionary encoding")
      if (page === undefined || (encoding !== Encoding.PLAIN && encoding !== Encoding.PLAIN_DICTIONARY)) {
        throw new ParquetReadError("a dictionary page is not PLAIN")
      }
      dictionary = plainValues(body, 0, number(page, 1, "dictionary size"), kind).values
      continue
    }
    if (type !== PageType.DATA_PAGE) throw new ParquetReadError(`page type ${type} is not a v1 data page`)
    const page = struct(header, 5)
    if (page === undefined) throw new ParquetReadError("a data page has no header")
    const count = number(page, 1, "page's value count")
    if (!Number.isInteger(count) || count < 0 || cells.length + count > rows) {
      throw new ParquetReadError("a column chunk has more values than rows")
    }
    let valuesAt = 0
    let defined: Uint32Array | undefined
    if (optional) {
      if (number(page, 3, "definition level encoding") !== Encoding.RLE || body.length < 4) {
        throw new ParquetReadError("a data page's definition levels are not RLE")
      }
      const length = new DataView(body.buffer, body.byteOffset).getUint32(0, true)
      defined = decodeHybrid(body, 4, 4 + length, 1, count)
      valuesAt = 4 + length
    }
    let present = count
    if (defined !== undefined) for (let i = 0; i < count; i++) present -= 1 - defined[i]!
    const encoding = number(page, 2, "encoding")
    let values: ArrayLike<ParquetValue>
    if (encoding === Encoding.PLAIN) values = plainValues(body, valuesAt, present, kind).values
    else if (encoding === Encoding.RLE_DICTIONARY || encoding === Encoding.PLAIN_DICTIONARY) {
      if (dictionary === undefined) throw new ParquetReadError("a dictionary-encoded page has no dictionary")
      const entries = dictionary
      const indices =
        present === 0 ? new Uint32Array(0) : decodeHybrid(body, valuesAt + 1, body.length, body[valuesAt]!, present)
      const looked: Array<ParquetValue> = new Array(present)
      for (let i = 0; i < present; i++) {
        const value = entries[indices[i]!]
        if (value === undefined) throw new ParquetReadError("a dictionary index is past its dictionary")
        looked[i] = value
      }
      values = looked
    } else throw new ParquetReadError(`encoding ${encoding} is not PLAIN or a dictionary`)
    let next = 0
    for (let i = 0; i < count; i++) cells.push(defined === undefined || defined[i] === 1 ? values[next++]! : null)
  }
  return cells
}

/**
 * Reads the Parquet file at `path`, whose columns must be `columns` (names, kinds, in order), a row group at a
 * time; every byte of the file goes through `onBytes`, in order, as it is read.
 */
export async function* readParquet(
  path: string,
  columns: ReadonlyArray<ParquetColumn>,
  rows: number,
  onBytes: (bytes: Uint8Array) => void
): AsyncGenerator<ParquetRowGroup> {
  const handle = await open(path, "r")
  try {
    const read = async (from: number, to: number): Promise<Uint8Array> => {
      const buffer = Buffer.allocUnsafe(to - from)
      let at = 0
      while (at < buffer.length) {
        const { bytesRead } = await handle.read(buffer, at, buffer.length - at, from + at)
        if (bytesRead === 0) throw new ParquetReadError("it ends early (was it changed while it was read?)")
        at += bytesRead
      }
      return buffer
    }
    const magic = (bytes: Uint8Array) => bytes.length === 4 && Buffer.from(bytes).toString("latin1") === "PAR1"
    const size = (await handle.stat()).size
    if (size < 12) throw new ParquetReadError("it is too short to be Parquet")
    const tail = await read(size - 8, size)
    if (!magic(tail.subarray(4))) throw new ParquetReadError("it does not end as Parquet does")
    const footerStart = size - 8 - new DataView(tail.buffer, tail.byteOffset).getUint32(0, true)
    if (footerStart < 4) throw new ParquetReadError("its footer length is not valid")
    const footer = decodeStruct(await read(footerStart, size - 8)).fields
    const stated = number(footer, 3, "row count")
    if (stated !== rows) throw new ParquetReadError(`it holds ${stated} rows where the manifest has ${rows}`)

    const schema = list(footer, 2, "schema elements")
    if (schema.length !== columns.length + 1 || get(schema[0]!, 5) !== columns.length) {
      throw new ParquetReadError(`it has other columns than the ${columns.length} the manifest lists`)
    }
    const optional = columns.map((column, i) => {
      const element = schema[i + 1]!
      const kind = kindOf(element)
      const repetition = get(element, 3)
      if (name(element) !== column.name || kind !== column.kind || get(element, 5) !== undefined) {
        throw new ParquetReadError(
          `its column ${i + 1} is "${name(element)}" (${kind ?? "a type spotpipe does not write"}) where the manifest has "${column.name}" (${column.kind})`
        )
      }
      if (repetition !== Repetition.OPTIONAL && repetition !== Repetition.REQUIRED) {
        throw new ParquetReadError(`its column "${column.name}" is repeated (not a flat table)`)
      }
      return repetition === Repetition.OPTIONAL
    })

    let position = 0
    let total = 0
    for (const group of list(footer, 4, "row groups")) {
      const groupRows = number(group, 3, "row group's row count")
      if (!Number.isInteger(groupRows) || groupRows < 0 || total + groupRows > rows) {
        throw new ParquetReadError("its row groups hold more rows than the file")
      }
      const chunks = list(group, 1, "column chunks")
      if (chunks.length !== columns.length) throw new ParquetReadError("a row group has another number of columns")
      const ranges = chunks.map((chunk) => {
        const meta = struct(chunk, 3)
        if (meta === undefined) throw new ParquetReadError("a column chunk has no metadata")
        const data = number(meta, 9, "data page offset")
        const dictionary = get(meta, 11)
        const start = typeof dictionary === "number" ? Math.min(dictionary, data) : data
        if (number(meta, 5, "column chunk's value count") !== groupRows) {
          throw new ParquetReadError("a column chunk has another number of values than its row group's rows")
        }
        return { start, end: start + number(meta, 7, "column chunk size"), codec: number(meta, 4, "codec") }
      })
      // The chunks are read in file order, which is column order for the files this reads.
      let previous = Math.max(position, 4)
      for (const range of ranges) {
        if (range.start < previous || range.end > footerStart) {
          throw new ParquetReadError("its column chunks are not in file order")
        }
        if (range.codec !== Codec.UNCOMPRESSED && range.codec !== Codec.ZSTD) {
          throw new ParquetReadError(`it is compressed with codec ${range.codec} (zstd or none are read)`)
        }
        previous = range.end
      }
      const bytes = await read(position, previous)
      if (position === 0 && !magic(bytes.subarray(0, 4)))
        throw new ParquetReadError("it does not start as Parquet does")
      onBytes(bytes)
      const cells = ranges.map((range, i) =>
        readChunk(
          bytes,
          range.start - position,
          range.end - position,
          range.codec,
          columns[i]!.kind,
          optional[i]!,
          groupRows
        )
      )
      position = previous
      total += groupRows
      yield { rows: groupRows, columns: cells }
    }
    const rest = await read(position, size)
    if (position === 0 && !magic(rest.subarray(0, 4))) throw new ParquetReadError("it does not start as Parquet does")
    onBytes(rest)
    if (total !== rows) throw new ParquetReadError("its row groups do not add up to its rows")
  } catch (error) {
    if (error instanceof ThriftReadError) throw new ParquetReadError(`its metadata cannot be read: ${error.message}`)
    throw error
  } finally {
    await handle.close()
  }
}
