/**
 * Integer proleptic-Gregorian calendar arithmetic (days since 1970-01-01 -> year/month/day) and the fixed-width
 * text pieces the renderers concatenate. No `Date`, no `Intl`: this is the part that runs once per rendered day.
 */

/** Day numbers of 0001-01-01 and 9999-12-31: the days a four-digit `YYYY` holds. */
export const FIRST_DAY = -719_162
export const LAST_DAY = 2_932_896
/** Local seconds (wall time read as UTC) of 0001-01-01T00:00:00 and 9999-12-31T23:59:59: what the texts can show. */
export const FIRST_SECOND = FIRST_DAY * 86400
export const LAST_SECOND = (LAST_DAY + 1) * 86400 - 1

/** "00" … "99", so two-digit fields never go through `padStart`. */
export const TWO_DIGITS: ReadonlyArray<string> = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`))

/**
 * The civil date of a day number packed as one integer, `year·10000 + month·100 + day` (no object per call on
 * the hot path). Works on 400-year eras so every division is of a non-negative integer.
 */
export const civilOf = (days: number): number => {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  return year * 10000 + month * 100 + day
}

/** `YYYY-MM-DD` of a day number, for years 0001–9999 (the supported range). */
export const formatDays = (days: number): string => {
  const civil = civilOf(days)
  const year = Math.floor(civil / 10000)
  const month = Math.floor(civil / 100) - year * 100
  const day = civil - Math.floor(civil / 100) * 100
  const hi = Math.floor(year / 100)
  return `${TWO_DIGITS[hi]}${TWO_DIGITS[year - hi * 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`
}

/** `HH:mm:ss` of a second-of-day (0–86399). */
export const formatSecondOfDay = (sod: number): string => {
  const h = Math.floor(sod / 3600)
  const rest = sod - h * 3600
  const m = Math.floor(rest / 60)
  return `${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[rest - m * 60]}`
}

/** ASCII bytes of "00" … "99": two-digit field `n` is bytes `2n` and `2n + 1`. */
const TWO_DIGIT_BYTES: Uint8Array = Uint8Array.from(
  { length: 200 },
  (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : Math.floor(i / 20))
)

/** Writes `YYYY-MM-DD` of a day number (same range and text as {@link formatDays}) at `out[at]`; 10 bytes. */
export const writeDays = (days: number, out: Uint8Array, at: number): void => {
  const civil = civilOf(days)
  const year = Math.floor(civil / 10000)
  const month = Math.floor(civil / 100) - year * 100
  const day = civil - Math.floor(civil / 100) * 100
  const hi = Math.floor(year / 100)
  const lo = year - hi * 100
  out[at] = TWO_DIGIT_BYTES[2 * hi]!
  out[at + 1] = TWO_DIGIT_BYTES[2 * hi + 1]!
  out[at + 2] = TWO_DIGIT_BYTES[2 * lo]!
  out[at + 3] = TWO_DIGIT_BYTES[2 * lo + 1]!
  out[at + 4] = 45 // -
  out[at + 5] = TWO_DIGIT_BYTES[2 * month]!
  out[at + 6] = TWO_DIGIT_BYTES[2 * month + 1]!
  out[at + 7] = 45
  out[at + 8] = TWO_DIGIT_BYTES[2 * day]!
  out[at + 9] = TWO_DIGIT_BYTES[2 * day + 1]!
}

/** Writes `HH:mm:ss` of a second-of-day (0–86399) at `out[at]`; 8 bytes. */
export const writeSecondOfDay = (sod: number, out: Uint8Array, at: number): void => {
  const h = Math.floor(sod / 3600)
  const rest = sod - h * 3600
  const m = Math.floor(rest / 60)
  const s = rest - m * 60
  out[at] = TWO_DIGIT_BYTES[2 * h]!
  out[at + 1] = TWO_DIGIT_BYTES[2 * h + 1]!
  out[at + 2] = 58 // :
  out[at + 3] = TWO_DIGIT_BYTES[2 * m]!
  out[at + 4] = TWO_DIGIT_BYTES[2 * m + 1]!
  out[at + 5] = 58
  out[at + 6] = TWO_DIGIT_BYTES[2 * s]!
  out[at + 7] = TWO_DIGIT_BYTES[2 * s + 1]!
}

/** Writes a whole-minute offset as `±HH:MM`, or `Z` for zero (the text of `formatOffset`); returns the end. */
export const writeOffset = (offset: number, out: Uint8Array, at: number): number => {
  if (offset === 0) {
    out[at] = 90 // Z
    return at + 1
  }
  const abs = Math.abs(offset)
  const h = Math.floor(abs / 3600)
  const m = Math.floor((abs - h * 3600) / 60)
  out[at] = offset < 0 ? 45 : 43 // - or +
  out[at + 1] = TWO_DIGIT_BYTES[2 * h]!
  out[at + 2] = TWO_DIGIT_BYTES[2 * h + 1]!
  out[at + 3] = 58
  out[at + 4] = TWO_DIGIT_BYTES[2 * m]!
  out[at + 5] = TWO_DIGIT_BYTES[2 * m + 1]!
  return at + 6
}
