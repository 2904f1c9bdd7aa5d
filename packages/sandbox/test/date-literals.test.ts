/**
 * Date and time literals in searchdata filters are wall-clock readings in the cluster zone, as a real cluster
 * reads them: on Los Angeles' daylight-saving days (2025-03-09 spring-forward, 2025-11-02 fall-back) an afternoon
 * literal is the instant of that wall time, not local midnight plus that many seconds; a skipped wall time moves
 * forward by the gap, a repeated one is its first occurrence (java.time's ZonedDateTime.of); a date or time that
 * is not on the calendar is refused instead of rolled over. The days the sandbox serves start at local midnight by
 * the same rule, in every zone.
 */
import { describe, expect, it } from "vitest"
import { type DataContent, type DataResponse, nestedError, sandbox } from "./harness.ts"

// Enough rows for about 19 shipments an hour on every day, so each hour-wide difference below holds rows.
const rows = 1_000_000

const client = async () => {
  const { call, token } = await sandbox({ rows, timezone: "America/Los_Angeles" })
  const bearer = await token()
  return async (query: string) => {
    const r = await call(
      "searchdata",
      { query_string: query, logical_table_identifier: "Orders", record_size: 100_000 },
      { token: bearer }
    )
    return { status: r.status, text: r.text, body: r.status === 200 ? r.json<DataResponse>().contents[0]! : undefined }
  }
}

/** The rows of a query that must succeed, as [Order ID text, Shipped At seconds]. */
const shipped = (body: DataContent | undefined): Array<[unknown, number]> =>
  body!.data_rows.map((row) => [row[0], row[1] as number])

const seconds = (iso: string) => Date.parse(iso) / 1000

/** Each wall time, with the instant java.time's ZonedDateTime.of gives it in America/Los_Angeles. */
const days = [
  {
    day: "2025-03-09", // spring-forward: 02:00-02:59 does not exist
    next: "2025-03-10",
    walls: [
      ["01:30:00", "2025-03-09T01:30:00-08:00"],
      ["02:30:00", "2025-03-09T03:30:00-07:00"], // in the gap: moved forward by its hour
      ["03:00:00", "2025-03-09T03:00:00-07:00"],
      ["14:30:00", "2025-03-09T14:30:00-07:00"],
      ["23:15:00", "2025-03-09T23:15:00-07:00"]
    ]
  },
  {
    day: "2025-11-02", // fall-back: 01:00-01:59 happens twice
    next: "2025-11-03",
    walls: [
      ["00:30:00", "2025-11-02T00:30:00-07:00"],
      ["01:30:00", "2025-11-02T01:30:00-07:00"], // repeated: the first occurrence (PDT)
      ["02:30:00", "2025-11-02T02:30:00-08:00"],
      ["14:30:00", "2025-11-02T14:30:00-08:00"],
      ["23:15:00", "2025-11-02T23:15:00-08:00"]
    ]
  },
  {
    day: "2025-06-15", // an ordinary day
    next: "2025-06-16",
    walls: [
      ["01:30:00", "2025-06-15T01:30:00-07:00"],
      ["14:30:00", "2025-06-15T14:30:00-07:00"]
    ]
  }
] as const

