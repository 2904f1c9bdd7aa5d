/**
 * Writes a Parquet file from typed column values, a row group at a time: each column of a group is one data page
 * (definition levels, then the non-null values in PLAIN encoding) compressed with zstd, and the footer (schema and
 * row groups, Thrift compact) is written once the last group is out. Memory holds one row group.
 *
 * Values are appended already in their Parquet form (see `StagedRows.ts`): INT32 and DATE as 32-bit integers (days
 * since 1970-01-01), INT64, TIMESTAMP and TIME as 64-bit integers (microseconds), doubles, booleans, and UTF-8
 * strings. Every column is optional (nullable) and flat.
 */
import { constants, zstdCompressSync } from "node:zlib"
import type { ColumnKind } from "../../plan/ColumnKinds.ts"
import { encodeStruct, type ThriftStruct, type ThriftValue } from "./Thrift.ts"

const MAGIC = new TextEncoder().encode("PAR1")

/** Rows of a row group, unless its values reach {@link GROUP_BYTES} first. */
export const GROUP_ROWS = 131_072
/** Bytes of values a row group holds before it is written. */
const GROUP_BYTES = 48 * 2 ** 20
/** zstd level: 1 compresses these pages nearly as well as 3 at twice the speed. */
const ZSTD_LEVEL = 1

// Parquet enums (parquet.thrift).
const Type = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const
const OPTIONAL = 1
const Encoding = { PLAIN: 0, RLE: 3 } as const
const ZSTD = 6
const DATA_PAGE = 0
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
const physical = (kind: ColumnKind): { type: number; converted?: number; logical?: ThriftValue; width: number } => {
  switch (kind) {
    case "int64":
      return { type: Type.INT64, converted: ConvertedType.INT_64, logical: integer(64), width: 8 }
    case "int32":
      return { type: Type.INT32, converted: ConvertedType.INT_32, logical: integer(32), width: 4 }
    case "double":
      return { type: Type.DOUBLE, width: 8 }
    case "boolean":
      return { type: Type.BOOLEAN, width: 1 }
    case "text":
      return {
        type: Type.BYTE_ARRAY,
        converted: ConvertedType.UTF8,
        logical: { struct: [[1, { struct: [] }]] },
        width: 0
      }
    case "date":
      return { type: Type.INT32, converted: ConvertedType.DATE, logical: { struct: [[6, { struct: [] }]] }, width: 4 }
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
        },
        width: 8
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
        },
        width: 8
      }
  }
}

/** The values of one column in the current row group. */
export class ColumnValues {
  /** 1 where the row's value is present, 0 for null. */
  defined = new Uint8Array(GROUP_ROWS)
  /** The non-null values, PLAIN-encoded (booleans one byte each until the page packs them). */
  bytes = new Uint8Array(1 << 16)
  view = new DataView(this.bytes.buffer)
  /** Bytes of {@link bytes} in use. */
  at = 0
  readonly kind: ColumnKind
  constructor(kind: ColumnKind) {
    this.kind = kind
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
}

const uleb = (value: number, out: Array<number>): void => {
  let rest = value
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80)
    rest = Math.floor(rest / 128)
  }
  out.push(rest)
}

/**
 * Definition levels of `rows` rows (bit width 1, RLE/bit-packed hybrid, with its 4-byte length): one RLE run when
 * no value is null, else bit-packed groups of 8.
 */
const definitionLevels = (column: ColumnValues, rows: number, nulls: number): Uint8Array => {
  const header: Array<number> = []
  let body: Uint8Array
  if (nulls === 0) {
    uleb(rows * 2, header)
    body = Uint8Array.of(1)
  } else {
    const groups = Math.ceil(rows / 8)
    uleb(groups * 2 + 1, header)
    body = new Uint8Array(groups)
    const defined = column.defined
    for (let row = 0; row < rows; row++) if (defined[row] === 1) body[row >> 3]! |= 1 << (row & 7)
  }
  const out = new Uint8Array(4 + header.length + body.length)
  new DataView(out.buffer).setUint32(0, header.length + body.length, true)
  out.set(header, 4)
  out.set(body, 4 + header.length)
  return out
}

