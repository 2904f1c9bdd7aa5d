/**
 * The byte writers against the string renderers they shortcut: for every column type, offset style and many
 * zones, over the whole supported range of instants (and the edges, offset transitions, every cell form and
 * invalid cells), a writer must write exactly the renderer's text as ASCII bytes — or report no text (null)
 * or an invalid cell exactly where the renderer gives null or a DateCellError — and touch no other byte.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  type DateColumnType,
  INVALID_CELL,
  isDateCellError,
  MAX_CELL_BYTES,
  MAX_EPOCH_SECONDS,
  MIN_EPOCH_SECONDS,
  makeCellRenderer,
  makeCellWriter,
  NO_TEXT,
  resolveTimeZone,
  type TimeZone
} from "../src/index.ts"
import { ZONES } from "./intlReference.ts"

const zone = (name: string): TimeZone => {
  const z = resolveTimeZone(name)
  if (z instanceof Error) throw new Error(z.message)
  return z
}

const types: ReadonlyArray<DateColumnType> = ["DATE", "DATE_TIME", "TIMESTAMP", "TIME"]
const FILL = 0xaa

/** Writes `cell` at a random offset of a filled buffer; the text written (or the status) and the untouched rest. */
const written = (cell: unknown, type: DateColumnType, timeZone: TimeZone, offset: "utc" | "zone", at: number) => {
  const out = new Uint8Array(at + MAX_CELL_BYTES + 8).fill(FILL)
  const end = makeCellWriter(type, { timeZone, offset })(cell, out, at)
  if (end < 0) {
    expect(out.every((b) => b === FILL)).toBe(true)
    return end
  }
  expect(end - at).toBeLessThanOrEqual(MAX_CELL_BYTES)
  expect(out.subarray(0, at).every((b) => b === FILL)).toBe(true)
  expect(out.subarray(end).every((b) => b === FILL)).toBe(true)
  return Buffer.from(out.subarray(at, end)).toString("latin1")
}

/** The renderer's answer in the writer's terms. */
const expected = (cell: unknown, type: DateColumnType, timeZone: TimeZone, offset: "utc" | "zone") => {
  const text = makeCellRenderer(type, { timeZone, offset })(cell)
  if (text === null) return NO_TEXT
  if (isDateCellError(text)) return INVALID_CELL
  return text
}

const seconds = fc.oneof(
  fc.integer({ min: MIN_EPOCH_SECONDS, max: MAX_EPOCH_SECONDS }),
  fc.integer({ min: -2_300_000_000, max: 4_200_000_000 }),
  fc.constantFrom(MIN_EPOCH_SECONDS, MAX_EPOCH_SECONDS, 0, -1, 86399, 86400, 1625759921, -0)
)
const cell = fc.oneof(
  { weight: 6, arbitrary: seconds },
  seconds.map((s) => ({ v: { s } })),
  seconds.map((s) => ({ v: { s, e: s + 86400 }, d: "day" })),
  seconds.map((s) => BigInt(s)),
  fc.constantFrom(
    null,
    MIN_EPOCH_SECONDS - 1,
    MAX_EPOCH_SECONDS + 1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 60,
    "1625759921",
    { v: 1 },
    [1],
    {}
  ),
  fc.jsonValue()
)

