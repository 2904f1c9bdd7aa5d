/**
 * Allocation-free reading of one raw date cell. The hot paths (renderers, column decoders) call `readCell`, which
 * returns the start seconds (or a sentinel) and leaves the rest of the cell in module-level scratch variables,
 * so a well-formed cell costs no object allocation. Errors are built only from the recorded reason code.
 */
import { DATE_CELL_ERROR_REASONS, DateCellError, type DateCellErrorReason } from "../DateCellError.ts"
import { hasPeriodShape, MAX_EPOCH_SECONDS, MIN_EPOCH_SECONDS, type WireForm } from "../Period.ts"
import { civilOf, FIRST_SECOND, formatSecondOfDay, LAST_SECOND, TWO_DIGITS } from "./civil.ts"

/** `readCell` result for a null cell. */
export const NULL_CELL = Number.NEGATIVE_INFINITY

const MIN_BIG = BigInt(MIN_EPOCH_SECONDS)
const MAX_BIG = BigInt(MAX_EPOCH_SECONDS)

// Reason codes, indexes into `reasons`.
const NOT_FINITE = 0
const NOT_WHOLE = 1
const UNSAFE = 2
const OUT_OF_RANGE = 3
const END_BEFORE_START = 4
const WRONG_TYPE = 5
const WRONG_SHAPE = 6
const reasons: ReadonlyArray<DateCellErrorReason> = DATE_CELL_ERROR_REASONS

/** Reason code of the last invalid cell read (valid until the next call). */
let issue = 0
/** End seconds of the last cell read, NaN when it had none (scratch state, valid until the next call). */
export let cellEnd = Number.NaN
/** Display text of the last cell read. */
export let cellDisplay: string | undefined
/** Wire form of the last cell read. */
export let cellForm: WireForm = "epoch"
/** Which part of the cell the last issue concerns ("" for the cell itself, "v.s", "v.e"). */
let issuePart = ""

/** Whole epoch seconds in range, else NaN with `issue` set. */
const readSeconds = (x: unknown): number => {
  if (typeof x === "number") {
    if (Number.isInteger(x)) {
      // `+ 0` turns -0 into 0, so equal instants are equal values.
      if (x >= MIN_EPOCH_SECONDS && x <= MAX_EPOCH_SECONDS) return x + 0
      issue = Number.isSafeInteger(x) ? OUT_OF_RANGE : UNSAFE
      return Number.NaN
    }
    issue = Number.isFinite(x) ? NOT_WHOLE : NOT_FINITE
    return Number.NaN
  }
  if (typeof x === "bigint") {
    // A bigint is exact; inside the supported range it converts to a number without loss.
    if (x >= MIN_BIG && x <= MAX_BIG) return Number(x)
    issue = OUT_OF_RANGE
    return Number.NaN
  }
  issue = WRONG_TYPE
  return Number.NaN
}

const countKeys = (o: object): number => {
  let n = 0
  for (const _ in o) n++
  return n
}

const readCalendar = (cell: { readonly v?: unknown; readonly d?: unknown }): number => {
  const v = cell.v
  const d = cell.d
  if (
    typeof v !== "object" ||
    v === null ||
    (d !== undefined && typeof d !== "string") ||
    countKeys(cell) !== (d === undefined ? 1 : 2)
  ) {
    issue = WRONG_SHAPE
    return Number.NaN
  }
  const s = (v as { readonly s?: unknown }).s
  const e = (v as { readonly e?: unknown }).e
  if (s === undefined || countKeys(v) !== (e === undefined ? 1 : 2)) {
    issue = WRONG_SHAPE
    return Number.NaN
  }
  const start = readSeconds(s)
  if (Number.isNaN(start)) {
    issuePart = "v.s"
    if (issue === WRONG_TYPE) issue = WRONG_SHAPE
    return Number.NaN
  }
  if (e !== undefined) {
    const end = readSeconds(e)
    if (Number.isNaN(end)) {
      issuePart = "v.e"
      if (issue === WRONG_TYPE) issue = WRONG_SHAPE
      return Number.NaN
    }
    if (end < start) {
      issue = END_BEFORE_START
      return Number.NaN
    }
    cellEnd = end
  }
  cellDisplay = d
  cellForm = "calendar"
  return start
}

