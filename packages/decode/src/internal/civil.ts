/**
 * Integer proleptic-Gregorian calendar arithmetic (days since 1970-01-01 -> year/month/day) and the fixed-width
 * text pieces the renderers concatenate. No `Date`, no `Intl`: this is the part that runs once per rendered day.
 */

/** "00" … "99", so two-digit fields never go through `padStart`. */
export const TWO_DIGITS: ReadonlyArray<string> = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`))

/**
 * `YYYY-MM-DD` of a day number, for years 0001–9999 (the supported range). Works on 400-year eras so every
 * division is of a non-negative integer.
 */
export const formatDays = (days: number): string => {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
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
