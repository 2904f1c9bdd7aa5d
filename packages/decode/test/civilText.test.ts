/**
 * `formatDays` and `formatSecondOfDay` against JavaScript's own `Date#toISOString` (an independent calendar), at
 * the edges of their ranges and on random values, and their RangeErrors just past those edges.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { civilDate, formatDays, formatSecondOfDay } from "../src/index.ts"

const iso = (millis: number) => new Date(millis).toISOString()
/** Day number of 0001-01-01 (Date.UTC maps years 0–99 to 19xx, so set the year explicitly). */
const dayOf = (year: number, month: number, day: number) => {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  return date.getTime() / 86_400_000
}

describe("formatDays", () => {
  it("writes YYYY-MM-DD as Date does, over years 0001–9999", () => {
    const first = dayOf(1, 1, 1)
    const last = dayOf(9999, 12, 31)
    for (const days of [first, first + 59, 0, -1, dayOf(2000, 2, 29), dayOf(1900, 3, 1), last]) {
      expect(formatDays(days)).toBe(iso(days * 86_400_000).slice(0, 10))
    }
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), (days) => {
        expect(formatDays(days)).toBe(iso(days * 86_400_000).slice(0, 10))
      }),
      { numRuns: 2000 }
    )
  })

  it("refuses a day outside those years, or not a whole day", () => {
    expect(() => formatDays(dayOf(1, 1, 1) - 1)).toThrow(RangeError)
    expect(() => formatDays(dayOf(9999, 12, 31) + 1)).toThrow(RangeError)
    expect(() => formatDays(0.5)).toThrow(RangeError)
    expect(() => formatDays(Number.NaN)).toThrow(RangeError)
  })
})

describe("civilDate", () => {
  it("gives the date Date gives, for any year Date holds, BC (year 0 and below) included", () => {
    const check = (days: number) => {
      const date = new Date(days * 86_400_000)
      expect(civilDate(days)).toEqual({
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate()
      })
    }
    for (const days of [0, -1, dayOf(1, 1, 1), dayOf(1, 1, 1) - 1, dayOf(0, 1, 1) - 1, dayOf(10000, 1, 1)]) check(days)
    // Date holds ±100 000 000 days from 1970.
    fc.assert(fc.property(fc.integer({ min: -100_000_000, max: 100_000_000 }), check), { numRuns: 2000 })
  })

  it("is exact for every safe integer, where year·10000 + month·100 + day exceeds 2^53", () => {
    // The Gregorian calendar repeats every 400 years (146 097 days): the date of any day is Date's date of the day
    // as many whole cycles away as bring it into Date's range, with the year moved by 400 per cycle. The cycles
    // are counted in bigint, so the reference itself rounds nothing.
    const reference = (days: number) => {
      const cycles = BigInt(days) / 146_097n
      const near = Number(BigInt(days) - cycles * 146_097n)
      const date = new Date(near * 86_400_000)
      return {
        year: Number(BigInt(date.getUTCFullYear()) + cycles * 400n),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate()
      }
    }
    const edges = [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 52, -(2 ** 52), 1e15, -1e15, 330e12]
    for (const days of edges) expect(civilDate(days)).toEqual(reference(days))
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (days) => {
        expect(civilDate(days)).toEqual(reference(days))
      }),
      { numRuns: 2000 }
    )
  })

  it("refuses what is not a whole day", () => {
    for (const bad of [0.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => civilDate(bad)).toThrow(RangeError)
  })
})

describe("formatSecondOfDay", () => {
  it("writes HH:mm:ss as Date does, and refuses what is not a second of the day", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_399 }), (seconds) => {
        expect(formatSecondOfDay(seconds)).toBe(iso(seconds * 1000).slice(11, 19))
      }),
      { numRuns: 2000 }
    )
    expect(formatSecondOfDay(86_399)).toBe("23:59:59")
    for (const bad of [-1, 86_400, 1.5]) expect(() => formatSecondOfDay(bad)).toThrow(RangeError)
  })
})
