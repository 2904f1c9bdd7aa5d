/**
 * Parquet as a byte stream: the `PAR1` magic first, then a row group whenever {@link rowGroupRows} rows have come, then the
 * footer (which lists every row group) at the end. The rows it takes are already typed (`ParquetCells.ts`), so
 * this module only lays them out in columns and hands them to hyparquet-writer (pure JS, chosen by measurement,
 * see BENCHMARKS.md), whose output buffer is drained after every row group: memory holds one row group at most.
 * Compression is zstd (Node's own `zlib`). The bytes depend only on the rows and the column types (no time or
 * host in the file), so writing the same result twice gives the same file.
 */
import { constants, zstdCompressSync } from "node:zlib"
import { ByteWriter, ParquetWriter } from "hyparquet-writer"
import { type ColumnKind, columnKindOf } from "../plan/ColumnKinds.ts"
import type { RenderedPage } from "./RowFormat.ts"

type WriterOptions = ConstructorParameters<typeof ParquetWriter>[0]
type SchemaElement = WriterOptions["schema"][number]
type ColumnSource = Parameters<ParquetWriter["write"]>[0]["columnData"][number]

/**
 * Rows of a row group (the last one may have fewer): large enough for good compression and fast reads, small
 * enough that memory stays flat. Groups do not follow pages, so the bytes do not depend on the page size.
 */
export const rowGroupRows = 32_768

const zstdLevel = 1

/** The Parquet column of a kind: physical type and logical annotation, nullable. */
const schemaElement = (name: string, kind: ColumnKind): SchemaElement => {
  const optional = { name, repetition_type: "OPTIONAL" } as const
  switch (kind) {
    case "int64":
      return { ...optional, type: "INT64" }
    case "int32":
      return { ...optional, type: "INT32" }
    case "double":
      return { ...optional, type: "DOUBLE" }
    case "boolean":
      return { ...optional, type: "BOOLEAN" }
    case "text":
      return { ...optional, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } }
    case "date":
      return { ...optional, type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } }
    case "timestamp":
      return {
        ...optional,
        type: "INT64",
        converted_type: "TIMESTAMP_MICROS",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" }
      }
    case "time":
      return {
        ...optional,
        type: "INT64",
        converted_type: "TIME_MICROS",
        logical_type: { type: "TIME", isAdjustedToUTC: false, unit: "MICROS" }
      }
  }
}

/** Options of {@link makeParquetFormat}. */
export interface ParquetFormatOptions {
  /** Column names as written. */
  readonly columns: ReadonlyArray<string>
  /** Each column's ThoughtSpot type (`null`: unknown, written as text). */
  readonly types: ReadonlyArray<string | null>
}

/** Writes typed rows as Parquet: `header` (the magic), then what `page` and `end` give. */
export interface ParquetFormat {
  readonly extension: "parquet"
  readonly header: Uint8Array
  /** Buffers typed rows (columns in order); gives the bytes of every row group they complete (often none). */
  readonly page: (rows: RenderedPage) => Uint8Array
  /** The rows still buffered as a last row group, then the footer. */
  readonly end: () => Uint8Array
}

const empty = new Uint8Array(0)

/** A Parquet writer for one output. */
export const makeParquetFormat = (options: ParquetFormatOptions): ParquetFormat => {
  const width = options.columns.length
  const kinds = options.types.map(columnKindOf)
  const schema: Array<SchemaElement> = [
    { name: "root", num_children: width },
    ...options.columns.map((name, i) => schemaElement(name, kinds[i]!))
  ]
  const out = new ByteWriter(1 << 20)
  /** The bytes written since the last drain (copied: the writer reuses its buffer). */
  const drain = (): Uint8Array => {
    const bytes = new Uint8Array(out.buffer, 0, out.index).slice()
    out.index = 0
    return bytes
  }
  const writer = new ParquetWriter({
    writer: out as unknown as WriterOptions["writer"],
    schema,
    codec: "ZSTD",
    compressors: {
      ZSTD: (input: Uint8Array) =>
        zstdCompressSync(input, { params: { [constants.ZSTD_c_compressionLevel]: zstdLevel } })
    },
    createdBy: "spotpipe"
  })
  const header = drain()
  let columns: Array<Array<unknown>> = Array.from({ length: width }, () => [])
  let buffered = 0
  /** Writes the first `rows` buffered rows as one row group; the rest stay buffered. */
  const flush = (rows: number): Uint8Array => {
    if (rows === 0) return empty
    const whole = rows === buffered
    const columnData: Array<ColumnSource> = columns.map(
      (data, i) => ({ name: options.columns[i]!, data: whole ? data : data.slice(0, rows) }) as unknown as ColumnSource
    )
    const pending = writer.write({ columnData, rowGroupSize: rows })
    if (pending !== undefined) throw new Error("the Parquet writer went asynchronous")
    columns = whole ? Array.from({ length: width }, () => []) : columns.map((data) => data.slice(rows))
    buffered -= rows
    return drain()
  }
  const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
    if (parts.length === 1) return parts[0]!
    const bytes = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
    let at = 0
    for (const part of parts) {
      bytes.set(part, at)
      at += part.length
    }
    return bytes
  }
  return {
    extension: "parquet",
    header,
    page: (rows) => {
      for (let c = 0; c < width; c++) {
        const column = columns[c]!
        for (let r = 0; r < rows.length; r++) column.push(rows[r]![c])
      }
      buffered += rows.length
      if (buffered < rowGroupRows) return empty
      const groups: Array<Uint8Array> = []
      while (buffered >= rowGroupRows) groups.push(flush(rowGroupRows))
      return concat(groups)
    },
    end: () => {
      const last = flush(buffered)
      const finished = writer.finish()
      if (finished !== undefined) throw new Error("the Parquet writer went asynchronous")
      return concat([last, drain()])
    }
  }
}
