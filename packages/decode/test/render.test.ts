/**
 * Renderer behaviour: formats per column type, offsets (DST, LMT with seconds, 30/45-minute, half-hour DST,
 * date-line jumps), exact seconds at offset transitions, period ends, bigint cells, errors and time zones.
 */
import { describe, expect, it } from "vitest"
import {
  DateCellError,
  decodeCell,
  InvalidTimeZoneError,
  makeCellRenderer,
  makeCellWriter,
  makeEndRenderer,
  type RenderOptions,
  resolveTimeZone,
  type TimeZone,
  UTC
} from "../src/index.ts"
import { intlDate, intlDateTimeWithOffset, intlFields, intlTime } from "./intlReference.ts"

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

  it("time-is-the-local-wall-clock-time-of-day", () => {
    expect(makeCellRenderer("TIME", { timeZone: la })(1625759921)).toBe("08:58:41")
    expect(makeCellRenderer("TIME")(1625759921)).toBe("15:58:41")
  })

  it("date-is-the-local-calendar-day", () => {
    // 2021-07-08T03:00:00Z is still July 7 in Los Angeles.
    expect(makeCellRenderer("DATE", { timeZone: la })(utcSeconds("2021-07-08T03:00:00Z"))).toBe("2021-07-07")
    expect(makeCellRenderer("DATE")(utcSeconds("2021-07-08T03:00:00Z"))).toBe("2021-07-08")
  })

  it("lmt-offset-with-seconds-renders-the-wall-clock-date-and-utc-date-time", () => {
    // Before 1883-11-18 12:07:02 local, Los Angeles kept local mean time, UTC-7:52:58.
    const t = utcSeconds("1800-01-01T00:00:00Z")
    expect(makeCellRenderer("TIME", { timeZone: la })(t)).toBe("16:07:02")
    expect(makeCellRenderer("DATE", { timeZone: la })(t)).toBe("1799-12-31")
    expect(makeCellRenderer("DATE_TIME", { timeZone: la, offset: "zone" })(t)).toBe("1800-01-01T00:00:00Z")
    expect(la.offsetSeconds(t)).toBe(-(7 * 3600 + 52 * 60 + 58))
  })

  it("range-edges-render-four-digit-years", () => {
    const kiritimati = zone("Pacific/Kiritimati")
    expect(makeCellRenderer("DATE", { timeZone: la })(-62135510400)).toBe(intlDate("America/Los_Angeles", -62135510400))
    expect(makeCellRenderer("DATE", { timeZone: kiritimati })(253402214399)).toBe("9999-12-31")
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
    // The DATE renderer caches by instant in 65 536 slots hashed by t / 128: these three share one slot.
    const render = makeCellRenderer("DATE", { timeZone: la })
    const instants = [694252800, 694252800 + 128 * 65536, 694252800 - 128 * 65536]
    for (let round = 0; round < 3; round++) {
      for (const t of instants) expect(render(t)).toBe(intlDate("America/Los_Angeles", t))
    }
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
    expect(end({ v: { s: 1625097600, e: 1625184000 }, d: "01-07-2021" })).toBe("2021-07-01")
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
      for (const transition of transitions) {
        for (let t = transition - 2; t <= transition + 2; t++) {
          expect(timeZone.offsetSeconds(t)).toBe(intlFields(name, t).offset)
          expect(date(t)).toBe(intlDate(name, t))
          expect(time(t)).toBe(intlTime(name, t))
          expect(dateTime(t)).toBe(intlDateTimeWithOffset(name, t))
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

  it("aliases-share-one-zone", () => {
    expect(resolveTimeZone("US/Pacific")).toBe(resolveTimeZone("America/Los_Angeles"))
  })

  it("utc-by-name-is-the-predefined-UTC-zone", () => {
    for (const name of ["UTC", "Etc/UTC", "utc"]) expect(resolveTimeZone(name)).toBe(UTC)
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
    const cell = { v: { s: 1625759921, e: 1625759921 + 86400 } } // 2021-07-08T15:58:41Z
    const expected = {
      DATE: ["2021-07-08", "2021-07-09"],
      TIME: ["08:58:41", "08:58:41"],
      DATE_TIME: ["2021-07-08T08:58:41-07:00", "2021-07-09T08:58:41-07:00"],
      TIMESTAMP: ["2021-07-08T08:58:41-07:00", "2021-07-09T08:58:41-07:00"]
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
      expect(typeof makeCellRenderer("DATE", { timeZone })(0)).toBe("string")
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

  it("an-option-spelt-in-another-case-is-refused-when-made-instead-of-ignored", () => {
    // `timezone` as in job files and the CLI's --timezone: ignored, it would leave the data zone at UTC.
    const la = zone("America/Los_Angeles")
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string, string]> = [
      [{ timezone: la }, "timezone", "timeZone"],
      [{ TimeZone: la, column: "Order Date" }, "TimeZone", "timeZone"],
      [{ timeZone: la, Offset: "zone" }, "Offset", "offset"],
      [{ COLUMN: "Order Date" }, "COLUMN", "column"]
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
          expect(typeof makeCellRenderer(type, options)(0)).toBe("string")
          expect(makeEndRenderer(type, options)({ v: { s: 0, e: 1 } })).toBeTypeOf("string")
          expect(makeCellWriter(type, options)(0, new Uint8Array(32), 0)).toBeGreaterThan(0)
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
