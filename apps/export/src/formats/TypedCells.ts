/**
 * Cells of typed columns (Parquet). A typed column holds values, not text, but they must be the values the CSV
 * export of the same result writes. So a cell is first rendered by the column's ordinary plan (`CellRules.ts` and
 * `@spotpipe/decode`: every exactness rule, time zone and Custom Calendar rule applies once, in one place), and
 * that canonical text or number must then be exactly a value of the column's type:
 *
 * - INT64 → `bigint`, INT32 → `number`, DOUBLE/FLOAT → `number`, BOOL → `boolean`;
 * - DATE (`YYYY-MM-DD`) → days since 1970-01-01; DATE_TIME/TIMESTAMP (RFC 3339, `Z` or an offset) → microseconds
 *   since the epoch, UTC; TIME (`HH:mm:ss`) → microseconds since midnight;
 * - text and unknown types → the cell's CSV text (numbers and booleans as their own text).
 *
 * A rendered value the typed column cannot hold exactly (text in an INT64 column, a bigint beyond a double's
 * exact integers in a DOUBLE column, …) is an Error, so the export fails naming the row and column, as CSV does.
 *
 * A typed output is first written as a staged CSV (`typedStaging`): its typed columns then hold only such canonical
 * text, which the Parquet writer reads into each column's type (see parquet/StagedRows.ts). `typedText` goes the
 * other way, for a loader that reads a Parquet file back into text.
 */
import { formatDays, formatSecondOfDay } from "@spotpipe/decode"
import { type ColumnKind, columnKindOf } from "./ColumnKinds.ts"
import type { Cell } from "./RowFormat.ts"
import type { CellFormatter, ColumnPlan } from "./RowRenderer.ts"

/**
 * The CSV settings of a typed output's staged file: nulls as `\N` (a string `\N` is quoted, and read back as text),
 * so an empty string stays one; no formula escaping; `\n` line ends.
 */
export const typedStaging = { newline: "\n", escapeFormulae: false, nullString: "\\N" } as const

const refuse = (message: string): Error =>
  new Error(
    `${message}; it cannot be written to Parquet without changing it: export CSV, or correct the value at the source`
  )

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const integerText = /^-?(?:0|[1-9]\d*)$/
const dateText = /^(\d{4})-(\d{2})-(\d{2})$/
const instantText = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/
const timeText = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/

/** Days since 1970-01-01 of a proleptic Gregorian date (any year; `Date.UTC` maps years 0–99 to 19xx). */
export const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** Microseconds of a fraction's digits (`"5"` → 500000); undefined when it has non-zero digits past the sixth. */
const fractionMicros = (digits: string | undefined): number | undefined => {
  if (digits === undefined) return 0
  if (digits.length > 6 && /[1-9]/.test(digits.slice(6))) return undefined
  return Number(digits.slice(0, 6).padEnd(6, "0"))
}

const daysInMonth = (year: number, month: number): number =>
  month === 12 ? 31 : daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1)

const validDate = (year: number, month: number, day: number): boolean =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)

const digit = (text: string, at: number): number => {
  const d = text.charCodeAt(at) - 48
  return d >= 0 && d <= 9 ? d : Number.NaN
}
const two = (text: string, at: number): number => digit(text, at) * 10 + digit(text, at + 1)

/** Days of a `YYYY-MM-DD` text: read by hand (the usual case), else through the regular expression. */
const asDays = (text: string): number | Error => {
  if (text.length === 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const year = two(text, 0) * 100 + two(text, 2)
    const month = two(text, 5)
    const day = two(text, 8)
    if (year >= 0 && validDate(year, month, day)) return daysFromCivil(year, month, day)
  }
  const m = dateText.exec(text)
  if (m === null) return refuse(`"${text}" is not a YYYY-MM-DD date`)
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (!validDate(year, month, day)) return refuse(`"${text}" is not a calendar date`)
  return daysFromCivil(year, month, day)
}

/** `YYYY-MM-DDTHH:mm:ssZ`, the usual text of an instant: read by hand, without a regular expression. */
const plainInstant = (text: string): bigint | undefined => {
  if (text.length !== 20 || text.charCodeAt(10) !== 84 || text.charCodeAt(19) !== 90) return undefined
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined
  const days = asDays(text.slice(0, 10))
  const hour = two(text, 11)
  const minute = two(text, 14)
  const second = two(text, 17)
  if (typeof days !== "number" || !(hour <= 23 && minute <= 59 && second <= 59)) return undefined
  // Exact as a double: |seconds| < 2.6e11 for years 0001–9999, and seconds × 10^6 = (seconds × 15625) × 2^6
  // with seconds × 15625 < 2^53.
  return BigInt((days * 86400 + hour * 3600 + minute * 60 + second) * 1_000_000)
}

