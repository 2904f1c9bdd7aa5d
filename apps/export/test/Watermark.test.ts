/**
 * Watermark.ts: the times `--since`/`--until`/`--modified-since` take, the watermark of a `modified` listing (the
 * listing's start, or 1 ms after the newest `modified` seen if earlier, never before the run's own starting point;
 * none before the listing was read whole), the export id a watermark is kept under (the starting point and file
 * settings left out), the state file that runs sharing a folder change at once, and `last` against another cluster.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { stateDirName } from "../src/output/OutputLock.ts"
import { makeExport, parseInstant } from "../src/plan/JobFile.ts"
import {
  lastWatermark,
  ModifiedTracker,
  readWatermarks,
  recordWatermarks,
  watermarkId,
  watermarksFileName
} from "../src/plan/Watermark.ts"
import { tempFolders } from "./support/tempFolders.ts"

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

  it("never goes before the run's own starting point when the newest object is older (deleted or changed)", () => {
    const since = now - 60_000
    const tracker = new ModifiedTracker(since)
    tracker.begin(now)
    // The objects modified since `since` are gone: the newest one left is older than the starting point.
    tracker.see(now - 3_600_000)
    tracker.end()
    expect(tracker.value()).toEqual({ kind: "modified", value: new Date(since).toISOString() })
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

const tempDir = tempFolders("spotpipe-watermark-")

describe("the state file", () => {
  const audit = (key: string) =>
    makeExport({
      index: 0,
      key,
      what: `audit ${key}`,
      spec: { type: "audit", since: "last" },
      format: "csv",
      timezone: undefined,
      pageSize: 10,
      strict: false
    })

  it.live("runs-that-share-a-folder-record-their-watermarks-at-once-and-none-is-lost", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      // Eight shards finishing together: each reads, changes and replaces the file.
      const shards = Array.from({ length: 8 }, (_, i) => audit(`audit-${i}`))
      yield* Effect.forEach(
        shards,
        (entry, i) =>
          recordWatermarks(dir, [
            [watermarkId(entry), { kind: "audit", value: new Date(now + i).toISOString(), run_id: `run-${i}` }]
          ]),
        { concurrency: "unbounded" }
      )
      const recorded = yield* readWatermarks(dir)
      expect([...recorded.values()].map((m) => m.run_id).sort()).toEqual(shards.map((_, i) => `run-${i}`))
      // Nothing but the file itself stays: no lock, no temp file.
      expect(NodeFs.readdirSync(NodePath.join(dir, stateDirName))).toEqual([watermarksFileName])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("last-refuses-a-watermark-recorded-for-another-cluster-and-names-the-file-when-there-is-none", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const entry = audit("audit-log")
      const none = yield* Effect.flip(lastWatermark(dir, entry, "audit", "--since", undefined, "https://a.example"))
      expect(none.message).toContain(NodePath.join(dir, stateDirName, watermarksFileName))
      const value = new Date(now).toISOString()
      yield* recordWatermarks(dir, [
        [watermarkId(entry), { kind: "audit", value, run_id: "r1", host: "https://a.example" }]
      ])
      expect(yield* lastWatermark(dir, entry, "audit", "--since", undefined, "https://a.example")).toBe(value)
      const other = yield* Effect.flip(lastWatermark(dir, entry, "audit", "--since", undefined, "https://b.example"))
      expect(other.message).toContain("recorded in")
      expect(other.message).toContain("for https://a.example, but this run reads https://b.example")
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
