/**
 * The renderers' text pieces for callers that hold calendar numbers rather than cells (a Parquet `date32`, a
 * time of day in seconds): the same text, checked, so a number outside what the text can show is a RangeError
 * instead of a wrong text.
 */
import * as civil from "./internal/civil.ts"

/** Days in 400 Gregorian years, after which the calendar repeats. */
const DAYS_PER_CYCLE = 146_097

/** `YYYY-MM-DD` of a day number (days since 1970-01-01, proleptic Gregorian), for years 0001–9999. */
export const formatDays = (days: number): string => {
  if (!Number.isInteger(days) || days < civil.FIRST_DAY || days > civil.LAST_DAY) {
    throw new RangeError(`${days} is not the number of a day of years 0001–9999`)
  }
  return civil.formatDays(days)
}

/**
 * The calendar date of a day number (days since 1970-01-01), for any year of the proleptic Gregorian calendar —
 * astronomical years: 0 is 1 BC, -1 is 2 BC — for callers that write years outside 0001–9999 themselves.
 */
export const civilDate = (days: number): { readonly year: number; readonly month: number; readonly day: number } => {
  if (!Number.isSafeInteger(days)) throw new RangeError(`${days} is not the number of a day`)
  // The packed year·10000 + month·100 + day is exact only while it stays below 2^53 (years below ~9·10^11), and
  // so is civilOf's own sum days + 719468: whole 400-year cycles (146 097 days each) are taken off first, so
  // civilOf sees a day of 1970–2369 and the cycles come back as years, exactly, for every safe integer.
  // `%` is exact for any doubles, and days − rest is a multiple of the cycle no larger than days, so both the rest
  // and the quotient are exact (a floor of days / 146 097 would be rounded, and its product beyond 2^53).
  let rest = days % DAYS_PER_CYCLE
  let cycles = (days - rest) / DAYS_PER_CYCLE
  if (rest < 0) {
    rest += DAYS_PER_CYCLE
    cycles--
  }
  const packed = civil.civilOf(rest)
  const year = Math.floor(packed / 10000)
  const monthDay = packed - year * 10000
  return { year: year + cycles * 400, month: Math.floor(monthDay / 100), day: monthDay % 100 }
}

/** `HH:mm:ss` of a second of the day, 0–86399. */
export const formatSecondOfDay = (seconds: number): string => {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_399) {
    throw new RangeError(`${seconds} is not a second of the day (0–86399)`)
  }
  return civil.formatSecondOfDay(seconds)
}