/**
 * Reads a raw cell: a number of epoch seconds, a bigint, a Custom Calendar object, an already-decoded
 * `Period`, or null. Returns the start seconds, `NULL_CELL`, or NaN for an invalid cell (see `makeCellError`).
 */
export const readCell = (cell: unknown): number => {
  cellEnd = Number.NaN
  cellDisplay = undefined
  issuePart = ""
  if (typeof cell === "number") {
    if (cell >= MIN_EPOCH_SECONDS && cell <= MAX_EPOCH_SECONDS && Number.isInteger(cell)) {
      cellForm = "epoch"
      return cell + 0
    }
    return readSeconds(cell)
  }
  if (cell === null) return NULL_CELL
  if (typeof cell === "object") {
    if ("v" in cell) return readCalendar(cell)
    if (hasPeriodShape(cell)) return readPeriod(cell)
    issue = Array.isArray(cell) || cell instanceof Date ? WRONG_TYPE : WRONG_SHAPE
    return Number.NaN
  }
  cellForm = "epoch"
  return readSeconds(cell)
}

const readPeriod = (p: {
  readonly start: number
  readonly end?: unknown
  readonly display?: unknown
  readonly form: WireForm
}): number => {
  const start = readSeconds(p.start)
  if (Number.isNaN(start)) return Number.NaN
  if (p.end !== undefined) {
    const end = readSeconds(p.end)
    if (Number.isNaN(end)) return Number.NaN
    if (end < start) {
      issue = END_BEFORE_START
      return Number.NaN
    }
    cellEnd = end
  }
  if (p.display !== undefined) {
    if (typeof p.display !== "string") {
      issue = WRONG_SHAPE
      return Number.NaN
    }
    cellDisplay = p.display
  }
  cellForm = p.form
  return start
}

const MAX_VALUE_CHARS = 80

/** Renders any value for an error message: never throws, never longer than 80 characters. */
export const renderValue = (value: unknown): string => {
  let text: string
  switch (typeof value) {
    case "string":
      text = JSON.stringify(value)
      break
    case "bigint":
      text = `${value}n`
      break
    case "number":
    case "boolean":
    case "undefined":
      text = String(value)
      break
    case "function":
      text = "[function]"
      break
    case "symbol":
      text = "[symbol]"
      break
    default:
      if (value instanceof Date) {
        text = dateText(value)
        break
      }
      try {
        // A Date's JSON is its ISO text in quotes (a string, to the reader) or null when it is invalid.
        text =
          JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
            const raw = (this as Record<string, unknown>)[key]
            return typeof v === "bigint" ? `${v}n` : raw instanceof Date ? dateText(raw) : v
          }) ?? String(value)
      } catch {
        text = Array.isArray(value) ? "[unserializable array]" : "[unserializable object]"
      }
  }
  if (text.length <= MAX_VALUE_CHARS) return text
  // Not between the two halves of a surrogate pair: half a character is no text.
  const last = text.charCodeAt(MAX_VALUE_CHARS - 2)
  const cut = last >= 0xd800 && last <= 0xdbff ? MAX_VALUE_CHARS - 2 : MAX_VALUE_CHARS - 1
  return `${text.slice(0, cut)}…`
}

/** A Date as `Date(<ISO text>)`, so that it reads as no string and an invalid one as no null. */
const dateText = (date: Date): string =>
  Number.isNaN(date.getTime()) ? "Date(invalid)" : `Date(${date.toISOString()})`

const kindOf = (value: unknown): string =>
  value === undefined
    ? "undefined value"
    : value instanceof Date
      ? "Date object"
      : Array.isArray(value)
        ? "array"
        : typeof value === "object"
          ? "object"
          : typeof value