const asInstantMicros = (text: string): bigint | Error => {
  const plain = plainInstant(text)
  if (plain !== undefined) return plain
  const m = instantText.exec(text)
  if (m === null) return refuse(`"${text}" is not an RFC 3339 date and time`)
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]))
  if (!validDate(year!, month!, day!) || hour! > 23 || minute! > 59 || second! > 59) {
    return refuse(`"${text}" is not a valid date and time`)
  }
  const micros = fractionMicros(m[7])
  if (micros === undefined) return refuse(`"${text}" has more precision than microseconds`)
  const zone = m[8]!
  const offsetMinutes =
    zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)))
  const seconds =
    daysFromCivil(year!, month!, day!) * 86400 + hour! * 3600 + minute! * 60 + second! - offsetMinutes * 60
  return BigInt(seconds) * 1_000_000n + BigInt(micros)
}

/** Microseconds of an `HH:mm:ss` text: read by hand (the usual case), else through the regular expression. */
const asTimeMicros = (text: string): bigint | Error => {
  if (text.length === 8 && text.charCodeAt(2) === 58 && text.charCodeAt(5) === 58) {
    const hour = two(text, 0)
    const minute = two(text, 3)
    const second = two(text, 6)
    if (hour <= 23 && minute <= 59 && second <= 59) return BigInt((hour * 3600 + minute * 60 + second) * 1_000_000)
  }
  const m = timeText.exec(text)
  if (m === null) return refuse(`"${text}" is not an HH:mm:ss time`)
  const [hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (hour > 23 || minute > 59 || second > 59) return refuse(`"${text}" is not a valid time of day`)
  const micros = fractionMicros(m[4])
  if (micros === undefined) return refuse(`"${text}" has more precision than microseconds`)
  return BigInt(hour * 3600 + minute * 60 + second) * 1_000_000n + BigInt(micros)
}

const describe = (value: Cell): string => (typeof value === "string" ? `"${value}"` : String(value))

/** The typed value of a rendered cell for a column of `kind`; null stays null. */
export const typedCell = (kind: ColumnKind, value: Cell): Cell | Error => {
  if (value === null) return null
  switch (kind) {
    case "text":
      return typeof value === "string" ? value : String(value)
    case "int64":
      if (typeof value === "bigint") return value
      if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value)
      if (typeof value === "string" && integerText.test(value)) {
        const integer = BigInt(value)
        if (integer >= INT64_MIN && integer <= INT64_MAX) return integer
      }
      return refuse(`${describe(value)} is not an INT64 value`)
    case "int32":
      if (typeof value === "number" && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) return value
      if (typeof value === "bigint" && value >= -(2n ** 31n) && value < 2n ** 31n) return Number(value)
      if (typeof value === "string" && integerText.test(value)) {
        const integer = Number(value)
        if (integer >= -(2 ** 31) && integer < 2 ** 31) return integer
      }
      return refuse(`${describe(value)} is not an INT32 value`)
    case "double":
      if (typeof value === "number") return value
      if (typeof value === "bigint") {
        const double = Number(value)
        if (BigInt(double) === value) return double
        return refuse(`${value} has more digits than a double holds`)
      }
      return refuse(`${describe(value)} is not a number`)
    case "boolean":
      if (typeof value === "boolean") return value
      if (value === "true" || value === "false") return value === "true"
      return refuse(`${describe(value)} is not a boolean`)
    case "date":
      return typeof value === "string" ? asDays(value) : refuse(`${describe(value)} is not a date`)
    case "timestamp":
      return typeof value === "string" ? asInstantMicros(value) : refuse(`${describe(value)} is not a date and time`)
    case "time":
      return typeof value === "string" ? asTimeMicros(value) : refuse(`${describe(value)} is not a time of day`)
  }
}

/** `YYYY-MM-DD` of a day number, or undefined outside years 0001–9999 (which `formatDays` refuses). */
const daysText = (days: number): string | undefined => {
  try {
    return formatDays(days)
  } catch {
    return undefined
  }
}

