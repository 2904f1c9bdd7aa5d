/**
 * Watermark.ts: the times `--since`/`--until`/`--modified-since` take, the watermark of a `modified` listing (the
 * listing's start, or 1 ms after the newest `modified` seen if earlier; none before the listing was read whole),
 * and the export id a watermark is kept under (the starting point and file settings left out).
 */
import { describe, expect, it } from "@effect/vitest"
import { makeExport } from "../src/plan/JobFile.ts"
import { ModifiedTracker, parseInstant, watermarkId } from "../src/plan/Watermark.ts"

const now = Date.parse("2026-12-06T12:00:00.000Z")

describe("parseInstant", () => {
  it("takes now, spans before now, dates (UTC) and instants with a zone", () => {
    expect(parseInstant("now", now)).toBe(now)
    expect(parseInstant(" NOW ", now)).toBe(now)
    expect(parseInstant("30d", now)).toBe(now - 30 * 86_400_000)
    expect(parseInstant("12h", now)).toBe(now - 12 * 3_600_000)
    expect(parseInstant("90m", now)).toBe(now - 90 * 60_000)
    expect(parseInstant("2026-11-01", now)).toBe(Date.parse("2026-11-01T00:00:00Z"))
    expect(parseInstant("2026-11-01T12:30:00.250Z", now)).toBe(Date.parse("2026-11-01T12:30:00.250Z"))
    expect(parseInstant("2026-11-01T12:30:00+02:00", now)).toBe(Date.parse("2026-11-01T10:30:00Z"))
  })

  it("refuses what is not a time, an impossible date and an instant without its zone", () => {
    for (const text of ["yesterday", "2026-02-30", "2026-11-01T12:30:00", "30 days", "", "-3d", "2026-11-01T25:00Z"]) {
      const parsed = parseInstant(text, now)
      expect(typeof parsed, text).toBe("object")
      expect((parsed as { refused: string }).refused).toContain("is not a time")
    }
  })
})

describe("ModifiedTracker", () => {
  it("is the listing's start, or 1 ms after the newest modified when that is earlier", () => {
    const tracker = new ModifiedTracker(undefined)
    tracker.begin(now)
    tracker.see(now - 5000)
    tracker.see(now - 9000)
    expect(tracker.value()).toBeUndefined()
    tracker.end()
    expect(tracker.value()).toEqual({ kind: "modified", value: new Date(now - 4999).toISOString() })
    // An object modified while the listing ran (after its start): the start stays the watermark.
    const during = new ModifiedTracker(undefined)
    during.begin(now)
    during.see(now + 60_000)
    during.end()
    expect(during.value()).toEqual({ kind: "modified", value: new Date(now).toISOString() })
  })

  it("keeps the filter's start when the listing saw nothing, and starts over with begin", () => {
    const since = now - 86_400_000
    const tracker = new ModifiedTracker(since)
    tracker.begin(now)
    tracker.end()
    expect(tracker.value()?.value).toBe(new Date(since).toISOString())
    tracker.begin(now + 1)
    expect(tracker.value()).toBeUndefined()
  })
})

describe("watermarkId", () => {
  const entry = (spec: Parameters<typeof makeExport>[0]["spec"], key?: string) =>
    makeExport({ index: 0, key, what: "x", spec, format: "csv", timezone: undefined, pageSize: 10, strict: false })

  it("is the same for another starting point or format, and differs for another column, query or name", () => {
    const search = { type: "search", table: "Orders", query: "[Order ID]", sinceColumn: "Order Date" } as const
    const base = watermarkId(entry({ ...search, since: "2025-01-01" }, "orders"))
    expect(watermarkId(entry({ ...search, since: "last", format: "ndjson" }, "orders"))).toBe(base)
    expect(watermarkId(entry({ ...search, since: "last", sinceColumn: "Shipped At" }, "orders"))).not.toBe(base)
    expect(watermarkId(entry({ ...search, since: "last", query: "[Order ID] [Region]" }, "orders"))).not.toBe(base)
    expect(watermarkId(entry({ ...search, since: "last" }, "other"))).not.toBe(base)
    const audit = watermarkId(entry({ type: "audit", since: "30d" }))
    expect(watermarkId(entry({ type: "audit", since: "last", until: "now" }))).toBe(audit)
    // Each Org's copy (`--orgs`) is an export of its own.
    const inOrg = (id: number) => watermarkId({ ...entry({ type: "audit", since: "last" }), org: { id, name: "x" } })
    expect(inOrg(1)).not.toBe(audit)
    expect(inOrg(1)).not.toBe(inOrg(2))
  })
})
