/**
 * The renderers' text pieces for callers that hold calendar numbers rather than cells (a Parquet `date32`, a
 * time of day in seconds): the same text, checked, so a number outside what the text can show is a RangeError
 * instead of a wrong text.
 */
import * as civil from "./internal/civil.ts"

/** Day numbers of 0001-01-01 and 9999-12-31: the years a four-digit `YYYY` holds. */
const FIRST_DAY = -719_162
const LAST_DAY = 2_932_896

/** `YYYY-MM-DD` of a day number (days since 1970-01-01, proleptic Gregorian), for years 0001–9999. */
export const formatDays = (days: number): string => {
  if (!Number.isInteger(days) || days < FIRST_DAY || days > LAST_DAY) {
    throw new RangeError(`${days} is not the number of a day of years 0001–9999`)
  }
  return civil.formatDays(days)
}

/** `HH:mm:ss` of a second of the day, 0–86399. */
export const formatSecondOfDay = (seconds: number): string => {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_399) {
    throw new RangeError(`${seconds} is not a second of the day (0–86399)`)
  }
  return civil.formatSecondOfDay(seconds)
}
