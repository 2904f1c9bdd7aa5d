/**
 * `PeriodSchema` takes exactly the values `isPeriod` takes and `makePeriod` builds: an end before the start, or
 * seconds outside MIN_EPOCH_SECONDS…MAX_EPOCH_SECONDS, are no Period for the schema either, and decoding or
 * encoding one fails with the rule's own words about the period, not about a wire cell the caller never had.
 */
import { Cause, Exit, Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { isPeriod, MAX_EPOCH_SECONDS, MIN_EPOCH_SECONDS, makePeriod } from "../src/index.ts"
import { DateCellFromWire, PeriodSchema } from "../src/schema.ts"

const message = (exit: Exit.Exit<unknown, Schema.SchemaError>): string => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const error = Cause.squash(exit.cause)
  return error instanceof Error ? error.message : String(error)
}

describe("PeriodSchema", () => {
  it("refuses-what-isPeriod-refuses", () => {
    const backwards = { start: 10, end: 5, form: "calendar" }
    const outOfRange = { start: 1e15, form: "epoch" }
    for (const value of [backwards, outOfRange, { start: MIN_EPOCH_SECONDS - 1, form: "epoch" }]) {
      expect(isPeriod(value)).toBe(false)
      expect(Schema.is(PeriodSchema)(value)).toBe(false)
    }
    expect(message(Schema.decodeUnknownExit(PeriodSchema)(backwards))).toContain(
      "end 5 is before start 10: a period's end is exclusive, at or after its start"
    )
    expect(message(Schema.decodeUnknownExit(PeriodSchema)(outOfRange))).toContain(
      `start is 1000000000000000, not whole epoch seconds within MIN_EPOCH_SECONDS … MAX_EPOCH_SECONDS`
    )
  })

  it("encoding-a-bad-period-names-the-period-not-a-wire-cell", () => {
    const said = message(Schema.encodeUnknownExit(DateCellFromWire)({ start: 1e15, form: "epoch" }))
    expect(said).toContain("start is 1000000000000000, not whole epoch seconds")
    expect(said).not.toContain("cell")
  })

  it("agrees-with-isPeriod-on-periods-and-near-misses", () => {
    const seconds = fc.oneof(
      fc.integer({ min: MIN_EPOCH_SECONDS, max: MAX_EPOCH_SECONDS }),
      fc.constantFrom(MIN_EPOCH_SECONDS - 1, MAX_EPOCH_SECONDS + 1, 1e15, -1e15, 0.5)
    )
    const candidate = fc.record(
      {
        start: seconds,
        end: seconds,
        display: fc.string(),
        form: fc.constantFrom("epoch", "calendar")
      },
      { requiredKeys: ["start", "form"] }
    )
    fc.assert(
      fc.property(candidate, (value) => {
        expect(Schema.is(PeriodSchema)(value)).toBe(isPeriod(value))
      })
    )
  })

  it("still-takes-every-period-makePeriod-builds", () => {
    expect(Schema.decodeUnknownSync(PeriodSchema)(makePeriod("calendar", 0, 86_400, "Jan 1"))).toEqual({
      start: 0,
      end: 86_400,
      display: "Jan 1",
      form: "calendar"
    })
    expect(Schema.is(PeriodSchema)(makePeriod("epoch", MAX_EPOCH_SECONDS))).toBe(true)
  })
})
