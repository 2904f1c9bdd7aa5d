/**
 * Writes a Parquet file from typed column values, a row group at a time: each column of a group is one data page
 * (definition levels, then the non-null values in PLAIN encoding; a text column's values as indices into a
 * dictionary page written before it, while the group's distinct texts are few enough) compressed with zstd, and the
 * footer (schema and row groups, Thrift compact) is written once the last group is out. Memory holds one row group.
 * Each column chunk records its null count and, where it can be exact, its least and greatest value
 * (`Statistics.ts`), so query engines can skip row groups.
 *
 * Values are appended already in their Parquet form (see `StagedRows.ts`): INT32 and DATE as 32-bit integers (days
 * since 1970-01-01), INT64, TIMESTAMP and TIME as 64-bit integers (microseconds), doubles, booleans, and UTF-8
 * strings. Every column is optional (nullable) and flat.
 */
import { constants, zstdCompressSync } from "node:zlib"
import type { ColumnKind } from "../ColumnKinds.ts"
import { rangeOf } from "./Statistics.ts"
import { encodeStruct, type ThriftStruct, type ThriftValue } from "./Thrift.ts"

const MAGIC = new TextEncoder().encode("PAR1")

/** Rows of a row group, unless its values reach {@link GROUP_BYTES} first. */
export const GROUP_ROWS = 131_072
/** Bytes of values a row group holds before it is written. */
const GROUP_BYTES = 48 * 2 ** 20
/** The row of a group at which its size is first looked at (then as often as its rows' size asks). */
const FIRST_CHECK = 16
/** zstd's fastest positive level (the writer's time is mostly reading the staged text). */
const ZSTD_LEVEL = 1

// Parquet enums (parquet.thrift).
const Type = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const
const OPTIONAL = 1
const Encoding = { PLAIN: 0, RLE: 3, RLE_DICTIONARY: 8 } as const
const ZSTD = 6
const DATA_PAGE = 0
const DICTIONARY_PAGE = 2
const ConvertedType = { UTF8: 0, DATE: 6, TIMESTAMP_MICROS: 10, INT_32: 17, INT_64: 18 } as const

/** One column of the file: its name and what it holds. */
export interface ParquetColumn {
  readonly name: string
  readonly kind: ColumnKind
}

const micros: ThriftValue = { struct: [[2, { struct: [] }]] }
const integer = (bits: number): ThriftValue => ({
  struct: [
    [
      10,
      {
        struct: [
          [1, { i8: bits }],
          [2, { bool: true }]
        ]
      }
    ]
  ]
})

/** A column's physical type, converted type (for older readers) and logical type. */
const physical = (kind: ColumnKind): { type: number; converted?: number; logical?: ThriftValue } => {
  switch (kind) {
    case "int64":
      return { type: Type.INT64, converted: ConvertedType.INT_64, logical: integer(64) }
    case "int32":
      return { type: Type.INT32, converted: ConvertedType.INT_32, logical: integer(32) }
    case "double":
      return { type: Type.DOUBLE }
    case "boolean":
      return { type: Type.BOOLEAN }
    case "text":
      return {
        type: Type.BYTE_ARRAY,
        converted: ConvertedType.UTF8,
        logical: { struct: [[1, { struct: [] }]] }
      }
    case "date":
      return { type: Type.INT32, converted: ConvertedType.DATE, logical: { struct: [[6, { struct: [] }]] } }
    case "timestamp":
      // An instant: adjusted to UTC.
      return {
        type: Type.INT64,
        converted: ConvertedType.TIMESTAMP_MICROS,
        logical: {
          struct: [
            [
              8,
              {
                struct: [
                  [1, { bool: true }],
                  [2, micros]
                ]
              }
            ]
          ]
        }
      }
    case "time":
      // A time of day on no particular clock: not adjusted to UTC (so no converted type, which would say it is).
      return {
        type: Type.INT64,
        logical: {
          struct: [
            [
              7,
              {
                struct: [
                  [1, { bool: false }],
                  [2, micros]
                ]
              }
            ]
          ]
        }
      }
  }
}

