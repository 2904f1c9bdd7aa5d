/**
 * Security audit logs (`logs/fetch` with `log_type: SECURITY_AUDIT`): the wire schema, and how a time range is
 * read in requests of at most 24 hours with every event exactly once.
 *
 * What ThoughtSpot documents: the request takes `start_epoch_time_in_millis` and `end_epoch_time_in_millis`
 * ("Start/End time in EPOCH format"), the range "must not exceed 24 hours" (longer ranges take "multiple
 * sequential API requests"), and each entry is `{ date, log }` with `date` an ISO-8601 instant (microseconds in
 * the documented examples) and `log` the event as JSON text. Whether start and end are inclusive is **not**
 * documented, so the client does not depend on it:
 *
 * - a range `[since, until)` is cut into half-open windows `[start, end)` of at most `MAX_WINDOW_MILLIS`
 *   (24 h − 1 ms), back to back (`windows`);
 * - each window is requested as `start − 1 … end` (`requestRange`: 24 h at most), which holds every event of
 *   `[start, end)` whether the server's ends are inclusive or exclusive, compared in milliseconds or finer;
 * - of the answer, exactly the events whose own `date` falls in `[start, end)` are kept (`inWindow`). The ones
 *   at `start − 1` or `end` belong to the neighbouring window, which keeps them; an event outside the requested
 *   range means the server did not apply it, and fails the read rather than being dropped.
 *
 * So every event of `[since, until)` is yielded exactly once. ThoughtSpot notes events can take up to 30 minutes
 * to become available: a range that ends less than that before now may miss recent ones.
 */
import { Schema } from "effect"

/** The range `auditLogs` reads: `[since, until)` in epoch milliseconds. */
export interface LogRange {
  readonly since: number
  readonly until: number
}

/** The longest range one request may ask for (`end − start`), as documented: 24 hours. */
export const MAX_REQUEST_MILLIS = 24 * 60 * 60 * 1000
/** The longest window (`end − start`): one millisecond less than a request, which asks from `start − 1`. */
export const MAX_WINDOW_MILLIS = MAX_REQUEST_MILLIS - 1

/**
 * The earliest bound `auditLogs` takes: 10^12 epoch milliseconds, 2001-09-09T01:46:40Z. A bound below it is most
 * likely epoch seconds (today's are about 1.8 × 10^9), which read as milliseconds fall in January 1970.
 */
export const EARLIEST_MILLIS = 1_000_000_000_000

/** A half-open time window `[start, end)` in epoch milliseconds. */
export interface Window {
  readonly start: number
  readonly end: number
}

/**
 * Cuts `[since, until)` (epoch milliseconds, integers) into back-to-back windows of at most `maxMillis`: the
 * first starts at `since`, each starts where the previous ended, the last ends at `until`. An empty range gives
 * no window. Throws a `RangeError` for a non-integer bound, `since > until`, or `maxMillis < 1`.
 */
export const windows = (since: number, until: number, maxMillis: number = MAX_WINDOW_MILLIS): ReadonlyArray<Window> => {
  if (!Number.isSafeInteger(since) || !Number.isSafeInteger(until)) {
    throw new RangeError(`the range must be whole epoch milliseconds, got ${since} … ${until}`)
  }
  if (since > until) throw new RangeError(`the range starts after it ends: ${since} > ${until}`)
  if (!Number.isSafeInteger(maxMillis) || maxMillis < 1) {
    throw new RangeError(`a window must be a positive whole number of milliseconds, got ${maxMillis}`)
  }
  const result: Array<Window> = []
  for (let start = since; start < until; start += maxMillis) {
    result.push({ start, end: Math.min(until, start + maxMillis) })
  }
  return result
}

/** The request fields that hold every event of `window` (see the module comment). */
export const requestRange = (window: Window) => ({
  start_epoch_time_in_millis: window.start - 1,
  end_epoch_time_in_millis: window.end
})

/** `LogResponse` (both fields required). */
export const LogEntry = Schema.Struct({ date: Schema.String, log: Schema.String })
/** One `logs/fetch` entry as sent. */
export type LogEntry = typeof LogEntry.Type

/** The `logs/fetch` response: an array of entries. */
export const LogsResponse = Schema.Array(LogEntry)

/** One audit event: the entry as sent, plus its `date` in epoch milliseconds. */
export interface AuditEvent {
  /** The entry's `date`, as sent. */
  readonly date: string
  /** The event, as the JSON text ThoughtSpot sent (`id`, `ts`, `type`, `desc`, `userGUID`, `orgId`, `data`, …). */
  readonly log: string
  /** `date` in epoch milliseconds (finer digits cut off, never rounded up). */
  readonly timeMillis: number
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})$/

/**
 * An ISO-8601 instant (`2023-06-08T11:15:26.421996Z`, or with an offset) in epoch milliseconds, digits finer than
 * a millisecond cut off; `undefined` when `text` is not such an instant (a date without a zone is not one).
 */
export const epochMillisOf = (text: string): number | undefined => {
  const match = ISO.exec(text)
  if (match === null) return undefined
  const [, y, mo, d, h, mi, s, fraction, zone] = match
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined
  const base = Date.UTC(Number(y), month - 1, day, hour, minute, second)
  // Date.UTC rolls an impossible day (31 April) into the next month: refuse it instead.
  if (new Date(base).getUTCDate() !== day) return undefined
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, "0"))
  let offset = 0
  if (zone !== undefined && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1
    const digits = zone.slice(1).replace(":", "")
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000
  }
  return base + millis - offset
}

/** Whether `timeMillis` lies in the half-open `window`. */
export const inWindow = (window: Window, timeMillis: number): boolean =>
  timeMillis >= window.start && timeMillis < window.end

/** `logs/fetch` options besides the time range. */
export interface FetchLogsOptions {
  /**
   * `get_all_logs`: the specification's default is true. ThoughtSpot documents that the primary Org's
   * administrator gets every Org's events with it; others get their current Org's.
   */
  readonly allLogs?: boolean | undefined
}
