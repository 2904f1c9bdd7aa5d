/**
 * The normalized value of a ThoughtSpot date cell: a period (start, optional end, optional display text)
 * plus the wire form it arrived in, so that encoding gives back exactly what was decoded.
 */

/** Which of ThoughtSpot's two encodings a cell used: plain epoch seconds, or Custom Calendar `{"v":{"s":…}}`. */
export type WireForm = "epoch" | "calendar"

/**
 * A decoded date cell. `start` (and `end`, when the cell carried one) are whole epoch seconds, always safe
 * integers inside {@link MIN_EPOCH_SECONDS}…{@link MAX_EPOCH_SECONDS}. `end` is exclusive (ThoughtSpot's daily bucket
 * has `e - s = 86400`). `form` only records provenance: two periods are the same period when start, end and
 * display are equal, whatever their form.
 */
export interface Period {
  readonly start: number
  readonly end?: number
  readonly display?: string
  readonly form: WireForm
}

/** The Custom Calendar wire form of a date cell: `{"v":{"s":start,"e"?:end},"d"?:display}`. */
export interface CalendarCell {
  readonly v: { readonly s: number | bigint; readonly e?: number | bigint }
  readonly d?: string
}

/** A well-formed non-null date cell as it comes off the wire (bigint where the JSON integer exceeded 2^53). */
export type WireDateValue = number | bigint | CalendarCell

/**
 * Earliest instant a date cell may hold: 0000-12-31T00:00:00Z, a day before 0001-01-01 in UTC. A zone's offset is
 * less than a day either side, so every instant that some zone shows in years 0001–9999 (what `YYYY-MM-DD` and
 * RFC 3339 can write) lies within {@link MIN_EPOCH_SECONDS}…{@link MAX_EPOCH_SECONDS}: `9999-12-31` is
 * 253402243200 in Los Angeles. Renderers and writers then refuse (`OutOfRange`) an instant whose local date and time
 * in the zone they render it in is in year 0000 or 10000.
 */
export const MIN_EPOCH_SECONDS = -62135683200

/** Latest instant a date cell may hold: 10000-01-01T23:59:59Z, a day after 9999-12-31 in UTC (see {@link MIN_EPOCH_SECONDS}). */
export const MAX_EPOCH_SECONDS = 253402387199

/** Builds a period; `end` and `display` are only set when given (exact optional properties). */
export const makePeriod = (form: WireForm, start: number, end?: number, display?: string): Period => {
  if (end === undefined) return display === undefined ? { start, form } : { start, display, form }
  return display === undefined ? { start, end, form } : { start, end, display, form }
}

/** True for a value shaped like a {@link Period} (used to make decoding idempotent). */
export const isPeriod = (value: unknown): value is Period => {
  if (typeof value !== "object" || value === null) return false
  const form = (value as { readonly form?: unknown }).form
  return (form === "epoch" || form === "calendar") && typeof (value as { readonly start?: unknown }).start === "number"
}

/**
 * The wire value a period was decoded from: epoch seconds, or the Custom Calendar object. An epoch-form period
 * that carries an end or a display text (made by hand: no epoch cell has them) gets the Custom Calendar form, the
 * only one that holds them, rather than a number that would drop them.
 */
export const encodePeriod = (period: Period): WireDateValue => {
  if (period.form === "epoch" && period.end === undefined && period.display === undefined) return period.start
  const v: { s: number; e?: number } =
    period.end === undefined ? { s: period.start } : { s: period.start, e: period.end }
  return period.display === undefined ? { v } : { v, d: period.display }
}

/** The same period without provenance, for comparing decoded values regardless of wire form. */
export const periodValue = (
  period: Period
): { readonly start: number; readonly end?: number; readonly display?: string } => {
  const { form: _form, ...rest } = period
  return rest
}
