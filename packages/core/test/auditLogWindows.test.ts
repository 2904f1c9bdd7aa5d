/**
 * The audit log's time windows (`AuditLog.windows`, `requestRange`, `inWindow`): a range is cut into back-to-back
 * windows of at most 24 hours, each request asks for 24 hours at most, and every event of the range is kept by
 * exactly one window whatever the server does at the edges of a request (inclusive or exclusive start and end,
 * compared in milliseconds or in microseconds).
 */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import * as AuditLog from "../src/AuditLog.ts"

const DAY = 24 * 60 * 60 * 1000

describe("AuditLog.windows", () => {
  it("a range of exactly one request-length is two windows (a request asks from start - 1)", () => {
    expect(AuditLog.windows(0, DAY)).toEqual([
      { start: 0, end: DAY - 1 },
      { start: DAY - 1, end: DAY }
    ])
  })

  it("an empty range has no window; a reversed or fractional one is refused", () => {
    expect(AuditLog.windows(5, 5)).toEqual([])
    expect(() => AuditLog.windows(6, 5)).toThrow(RangeError)
    expect(() => AuditLog.windows(0.5, 5)).toThrow(RangeError)
    expect(() => AuditLog.windows(0, 5, 0)).toThrow(RangeError)
  })

  it("windows cover [since, until) back to back, each at most 24 h, and each request spans at most 24 h", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 0, max: 10 * DAY }),
        fc.option(fc.integer({ min: 1, max: 3 * DAY }), { nil: undefined }),
        (since, rawLength, max) => {
          // At most a few hundred windows, whatever the window size drawn.
          const length = Math.min(rawLength, (max ?? DAY) * 300)
          const until = since + length
          const windows = max === undefined ? AuditLog.windows(since, until) : AuditLog.windows(since, until, max)
          const limit = max ?? AuditLog.MAX_WINDOW_MILLIS
          if (length === 0) {
            expect(windows).toEqual([])
            return
          }
          expect(windows[0]!.start).toBe(since)
          expect(windows.at(-1)!.end).toBe(until)
          windows.forEach((w, i) => {
            expect(w.end).toBeGreaterThan(w.start)
            expect(w.end - w.start).toBeLessThanOrEqual(limit)
            if (i > 0) expect(w.start).toBe(windows[i - 1]!.end) // no gap, no overlap
            if (i < windows.length - 1) expect(w.end - w.start).toBe(limit) // only the last is short
          })
          if (max === undefined) {
            for (const w of windows) {
              const r = AuditLog.requestRange(w)
              expect(r.end_epoch_time_in_millis - r.start_epoch_time_in_millis).toBeLessThanOrEqual(DAY)
            }
          }
        }
      )
    ))

  /** A server that returns the events of `[start, end]` with either end inclusive or exclusive. */
  const server =
    (startInclusive: boolean, endInclusive: boolean, micros: boolean) =>
    (events: ReadonlyArray<number>, start: number, end: number) =>
      events.filter((eventMicros) => {
        // Compared in microseconds (the event's full time) or in its milliseconds.
        const t = micros ? eventMicros / 1000 : Math.floor(eventMicros / 1000)
        return (startInclusive ? t >= start : t > start) && (endInclusive ? t <= end : t < end)
      })

  it("whatever the server's edges, each event of [since, until) is kept by exactly one window, none outside", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000, max: 2_000_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.integer({ min: -2, max: 5_002 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 60, maxLength: 60 }),
        (since, length, max, startInclusive, endInclusive, micros, offsets, fractions) => {
          const until = since + length
          // Events in microseconds, many of them exactly on window edges (max is small).
          const events = offsets.map((o, i) => (since + o) * 1000 + (micros ? fractions[i]! : 0))
          const answer = server(startInclusive, endInclusive, micros)
          const kept: Array<number> = []
          for (const w of AuditLog.windows(since, until, max)) {
            const r = AuditLog.requestRange(w)
            for (const e of answer(events, r.start_epoch_time_in_millis, r.end_epoch_time_in_millis)) {
              if (AuditLog.inWindow(w, Math.floor(e / 1000))) kept.push(e)
            }
          }
          const expected = events.filter((e) => Math.floor(e / 1000) >= since && Math.floor(e / 1000) < until)
          expect([...kept].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b))
        }
      ),
      { numRuns: 500 }
    ))
})

describe("AuditLog.epochMillisOf", () => {
  it("reads ISO instants to the millisecond, cutting finer digits off", () => {
    expect(AuditLog.epochMillisOf("2023-06-08T11:15:26.421996Z")).toBe(Date.UTC(2023, 5, 8, 11, 15, 26, 421))
    expect(AuditLog.epochMillisOf("2023-06-08T11:15:26Z")).toBe(Date.UTC(2023, 5, 8, 11, 15, 26))
    expect(AuditLog.epochMillisOf("2023-06-08T11:15:26.4Z")).toBe(Date.UTC(2023, 5, 8, 11, 15, 26, 400))
    expect(AuditLog.epochMillisOf("2023-06-08T13:15:26.999999+02:00")).toBe(Date.UTC(2023, 5, 8, 11, 15, 26, 999))
    expect(AuditLog.epochMillisOf("2023-06-08T06:15:26-05:00")).toBe(Date.UTC(2023, 5, 8, 11, 15, 26))
  })

  it("refuses what is not an instant: no zone, an impossible date, other text", () => {
    expect(AuditLog.epochMillisOf("2023-06-08T11:15:26")).toBeUndefined()
    expect(AuditLog.epochMillisOf("2023-04-31T11:15:26Z")).toBeUndefined()
    expect(AuditLog.epochMillisOf("1686222926421")).toBeUndefined()
    expect(AuditLog.epochMillisOf("")).toBeUndefined()
  })
})
