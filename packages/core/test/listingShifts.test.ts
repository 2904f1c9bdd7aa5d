/**
 * Listings whose items change while they are read (an object deleted or created between two pages): each later
 * page starts one item before where the previous one ended, and must start with that item, so a shift to the
 * left (which skips an item) fails the stream with `Incomplete` instead of ending short. Read through
 * `Pagination.untilEmptyPage` (the public entry) and the listing every other operation uses.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Exit, Stream } from "effect"
import { Pagination } from "../src/index.ts"
import { listAll } from "../src/internal/listing.ts"
import type { ThoughtSpotError } from "../src/ThoughtSpotError.ts"
import { failureOf, successOf } from "./exits.ts"

interface Item {
  readonly id?: string
}

/**
 * A listing served by position from `items`, as ThoughtSpot pages it; `between[n]` changes it after the n-th
 * request (1-based) was answered, i.e. between two pages.
 */
const source = (ids: ReadonlyArray<string | undefined>, between: Record<number, (items: Array<Item>) => void> = {}) => {
  const items: Array<Item> = ids.map((id) => (id === undefined ? {} : { id }))
  const requests: Array<readonly [number, number]> = []
  const fetch = (offset: number, size: number) =>
    Effect.sync(() => {
      requests.push([offset, size])
      const page = items.slice(offset, offset + size)
      between[requests.length]?.(items)
      return page
    })
  return { items, requests, fetch }
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `o${i}`)
const remove = (id: string) => (items: Array<Item>) => {
  items.splice(
    items.findIndex((item) => item.id === id),
    1
  )
}

const read = (listing: ReturnType<typeof source>, pageSize: number) =>
  Effect.exit(
    Stream.runCollect(
      listAll<Item>({ operation: "listObjects", pageSize, fetch: listing.fetch, keyOf: (item) => item.id })
    )
  )

const collected = (exit: Exit.Exit<ReadonlyArray<Item>, ThoughtSpotError>) => successOf(exit).map((item) => item.id)

const changed = (exit: Exit.Exit<ReadonlyArray<Item>, ThoughtSpotError>) => {
  const error = failureOf(exit)
  expect([error.operation, error.reason._tag]).toEqual(["listObjects", "Incomplete"])
  expect(error.message).toContain("the listing changed while it was read")
  expect(error.message).toContain("read it again")
  return error.message
}

describe("a listing that does not change", () => {
  it.effect(
    "every-later-page-starts-with-the-previous-page-s-last-item-and-the-page-bringing-nothing-new-ends-it",
    () =>
      Effect.gen(function* () {
        const listing = source(ids(7))
        expect(collected(yield* read(listing, 3))).toEqual(ids(7))
        expect(listing.requests).toEqual([
          [0, 3],
          [2, 3],
          [4, 3],
          [6, 3]
        ])
      })
  )

  it.effect("a-page-size-of-1-asks-for-2-items-on-every-later-page", () =>
    Effect.gen(function* () {
      const listing = source(ids(3))
      expect(collected(yield* read(listing, 1))).toEqual(ids(3))
      expect(listing.requests).toEqual([
        [0, 1],
        [0, 2],
        [1, 2],
        [2, 2]
      ])
    })
  )

  it.effect("an-empty-listing-is-one-request", () =>
    Effect.gen(function* () {
      const listing = source([])
      expect(collected(yield* read(listing, 3))).toEqual([])
      expect(listing.requests).toEqual([[0, 3]])
    })
  )
})

