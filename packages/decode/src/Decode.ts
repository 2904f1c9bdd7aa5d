/**
 * Plain-function decoders: one cell, one column, COMPACT rows and FULL rows to normalized {@link Period}s.
 * No cell or row makes them throw: a bad cell gives a {@link DateCellError} (strict mode) or is passed through
 * unchanged and counted (lenient mode). Arguments TypeScript refuses (columns that are names, a type in another
 * case, a misspelt option) throw a TypeError before any row is read. Known non-date columns are never touched, so INT64 bigints and all other values keep their
 * exact identity; a column of unknown type has only its `{"v":…}` objects decoded.
 */
import { type Column, isDateColumnType, isPlainColumnType } from "./ColumnType.ts"
import { DateCellError } from "./DateCellError.ts"
import { checkColumnArguments, checkRowsArguments } from "./internal/decodeArguments.ts"
import { cellDisplay, cellEnd, cellForm, makeCellError, NULL_CELL, readCell, renderValue } from "./internal/readCell.ts"
import { type Period, periodOf } from "./Period.ts"

/** `strict` fails on the first bad cell; `lenient` leaves bad cells as they are and counts them. */
export type DecodeMode = "strict" | "lenient"

/** Options of the column and row decoders (an option given as `undefined` takes its default). */
export interface DecodeOptions {
  /** Default `strict`. */
  readonly mode?: DecodeMode | undefined
  /** Added to 0-based row indexes in errors, e.g. the page's first row number. Default 0. */
  readonly rowOffset?: number | undefined
}

/** A successful decode. In lenient mode `passedThrough` counts the values left unchanged and `firstIssue` says why
 * the first of them was not decoded (for a warning). */
export interface Decoded<A> {
  readonly _tag: "Decoded"
  readonly value: A
  readonly passedThrough: number
  readonly firstIssue?: DateCellError
}

/** The result of a column or row decoder: {@link Decoded} or, in strict mode, the first {@link DateCellError}. */
export type DecodeResult<A> = Decoded<A> | DateCellError

/** Where a cell sits, quoted in its error (a field given as `undefined` is not quoted). */
export interface CellLocation {
  readonly row?: number | undefined
  readonly column?: string | undefined
}

/**
 * Decodes one cell: epoch seconds (number or bigint) or a Custom Calendar object to a {@link Period}, null to null,
 * an already-decoded Period to an equal Period (so decoding is idempotent), anything else to a {@link DateCellError}.
 */
export const decodeCell = (cell: unknown, location: CellLocation = {}): Period | null | DateCellError => {
  const start = readCell(cell)
  if (start === NULL_CELL) return null
  if (Number.isNaN(start)) return makeCellError(cell, location.row, location.column)
  return periodOf(cellForm, start, !Number.isNaN(cellEnd) ? cellEnd : undefined, cellDisplay)
}

/** How a column's cells are treated: all decoded, none, or only `{"v":…}` objects (a column of unknown type). */
type ColumnKind = "date" | "plain" | "unknown"

const kindOf = (type: string): ColumnKind =>
  isDateColumnType(type) ? "date" : isPlainColumnType(type) ? "plain" : "unknown"

/** Collects lenient-mode pass-throughs or stops at the first strict-mode error. */
class Run {
  passedThrough = 0
  firstIssue: DateCellError | undefined
  failure: DateCellError | undefined
  readonly lenient: boolean
  readonly rowOffset: number
  constructor(lenient: boolean, rowOffset: number) {
    this.lenient = lenient
    this.rowOffset = rowOffset
  }

  /** Decodes a cell of the given kind; returns the decoded cell, or the cell itself when it stays as it is. */
  cell(kind: ColumnKind, cell: unknown, row: number, column: string | undefined): unknown {
    if (kind === "unknown" && (typeof cell !== "object" || cell === null || !("v" in cell))) return cell
    const start = readCell(cell)
    if (start === NULL_CELL) return null
    if (!Number.isNaN(start))
      return periodOf(cellForm, start, !Number.isNaN(cellEnd) ? cellEnd : undefined, cellDisplay)
    this.issue(() => makeCellError(cell, this.rowOffset + row, column))
    return cell
  }

  issue(make: () => DateCellError): void {
    if (this.lenient) {
      if (this.passedThrough === 0) this.firstIssue = make()
      this.passedThrough++
    } else if (this.failure === undefined) {
      this.failure = make()
    }
  }

  result<A>(value: A): DecodeResult<A> {
    if (this.failure !== undefined) return this.failure
    return this.firstIssue === undefined
      ? { _tag: "Decoded", value, passedThrough: this.passedThrough }
      : { _tag: "Decoded", value, passedThrough: this.passedThrough, firstIssue: this.firstIssue }
  }
}