/** Distinct texts a row group's dictionary holds at most, and their bytes: past either, the column is PLAIN. */
const DICTIONARY_ENTRIES = 1 << 15
const DICTIONARY_BYTES = 1 << 20
/** Slots of a dictionary's hash table (a power of two, twice its entries). */
const SLOTS = DICTIONARY_ENTRIES * 2

/** The values of one column in the current row group. */
export class ColumnValues {
  /** 1 where the row's value is present, 0 for null. */
  defined = new Uint8Array(GROUP_ROWS)
  /**
   * The non-null values, PLAIN-encoded (booleans one byte each until the page packs them); for a text column in
   * dictionary mode, its distinct values only (the dictionary page), the rows' values being {@link indices}.
   */
  bytes = new Uint8Array(1 << 16)
  view = new DataView(this.bytes.buffer)
  /** Bytes of {@link bytes} in use. */
  at = 0
  readonly kind: ColumnKind
  /**
   * Text only: where the value of the row being read starts (-1: none); it joins the dictionary once the row is
   * complete, so an incomplete row is taken back by resetting {@link at} alone.
   */
  pending = -1
  /** Text only: whether values go through the dictionary (until a row group has too many distinct ones). */
  dictionary: boolean
  /** Each non-null value's dictionary entry, and how many there are. */
  indices: Int32Array
  values = 0
  /** Where each dictionary entry starts in {@link bytes} (its length prefix), and how many there are. */
  private starts: Int32Array
  /** Each entry's hash, compared before its bytes. */
  private hashes: Int32Array
  private entries = 0
  /** Hash slot → entry + 1 (0: empty). */
  private slots: Int32Array

  constructor(kind: ColumnKind) {
    this.kind = kind
    this.dictionary = kind === "text"
    this.indices = new Int32Array(this.dictionary ? GROUP_ROWS : 0)
    this.starts = new Int32Array(this.dictionary ? DICTIONARY_ENTRIES : 0)
    this.hashes = new Int32Array(this.dictionary ? DICTIONARY_ENTRIES : 0)
    this.slots = new Int32Array(this.dictionary ? SLOTS : 0)
  }

  /** Makes room for `n` more value bytes. */
  room(n: number): void {
    if (this.at + n <= this.bytes.length) return
    let size = this.bytes.length * 2
    while (size < this.at + n) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.bytes.subarray(0, this.at))
    this.bytes = grown
    this.view = new DataView(grown.buffer)
  }

  /**
   * Ends the text value written at `start` (its length prefix) up to {@link at}: in dictionary mode it becomes its
   * entry's index, the bytes kept only for a new entry. Runs when its row is complete (see `pending`).
   */
  private endText(start: number): void {
    const bytes = this.bytes
    const length = this.at - start - 4
    let hash = 0x811c9dc5 | 0 // FNV-1a, as a 32-bit integer like the stored hashes
    for (let i = start + 4; i < this.at; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193)
    const mask = SLOTS - 1
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]! - 1
      if (entry < 0) {
        if (this.entries === DICTIONARY_ENTRIES || this.at > DICTIONARY_BYTES) {
          this.toPlain(start)
          return
        }
        this.starts[this.entries] = start
        this.hashes[this.entries] = hash
        this.slots[slot] = this.entries + 1
        this.indices[this.values++] = this.entries++
        return
      }
      if (this.hashes[entry] !== hash) continue
      const other = this.starts[entry]!
      if (this.view.getUint32(other, true) !== length) continue
      let same = true
      for (let i = 0; i < length && same; i++) same = bytes[other + 4 + i] === bytes[start + 4 + i]
      if (same) {
        this.indices[this.values++] = entry
        this.at = start
        return
      }
    }
  }

  /** Leaves dictionary mode for good: the values so far, and the one at `start`, become PLAIN. */
  private toPlain(start: number): void {
    const dictionary = this.bytes
    const last = dictionary.slice(start, this.at)
    this.dictionary = false
    this.bytes = new Uint8Array(Math.max(1 << 16, this.at * 2))
    this.view = new DataView(this.bytes.buffer)
    this.at = 0
    for (let v = 0; v < this.values; v++) {
      const from = this.starts[this.indices[v]!]!
      const size = 4 + new DataView(dictionary.buffer).getUint32(from, true)
      this.room(size)
      this.bytes.set(dictionary.subarray(from, from + size), this.at)
      this.at += size
    }
    this.room(last.length)
    this.bytes.set(last, this.at)
    this.at += last.length
    this.indices = new Int32Array(0)
    this.starts = new Int32Array(0)
    this.hashes = new Int32Array(0)
    this.slots = new Int32Array(0)
  }

  /** Ends the row being read: its text value, if any, joins the dictionary. */
  endRow(): void {
    if (this.pending < 0) return
    if (this.dictionary) this.endText(this.pending)
    this.pending = -1
  }

  /** Empties the dictionary for the next row group. */
  reset(): void {
    this.at = 0
    this.values = 0
    if (this.entries > 0) {
      this.slots.fill(0)
      this.entries = 0
    }
  }

  /** The dictionary's entries (after a row group's values are in). */
  get distinct(): number {
    return this.entries
  }
}

