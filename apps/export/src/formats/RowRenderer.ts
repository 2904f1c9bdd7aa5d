/**
 * Turns raw COMPACT rows into rendered rows. Work is planned once per output: each column gets a precomputed
 * formatter (`CellRules.ts` for non-date columns, a `@spotpipe/decode` renderer for date columns) and, when
 * asked, a companion column carrying the period end. Output names are made distinct (a repeated result name is
 * numbered). A page whose columns all pass through is handed on untouched; otherwise each row costs one array
 * and one call per formatted cell.
 */
import type { ColumnKind } from "./ColumnKinds.ts"
import type { Cell, RenderedPage } from "./RowFormat.ts"

/**
 * Writes the text a formatter gives a cell as plain ASCII bytes at `out[at]` (room for 25 bytes guaranteed) and
 * returns the end; a negative result writes nothing and means "no text" (-1, the formatter gives null) or "ask the
 * formatter" (any other). `@spotpipe/decode`'s `makeCellWriter` is one.
 */
export type CellByteWriter = (cell: unknown, out: Uint8Array, at: number) => number

/**
 * Renders one cell; a returned `Error` means the cell is invalid (the page fails, naming row and column).
 * `writeBytes`, when present, writes exactly the same text straight into an output buffer (the rows transcoder
 * uses it for plain-text columns).
 */
export type CellFormatter = ((cell: unknown) => Cell | Error) & {
  readonly writeBytes?: CellByteWriter
  /**
   * The formatter gives back unchanged every null, boolean and well-formed string, and every number of this
   * class (`any`: every finite double, every integer literal; `int64`/`int32`: integers in that range), so a
   * writer may copy such cells as they are and call it only for the others (see `CellRules.ts`).
   */
  readonly usual?: "int64" | "int32" | "any"
  /**
   * A typed output's column (see `TypedCells.ts`): a writer may copy only nulls and the cells this kind holds as
   * written (integers of the range, doubles whose literal a double holds exactly, booleans); every other cell,
   * strings included, goes to the formatter, which refuses what the column cannot hold.
   */
  readonly typed?: ColumnKind
}

/** How one source column is written. */
export interface ColumnPlan {
  readonly name: string
  /** ThoughtSpot data type, `null` when metadata did not know the column. */
  readonly type: string | null
  /** Absent for columns whose cells pass through unchanged. */
  readonly format?: CellFormatter
  /** Present for date columns: renders the period end for the companion column. */
  readonly end?: CellFormatter
  /**
   * `format` and `end` give only plain text when they give a string: printable ASCII without quotes, commas,
   * backslashes, edge spaces or a leading `= + - @` (true of rendered dates), so writers may copy it as is.
   */
  readonly plainText?: boolean
}

/** A written column (the manifest's column entry). */
export interface OutputColumn {
  /** The name written (header, NDJSON key): the result's, or ` (2)`, ` (3)`… added to a repeated one. */
  readonly name: string
  /** The result's name, when `name` had to differ from it. */
  readonly source_name?: string
  readonly type: string | null
  readonly end_of?: string
}

/** A cell that could not be rendered. */
export interface RenderFailure {
  readonly row: number
  readonly column: string
  readonly error: Error
}

/** Renders pages for a fixed column plan. */
export interface RowRenderer {
  readonly columns: ReadonlyArray<OutputColumn>
  /** Per output column, the source cell it comes from… */
  readonly sources: ReadonlyArray<number>
  /** …and its formatter (`undefined`: the cell passes through)… */
  readonly formatters: ReadonlyArray<CellFormatter | undefined>
  /** …whose strings are plain text (see {@link ColumnPlan.plainText}). */
  readonly plainText: ReadonlyArray<boolean>
  /** Renders `rows`; `rowOffset` is the index of the first row in the whole result (for error messages). */
  readonly render: (rows: ReadonlyArray<ReadonlyArray<unknown>>, rowOffset: number) => RenderedPage | RenderFailure
}

/**
 * The type of a list-of-text column (metadata `tags` in NDJSON): each cell an array of strings, written as a JSON
 * array; the manifest records this type.
 */
export const varcharList = "VARCHAR[]"

/** Suffix of a period-end companion column's name. */
export const endColumnSuffix = " (end)"

