/**
 * Renderers: raw wire cells straight to text in a data time zone, without building a `Period` per cell.
 * This is the export hot path, so a renderer is a closure over precomputed state (a shared zone offset table,
 * a direct-mapped cache of rendered days, two-digit strings) and allocates nothing but the output string.
 */
import type { DateColumnType } from "./ColumnType.ts"
import type { DateCellError } from "./DateCellError.ts"
import { FIRST_DAY, FIRST_SECOND, formatDays, formatSecondOfDay, LAST_DAY, LAST_SECOND } from "./internal/civil.ts"
import { startedDay } from "./internal/dayStart.ts"
import {
  cellEnd,
  makeCellError,
  makeNotMidnightError,
  makeZoneRangeError,
  NULL_CELL,
  readCell
} from "./internal/readCell.ts"
import { checkRenderArguments } from "./internal/renderArguments.ts"
import { formatOffset } from "./internal/ZoneTable.ts"
import { offsetFunction } from "./internal/zoneOffset.ts"
import { MAX_EPOCH_SECONDS, MIN_EPOCH_SECONDS } from "./Period.ts"
import { type TimeZone, UTC } from "./TimeZone.ts"

/** How DATE_TIME/TIMESTAMP text carries its offset: `utc` renders the instant in UTC with `Z`; `zone` renders the
 * data zone's wall clock with its offset (`…-07:00`). */
export type OffsetStyle = "utc" | "zone"

/** Options of {@link makeCellRenderer} and {@link makeEndRenderer} (an option given as `undefined` takes its default). */
export interface RenderOptions {
  /** Data time zone: a {@link TimeZone} from {@link resolveTimeZone} (not a zone name); default UTC. */
  readonly timeZone?: TimeZone | undefined
  /** DATE_TIME/TIMESTAMP offset style; default `utc`. */
  readonly offset?: OffsetStyle | undefined
  /** Column name, quoted in errors. */
  readonly column?: string | undefined
}

/**
 * Renders one raw cell (epoch seconds, bigint, Custom Calendar object, decoded `Period`, or null) to text, to null
 * for a null cell, or to a {@link DateCellError}: no cell makes it throw (only a caller's own {@link TimeZone} giving an
 * offset no zone has does). `row` is only used to locate errors.
 */
export type CellRenderer = (cell: unknown, row?: number) => string | null | DateCellError

const SECONDS_PER_DAY = 86400
/** 2^16 days (~179 years) of rendered dates: a whole export's days fit without evicting each other. */
const DAY_CACHE_SIZE = 65536

// One cache for every renderer: the text of a day number does not depend on the zone or the column.
const dayKeys = new Float64Array(DAY_CACHE_SIZE).fill(Number.NaN)
const dayTexts = new Array<string>(DAY_CACHE_SIZE).fill("")

/** `YYYY-MM-DD` by day number through a direct-mapped cache: exports revisit the same days constantly. */
const dayText = (day: number): string => {
  const slot = day & (DAY_CACHE_SIZE - 1)
  if (dayKeys[slot] === day) return dayTexts[slot]!
  const text = formatDays(day)
  dayKeys[slot] = day
  dayTexts[slot] = text
  return text
}

/** 2^16 instants per zone remembered by the DATE formatter (see {@link dateTextFor}). */
const INSTANT_CACHE_SIZE = 65536

interface InstantCache {
  readonly keys: Float64Array
  readonly texts: Array<string>
}

const instantCaches = new WeakMap<TimeZone, InstantCache>()

/**
 * DATE text by instant, through a direct-mapped cache shared by all DATE renderers of one zone. DATE cells are
 * bucket starts (local midnights), so a column holds few distinct instants and a hit skips the offset lookup and
 * the calendar arithmetic. The slot hash `t / 128` keeps consecutive days (86 400 s apart) in distinct slots.
 * An instant that starts no day in the zone (see `startedDay`) gives the `NotMidnight` error `notMidnight` makes
 * and is never cached, so only cache misses pay for that check; so does a day outside years 0001–9999, which
 * `outOfRange` makes an error of.
 */
