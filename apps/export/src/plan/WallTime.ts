/**
 * A day or a wall time given as text (`YYYY-MM-DD`, `YYYY-MM-DD HH:mm:ss`) as the instant it names in the data time
 * zone, in epoch seconds: the one rule by which spotpipe turns a date a user writes into what ThoughtSpot's
 * runtime filters take — an answer's or liveboard's `--since` (Incremental.ts) and a `--runtime-filter` value on a
 * DATE or DATE_TIME column (RuntimeOptions.ts). A DATE is its local midnight; a repeated wall time is its first
 * occurrence, a skipped one the end of the gap (see {@link wallInstant}).
 */
import { resolveTimeZone, type TimeZone } from "@spotpipe/decode"

const datePattern = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/

/** Why a text is no wall time: not written as one (or a time of day for a day), no such day or time, or the zone. */
export type WallTimeProblem =
  | { readonly problem: "form" }
  | { readonly problem: "calendar" }
  | { readonly problem: "zone"; readonly message: string }

/**
 * `text` (`YYYY-MM-DD`, or with `day` false also `YYYY-MM-DD HH:mm:ss`) as epoch seconds of its wall time in
 * `timeZone` (see {@link wallInstant}); a day or time the calendar does not have (February 30, 24:00) is refused,
 * never rolled over.
 */
export const wallEpochOf = (text: string, day: boolean, timeZone: string): number | WallTimeProblem => {
  const m = datePattern.exec(text)
  if (m === null || (day && m[4] !== undefined)) return { problem: "form" }
  const [y, mo, d, h, mi, se] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part)))
  // Not `Date.UTC`, which reads years 0–99 as 1900–1999 (0001-01-01 would be 1901-01-01).
  const back = new Date(0)
  back.setUTCFullYear(y!, mo! - 1, d!)
  back.setUTCHours(h!, mi!, se!)
  const wall = back.getTime() / 1000
  if (y === 0 || back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d || h! > 23 || mi! > 59 || se! > 59) {
    return { problem: "calendar" }
  }
  const zone = resolveTimeZone(timeZone)
  if (zone instanceof Error) return { problem: "zone", message: zone.message }
  return wallInstant(wall, zone)
}

/**
 * The first instant whose wall time in `zone` is at or after `wall` (a wall time as epoch seconds read in UTC):
 * its first occurrence when a fall-back repeats it (the earlier reading keeps every row at or after it), the end
 * of the gap when a spring-forward skips it (the rows at or after a skipped wall time are those from there).
 */
export const wallInstant = (wall: number, zone: TimeZone): number => {
  const wallOf = (t: number) => t + zone.offsetSeconds(t)
  const offsets = [zone.offsetSeconds(wall - 86_400), zone.offsetSeconds(wall), zone.offsetSeconds(wall + 86_400)]
  const exact = offsets.map((o) => wall - o).filter((t) => wallOf(t) === wall)
  if (exact.length > 0) return Math.min(...exact)
  // Skipped: search the instants between its two readings for the first whose wall time is past it.
  let lo = wall - Math.max(...offsets)
  let hi = wall - Math.min(...offsets)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (wallOf(mid) >= wall) hi = mid
    else lo = mid
  }
  return hi
}
