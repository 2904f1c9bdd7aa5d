/**
 * Renderer behaviour: formats per column type, offsets (DST, LMT with seconds, 30/45-minute, half-hour DST,
 * date-line jumps), exact seconds at offset transitions, period ends, bigint cells, errors and time zones.
 */
import { describe, expect, it } from "vitest"
import {
  DateCellError,
  decodeCell,
  INVALID_CELL,
  InvalidTimeZoneError,
  MAX_CELL_BYTES,
  makeCellRenderer,
  makeCellWriter,
  makeEndRenderer,
  type RenderOptions,
  resolveTimeZone,
  type TimeZone,
  UTC
} from "../src/index.ts"
import { intlDate, intlDateTimeWithOffset, intlFields, intlTime, ZONES } from "./intlReference.ts"

const zone = (name: string): TimeZone => {
  const z = resolveTimeZone(name)
  if (z instanceof InvalidTimeZoneError) throw new Error(z.message)
  return z
}
const utcSeconds = (iso: string): number => Date.parse(iso) / 1000

/** Offset transitions found by the test itself (daily scan + bisection over Intl's wall-clock fields). */
const transitionsBetween = (name: string, fromIso: string, toIso: string): Array<number> => {
  const found: Array<number> = []
  const offset = (t: number) => intlFields(name, t).offset
  let a = utcSeconds(fromIso)
  const end = utcSeconds(toIso)
  let offsetA = offset(a)
  for (let b = a + 43200; b <= end; b += 43200) {
    const offsetB = offset(b)
    if (offsetB !== offsetA) {
      let lo = a
      let hi = b
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2)
        if (offset(mid) === offsetA) lo = mid
        else hi = mid
      }
      found.push(hi)
    }
    a = b
    offsetA = offsetB
  }
  return found
}

