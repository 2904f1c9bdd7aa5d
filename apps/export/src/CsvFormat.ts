/**
 * CSV (RFC 4180, UTF-8) through papaparse's `unparse`. The column list is always explicit: the header is written
 * once from it, and each page is unparsed with `header: false`; every row's width is checked against the list
 * before it gets here (see `RowRenderer`), so a row can never shift columns. Formula escaping is opt-in because exports are data, not spreadsheets.
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
    // Rows are arrays already checked against the column list (RowRenderer), so papaparse gets them as they
    // are: given `fields` it would call Object.keys on every row, a measurable cost at 100 000 rows a page.
    page: (rows) => (rows.length === 0 ? "" : Papa.unparse(rows as Array<Array<unknown>>, config) + options.newline)
  }
}
