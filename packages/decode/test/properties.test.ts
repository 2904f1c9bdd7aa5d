/**
 * fast-check properties of decoding and rendering: round trips, form independence, order, idempotence, totality
 * (every JSON value gives a result or a typed error, never a throw) and agreement with Intl.DateTimeFormat for
 * random instants in 1800–2200 across many zones.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  type CalendarCell,
  DateCellError,
  decodeCell,
  decodeColumn,
  decodeCompactRows,
  decodeFullRows,
  encodePeriod,
  MAX_EPOCH_SECONDS,
  MIN_EPOCH_SECONDS,
  makeCellRenderer,
  makeEndRenderer,
  type Period,
  periodValue,
  resolveTimeZone,
  type TimeZone
} from "../src/index.ts"
import {
  instant,
  intlDate,
  intlDateTimeWithOffset,
  intlFields,
  intlMidnightBefore,
  intlTime,
  ZONES
} from "./intlReference.ts"

const seconds = fc.integer({ min: MIN_EPOCH_SECONDS, max: MAX_EPOCH_SECONDS })

const calendarCell: fc.Arbitrary<CalendarCell> = fc
  .record(
    {
      s: seconds,
      length: fc.option(fc.nat({ max: 400 * 86400 }), { nil: undefined }),
      d: fc.option(fc.string(), { nil: undefined })
    },
    { requiredKeys: ["s"] }
  )
  .filter(({ s, length }) => length === undefined || s + length <= MAX_EPOCH_SECONDS)
  .map(({ s, length, d }) => {
    const v = length === undefined ? { s } : { s, e: s + length }
    return d === undefined ? { v } : { v, d }
  })

const wireCell = fc.oneof(seconds, calendarCell, fc.constant(null))

const isPeriod = (x: unknown): x is Period => typeof x === "object" && x !== null && "form" in x

describe("decode properties", () => {
  it("wire-normalized-wire-round-trip-epoch-form", () => {
    fc.assert(
      fc.property(seconds, (s) => {
        const p = decodeCell(s)
        expect(isPeriod(p) && encodePeriod(p)).toBe(s)
      })
    )
  })

  it("wire-normalized-wire-round-trip-calendar-form", () => {
    fc.assert(
      fc.property(calendarCell, (cell) => {
        const p = decodeCell(cell)
        expect(isPeriod(p) && encodePeriod(p)).toEqual(cell)
      })
    )
  })

  it("both-forms-of-the-same-start-normalize-alike", () => {
    fc.assert(
      fc.property(seconds, fc.boolean(), (s, big) => {
        const plain = decodeCell(big ? BigInt(s) : s)
        const wrapped = decodeCell({ v: { s: big ? BigInt(s) : s } })
        expect(isPeriod(plain) && isPeriod(wrapped)).toBe(true)
        if (isPeriod(plain) && isPeriod(wrapped)) expect(periodValue(wrapped)).toEqual(periodValue(plain))
      })
    )
  })

  it("column-decoding-preserves-order-and-length", () => {
    fc.assert(
      fc.property(fc.array(wireCell, { maxLength: 60 }), (cells) => {
        const out = decodeColumn(cells, "DATE")
        expect(out._tag).toBe("Decoded")
        if (out._tag !== "Decoded") return
        expect(out.value).toHaveLength(cells.length)
        out.value.forEach((p, i) => {
          const cell = cells[i]
          if (cell === null) expect(p).toBeNull()
          else expect((p as Period).start).toBe(typeof cell === "number" ? cell : cell?.v.s)
        })
      })
    )
  })

  it("normalizing-is-idempotent", () => {
    fc.assert(
      fc.property(fc.array(wireCell, { maxLength: 30 }), (cells) => {
        const once = decodeColumn(cells, "DATE_TIME")
        if (once._tag !== "Decoded") throw new Error("first decode failed")
        const twice = decodeColumn(once.value, "DATE_TIME")
        expect(twice).toEqual(once)
        for (const cell of cells) {
          const p = decodeCell(cell)
          expect(decodeCell(p)).toEqual(p)
        }
      })
    )
  })

  it("every-json-value-gives-a-result-or-a-typed-error-never-a-throw", () => {
    const oddNumbers = fc.oneof(
      fc.double(),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 2 ** 53 + 2, 1.5e300),
      fc.bigInt()
    )
    const anyValue = fc.oneof(
      fc.jsonValue(),
      oddNumbers,
      fc.record({ v: fc.oneof(fc.jsonValue(), fc.record({ s: oddNumbers, e: fc.jsonValue() })) }),
      fc.record({ v: fc.record({ s: fc.jsonValue() }), d: fc.jsonValue() }),
      wireCell
    )
    const render = makeCellRenderer("DATE", { timeZone: resolveTimeZone("America/Los_Angeles") as TimeZone })
    const isLocalMidnight = (t: number) => intlTime("America/Los_Angeles", t) === "00:00:00"
    const inYears = (zone: string, t: number) => intlFields(zone, t).year >= 1 && intlFields(zone, t).year <= 9999
    const renderEnd = makeEndRenderer("DATE_TIME", { offset: "zone" })
    fc.assert(
      fc.property(anyValue, fc.constantFrom("DATE", "TIME", "VARCHAR", "SOMETHING_NEW"), (value, type) => {
        const decoded = decodeCell(value, { row: 1, column: "c" })
        expect(decoded === null || isPeriod(decoded) || decoded instanceof DateCellError).toBe(true)
        if (decoded instanceof DateCellError) {
          expect(decoded.row).toBe(1)
          expect(decoded.column).toBe("c")
          expect(decoded.value.length).toBeLessThanOrEqual(80)
          expect(decoded.message).toContain('column "c"')
        }
        for (const [text, at, zone] of [
          [render(value, 0), isPeriod(decoded) ? decoded.start : undefined, "America/Los_Angeles"],
          [renderEnd(value, 0), isPeriod(decoded) ? decoded.end : undefined, "UTC"]
        ] as const) {
          expect(text === null || typeof text === "string" || text instanceof DateCellError).toBe(true)
          // Renderers take a fast path for common cells; they must accept and reject exactly what decodeCell does.
          if (decoded instanceof DateCellError) expect(text).toMatchObject({ reason: decoded.reason })
          else if (at !== undefined && !inYears(zone, at)) {
            // …a valid cell whose local year in the zone has no four digits is OutOfRange…
            expect(text).toMatchObject({ reason: "OutOfRange", instant: at })
          } else if (zone !== "UTC" && at !== undefined && !isLocalMidnight(at)) {
            // …and a valid DATE cell that is no midnight in the zone is a NotMidnight error.
            expect(text).toMatchObject({ reason: "NotMidnight", instant: at })
          } else expect(text instanceof DateCellError).toBe(false)
        }
        for (const mode of ["strict", "lenient"] as const) {
          const columns = [{ name: "c", type }]
          const results = [
            decodeColumn([value], type, { mode }),
            decodeCompactRows([[value]], columns, { mode }),
            decodeFullRows([{ c: value }], columns, { mode }),
            decodeCompactRows([value as Array<unknown>], columns, { mode }),
            decodeFullRows([value as Record<string, unknown>], columns, { mode })
          ]
          for (const r of results) expect(r._tag === "Decoded" || r instanceof DateCellError).toBe(true)
        }
      }),
      { numRuns: 500 }
    )
  })
})

/**
 * A DATE renders the local date of a local midnight (per Intl) and is a NotMidnight error for any other instant.
 */
