/**
 * Byte writers: the text of {@link makeCellRenderer}, written as ASCII bytes straight into a caller's buffer.
 * A writer that fills an output buffer (CSV, NDJSON, a socket) skips the intermediate string, the string
 * concatenation and the per-character copy out of it, which together cost more than the date arithmetic itself.
 * Same caches idea as the renderers: rendered days and DATE instants are remembered as bytes.
 */
import type { DateColumnType } from "./ColumnType.ts"
import {
  FIRST_DAY,
  FIRST_SECOND,
  LAST_DAY,
  LAST_SECOND,
  writeDays,
  writeOffset,
  writeSecondOfDay
} from "./internal/civil.ts"
import { startedDay } from "./internal/dayStart.ts"
import { NULL_CELL, readCell, renderValue } from "./internal/readCell.ts"
import { checkRenderArguments } from "./internal/renderArguments.ts"
import { offsetFunction } from "./internal/zoneOffset.ts"
import { MAX_EPOCH_SECONDS, MIN_EPOCH_SECONDS } from "./Period.ts"
import type { RenderOptions } from "./Render.ts"
import { type TimeZone, UTC } from "./TimeZone.ts"

/**
 * Writes the text {@link makeCellRenderer} gives a cell as ASCII bytes at `out[at]` and returns the position after
 * them. Returns {@link NO_TEXT} for a null cell and {@link INVALID_CELL} for an invalid one (ask the renderer for
 * its typed error), a DATE that is no midnight in the zone included; nothing is written then. The caller guarantees
 * {@link MAX_CELL_BYTES} of room at `at` (a text that does not fit is a RangeError and writes nothing, and so is an
 * `at` that is no index: 1.5, NaN, -1).
 */
export type CellWriter = (cell: unknown, out: Uint8Array, at: number) => number

/** What a {@link CellWriter} returns for a null cell (the renderer gives `null`). */
export const NO_TEXT = -1
/** What a {@link CellWriter} returns for an invalid cell (the renderer gives a `DateCellError`). */
export const INVALID_CELL = -2
/** The most bytes one cell's text takes: `YYYY-MM-DDTHH:mm:ss±HH:MM`. */
export const MAX_CELL_BYTES = 25

const SECONDS_PER_DAY = 86400
const DATE_BYTES = 10
const DAY_CACHE_SIZE = 65536

// `YYYY-MM-DD` bytes by day number, 10 bytes a slot, shared by every writer (a day's text has no zone).
const dayKeys = new Float64Array(DAY_CACHE_SIZE).fill(Number.NaN)
const dayBytes = new Uint8Array(DAY_CACHE_SIZE * DATE_BYTES)

/** Writes `YYYY-MM-DD` of a day number through the direct-mapped day cache. */
const writeDay = (day: number, out: Uint8Array, at: number): void => {
  const slot = day & (DAY_CACHE_SIZE - 1)
  const from = slot * DATE_BYTES
  if (dayKeys[slot] !== day) {
    writeDays(day, dayBytes, from)
    dayKeys[slot] = day
  }
  for (let i = 0; i < DATE_BYTES; i++) out[at + i] = dayBytes[from + i]!
}

const INSTANT_CACHE_SIZE = 65536

interface InstantBytes {
  readonly keys: Float64Array
  readonly bytes: Uint8Array
}

const instantCaches = new WeakMap<TimeZone, InstantBytes>()

/**
 * DATE bytes by instant, one cache per zone shared by its DATE writers: a DATE column holds few distinct
 * instants (local midnights), so a hit is one comparison and a 10-byte copy. Slot hash as in the renderer. An
 * instant that starts no day in the zone (see `startedDay`) is {@link INVALID_CELL} (the renderer's `NotMidnight`),
 * checked on a miss only: it is never cached, nor is a day outside years 0001–9999 (the renderer's `OutOfRange`).
 */
const dateWriterFor = (zone: TimeZone): ((t: number, out: Uint8Array, at: number) => number) => {
  let cache = instantCaches.get(zone)
  if (cache === undefined) {
    cache = {
      keys: new Float64Array(INSTANT_CACHE_SIZE).fill(Number.NaN),
      bytes: new Uint8Array(INSTANT_CACHE_SIZE * DATE_BYTES)
    }
    instantCaches.set(zone, cache)
  }
  const { keys, bytes } = cache
  const offsetSeconds = offsetFunction(zone)
  return (t, out, at) => {
    const slot = (t / 128) & (INSTANT_CACHE_SIZE - 1)
    const from = slot * DATE_BYTES
    if (keys[slot] !== t) {
      const day = startedDay(t, offsetSeconds)
      if (!(day >= FIRST_DAY && day <= LAST_DAY)) return INVALID_CELL
      writeDay(day, bytes, from)
      keys[slot] = t
    }
    for (let i = 0; i < DATE_BYTES; i++) out[at + i] = bytes[from + i]!
    return at + DATE_BYTES
  }
}

