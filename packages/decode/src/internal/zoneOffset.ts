/**
 * How renderers and writers call a zone's `offsetSeconds`. They take the function once, when they are made, and
 * call it bare per cell. That is right for the zones `resolveTimeZone` makes (arrow functions over their table),
 * but a caller's own zone may be a class instance or an object whose method reads `this`: called bare, it would
 * fail on the first cell. Such a zone's method is bound to it; the package's own zones are not, because a bound
 * call costs ~10 % on the per-cell lookups of TIME and DATE_TIME columns.
 */
import type { TimeZone } from "../TimeZone.ts"

/** The zones this package made, whose `offsetSeconds` does not read `this`. */
const ownZones = new WeakSet<TimeZone>()

/** Marks a zone made by this package (its `offsetSeconds` may be called bare). */
export const ownZone = (zone: TimeZone): TimeZone => {
  ownZones.add(zone)
  return zone
}

/** The zone's `offsetSeconds`, callable without the zone: as it is for the package's own zones, else bound. */
export const offsetFunction = (zone: TimeZone): ((epochSeconds: number) => number) =>
  ownZones.has(zone) ? zone.offsetSeconds : zone.offsetSeconds.bind(zone)
