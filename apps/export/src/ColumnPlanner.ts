/**
 * Plans how each result column is written, from its ThoughtSpot data type (learned from `metadata/search
 * include_details`) and the data timezone. Date columns get a `@spotpipe/decode` renderer built once per output
 * (with its byte-writing form, for the rows transcoder);
 * a column metadata did not know passes its cells through, except Custom Calendar `{"v":…}` cells, which are
 * dates whatever the column (rendered as RFC 3339 instants, the least lossy choice without a type).
 */
import {
  isDateColumnType,
  makeCellRenderer,
  makeCellWriter,
  makeEndRenderer,
  type OffsetStyle,
  type TimeZone
} from "@spotpipe/decode"
import type { Cell } from "./RowFormat.ts"
import type { CellFormatter, ColumnPlan } from "./RowRenderer.ts"

/** Options for {@link planColumns}. */
export interface PlanOptions {
  readonly timeZone: TimeZone
  readonly offset: OffsetStyle
}

const isCalendarCell = (cell: unknown): boolean => typeof cell === "object" && cell !== null && "v" in cell

const untypedFormatter = (column: string, options: PlanOptions): CellFormatter => {
  const date = makeCellRenderer("DATE_TIME", { timeZone: options.timeZone, offset: options.offset, column })
  return (cell) => {
    if (isCalendarCell(cell)) return date(cell)
    if (typeof cell === "object" && cell !== null) return JSON.stringify(cell)
    return cell === undefined ? null : (cell as Cell)
  }
}

/** One plan per result column; `typeOf` gives the column's ThoughtSpot type, or `null` when unknown. */
export const planColumns = (
  names: ReadonlyArray<string>,
  typeOf: (name: string) => string | null,
  options: PlanOptions
): ReadonlyArray<ColumnPlan> =>
  names.map((name) => {
    const type = typeOf(name)
    if (type !== null && isDateColumnType(type)) {
      const renderOptions = { timeZone: options.timeZone, offset: options.offset, column: name }
      return {
        name,
        type,
        // The byte writer lets the rows transcoder write dates without an intermediate string.
        format: Object.assign(makeCellRenderer(type, renderOptions), {
          writeBytes: makeCellWriter(type, renderOptions)
        }),
        end: makeEndRenderer(type, renderOptions),
        plainText: true // YYYY-MM-DD, RFC 3339, HH:mm:ss
      }
    }
    if (type === null) return { name, type, format: untypedFormatter(name, options) }
    return { name, type }
  })
