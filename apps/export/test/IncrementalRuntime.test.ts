/**
 * The runtime filter value of an answer's or liveboard's `--since` (Incremental.ts `filterValueOf`, `wallInstant`):
 * a DATE or DATE_TIME as epoch seconds of its wall time in the data time zone — a repeated wall time at its first
 * occurrence, a skipped one at the end of the gap, local mean time before 1883 to the second — a number as its
 * digits, and what is neither refused with what to give; a double's maximum written back as plain digits.
 */
import { describe, expect, it } from "@effect/vitest"
import { resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import { filterValueOf, literalText, wallInstant } from "../src/plan/Incremental.ts"

const zone = (name: string): TimeZone => {
  const z = resolveTimeZone(name)
  if (z instanceof Error) throw z
  return z
}
const wall = (text: string) => Date.parse(`${text}Z`) / 1000
const la = "America/Los_Angeles"

describe("filterValueOf", () => {
  it("sends a DATE as its local midnight and a DATE_TIME as its wall time, in epoch seconds", () => {
    expect(filterValueOf("2025-06-01", "DATE", la)).toBe(String(Date.parse("2025-06-01T00:00:00-07:00") / 1000))
    expect(filterValueOf("2025-06-01 13:30:05", "DATE_TIME", la)).toBe(
      String(Date.parse("2025-06-01T13:30:05-07:00") / 1000)
    )
    expect(filterValueOf("2025-01-15", "DATE_TIME", "UTC")).toBe(String(Date.parse("2025-01-15T00:00:00Z") / 1000))
  })

  it("reads back the watermark literalText writes, at or before the maximum", () => {
    // The maximum at the first 01:47 of the fall-back night: written an hour earlier (see unambiguousWatermark).
    const max = Date.parse("2025-11-02T01:47:00-07:00") / 1000
    const text = literalText(max, "DATE_TIME", la)
    expect(text).toBe("2025-11-02 00:47:00")
    expect(Number(filterValueOf(text as string, "DATE_TIME", la))).toBeLessThanOrEqual(max)
    // Before 1883: local mean time, an offset with seconds, read back to the second.
    const old = Date.parse("1850-03-01T12:00:00Z") / 1000
    expect(filterValueOf(literalText(old, "DATE_TIME", la) as string, "DATE_TIME", la)).toBe(String(old))
  })

  it("keeps numbers as their digits and refuses what is not of the column's type", () => {
    expect(filterValueOf("9007199254740993", "INT64", la)).toBe("9007199254740993")
    expect(filterValueOf("West", "VARCHAR", la)).toBe("West")
    expect(filterValueOf("many", "INT64", la)).toEqual({ refused: expect.stringContaining("is not a number") })
    expect(filterValueOf("2025-06-01 10:00:00", "DATE", la)).toEqual({
      refused: expect.stringContaining("give 2025-06-01")
    })
    expect(filterValueOf("2025-02-30", "DATE", la)).toEqual({ refused: expect.stringContaining("is no date") })
    expect(filterValueOf("2025-06-01T10:00:00Z", "DATE_TIME", la)).toEqual({
      refused: expect.stringContaining("2025-06-01 13:30:00")
    })
  })
})

describe("literalText of a number", () => {
  it("writes a double's maximum as plain digits that --since last takes back, never in exponent form", () => {
    for (const [max, text] of [
      [1.5e-7, "0.00000015"],
      [-2.5e-10, "-0.00000000025"],
      [1.25e-5, "0.0000125"],
      [12345.67, "12345.67"],
      [0, "0"]
    ] as const) {
      expect(literalText(max, "DOUBLE", "UTC")).toBe(text)
      // The next run's filter value is the same number.
      expect(filterValueOf(text, "DOUBLE", "UTC")).toBe(text)
      expect(Number(text)).toBe(max)
    }
  })
})

describe("wallInstant", () => {
  it("takes a repeated wall time's first occurrence and a skipped one's end of gap", () => {
    const z = zone(la)
    expect(wallInstant(wall("2025-11-02T01:30:00"), z)).toBe(Date.parse("2025-11-02T01:30:00-07:00") / 1000)
    // 02:30 on the spring-forward night does not exist: the rows at or after it are those from 03:00 PDT.
    expect(wallInstant(wall("2025-03-09T02:30:00"), z)).toBe(Date.parse("2025-03-09T03:00:00-07:00") / 1000)
    expect(wallInstant(wall("2025-07-04T12:00:00"), z)).toBe(Date.parse("2025-07-04T12:00:00-07:00") / 1000)
  })
})
