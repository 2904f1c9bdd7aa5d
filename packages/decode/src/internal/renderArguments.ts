/**
 * The one check of a renderer's or writer's arguments, made once when it is made. TypeScript rejects most of these
 * mistakes; plain JavaScript would otherwise fail on the first cell with a cryptic TypeError (a zone name as
 * `timeZone`) or silently render another format (an unknown type or offset style, an option spelt in another case).
 * A wrong argument is a programming mistake, not bad data, so it throws a TypeError that says what to pass.
 */
import { isDateColumnType } from "../ColumnType.ts"
import { InvalidTimeZoneError } from "../DateCellError.ts"
import type { RenderOptions } from "../Render.ts"
import type { TimeZone } from "../TimeZone.ts"
import { misspeltOption } from "./optionNames.ts"
import { renderValue } from "./readCell.ts"

/** What is wrong with a `timeZone` option and what to pass instead, or undefined when it is a TimeZone (or absent). */
const zoneMistake = (zone: unknown): string | undefined => {
  if (zone === undefined) return undefined
  if (zone instanceof InvalidTimeZoneError) {
    return `options.timeZone is an InvalidTimeZoneError, not a TimeZone: test resolveTimeZone's result with instanceof InvalidTimeZoneError before making a renderer. ${zone.message}`
  }
  if (typeof zone === "string") {
    return `options.timeZone is the name ${JSON.stringify(zone)}, not a TimeZone: pass resolveTimeZone(${JSON.stringify(zone)}) after testing that it is not an InvalidTimeZoneError`
  }
  if (typeof zone !== "object" || zone === null || typeof (zone as Partial<TimeZone>).offsetSeconds !== "function") {
    return `options.timeZone must be a TimeZone from resolveTimeZone(name) (an object with an offsetSeconds function), not ${renderValue(zone)}`
  }
  return undefined
}

const OPTIONS = ["timeZone", "offset", "column"] as const

/** What is wrong with the arguments, or undefined. */
const mistakeIn = (type: unknown, options: unknown): string | undefined => {
  if (typeof type !== "string" || !isDateColumnType(type)) {
    return `type must be "DATE", "DATE_TIME", "TIMESTAMP" or "TIME", not ${renderValue(type)}`
  }
  if (typeof options !== "object" || options === null) {
    return `options must be an object ({ timeZone?, offset?, column? }), not ${renderValue(options)}`
  }
  const misspelt = misspeltOption(options, OPTIONS)
  if (misspelt !== undefined) return misspelt
  const { timeZone, offset, column } = options as { readonly [K in keyof RenderOptions]?: unknown }
  const zone = zoneMistake(timeZone)
  if (zone !== undefined) return zone
  if (offset !== undefined && offset !== "utc" && offset !== "zone") {
    return `options.offset must be "utc" or "zone", not ${renderValue(offset)}`
  }
  if (column !== undefined && typeof column !== "string") {
    return `options.column must be the column name (a string), not ${renderValue(column)}`
  }
  return undefined
}

/** Throws a TypeError, prefixed with the maker's name, when the arguments are not what TypeScript requires. */
export const checkRenderArguments = (maker: string, type: unknown, options: unknown): void => {
  const mistake = mistakeIn(type, options)
  if (mistake !== undefined) throw new TypeError(`${maker}: ${mistake}`)
}