describe("rendering by column type", () => {
  const la = zone("America/Los_Angeles")

  it("date-time-defaults-to-utc-z", () => {
    expect(makeCellRenderer("DATE_TIME", { timeZone: la })(1625759921)).toBe("2021-07-08T15:58:41Z")
    expect(makeCellRenderer("TIMESTAMP")({ v: { s: 1625759921 } })).toBe("2021-07-08T15:58:41Z")
  })

  it("date-time-with-zone-offset", () => {
    expect(makeCellRenderer("DATE_TIME", { timeZone: la, offset: "zone" })(1625759921)).toBe(
      "2021-07-08T08:58:41-07:00"
    )
    const kathmandu = makeCellRenderer("DATE_TIME", { timeZone: zone("Asia/Kathmandu"), offset: "zone" })
    expect(kathmandu(1625759921)).toBe("2021-07-08T21:43:41+05:45")
    expect(makeCellRenderer("DATE_TIME", { offset: "zone" })(0)).toBe("1970-01-01T00:00:00Z")
  })

  it("date-time-with-zone-offset-writes-a-zero-offset-as-z-as-documented", () => {
    // The README says so: Europe/London's column holds Z in winter and +01:00 in summer (renderer and writer alike).
    const london = { timeZone: zone("Europe/London"), offset: "zone" } as const
    const out = new Uint8Array(MAX_CELL_BYTES)
    for (const [t, text] of [
      [1615439382, "2021-03-11T05:09:42Z"],
      [1625759921, "2021-07-08T16:58:41+01:00"]
    ] as const) {
      expect(makeCellRenderer("DATE_TIME", london)(t)).toBe(text)
      const end = makeCellWriter("DATE_TIME", london)(t, out, 0)
      expect(new TextDecoder().decode(out.subarray(0, end))).toBe(text)
    }
  })

  it("time-is-the-local-wall-clock-time-of-day", () => {
    expect(makeCellRenderer("TIME", { timeZone: la })(1625759921)).toBe("08:58:41")
    expect(makeCellRenderer("TIME")(1625759921)).toBe("15:58:41")
  })

  it("date-is-the-local-calendar-day", () => {
    // A DATE is the midnight that starts its day in the zone: 2021-07-07T07:00:00Z is July 7's in Los Angeles.
    expect(makeCellRenderer("DATE", { timeZone: la })(utcSeconds("2021-07-07T07:00:00Z"))).toBe("2021-07-07")
    expect(makeCellRenderer("DATE")(utcSeconds("2021-07-08T00:00:00Z"))).toBe("2021-07-08")
  })

  it("lmt-offset-with-seconds-renders-the-wall-clock-date-and-utc-date-time", () => {
    // Before 1883-11-18 12:07:02 local, Los Angeles kept local mean time, UTC-7:52:58.
    const t = utcSeconds("1800-01-01T00:00:00Z")
    expect(makeCellRenderer("TIME", { timeZone: la })(t)).toBe("16:07:02")
    // The local midnight is 7:52:58 after the UTC one, to the second.
    expect(makeCellRenderer("DATE", { timeZone: la })(t + 28378)).toBe("1800-01-01")
    expect(makeCellRenderer("DATE", { timeZone: la })(t + 28377)).toMatchObject({ reason: "NotMidnight" })
    expect(makeCellRenderer("DATE_TIME", { timeZone: la, offset: "zone" })(t)).toBe("1800-01-01T00:00:00Z")
    expect(la.offsetSeconds(t)).toBe(-(7 * 3600 + 52 * 60 + 58))
  })

  it("range-edges-render-four-digit-years", () => {
    const kiritimati = zone("Pacific/Kiritimati")
    // The first and last midnights of the range (Los Angeles keeps local mean time, -7:52:58; Kiritimati is +14).
    expect(makeCellRenderer("DATE", { timeZone: la })(-62135510400 + 28378)).toBe("0001-01-02")
    expect(makeCellRenderer("DATE")(-62135510400)).toBe("0001-01-02")
    expect(makeCellRenderer("DATE", { timeZone: kiritimati })(253402214399 - 50399)).toBe("9999-12-31")
    expect(makeCellRenderer("DATE_TIME")(253402214399)).toBe("9999-12-30T23:59:59Z")
  })

  it("bigint-cells-render-exactly-or-fail-out-of-range", () => {
    const render = makeCellRenderer("DATE_TIME")
    expect(render(1625759921n)).toBe("2021-07-08T15:58:41Z")
    expect(render({ v: { s: 1625759921n } })).toBe("2021-07-08T15:58:41Z")
    const tooBig = render(9007199254740993n, 4)
    expect(tooBig).toBeInstanceOf(DateCellError)
    expect((tooBig as DateCellError).reason).toBe("OutOfRange")
    expect((tooBig as DateCellError).value).toBe("9007199254740993n")
  })

  it("decoded-periods-render-like-their-wire-cells", () => {
    const render = makeCellRenderer("DATE", { timeZone: la })
    const cell = { v: { s: 694252800, e: 702115200 } }
    expect(render(decodeCell(cell))).toBe(render(cell))
  })

  it("instants-sharing-a-date-cache-slot-render-their-own-dates", () => {
    // The DATE renderer caches by instant in 65 536 slots hashed by t / 128: these three midnights (65 536 days
    // apart) share one slot, and so does the instant 128 · 65 536 s after the first, which is no midnight.
    const render = makeCellRenderer("DATE")
    const day = 694224000 // 1992-01-01T00:00:00Z
    const instants = [day, day + 65536 * 86400, day - 65536 * 86400]
    for (let round = 0; round < 3; round++) {
      for (const t of instants) expect(render(t)).toBe(intlDate("UTC", t))
      expect(render(day + 128 * 65536)).toMatchObject({ reason: "NotMidnight", instant: day + 128 * 65536 })
    }
    expect(instants.map(intlDate.bind(undefined, "UTC"))).toEqual(["1992-01-01", "2171-06-07", "1812-07-27"])
  })

  it("null-cells-render-null", () => {
    expect(makeCellRenderer("DATE")(null)).toBeNull()
    expect(makeEndRenderer("DATE")(null)).toBeNull()
  })

  it("bad-cells-render-a-typed-error-naming-row-and-column", () => {
    const render = makeCellRenderer("DATE", { column: "Order Date" })
    const error = render("2021-07-08", 41)
    expect(error).toBeInstanceOf(DateCellError)
    expect(error).toMatchObject({ reason: "WrongType", row: 41, column: "Order Date", value: '"2021-07-08"' })
    expect((error as DateCellError).message).toMatch(
      /^cell "2021-07-08" in row 41, column "Order Date" is not a ThoughtSpot date .*: it is a string$/
    )
  })
})

describe("period ends (companion column)", () => {
  const la = zone("America/Los_Angeles")

  it("end-renders-with-the-same-format", () => {
    const end = makeEndRenderer("DATE", { timeZone: la })
    expect(end({ v: { s: 694252800, e: 702115200 } })).toBe("1992-04-01")
    expect(end({ v: { s: 1625122800, e: 1625209200 }, d: "01-07-2021" })).toBe("2021-07-02")
    // A day of July 2021 computed in UTC: its end is no midnight in Los Angeles, never the date 2021-07-01.
    expect(end({ v: { s: 1625097600, e: 1625184000 } }, 3)).toMatchObject({
      reason: "NotMidnight",
      row: 3,
      timeZone: "America/Los_Angeles",
      instant: 1625184000
    })
  })

  it("cells-without-an-end-give-null", () => {
    const end = makeEndRenderer("DATE", { timeZone: la })
    expect(end(694252800)).toBeNull()
    expect(end({ v: { s: 694252800 } })).toBeNull()
  })

  it("invalid-cells-still-fail-in-the-end-renderer", () => {
    const end = makeEndRenderer("DATE")
    expect(end({ v: { s: 10, e: 5 } }, 2)).toMatchObject({ reason: "EndBeforeStart", row: 2 })
    expect(end(1.25)).toMatchObject({ reason: "NotWholeSeconds" })
  })
})

