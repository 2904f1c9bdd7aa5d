/**
 * Known answers: ThoughtSpot's documented example array, the 28 quarter starts 1992-01-01 … 1998-10-01 as local
 * midnight in America/Los_Angeles, in both wire forms. Expected instants are derived here from the calendar and
 * the US rules of the time (PST = UTC-8; PDT = UTC-7 from the first Sunday of April to the last Sunday of
 * October, so Jan/Apr 1 midnights are PST and Jul/Oct 1 midnights are PDT), not from the package.
 */
import { describe, expect, it } from "vitest"
import {
  decodeColumn,
  encodePeriod,
  makeCellRenderer,
  type Period,
  periodValue,
  resolveTimeZone,
  type TimeZone
} from "../src/index.ts"

const quarters: Array<{ readonly text: string; readonly epoch: number }> = []
for (let year = 1992; year <= 1998; year++) {
  for (const month of [1, 4, 7, 10]) {
    const utcOffsetHours = month <= 4 ? 8 : 7
    quarters.push({
      text: `${year}-${String(month).padStart(2, "0")}-01`,
      epoch: Date.UTC(year, month - 1, 1) / 1000 + utcOffsetHours * 3600
    })
  }
}

const la = resolveTimeZone("America/Los_Angeles") as TimeZone
const epochCells = quarters.map((q) => q.epoch)
const calendarCells = quarters.map((q) => ({ v: { s: q.epoch } }))

describe("documented quarter starts (America/Los_Angeles)", () => {
  it("derivation-matches-the-documented-values", () => {
    expect(quarters).toHaveLength(28)
    // The first three values printed in ThoughtSpot's documentation.
    expect(epochCells.slice(0, 3)).toEqual([694252800, 702115200, 709974000])
  })

  it("epoch-form-decodes-to-the-quarter-starts", () => {
    const decoded = decodeColumn(epochCells, "DATE")
    expect(decoded._tag).toBe("Decoded")
    if (decoded._tag !== "Decoded") return
    expect(decoded.value).toEqual(quarters.map((q) => ({ start: q.epoch, form: "epoch" })))
    expect(decoded.passedThrough).toBe(0)
  })

  it("custom-calendar-form-decodes-to-the-same-periods", () => {
    const epoch = decodeColumn(epochCells, "DATE")
    const calendar = decodeColumn(calendarCells, "DATE")
    if (epoch._tag !== "Decoded" || calendar._tag !== "Decoded") throw new Error("decode failed")
    expect((calendar.value as Array<Period>).map(periodValue)).toEqual((epoch.value as Array<Period>).map(periodValue))
    expect((calendar.value as Array<Period>).every((p) => p.form === "calendar")).toBe(true)
  })

  it("both-forms-render-as-local-quarter-dates", () => {
    const render = makeCellRenderer("DATE", { timeZone: la })
    expect(epochCells.map((c) => render(c))).toEqual(quarters.map((q) => q.text))
    expect(calendarCells.map((c) => render(c))).toEqual(quarters.map((q) => q.text))
  })

  it("dst-shifted-quarters-render-local-midnight-with-offset", () => {
    const render = makeCellRenderer("DATE_TIME", { timeZone: la, offset: "zone" })
    expect(render(694252800)).toBe("1992-01-01T00:00:00-08:00")
    expect(render({ v: { s: 709974000 } })).toBe("1992-07-01T00:00:00-07:00")
    expect(makeCellRenderer("DATE_TIME")(709974000)).toBe("1992-07-01T07:00:00Z")
  })

  it("both-forms-encode-back-to-what-came-in", () => {
    for (const cells of [epochCells, calendarCells]) {
      const decoded = decodeColumn(cells, "DATE")
      if (decoded._tag !== "Decoded") throw new Error("decode failed")
      expect((decoded.value as Array<Period>).map(encodePeriod)).toEqual(cells)
    }
  })
})
