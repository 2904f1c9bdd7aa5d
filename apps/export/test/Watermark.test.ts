/**
 * Watermark.ts: the times `--since`/`--until`/`--modified-since` take, the watermark of a `modified` listing (the
 * listing's start, or 1 ms after the newest `modified` seen if earlier, never before the run's own starting point;
 * none before the listing was read whole), the export id a watermark is kept under (the starting point and file
 * settings left out), the state file that runs sharing a folder change at once, `last` against another cluster, and
 * the wall time a DATE_TIME watermark is written as (in the data zone also when its offset had seconds, and one offset
 * difference earlier when a fall-back repeats it), and the state file damaged or in the way (an entry edited into
 * another valid one included: its digest no longer matches).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { resolveTimeZone, type TimeZone, UTC } from "@spotpipe/decode"
import { Effect, Exit } from "effect"
import { stateDirName } from "../src/output/OutputLock.ts"
import { literalText } from "../src/plan/Incremental.ts"
import { makeExport, parseInstant } from "../src/plan/JobFile.ts"
import {
  entryDigest,
  lastWatermark,
  ModifiedTracker,
  readWatermarks,
  recordStarted,
  recordWatermarks,
  startedFileName,
  startedOf,
  unambiguousWatermark,
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
    for (const text of [
      "yesterday",
      "2026-02-30",
      "2026-11-01T12:30:00",
      "30 days",
      "",
      "-3d",
      "2026-11-01T25:00Z",
      // An impossible day in an instant too (Date.parse rolls it into the next month).
      "2026-02-30T12:30:00Z",
      "2026-04-31T00:00:00+02:00"
    ]) {
      const parsed = parseInstant(text, now)
      expect(typeof parsed, text).toBe("object")
      expect((parsed as { refused: string }).refused).toContain("is not a time")
    }
  })
})

describe("parseInstant's refusals", () => {
  it("say why an instant of a form close to the one taken is refused, and what to give", () => {
    const why = (text: string) => (parseInstant(text, now) as { refused: string }).refused
    // An audit log's date, copied as it is: microseconds.
    expect(why("2024-07-01T05:04:09.290175Z")).toContain(
      "it has digits finer than a millisecond: keep three (12:00:00.123Z for 12:00:00.123456Z, which starts at or before it)"
    )
    expect(why("2026-11-01T12:30:00-0700")).toContain("write the offset with a colon (+02:00, not +0200)")
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

describe("unambiguousWatermark", () => {
  const zone = (name: string): TimeZone => {
    const resolved = resolveTimeZone(name)
    if (resolved instanceof Error) throw resolved
    return resolved
  }
  /** The watermark a DATE_TIME maximum at the instant `iso` is written as (a wall time in `tz`). */
  const written = (iso: string, tz: TimeZone, cell: unknown = Date.parse(iso) / 1000): string => {
    const text = literalText(cell, "DATE_TIME", tz.name)
    if (typeof text !== "string") throw text
    return text
  }
  const la = zone("America/Los_Angeles")

  it("writes a maximum in the first occurrence of a repeated hour one offset difference earlier", () => {
    // 2026-11-01 01:00-01:59 occurs in PDT (08:00-08:59Z), then again in PST (09:00-09:59Z).
    expect(written("2026-11-01T08:30:00Z", la)).toBe("2026-11-01 00:30:00")
    expect(written("2026-11-01T08:00:00Z", la)).toBe("2026-11-01 00:00:00")
    expect(written("2026-11-01T08:59:59Z", la)).toBe("2026-11-01 00:59:59")
    // Lord Howe falls back 30 minutes: 01:30-01:59 occurs at +11:00 (14:30-14:59Z), then at +10:30.
    expect(written("2026-04-04T14:45:00Z", zone("Australia/Lord_Howe"))).toBe("2026-04-05 01:15:00")
  })

  it("is the wall time in the zone also before its offsets were whole minutes", () => {
    // Los Angeles kept local mean time, UTC-7:52:58, until 1883-11-18: rendered with an offset such an instant is
    // written in UTC (…Z), which is no wall time there: 8 hours later, so the next run would skip rows.
    expect(la.offsetSeconds(Date.parse("1880-06-01T12:00:00Z") / 1000)).toBe(-(7 * 3600 + 52 * 60 + 58))
    expect(written("1880-06-01T12:00:00Z", la)).toBe("1880-06-01 04:07:02")
    expect(written("1880-06-01T12:00:00Z", la, { v: { s: Date.parse("1880-06-01T12:00:00Z") / 1000 } })).toBe(
      "1880-06-01 04:07:02"
    )
    // At 20:00:00Z that day its clocks went back 7:02 to PST, so 12:00:00-12:07:01 came twice: the last second of
    // mean time is written one offset difference earlier, like any first occurrence of a repeated wall time.
    expect(written("1883-11-18T19:52:57Z", la)).toBe("1883-11-18 11:59:59")
    expect(written("1883-11-18T19:59:59Z", la)).toBe("1883-11-18 11:59:59")
    expect(written("1883-11-18T20:07:01Z", la)).toBe("1883-11-18 12:07:01")
    // East of UTC too (it would read rows again): Kolkata's offset then has seconds as well.
    const kolkata = zone("Asia/Kolkata")
    const at = Date.parse("1880-06-01T12:00:00Z") / 1000
    expect(kolkata.offsetSeconds(at) % 60).not.toBe(0)
    const wall = new Date((at + kolkata.offsetSeconds(at)) * 1000).toISOString()
    expect(written("1880-06-01T12:00:00Z", kolkata)).toBe(`${wall.slice(0, 10)} ${wall.slice(11, 19)}`)
    // Whole-minute offsets as before; a maximum that is no date fails, saying why.
    expect(written("2021-07-08T15:58:41Z", la)).toBe("2021-07-08 08:58:41")
    const bad = literalText("abc", "DATE_TIME", "UTC")
    expect(bad instanceof Error && bad.message).toMatch(
      /^the maximum of the --since-column cannot be read as a DATE_TIME: /
    )
    expect(written("2021-07-08T15:58:41Z", zone("Asia/Kolkata"))).toBe("2021-07-08 21:28:41")
  })

  it("leaves any other instant as it is: the second occurrence, a normal one, one after a spring-forward gap, UTC", () => {
    const same = (iso: string, tz: TimeZone) => {
      const seconds = Date.parse(iso) / 1000
      expect(unambiguousWatermark(seconds, tz), `${iso} in ${tz.name}`).toBe(seconds)
    }
    // The second occurrence (both readings of 01:30 are at or before it), and the instants around the hour.
    same("2026-11-01T09:30:00Z", la)
    same("2026-11-01T09:00:00Z", la)
    same("2026-11-01T07:59:59Z", la)
    same("2026-11-01T10:00:00Z", la)
    same("2026-04-04T15:15:00Z", zone("Australia/Lord_Howe"))
    same("2026-07-15T20:00:00Z", la)
    // 2026-03-08 02:00-02:59 does not occur in Los Angeles: 01:59:59 PST is followed by 03:00:00 PDT.
    same("2026-03-08T09:59:59Z", la)
    same("2026-03-08T10:00:00Z", la)
    same("2026-11-01T08:30:00Z", UTC)
    same("2026-11-01T08:30:00Z", zone("UTC"))
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

describe("the state file", () => {
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
      const none = yield* Effect.flip(lastWatermark(dir, entry, "audit", "since", undefined, "https://a.example"))
      expect(none.message).toContain(NodePath.join(dir, stateDirName, watermarksFileName))
      const value = new Date(now).toISOString()
      yield* recordWatermarks(dir, [
        [watermarkId(entry), { kind: "audit", value, run_id: "r1", host: "https://a.example" }]
      ])
      expect(yield* lastWatermark(dir, entry, "audit", "since", undefined, "https://a.example")).toBe(value)
      const other = yield* Effect.flip(lastWatermark(dir, entry, "audit", "since", undefined, "https://b.example"))
      expect(other.message).toContain("recorded in")
      expect(other.message).toContain("for https://a.example, but this run reads https://b.example")
    }).pipe(Effect.provide(NodeServices.layer))
  )
})

