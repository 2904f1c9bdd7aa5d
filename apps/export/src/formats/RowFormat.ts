/**
 * The contract between rendering and writing: a row format turns the column list into a header and a page of
 * rendered rows into one text chunk. Chunks are concatenated as they come, so memory stays O(page).
 * `CsvFormat.ts` and `NdjsonFormat.ts` implement it; `TextFormats.ts` picks one by name.
 */

/** Output formats spotpipe writes. */
export const formats = ["csv", "ndjson", "parquet"] as const
/** One of {@link formats}. */
export type Format = (typeof formats)[number]
/** The formats written as text (those the rows transcoder writes straight from response bytes). */
export type TextFormat = Exclude<Format, "parquet">

/** A rendered cell: dates are already text, big integers are `bigint`, nulls stay `null`. */
export type Cell = string | number | bigint | boolean | null

/** A page of rendered rows, each positionally aligned with the column list. */
export type RenderedPage = ReadonlyArray<ReadonlyArray<Cell>>

/** Turns pages of rendered rows into text. */
export interface RowFormat {
  /** File extension without the dot. */
  readonly extension: string
  /** Text written before the first row (may be empty). */
  readonly header: string
  /** Text for one page of rows, ending with a newline (empty for an empty page). */
  readonly page: (rows: RenderedPage) => string
}

/** Options shared by the formats. */
export interface RowFormatOptions {
  readonly columns: ReadonlyArray<string>
  /** CSV line ending (NDJSON always uses `\n`). */
  readonly newline: "\r\n" | "\n"
  /** CSV only: prefix cells starting with `= + - @` (tab, CR) with `'` so spreadsheets do not run them. */
  readonly escapeFormulae: boolean
  /**
   * CSV only: the text of a null cell (`--null-string`; default empty). Never holds the delimiter, a quote, CR or
   * LF (refused before), so it is written as it is.
   */
  readonly nullString?: string
}
