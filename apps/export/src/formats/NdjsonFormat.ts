/**
 * NDJSON: one JSON object per line, keys in column order, `\n` line ends, nulls as `null`, big integers as
 * bare digits (JSON numbers of any size are valid; `JSON.stringify` would throw on a `bigint`), a negative zero as
 * `-0` (`JSON.stringify` would write `0`). Key prefixes
 * are built once per export, so a row costs one string concatenation per cell.
 */
import type { Cell, RowFormat, RowFormatOptions } from "./RowFormat.ts"

const bigintSafe = (_key: string, value: unknown) => (typeof value === "bigint" ? value.toString() : value)

/** JSON text of one rendered cell. */
export const jsonCell = (cell: Cell | undefined): string => {
  switch (typeof cell) {
    case "string":
      return JSON.stringify(cell)
    case "number":
      // A negative zero is `-0` (`JSON.parse` gives -0 back; `String` and `JSON.stringify` write `0`).
      if (cell === 0) return Object.is(cell, -0) ? "-0" : "0"
      // JSON has no NaN/Infinity; ThoughtSpot never sends them, but never write invalid JSON either.
      return Number.isFinite(cell) ? String(cell) : "null"
    case "bigint":
      return cell.toString()
    case "boolean":
      return cell ? "true" : "false"
    case "undefined":
      return "null"
    default:
      return cell === null ? "null" : JSON.stringify(cell, bigintSafe)
  }
}

/** The NDJSON row format. */
export const makeNdjsonFormat = (options: RowFormatOptions): RowFormat => {
  const prefixes = options.columns.map((name, i) => (i === 0 ? "{" : ",") + JSON.stringify(name) + ":")
  const width = prefixes.length
  return {
    extension: "ndjson",
    header: "",
    page: (rows) => {
      let text = ""
      for (const row of rows) {
        let line = width === 0 ? "{" : ""
        for (let i = 0; i < width; i++) line += prefixes[i] + jsonCell(row[i])
        text += line + "}\n"
      }
      return text
    }
  }
}