/** What a date cell is, for messages. */
const DATE_FORMS = 'epoch seconds or {"v":{"s":…}}'

/**
 * What is wrong with the cell, after "cell <value> [in row …, column …] ". Messages describe the cell only: what
 * to do about it depends on the caller (a library user can choose `mode: "lenient"`, a CLI user cannot), so
 * callers add their own advice, by `reason`.
 */
const explain = (reason: number, value: unknown, part: string): string => {
  const has = (problem: string) => (part === "" ? `is ${problem}` : `has a ${part} that is ${problem}`)
  switch (reason) {
    case NOT_FINITE:
      return `${has("not a finite number")}: a ThoughtSpot date is ${DATE_FORMS}, in whole seconds`
    case NOT_WHOLE:
      return `${has("not a whole number of seconds")}: ThoughtSpot dates are whole epoch seconds, not fractions or milliseconds`
    case UNSAFE:
      return `${has("an integer beyond 2^53 held as a JS number")}, so its digits may already be rounded (such integers must arrive as bigint)`
    case OUT_OF_RANGE:
      return `${has("outside the supported instants 0000-12-31T00:00:00Z … 10000-01-01T23:59:59Z")} (epoch seconds ${MIN_EPOCH_SECONDS} … ${MAX_EPOCH_SECONDS}, a day either side of years 0001–9999; milliseconds or microseconds since 1970 lie beyond them)`
    case END_BEFORE_START:
      return "is malformed: its period end v.e is before its start v.s"
    case WRONG_TYPE:
      return `is not a ThoughtSpot date (${DATE_FORMS}): it is ${/^[aeiou]/.test(kindOf(value)) ? "an" : "a"} ${kindOf(value)}`
    default:
      return `is not a ThoughtSpot date: ${part === "" ? "" : `its ${part} is not epoch seconds, so `}it is not a Custom Calendar cell {"v":{"s":<seconds>,"e"?:<seconds>},"d"?:<text>} (with no other keys)`
  }
}

/** " in row …, column …" of an error message, or "" when neither is known. */
const whereText = (row: number | undefined, column: string | undefined): string =>
  row === undefined
    ? column === undefined
      ? ""
      : ` in column ${JSON.stringify(column)}`
    : column === undefined
      ? ` in row ${row}`
      : ` in row ${row}, column ${JSON.stringify(column)}`

/** Builds the typed error for the cell whose `readCell` just returned NaN. */
export const makeCellError = (value: unknown, row: number | undefined, column: string | undefined): DateCellError => {
  const where = whereText(row, column)
  const rendered = renderValue(value)
  const message = `cell ${rendered}${where} ${explain(issue, value, issuePart)}`
  const reason = reasons[issue] ?? "WrongShape"
  if (row === undefined) {
    return column === undefined
      ? new DateCellError({ reason, value: rendered, message })
      : new DateCellError({ reason, column, value: rendered, message })
  }
  return column === undefined
    ? new DateCellError({ reason, row, value: rendered, message })
    : new DateCellError({ reason, row, column, value: rendered, message })
}

const SECONDS_PER_DAY = 86400

/**
 * The `NotMidnight` error of a DATE cell whose start (or end `v.e`, when `part` is "v.e") is the instant `t`, which
 * is `offset` seconds off UTC in `zone` and no midnight there. ThoughtSpot sends a DATE as the midnight that starts
 * the day in the data time zone, so such a cell is read in another zone than its dates were computed in (its
 * date would come out a day off) or is no DATE at all: never rendered as some date. The likeliest mix-up, a cell
 * that is a midnight in UTC, is said.
 */
