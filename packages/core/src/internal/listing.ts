/**
 * Listings read with an offset and a size (`metadata/search`, users, groups, TML batches, …): ThoughtSpot gives no
 * total and no snapshot, so a listing is read page by page, and every page is checked against what paging
 * promises. The one implementation of that rule (`Pagination.untilEmptyPage` delegates here).
 *
 * Each page after the first is asked for from one item before where the previous page ended, with the same size
 * (so a server's maximum, such as the TML batch's 200, still holds; a page size of 1 asks for 2 from then on), and
 * its first item must be the previous page's last item. If it is not, an item before the read position was deleted
 * or created while the listing was read: the items after it moved by one, and one of them may never be seen. The
 * stream then fails with `Incomplete` ("read it again") instead of ending short. The listing ends when a page
 * brings nothing after that overlap item, or when it has shrunk below it and now ends with an item already read. A page with more items than asked for, the same page sent again, or an
 * item that already came on an earlier page fails the same way: a listing is complete or it is an error.
 */
import { Effect, Option, Stream } from "effect"
import type { ThoughtSpotError } from "../ThoughtSpotError.ts"
import * as Classify from "./classify.ts"

/** How to read one listing. */
export interface Listing<A, E = never> {
  readonly operation: string
  /** Items per request (`record_size`), at least 1 (1 asks for 2 items on every page after the first). */
  readonly pageSize: number
  /** One page: `offset` and `size` go into the request's own paging fields. */
  readonly fetch: (offset: number, size: number) => Effect.Effect<ReadonlyArray<A>, ThoughtSpotError | E>
  /** An item's identity (e.g. its GUID), or `undefined` for an item that has none. */
  readonly keyOf: (item: A) => string | undefined
}

interface Cursor {
  /** Where the next request starts. */
  readonly offset: number
  /** The previous page's last item (`undefined` before the first page), which the next page must start with. */
  readonly overlap: string | undefined
  /** The previous page's first item, to tell a page sent again. */
  readonly previousFirst: string | undefined
}

const named = (key: string | undefined): string => (key === undefined ? "an item without id" : `item ${key}`)

/** Every item of a listing, in order, each exactly once (see the module comment). */
export const listAll = <A, E = never>(listing: Listing<A, E>): Stream.Stream<A, ThoughtSpotError | E> =>
  Stream.unwrap(
    Effect.suspend(() => {
      // A server may answer a size of 0 with an empty page, which would read as "nothing listed".
      if (!Number.isInteger(listing.pageSize) || listing.pageSize < 1) {
        return Effect.fail(
          Classify.badInput(
            listing.operation,
            `the page size (the pageSize option) must be a whole number of at least 1, got ${listing.pageSize}`
          )
        )
      }
      const { operation, pageSize, fetch, keyOf } = listing
      // Later pages repeat one item, so they need room for at least one more.
      const laterSize = Math.max(2, pageSize)
      const fail = (description: string) => Effect.fail(Classify.incomplete(operation, description))
      // Per run of the stream: the keys seen so far (O(items), as small as the listing's identities).
      const seen = new Map<string, number>()
      // An empty answer where the last item read was: the listing shrank under the read. That alone proves
      // nothing (had two items before the read position gone, one never read would now stand before `offset`), so
      // its new end is read: if the listing now ends with an item already read, every item listed all along has
      // come (one never read would stand after it), and the listing ends there.
      const endsWithItemRead = (offset: number, size: number) =>
        Effect.map(fetch(Math.max(0, offset + 1 - size), size), (tail) => {
          const last = tail.length === 0 ? undefined : keyOf(tail[tail.length - 1]!)
          return tail.length < size && last !== undefined && seen.has(last)
        })
      const start: Cursor = { offset: 0, overlap: undefined, previousFirst: undefined }
      return Effect.succeed(
        Stream.paginate(start, ({ offset, overlap, previousFirst }: Cursor) => {
          const firstPage = offset === 0 && overlap === undefined
          const size = firstPage ? pageSize : laterSize
          return Effect.flatMap(fetch(offset, size), (items) => {
            if (items.length > size) {
              return fail(
                `asked for ${size} items at record_offset ${offset}, the server sent ${items.length}: it does not page as documented, so the listing cannot be trusted`
              )
            }
            if (items.length === 0) {
              if (firstPage) return Effect.succeed([items, Option.none<Cursor>()] as const)
              return Effect.flatMap(endsWithItemRead(offset, size), (ended) =>
                ended
                  ? Effect.succeed([items, Option.none<Cursor>()] as const)
                  : fail(
                      `the listing changed while it was read: it now ends before position ${offset + 1}, where ${named(overlap)} (the last item read) was, and not with an item already read; an item may be missing; read it again`
                    )
              )
            }
            const first = keyOf(items[0]!)
            if (!firstPage && (first === undefined || first !== overlap)) {
              if (first !== undefined && first === previousFirst) {
                return fail(
                  `the server sent the same page again for record_offset ${offset} (first item ${first}); it seems to ignore paging, so the listing cannot be completed`
                )
              }
              return fail(
                `the listing changed while it was read: the page at position ${offset + 1} starts with ${named(first)}, not with item ${overlap} (the last item of the previous page): an item before it was deleted or created, so an item may be missing; read it again`
              )
            }
            // The overlap item was emitted with the previous page.
            const fresh = firstPage ? 0 : 1
            for (let index = fresh; index < items.length; index++) {
              const key = keyOf(items[index]!)
              if (key === undefined) continue
              const earlier = seen.get(key)
              if (earlier !== undefined) {
                return fail(
                  `item ${key} came at position ${earlier + 1} and again at position ${offset + index + 1}: the listing changed while it was read (or the server ignores record_offset), so an item may be missing; read it again`
                )
              }
              seen.set(key, offset + index)
            }
            const emitted = fresh === 0 ? items : items.slice(fresh)
            // Nothing after the overlap item: the listing ends with it, and each page began where the one before
            // it ended, so every item that was listed all along has come.
            if (emitted.length === 0) return Effect.succeed([emitted, Option.none<Cursor>()] as const)
            const end = offset + items.length
            const last = keyOf(items[items.length - 1]!)
            // The next page's first item is the proof that nothing moved; an item without id cannot be told from
            // another item that took its place, so the listing is refused rather than taken on trust.
            if (last === undefined) {
              return fail(
                `the item at position ${end} ends a page and has no id, so the next page cannot be checked against it (an item deleted or created meanwhile would go unnoticed): the listing cannot be read completely; read it with another page size, so that no page ends on an item without id`
              )
            }
            return Effect.succeed([
              emitted,
              Option.some<Cursor>({ offset: end - 1, overlap: last, previousFirst: first })
            ] as const)
          })
        })
      )
    })
  )
