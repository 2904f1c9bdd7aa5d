/**
 * Civil-time arithmetic in one IANA time zone, built on `Intl` only: the instant of a wall time (resolved as
 * java.time resolves it) and of local midnight of a civil date, the wall text of an instant, and the civil calendar of the generated data (day
 * tables, bucket starts). Bucket starts are local midnight in the cluster time zone, as ThoughtSpot's documented
 * example shows.
 */

/** Checks an IANA zone name; returns false for names `Intl` does not know. */
export const isValidTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** Offset (ms, local minus UTC) of `zone` at an instant. */
const makeOffsetOf = (zone: string): ((epochMs: number) => number) => {
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    era: "short",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric"
  })
  return (epochMs) => {
    const p: Record<string, number> = {}
    let beforeCommonEra = false
    for (const part of fmt.formatToParts(new Date(epochMs))) {
      if (part.type === "era") beforeCommonEra = part.value === "BC"
      else if (part.type !== "literal") p[part.type] = Number(part.value)
    }
    // Intl counts years before 1 CE back from 1 BC (astronomical year 0); Date.UTC reads years 0-99 as 1900-1999,
    // civilAsUtc keeps them as they are.
    const year = beforeCommonEra ? 1 - p["year"]! : p["year"]!
    const asUtc =
      year >= 100
        ? Date.UTC(year, p["month"]! - 1, p["day"]!, p["hour"]!, p["minute"]!, p["second"]!)
        : civilAsUtc(year, p["month"]!, p["day"]!, p["hour"]!, p["minute"]!, p["second"]!)!
    return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000))
  }
}

/**
 * Epoch seconds as wall text in `zone`: the day (`YYYY-MM-DD`), or with `withTime` the wall time to the second
 * (`YYYY-MM-DD HH:mm:ss`, a fraction dropped), as the sandbox's queries write dates. A year outside 0000-9999 is
 * written as ISO 8601 writes it (`+010000-01-01`), which no query takes as a date.
 */
export const makeWallText = (zone: string): ((seconds: number, withTime: boolean) => string) => {
  const offsetOf = makeOffsetOf(zone)
  return (seconds, withTime) => {
    const epochMs = seconds * 1000
    const iso = new Date(epochMs + offsetOf(epochMs)).toISOString()
    const t = iso.indexOf("T")
    return withTime ? `${iso.slice(0, t)} ${iso.slice(t + 1, t + 9)}` : iso.slice(0, t)
  }
}

/**
 * Epoch milliseconds of a civil date and time read as if it were UTC (month 1-12). Unlike `Date.UTC`, years 0-99
 * stay what they are, and a field out of its range (February 30, 24:00) gives `undefined` rather than rolling
 * over into the next day or month.
 */
export const civilAsUtc = (
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0
): number | undefined => {
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const d = new Date(Date.UTC(2000, 0, 1, hour, minute, second))
  d.setUTCFullYear(year, month - 1, day)
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day
    ? d.getTime()
    : undefined
}

/**
 * The instant (epoch seconds) of a wall-clock reading in `zone`, as java.time's `ZonedDateTime.of` resolves it
 * (ThoughtSpot's server side is Java): a wall time a spring-forward skips is moved forward by the length of the
 * gap (02:30 becomes 03:30 of the new offset), and a wall time a fall-back repeats is its first occurrence (the
 * earlier offset). Takes epoch milliseconds of the wall time read as UTC (see `civilAsUtc`).
 */
export const makeWallInstant = (zone: string): ((wallAsUtcMs: number) => number) => {
  const offsetOf = makeOffsetOf(zone)
  return (wall) => {
    // The offsets a day either side bracket any single transition near the wall time.
    const before = offsetOf(wall - 86_400_000)
    const earlier = wall - before
    if (offsetOf(earlier) === before) return earlier / 1000 // unique, or the first of two occurrences
    const after = offsetOf(wall + 86_400_000)
    const later = wall - after
    if (offsetOf(later) === after) return later / 1000
    // In the gap: shifted forward by the gap's length, which is the wall time read with the earlier offset.
    return earlier / 1000
  }
}

/**
 * The instant (epoch seconds) of 00:00 local time on a civil date (month 1-12), for one zone: the start of the
 * day as java.time's `LocalDate.atStartOfDay(zone)` gives it (the first 00:00 when midnight occurs twice, the
 * end of the gap when it is skipped).
 */