const MICROS_PER_DAY = 86_400_000_000
const EXACT = 2n ** 53n

/** `HH:mm:ss`, with `.ffffff` (trailing zeros dropped) when the microseconds of the day have a fraction. */
const timeOfDayText = (micros: number): string => {
  const seconds = Math.floor(micros / 1_000_000)
  const fraction = micros - seconds * 1_000_000
  const hms = formatSecondOfDay(seconds)
  return fraction === 0 ? hms : `${hms}.${String(fraction).padStart(6, "0").replace(/0+$/, "")}`
}

/** Whole days since the epoch and microseconds into the day of an instant in microseconds. */
const splitDays = (value: number | bigint): readonly [days: number, micros: number] => {
  if (typeof value === "bigint" && (value >= EXACT || value <= -EXACT)) {
    const perDay = BigInt(MICROS_PER_DAY)
    const remainder = ((value % perDay) + perDay) % perDay
    return [Number((value - remainder) / perDay), Number(remainder)]
  }
  // Exact as doubles: the quotient is only rounded, up by at most one day, which the remainder then shows.
  const micros = Number(value)
  const days = Math.floor(micros / MICROS_PER_DAY)
  const rest = micros - days * MICROS_PER_DAY
  return rest < 0 ? [days - 1, rest + MICROS_PER_DAY] : [days, rest]
}

/**
 * The canonical text of a typed value — what {@link typedCell} reads back to the same value: integers in decimal,
 * doubles as JavaScript's shortest exact text (`-0`, `NaN`, `Infinity` included), `true`/`false`, `YYYY-MM-DD`,
 * `YYYY-MM-DDTHH:mm:ss[.ffffff]Z` (UTC), `HH:mm:ss[.ffffff]`. A date or instant outside years 0001–9999, or a time
 * outside the day, has no such text: an Error.
 */
export const typedText = (kind: ColumnKind, value: string | number | bigint | boolean): string | Error => {
  switch (kind) {
    case "double":
      return Object.is(value, -0) ? "-0" : String(value)
    case "date": {
      const text = daysText(Number(value))
      return text ?? new Error(`day ${value} is outside years 0001–9999`)
    }
    case "timestamp": {
      const [days, micros] = splitDays(value as number | bigint)
      const date = daysText(days)
      if (date === undefined) return new Error(`the instant ${value} µs is outside years 0001–9999`)
      return `${date}T${timeOfDayText(micros)}Z`
    }
    case "time": {
      const micros = Number(value)
      if (!(micros >= 0 && micros < MICROS_PER_DAY)) return new Error(`${value} µs is not a time of day`)
      return timeOfDayText(micros)
    }
    default:
      return String(value)
  }
}

/**
 * `format` (or the cell as it is, when absent) checked against `kind`: the rendered cell when the column holds it
 * exactly (its text is then what the typed writer reads), else the Error naming why not. The copy rules and byte
 * writer stay, narrowed by `typed` (see `CellFormatter.typed`).
 */
const typedFormatter = (kind: ColumnKind, format: CellFormatter | undefined): CellFormatter => {
  const checked = (rendered: Cell | Error): Cell | Error => {
    if (rendered instanceof Error) return rendered
    const value = typedCell(kind, rendered)
    return value instanceof Error ? value : rendered
  }
  const check: (cell: unknown) => Cell | Error =
    format === undefined
      ? (cell) => checked(cell === undefined ? null : (cell as Cell))
      : (cell) => checked(format(cell))
  return Object.assign(check, {
    typed: kind,
    ...(format?.usual === undefined ? {} : { usual: format.usual }),
    ...(format?.writeBytes === undefined ? {} : { writeBytes: format.writeBytes })
  })
}

/**
 * The plans of a typed output (Parquet): each column's ordinary plan, its cells then held to the column's kind (a
 * period-end column is typed like its start). Text columns keep their plan: any cell has a text.
 */
export const typedPlans = (plans: ReadonlyArray<ColumnPlan>): ReadonlyArray<ColumnPlan> =>
  plans.map((plan) => {
    const kind = columnKindOf(plan.type)
    if (kind === "text") return plan
    return {
      ...plan,
      format: typedFormatter(kind, plan.format),
      ...(plan.end === undefined ? {} : { end: typedFormatter(kind, plan.end) })
    }
  })