const expectDate = (render: (cell: unknown) => unknown, name: string, t: number): void => {
  if (intlTime(name, t) === "00:00:00") expect(render(t)).toBe(intlDate(name, t))
  else {
    expect(render(t)).toMatchObject({ reason: "NotMidnight", timeZone: name, instant: t })
  }
}

describe("rendering agrees with Intl.DateTimeFormat", () => {
  const zone = fc.constantFrom(...ZONES)
  const renderers = new Map(
    ZONES.map((name) => {
      const timeZone = resolveTimeZone(name) as TimeZone
      return [
        name,
        {
          date: makeCellRenderer("DATE", { timeZone }),
          time: makeCellRenderer("TIME", { timeZone }),
          dateTime: makeCellRenderer("TIMESTAMP", { timeZone, offset: "zone" }),
          utc: makeCellRenderer("DATE_TIME", { timeZone })
        }
      ] as const
    })
  )

  it("random-instants-1800-2200-in-many-zones", () => {
    fc.assert(
      fc.property(zone, instant, (name, t) => {
        const r = renderers.get(name)!
        expectDate(r.date, name, t)
        expectDate(r.date, name, intlMidnightBefore(name, t))
        expect(r.time(t)).toBe(intlTime(name, t))
        expect(r.dateTime({ v: { s: t } })).toBe(intlDateTimeWithOffset(name, t))
        expect(r.utc(t)).toBe(`${intlDate("UTC", t)}T${intlTime("UTC", t)}Z`)
      }),
      { numRuns: 3000 }
    )
  })

  it("random-instants-in-every-zone-intl-knows", () => {
    const all = Intl.supportedValuesOf("timeZone")
    expect(all.length).toBeGreaterThan(300)
    fc.assert(
      fc.property(fc.constantFrom(...all), instant, (name, t) => {
        const timeZone = resolveTimeZone(name) as TimeZone
        const date = makeCellRenderer("DATE", { timeZone })
        expectDate(date, name, t)
        expectDate(date, name, intlMidnightBefore(name, t))
        expect(makeCellRenderer("DATE_TIME", { timeZone, offset: "zone" })(t)).toBe(intlDateTimeWithOffset(name, t))
      }),
      { numRuns: 2000 }
    )
  })

  it("runs-of-nearby-instants-as-an-export-sees-them", () => {
    // Sorted runs exercise the one-interval cache and the edges of cached chunks, including DST changes.
    fc.assert(
      fc.property(
        zone,
        instant,
        fc.array(fc.integer({ min: 0, max: 6 * 3600 }), { minLength: 1, maxLength: 40 }),
        (name, t0, steps) => {
          const r = renderers.get(name)!
          let t = t0
          for (const step of steps) {
            t += step
            expect(r.dateTime(t)).toBe(intlDateTimeWithOffset(name, t))
          }
        }
      ),
      { numRuns: 300 }
    )
  })
})