/** The PLAIN bytes of a column's values (booleans bit-packed, least significant bit first). */
const plainValues = (column: ColumnValues): Uint8Array => {
  if (column.kind !== "boolean") return column.bytes.subarray(0, column.at)
  const packed = new Uint8Array(Math.ceil(column.at / 8))
  for (let i = 0; i < column.at; i++) if (column.bytes[i] === 1) packed[i >> 3]! |= 1 << (i & 7)
  return packed
}

/** Writes a Parquet file through `write`, a row group at a time. */
export class ParquetEncoder {
  readonly columns: ReadonlyArray<ColumnValues>
  /** Rows in the current row group. */
  rows = 0
  private offset = 0
  private totalRows = 0
  private readonly groups: Array<ThriftValue> = []
  private readonly schema: ReadonlyArray<ParquetColumn>
  private readonly write: (bytes: Uint8Array) => void
  private readonly createdBy: string

  constructor(schema: ReadonlyArray<ParquetColumn>, write: (bytes: Uint8Array) => void, createdBy: string) {
    this.schema = schema
    this.write = write
    this.createdBy = createdBy
    this.columns = schema.map((c) => new ColumnValues(c.kind))
    this.emit(MAGIC)
  }

  private emit(bytes: Uint8Array): void {
    this.write(bytes)
    this.offset += bytes.length
  }

  /** Ends a row (its values were appended to every column); writes the row group once it is full. */
  endRow(): void {
    if (++this.rows === GROUP_ROWS) this.flush()
    else if ((this.rows & 1023) === 0) {
      let bytes = 0
      for (const column of this.columns) bytes += column.at
      if (bytes >= GROUP_BYTES) this.flush()
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
      let nulls = 0
      for (let row = 0; row < rows; row++) nulls += 1 - column.defined[row]!
      const levels = definitionLevels(column, rows, nulls)
      const values = plainValues(column)
      const page = new Uint8Array(levels.length + values.length)
      page.set(levels)
      page.set(values, levels.length)
      const compressed = zstdCompressSync(page, { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } })
      const header = encodeStruct([
        [1, { i32: DATA_PAGE }],
        [2, { i32: page.length }],
        [3, { i32: compressed.length }],
        [
          5,
          {
            struct: [
              [1, { i32: rows }],
              [2, { i32: Encoding.PLAIN }],
              [3, { i32: Encoding.RLE }],
              [4, { i32: Encoding.RLE }]
            ]
          }
        ]
      ])
      const pageOffset = this.offset
      this.emit(header)
      this.emit(compressed)
      const uncompressed = header.length + page.length
      uncompressedTotal += uncompressed
      const { type } = physical(column.kind)
      chunks.push({
        struct: [
          [2, { i64: pageOffset }],
          [
            3,
            {
              struct: [
                [1, { i32: type }],
                [2, { list: [{ i32: Encoding.PLAIN }, { i32: Encoding.RLE }] }],
                [3, { list: [{ binary: this.schema[i]!.name }] }],
                [4, { i32: ZSTD }],
                [5, { i64: rows }],
                [6, { i64: uncompressed }],
                [7, { i64: header.length + compressed.length }],
                [9, { i64: pageOffset }],
                [12, { struct: [[3, { i64: nulls }]] }]
              ]
            }
          ]
        ]
      })
      column.at = 0
    }
    this.groups.push({
      struct: [
        [1, { list: chunks }],
        [2, { i64: uncompressedTotal }],
        [3, { i64: rows }],
        [5, { i64: start }],
        [6, { i64: this.offset - start }],
        [7, { i16: this.groups.length }]
      ]
    })
    this.totalRows += rows
    this.rows = 0
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
      [6, { binary: this.createdBy }]
    ])
    const length = new Uint8Array(4)
    new DataView(length.buffer).setUint32(0, footer.length, true)
    this.emit(footer)
    this.emit(length)
    this.emit(MAGIC)
    return this.totalRows
  }
}