const makeRun = (options: DecodeOptions): Run => new Run(options.mode === "lenient", options.rowOffset ?? 0)

/**
 * Decodes one column's cells (plain epoch, Custom Calendar, mixed with nulls) given its ThoughtSpot type. A
 * known non-date type (VARCHAR, INT64, …) returns the very same array; an unknown type decodes only `{"v":…}` objects
 * (into a new array).
 */
export const decodeColumn = (
  cells: ReadonlyArray<unknown>,
  type: string,
  options: DecodeOptions & { readonly column?: string | undefined } = {}
): DecodeResult<ReadonlyArray<unknown>> => {
  checkColumnArguments(cells, type, options)
  const run = makeRun(options)
  const kind = kindOf(type)
  if (kind === "plain") return run.result(cells)
  const out = new Array<unknown>(cells.length)
  for (let i = 0; i < cells.length; i++) {
    out[i] = run.cell(kind, cells[i], i, options.column)
    if (run.failure !== undefined) return run.failure
  }
  return run.result(out)
}

const rowShapeError = (row: unknown, index: number, expected: string): DateCellError => {
  const value = renderValue(row)
  return new DateCellError({
    reason: "WrongType",
    row: index,
    value,
    message: `row ${index} is ${value}, not a ${expected} row`
  })
}

const rowWidthError = (row: ReadonlyArray<unknown>, index: number, columns: number): DateCellError => {
  const cells = row.length === 1 ? "1 cell" : `${row.length} cells`
  return new DateCellError({
    reason: "WrongShape",
    row: index,
    value: renderValue(row),
    message: `row ${index} has ${cells} but there are ${columns} columns: a COMPACT row holds exactly one cell per column, in the columns' order`
  })
}

/**
 * Decodes COMPACT rows (one array per row, cells in `columns` order): date columns become Periods, every other
 * cell is copied untouched. Input rows are not mutated. A row that is not an array, or whose length is not the
 * number of columns, is a `DateCellError` (strict) or passes through unchanged and counted (lenient): a cell is
 * never matched with the wrong column or left out unseen.
 */
export const decodeCompactRows = (
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  columns: ReadonlyArray<Column>,
  options: DecodeOptions = {}
): DecodeResult<ReadonlyArray<ReadonlyArray<unknown>>> => {
  checkRowsArguments("decodeCompactRows", rows, columns, options)
  const run = makeRun(options)
  const kinds = columns.map((c) => kindOf(c.type))
  const decoding = kinds.some((k) => k !== "plain")
  const out = new Array<ReadonlyArray<unknown>>(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const row: unknown = rows[r]
    if (!Array.isArray(row)) {
      run.issue(() => rowShapeError(row, run.rowOffset + r, "COMPACT (array)"))
      if (run.failure !== undefined) return run.failure
      out[r] = row as ReadonlyArray<unknown>
      continue
    }
    if (row.length !== kinds.length) {
      run.issue(() => rowWidthError(row, run.rowOffset + r, kinds.length))
      if (run.failure !== undefined) return run.failure
      out[r] = row
      continue
    }
    if (!decoding) {
      out[r] = row
      continue
    }
    const copy = row.slice()
    for (let c = 0; c < kinds.length; c++) {
      const kind = kinds[c]!
      if (kind !== "plain") copy[c] = run.cell(kind, copy[c], r, columns[c]!.name)
    }
    if (run.failure !== undefined) return run.failure
    out[r] = copy
  }
  return run.result(out)
}

/** At most this many key names are quoted in a row's error, of each kind. */
const MAX_NAMED_KEYS = 5

const keyList = (keys: ReadonlyArray<string>): string => {
  const named = keys.slice(0, MAX_NAMED_KEYS).map(renderValue).join(", ")
  return keys.length > MAX_NAMED_KEYS ? `${named} and ${keys.length - MAX_NAMED_KEYS} more` : named
}

const rowKeysError = (
  row: Readonly<Record<string, unknown>>,
  index: number,
  names: ReadonlySet<string>,
  columns: ReadonlyArray<Column>
): DateCellError => {
  const unexpected = Object.keys(row).filter((key) => !names.has(key))
  const missing = columns.filter((c) => !Object.hasOwn(row, c.name)).map((c) => c.name)
  const absent =
    missing.length === 0 ? "" : `, and lacks ${missing.length === 1 ? "the column" : "the columns"} ${keyList(missing)}`
  return new DateCellError({
    reason: "WrongShape",
    row: index,
    value: renderValue(row),
    message: `row ${index} has ${unexpected.length === 1 ? "the key" : "the keys"} ${keyList(unexpected)}, which no column has${absent}: a FULL row's keys are the columns' names (a null cell's key is left out), so a misspelt or renamed column would otherwise go through undecoded`
  })
}

