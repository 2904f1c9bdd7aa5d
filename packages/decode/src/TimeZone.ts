/**
 * Data time zones: an IANA name resolved once into a cached offset table that renderers share.
 * Resolution is the only step that can reject a zone, so renderers themselves never fail on configuration.
 */
import { InvalidTimeZoneError } from "./DateCellError.ts"
import { renderValue } from "./internal/readCell.ts"
import { ZoneTable } from "./internal/ZoneTable.ts"
import { abbreviationMessage, isZoneNameOrOffset, offsetAdvice } from "./internal/zoneNames.ts"
import { ownZone } from "./internal/zoneOffset.ts"
import { MAX_EPOCH_SECONDS, MIN_EPOCH_SECONDS } from "./Period.ts"

/**
 * A time zone: `offsetSeconds(t)` is the exact UTC offset in whole seconds (local = UTC + offset) at epoch second
 * `t` (NaN outside MIN_EPOCH_SECONDS…MAX_EPOCH_SECONDS). Get one from {@link resolveTimeZone}; any object of this
 * shape works too (e.g. a fixed test offset), including a class instance whose `offsetSeconds` method reads `this`;
 * its offsets must be whole seconds within ±86399, or a renderer or writer throws a TypeError on that cell.
 */
export interface TimeZone {
  readonly name: string
  readonly offsetSeconds: (epochSeconds: number) => number
}

const resolved = new Map<string, TimeZone>()

const fromTable = (table: ZoneTable): TimeZone =>
  ownZone({
    name: table.name,
    offsetSeconds: (t) => (t >= MIN_EPOCH_SECONDS && t <= MAX_EPOCH_SECONDS ? table.offsetAt(t) : Number.NaN)
  })

/**
 * Resolves an IANA zone name or link (as `Intl` knows it, e.g. "America/Los_Angeles", "UTC", "US/Pacific") or a
 * UTC offset ("-08:00") to a {@link TimeZone}; an unknown name, an abbreviation ("PST", which `Intl` would read
 * as America/Los_Angeles, daylight saving included; the message names the likely zone and the fixed offset), or a
 * value that is no string (never the host's zone for `undefined`) gives an {@link InvalidTimeZoneError}. Results
 * are cached, so every caller of one zone shares one offset table, aliases included ("Asia/Kolkata" and Intl's
 * "Asia/Calcutta"); the zone's `name` is the name given, so messages say the zone as the user wrote it.
 */
export const resolveTimeZone = (name: string): TimeZone | InvalidTimeZoneError => {
  // Intl would take undefined for the host's own zone and ["UTC"] for "UTC": a missing setting would go unseen.
  if (typeof name !== "string") {
    const shown = renderValue(name)
    return new InvalidTimeZoneError({
      timeZone: shown,
      message: `The time zone name is ${shown}, not a string: use an IANA name such as "UTC" or "America/Los_Angeles" (this runtime's Intl.supportedValuesOf("timeZone") lists them).`
    })
  }
  const cached = resolved.get(name)
  if (cached !== undefined) return cached
  const table = ZoneTable.make(name)
  // An abbreviation Intl reads as some zone ("PST", "BST") is ambiguous: refused with advice, never guessed.
  const abbreviation = isZoneNameOrOffset(name) ? undefined : abbreviationMessage(name, table?.name)
  if (abbreviation !== undefined) return new InvalidTimeZoneError({ timeZone: name, message: abbreviation })
  if (table === undefined) {
    return new InvalidTimeZoneError({
      timeZone: name,
      message:
        offsetAdvice(name) ??
        `Unknown time zone ${JSON.stringify(name)}: use an IANA name such as "UTC" or "America/Los_Angeles" (this runtime's Intl.supportedValuesOf("timeZone") lists them).`
    })
  }
  // The zone under the canonical name owns the table; another spelling shares its offsets under its own name.
  const canonical = resolved.get(table.name) ?? fromTable(table)
  resolved.set(table.name, canonical)
  const zone = name === canonical.name ? canonical : ownZone({ name, offsetSeconds: canonical.offsetSeconds })
  resolved.set(name, zone)
  return zone
}

/**
 * The UTC zone (the default data time zone); `resolveTimeZone("UTC")` gives this very zone, and its other
 * spellings ("Etc/UTC", "utc") share its offsets.
 */
export const UTC: TimeZone = fromTable(ZoneTable.make("UTC")!)
// Registered under its canonical name, so the zone resolved by name shares its caches rather than a second copy.
resolved.set(UTC.name, UTC)
