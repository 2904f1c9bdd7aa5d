/**
 * Plans how each result column is written, from its ThoughtSpot data type (learned from `metadata/search
 * include_details`) and the data timezone. Date columns get a `@spotpipe/decode` renderer built once per output
 * (with its byte-writing form, for the rows transcoder);
 * other columns write their cells by `CellRules.ts` (exactly, or the export fails naming the cell). A column
 * metadata did not know is written like a DOUBLE column, except Custom Calendar `{"v":…}` cells, which are
 * dates there (rendered as RFC 3339 instants, the least lossy choice without a type).
 */
import {
  isDateColumnType,
  makeCellRenderer,
  makeCellWriter,
  makeEndRenderer,
  type OffsetStyle,
  type TimeZone
} from "@spotpipe/decode"
import { asParsed, type NumericClass, numericClassOf, textCell, valueCell } from "../formats/CellRules.ts"
import type { Cell } from "../formats/RowFormat.ts"
import { type CellFormatter, type ColumnPlan, varcharList } from "../formats/RowRenderer.ts"

/** Options for {@link planColumns}. */
export interface PlanOptions {
  readonly timeZone: TimeZone
  readonly offset: OffsetStyle
}

const isCalendarCell = (cell: unknown): boolean => typeof cell === "object" && cell !== null && "v" in cell

/** A date renderer that reads cells as plain `JSON.parse` gives them (see `CellRules.asParsed`). */
const readParsed =
  (render: CellFormatter): CellFormatter =>
  (cell) =>
    render(typeof cell === "object" && cell !== null ? asParsed(cell) : cell)

/** The formatter of a non-date column: {@link valueCell} for its numeric class. */
const valueFormatter = (numeric: NumericClass): CellFormatter =>
  Object.assign((cell: unknown) => valueCell(cell, numeric), { usual: numeric })

/**
 * A list-of-text cell (`VARCHAR[]`, planned for NDJSON only): the array itself, which the NDJSON writer writes as a
 * JSON array; anything but null or an array of well-formed strings is refused.
 */
const listFormatter: CellFormatter = (cell) => {
  if (cell === null || cell === undefined) return null
  if (!Array.isArray(cell)) return new Error("a list column holds a cell that is not a list")
  for (const item of cell) {
    if (typeof item !== "string") return new Error("a list column holds an item that is not text")
    const checked = textCell(item)
    if (checked instanceof Error) return checked
  }
  // Not one of `Cell`'s kinds: only NDJSON plans list columns, and its `jsonCell` writes an array as JSON.
  return cell as unknown as Cell
}

const untypedFormatter = (column: string, options: PlanOptions): CellFormatter => {
  const date = makeCellRenderer("DATE_TIME", { timeZone: options.timeZone, offset: options.offset, column })
  return Object.assign((cell: unknown) => (isCalendarCell(cell) ? date(asParsed(cell)) : valueCell(cell, "any")), {
    usual: "any" as const
  })
}

/**
 * The types of a page's columns, by position: the i-th name gets the i-th type (`null`: unknown).
 */
export type ColumnTypes = (names: ReadonlyArray<string>) => ReadonlyArray<string | null>

/**
 * Types from the column list that metadata reports for a result (answers, visualizations), in the result's order.
 * When the page's columns are that list — as many, each holding the name of the model column described at its place
 * (ThoughtSpot describes an answer's columns without the names its pages give them: `Total Revenue`, `Month(Order
 * Date)`), or for a list without model columns named as listed — each column takes the type at its position, so two columns of one name keep their
 * own types. Otherwise each takes the type of the listed column of the same name if that name has a single type
 * there, else none (unknown: written as received, with a warning in the manifest). A type taken by position that
 * does not fit the cells (a DATE that is no midnight) fails the export: the cells are checked, never trusted.
 */
export const typesByPosition =
  (
    listed: ReadonlyArray<{
      readonly name?: string
      readonly type: string
      readonly base?: { readonly name: string }
    }>
  ): ColumnTypes =>
  (names) => {
    // A described result column fits a page's name that holds its model column's name (`Month(Order Date)`, also
    // where the description says no bucket); a model's column fits its own name.
    const fits = (name: string, column: (typeof listed)[number]) =>
      column.base !== undefined ? name.includes(column.base.name) : name === column.name
    if (names.length === listed.length && names.every((name, i) => fits(name, listed[i]!))) {
      return listed.map((column) => column.type)
    }
    const byName = new Map<string, string | null>()
    for (const { name, type } of listed) {
      if (name !== undefined) byName.set(name, byName.has(name) && byName.get(name) !== type ? null : type)
    }
    return names.map((name) => byName.get(name) ?? null)
  }

/** Types from a lookup by name (search results, whose columns are derived from the model's). */
export const typesByName =
  (typeOf: (name: string) => string | null): ColumnTypes =>
  (names) =>
    names.map(typeOf)

/** One plan per result column; `types` gives each column's ThoughtSpot type by position (`null`: unknown). */
export const planColumns = (
  names: ReadonlyArray<string>,
  types: ReadonlyArray<string | null>,
  options: PlanOptions
): ReadonlyArray<ColumnPlan> =>
  names.map((name, i) => {
    const type = types[i] ?? null
    if (type !== null && isDateColumnType(type)) {
      const renderOptions = { timeZone: options.timeZone, offset: options.offset, column: name }
      return {
        name,
        type,
        // The byte writer lets the rows transcoder write dates without an intermediate string.
        format: Object.assign(readParsed(makeCellRenderer(type, renderOptions)), {
          writeBytes: makeCellWriter(type, renderOptions)
        }),
        // A time of day is no period: no `--period-end` companion, which would always be null.
        ...(type === "TIME" ? {} : { end: readParsed(makeEndRenderer(type, renderOptions)) }),
        plainText: true // YYYY-MM-DD, RFC 3339, HH:mm:ss
      }
    }
    if (type === null) return { name, type, format: untypedFormatter(name, options) }
    if (type === varcharList) return { name, type, format: listFormatter }
    return { name, type, format: valueFormatter(numericClassOf(type)) }
  })