describe("a DATE cell that is no midnight in the zone (NotMidnight)", () => {
  const la = zone("America/Los_Angeles")
  const utcMidnight = 694224000 // 1992-01-01T00:00:00Z, 1991-12-31T16:00:00-08:00

  it("a-utc-midnight-read-in-another-zone-is-an-error-naming-the-zone-and-utc-not-the-day-before", () => {
    const render = makeCellRenderer("DATE", { timeZone: la, column: "Order Date" })
    for (const cell of [
      utcMidnight,
      { v: { s: utcMidnight } },
      BigInt(utcMidnight),
      { v: { s: utcMidnight }, d: "x" }
    ]) {
      const error = render(cell, 7)
      expect(error).toBeInstanceOf(DateCellError)
      expect(error).toMatchObject({
        reason: "NotMidnight",
        row: 7,
        column: "Order Date",
        timeZone: "America/Los_Angeles",
        instant: utcMidnight
      })
      expect((error as DateCellError).message).toContain(
        ' in row 7, column "Order Date" is 16:00:00 on 1991-12-31 in America/Los_Angeles, not a midnight: a DATE is the midnight that starts its day in the data time zone, so the cell was computed in another zone than America/Los_Angeles (its date would be off by a day) or is no DATE; it is midnight in UTC (1992-01-01), so its dates were likely computed in UTC'
      )
    }
    // Read in UTC, the same cell is the date it stands for.
    expect(makeCellRenderer("DATE")(utcMidnight)).toBe("1992-01-01")
  })

  it("an-instant-that-is-no-midnight-anywhere-says-so-without-naming-utc", () => {
    const error = makeCellRenderer("DATE", { timeZone: la })(utcMidnight + 3600)
    expect(error).toMatchObject({ reason: "NotMidnight", timeZone: "America/Los_Angeles", instant: utcMidnight + 3600 })
    expect((error as DateCellError).message).toBe(
      "cell 694227600 is 17:00:00 on 1991-12-31 in America/Los_Angeles, not a midnight: a DATE is the midnight that starts its day in the data time zone, so the cell was computed in another zone than America/Los_Angeles (its date would be off by a day) or is no DATE"
    )
    expect(makeCellRenderer("DATE")(utcMidnight + 1)).toMatchObject({ reason: "NotMidnight", timeZone: "UTC" })
  })

  it("a-period-end-that-is-no-midnight-is-an-error-naming-v-e", () => {
    const laMidnight = utcMidnight + 8 * 3600
    const end = makeEndRenderer("DATE", { timeZone: la, column: "Quarter" })
    expect(end({ v: { s: laMidnight, e: laMidnight + 86400 } })).toBe("1992-01-02")
    const error = end({ v: { s: laMidnight, e: utcMidnight + 86400 } }, 2)
    expect(error).toMatchObject({ reason: "NotMidnight", row: 2, column: "Quarter", instant: utcMidnight + 86400 })
    expect((error as DateCellError).message).toContain(
      'column "Quarter" has a period end v.e that is 16:00:00 on 1992-01-01 in America/Los_Angeles, not a midnight'
    )
  })

  it("the-writer-reports-it-as-an-invalid-cell-writing-nothing-and-caches-only-midnights", () => {
    const write = makeCellWriter("DATE", { timeZone: la })
    const render = makeCellRenderer("DATE", { timeZone: la })
    const out = new Uint8Array(32).fill(35)
    for (let round = 0; round < 2; round++) {
      expect(write(utcMidnight, out, 4)).toBe(INVALID_CELL)
      expect(write({ v: { s: utcMidnight } }, out, 4)).toBe(INVALID_CELL)
      expect(out.every((b) => b === 35)).toBe(true)
      // The midnight of the same slot renders, and the other instant stays an error after it.
      expect(render(utcMidnight + 8 * 3600)).toBe("1992-01-01")
      expect(render(utcMidnight)).toMatchObject({ reason: "NotMidnight" })
    }
  })

  it("other-types-render-any-instant", () => {
    const t = utcMidnight + 3601
    expect(makeCellRenderer("DATE_TIME", { timeZone: la })(t)).toBe("1992-01-01T01:00:01Z")
    expect(makeCellRenderer("TIMESTAMP", { timeZone: la, offset: "zone" })(t)).toBe("1991-12-31T17:00:01-08:00")
    expect(makeCellRenderer("TIME", { timeZone: la })(t)).toBe("17:00:01")
    expect(makeEndRenderer("DATE_TIME", { timeZone: la })({ v: { s: t, e: t + 1 } })).toBe("1992-01-01T01:00:02Z")
  })
})

