/**
 * CSV (RFC 4180, UTF-8) through papaparse's `unparse`. The column list is always explicit: the header is written
 * once from it, and each page is unparsed with `header: false` against the same list, so a row can never shift
 * columns. Formula escaping is opt-in because exports are data, not spreadsheets.
 */
import Papa from "papaparse"
import type { RowFormat, RowFormatOptions } from "./RowFormat.ts"

/** The CSV row format. */
export const makeCsvFormat = (options: RowFormatOptions): RowFormat => {
  const fields = [...options.columns]
  const config = { header: false, newline: options.newline, escapeFormulae: options.escapeFormulae }
  // A one-row array unparse: `{ fields, data: [] }` would add a spurious empty row.
  const header = Papa.unparse([fields], config) + options.newline
  return {
    extension: "csv",
    header,
    page: (rows) =>
      rows.length === 0 ? "" : Papa.unparse({ fields, data: rows as Array<Array<unknown>> }, config) + options.newline
  }
}
