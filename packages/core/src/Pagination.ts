/**
 * Paged reads as `Stream`s.
 *
 * Data endpoints (`searchdata`, answer and liveboard data) are read with a fixed `record_size`. The first page
 * tells the total (`available_data_row_count`); the following pages are then fetched with bounded
 * concurrency and emitted strictly in order, so memory stays O(pages in flight), never O(result). Every page
 * is checked: same columns and total as the first, exactly the rows expected at its offset — a short page
 * before the end, extra rows or a changing total fail the stream with `Incomplete`, never a silent partial
 * result. A `sampling_ratio` below 1 is reported on the page as a warning, and logged at warning level once per
 * stream (a program could otherwise take a sample for the whole result without a word).
 *
 * A page whose `data_rows` bytes are identical to the previous page's is reported as a `RepeatedPage` warning
 * (or, with `repeatedPage: "fail"`, fails the stream with `Incomplete`): a server that answers one offset with
 * another's page passes every count check, and the rows it never sent would be missing without a word. A
 * result may hold two identical pages (e.g. 20 000 identical rows), hence a warning by default. The check
 * compares each page's `data_rows` length (free) and CRC-32 (native, ~7 GB/s: ~4 ms for a 25 MB page) with
 * the previous page's: an identical page is always caught, and a different page of the same length is taken
 * for a repeat only when their CRC-32s collide (a chance of 1 in 2^32).
 *
 * A stream may start at `startOffset` (a multiple of the page size, to continue an interrupted read without
 * fetching again what was already consumed): the first request is at that offset and its total is the
 * reference; page indexes and offsets stay those of the whole result, so the checks are the same. A start past
 * the end fails with `Incomplete`; one exactly at the end gives a single page of 0 rows.
 *
 * `metadata/search` has no total: it is read as every listing is ({@link untilEmptyPage}), each page overlapping
 * the previous one by one item to see the listing shift while it is read.
 */
import { Effect, Stream } from "effect"
import * as Classify from "./internal/classify.ts"
import { listAll } from "./internal/listing.ts"
import * as PageRows from "./internal/pageRows.ts"
import { BadPage } from "./internal/pageRows.ts"
import type { ThoughtSpotError } from "./ThoughtSpotError.ts"

/** Default rows per data request. */
export const DEFAULT_PAGE_SIZE = 10_000
/** ThoughtSpot's documented maximum rows per data request. */
export const MAX_PAGE_SIZE = 100_000
/** Default data pages fetched ahead of the consumer. */
export const DEFAULT_PREFETCH = 2

/** Something the caller should know about a page, e.g. to record in a manifest. */
export type DataWarning =
  | {
      readonly _tag: "Sampled"
      /** ThoughtSpot's `sampling_ratio` (< 1: the result is a sample, not complete). */
      readonly samplingRatio: number
      readonly message: string
    }
  | {
      /** This page's `data_rows` are byte-identical to the previous page's: rows may be missing. */
      readonly _tag: "RepeatedPage"
      /** 0-based index of the page it repeats. */
      readonly repeats: number
      readonly message: string
    }

/** What a stream does with a page whose rows are byte-identical to the previous page's. */
export type RepeatedPagePolicy = "warn" | "fail"

/**
 * What a stream says of a sampled result (`sampling_ratio` < 1), besides the `Sampled` warning on each page: a
 * warning logged once per stream (`"warn"`, the default), or nothing (`"quiet"`, for a caller that reports the
 * pages' warnings itself).
 */
export type SampledPolicy = "warn" | "quiet"

/**
 * A page's `data_rows` as its bytes' length and CRC-32: two pages with the same fingerprint are taken for the
 * same bytes (see the module comment).
 */
export interface RowsFingerprint {
  readonly length: number
  readonly crc32: number
}

/**
 * Rows in COMPACT form (arrays aligned with the column names). Cells are as ThoughtSpot sent them (strings,
 * numbers, booleans, null, date objects), except that integers beyond 2^53 are exact `bigint`s.
 */