describe("a day whose midnight the clocks skipped", () => {
  // Days that start at 01:00 because the clocks went from 23:59:59 to 01:00:00 (and one at 00:15): the first
  // instant of the day is its bucket start, as a local midnight is elsewhere. Each fixture is checked against
  // Intl below, so the table cannot claim a jump that is not there.
  const days: ReadonlyArray<readonly [zone: string, start: string, date: string, firstTime: string]> = [
    ["America/Sao_Paulo", "2018-11-04T03:00:00Z", "2018-11-04", "01:00:00"],
    ["America/Havana", "2023-03-12T05:00:00Z", "2023-03-12", "01:00:00"],
    ["America/Santiago", "2023-09-03T04:00:00Z", "2023-09-03", "01:00:00"],
    ["Asia/Beirut", "2023-03-25T22:00:00Z", "2023-03-26", "01:00:00"],
    ["Asia/Tehran", "2021-03-21T20:30:00Z", "2021-03-22", "01:00:00"],
    ["Asia/Kathmandu", "1985-12-31T18:30:00Z", "1986-01-01", "00:15:00"]
  ]

  it.each(days)("%s-%s-its-first-instant-is-its-date-in-every-renderer-and-writer", (name, iso, day, firstTime) => {
    const t = utcSeconds(iso)
    expect([intlDate(name, t - 1), intlTime(name, t - 1)]).toEqual([intlDate(name, t - 86400), "23:59:59"])
    expect([intlDate(name, t), intlTime(name, t)]).toEqual([day, firstTime])
    const timeZone = zone(name)
    const render = makeCellRenderer("DATE", { timeZone })
    const write = makeCellWriter("DATE", { timeZone })
    const out = new Uint8Array(32)
    // Twice: the second read is a hit of the DATE caches.
    for (let round = 0; round < 2; round++) {
      for (const cell of [t, { v: { s: t } }, BigInt(t)]) {
        expect(render(cell)).toBe(day)
        expect(new TextDecoder().decode(out.subarray(0, write(cell, out, 0)))).toBe(day)
      }
      // A period that ends there (the day before) has that date as its end.
      expect(makeEndRenderer("DATE", { timeZone })({ v: { s: t - 86400, e: t } })).toBe(day)
      // The instants around it start no day.
      for (const other of [t - 1, t + 1, t + 3600]) {
        expect(render(other)).toMatchObject({ reason: "NotMidnight", instant: other })
        expect(write(other, out, 0)).toBe(INVALID_CELL)
      }
    }
  })
})

describe("the first instant of every day around an offset change, per Intl", () => {
  // Whatever the clocks did (a jump past midnight, 00:00 to 00:15 or 01:00, a day skipped), the instant a local
  // day begins, found by bisecting Intl's local date, is that day's DATE, and the seconds on either side are none.
  /** The first instant of the local day after the one that holds `t`, bisected on Intl's dates. */
  const nextDayStart = (name: string, t: number): number => {
    const today = intlDate(name, t)
    let lo = t
    let hi = t + 2 * 86400
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (intlDate(name, mid) === today) lo = mid
      else hi = mid
    }
    return hi
  }

  for (const name of ZONES) {
    it(`${name}-2010-2024`, () => {
      const timeZone = zone(name)
      const render = makeCellRenderer("DATE", { timeZone })
      const write = makeCellWriter("DATE", { timeZone })
      const out = new Uint8Array(MAX_CELL_BYTES)
      for (const transition of transitionsBetween(name, "2010-01-01T00:00:00Z", "2025-01-01T00:00:00Z")) {
        let start = nextDayStart(name, transition - 2 * 86400)
        for (let day = 0; day < 3; day++, start = nextDayStart(name, start)) {
          const text = intlDate(name, start)
          expect(render(start)).toBe(text)
          expect(new TextDecoder().decode(out.subarray(0, write(start, out, 0)))).toBe(text)
          for (const other of [start - 1, start + 1]) expect(render(other)).toMatchObject({ reason: "NotMidnight" })
        }
      }
    })
  }
})