/** `YYYY-MM-DDTHH:mm:ssZ` of an instant in UTC (years 0001–9999). */
const writeUtc = (t: number, out: Uint8Array, at: number): number => {
  const day = Math.floor(t / SECONDS_PER_DAY)
  writeDay(day, out, at)
  out[at + 10] = 84 // T
  writeSecondOfDay(t - day * SECONDS_PER_DAY, out, at + 11)
  out[at + 19] = 90 // Z
  return at + 20
}

/** `YYYY-MM-DDTHH:mm:ss±HH:MM` of local seconds `local` at a whole-minute `offset` (years 0001–9999). */
const writeLocal = (local: number, offset: number, out: Uint8Array, at: number): number => {
  const day = Math.floor(local / SECONDS_PER_DAY)
  writeDay(day, out, at)
  out[at + 10] = 84
  writeSecondOfDay(local - day * SECONDS_PER_DAY, out, at + 11)
  return writeOffset(offset, out, at + 19)
}

/**
 * The bytes of a valid instant (whole seconds, in range) for one column type; {@link INVALID_CELL} where the
 * renderer gives an error (a DATE that is no day start, a local year 0000 or 10000), writing nothing.
 */
const makeInstantWriter = (
  type: DateColumnType,
  options: RenderOptions
): ((t: number, out: Uint8Array, at: number) => number) => {
  const zone = options.timeZone ?? UTC
  const offsetSeconds = offsetFunction(zone)
  switch (type) {
    case "DATE":
      return dateWriterFor(zone)
    case "TIME":
      return (t, out, at) => {
        const local = t + offsetSeconds(t)
        if (!(local >= FIRST_SECOND && local <= LAST_SECOND)) return INVALID_CELL
        writeSecondOfDay(local - Math.floor(local / SECONDS_PER_DAY) * SECONDS_PER_DAY, out, at)
        return at + 8
      }
    default:
      if (options.offset !== "zone") {
        return (t, out, at) => {
          if (t >= FIRST_SECOND && t <= LAST_SECOND) return writeUtc(t, out, at)
          // As the renderer: a UTC year 0000 or 10000 is written with the zone's offset, when that can be.
          const offset = offsetSeconds(t)
          const local = t + offset
          if (offset % 60 !== 0 || !(local >= FIRST_SECOND && local <= LAST_SECOND)) return INVALID_CELL
          return writeLocal(local, offset, out, at)
        }
      }
      return (t, out, at) => {
        const offset = offsetSeconds(t)
        const local = t + offset
        if (!(local >= FIRST_SECOND && local <= LAST_SECOND)) return INVALID_CELL
        // As the renderer: an offset with seconds (local mean time) is written as the instant in UTC.
        if (offset % 60 !== 0) return t >= FIRST_SECOND && t <= LAST_SECOND ? writeUtc(t, out, at) : INVALID_CELL
        return writeLocal(local, offset, out, at)
      }
  }
}

/**
 * A byte writer for the period start of a column's cells: exactly the text of {@link makeCellRenderer} with the
 * same type and options (ASCII, at most {@link MAX_CELL_BYTES} bytes), written at `out[at]`. Make one per column.
 * A text that does not fit in `out` from `at` (or a negative `at`) is a RangeError, never a cut text.
 */
export const makeCellWriter = (type: DateColumnType, options: RenderOptions = {}): CellWriter => {
  checkRenderArguments("makeCellWriter", type, options)
  const write = makeInstantWriter(type, options)
  return (cell, out, at) => {
    // A typed array ignores writes at a position that is no index (1.5, NaN, -1): refused before writing anything.
    if (!(at >= 0 && Number.isInteger(at))) throw noIndex(at)
    let t: number
    if (typeof cell === "number" && cell >= MIN_EPOCH_SECONDS && cell <= MAX_EPOCH_SECONDS && Number.isInteger(cell)) {
      t = cell + 0
    } else {
      t = readCell(cell)
      if (t === NULL_CELL) return NO_TEXT
      if (Number.isNaN(t)) return INVALID_CELL
    }
    const room = out.length - at
    if (room >= MAX_CELL_BYTES) return write(t, out, at)
    // Short of room, the text is written aside first: a typed array would drop the bytes past its end (a cut text
    // reported as written) and a plain array would grow; one that does not fit writes nothing.
    const length = write(t, aside, 0)
    if (length < 0) return length
    if (length > room) throw noRoom(length, out.length, at)
    for (let i = 0; i < length; i++) out[at + i] = aside[i]!
    return at + length
  }
}

/** Where a text is written when `out` may lack room for it. */
const aside = new Uint8Array(MAX_CELL_BYTES)

const noRoom = (needs: number, length: number, at: number): RangeError =>
  new RangeError(
    `a cell writer's text needs ${needs} bytes at ${at}, but out has ${Math.max(0, length - at)} from there (${length} in all): leave MAX_CELL_BYTES (${MAX_CELL_BYTES}) of room at the position written to`
  )

const noIndex = (at: unknown): RangeError =>
  new RangeError(
    `a cell writer's position is ${renderValue(at)}, not an index of out (a whole number from 0): nothing was written; pass 0 or the end the previous write returned`
  )
