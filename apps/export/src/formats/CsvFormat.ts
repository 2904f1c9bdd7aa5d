/**
 * CSV (RFC 4180, UTF-8) with papaparse 5.7.1's exact `unparse` semantics. The header row still goes through
 * `Papa.unparse` (once per export); data rows go through a hand-written cell writer that reproduces papaparse's
 * `safe()` for our config (`,` delimiter, `"` quote, doubled quotes, `quotes: false`), because papaparse's
 * per-cell checks were the biggest CPU cost of an export. Numbers, bigints and booleans print as their
 * `toString()` and can never need quoting; only string (and, defensively, other object) cells get the quoting
 * rule. `test/CsvFormat.test.ts` proves the output byte-identical to `Papa.unparse`. The column list is always
 * explicit and every row's width is checked before it gets here (see `RowRenderer`), so a row can never shift
 * columns. Formula escaping is opt-in because exports are data, not spreadsheets. Three departures from papaparse,
 * all for loaders: a cell that is exactly `\.` is quoted (unquoted on a line of its own it ends a PostgreSQL
 * `COPY`), with a non-empty null string an empty string is written `""` (a blank line of a one-column file is
 * skipped by DuckDB's `read_csv`, and quoted it can never be taken for a null), and a negative zero is `-0` (not `0`:
 * readers load `-0` as -0.0, the value NDJSON and Parquet keep).
 */
import Papa from "papaparse"
import type { RowFormat, RowFormatOptions } from "./RowFormat.ts"

// papaparse quotes a cell containing one of its BAD_DELIMITERS (CR, LF, quote, byte-order mark) or the delimiter.
const needsQuoting = /[",\r\n\ufeff]/
const quotes = /"/g
/**
 * A cell a spreadsheet may run as a formula (`--escape-formulae`): its first character decides, whatever follows.
 * papaparse's own pattern for `escapeFormulae: true`, `/^[=+\-@\t\r].*$/` without the `s` flag, lets
 * "=HYPERLINK(…)\nx" through unescaped; this one is given to papaparse in its place.
 */
export const formula = /^[=+\-@\t\r]/
const space = 32

/** PostgreSQL `COPY`'s end-of-data marker. */
const endOfData = "\\."

/** CSV text of one string exactly as papaparse's `safe()` writes it, except that `\.` is quoted. */
const stringCell = (value: string, escapeFormulae: boolean): string => {
  if (escapeFormulae && formula.test(value)) return `"'${value.replace(quotes, '""')}"`
  if (value === endOfData) return `"${endOfData}"`
  if (
    needsQuoting.test(value) ||
    (value.length > 0 && (value.charCodeAt(0) === space || value.charCodeAt(value.length - 1) === space))
  ) {
    return `"${value.replace(quotes, '""')}"`
  }
  return value
}

/** CSV text of any other non-null value (Dates, objects): papaparse's `safe()` on its `toString()`. */
const otherCell = (value: object, escapeFormulae: boolean): string => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString()
  return stringCell(String(value), escapeFormulae)
}

/**
 * CSV text of one cell, byte-identical to papaparse's `safe()` for this module's config. `nullText` (`--null-string`,
 * default empty) is written, unquoted, for a null cell; a string equal to a non-empty `nullText`, and then also an
 * empty string, is quoted so that it stays a string for a loader (PostgreSQL's `COPY … CSV` reads only an unquoted
 * match as null; DuckDB skips a blank line).
 */
export const csvCell = (value: unknown, escapeFormulae: boolean, nullText = ""): string => {
  switch (typeof value) {
    case "string":
      return nullText !== "" && (value === nullText || value === "") && !(escapeFormulae && formula.test(value))
        ? `"${value}"`
        : stringCell(value, escapeFormulae)
    case "number":
      // A negative zero is `-0` (papaparse, like `String`, writes `0`): the double a reader loads, as Parquet holds it.
      if (value === 0) return Object.is(value, -0) ? "-0" : "0"
      return String(value)
    case "bigint":
    case "boolean":
      // Their text never holds a delimiter, quote, line break or edge space, and papaparse never
      // formula-escapes them ("-3" stays "-3").
      return String(value)
    case "undefined":
      return nullText
    case "object":
      return value === null ? nullText : otherCell(value, escapeFormulae)
    default:
      return stringCell(String(value), escapeFormulae)
  }
}

/**
 * Whether `text` is how a cell that is not text may be written: a number (`0`, `-1.5`, `1e+21`, `NaN`,
 * `Infinity`), `true` or `false`, a date, time or instant (they start with a digit). Such cells are written
 * unquoted, so a null written as that text could not be told from them.
 */
export const nonTextLike = (text: string): boolean =>
  /^[-+]?(?:\d|\.\d|Infinity$|NaN$)/.test(text) || text === "true" || text === "false"

/**
 * Why `text` cannot be the CSV null string, or undefined when it can: written unquoted, it must not hold the
 * delimiter, a quote, CR or LF (a reader would split or join cells), nor be text a number, boolean, date or time
 * cell is written as (see {@link nonTextLike}). Empty is the default.
 */
export const nullStringProblem = (text: string): string | undefined =>
  // PostgreSQL's COPY reads a line of `\.` alone as the end of the data: a one-column row's null would end the load.
  text === "\\."
    ? `a null string must not be \\. (PostgreSQL's COPY reads \\. alone on a line as the end of the data, so a load would stop at a null): use text such as \\N or NULL`
    : /[",\r\n]/.test(text)
      ? `a null string must not hold a comma, a double quote, CR or LF (a reader would split or join cells): use text such as \\N or NULL`
      : nonTextLike(text)
        ? `a null string must not be text a number, true/false, a date or a time is written as (their cells are not quoted, so a null and such a value would be the same text): use text such as \\N or NULL`
        : undefined

/** The CSV row format. */
export const makeCsvFormat = (options: RowFormatOptions): RowFormat => {
  const fields = [...options.columns]
  const { newline, escapeFormulae } = options
  const nullText = options.nullString ?? ""
  const config = { header: false, newline, escapeFormulae: escapeFormulae ? formula : false }
  // A one-row array unparse: `{ fields, data: [] }` would add a spurious empty row.
  const header = Papa.unparse([fields], config) + newline
  return {
    extension: "csv",
    header,
    page: (rows) => {
      let text = ""
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r]!
        let line = ""
        for (let c = 0; c < row.length; c++) {
          if (c > 0) line += ","
          line += csvCell(row[c], escapeFormulae, nullText)
        }
        text += line + newline
      }
      return text
    }
  }
}