describe("cell writer", () => {
  it("writes-the-renderers-text-for-every-cell-type-zone-and-offset-style", () =>
    fc.assert(
      fc.property(
        cell,
        fc.constantFrom(...types),
        fc.constantFrom(...ZONES, "UTC", "Asia/Kolkata", "Pacific/Chatham"),
        fc.constantFrom("utc" as const, "zone" as const),
        fc.nat({ max: 40 }),
        (c, type, name, offset, at) => {
          const z = zone(name)
          expect(written(c, type, z, offset, at)).toBe(expected(c, type, z, offset))
        }
      ),
      { numRuns: 20_000 }
    ))

  it("writes-the-renderers-dates-for-local-midnights-the-only-instants-a-DATE-is", () =>
    fc.assert(
      fc.property(
        // 0001-01-02T00:00:00Z … 9999-12-30T23:59:59Z: every zone's local day is in years 0001–9999.
        fc.integer({ min: -62135596800 + 86400, max: 253402300799 - 86400 }),
        fc.constantFrom(...ZONES, "UTC", "Asia/Kolkata", "Pacific/Chatham"),
        fc.nat({ max: 40 }),
        (t, name, at) => {
          const z = zone(name)
          const local = t + z.offsetSeconds(t)
          const midnight = t - (local - Math.floor(local / 86400) * 86400)
          for (const c of [midnight, { v: { s: midnight } }, { v: { s: midnight, e: midnight + 86400 } }]) {
            const text = expected(c, "DATE", z, "utc")
            expect(written(c, "DATE", z, "utc", at)).toBe(text)
            // The day's midnight at t's offset is a date, unless the offset changed in between.
            if (z.offsetSeconds(midnight) === z.offsetSeconds(t)) expect(text).toMatch(/^\d{4}-\d{2}-\d{2}$/)
          }
        }
      ),
      { numRuns: 5_000 }
    ))

  it("writes-the-renderers-text-around-offset-transitions", () => {
    // Every second of the hour around two DST changes and an old local-mean-time offset with seconds.
    const la = zone("America/Los_Angeles")
    const amsterdam = zone("Europe/Amsterdam")
    const around = [
      Date.UTC(2021, 2, 14, 10) / 1000,
      Date.UTC(2021, 10, 7, 9) / 1000,
      Date.UTC(1883, 10, 18, 20) / 1000
    ]
    for (const z of [la, amsterdam]) {
      for (const centre of around) {
        for (let t = centre - 1800; t <= centre + 1800; t += 7) {
          for (const type of types) {
            for (const offset of ["utc", "zone"] as const) {
              expect(written(t, type, z, offset, 3)).toBe(expected(t, type, z, offset))
            }
          }
        }
      }
    }
  })

  it("a-buffer-too-short-for-the-text-is-a-RangeError-not-a-cut-text", () => {
    // A typed array drops writes past its end: the writer would report bytes it never wrote.
    const la = zone("America/Los_Angeles")
    const cell = { v: { s: 1625727600 } } // 2021-07-08T00:00:00-07:00
    for (const [type, text] of [
      ["DATE", "2021-07-08"],
      ["DATE_TIME", "2021-07-08T00:00:00-07:00"]
    ] as const) {
      const write = makeCellWriter(type, { timeZone: la, offset: "zone" })
      for (const input of [cell, cell.v.s]) {
        const out = new Uint8Array(text.length + 3)
        expect(() => write(input, out, 4)).toThrow(
          new RangeError(
            `a cell writer's text needs ${text.length} bytes at ${4}, but out has ${text.length - 1} from there (${text.length + 3} in all): leave MAX_CELL_BYTES (${MAX_CELL_BYTES}) of room at the position written to`
          )
        )
        expect(() => write(input, new Uint8Array(64), -1)).toThrow(RangeError)
        // Exactly the room the text needs is enough.
        expect(write(input, out, 3)).toBe(out.length)
        expect(new TextDecoder().decode(out.subarray(3))).toBe(text)
      }
    }
  })

  it("a-text-that-does-not-fit-writes-nothing", () => {
    const write = makeCellWriter("DATE_TIME", { timeZone: zone("America/Los_Angeles"), offset: "zone" })
    const out = new Uint8Array(30).fill(FILL)
    expect(() => write(1625759921, out, 6)).toThrow(RangeError)
    expect(out.every((b) => b === FILL)).toBe(true)
  })

  it("a-plain-array-as-out-gets-the-same-room-check", () => {
    // Plain JavaScript may pass an array, which grows to take what is written past its end: the missing room went
    // unseen and the end was returned as if out held the text.
    const write = makeCellWriter("DATE_TIME", { timeZone: zone("America/Los_Angeles"), offset: "zone" })
    const plain: Array<number> = []
    expect(() => write(1625759921, plain as unknown as Uint8Array, 0)).toThrow(
      new RangeError(
        `a cell writer's text needs 25 bytes at 0, but out has 0 from there (0 in all): leave MAX_CELL_BYTES (${MAX_CELL_BYTES}) of room at the position written to`
      )
    )
    expect(plain).toEqual([])
    const short = new Array<number>(30).fill(FILL)
    expect(() => write(1625759921, short as unknown as Uint8Array, 6)).toThrow(RangeError)
    expect(short).toEqual(new Array<number>(30).fill(FILL))
    // With the room, a plain array takes the same bytes as a Uint8Array.
    const roomy = new Array<number>(MAX_CELL_BYTES).fill(0)
    expect(write(1625759921, roomy as unknown as Uint8Array, 0)).toBe(25)
    expect(String.fromCharCode(...roomy)).toBe("2021-07-08T08:58:41-07:00")
  })

  it("a-position-that-is-no-index-is-a-RangeError-not-a-text-reported-as-written", () => {
    // A typed array ignores writes at 1.5 or NaN: the writer would return an end with nothing written before it.
    for (const type of ["DATE", "DATE_TIME", "TIME"] as const) {
      const write = makeCellWriter(type)
      for (const input of [694224000, { v: { s: 694224000 } }, null, "soon"]) {
        for (const at of [1.5, Number.NaN, -1, Number.POSITIVE_INFINITY]) {
          const out = new Uint8Array(64).fill(FILL)
          expect(() => write(input, out, at)).toThrow(
            new RangeError(
              `a cell writer's position is ${at}, not an index of out (a whole number from 0): nothing was written; pass 0 or the end the previous write returned`
            )
          )
          expect(out.every((b) => b === FILL)).toBe(true)
        }
      }
    }
  })

  it("reports-null-and-invalid-cells-without-writing", () => {
    const write = makeCellWriter("DATE")
    const out = new Uint8Array(MAX_CELL_BYTES).fill(FILL)
    expect(write(null, out, 0)).toBe(NO_TEXT)
    expect(write("soon", out, 0)).toBe(INVALID_CELL)
    expect(write(1.5, out, 0)).toBe(INVALID_CELL)
    expect(out.every((b) => b === FILL)).toBe(true)
    expect(write(694224000, out, 0)).toBe(10)
    expect(Buffer.from(out.subarray(0, 10)).toString("latin1")).toBe("1992-01-01")
  })
})