/**
 * The state damaged or in the way: a file cut anywhere is refused as damaged (or read whole), never taken for another
 * point to continue from; something that is not a readable file there is named, never taken for a missing file (which
 * a run would then replace, dropping every other export's watermark).
 */
const host = "https://a.example"

const last = (dir: string, key: string) => lastWatermark(dir, audit(key), "audit", "since", undefined, host)

/** A folder whose state holds the watermarks of exports `a` and `b`. */
const recorded = () =>
  Effect.gen(function* () {
    const dir = tempDir()
    yield* recordWatermarks(dir, [
      [watermarkId(audit("a")), { kind: "audit", value: "2026-12-01T00:00:00.000Z", run_id: "r1", host }],
      [watermarkId(audit("b")), { kind: "audit", value: "2026-12-02T00:00:00.000Z", run_id: "r1", host }]
    ])
    return dir
  })

describe("damaged incremental state", () => {
  it.effect("watermarks-cut-at-any-length-are-refused-as-damaged-or-read-whole", () =>
    Effect.gen(function* () {
      const dir = yield* recorded()
      const file = NodePath.join(dir, stateDirName, watermarksFileName)
      const whole = NodeFs.readFileSync(file)
      for (let length = 0; length < whole.length; length++) {
        NodeFs.writeFileSync(file, whole.subarray(0, length))
        const exit = yield* Effect.exit(last(dir, "a"))
        if (Exit.isSuccess(exit)) expect(exit.value).toBe("2026-12-01T00:00:00.000Z")
        else expect(String(exit.cause)).toContain(`${file} is damaged`)
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-folder-in-place-of-the-watermarks-is-named-not-taken-for-no-earlier-run", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = NodePath.join(dir, stateDirName, watermarksFileName)
      NodeFs.mkdirSync(file, { recursive: true })
      const message = yield* Effect.flip(last(dir, "a")).pipe(Effect.map((e) => e.message))
      expect(message).toBe(
        `cannot read ${file} (EISDIR), where the incremental runs' state is kept: a folder of that name is in the way; move it away, then run again`
      )
      // Recording fails the same way; nothing is replaced.
      const recording = yield* Effect.flip(
        recordWatermarks(dir, [
          [watermarkId(audit("c")), { kind: "audit", value: "2026-12-03T00:00:00.000Z", run_id: "r2" }]
        ])
      ).pipe(Effect.map((e) => e.message))
      expect(recording).toContain(`cannot read ${file} (EISDIR)`)
      expect(NodeFs.statSync(file).isDirectory()).toBe(true)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-torn-watermarks-file-is-replaced-by-the-next-successful-run-with-its-own-entries", () =>
    Effect.gen(function* () {
      const dir = yield* recorded()
      const file = NodePath.join(dir, stateDirName, watermarksFileName)
      NodeFs.writeFileSync(file, NodeFs.readFileSync(file).subarray(0, 40))
      yield* recordWatermarks(dir, [
        [watermarkId(audit("c")), { kind: "audit", value: "2026-12-03T00:00:00.000Z", run_id: "r2", host }]
      ])
      expect(yield* last(dir, "c")).toBe("2026-12-03T00:00:00.000Z")
      const gone = yield* Effect.flip(last(dir, "a")).pipe(Effect.map((e) => e.message))
      expect(gone).toContain("needs an earlier successful run of this export")
    }).pipe(Effect.provide(NodeServices.layer))
  )
})

/**
 * The state file `name` of `dir` as JSON, changed by `edit`, written back; `earlier`: as an earlier version wrote it,
 * without the marker that its entries hold their digests.
 */
const editState = (
  dir: string,
  name: string,
  edit: (exports: Record<string, Record<string, unknown>>) => void,
  earlier = false
) => {
  const file = NodePath.join(dir, stateDirName, name)
  const state = JSON.parse(NodeFs.readFileSync(file, "utf8")) as {
    digests?: string
    exports: Record<string, Record<string, unknown>>
  }
  edit(state.exports)
  if (earlier) delete state.digests
  NodeFs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`)
}

describe("an edited incremental state entry", () => {
  it.effect("a-watermark-edited-into-another-valid-one-is-refused-saying-what-to-do", () =>
    Effect.gen(function* () {
      const dir = yield* recorded()
      // A day later: valid, and would skip a day of events without a word.
      editState(dir, watermarksFileName, (exports) => {
        exports[watermarkId(audit("a"))]!["value"] = "2026-12-02T00:00:00.000Z"
      })
      const message = yield* Effect.flip(last(dir, "a")).pipe(Effect.map((e) => e.message))
      expect(message).toBe(
        `audit a: its watermark in ${dir}/${stateDirName}/${watermarksFileName} was changed after its run wrote it (its sha256 does not match), so where the previous run left off is unknown and --since last could skip or repeat rows: run it once with --since given a starting point instead of "last" (its last run's manifest lists the watermark it recorded), and that run records its watermark anew`
      )
      // The other export's entry is as written.
      expect(yield* last(dir, "b")).toBe("2026-12-02T00:00:00.000Z")
      // A run given a starting point records it anew, sealed.
      yield* recordWatermarks(dir, [
        [watermarkId(audit("a")), { kind: "audit", value: "2026-12-04T00:00:00.000Z", run_id: "r2", host }]
      ])
      expect(yield* last(dir, "a")).toBe("2026-12-04T00:00:00.000Z")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-watermark-holding-no-instant-is-refused-as-damaged-saying-what-to-do", () =>
    Effect.gen(function* () {
      const dir = yield* recorded()
      // Month 13 and February 30 (which Date.parse rolls into March), in an entry of an earlier version (no
      // digest) and in one whose digest matches: neither is an instant a run writes.
      for (const [value, sealed] of [
        ["2026-13-07T21:23:19.978Z", false],
        ["2026-02-30T00:00:00.000Z", false],
        ["2026-13-07T21:23:19.978Z", true],
        ["last week", true]
      ] as const) {
        editState(
          dir,
          watermarksFileName,
          (exports) => {
            const id = watermarkId(audit("a"))
            const { sha256: _, ...entry }: Record<string, unknown> = { ...exports[id]!, value }
            exports[id] = sealed ? { ...entry, sha256: entryDigest(id, entry) } : entry
          },
          !sealed
        )
        const error = yield* Effect.flip(last(dir, "a"))
        expect(error._tag, value).toBe("UsageError")
        expect(error.message).toBe(
          `audit a: its watermark in ${dir}/${stateDirName}/${watermarksFileName} is damaged (${JSON.stringify(value)} is no instant), so where the previous run left off is unknown: run it once with --since given a starting point instead of "last" (its last run's manifest lists the watermark it recorded), and that run records its watermark anew`
        )
      }
      expect(yield* last(dir, "b")).toBe("2026-12-02T00:00:00.000Z")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-watermark-moved-to-another-export-is-refused", () =>
    Effect.gen(function* () {
      const dir = yield* recorded()
      editState(dir, watermarksFileName, (exports) => {
        exports[watermarkId(audit("b"))] = exports[watermarkId(audit("a"))]!
      })
      const message = yield* Effect.flip(last(dir, "b")).pipe(Effect.map((e) => e.message))
      expect(message).toContain("was changed after its run wrote it")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("an-earlier-versions-watermark-without-a-digest-is-read-as-it-is-and-sealed-by-the-next-change", () =>
    Effect.gen(function* () {
      const dir = yield* recorded()
      editState(
        dir,
        watermarksFileName,
        (exports) => {
          delete exports[watermarkId(audit("a"))]!["sha256"]
        },
        true
      )
      expect(yield* last(dir, "a")).toBe("2026-12-01T00:00:00.000Z")
      yield* recordWatermarks(dir, [
        [watermarkId(audit("c")), { kind: "audit", value: "2026-12-03T00:00:00.000Z", run_id: "r2", host }]
      ])
      const file = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, stateDirName, watermarksFileName), "utf8"))
      expect(file.digests).toBe("sha256")
      expect(file.exports[watermarkId(audit("a"))].sha256).toBeDefined()
      expect(yield* last(dir, "a")).toBe("2026-12-01T00:00:00.000Z")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-watermark-edited-with-its-digest-removed-is-refused-and-so-is-such-a-starting-point", () =>
    Effect.gen(function* () {
      const dir = yield* recorded()
      // A day later with the digest gone: it would skip a day of events if read as an earlier version's entry.
      editState(dir, watermarksFileName, (exports) => {
        const entry = exports[watermarkId(audit("a"))]!
        entry["value"] = "2026-12-02T00:00:00.000Z"
        delete entry["sha256"]
      })
      const message = yield* Effect.flip(last(dir, "a")).pipe(Effect.map((e) => e.message))
      expect(message).toBe(
        `audit a: its watermark in ${dir}/${stateDirName}/${watermarksFileName} was changed after its run wrote it (its sha256 was removed, which every entry of this file holds), so where the previous run left off is unknown and --since last could skip or repeat rows: run it once with --since given a starting point instead of "last" (its last run's manifest lists the watermark it recorded), and that run records its watermark anew`
      )
      expect(yield* last(dir, "b")).toBe("2026-12-02T00:00:00.000Z")

      const entry = audit("a")
      yield* recordStarted(dir, [
        [
          watermarkId(entry),
          { given: { since: "last", until: null }, resolved: { since: "2026-12-01T00:00:00.000Z", until: null }, host }
        ]
      ])
      editState(dir, startedFileName, (exports) => {
        const started = exports[watermarkId(entry)]!
        ;(started["resolved"] as Record<string, unknown>)["since"] = "2026-11-30T00:00:00.000Z"
        delete started["sha256"]
      })
      const resumed = yield* Effect.flip(startedOf(dir, entry, host)).pipe(Effect.map((e) => e.message))
      expect(resumed).toContain("was changed after its run wrote it (its sha256 was removed")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-later-versions-entry-with-fields-unknown-here-is-read-and-kept-as-written", () =>
    Effect.gen(function* () {
      const dir = yield* recorded()
      const id = watermarkId(audit("a"))
      editState(dir, watermarksFileName, (exports) => {
        const { sha256: _, ...entry }: Record<string, unknown> = { ...exports[id]!, precision: "ms" }
        exports[id] = { ...entry, sha256: entryDigest(id, entry) }
      })
      const before = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, stateDirName, watermarksFileName), "utf8"))
      expect(yield* last(dir, "a")).toBe("2026-12-01T00:00:00.000Z")
      yield* recordWatermarks(dir, [
        [watermarkId(audit("c")), { kind: "audit", value: "2026-12-03T00:00:00.000Z", run_id: "r2", host }]
      ])
      const after = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, stateDirName, watermarksFileName), "utf8"))
      expect(after.exports[id]).toEqual(before.exports[id])
      expect(yield* last(dir, "a")).toBe("2026-12-01T00:00:00.000Z")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("an-edited-starting-point-of-the-interrupted-run-is-refused-by-resume", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const entry = audit("a")
      const point = { since: "2026-12-01T00:00:00.000Z", until: "2026-12-02T00:00:00.000Z" }
      yield* recordStarted(dir, [
        [watermarkId(entry), { given: { since: "last", until: null }, resolved: point, host }]
      ])
      expect(yield* startedOf(dir, entry, host)).toEqual(point)
      editState(dir, startedFileName, (exports) => {
        ;(exports[watermarkId(entry)]!["resolved"] as Record<string, unknown>)["since"] = "2026-11-30T00:00:00.000Z"
      })
      const message = yield* Effect.flip(startedOf(dir, entry, host)).pipe(Effect.map((e) => e.message))
      expect(message).toBe(
        `audit a: its entry in ${NodePath.join(dir, stateDirName, startedFileName)} was changed after its run wrote it (its sha256 does not match), so where the interrupted run started is unknown and --resume cannot continue it: run without --resume (with --force) to start the export anew`
      )
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