export type Rows = ReadonlyArray<ReadonlyArray<unknown>>

/**
 * One page of a data result. Its rows are COMPACT {@link Rows} unless the stream was given a
 * {@link PageReader}, whose answer for the page they then are (form `R`).
 */
export interface DataPage<R = Rows> {
  /** Result column names, identical on every page of a stream. */
  readonly columnNames: ReadonlyArray<string>
  /** The rows, in the stream's form. */
  readonly rows: R
  /** Number of rows on this page. */
  readonly rowCount: number
  /** Offset of the first row of this page in the whole result. */
  readonly recordOffset: number
  /** 0-based page number. */
  readonly pageIndex: number
  /**
   * Pages of the whole result in this page size, counted from page 0 (so `pageIndex` < `pageCount`; an empty
   * page, as of an empty result or a read that starts at the end, counts as one).
   */
  readonly pageCount: number
  /** `available_data_row_count`: the rows of the whole result. */
  readonly availableRowCount: number
  /** `sampling_ratio` (1 = complete). */
  readonly samplingRatio: number
  /** Warnings about this page (empty in the normal case). */
  readonly warnings: ReadonlyArray<DataWarning>
  /** Liveboard pages: the visualization. */
  readonly visualizationId?: string
  readonly visualizationName?: string
}

/** A data page's checked envelope: the fields of a response around its `data_rows`. */
export interface PageEnvelope {
  /** `column_names`. */
  readonly columnNames: ReadonlyArray<string>
  /** `returned_data_row_count`: the rows the page says it holds. */
  readonly rowCount: number
  /** `record_offset`. */
  readonly recordOffset: number
  /** `available_data_row_count`. */
  readonly availableRowCount: number
  /** `sampling_ratio`. */
  readonly samplingRatio: number
  /** Liveboard pages: the visualization. */
  readonly visualizationId?: string | undefined
  readonly visualizationName?: string | undefined
}

/**
 * One data page as it arrived: its checked envelope and the response body's bytes, with the span
 * `[start, end)` of its `data_rows` array in them. Nothing of the rows is decoded. It is lent to a
 * {@link PageReader} for the time of the reader's effect only: then the client reuses the body's memory for a
 * later response, so a reader copies whatever it keeps (a view of `bytes` kept would see another page).
 *
 * The envelope (everything outside `data_rows`) has been parsed and checked: valid UTF-8 JSON with the
 * documented fields. The rows have not: `bytes.subarray(start, end)` is the page's `data_rows` array if the
 * body is valid JSON, and a reader must check that it is — one JSON array of `rowCount` rows that ends exactly
 * at `end` — or answer with a {@link BadPage} (`malformed`: the page is requested again). {@link parseRows}
 * does all of that.
 */
export interface PageBytes extends PageEnvelope {
  /** The whole response body (UTF-8 outside `data_rows`; inside, the reader refuses bytes that are not). */
  readonly bytes: Uint8Array
  /** Index of the `[` that opens `data_rows`. */
  readonly start: number
  /** Index just after the `]` that closes it. */
  readonly end: number
}

/**
 * Reads one lent page (see {@link PageBytes}) into the form `A` that the stream then emits as
 * `DataPage<A>.rows`. It runs as soon as the page's response has arrived (pages fetched ahead are read while
 * the consumer works on earlier ones), and the body's memory is reused once its effect has ended, however it
 * ends. A page it finds broken it fails with a {@link BadPage}.
 */
export type PageReader<A> = (page: PageBytes) => Effect.Effect<A, BadPage>

export { BadPage }

/**
 * The rows of a lent page parsed exactly (integers beyond 2^53 as `bigint`) and checked: the span is one JSON
 * array of `page.rowCount` rows of `page.columnNames.length` cells, valid UTF-8, ending at `page.end`. With
 * `exactNumbers`, every number keeps its spelling (`parseJsonExact`'s `exactNumbers`: `JsonNumber` for `1.50`,
 * `1e400`, …), for a reader that writes numbers as sent.
 */
