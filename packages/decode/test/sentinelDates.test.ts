/**
 * Warehouse sentinel dates: slowly-changing-dimension tables mark open-ended rows with 9999-12-31 (and
 * 0001-01-01), which ThoughtSpot sends as the instant of that local day in the cluster's zone. Every instant whose
 * local date and time in the zone it is rendered in lies in years 0001–9999 renders, exactly as `Intl` reads it;
 * one second further (a local year 0000 or 10000) is an `OutOfRange` error saying so. Checked at the exact edges
 * in UTC, Los Angeles, Kiritimati (+14), Pago Pago (−11, and +12:37:12 local mean time in year 1) and zones whose
 * local mean time reaches ±15 h, for every column type, offset style, renderer and byte writer.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  DateCellError,
  type DateColumnType,
  decodeCell,
  INVALID_CELL,
  InvalidTimeZoneError,
  MAX_CELL_BYTES,
  MAX_EPOCH_SECONDS,
  MIN_EPOCH_SECONDS,
  makeCellRenderer,
  makeCellWriter,
  makeEndRenderer,
  resolveTimeZone,
  type TimeZone
} from "../src/index.ts"
import { intlFields } from "./intlReference.ts"

const zone = (name: string): TimeZone => {
  const z = resolveTimeZone(name)
  if (z instanceof InvalidTimeZoneError) throw new Error(z.message)
  return z
}

/** UTC, the sentinels' usual zones, the extreme offsets, and local mean times of up to ±15:56 (Manila, Sitka). */
const EDGE_ZONES = [
  "UTC",
  "America/Los_Angeles",
  "Pacific/Kiritimati",
  "Pacific/Pago_Pago",
  "Asia/Manila",
  "America/Sitka",
  "Asia/Kolkata",
  "Europe/Berlin",
  "America/New_York"
] as const

/** Epoch seconds of a wall time read as UTC (any year, 0 and 10000 included). */
const wallSeconds = (year: number, month: number, day: number, h = 0, m = 0, s = 0): number => {
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(h, m, s, 0)
  return d.getTime() / 1000
}

