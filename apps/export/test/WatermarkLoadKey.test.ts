/**
 * Watermark.ts: a job's `loadKey` (how its tables are merged) is no part of an export's identity, so switching a
 * job from merge to append, or to another key, keeps its watermark; an entry an earlier version kept under an id
 * that held the key is still found (the latest run's, of several), for `last` and for `--resume`.
 */
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeExport } from "../src/plan/JobFile.ts"
import { lastWatermark, recordStarted, recordWatermarks, startedOf, watermarkId } from "../src/plan/Watermark.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-watermark-load-key-")
const host = "https://a.example"

/** The job file's search export `orders`, merged by `loadKey` when given. */
const orders = (loadKey?: ReadonlyArray<string>) =>
  makeExport({
    index: 0,
    key: "orders",
    what: "orders",
    spec: {
      type: "search",
      table: "Orders",
      query: "[Order ID] [Revenue]",
      sinceColumn: "Order ID",
      since: "last",
      ...(loadKey === undefined ? {} : { loadKey })
    } as Parameters<typeof makeExport>[0]["spec"],
    format: "csv",
    timezone: undefined,
    pageSize: 10,
    strict: false
  })

/** The id an earlier version kept `orders` merged by `loadKey` under: its reads with the key, keys sorted. */
const earlierId = (loadKey: ReadonlyArray<string>) => {
  const id = watermarkId(orders())
  const at = id.indexOf(" ")
  const reads = { ...JSON.parse(id.slice(at + 1)), loadKey }
  const sorted = Object.fromEntries(Object.entries(reads).sort(([a], [b]) => (a < b ? -1 : 1)))
  return `${id.slice(0, at)} ${JSON.stringify(sorted)}`
}

const mark = (value: string, run_id: string) => ({ kind: "column" as const, column: "Order ID", value, run_id, host })
const last = (dir: string, loadKey?: ReadonlyArray<string>) =>
  lastWatermark(dir, orders(loadKey), "column", "since", "Order ID", host)

describe("a watermark and loadKey", () => {
  it("the-id-is-the-same-with-any-loadKey-or-none", () => {
    expect(watermarkId(orders(["Order ID"]))).toBe(watermarkId(orders()))
    expect(watermarkId(orders(["Region", "Order ID"]))).toBe(watermarkId(orders()))
  })

  it.effect("a-job-switched-from-merge-to-append-or-to-another-key-keeps-its-watermark", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      yield* recordWatermarks(dir, [[watermarkId(orders(["Order ID"])), mark("120", "20261201T000000000Z-aaaa")]])
      expect(yield* last(dir)).toBe("120")
      expect(yield* last(dir, ["Region"])).toBe("120")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("an-earlier-versions-entry-under-an-id-with-the-key-is-found-the-latest-runs-of-several", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      yield* recordWatermarks(dir, [
        [earlierId(["Order ID"]), mark("120", "20261202T000000000Z-aaaa")],
        [earlierId(["Region"]), mark("90", "20261201T000000000Z-bbbb")]
      ])
      // As merged before, as an append now, and by another key.
      expect(yield* last(dir, ["Order ID"])).toBe("120")
      expect(yield* last(dir)).toBe("120")
      expect(yield* last(dir, ["Customer"])).toBe("120")
      // Once a run records under the id without the key, that entry is the one read.
      yield* recordWatermarks(dir, [[watermarkId(orders()), mark("150", "20261203T000000000Z-cccc")]])
      expect(yield* last(dir, ["Order ID"])).toBe("150")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("resume-finds-the-starting-point-an-earlier-version-kept-under-an-id-with-the-key", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const point = { since: "120" }
      yield* recordStarted(dir, [[earlierId(["Order ID"]), { given: { since: "last" }, resolved: point, host }]])
      expect(yield* startedOf(dir, orders(["Order ID"]), host)).toEqual(point)
      expect(yield* startedOf(dir, orders(), host)).toEqual(point)
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
