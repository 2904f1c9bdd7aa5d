/**
 * The one check of a decoder's arguments, made before any row is read. TypeScript rejects these mistakes; plain
 * JavaScript would otherwise decode nothing without a word: `columns` given as the response's `column_names`
 * (strings, whose `type` is undefined) or with a type in lower case ("date") are columns of unknown type, whose
 * epoch date cells pass through as numbers; rows that are no array give an empty or made-up result; a misspelt
 * option (`rowoffset`) is ignored. A wrong argument is a programming mistake, not bad data, so it throws a TypeError
 * that says what to pass, as a renderer's does.
 */
import { isDateColumnType, isPlainColumnType } from "../ColumnType.ts"
import { misspeltOption } from "./optionNames.ts"
import { renderValue } from "./readCell.ts"

/** What is wrong with a column type, or undefined: any string but a known type in another case is taken. */
const typeMistake = (type: unknown, what: string): string | undefined => {
  if (typeof type !== "string") {
    return `${what} must be the column's ThoughtSpot data type (a string such as "DATE"), not ${renderValue(type)}`
  }
  if (isDateColumnType(type) || isPlainColumnType(type)) return undefined
  const known = type.trim().toUpperCase()
  if (!isDateColumnType(known) && !isPlainColumnType(known)) return undefined
  return `${what} is ${renderValue(type)}, which is no type: the type is spelt ${known} (a type the decoders do not know decodes only {"v":…} cells, so its epoch dates would pass through as numbers)`
}

/** What is wrong with one entry of `columns`, or undefined. */
const columnMistake = (column: unknown, i: number): string | undefined => {
  if (typeof column === "string") {
    return `columns[${i}] is the name ${renderValue(column)}, not a column: pass { name, type } objects, one per column in the response's order (a ThoughtSpot data response has only the names; the types are in metadata/search's column details)`
  }
  if (typeof column !== "object" || column === null) {
    return `columns[${i}] must be a column { name, type }, not ${renderValue(column)}`
  }
  const { name, type } = column as { readonly name?: unknown; readonly type?: unknown }
  if (typeof name !== "string")
    return `columns[${i}].name must be the column's name (a string), not ${renderValue(name)}`
  return typeMistake(type, `columns[${i}].type`)
}

/** What is wrong with the options, or undefined. */
const optionsMistake = (options: unknown, names: ReadonlyArray<string>): string | undefined => {
  if (typeof options !== "object" || options === null) {
    return `options must be an object ({ ${names.map((name) => `${name}?`).join(", ")} }), not ${renderValue(options)}`
  }
  const misspelt = misspeltOption(options, names)
  if (misspelt !== undefined) return misspelt
  const { mode, rowOffset, column } = options as { readonly mode?: unknown; rowOffset?: unknown; column?: unknown }
  if (mode !== undefined && mode !== "strict" && mode !== "lenient") {
    return `options.mode must be "strict" or "lenient", not ${renderValue(mode)}`
  }
  if (rowOffset !== undefined && !Number.isSafeInteger(rowOffset)) {
    return `options.rowOffset must be a whole number (the index of the first row, e.g. a page's offset), not ${renderValue(rowOffset)}`
  }
  if (column !== undefined && typeof column !== "string") {
    return `options.column must be the column name (a string), not ${renderValue(column)}`
  }
  return undefined
}

const throwIf = (decoder: string, mistake: string | undefined): void => {
  if (mistake !== undefined) throw new TypeError(`${decoder}: ${mistake}`)
}

/** Checks `decodeColumn`'s arguments. */
export const checkColumnArguments = (cells: unknown, type: unknown, options: unknown): void => {
  throwIf(
    "decodeColumn",
    (Array.isArray(cells) ? undefined : `cells must be an array of one column's cells, not ${renderValue(cells)}`) ??
      typeMistake(type, "type") ??
      optionsMistake(options, ["mode", "rowOffset", "column"])
  )
}

/** Checks the arguments of `decodeCompactRows` and `decodeFullRows`. */
export const checkRowsArguments = (decoder: string, rows: unknown, columns: unknown, options: unknown): void => {
  let mistake = Array.isArray(rows) ? undefined : `rows must be an array of rows, not ${renderValue(rows)}`
  if (mistake === undefined && !Array.isArray(columns)) {
    mistake = `columns must be an array of columns { name, type }, not ${renderValue(columns)}`
  }
  if (mistake === undefined) {
    const list = columns as ReadonlyArray<unknown>
    for (let i = 0; i < list.length && mistake === undefined; i++) mistake = columnMistake(list[i], i)
  }
  throwIf(decoder, mistake ?? optionsMistake(options, ["mode", "rowOffset"]))
}
