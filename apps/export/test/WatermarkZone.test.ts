/**
 * A DATE or DATE_TIME watermark names the data time zone its wall time is in, and a run in another data time zone
 * reads it as the same instant (Incremental.ts: `watermarkText`, `sinceInDataZone`): written in the new zone never
 * later than that instant (the rows at it come again, none between is skipped), a DATE as the day holding it, across
 * DST changes too. A starting point without a zone (given so, or a watermark of an earlier version) is a wall time
 * in the run's data time zone, as before.
 */
import { describe, expect, it } from "vitest"
import { sinceInDataZone, watermarkText } from "../src/plan/Incremental.ts"
import { wallEpochOf } from "../src/plan/WallTime.ts"

const la = "America/Los_Angeles"

/** The instant (epoch seconds) a wall time names in `zone`, at its first occurrence. */
const instant = (wall: string, zone: string, day = false): number => {
  const epoch = wallEpochOf(wall, day, zone)
  if (typeof epoch !== "number") throw new Error(`${wall} in ${zone}: ${epoch.problem}`)
  return epoch
}

describe("a date column's watermark", () => {
  it("names the zone its wall time is in; other columns' values are as they are", () => {
    expect(watermarkText("2026-01-03 19:42:26", "DATE_TIME", "UTC")).toBe("2026-01-03 19:42:26 UTC")
    expect(watermarkText("2026-01-03 19:42:26", "TIMESTAMP", la)).toBe(`2026-01-03 19:42:26 ${la}`)
    expect(watermarkText("2026-01-03", "DATE", la)).toBe(`2026-01-03 ${la}`)
    expect(watermarkText("1041", "INT64", la)).toBe("1041")
    expect(watermarkText("ORD-9 UTC", "VARCHAR", la)).toBe("ORD-9 UTC")
  })

  it("recorded in UTC is the same instant's wall time in Los Angeles, not the same wall time 8 hours later", () => {
    expect(sinceInDataZone("2026-01-03 19:42:26 UTC", "DATE_TIME", la)).toBe("2026-01-03 11:42:26")
    expect(sinceInDataZone(`2026-01-03 11:42:26 ${la}`, "DATE_TIME", "UTC")).toBe("2026-01-03 19:42:26")
    expect(sinceInDataZone("2026-01-03 19:42:26 UTC", "TIMESTAMP", "Asia/Kolkata")).toBe("2026-01-04 01:12:26")
  })

  it("in the run's own zone is its wall time as written (the second of two occurrences included)", () => {
    expect(sinceInDataZone(`2026-11-01 01:30:00 ${la}`, "DATE_TIME", la)).toBe("2026-11-01 01:30:00")
    expect(sinceInDataZone(`2026-06-01 ${la}`, "DATE", la)).toBe("2026-06-01")
  })

  it("that lands in the first of two occurrences of a wall time is written one offset difference earlier", () => {
    // 08:30Z is 01:30 PDT, which PST repeats an hour later: 00:30 occurs once, and is before it.
    expect(sinceInDataZone("2026-11-01 08:30:00 UTC", "DATE_TIME", la)).toBe("2026-11-01 00:30:00")
    // 09:30Z is 01:30 PST, the second occurrence: both readings are at or before it.
    expect(sinceInDataZone("2026-11-01 09:30:00 UTC", "DATE_TIME", la)).toBe("2026-11-01 01:30:00")
    // After a spring-forward gap: 10:30Z is 03:30 PDT (02:00-02:59 does not exist that day).
    expect(sinceInDataZone("2026-03-08 10:30:00 UTC", "DATE_TIME", la)).toBe("2026-03-08 03:30:00")
    // Recorded at the second occurrence in Los Angeles, read as its first (an hour earlier, never later).
    expect(sinceInDataZone(`2026-11-01 01:30:00 ${la}`, "DATE_TIME", "UTC")).toBe("2026-11-01 08:30:00")
  })

  it("is never later, read in the new zone, than the instant it was recorded at, across a year of hours", () => {
    for (const [from, to] of [
      ["UTC", la],
      [la, "UTC"],
      [la, "Europe/Berlin"],
      ["Australia/Lord_Howe", la],
      ["Pacific/Chatham", "Asia/Kathmandu"]
    ] as const) {
      for (let hour = 0; hour < 366 * 24; hour += 7) {
        const at = Date.parse("2026-01-01T00:17:31Z") / 1000 + hour * 3600
        const wall = new Date((at + offsetOf(at, from)) * 1000).toISOString()
        const recorded = `${wall.slice(0, 10)} ${wall.slice(11, 19)}`
        const written = sinceInDataZone(`${recorded} ${from}`, "DATE_TIME", to)
        expect(typeof written, `${recorded} ${from} → ${to}`).toBe("string")
        const read = instant(written as string, to)
        const first = instant(recorded, from)
        expect(read, `${recorded} ${from} → ${written} ${to}`).toBeLessThanOrEqual(first)
        // At most an offset difference earlier: the next run reads little again.
        expect(first - read, `${recorded} ${from} → ${written} ${to}`).toBeLessThanOrEqual(3600)
      }
    }
  })

  it("of a DATE is the day in the new zone holding the old day's start", () => {
    // Midnight UTC is still the day before in Los Angeles.
    expect(sinceInDataZone("2026-06-01 UTC", "DATE", la)).toBe("2026-05-31")
    // Midnight in Los Angeles is 07:00 UTC, the same day.
    expect(sinceInDataZone(`2026-06-01 ${la}`, "DATE", "UTC")).toBe("2026-06-01")
    expect(sinceInDataZone("2026-06-01 UTC", "DATE", "Asia/Tokyo")).toBe("2026-06-01")
  })

  it("without a zone (given so, or recorded by an earlier version) is a wall time in the run's zone, as before", () => {
    expect(sinceInDataZone("2026-01-03 19:42:26", "DATE_TIME", la)).toBe("2026-01-03 19:42:26")
    expect(sinceInDataZone("2026-01-03", "DATE", la)).toBe("2026-01-03")
    expect(sinceInDataZone("1041 UTC", "INT64", la)).toBe("1041 UTC")
  })

  it("naming a zone this runtime does not know, or no such day, is refused saying what to give", () => {
    const refused = (text: string, type = "DATE_TIME") => {
      const result = sinceInDataZone(text, type, la)
      expect(typeof result, text).toBe("object")
      return (result as { refused: string }).refused
    }
    expect(refused("2026-01-03 19:42:26 Mars/Olympus")).toContain(
      `names the time zone "Mars/Olympus", which this runtime does not know: give the starting point as a wall time in the data time zone (${la}), without a zone`
    )
    expect(refused("2026-02-30 10:00:00 UTC")).toContain("is no date or time")
    expect(refused("2026-06-01 10:00:00 UTC", "DATE")).toContain("is not a DATE as a starting point")
  })
})

/** The offset (seconds) of `zone` at `epoch`, from Intl, independently of the code under test. */
const offsetOf = (epoch: number, zone: string): number => {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit"
  }).formatToParts(new Date(epoch * 1000))
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value)
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) / 1000
  return wall - epoch
}