export const parseRows = (
  page: PageBytes,
  options?: { readonly exactNumbers?: boolean | undefined }
): Effect.Effect<Rows, BadPage> => {
  const rows = PageRows.parse(page, options?.exactNumbers === true)
  return rows instanceof BadPage ? Effect.fail(rows) : Effect.succeed(rows)
}

/** A fetched, self-consistent page (checked by the endpoint decoder) before stream-level checks. */
export interface PageContent<R = Rows> extends PageEnvelope {
  readonly rows: R
  /** The `data_rows` bytes' fingerprint, when the reader located them (pages are compared only then). */
  readonly fingerprint?: RowsFingerprint | undefined
}

/**
 * What a data fetch gives: the checked page, or the effect that reads it from a response already received. A
 * stream runs such an effect only when the page's turn comes, so pages fetched ahead wait as bytes rather
 * than as parsed rows (see {@link dataPages}).
 */
export type Fetched<R> = PageContent<R> | Effect.Effect<PageContent<R>, ThoughtSpotError>

const resolve = <R>(fetched: Fetched<R>): Effect.Effect<PageContent<R>, ThoughtSpotError> =>
  Effect.isEffect(fetched) ? fetched : Effect.succeed(fetched)

/** Fails unless `pageSize` is a whole number in 1‥100 000. */
export const checkPageSize = (operation: string, pageSize: number): Effect.Effect<number, ThoughtSpotError> =>
  Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= MAX_PAGE_SIZE
    ? Effect.succeed(pageSize)
    : Effect.fail(
        Classify.badInput(
          operation,
          `page size ${pageSize} is out of range: use a whole number from 1 to ${MAX_PAGE_SIZE} (ThoughtSpot returns at most ${MAX_PAGE_SIZE} rows per request)`
        )
      )

/**
 * Fails unless `startOffset` is a whole number ≥ 0 and a multiple of `pageSize` (pages are requested at
 * multiples of the page size, so any other offset would shift every page).
 */
export const checkStartOffset = (
  operation: string,
  startOffset: number,
  pageSize: number
): Effect.Effect<number, ThoughtSpotError> =>
  Number.isSafeInteger(startOffset) && startOffset >= 0 && startOffset % pageSize === 0
    ? Effect.succeed(startOffset)
    : Effect.fail(
        Classify.badInput(
          operation,
          `start offset ${startOffset} is not valid: use a whole multiple of the page size (${pageSize}) from 0, e.g. the number of rows already read in whole pages`
        )
      )

const sameColumns = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((name, i) => name === b[i])

/**
 * The pages of one data result from `startOffset` (default 0, checked by {@link checkStartOffset}): `first` (if
 * already fetched, as for liveboards) or `fetch(startOffset)`, then `fetch(offset)` for the rest, `prefetch` at
 * a time, in order. A fetch that gives a reading effect ({@link Fetched}) has it run in order, once the consumer
 * asks for that page: at most one page is parsed beyond the one the consumer holds, however deep the prefetch.
 */