export const makeLocalMidnight = (zone: string): ((year: number, month: number, day: number) => number) => {
  const wallInstant = makeWallInstant(zone)
  return (year, month, day) => wallInstant(civilAsUtc(year, month, day)!)
}

/** Date buckets of the search language, in the order of their size. */
export type Bucket = "daily" | "weekly" | "monthly" | "quarterly" | "yearly"

/** All bucket names the sandbox accepts. */
export const buckets: ReadonlyArray<Bucket> = ["daily", "weekly", "monthly", "quarterly", "yearly"]

/** The column-name prefix ThoughtSpot gives a bucketed date ("Month(Order Date)"). */
export const bucketLabel: Record<Bucket, string> = {
  daily: "Day",
  weekly: "Week",
  monthly: "Month",
  quarterly: "Quarter",
  yearly: "Year"
}

/**
 * A run of consecutive civil days with their local-midnight instants and, per bucket, the index of the day that
 * starts the bucket and of the day that starts the next one (exclusive end). Weeks start on Monday.
 */
export interface DayTable {
  readonly firstDay: { readonly year: number; readonly month: number; readonly day: number }
  readonly length: number
  /** Epoch seconds of local midnight of day i. */
  readonly midnight: Float64Array
  /** Epoch seconds of local midnight of the day after the table (end of the last day). */
  readonly bucketStart: Record<Bucket, Int32Array>
  /** Epoch seconds of the exclusive end of day i's bucket. */
  readonly bucketEndSeconds: Record<Bucket, Float64Array>
}

/** Builds a day table of `length` days from a civil first day, in `zone`. */
export const makeDayTable = (
  zone: string,
  firstDay: { readonly year: number; readonly month: number; readonly day: number },
  length: number
): DayTable => {
  // Each day's midnight is asked for up to six times (its own, and as the end of the buckets before it); the zone
  // lookup is the costly part of a sandbox's start, so each day is worked out once.
  const localMidnight = makeLocalMidnight(zone)
  const known = new Map<number, number>()
  const midnightOf = (year: number, month: number, day: number): number => {
    const key = (year * 13 + month) * 32 + day
    let seconds = known.get(key)
    if (seconds === undefined) {
      seconds = localMidnight(year, month, day)
      known.set(key, seconds)
    }
    return seconds
  }
  const baseUtc = Date.UTC(firstDay.year, firstDay.month - 1, firstDay.day)
  const civil = (i: number) => {
    const d = new Date(baseUtc + i * 86_400_000)
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() }
  }
  const indexOf = (year: number, month: number, day: number) =>
    Math.round((Date.UTC(year, month - 1, day) - baseUtc) / 86_400_000)
  const midnight = new Float64Array(length)
  const bucketStart = {} as Record<Bucket, Int32Array>
  const bucketEndSeconds = {} as Record<Bucket, Float64Array>
  for (const b of buckets) {
    bucketStart[b] = new Int32Array(length)
    bucketEndSeconds[b] = new Float64Array(length)
  }
  for (let i = 0; i < length; i++) {
    const c = civil(i)
    midnight[i] = midnightOf(c.year, c.month, c.day)
    const monday = i - ((c.weekday + 6) % 7)
    const quarterMonth = Math.floor((c.month - 1) / 3) * 3 + 1
    const starts: Record<Bucket, number> = {
      daily: i,
      weekly: monday,
      monthly: indexOf(c.year, c.month, 1),
      quarterly: indexOf(c.year, quarterMonth, 1),
      yearly: indexOf(c.year, 1, 1)
    }
    const ends: Record<Bucket, { year: number; month: number; day: number }> = {
      daily: civil(i + 1),
      weekly: civil(monday + 7),
      monthly: { year: c.year + (c.month === 12 ? 1 : 0), month: (c.month % 12) + 1, day: 1 },
      quarterly: { year: c.year + (quarterMonth === 10 ? 1 : 0), month: ((quarterMonth + 2) % 12) + 1, day: 1 },
      yearly: { year: c.year + 1, month: 1, day: 1 }
    }
    for (const b of buckets) {
      bucketStart[b][i] = starts[b]
      const e = ends[b]
      bucketEndSeconds[b][i] = midnightOf(e.year, e.month, e.day)
    }
  }
  return { firstDay, length, midnight, bucketStart, bucketEndSeconds }
}