describe("a listing that changes between two pages", () => {
  it.effect("an-item-deleted-before-the-read-position-fails-instead-of-skipping-the-item-on-the-page-boundary", () =>
    Effect.gen(function* () {
      // o3 would move to position 3, where the next page (from o2) no longer looks: it would never be seen.
      const message = changed(yield* read(source(ids(7), { 1: remove("o0") }), 3))
      expect(message).toContain("the page at position 3 starts with item o3, not with item o2")
    })
  )

  it.effect("an-item-created-before-the-read-position-fails", () =>
    Effect.gen(function* () {
      const message = changed(yield* read(source(ids(7), { 1: (items) => items.unshift({ id: "new" }) }), 3))
      expect(message).toContain("starts with item o1, not with item o2")
    })
  )

  it.effect("the-overlap-item-itself-deleted-fails", () =>
    Effect.gen(function* () {
      const message = changed(yield* read(source(ids(7), { 2: remove("o4") }), 3))
      expect(message).toContain("the page at position 5 starts with item o5, not with item o4")
    })
  )

  it.effect("a-listing-that-now-ends-before-the-last-item-read-fails-unless-it-ends-with-an-item-read", () =>
    Effect.gen(function* () {
      // o3 was listed all along, yet after o1 and o2 go it stands at position 2, before the next page (from o2's
      // position 3): an empty answer there cannot be taken for the end. The listing's new end, read then, is o3.
      const both = (items: Array<Item>) => {
        remove("o1")(items)
        remove("o2")(items)
      }
      const skipped = source(ids(4), { 1: both })
      const message = changed(yield* read(skipped, 3))
      expect(message).toContain("it now ends before position 3, where item o2 (the last item read) was")
      expect(skipped.requests).toEqual([
        [0, 3],
        [2, 3],
        [0, 3]
      ])
      // The last items deleted after they were read: the listing now ends with o1, read, so nothing was skipped.
      const tail = source(ids(4), { 1: (items) => items.splice(2, 2) })
      expect(collected(yield* read(tail, 3))).toEqual(ids(3))
      expect(tail.requests).toEqual([
        [0, 3],
        [2, 3],
        [0, 3]
      ])
    })
  )

  it.effect("changes-after-the-read-position-are-read-as-they-are-then", () =>
    Effect.gen(function* () {
      const deleted = source(ids(7), { 1: remove("o5") })
      expect(collected(yield* read(deleted, 3))).toEqual(["o0", "o1", "o2", "o3", "o4", "o6"])
      const created = source(ids(7), { 1: (items) => items.push({ id: "new" }) })
      expect(collected(yield* read(created, 3))).toEqual([...ids(7), "new"])
    })
  )

  it.effect("pagination-untilEmptyPage-reads-the-same-way", () =>
    Effect.gen(function* () {
      const guard = {
        operation: "searchMetadata",
        keyOf: (item: Item) => item.id ?? "?",
        idOf: (item: Item) => item.id
      }
      const steady = source(ids(5))
      expect(yield* Stream.runCollect(Pagination.untilEmptyPage(2, steady.fetch, guard))).toEqual(steady.items)
      expect(steady.requests).toEqual([
        [0, 2],
        [1, 2],
        [2, 2],
        [3, 2],
        [4, 2]
      ])
      const shifted = source(ids(5), { 1: remove("o0") })
      const error = failureOf(yield* Effect.exit(Stream.runCollect(Pagination.untilEmptyPage(2, shifted.fetch, guard))))
      expect(error.reason._tag).toBe("Incomplete")
      expect(error.message).toContain("starts with item o2, not with item o1")
    })
  )
})

describe("items without an identity", () => {
  it.effect("are-kept-inside-a-page-but-a-page-may-not-end-on-one", () =>
    Effect.gen(function* () {
      // Nothing could prove the next page starts with it: another item without id in its place looks the same.
      const inside = source(["o0", undefined, undefined, "o3", "o4"])
      expect(collected(yield* read(inside, 4))).toEqual(["o0", undefined, undefined, "o3", "o4"])
      const error = failureOf(yield* read(source(["o0", undefined, "o2", "o3"]), 2))
      expect(error.reason._tag).toBe("Incomplete")
      expect(error.message).toContain("the item at position 2 ends a page and has no id")
    })
  )

  it.effect("a-later-page-starting-with-one-is-a-changed-listing", () =>
    Effect.gen(function* () {
      const message = changed(yield* read(source(ids(4), { 1: (items) => items.splice(1, 2, {}, {}) }), 2))
      expect(message).toContain("starts with an item without id, not with item o1")
    })
  )
})