export const dataPages = <R>(options: {
  readonly operation: string
  readonly pageSize: number
  readonly prefetch: number
  readonly fetch: (offset: number) => Effect.Effect<Fetched<R>, ThoughtSpotError>
  readonly first?: PageContent<R>
  readonly startOffset?: number
  /** A page byte-identical to the previous one: a warning on the page (default), or a failure. */
  readonly repeatedPage?: RepeatedPagePolicy
  /** A sampled result: a warning logged once (default), or only the pages' warnings. */
  readonly sampled?: SampledPolicy
  /** What messages call the result (default `operation`), e.g. `answerData "Sales"`. */
  readonly label?: string
}): Stream.Stream<DataPage<R>, ThoughtSpotError> => {
  // Only these are captured by the closures below — never `options` or a page itself, whose rows would otherwise
  // stay reachable as long as the stream value does (one page of memory for nothing).
  const { operation, pageSize, fetch } = options
  const failOnRepeat = options.repeatedPage === "fail"
  const logSampled = options.sampled !== "quiet"
  const source = options.label ?? operation
  const prefetch = Math.max(1, options.prefetch)
  const startOffset = options.startOffset ?? 0
  const firstIndex = Math.floor(startOffset / pageSize)
  // An already fetched first page (liveboards) is handed to the first run only; a later run fetches it again.
  let given = options.first
  return Stream.unwrap(
    Effect.gen(function* () {
      let held: PageContent<R> | undefined = given ?? (yield* Effect.flatMap(fetch(startOffset), resolve))
      given = undefined
      const total = held.availableRowCount
      const columnNames = held.columnNames
      const visualizationName = held.visualizationName
      const label = visualizationName === undefined ? source : `${source} "${visualizationName}"`
      // A start past the end means the result shrank since the read being continued (or the offset is wrong):
      // an empty page there would pass for "nothing left". A start exactly at the end (the previous read got
      // every page) gets one empty page, the stream's last, with the columns and total for the caller to check.
      if (startOffset > total) {
        return yield* Classify.incomplete(
          operation,
          `${visualizationName === undefined ? "" : `visualization "${visualizationName}": `}start offset ${startOffset} is past the end of the result, which has ${total} rows: it shrank since the read being continued, or the offset is wrong; read it again from the start`,
          { expectedRows: total, receivedRows: 0 }
        )
      }
      const pageCount = Math.max(firstIndex + 1, Math.ceil(total / pageSize))
      let sampledLogged = false
      /** The previous page's fingerprint (pages are checked in order). */
      let previous: RowsFingerprint | undefined

      const check = (content: PageContent<R>, pageIndex: number): Effect.Effect<DataPage<R>, ThoughtSpotError> => {
        const offset = pageIndex * pageSize
        const expected = Math.max(0, Math.min(pageSize, total - offset))
        const rowCount = content.rowCount
        const received = offset + rowCount
        if (content.availableRowCount !== total) {
          // The data itself changed (rows loaded or deleted): no sort clause keeps a total from changing, so the
          // only advice is a new read, from the start since the rows already read may have changed too.
          return Effect.fail(
            Classify.incomplete(
              operation,
              `the result changed while paging: ${total} rows announced, then ${content.availableRowCount} at offset ${offset}: the data changed during the read; read it again from the start`,
              { expectedRows: total, receivedRows: offset }
            )
          )
        }
        if (!sameColumns(content.columnNames, columnNames)) {
          return Effect.fail(
            Classify.incomplete(operation, `the result columns changed at offset ${offset}; rerun the export`, {
              expectedRows: total,
              receivedRows: offset
            })
          )
        }
        if (rowCount !== expected) {
          return Effect.fail(
            Classify.incomplete(
              operation,
              rowCount < expected
                ? `short page at offset ${offset}: ${rowCount} rows where ${expected} were due; ${received} of ${total} rows received${
                    // On the first page read, what a cluster that caps rows per request answers.
                    pageIndex === firstIndex && rowCount > 0
                      ? `; if ThoughtSpot answers at most ${rowCount} rows per request here, use a page size of at most ${rowCount}`
                      : ""
                  }`
                : `page at offset ${offset} has ${rowCount} rows, more than the ${expected} announced`,
              { expectedRows: total, receivedRows: Math.min(received, total) }
            )
          )
        }
        const warnings: Array<DataWarning> = []
        let log: Effect.Effect<void> = Effect.void
        const fingerprint = content.fingerprint
        const repeated =
          rowCount > 0 &&
          pageIndex > firstIndex &&
          fingerprint !== undefined &&
          previous !== undefined &&
          fingerprint.length === previous.length &&
          fingerprint.crc32 === previous.crc32
        previous = fingerprint
        if (repeated) {
          const message = `page ${pageIndex + 1} (rows ${offset + 1}–${offset + rowCount}) is byte-identical to page ${pageIndex}: the server may have repeated a page; rows may be missing`
          if (failOnRepeat) {
            return Effect.fail(
              Classify.incomplete(
                operation,
                visualizationName === undefined ? message : `visualization "${visualizationName}": ${message}`,
                { expectedRows: total, receivedRows: offset }
              )
            )
          }
          warnings.push({ _tag: "RepeatedPage", repeats: pageIndex - 1, message })
          log = Effect.logDebug(`${label}: ${message}`) // callers surface `warnings` themselves
        }
        if (content.samplingRatio < 1) {
          const message = `${label}: ThoughtSpot returned a sample (sampling_ratio ${content.samplingRatio}), not the complete result`
          warnings.push({ _tag: "Sampled", samplingRatio: content.samplingRatio, message })
          if (!sampledLogged) {
            sampledLogged = true
            if (logSampled) log = Effect.andThen(log, Effect.logWarning(message))
          }
        }
        return Effect.as(log, {
          columnNames,
          rows: content.rows,
          rowCount,
          recordOffset: offset,
          pageIndex,
          pageCount,
          availableRowCount: total,
          samplingRatio: content.samplingRatio,
          warnings,
          ...(content.visualizationId === undefined ? {} : { visualizationId: content.visualizationId }),
          ...(content.visualizationName === undefined ? {} : { visualizationName: content.visualizationName })
        } satisfies DataPage<R>)
      }

      // The first page is handed over once and then forgotten, so it is freed as soon as the consumer lets go
      // of it; a stream run again (a retried export) fetches it again.
      const head = Stream.fromEffect(
        Effect.suspend((): Effect.Effect<Fetched<R>, ThoughtSpotError> => {
          const content = held
          held = undefined
          return content === undefined ? fetch(startOffset) : Effect.succeed(content)
        })
      ).pipe(Stream.map((fetched) => [fetched, firstIndex] as const))
      // Ordered `mapEffect` with concurrency n holds at most n fetched-or-fetching pages besides the one the
      // consumer has: that is the prefetch bound.
      const rest =
        pageCount <= firstIndex + 1
          ? Stream.empty
          : Stream.range(firstIndex + 1, pageCount - 1).pipe(
              Stream.mapEffect((index) => Effect.map(fetch(index * pageSize), (fetched) => [fetched, index] as const), {
                concurrency: prefetch
              })
            )
      return Stream.concat(head, rest).pipe(
        Stream.mapEffect(([fetched, index]) => Effect.flatMap(resolve(fetched), (content) => check(content, index)))
      )
    })
  )
}

