/**
 * The text formats by name. It sits apart from `RowFormat.ts`, the contract that the CSV and NDJSON formats
 * implement, so that the contract never imports what implements it.
 */
import { makeCsvFormat } from "./CsvFormat.ts"
import { makeNdjsonFormat } from "./NdjsonFormat.ts"
import type { RowFormat, RowFormatOptions, TextFormat } from "./RowFormat.ts"

/** The row format for a text format (a Parquet output is staged as CSV: see `TypedCells.ts`). */
export const makeRowFormat = (format: TextFormat, options: RowFormatOptions): RowFormat =>
  format === "csv" ? makeCsvFormat(options) : makeNdjsonFormat(options)
