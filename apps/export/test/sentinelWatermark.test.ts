/**
 * `--since` on a column holding warehouse sentinel dates: a maximum of 9999-12-31 (DATE) or 9999-12-31 23:59:59
 * (DATE_TIME, which is in year 10000 in UTC west of Greenwich) is recorded as its wall text in the data time zone,
 * and such a text given to `--since` names that very instant again: the watermark round-trips at the range's end.
 * A maximum of 0001-01-01 is recorded as its text too.
 */
import { describe, expect, it } from "vitest"
import { literalText } from "../src/plan/Incremental.ts"
import { wallEpochOf } from "../src/plan/WallTime.ts"

// 9999-12-31 00:00 and 23:59:59 in Los Angeles (UTC-8), and 0001-01-01 00:00 there (local mean time, UTC-7:52:58).
const lastDay = 253402243200
const lastSecond = 253402329599
const firstDay = -62135596800 + 7 * 3600 + 52 * 60 + 58

describe("a watermark at a sentinel date", () => {
  for (const zone of ["America/Los_Angeles", "UTC", "Pacific/Kiritimati"]) {
    it(`is the sentinel's wall text in ${zone}, which --since reads back as the same instant`, () => {
      for (const [text, type] of [
        ["9999-12-31", "DATE"],
        ["9999-12-31 23:59:59", "DATE_TIME"],
        ["9999-12-31 00:00:00", "DATE_TIME"]
      ] as const) {
        const instant = wallEpochOf(text, type === "DATE", zone)
        expect(typeof instant, `${text} in ${zone}`).toBe("number")
        expect(literalText(instant, type, zone)).toBe(text)
      }
    })
  }

  it("in Los Angeles is the cells a cluster there sends", () => {
    expect(literalText(lastDay, "DATE", "America/Los_Angeles")).toBe("9999-12-31")
    expect(literalText({ v: { s: lastDay } }, "DATE", "America/Los_Angeles")).toBe("9999-12-31")
    expect(literalText(lastSecond, "DATE_TIME", "America/Los_Angeles")).toBe("9999-12-31 23:59:59")
    expect(literalText(firstDay, "DATE", "America/Los_Angeles")).toBe("0001-01-01")
    expect(wallEpochOf("9999-12-31 23:59:59", false, "America/Los_Angeles")).toBe(lastSecond)
  })

  it("at the range's start is year 1, never 1901 (a two-digit year is no 19xx), and year 0 is no day", () => {
    expect(wallEpochOf("0001-01-01", true, "America/Los_Angeles")).toBe(firstDay)
    expect(wallEpochOf("0001-01-01 00:00:00", false, "UTC")).toBe(-62135596800)
    expect(wallEpochOf("0099-12-31", true, "UTC")).toBe(-62135596800 + 36_158 * 86_400)
    expect(literalText(wallEpochOf("0001-01-01", true, "UTC") as number, "DATE", "UTC")).toBe("0001-01-01")
    expect(wallEpochOf("0000-06-01", true, "UTC")).toEqual({ problem: "calendar" })
  })
})
