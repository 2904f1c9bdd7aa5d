/**
 * The reference the renderer is checked against: the runtime's own `Intl.DateTimeFormat`, read field by field
 * (a different path from the package, which only asks Intl for offsets), plus arbitraries shared by the suites.
 */
import fc from "fast-check"

const formatters = new Map<string, Intl.DateTimeFormat>()

const formatterFor = (zone: string): Intl.DateTimeFormat => {
  let f = formatters.get(zone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      calendar: "gregory",
      numberingSystem: "latn",
      era: "short",
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit"
    })
    formatters.set(zone, f)
  }
  return f
}

/** Wall-clock fields of epoch second `t` in `zone`, per Intl; `year` is astronomical (Intl's 1 BC is year 0). */
export const intlFields = (zone: string, t: number) => {
  const parts = formatterFor(zone).formatToParts(new Date(t * 1000))
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value)
  const era = parts.find((p) => p.type === "era")?.value
  const year = era === "BC" ? 1 - get("year") : get("year")
  const month = get("month")
  const day = get("day")
  const hour = get("hour")
  const minute = get("minute")
  const second = get("second")
  const wall = new Date(0)
  wall.setUTCFullYear(year, month - 1, day)
  wall.setUTCHours(hour, minute, second, 0)
  return { year, month, day, hour, minute, second, offset: wall.getTime() / 1000 - t }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0")

/** `YYYY-MM-DD` per Intl. */
export const intlDate = (zone: string, t: number): string => {
  const f = intlFields(zone, t)
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}`
}

/**
 * The instant of the local wall clock's last 00:00:00 at or before `t` in `zone`, per Intl (the wall clock's time
 * of day taken back; on a day whose offset changes before `t`, that can be no midnight, which callers check).
 */
export const intlMidnightBefore = (zone: string, t: number): number => {
  const f = intlFields(zone, t)
  return t - (f.hour * 3600 + f.minute * 60 + f.second)
}

/** `HH:mm:ss` per Intl. */
export const intlTime = (zone: string, t: number): string => {
  const f = intlFields(zone, t)
  return `${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`
}

/** RFC 3339 with the zone's offset per Intl (or UTC `Z` when the offset has seconds, the package's documented rule). */
export const intlDateTimeWithOffset = (zone: string, t: number): string => {
  const f = intlFields(zone, t)
  if (f.offset % 60 !== 0) return `${intlDate("UTC", t)}T${intlTime("UTC", t)}Z`
  const abs = Math.abs(f.offset)
  const suffix =
    f.offset === 0 ? "Z" : `${f.offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 3600))}:${pad(Math.floor(abs / 60) % 60)}`
  return `${intlDate(zone, t)}T${intlTime(zone, t)}${suffix}`
}

/** Zones with DST, historical LMT, 30/45-minute and half-hour-DST offsets, date-line jumps and negative DST. */
export const ZONES = [
  "America/Los_Angeles",
  "America/New_York",
  "America/Sao_Paulo",
  "America/Caracas",
  "America/St_Johns",
  "America/Juneau",
  "America/Metlakatla",
  "America/Santiago",
  "America/Havana",
  "Europe/London",
  "Europe/Dublin",
  "Europe/Berlin",
  "Europe/Moscow",
  "Europe/Lisbon",
  "Africa/Casablanca",
  "Africa/Cairo",
  "Asia/Kathmandu",
  "Asia/Kolkata",
  "Asia/Tehran",
  "Asia/Pyongyang",
  "Asia/Shanghai",
  "Asia/Gaza",
  "Asia/Dhaka",
  "Australia/Lord_Howe",
  "Australia/Adelaide",
  "Australia/Eucla",
  "Pacific/Chatham",
  "Pacific/Apia",
  "Pacific/Kiritimati",
  "Pacific/Honolulu",
  "Antarctica/Troll",
  "UTC"
] as const

/** Epoch seconds of 1800-01-01T00:00:00Z and 2200-01-01T00:00:00Z. */
export const YEAR_1800 = Date.UTC(1800, 0, 1) / 1000
export const YEAR_2200 = Date.UTC(2200, 0, 1) / 1000

/** Whole epoch seconds in 1800–2200. */
export const instant = fc.integer({ min: YEAR_1800, max: YEAR_2200 })