export const makeNotMidnightError = (
  value: unknown,
  row: number | undefined,
  column: string | undefined,
  t: number,
  offset: number,
  zoneName: string,
  part: "" | "v.e"
): DateCellError => {
  const local = t + offset
  const day = Math.floor(local / SECONDS_PER_DAY)
  const when = `${formatSecondOfDay(local - day * SECONDS_PER_DAY)} on ${dayText(day)}`
  const subject = part === "" ? "is" : "has a period end v.e that is"
  const utc =
    t % SECONDS_PER_DAY === 0
      ? `; it is midnight in UTC (${dayText(t / SECONDS_PER_DAY)}), so its dates were likely computed in UTC`
      : ""
  const rendered = renderValue(value)
  const message = `cell ${rendered}${whereText(row, column)} ${subject} ${when} in ${zoneName}, not a midnight: a DATE is the midnight that starts its day in the data time zone, so the cell was computed in another zone than ${zoneName} (its date would be off by a day) or is no DATE${utc}`
  const fields = { reason: "NotMidnight" as const, value: rendered, message, timeZone: zoneName, instant: t + 0 }
  if (row === undefined)
    return column === undefined ? new DateCellError(fields) : new DateCellError({ ...fields, column })
  return column === undefined ? new DateCellError({ ...fields, row }) : new DateCellError({ ...fields, row, column })
}

/** `YYYY-MM-DD` of a day number of any year (0000, 10000 too), for messages: the renderers' text has four digits. */
const dayText = (day: number): string => {
  const civil = civilOf(day)
  const year = Math.floor(civil / 10000)
  const month = Math.floor(civil / 100) - year * 100
  return `${String(year).padStart(4, "0")}-${TWO_DIGITS[month]}-${TWO_DIGITS[civil - Math.floor(civil / 100) * 100]}`
}

/** `YYYY-MM-DDTHH:mm:ss` of local seconds (a wall time read as UTC) of any year, and that year, for messages. */
const wallText = (local: number): { readonly text: string; readonly year: string } => {
  const day = Math.floor(local / SECONDS_PER_DAY)
  const text = `${dayText(day)}T${formatSecondOfDay(local - day * SECONDS_PER_DAY)}`
  return { text, year: text.slice(0, text.indexOf("-", 1)) }
}

/** `±HH:MM:SS` of an offset in seconds. */
const offsetWithSeconds = (offset: number): string => {
  const abs = Math.abs(offset)
  return `${offset < 0 ? "-" : "+"}${formatSecondOfDay(abs)}`
}

/**
 * The `OutOfRange` error of a cell whose start (or end `v.e`) is the instant `t`, valid as an instant, but with no
 * text in the zone it is rendered in (`offset` seconds off UTC there): its local date and time is in year 0000 or
 * 10000, which a four-digit `YYYY` cannot write; or (`utcYear`, a DATE_TIME) its UTC text would be in such a year and
 * its offset has seconds (local mean time), which an RFC 3339 offset cannot carry, so neither text is exact.
 */
export const makeZoneRangeError = (
  value: unknown,
  row: number | undefined,
  column: string | undefined,
  t: number,
  offset: number,
  zoneName: string,
  part: "" | "v.e"
): DateCellError => {
  const subject = part === "" ? "is" : "has a period end v.e that is"
  const local = t + offset
  let what: string
  if (local >= FIRST_SECOND && local <= LAST_SECOND) {
    const utc = wallText(t)
    what = `${utc.text}Z in UTC, in year ${utc.year}, and its offset in ${zoneName}, ${offsetWithSeconds(offset)}, has seconds, which an RFC 3339 offset cannot carry: no text writes it exactly with a four-digit year`
  } else {
    const wall = wallText(local)
    what = `${wall.text} in ${zoneName}, in year ${wall.year}: a date or time is written in years 0001–9999 of the zone it is rendered in`
  }
  const rendered = renderValue(value)
  const message = `cell ${rendered}${whereText(row, column)} ${subject} ${what}`
  const fields = { reason: "OutOfRange" as const, value: rendered, message, timeZone: zoneName, instant: t + 0 }
  if (row === undefined)
    return column === undefined ? new DateCellError(fields) : new DateCellError({ ...fields, column })
  return column === undefined ? new DateCellError({ ...fields, row }) : new DateCellError({ ...fields, row, column })
}