describe("exact at offset transitions", () => {
  const cases: Array<readonly [string, string, string]> = [
    ["America/Los_Angeles", "1883-06-01T00:00:00Z", "1884-01-01T00:00:00Z"], // LMT -7:52:58 -> PST
    ["America/Los_Angeles", "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z"],
    ["Australia/Lord_Howe", "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z"], // +10:30 <-> +11 (half-hour DST)
    ["Asia/Kathmandu", "1985-06-01T00:00:00Z", "1986-06-01T00:00:00Z"], // +5:30 -> +5:45
    ["Pacific/Apia", "2011-06-01T00:00:00Z", "2012-06-01T00:00:00Z"], // skipped 2011-12-30
    ["Pacific/Chatham", "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z"], // +12:45 <-> +13:45
    ["Africa/Casablanca", "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"], // Ramadan changes
    ["Europe/Dublin", "1968-01-01T00:00:00Z", "1972-01-01T00:00:00Z"],
    ["Europe/Moscow", "1919-01-01T00:00:00Z", "1922-01-01T00:00:00Z"], // double summer time, odd offsets
    ["America/Juneau", "1867-01-01T00:00:00Z", "1868-01-01T00:00:00Z"], // date line: +15:02:19 -> -8:57:41
    ["Antarctica/Troll", "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"], // +00 <-> +02
    // The closest changes in the tz database (7 days apart), which a coarser sampling step would miss.
    ["America/Noronha", "2000-09-01T00:00:00Z", "2000-11-01T00:00:00Z"],
    ["Asia/Gaza", "2040-09-01T00:00:00Z", "2040-12-01T00:00:00Z"]
  ]

  for (const [name, from, to] of cases) {
    it(`${name}-${from.slice(0, 4)}-each-second-around-each-change`, () => {
      const transitions = transitionsBetween(name, from, to)
      expect(transitions.length).toBeGreaterThan(0)
      const timeZone = zone(name)
      const date = makeCellRenderer("DATE", { timeZone })
      const time = makeCellRenderer("TIME", { timeZone })
      const dateTime = makeCellRenderer("DATE_TIME", { timeZone, offset: "zone" })
      /**
       * A DATE is its day only where the day starts, per Intl: at the local midnight, or, where the clocks jumped
       * past midnight (Kathmandu's 00:00 to 00:15, Noronha's 00:00 to 01:00), at the first instant whose local date
       * is later than the second before's. Any other instant is a NotMidnight error.
       */
      const expectDate = (t: number) => {
        if (intlTime(name, t) === "00:00:00" || intlDate(name, t - 1) < intlDate(name, t)) {
          expect(date(t)).toBe(intlDate(name, t))
        } else {
          expect(date(t)).toMatchObject({ reason: "NotMidnight", instant: t })
        }
      }
      for (const transition of transitions) {
        for (let t = transition - 2; t <= transition + 2; t++) {
          expect(timeZone.offsetSeconds(t)).toBe(intlFields(name, t).offset)
          expectDate(t)
          expect(time(t)).toBe(intlTime(name, t))
          expect(dateTime(t)).toBe(intlDateTimeWithOffset(name, t))
        }
        // The midnights of the days around the change, found with the offset before and after it.
        for (const offset of [intlFields(name, transition - 1).offset, intlFields(name, transition).offset]) {
          for (const days of [-1, 0, 1]) {
            const midnight = (Math.floor((transition + offset) / 86400) + days) * 86400 - offset
            for (const t of [midnight - 1, midnight, midnight + 1]) expectDate(t)
          }
        }
      }
    })
  }
})