/** The instant of a local wall time in `name`, per Intl (the offset at a guess, then at the instant it gives). */
const localInstant = (name: string, wall: number): number => {
  const first = wall - intlFields(name, wall).offset
  return wall - intlFields(name, first).offset
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0")
const inYears = (year: number) => year >= 1 && year <= 9999
const fieldsText = (f: ReturnType<typeof intlFields>) =>
  `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`
const offsetText = (offset: number) =>
  offset === 0
    ? "Z"
    : `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 3600))}:${pad(Math.floor(Math.abs(offset) / 60) % 60)}`

type Style = "utc" | "zone"

/**
 * What a renderer must give for instant `t` in `name`, worked out from Intl alone: the text, or the reason of the
 * error. A DATE, a TIME and a DATE_TIME with its zone's offset need the local date in years 0001–9999; a DATE_TIME
 * is written in UTC (`utc`, or `zone` when the offset has seconds) when its UTC year is in 0001–9999, else with its
 * zone's whole-minute offset (`utc` only, its local year in range), else refused.
 */
const reference = (type: DateColumnType, style: Style, name: string, t: number): string => {
  const local = intlFields(name, t)
  const utc = intlFields("UTC", t)
  const utcText = inYears(utc.year) ? `${fieldsText(utc)}Z` : "OutOfRange"
  const zoneText =
    inYears(local.year) && local.offset % 60 === 0 ? `${fieldsText(local)}${offsetText(local.offset)}` : undefined
  switch (type) {
    case "DATE":
      if (!inYears(local.year)) return "OutOfRange"
      // At the edges every zone keeps one offset (local mean time or its last rule): a day starts at its midnight.
      return local.hour === 0 && local.minute === 0 && local.second === 0
        ? fieldsText(local).slice(0, 10)
        : "NotMidnight"
    case "TIME":
      return inYears(local.year) ? fieldsText(local).slice(11) : "OutOfRange"
    default:
      if (style === "zone") return !inYears(local.year) ? "OutOfRange" : (zoneText ?? utcText)
      return inYears(utc.year) ? utcText : (zoneText ?? "OutOfRange")
  }
}

/** The renderer's answer as text or the error's reason, checked against the byte writer's. */
const rendered = (type: DateColumnType, style: Style, z: TimeZone, cell: unknown): string => {
  const text = makeCellRenderer(type, { timeZone: z, offset: style })(cell)
  const out = new Uint8Array(MAX_CELL_BYTES)
  const end = makeCellWriter(type, { timeZone: z, offset: style })(cell, out, 0)
  if (text instanceof DateCellError) {
    expect(end).toBe(INVALID_CELL)
    return text.reason
  }
  expect(Buffer.from(out.subarray(0, end)).toString("latin1")).toBe(text)
  return String(text)
}

/** Local wall times at the edges of years 0001–9999, and one second beyond each. */
const EDGE_WALLS = [
  wallSeconds(0, 12, 31, 23, 59, 59),
  wallSeconds(1, 1, 1),
  wallSeconds(1, 1, 1, 0, 0, 1),
  wallSeconds(1, 1, 1, 23, 59, 59),
  wallSeconds(1, 1, 2),
  wallSeconds(9999, 12, 30),
  wallSeconds(9999, 12, 31),
  wallSeconds(9999, 12, 31, 20),
  wallSeconds(9999, 12, 31, 23, 59, 59),
  wallSeconds(10000, 1, 1)
]

/** 0000-12-31T00:00:00Z and 10000-01-01T23:59:59Z: a day either side of years 0001–9999 in UTC. */
const FIRST = wallSeconds(0, 12, 31)
const LAST = wallSeconds(10000, 1, 1, 23, 59, 59)

const TYPES: ReadonlyArray<DateColumnType> = ["DATE", "DATE_TIME", "TIME"]

describe("warehouse sentinel dates", () => {
  it("sentinel-days-9999-12-31-and-0001-01-01-render-as-dates-in-every-zone", () => {
    for (const name of EDGE_ZONES) {
      const z = zone(name)
      for (const [wall, day] of [
        [wallSeconds(9999, 12, 31), "9999-12-31"],
        [wallSeconds(1, 1, 1), "0001-01-01"]
      ] as const) {
        const t = localInstant(name, wall)
        expect(rendered("DATE", "utc", z, t), name).toBe(day)
        expect(rendered("DATE", "utc", z, { v: { s: t, e: t + 86400 } }), name).toBe(day)
        expect(rendered("DATE", "utc", z, BigInt(t)), name).toBe(day)
        expect(decodeCell(t)).toEqual({ start: t, form: "epoch" })
      }
    }
    // The instants of the brief: 9999-12-31 in UTC and in Los Angeles.
    expect(makeCellRenderer("DATE")(253402214400)).toBe("9999-12-31")
    expect(makeCellRenderer("DATE", { timeZone: zone("America/Los_Angeles") })(253402243200)).toBe("9999-12-31")
    expect(makeCellRenderer("DATE")(-62135596800)).toBe("0001-01-01")
  })

  it("a-date-time-at-the-end-of-9999-west-of-utc-is-written-with-its-offset-not-in-year-10000", () => {
    const la = zone("America/Los_Angeles")
    // 9999-12-31T23:59:59-08:00 is 10000-01-01T07:59:59Z: no four-digit UTC text, so the zone's offset is kept.
    for (const offset of ["utc", "zone"] as const) {
      expect(makeCellRenderer("DATE_TIME", { timeZone: la, offset })(253402329599)).toBe("9999-12-31T23:59:59-08:00")
      expect(makeEndRenderer("DATE_TIME", { timeZone: la, offset })({ v: { s: 0, e: 253402329599 } })).toBe(
        "9999-12-31T23:59:59-08:00"
      )
    }
    expect(makeCellRenderer("TIME", { timeZone: la })(253402329599)).toBe("23:59:59")
    // East of UTC the same wall time is a 9999 instant in UTC, written in UTC by default.
    const kiritimati = zone("Pacific/Kiritimati")
    expect(makeCellRenderer("DATE_TIME", { timeZone: kiritimati })(253402300799 - 14 * 3600)).toBe(
      "9999-12-31T09:59:59Z"
    )
    expect(makeCellRenderer("DATE_TIME", { timeZone: kiritimati, offset: "zone" })(253402300799 - 14 * 3600)).toBe(
      "9999-12-31T23:59:59+14:00"
    )
  })

  it("one-second-beyond-years-0001-9999-in-the-zone-is-out-of-range-saying-which-year", () => {
    const la = zone("America/Los_Angeles")
    const newYear10000 = localInstant("America/Los_Angeles", wallSeconds(10000, 1, 1))
    const error = makeCellRenderer("DATE", { timeZone: la, column: "Valid To" })(newYear10000, 3)
    expect(error).toBeInstanceOf(DateCellError)
    expect(error).toMatchObject({
      reason: "OutOfRange",
      row: 3,
      column: "Valid To",
      timeZone: "America/Los_Angeles",
      instant: newYear10000
    })
    expect((error as DateCellError).message).toBe(
      `cell ${newYear10000} in row 3, column "Valid To" is 10000-01-01T00:00:00 in America/Los_Angeles, in year 10000: a date or time is written in years 0001–9999 of the zone it is rendered in`
    )
    const before = makeCellRenderer("TIME", { timeZone: zone("Pacific/Kiritimati") })(
      localInstant("Pacific/Kiritimati", wallSeconds(0, 12, 31, 23, 59, 59))
    )
    expect(before).toMatchObject({ reason: "OutOfRange", timeZone: "Pacific/Kiritimati" })
    expect((before as DateCellError).message).toMatch(/is 0000-12-31T23:59:59 in Pacific\/Kiritimati, in year 0000:/)
    // A DATE_TIME whose offset has seconds (local mean time) and whose UTC text would be in year 0000: no text
    // writes it exactly, so it is refused rather than written with a rounded offset.
    const pagoPago = localInstant("Pacific/Pago_Pago", wallSeconds(1, 1, 1))
    const lmt = makeCellRenderer("DATE_TIME", { timeZone: zone("Pacific/Pago_Pago") })(pagoPago)
    expect(lmt).toMatchObject({ reason: "OutOfRange", instant: pagoPago })
    expect((lmt as DateCellError).message).toMatch(
      /is 0000-12-31T11:22:48Z in UTC, in year 0000, and its offset in Pacific\/Pago_Pago, \+12:37:12, has seconds, which an RFC 3339 offset cannot carry/
    )
  })

  it("renderers-and-writers-agree-with-intl-at-every-edge-second-in-every-zone", () => {
    for (const name of EDGE_ZONES) {
      const z = zone(name)
      for (const wall of EDGE_WALLS) {
        const t = localInstant(name, wall)
        for (const instant of [t - 1, t, t + 1]) {
          for (const type of TYPES) {
            for (const style of ["utc", "zone"] as const) {
              expect(rendered(type, style, z, instant), `${type} ${style} ${name} ${instant}`).toBe(
                reference(type, style, name, instant)
              )
            }
          }
        }
      }
    }
  })

  it("renderers-and-writers-agree-with-intl-within-two-days-of-either-end", () =>
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: FIRST, max: FIRST + 3 * 86400 }), fc.integer({ min: LAST - 3 * 86400, max: LAST })),
        fc.constantFrom(...EDGE_ZONES),
        fc.constantFrom(...TYPES),
        fc.constantFrom("utc" as const, "zone" as const),
        (t, name, type, style) => {
          expect(rendered(type, style, zone(name), t)).toBe(reference(type, style, name, t))
        }
      ),
      { numRuns: 3_000 }
    ))

  it("the-zone-table-answers-a-day-beyond-years-0001-9999", () => {
    // Local mean times reach -15:56:08 (Manila) and +14:58:47 (Sitka); the last rules hold in year 10000.
    for (const name of EDGE_ZONES) {
      const z = zone(name)
      for (const t of [FIRST, FIRST + 86400, LAST - 86400, LAST]) {
        expect(z.offsetSeconds(t), `${name} ${t}`).toBe(intlFields(name, t).offset)
      }
    }
  })

  it("a-zone-of-ones-own-a-second-short-of-a-day-off-utc-reaches-the-first-and-last-days", () => {
    // Offsets less than a day either side are taken from a caller's zone: the range's ends are a second inside them.
    const east = { name: "Plus 23:59:59", offsetSeconds: () => 86399 }
    const west = { name: "Minus 23:59:59", offsetSeconds: () => -86399 }
    expect(makeCellRenderer("TIME", { timeZone: east })(FIRST + 1)).toBe("00:00:00")
    // Its DATE_TIME has no text: the offset has seconds and the instant is in year 0000 in UTC.
    expect(makeCellRenderer("DATE_TIME", { timeZone: east, offset: "zone" })(FIRST + 1)).toMatchObject({
      reason: "OutOfRange"
    })
    expect(makeCellRenderer("TIME", { timeZone: east })(FIRST)).toMatchObject({ reason: "OutOfRange" })
    expect(makeCellRenderer("TIME", { timeZone: west })(LAST - 1)).toBe("23:59:59")
    expect(makeCellRenderer("TIME", { timeZone: west })(LAST)).toMatchObject({ reason: "OutOfRange" })
    expect(makeCellRenderer("DATE", { timeZone: west })(LAST)).toMatchObject({ reason: "OutOfRange" })
  })

  it("cells-beyond-a-day-either-side-of-years-0001-9999-are-out-of-range-in-every-zone", () => {
    // 0000-12-31T00:00:00Z and 10000-01-01T23:59:59Z: no zone (offsets under a day) shows a day beyond them in
    // years 0001–9999, so a cell beyond is refused by the decoders too, whatever its zone.
    expect(MIN_EPOCH_SECONDS).toBe(FIRST)
    expect(MAX_EPOCH_SECONDS).toBe(LAST)
    for (const cell of [MIN_EPOCH_SECONDS - 1, MAX_EPOCH_SECONDS + 1, BigInt(MAX_EPOCH_SECONDS) + 1n]) {
      expect(decodeCell(cell)).toMatchObject({ reason: "OutOfRange" })
      expect((decodeCell(cell) as DateCellError).message).toMatch(
        /outside the supported instants 0000-12-31T00:00:00Z … 10000-01-01T23:59:59Z/
      )
      expect(makeCellRenderer("DATE", { timeZone: zone("America/Los_Angeles") })(cell)).toMatchObject({
        reason: "OutOfRange"
      })
    }
  })
})
