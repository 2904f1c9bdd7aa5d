/**
 * Zone.ts's wall text of an instant (what a runtime filter's epoch seconds are compared as) and its reading of
 * early years: the day and the wall time in the zone on both daylight-saving nights of Los Angeles, a year before
 * 1000 written with four digits as the sandbox's queries take it, and years 0-99 and before 1 CE read as
 * themselves (not as 1900-1999, not as the era's count).
 */
import { describe, expect, it } from "vitest"
import { makeLocalMidnight, makeWallText } from "../src/internal/Zone.ts"

const la = "America/Los_Angeles"
const seconds = (iso: string) => Date.parse(iso) / 1000

describe("makeWallText", () => {
  it("writes-the-day-and-the-wall-time-in-the-zone-across-both-dst-nights", () => {
    const wall = makeWallText(la)
    // 2025-03-09: 01:59:59 PST is followed by 03:00:00 PDT.
    expect(wall(seconds("2025-03-09T09:59:59Z"), true)).toBe("2025-03-09 01:59:59")
    expect(wall(seconds("2025-03-09T10:00:00Z"), true)).toBe("2025-03-09 03:00:00")
    // 2025-11-02: 01:30 comes twice, an hour apart.
    expect(wall(seconds("2025-11-02T08:30:00Z"), true)).toBe("2025-11-02 01:30:00")
    expect(wall(seconds("2025-11-02T09:30:00Z"), true)).toBe("2025-11-02 01:30:00")
    // The day is the zone's, not UTC's.
    expect(wall(seconds("2025-06-01T06:59:59Z"), false)).toBe("2025-05-31")
    expect(wall(seconds("2025-06-01T07:00:00Z"), false)).toBe("2025-06-01")
  })

  it("writes-a-year-before-1000-with-four-digits-and-one-past-9999-as-iso-does", () => {
    // Los Angeles' local mean time before 1883: -07:52:58.
    expect(makeWallText(la)(seconds("1000-01-01T00:00:00Z"), true)).toBe("0999-12-31 16:07:02")
    expect(makeWallText(la)(seconds("1000-01-01T00:00:00Z"), false)).toBe("0999-12-31")
    const utc = makeWallText("UTC")
    expect(utc(seconds("0005-06-01T12:00:00Z"), true)).toBe("0005-06-01 12:00:00")
    expect(utc(seconds("0000-06-01T00:00:00Z"), false)).toBe("0000-06-01")
    expect(utc(seconds("+010000-01-01T00:00:00Z"), false)).toBe("+010000-01-01")
  })
})

describe("makeLocalMidnight", () => {
  it("reads-years-0-to-99-as-themselves", () => {
    expect(makeLocalMidnight("UTC")(50, 1, 1)).toBe(seconds("0050-01-01T00:00:00Z"))
    // Berlin's local mean time then: +00:53:28.
    expect(makeLocalMidnight("Europe/Berlin")(99, 12, 31)).toBe(seconds("0099-12-31T00:00:00Z") - (53 * 60 + 28))
  })
})
