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

const WIRE_FORMS: ReadonlyArray<unknown> = ["epoch", "calendar"]

/** A value for a programming mistake's message (no import of the cell renderer: it imports this module). */
const shown = (value: unknown): string =>
  typeof value === "string"
    ? JSON.stringify(value)
    : typeof value === "number" || typeof value === "boolean" || value === undefined || value === null
      ? String(value)
      : typeof value === "bigint"
        ? `${value}n`
        : Array.isArray(value)
          ? "an array"
          : `a ${typeof value}`

const inRange = (x: number): boolean => Number.isInteger(x) && x >= MIN_EPOCH_SECONDS && x <= MAX_EPOCH_SECONDS

/** The seconds mistake of `start` or `end`, or undefined for whole seconds in range. */
const secondsMistake = (
  name: string,
  x: unknown
): readonly [RangeErrorConstructor | TypeErrorConstructor, string] | undefined => {
  if (typeof x !== "number") {
    const hint = typeof x === "bigint" ? " (convert an in-range bigint with Number())" : ""
    return [TypeError, `${name} must be whole epoch seconds (a number), not ${shown(x)}${hint}`]
  }
  if (inRange(x)) return undefined
  return [
    RangeError,
    `${name} is ${shown(x)}, not whole epoch seconds within MIN_EPOCH_SECONDS … MAX_EPOCH_SECONDS (${MIN_EPOCH_SECONDS} … ${MAX_EPOCH_SECONDS}, 0000-12-31T00:00:00Z … 10000-01-01T23:59:59Z)`
  ]
}

/**
 * What makes these parts no {@link Period}, with the error class to throw (a wrong type: TypeError; a number out of
 * place: RangeError), or undefined when they make one. `name` prefixes each part's name ("" or "period.").
 */
const periodMistake = (
  name: string,
  form: unknown,
  start: unknown,
  end: unknown,
  display: unknown
): readonly [RangeErrorConstructor | TypeErrorConstructor, string] | undefined => {
  if (!WIRE_FORMS.includes(form)) return [TypeError, `${name}form must be "epoch" or "calendar", not ${shown(form)}`]
  const startMistake = secondsMistake(`${name}start`, start)
  if (startMistake !== undefined) return startMistake
  if (end !== undefined) {
    const endMistake = secondsMistake(`${name}end`, end)
    if (endMistake !== undefined) return endMistake
    if ((end as number) < (start as number)) {
      return [
        RangeError,
        `${name}end ${shown(end)} is before ${name}start ${shown(start)}: a period's end is exclusive, at or after its start`
      ]
    }
  }
  if (display !== undefined && typeof display !== "string") {
    return [TypeError, `${name}display must be the cell's display text (a string), not ${shown(display)}`]
  }
  return undefined
}

/**
 * Builds a period; `end` and `display` are only set when given (exact optional properties). Parts that make no
 * Period are a programming mistake and throw, before any cell is written from them: a TypeError for a wrong type
 * (a form other than "epoch" or "calendar", seconds that are no number, a display that is no string), a RangeError
 * for seconds that are not whole or outside {@link MIN_EPOCH_SECONDS}…{@link MAX_EPOCH_SECONDS}, or an end before
 * the start.
 */
export const makePeriod = (form: WireForm, start: number, end?: number, display?: string): Period => {
  const mistake = periodMistake("", form, start, end, display)
  if (mistake !== undefined) throw new mistake[0](`makePeriod: ${mistake[1]}`)
  return periodOf(form, start + 0, end === undefined ? undefined : end + 0, display)
}

/** A period from parts already checked (the decoders read them from a valid cell); -0 is the caller's to avoid. */
export const periodOf = (
  form: WireForm,
  start: number,
  end: number | undefined,
  display: string | undefined
): Period => {
  if (end === undefined) return display === undefined ? { start, form } : { start, display, form }
  return display === undefined ? { start, end, form } : { start, end, display, form }
}

/** The keys a {@link Period} may have. */
const periodKeys: ReadonlySet<string> = new Set(["start", "end", "display", "form"])

/**
 * True for a valid {@link Period}: a known form, whole seconds in range, an end (when present) at or after the
 * start, a display (when present) that is a string, and no other key — exactly what {@link makePeriod} builds.
 */
export const isPeriod = (value: unknown): value is Period => {
  if (typeof value !== "object" || value === null) return false
  if (Object.keys(value).some((key) => !periodKeys.has(key))) return false
  const { form, start, end, display } = value as Partial<Record<keyof Period, unknown>>
  return periodMistake("", form, start, end, display) === undefined
}

/**
 * True for a value shaped like a {@link Period}, valid or not: the decoders read it as a period (so decoding is
 * idempotent) and give a bad one the specific `DateCellError` of its bad part.
 */
export const hasPeriodShape = (value: unknown): value is Period => {
  if (typeof value !== "object" || value === null) return false
  const form = (value as { readonly form?: unknown }).form
  return (form === "epoch" || form === "calendar") && typeof (value as { readonly start?: unknown }).start === "number"
}

/**
 * The wire value a period was decoded from: epoch seconds, or the Custom Calendar object. An epoch-form period
 * that carries an end or a display text (made by hand: no epoch cell has them) gets the Custom Calendar form, the
 * only one that holds them, rather than a number that would drop them. A value that is no valid {@link Period}
 * (see {@link isPeriod}) throws as {@link makePeriod} does, rather than be written as a cell no decoder takes.
 */
export const encodePeriod = (period: Period): WireDateValue => {
  if (typeof period !== "object" || period === null) {
    throw new TypeError(`encodePeriod: period must be a Period { start, end?, display?, form }, not ${shown(period)}`)
  }
  const mistake = periodMistake("period.", period.form, period.start, period.end, period.display)
  if (mistake !== undefined) throw new mistake[0](`encodePeriod: ${mistake[1]}`)
  return wireOf(period)
}

/** The wire value of a period, unchecked: the Schema codec checks the result as a wire cell, with its messages. */
export const wireOf = (period: Period): WireDateValue => {
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