describe("time zones", () => {
  it("unknown-zone-is-a-typed-error-with-advice", () => {
    const result = resolveTimeZone("Mars/Olympus_Mons")
    expect(result).toBeInstanceOf(InvalidTimeZoneError)
    expect((result as InvalidTimeZoneError).message).toContain("IANA name")
  })

  it("an-offset-written-another-way-is-refused-with-the-offset-as-it-is-written", () => {
    const cases = [
      ["UTC+5:30", "+05:30", "UTC+5:30"],
      ["utc-8", "-08:00", "UTC-8"],
      ["+5", "+05:00", "UTC+5"],
      ["-8", "-08:00", "UTC-8"]
    ] as const
    for (const [name, offset, utc] of cases) {
      expect(resolveTimeZone(name)).toEqual(
        new InvalidTimeZoneError({
          timeZone: name,
          message: `${JSON.stringify(name)} is no time zone this runtime knows: a fixed UTC offset is written ±HH:MM, here ${offset} (${utc} all year); for a zone with daylight saving, use its IANA name (e.g. America/Los_Angeles).`
        })
      )
      // The offset so written is a zone.
      expect(zone(offset).offsetSeconds(0)).toBe(
        (offset.startsWith("-") ? -1 : 1) * (Number(offset.slice(1, 3)) * 3600 + Number(offset.slice(4)) * 60)
      )
    }
    // GMT+5 means UTC+5 to most, but the tz database's Etc/GMT+5 is UTC-5: the message says both.
    expect((resolveTimeZone("GMT+5") as InvalidTimeZoneError).message).toBe(
      '"GMT+5" is no time zone this runtime knows: a fixed UTC offset is written ±HH:MM, here +05:00 (UTC+5 all year; not Etc/GMT+5, which the tz database makes UTC-5 (it inverts the sign)); for a zone with daylight saving, use its IANA name (e.g. America/Los_Angeles).'
    )
    expect(zone("Etc/GMT+5").offsetSeconds(0)).toBe(-5 * 3600)
    // No offset: the general advice.
    expect((resolveTimeZone("UTC+25") as InvalidTimeZoneError).message).toContain("use an IANA name")
  })

  it("a-name-that-is-not-a-string-is-an-InvalidTimeZoneError-not-the-hosts-zone", () => {
    // Intl takes an undefined zone for the host's own, and ["UTC"] for "UTC": a missing setting would go unseen.
    const resolve = resolveTimeZone as (name: unknown) => TimeZone | InvalidTimeZoneError
    for (const [name, shown] of [
      [undefined, "undefined"],
      [null, "null"],
      [["UTC"], '["UTC"]'],
      [5, "5"]
    ] as const) {
      const result = resolve(name)
      expect(result).toBeInstanceOf(InvalidTimeZoneError)
      expect(result).toMatchObject({
        timeZone: shown,
        message: `The time zone name is ${shown}, not a string: use an IANA name such as "UTC" or "America/Los_Angeles" (this runtime's Intl.supportedValuesOf("timeZone") lists them).`
      })
    }
  })

  it("an-abbreviation-intl-reads-as-a-zone-is-refused-with-the-likely-zone-and-the-fixed-offset", () => {
    const intlReads = (name: string) => new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone
    // ICU takes these for zones: PST with daylight saving, BST as Dhaka, AST as Anchorage, NST as Auckland.
    for (const [name, intl] of [
      ["PST", "America/Los_Angeles"],
      ["pst", "America/Los_Angeles"],
      ["BST", "Asia/Dhaka"],
      ["AST", "America/Anchorage"],
      ["NST", "Pacific/Auckland"]
    ] as const) {
      expect(intlReads(name)).toBe(intl)
      expect(resolveTimeZone(name), name).toBeInstanceOf(InvalidTimeZoneError)
    }
    expect((resolveTimeZone("PST") as InvalidTimeZoneError).message).toBe(
      '"PST" is an abbreviation, not a time zone: use America/Los_Angeles (Pacific time, with daylight saving) or -08:00 (UTC-8 all year).'
    )
    expect((resolveTimeZone("BST") as InvalidTimeZoneError).message).toBe(
      '"BST" is an abbreviation, not a time zone: use Europe/London (UK time, with daylight saving) or +01:00 (UTC+1 all year); Bangladesh Standard Time is Asia/Dhaka.'
    )
    expect((resolveTimeZone("IST") as InvalidTimeZoneError).message).toContain(
      "use Asia/Kolkata (India time) or +05:30"
    )
    // One Intl knows only as an old Java ID: named as Intl reads it, still refused.
    expect(intlReads("ACT")).toBe("Australia/Darwin")
    expect((resolveTimeZone("ACT") as InvalidTimeZoneError).message).toContain(
      "this runtime reads it as Australia/Darwin"
    )
    // One Intl refuses gets the same advice rather than "unknown".
    expect((resolveTimeZone("AEST") as InvalidTimeZoneError).message).toContain("use Australia/Sydney")
  })

  it("the-tz-databases-own-names-without-a-slash-links-and-offsets-still-resolve", () => {
    for (const name of ["UTC", "utc", "GMT", "Zulu", "EST", "MST", "HST", "CET", "EST5EDT", "NZ-CHAT", "W-SU", "GB"]) {
      expect(resolveTimeZone(name), name).not.toBeInstanceOf(InvalidTimeZoneError)
    }
    expect(zone("EST").offsetSeconds(utcSeconds("2021-07-08T00:00:00Z"))).toBe(-5 * 3600)
    expect(zone("US/Pacific").offsetSeconds(utcSeconds("2021-07-08T00:00:00Z"))).toBe(-7 * 3600)
    for (const [name, offset] of [
      ["-08:00", -8 * 3600],
      ["+0530", 5.5 * 3600],
      ["+05", 5 * 3600]
    ] as const) {
      expect(zone(name).offsetSeconds(utcSeconds("2021-07-08T00:00:00Z")), name).toBe(offset)
      expect(zone(name).offsetSeconds(utcSeconds("2021-01-08T00:00:00Z")), name).toBe(offset)
    }
  })

  it("aliases-share-one-offset-table-and-keep-the-name-given", () => {
    const alias = resolveTimeZone("US/Pacific") as TimeZone
    const canonical = resolveTimeZone("America/Los_Angeles") as TimeZone
    expect(alias.offsetSeconds).toBe(canonical.offsetSeconds)
    expect([alias.name, canonical.name]).toEqual(["US/Pacific", "America/Los_Angeles"])
    expect(resolveTimeZone("US/Pacific")).toBe(alias)
  })

  it("a-date-error-names-the-zone-as-given-not-as-intl-canonicalises-it", () => {
    // Intl's canonical name of Asia/Kolkata is Asia/Calcutta; a user who wrote Asia/Kolkata must read Asia/Kolkata.
    const timeZone = resolveTimeZone("Asia/Kolkata") as TimeZone
    const error = makeCellRenderer("DATE", { timeZone })(0)
    expect(error).toMatchObject({ reason: "NotMidnight", timeZone: "Asia/Kolkata" })
    expect((error as DateCellError).message).toContain("in Asia/Kolkata, not a midnight")
    expect((error as DateCellError).message).not.toContain("Calcutta")
  })

  it("utc-by-name-is-the-predefined-UTC-zone", () => {
    expect(resolveTimeZone("UTC")).toBe(UTC)
    for (const name of ["Etc/UTC", "utc"]) {
      expect(resolveTimeZone(name)).toMatchObject({ name, offsetSeconds: UTC.offsetSeconds })
    }
  })

  it("a-custom-fixed-offset-zone-object-works", () => {
    const plusFive: TimeZone = { name: "+05:00", offsetSeconds: () => 5 * 3600 }
    expect(makeCellRenderer("DATE_TIME", { timeZone: plusFive, offset: "zone" })(0)).toBe("1970-01-01T05:00:00+05:00")
  })

  it("a-zone-whose-offsetSeconds-method-reads-this-renders-and-writes-every-type", () => {
    // A class instance and an object-literal method: both read the offset through `this`.
    class FixedOffset {
      readonly name: string
      readonly seconds: number
      constructor(seconds: number) {
        this.name = `fixed ${seconds}`
        this.seconds = seconds
      }
      offsetSeconds(_epochSeconds: number): number {
        return this.seconds
      }
    }
    const literal = {
      name: "-07:00",
      seconds: -7 * 3600,
      offsetSeconds(_t: number) {
        return this.seconds
      }
    }
    const cell = { v: { s: 1625727600, e: 1625727600 + 86400 } } // 2021-07-08T07:00:00Z, midnight at -07:00
    const expected = {
      DATE: ["2021-07-08", "2021-07-09"],
      TIME: ["00:00:00", "00:00:00"],
      DATE_TIME: ["2021-07-08T00:00:00-07:00", "2021-07-09T00:00:00-07:00"],
      TIMESTAMP: ["2021-07-08T00:00:00-07:00", "2021-07-09T00:00:00-07:00"]
    } as const
    const out = new Uint8Array(32)
    for (const timeZone of [new FixedOffset(-7 * 3600), literal] as ReadonlyArray<TimeZone>) {
      for (const [type, [start, end]] of Object.entries(expected) as Array<
        [keyof typeof expected, readonly [string, string]]
      >) {
        const options: RenderOptions = { timeZone, offset: "zone" }
        expect(makeCellRenderer(type, options)(cell)).toBe(start)
        expect(makeEndRenderer(type, options)(cell)).toBe(end)
        const at = makeCellWriter(type, options)(cell.v.s, out, 0)
        expect(new TextDecoder().decode(out.subarray(0, at))).toBe(start)
      }
    }
  })
})