/**
 * Items of `metadata/search`, read as every listing is (the one rule, in `internal/listing.ts`): pages of
 * `pageSize` (`record_size`), each after the first asked for from one item before where the previous one ended
 * (a page size of 1 then asks for 2), until a page brings nothing after that overlap item. The stream fails with
 * `Incomplete` when the listing changed while it was read (an object created or deleted before the read position,
 * so another may have been skipped: a later page not starting with the previous page's last item, a page empty
 * where that item was, an item listed twice), and when the server sends more than asked or the same page again.
 * An item's identity is its `idOf` when given (e.g. its type and GUID), else its `keyOf`; a page cannot end on an
 * item without identity (`idOf` gives `undefined`), since nothing could show that the next page follows it.
 */
export const untilEmptyPage = <A, E = never>(
  pageSize: number,
  fetch: (offset: number, size: number) => Effect.Effect<ReadonlyArray<A>, ThoughtSpotError | E>,
  guard: {
    readonly operation: string
    readonly keyOf: (item: A) => string
    readonly idOf?: (item: A) => string | undefined
  }
): Stream.Stream<A, ThoughtSpotError | E> => {
  const idOf = guard.idOf
  return listAll<A, E>({
    operation: guard.operation,
    pageSize,
    fetch,
    keyOf: idOf === undefined ? guard.keyOf : idOf
  })
}