/** Writes `value` as an unsigned LEB128 varint at `out[at]`; returns the end. */
const writeUleb = (out: Uint8Array, at: number, value: number): number => {
  let rest = value
  let end = at
  while (rest >= 0x80) {
    out[end++] = (rest & 0x7f) | 0x80
    rest = Math.floor(rest / 128)
  }
  out[end++] = rest
  return end
}

/**
 * Writes the definition levels of `rows` rows at `out[0]` (bit width 1, RLE/bit-packed hybrid, after its 4-byte
 * length): one RLE run when no value is null, else bit-packed groups of 8. Returns the end.
 */
const writeDefinitionLevels = (out: Uint8Array, column: ColumnValues, rows: number, nulls: number): number => {
  let at = 4
  if (nulls === 0) {
    at = writeUleb(out, at, rows * 2)
    out[at++] = 1
  } else {
    const groups = Math.ceil(rows / 8)
    at = writeUleb(out, at, groups * 2 + 1)
    out.fill(0, at, at + groups)
    const defined = column.defined
    for (let row = 0; row < rows; row++) if (defined[row] === 1) out[at + (row >> 3)]! |= 1 << (row & 7)
    at += groups
  }
  new DataView(out.buffer, out.byteOffset).setUint32(0, at - 4, true)
  return at
}

/**
 * Writes a dictionary column's values at `out[at]`: the bit width, then its rows' entry indices as one bit-packed
 * run of the RLE/bit-packed hybrid (groups of 8, least significant bit first). Returns the end.
 */
const writeDictionaryIndices = (out: Uint8Array, start: number, column: ColumnValues): number => {
  const width = Math.max(1, 32 - Math.clz32(column.distinct - 1))
  const groups = Math.ceil(column.values / 8)
  out[start] = width
  let at = writeUleb(out, start + 1, groups * 2 + 1)
  let buffer = 0
  let bits = 0
  const indices = column.indices
  for (let v = 0; v < groups * 8; v++) {
    // Past the last value: zeros, to fill the group. At most 7 + 15 bits wait in the buffer.
    buffer |= (v < column.values ? indices[v]! : 0) << bits
    bits += width
    while (bits >= 8) {
      out[at++] = buffer & 0xff
      buffer >>>= 8
      bits -= 8
    }
  }
  return at
}