describe("a caller's zone giving an offset no zone has", () => {
  // Milliseconds, a fraction, NaN, a string, more than a day: the text would be shifted by days or read "undefined".
  const wrong: ReadonlyArray<unknown> = [3_600_000, 3600.5, Number.NaN, undefined, "3600", 86_400, -86_400]
  const types = ["DATE", "TIME", "DATE_TIME", "TIMESTAMP"] as const

  it("renderers-and-writers-throw-a-TypeError-naming-the-zone-and-the-offset", () => {
    const cell = { v: { s: 1625759921, e: 1625759921 + 86400 } }
    const out = new Uint8Array(32)
    for (const offset of wrong) {
      const timeZone = { name: "Office", offsetSeconds: () => offset as number }
      const expected = /offsetSeconds\(1625759921\) of the zone "Office" gave .*: an offset is whole seconds/
      for (const type of types) {
        const options: RenderOptions = { timeZone, offset: "zone" }
        expect(() => makeCellRenderer(type, options)(cell)).toThrow(TypeError)
        expect(() => makeCellRenderer(type, options)(cell)).toThrow(expected)
        expect(() => makeCellWriter(type, options)(cell, out, 0)).toThrow(expected)
        expect(() => makeEndRenderer(type, options)(cell)).toThrow(/offsetSeconds\(1625846321\)/)
      }
    }
  })

  it("offsets-within-a-day-either-side-are-accepted", () => {
    for (const offset of [86_399, -86_399, 0, -0]) {
      const timeZone = { name: "Edge", offsetSeconds: () => offset }
      const at = makeCellWriter("TIME", { timeZone })(0, new Uint8Array(32), 0)
      expect(at).toBe(8)
      expect(makeCellRenderer("DATE", { timeZone })(-offset)).toBe("1970-01-01")
    }
  })
})