const widthFailure = (row: number, got: number, expected: number): RenderFailure => ({
  row,
  column: "(row)",
  error: new Error(`the row has ${got} cells but the result has ${expected} columns`)
})

/**
 * Distinct names for `names`, in order: the first of a name keeps it, later ones get ` (2)`, ` (3)`, … — the
 * first such name that no column has and none given before took.
 */
export const distinctNames = (names: ReadonlyArray<string>): ReadonlyArray<string> => {
  const listed = new Set(names)
  const used = new Set<string>()
  return names.map((name) => {
    let chosen = name
    for (let n = 2; used.has(chosen); n++) {
      chosen = `${name} (${n})`
      if (listed.has(chosen)) chosen = name // taken by a column of that name: try the next number
    }
    used.add(chosen)
    return chosen
  })
}

/** Renames written columns (`--column-names snake`): same length and order, names distinct. */
export type ColumnRenamer = (columns: ReadonlyArray<OutputColumn>) => ReadonlyArray<OutputColumn>

/**
 * Builds the renderer for `plans`; `periodEnd` adds a companion column after each date column; `rename`, when
 * given, chooses the names written (headers, NDJSON keys, failure messages).
 */
export const makeRowRenderer = (
  plans: ReadonlyArray<ColumnPlan>,
  periodEnd: boolean,
  rename?: ColumnRenamer
): RowRenderer => {
  const columns: Array<OutputColumn> = []
  // One slot per output column: the source column index and the formatter (undefined = pass through).
  const sources: Array<number> = []
  const plainText: Array<boolean> = []
  const formatters: Array<CellFormatter | undefined> = []
  // Output names are distinct (CSV headers, NDJSON keys): a repeated result name is numbered.
  const names = distinctNames(plans.map((plan) => plan.name))
  plans.forEach((plan, index) => {
    const name = names[index]!
    columns.push(name === plan.name ? { name, type: plan.type } : { name, source_name: plan.name, type: plan.type })
    sources.push(index)
    formatters.push(plan.format)
    plainText.push(plan.plainText === true)
    if (periodEnd && plan.end !== undefined) {
      columns.push({ name: name + endColumnSuffix, type: plan.type, end_of: name })
      sources.push(index)
      formatters.push(plan.end)
      plainText.push(plan.plainText === true)
    }
  })
  // A period-end column may meet a result column of its name: the period-end column is numbered.
  const taken = new Set(names)
  columns.forEach((column, i) => {
    if (column.end_of === undefined) return
    let name = column.name
    for (let n = 2; taken.has(name); n++) name = `${column.name} (${n})`
    taken.add(name)
    if (name !== column.name) columns[i] = { ...column, name }
  })
  if (rename !== undefined) columns.splice(0, columns.length, ...rename(columns))
  const width = columns.length
  const passThrough = formatters.every((f) => f === undefined) && width === plans.length
  const render = (rows: ReadonlyArray<ReadonlyArray<unknown>>, rowOffset: number): RenderedPage | RenderFailure => {
    if (passThrough) {
      // Rows go out as they came; only their width is checked, so a short row can never shift columns.
      for (let r = 0; r < rows.length; r++) {
        if (rows[r]!.length !== width) return widthFailure(rowOffset + r, rows[r]!.length, width)
      }
      return rows as RenderedPage
    }
    const out: Array<Array<Cell>> = new Array(rows.length)
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!
      if (row.length !== plans.length) return widthFailure(rowOffset + r, row.length, plans.length)
      const rendered: Array<Cell> = new Array(width)
      for (let c = 0; c < width; c++) {
        const cell = row[sources[c]!]
        const format = formatters[c]
        if (format === undefined) {
          rendered[c] = cell === undefined ? null : (cell as Cell)
        } else {
          const value = format(cell)
          if (value instanceof Error) return { row: rowOffset + r, column: columns[c]!.name, error: value }
          rendered[c] = value
        }
      }
      out[r] = rendered
    }
    return out
  }
  return { columns, sources, formatters, plainText, render }
}

/** True when `value` is a {@link RenderFailure}. */
export const isRenderFailure = (value: RenderedPage | RenderFailure): value is RenderFailure => !Array.isArray(value)