/** Writes the PLAIN bytes of a column's values at `out[at]` (booleans bit-packed, least significant bit first). */
const writePlainValues = (out: Uint8Array, at: number, column: ColumnValues): number => {
  if (column.kind !== "boolean") {
    out.set(column.bytes.subarray(0, column.at), at)
    return at + column.at
  }
  const bytes = Math.ceil(column.at / 8)
  out.fill(0, at, at + bytes)
  for (let i = 0; i < column.at; i++) if (column.bytes[i] === 1) out[at + (i >> 3)]! |= 1 << (i & 7)
  return at + bytes
}

/** Writes a Parquet file through `write`, a row group at a time. */
export class ParquetEncoder {
  readonly columns: ReadonlyArray<ColumnValues>
  private readonly texts: ReadonlyArray<ColumnValues>
  /** Rows in the current row group. */
  rows = 0
  /** The row of the current group at which its size is looked at next. */
  private nextCheck = FIRST_CHECK
  private offset = 0
  private totalRows = 0
  /** Each row group's footer entry, encoded when the group is written (the footer lists them all). */
  private readonly groups: Array<ThriftValue> = []
  private pages = new Uint8Array(1 << 20)
  private readonly schema: ReadonlyArray<ParquetColumn>
  private readonly write: (bytes: Uint8Array) => void
  private readonly createdBy: string

  constructor(schema: ReadonlyArray<ParquetColumn>, write: (bytes: Uint8Array) => void, createdBy: string) {
    this.schema = schema
    this.write = write
    this.createdBy = createdBy
    this.columns = schema.map((c) => new ColumnValues(c.kind))
    this.texts = this.columns.filter((c) => c.kind === "text")
    this.emit(MAGIC)
  }

  private emit(bytes: Uint8Array): void {
    this.write(bytes)
    this.offset += bytes.length
  }

  /** Ends a row (its values were appended to every column); writes the row group once it is full. */
  endRow(): void {
    for (const column of this.texts) column.endRow()
    if (++this.rows === GROUP_ROWS) this.flush()
    else if (this.rows === this.nextCheck) {
      let bytes = 0
      for (const column of this.columns) bytes += column.at
      if (bytes >= GROUP_BYTES) this.flush()
      else {
        // Next when the rows, at their average size so far, could have filled half the room left: every 1024
        // rows for rows of a few KiB, row by row near the limit for rows of MiB (counted every 1024 rows, 1024
        // texts of 1 MiB were held before a group of 1 GiB was written).
        const room = (GROUP_BYTES - bytes) / (2 * (bytes / this.rows))
        this.nextCheck = this.rows + Math.max(1, Math.min(1024, Math.floor(room)))
      }
    }
  }

