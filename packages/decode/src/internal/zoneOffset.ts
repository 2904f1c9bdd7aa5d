/**
 * How renderers and writers call a zone's `offsetSeconds`. They take the function once, when they are made, and
 * call it bare per cell. That is right for the zones `resolveTimeZone` makes (arrow functions over their table),
 * but a caller's own zone may be a class instance or an object whose method reads `this`: called bare, it would
 * fail on the first cell. Such a zone's method is bound to it, and what it gives is checked; the package's own zones
 * are neither, because a bound call costs ~10 % on the per-cell lookups of TIME and DATE_TIME columns.
 */
import type { TimeZone } from "../TimeZone.ts"
import { renderValue } from "./readCell.ts"

/** The zones this package made, whose `offsetSeconds` does not read `this`. */
const ownZones = new WeakSet<TimeZone>()

/** Marks a zone made by this package (its `offsetSeconds` may be called bare). */
export const ownZone = (zone: TimeZone): TimeZone => {
  ownZones.add(zone)
  return zone
}

/** Offsets are less than a day either side: every zone's are (±15:56 at most), and `±HH:MM` holds them. */
const MAX_OFFSET = 86_399

/**
 * The zone's `offsetSeconds`, callable without the zone: as it is for the package's own zones, else bound and
 * checked. A caller's zone giving anything but whole seconds within a day (milliseconds, a fraction, NaN, a string)
 * would shift dates by days or write "undefined" into the text, so it throws a TypeError instead: a broken zone is a
 * programming mistake, like the wrong arguments `checkRenderArguments` refuses.
 */
export const offsetFunction = (zone: TimeZone): ((epochSeconds: number) => number) => {
  if (ownZones.has(zone)) return zone.offsetSeconds
  const offsetSeconds = zone.offsetSeconds.bind(zone)
  return (t) => {
    const offset = offsetSeconds(t)
    if (Number.isInteger(offset) && offset >= -MAX_OFFSET && offset <= MAX_OFFSET) return offset
    throw new TypeError(
      `offsetSeconds(${t}) of the zone ${renderValue(zone.name)} gave ${renderValue(offset)}: an offset is whole seconds (local time = UTC + offset) within ±${MAX_OFFSET}, e.g. 19800 for +05:30; resolveTimeZone(name) makes such zones from IANA names`
    )
  }
}
