/**
 * Listings read with `record_offset`/`record_size` (users, groups, TML batches, …): ThoughtSpot gives no total,
 * so a listing is read page by page until an **empty** page (a filtered page may be short before the end), and
 * every page is checked against what paging promises. A page with more items than asked for, the same page sent
 * again, or an item that already came on an earlier page (the listing shifted while it was read, so another item
 * may have been skipped) fails the stream with `Incomplete`: a listing is complete or it is an error.
 */
import { Effect, Option, Stream } from "effect"
import type { ThoughtSpotError } from "../ThoughtSpotError.ts"
import * as Classify from "./classify.ts"

/** How to read one listing. */
export interface Listing<A> {
  readonly operation: string
  /** Items per request (`record_size`), at least 1. */
  readonly pageSize: number
  /** One page: `offset` and `size` go into the request's own paging fields. */
  readonly fetch: (offset: number, size: number) => Effect.Effect<ReadonlyArray<A>, ThoughtSpotError>
  /** An item's identity (e.g. its GUID), to find an item listed twice. */
  readonly keyOf: (item: A) => string
}

/** Every item of a listing, in order, each exactly once (see the module comment). */
export const listAll = <A>(listing: Listing<A>): Stream.Stream<A, ThoughtSpotError> =>
  Stream.unwrap(
    Effect.suspend(() => {
      if (!Number.isInteger(listing.pageSize) || listing.pageSize < 1) {
        return Effect.fail(
          Classify.badInput(
            listing.operation,
            `the page size (the pageSize option) must be a whole number of at least 1, got ${listing.pageSize}`
          )
        )
      }
      // Per run of the stream: the keys seen so far (O(items), as small as the listing's identities).
      const seen = new Map<string, number>()
      return Effect.succeed(
        Stream.paginate(0, (offset: number) =>
          Effect.flatMap(listing.fetch(offset, listing.pageSize), (items) => {
            if (items.length > listing.pageSize) {
              return Effect.fail(
                Classify.incomplete(
                  listing.operation,
                  `asked for ${listing.pageSize} items at record_offset ${offset}, the server sent ${items.length}: it does not page as documented, so the listing cannot be trusted`
                )
              )
            }
            for (let index = 0; index < items.length; index++) {
              const key = listing.keyOf(items[index]!)
              const earlier = seen.get(key)
              if (earlier !== undefined) {
                return Effect.fail(
                  Classify.incomplete(
                    listing.operation,
                    `item ${key} came at position ${earlier + 1} and again at position ${offset + index + 1}: the listing changed while it was read (or the server ignores record_offset), so an item may be missing; read it again`
                  )
                )
              }
              seen.set(key, offset + index)
            }
            const next = items.length === 0 ? Option.none<number>() : Option.some(offset + items.length)
            return Effect.succeed([items, next] as const)
          })
        )
      )
    })
  )