  /** Writes the current row group (if it has rows). */
  flush(): void {
    const rows = this.rows
    if (rows === 0) return
    const start = this.offset
    let uncompressedTotal = 0
    const chunks: Array<ThriftValue> = []
    for (const [i, column] of this.columns.entries()) {
      const chunkStart = this.offset
      let nulls = 0
      for (let row = 0; row < rows; row++) nulls += 1 - column.defined[row]!
      let dictionaryOffset: number | undefined
      let chunkUncompressed = 0
      if (column.dictionary && column.values > 0) {
        dictionaryOffset = this.offset
        chunkUncompressed += this.page(column.bytes.subarray(0, column.at), {
          type: DICTIONARY_PAGE,
          header: [
            7,
            {
              struct: [
                [1, { i32: column.distinct }],
                [2, { i32: Encoding.PLAIN }]
              ]
            }
          ]
        })
      }
      const dictionary = dictionaryOffset !== undefined
      // Put together in one buffer kept from page to page: a page's only new memory is its compressed bytes.
      const body = this.pageBuffer(32 + rows + column.at + 2 * column.values)
      const levelsEnd = writeDefinitionLevels(body, column, rows, nulls)
      const end = dictionary
        ? writeDictionaryIndices(body, levelsEnd, column)
        : writePlainValues(body, levelsEnd, column)
      const dataOffset = this.offset
      chunkUncompressed += this.page(body.subarray(0, end), {
        type: DATA_PAGE,
        header: [
          5,
          {
            struct: [
              [1, { i32: rows }],
              [2, { i32: dictionary ? Encoding.RLE_DICTIONARY : Encoding.PLAIN }],
              [3, { i32: Encoding.RLE }],
              [4, { i32: Encoding.RLE }]
            ]
          }
        ]
      })
      uncompressedTotal += chunkUncompressed
      const range = rangeOf(column.kind, column.bytes, column.at)
      const encodings = dictionary
        ? [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY]
        : [Encoding.PLAIN, Encoding.RLE]
      chunks.push({
        struct: [
          [2, { i64: chunkStart }],
          [
            3,
            {
              struct: [
                [1, { i32: physical(column.kind).type }],
                [2, { list: encodings.map((e) => ({ i32: e })) }],
                [3, { list: [{ binary: this.schema[i]!.name }] }],
                [4, { i32: ZSTD }],
                [5, { i64: rows }],
                [6, { i64: chunkUncompressed }],
                [7, { i64: this.offset - chunkStart }],
                [9, { i64: dataOffset }],
                [11, dictionaryOffset === undefined ? undefined : { i64: dictionaryOffset }],
                [
                  12,
                  {
                    struct: [
                      [3, { i64: nulls }],
                      [5, range === undefined ? undefined : { binary: range.max }],
                      [6, range === undefined ? undefined : { binary: range.min }]
                    ]
                  }
                ]
              ]
            }
          ]
        ]
      })
      column.reset()
    }
    this.groups.push({
      encoded: encodeStruct([
        [1, { list: chunks }],
        [2, { i64: uncompressedTotal }],
        [3, { i64: rows }],
        [5, { i64: start }],
        [6, { i64: this.offset - start }],
        [7, { i16: this.groups.length }]
      ])
    })
    this.totalRows += rows
    this.rows = 0
    this.nextCheck = FIRST_CHECK
  }

  /** The page buffer, with room for at least `bytes`. */
  private pageBuffer(bytes: number): Uint8Array {
    if (this.pages.length < bytes) this.pages = new Uint8Array(Math.max(bytes, this.pages.length * 2))
    return this.pages
  }

  /** Writes one page (header, then `body` compressed); returns its uncompressed size, header included. */
  private page(
    body: Uint8Array,
    kind: { readonly type: number; readonly header: readonly [number, ThriftValue] }
  ): number {
    const compressed = zstdCompressSync(body, { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } })
    const header = encodeStruct([
      [1, { i32: kind.type }],
      [2, { i32: body.length }],
      [3, { i32: compressed.length }],
      kind.header
    ])
    this.emit(header)
    this.emit(compressed)
    return header.length + body.length
  }

  /** Writes the last row group and the footer; returns the rows written. */
  finish(): number {
    this.flush()
    const schema: Array<ThriftValue> = [
      {
        struct: [
          [4, { binary: "schema" }],
          [5, { i32: this.schema.length }]
        ]
      },
      ...this.schema.map((column): ThriftValue => {
        const { type, converted, logical } = physical(column.kind)
        const fields: ThriftStruct = [
          [1, { i32: type }],
          [3, { i32: OPTIONAL }],
          [4, { binary: column.name }],
          [6, converted === undefined ? undefined : { i32: converted }],
          [10, logical]
        ]
        return { struct: fields }
      })
    ]
    const footer = encodeStruct([
      [1, { i32: 1 }],
      [2, { list: schema }],
      [3, { i64: this.totalRows }],
      [4, { list: this.groups }],
      [6, { binary: this.createdBy }],
      // Each column's statistics are in its type's own order (see Statistics.ts).
      [7, { list: this.schema.map((): ThriftValue => ({ struct: [[1, { struct: [] }]] })) }]
    ])
    const length = new Uint8Array(4)
    new DataView(length.buffer).setUint32(0, footer.length, true)
    this.emit(footer)
    this.emit(length)
    this.emit(MAGIC)
    return this.totalRows
  }
}