describe("arguments TypeScript would refuse (plain JavaScript callers)", () => {
  const makers = { makeCellRenderer, makeEndRenderer, makeCellWriter } as const
  /** Calls a maker the way untyped JavaScript can. */
  const make = (maker: keyof typeof makers, type: unknown, options?: unknown) => () =>
    (makers[maker] as (type: unknown, options?: unknown) => unknown)(type, options)
  const unknownZone = resolveTimeZone("Mars/Olympus_Mons")

  for (const maker of Object.keys(makers) as Array<keyof typeof makers>) {
    it(`${maker}-refuses-a-zone-name-when-made-saying-to-resolve-it`, () => {
      for (const type of ["DATE", "DATE_TIME", "TIME"]) {
        for (const offset of [undefined, "zone"]) {
          expect(make(maker, type, { timeZone: "America/Los_Angeles", offset })).toThrow(
            new TypeError(
              `${maker}: options.timeZone is the name "America/Los_Angeles", not a TimeZone: pass resolveTimeZone("America/Los_Angeles") after testing that it is not an InvalidTimeZoneError`
            )
          )
        }
      }
    })

    it(`${maker}-refuses-an-unchecked-InvalidTimeZoneError-when-made`, () => {
      for (const type of ["DATE", "DATE_TIME", "TIME"]) {
        expect(make(maker, type, { timeZone: unknownZone, offset: "zone" })).toThrow(
          new TypeError(
            `${maker}: options.timeZone is an InvalidTimeZoneError, not a TimeZone: test resolveTimeZone's result with instanceof InvalidTimeZoneError before making a renderer. ${(unknownZone as InvalidTimeZoneError).message}`
          )
        )
      }
    })

    it(`${maker}-refuses-an-unknown-type-offset-style-or-options-when-made`, () => {
      const cases: ReadonlyArray<readonly [unknown, unknown, string]> = [
        ["date", {}, 'type must be "DATE", "DATE_TIME", "TIMESTAMP" or "TIME", not "date"'],
        ["VARCHAR", undefined, 'type must be "DATE", "DATE_TIME", "TIMESTAMP" or "TIME", not "VARCHAR"'],
        ["DATE_TIME", null, "options must be an object ({ timeZone?, offset?, column? }), not null"],
        ["DATE_TIME", { offset: "local" }, 'options.offset must be "utc" or "zone", not "local"'],
        ["DATE", { column: 3 }, "options.column must be the column name (a string), not 3"],
        [
          "DATE",
          { timeZone: { name: "UTC" } },
          'options.timeZone must be a TimeZone from resolveTimeZone(name) (an object with an offsetSeconds function), not {"name":"UTC"}'
        ]
      ]
      for (const [type, options, mistake] of cases) {
        expect(make(maker, type, options)).toThrow(new TypeError(`${maker}: ${mistake}`))
      }
    })
  }

  it("an-option-spelt-in-another-case-or-by-another-name-is-refused-when-made-instead-of-ignored", () => {
    // `timezone` as in job files and the CLI's --timezone: ignored, it would leave the data zone at UTC.
    const la = zone("America/Los_Angeles")
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string, string]> = [
      [{ timezone: la }, "timezone", "timeZone"],
      [{ TimeZone: la, column: "Order Date" }, "TimeZone", "timeZone"],
      [{ timeZone: la, Offset: "zone" }, "Offset", "offset"],
      [{ COLUMN: "Order Date" }, "COLUMN", "column"],
      // ThoughtSpot's `GET system` spells it time_zone; tz and zone are its other usual names.
      [{ time_zone: la }, "time_zone", "timeZone"],
      [{ tz: la }, "tz", "timeZone"],
      [{ Zone: la, offset: "zone" }, "Zone", "timeZone"]
    ]
    for (const maker of Object.keys(makers) as Array<keyof typeof makers>) {
      for (const [options, key, option] of cases) {
        expect(make(maker, "DATE", options)).toThrow(
          new TypeError(`${maker}: options has the key "${key}", which is no option: the option is spelt ${option}`)
        )
      }
      // Other keys are a caller's own (TypeScript lets an object with more properties through).
      expect(make(maker, "DATE", { timeZone: la, format: "csv" })).not.toThrow()
    }
  })

  it("every-argument-typescript-accepts-is-accepted", () => {
    const zones: ReadonlyArray<TimeZone | undefined> = [
      undefined,
      zone("America/Los_Angeles"),
      { name: "+01:00", offsetSeconds: () => 3600 }
    ]
    for (const type of ["DATE", "DATE_TIME", "TIMESTAMP", "TIME"] as const) {
      for (const timeZone of zones) {
        for (const offset of [undefined, "utc", "zone"] as const) {
          const options: RenderOptions = {
            ...(timeZone === undefined ? {} : { timeZone }),
            ...(offset === undefined ? {} : { offset }),
            column: "Order Date"
          }
          // A local midnight in each zone (DATE cells are no other instants).
          const t = -(timeZone?.offsetSeconds(0) ?? 0)
          expect(typeof makeCellRenderer(type, options)(t)).toBe("string")
          expect(makeEndRenderer(type, options)({ v: { s: t, e: t + 86400 } })).toBeTypeOf("string")
          expect(makeCellWriter(type, options)(t, new Uint8Array(32), 0)).toBeGreaterThan(0)
        }
      }
    }
  })
})

describe("zone offsets outside the supported range", () => {
  it("offset-seconds-is-nan-instead-of-throwing", () => {
    const la = zone("America/Los_Angeles")
    for (const t of [Number.NaN, Number.POSITIVE_INFINITY, -1e13, 1e13]) expect(la.offsetSeconds(t)).toBeNaN()
    expect(la.offsetSeconds(0)).toBe(-8 * 3600)
  })
})