describe("searchdata date-time literals on daylight-saving days", () => {
  // Each query scans the million rows; a day's queries take a second or two, more on a busy machine.
  for (const { day, next, walls } of days) {
    it(`reads-a-wall-time-on-${day}-in-the-cluster-zone-skipped-times-forward-repeated-times-first`, {
      timeout: 60_000
    }, async () => {
      const search = await client()
      // The day's rows, bounded by its two local midnights (which exist once in Los Angeles).
      const whole = await search(`[Order ID] [Shipped At] [Shipped At] >= '${day}' [Shipped At] < '${next}'`)
      expect(whole.status, whole.text).toBe(200)
      const dayRows = shipped(whole.body)
      expect(dayRows.length).toBeGreaterThan(300)
      for (const [wall, iso] of walls) {
        const at = seconds(iso)
        const from = await search(`[Order ID] [Shipped At] [Shipped At] >= '${day} ${wall}' [Shipped At] < '${next}'`)
        expect(from.status, from.text).toBe(200)
        expect(shipped(from.body), `${day} ${wall}`).toEqual(dayRows.filter(([, s]) => s >= at))
        const before = await search(`[Order ID] [Shipped At] [Shipped At] >= '${day}' [Shipped At] < '${day} ${wall}'`)
        expect(shipped(before.body), `${day} ${wall}`).toEqual(dayRows.filter(([, s]) => s < at))
      }
    })
  }

  it("has-rows-in-the-hour-between-the-wall-time-and-midnight-plus-its-seconds", { timeout: 60_000 }, async () => {
    // Guards the test above against data that would hide the difference: on both days rows lie between the
    // wall-time instant of 14:30 and "local midnight + 14.5 h", an hour apart.
    const search = await client()
    for (const [day, next, iso, midnightIso] of [
      ["2025-03-09", "2025-03-10", "2025-03-09T14:30:00-07:00", "2025-03-09T00:00:00-08:00"],
      ["2025-11-02", "2025-11-03", "2025-11-02T14:30:00-08:00", "2025-11-02T00:00:00-07:00"]
    ] as const) {
      const at = seconds(iso)
      const naive = seconds(midnightIso) + 14.5 * 3600
      expect(Math.abs(naive - at)).toBe(3600)
      const dayRows = shipped(
        (await search(`[Order ID] [Shipped At] [Shipped At] >= '${day}' [Shipped At] < '${next}'`)).body
      )
      expect(dayRows.filter(([, s]) => s >= Math.min(at, naive) && s < Math.max(at, naive)).length).toBeGreaterThan(0)
    }
  })

  it("finds-a-row-by-the-wall-time-a-real-cluster-shows-for-it", { timeout: 60_000 }, async () => {
    const search = await client()
    const wallOf = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "America/Los_Angeles",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23"
    })
    for (const [day, next] of [
      ["2025-03-09", "2025-03-10"],
      ["2025-11-02", "2025-11-03"]
    ] as const) {
      const afternoon = shipped(
        (await search(`[Order ID] [Shipped At] [Shipped At] >= '${day} 12:00' [Shipped At] < '${next}'`)).body
      )
      const [id, s] = afternoon[0]!
      const wall = wallOf.format(new Date(s * 1000))
      expect(wall.startsWith(day)).toBe(true)
      const exact = shipped((await search(`[Order ID] [Shipped At] [Shipped At] = '${wall}'`)).body)
      expect(exact.length).toBeGreaterThan(0)
      expect(exact).toContainEqual([id, s])
      expect(exact.every(([, t]) => t === s)).toBe(true)
    }
  })

  it("refuses-dates-and-times-that-are-not-on-the-calendar-instead-of-rolling-them-over", async () => {
    const search = await client()
    for (const [query, expected] of [
      ["[Order ID] [Order Date] >= '2025-02-29'", "give a calendar date 'YYYY-MM-DD'"],
      ["[Order ID] [Order Date] = '2025-04-31'", "give a calendar date 'YYYY-MM-DD'"],
      ["[Order ID] [Order Date] >= '2025-03-09 12:00:00'", "give a calendar date 'YYYY-MM-DD'"],
      ["[Order ID] [Shipped At] >= '2025-02-30 10:00:00'", "a wall time in the cluster zone"],
      ["[Order ID] [Shipped At] >= '2025-03-09 24:00:00'", "a wall time in the cluster zone"],
      ["[Order ID] [Shipped At] >= '2025-03-09 12:60'", "a wall time in the cluster zone"],
      ["[Order ID] [Shipped At] >= '2025-03-09 12:00:60'", "a wall time in the cluster zone"],
      ["[Order ID] [Shipped At] >= 'today'", "a wall time in the cluster zone"]
    ] as const) {
      const r = await search(query)
      expect(r.status, query).toBe(400)
      expect(nestedError(r.text).debug.join(" "), query).toContain(expected)
    }
    // A leap day is a date.
    expect((await search("[Order ID] [Order Date] = '2024-02-29'")).status).toBe(200)
  })
})

describe("local midnight on the days a zone changes its offset", () => {
  // Fall-back days of zones east of UTC whose clocks turn back after midnight (Sydney, Auckland, Jerusalem), and
  // one whose midnight occurs twice (Amman, 2021-10-29: 01:00 back to 00:00; its first occurrence, +03:00).
  const cases = [
    ["Australia/Sydney", "2025-04-06", "2025-04-06T00:00:00+11:00"],
    ["Pacific/Auckland", "2025-04-06", "2025-04-06T00:00:00+13:00"],
    ["Asia/Jerusalem", "2024-10-27", "2024-10-27T00:00:00+03:00"],
    ["Asia/Amman", "2021-10-29", "2021-10-29T00:00:00+03:00"]
  ] as const
  for (const [zone, day, iso] of cases) {
    it(`serves-${day}-in-${zone}-from-its-first-00-00`, { timeout: 60_000 }, async () => {
      const { call, token } = await sandbox({ rows: 100_000, timezone: zone })
      const bearer = await token()
      const r = await call(
        "searchdata",
        { query_string: "[Order Date].daily count [Order ID]", logical_table_identifier: "Orders", record_size: -1 },
        { token: bearer }
      )
      expect(r.status, r.text).toBe(200)
      const starts = r
        .json<DataResponse>()
        .contents[0]!.data_rows.map((row) => row[0])
        .filter((s): s is number => s !== null)
      expect(starts).toContain(seconds(iso))
      // Every day bucket starts at the first second of its local day (00:00, or the end of a skipped midnight),
      // read back independently of the sandbox.
      const dateOf = new Intl.DateTimeFormat("sv-SE", { timeZone: zone, dateStyle: "short" })
      const local = (s: number) => dateOf.format(new Date(s * 1000))
      expect(starts.filter((s) => local(s - 1) >= local(s))).toEqual([])
      // A date literal names the same instant: that day's rows are the ones whose Order Date is its start.
      const filtered = await call(
        "searchdata",
        { query_string: `[Order ID] [Order Date] [Order Date] = '${day}'`, logical_table_identifier: "Orders" },
        { token: bearer }
      )
      const cells = filtered.json<DataResponse>().contents[0]!.data_rows.map((row) => row[1])
      expect(cells.length).toBeGreaterThan(0)
      expect(new Set(cells)).toEqual(new Set([seconds(iso)]))
    })
  }
})
