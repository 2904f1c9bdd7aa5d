/**
 * The exact parse of a lent page's `data_rows` (`Pagination.parseRows`): in small pieces when it can (see
 * rowsInPieces.ts), else the span whole; every check a whole-body parse makes, with the same messages.
 */
import { isUtf8 } from "node:buffer"
import type { PageBytes, Rows } from "../Pagination.ts"
import { MAX_NESTING, NestingTooDeep, NumberOutOfRange, parseJsonExact } from "./bigJson.ts"
import { readRowsInPieces } from "./rowsInPieces.ts"
import { deepCellAt } from "./splitDataRows.ts"

/**
 * A page whose rows cannot be read: `malformed` (cut short or damaged in transit: the client requests the page
 * again, under its retry policy) or not (data that cannot be read exactly: the stream fails with a
 * `ResponseDecode`). Exported as `Pagination.BadPage`.
 */
export class BadPage {
  readonly _tag = "BadPage"
  /** What is wrong, for the error message (e.g. `a data page holds 9 rows but says 10`). */
  readonly description: string
  readonly malformed: boolean
  constructor(description: string, malformed: boolean) {
    this.description = description
    this.malformed = malformed
  }
}

/** Levels of a `data_rows` array: its own, a row's, and a cell of at most `MAX_NESTING`. */
const ROWS_DEPTH = MAX_NESTING + 2

/** The page's rows, checked (see `Pagination.parseRows`), or why not. */
export const parse = (page: PageBytes, exactNumbers: boolean): Rows | BadPage => {
  const { bytes, start, end, columnNames } = page
  const width = columnNames.length
  // Pieces parse numbers as doubles (refusing those beyond a double's range), so not for `exactNumbers`.
  const pieces = exactNumbers ? undefined : readRowsInPieces(bytes, start, width)
  let rows: Rows
  if (pieces !== undefined && pieces.end === end) rows = pieces.rows
  else {
    const span = bytes.subarray(start, end)
    // Decoded, bytes that are not UTF-8 would become replacement characters: refused instead.
    if (!isUtf8(span)) {
      return new BadPage(
        "the data page holds text that is not valid UTF-8; it is never exported with replacement characters: correct the value at the source",
        false
      )
    }
    let json: unknown
    try {
      json = parseJsonExact(
        Buffer.from(span.buffer, span.byteOffset, span.byteLength).toString("utf8"),
        exactNumbers
          ? { exactNumbers: true, maxDepth: ROWS_DEPTH }
          : { rejectOutOfRange: true, bytes: span, maxDepth: ROWS_DEPTH }
      )
    } catch (error) {
      // Walking such a value (to check it, render it, write it) would overflow the stack.
      if (error instanceof NestingTooDeep) {
        const cell = deepCellAt(bytes, start, columnNames, MAX_NESTING)
        const where =
          cell === undefined
            ? "a value of the data page"
            : `a cell in row ${page.recordOffset + cell.row + 1}, column ${JSON.stringify(cell.column)}`
        return new BadPage(
          `${where} is nested deeper than ${MAX_NESTING} levels: spotpipe does not export such values`,
          false
        )
      }
      // `JSON.parse` turns a number beyond a double's range (1e400) into Infinity, which writers would print as
      // null: refused.
      if (error instanceof NumberOutOfRange) {
        return new BadPage(
          "a number in the data does not fit a double (e.g. 1e400); it cannot be exported exactly",
          false
        )
      }
      return new BadPage("the data page is not valid JSON (cut short in transit?)", true)
    }
    if (!Array.isArray(json)) return new BadPage("a data page has no `data_rows` array", false)
    for (let i = 0; i < json.length; i++) {
      const row: unknown = json[i]
      if (!Array.isArray(row)) return new BadPage(`data row ${i} is not an array (COMPACT format expected)`, false)
      // A row wider or narrower than the column list cannot be written without shifting or inventing cells.
      if (row.length !== width) {
        return new BadPage(`data row ${i} has ${row.length} cells but the page names ${width} columns`, false)
      }
    }
    rows = json as Rows
  }
  if (rows.length !== page.rowCount) {
    return new BadPage(`a data page holds ${rows.length} rows but says ${page.rowCount}`, true)
  }
  return rows
}