const dateTextFor = (zone: TimeZone, notMidnight: NotMidnight, outOfRange: NotMidnight): Formatter => {
  let cache = instantCaches.get(zone)
  if (cache === undefined) {
    cache = {
      keys: new Float64Array(INSTANT_CACHE_SIZE).fill(Number.NaN),
      texts: new Array<string>(INSTANT_CACHE_SIZE).fill("")
    }
    instantCaches.set(zone, cache)
  }
  const { keys, texts } = cache
  const offsetSeconds = offsetFunction(zone)
  return (t, cell, row) => {
    const slot = (t / 128) & (INSTANT_CACHE_SIZE - 1)
    if (keys[slot] === t) return texts[slot]!
    const day = startedDay(t, offsetSeconds)
    if (day >= FIRST_DAY && day <= LAST_DAY) {
      const text = dayText(day)
      keys[slot] = t
      texts[slot] = text
      return text
    }
    // No day starts at t (NaN), or it is a day of year 0000 or 10000: a local time beyond those years is out of
    // range whether or not it is a midnight.
    if (Number.isNaN(day)) {
      const local = t + offsetSeconds(t)
      if (local >= FIRST_SECOND && local <= LAST_SECOND) return notMidnight(cell, row, t)
    }
    return outOfRange(cell, row, t)
  }
}

/** `±HH:MM` by offset, remembering the last one (a column rarely has more than two). */
const makeOffsetText = (): ((offset: number) => string) => {
  let lastOffset = 0
  let lastText = "Z"
  return (offset) => {
    if (offset !== lastOffset) {
      lastOffset = offset
      lastText = formatOffset(offset)
    }
    return lastText
  }
}

/** The `NotMidnight` (or `OutOfRange`) error of a DATE cell (`cell`, in `row`) whose start or end is the instant `t`. */
type NotMidnight = (cell: unknown, row: number | undefined, t: number) => DateCellError

/**
 * The text of a valid instant `t` (whole seconds, in range) of `cell` for one column type; a DATE instant that is
 * no day start in the zone is a `NotMidnight` error, and an instant with no text in the zone (a local year 0000 or
 * 10000) an `OutOfRange` one.
 */
type Formatter = (t: number, cell: unknown, row: number | undefined) => string | DateCellError

/** The formatter of a column's period starts (`part` "") or ends ("v.e"). */
const makeFormatter = (type: DateColumnType, options: RenderOptions, part: "" | "v.e"): Formatter => {
  const zone = options.timeZone ?? UTC
  const offsetSeconds = offsetFunction(zone)
  const outOfRange: NotMidnight = (cell, row, t) =>
    makeZoneRangeError(cell, row, options.column, t, offsetSeconds(t), String(zone.name), part)
  switch (type) {
    case "DATE":
      return dateTextFor(
        zone,
        (cell, row, t) => makeNotMidnightError(cell, row, options.column, t, offsetSeconds(t), String(zone.name), part),
        outOfRange
      )
    case "TIME":
      return (t, cell, row) => {
        const local = t + offsetSeconds(t)
        if (!(local >= FIRST_SECOND && local <= LAST_SECOND)) return outOfRange(cell, row, t)
        return formatSecondOfDay(local - Math.floor(local / SECONDS_PER_DAY) * SECONDS_PER_DAY)
      }
    default: {
      const utc = (t: number): string => {
        const day = Math.floor(t / SECONDS_PER_DAY)
        return `${dayText(day)}T${formatSecondOfDay(t - day * SECONDS_PER_DAY)}Z`
      }
      const inUtcYears = (t: number): boolean => t >= FIRST_SECOND && t <= LAST_SECOND
      if (options.offset !== "zone") {
        return (t, cell, row) => {
          if (inUtcYears(t)) return utc(t)
          // Its UTC text would be in year 0000 or 10000 (9999-12-31T20:00:00-08:00 is 10000-01-01T04:00:00Z):
          // the same instant with the zone's offset, when that is whole minutes and its local year in 0001–9999.
          const offset = offsetSeconds(t)
          const local = t + offset
          if (offset % 60 !== 0 || !(local >= FIRST_SECOND && local <= LAST_SECOND)) return outOfRange(cell, row, t)
          const day = Math.floor(local / SECONDS_PER_DAY)
          return `${dayText(day)}T${formatSecondOfDay(local - day * SECONDS_PER_DAY)}${formatOffset(offset)}`
        }
      }
      const offsetText = makeOffsetText()
      return (t, cell, row) => {
        const offset = offsetSeconds(t)
        const local = t + offset
        if (!(local >= FIRST_SECOND && local <= LAST_SECOND)) return outOfRange(cell, row, t)
        // RFC 3339 offsets have no seconds: local mean time offsets such as -07:52:58 (before ~1900) are
        // written as the exact instant in UTC instead of a rounded, wrong offset.
        if (offset % 60 !== 0) return inUtcYears(t) ? utc(t) : outOfRange(cell, row, t)
        const day = Math.floor(local / SECONDS_PER_DAY)
        return `${dayText(day)}T${formatSecondOfDay(local - day * SECONDS_PER_DAY)}${offsetText(offset)}`
      }
    }
  }
}