const sharedNameError = (row: unknown, index: number, shared: ReadonlyArray<string>): DateCellError =>
  new DateCellError({
    reason: "WrongShape",
    row: index,
    value: renderValue(row),
    message: `row ${index} is a FULL row, but more than one column is named ${keyList(shared)}: a FULL row holds one value per name, so the cells of all but one of those columns are lost; COMPACT rows (decodeCompactRows) keep each column`
  })

/** How many good key lists a {@link KeyCheck} remembers. */
const MAX_KNOWN_KEY_LISTS = 8

/**
 * Whether every own key of a FULL row is a column's name. Rows of a page share a few key lists (every column, or
 * some null cells left out), so the lists already found good are remembered and a row is first compared with
 * them key by key (the same strings, mostly the very same string objects); only a row with a new list is checked
 * name by name. That keeps the check at a few % of the decode instead of a set lookup per key.
 */
class KeyCheck {
  readonly names: ReadonlySet<string>
  /** Key lists found good, the oldest first. */
  readonly known: Array<ReadonlyArray<string>> = []
  constructor(names: ReadonlySet<string>) {
    this.names = names
  }

  good(row: Readonly<Record<string, unknown>>): boolean {
    for (let k = 0; k < this.known.length; k++) {
      const keys = this.known[k]!
      let i = 0
      let same = true
      for (const key in row) {
        if (key !== keys[i++]) {
          same = false
          break
        }
      }
      if (same && i === keys.length) return true
    }
    const keys = Object.keys(row)
    for (const key of keys) if (!this.names.has(key)) return false
    let count = 0
    for (const _ in row) count++
    // A row with inherited enumerable keys (never JSON's) cannot match key by key: it is not remembered.
    if (count === keys.length) {
      if (this.known.length === MAX_KNOWN_KEY_LISTS) this.known.shift()
      this.known.push(keys)
    }
    return true
  }
}

/**
 * Decodes FULL rows (one object per row keyed by column name; ThoughtSpot omits null cells): date columns become
 * Periods, missing keys stay missing (they are null cells), every other key is copied untouched in its original
 * order. A row that is not an object, or that has a key no column has, is a `DateCellError` (strict) or passes
 * through unchanged and counted (lenient): a misspelt or renamed date column never goes through as raw epochs.
 * So is every row when two columns share a name, since a FULL row cannot hold the cells of both.
 */
export const decodeFullRows = (
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
  columns: ReadonlyArray<Column>,
  options: DecodeOptions = {}
): DecodeResult<ReadonlyArray<Readonly<Record<string, unknown>>>> => {
  checkRowsArguments("decodeFullRows", rows, columns, options)
  const run = makeRun(options)
  const decoded = columns.flatMap((c) => {
    const kind = kindOf(c.type)
    return kind === "plain" ? [] : [{ name: c.name, kind }]
  })
  const names = new Set(columns.map((c) => c.name))
  // Column names given more than once: no FULL row can hold each of their cells.
  const shared = [...new Set(columns.map((c) => c.name).filter((name, i, all) => all.indexOf(name) !== i))]
  const keyCheck = new KeyCheck(names)
  const out = new Array<Readonly<Record<string, unknown>>>(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const row: unknown = rows[r]
    if (shared.length > 0) {
      run.issue(() => sharedNameError(row, run.rowOffset + r, shared))
      if (run.failure !== undefined) return run.failure
      out[r] = row as Readonly<Record<string, unknown>>
      continue
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      run.issue(() => rowShapeError(row, run.rowOffset + r, "FULL (object)"))
      if (run.failure !== undefined) return run.failure
      out[r] = row as Readonly<Record<string, unknown>>
      continue
    }
    const source = row as Readonly<Record<string, unknown>>
    if (!keyCheck.good(source)) {
      run.issue(() => rowKeysError(source, run.rowOffset + r, names, columns))
      if (run.failure !== undefined) return run.failure
      out[r] = source
      continue
    }
    const copy: Record<string, unknown> = { ...source }
    for (const { name, kind } of decoded) {
      if (!Object.hasOwn(source, name)) continue
      // defineProperty, not assignment: a column literally named "__proto__" must stay a plain key.
      Object.defineProperty(copy, name, {
        value: run.cell(kind, source[name], r, name),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    if (run.failure !== undefined) return run.failure
    out[r] = copy
  }
  return run.result(out)
}