/**
 * The start of a cell that is exactly `{"v":{"s":<seconds in range>}}` (the common Custom Calendar cell), else
 * undefined and the caller takes the general path. Inlined by the renderer; it allocates nothing.
 */
const plainCalendarStart = (cell: unknown): number | undefined => {
  if (typeof cell !== "object" || cell === null) return undefined
  const v = (cell as { readonly v?: unknown }).v
  if (typeof v !== "object" || v === null) return undefined
  const s = (v as { readonly s?: unknown }).s
  if (typeof s !== "number" || !(s >= MIN_EPOCH_SECONDS && s <= MAX_EPOCH_SECONDS) || !Number.isInteger(s)) {
    return undefined
  }
  return hasOneKey(cell) && hasOneKey(v) ? s + 0 : undefined
}

const hasOneKey = (o: object): boolean => {
  let n = 0
  for (const _ in o) if (++n > 1) return false
  return n === 1
}

/**
 * A renderer for the period start of a column's cells: DATE → `YYYY-MM-DD`, DATE_TIME/TIMESTAMP → RFC 3339
 * (`2021-07-08T15:58:41Z`, or `2021-07-08T08:58:41-07:00` with `offset: "zone"`), TIME → `HH:mm:ss`, all in the
 * data time zone. Make one per column and reuse it for every row.
 */
export const makeCellRenderer = (type: DateColumnType, options: RenderOptions = {}): CellRenderer => {
  checkRenderArguments("makeCellRenderer", type, options)
  const format = makeFormatter(type, options, "")
  const column = options.column
  return (cell, row) => {
    if (typeof cell === "number" && cell >= MIN_EPOCH_SECONDS && cell <= MAX_EPOCH_SECONDS && Number.isInteger(cell)) {
      return format(cell, cell, row)
    }
    const s = plainCalendarStart(cell)
    if (s !== undefined) return format(s, cell, row)
    const t = readCell(cell)
    if (t === NULL_CELL) return null
    if (Number.isNaN(t)) return makeCellError(cell, row, column)
    return format(t, cell, row)
  }
}

/**
 * A renderer for the period end (`v.e`) of a column's cells, for the opt-in companion column: the same text as
 * {@link makeCellRenderer}, null when the cell is null or carries no end (plain epoch cells never do).
 */
export const makeEndRenderer = (type: DateColumnType, options: RenderOptions = {}): CellRenderer => {
  checkRenderArguments("makeEndRenderer", type, options)
  const format = makeFormatter(type, options, "v.e")
  const column = options.column
  return (cell, row) => {
    const t = readCell(cell)
    if (t === NULL_CELL) return null
    if (Number.isNaN(t)) return makeCellError(cell, row, column)
    return !Number.isNaN(cellEnd) ? format(cellEnd, cell, row) : null
  }
}
