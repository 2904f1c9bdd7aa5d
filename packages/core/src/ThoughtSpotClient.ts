/**
 * `ThoughtSpotClient`: the Effect service for ThoughtSpot REST API v2.0 — typed endpoints and paginated
 * streams over one authenticated, rate-limited, retrying HTTP pipeline.
 *
 * ```ts
 * const program = Effect.gen(function* () {
 *   const client = yield* ThoughtSpotClient.ThoughtSpotClient
 *   const { time_zone } = yield* client.system
 *   yield* client.searchData({ logicalTableIdentifier: id, queryString: "[Region] [Revenue]" }).pipe(
 *     Stream.runForEach((page) => Console.log(page.recordOffset, page.rows.length))
 *   )
 * }).pipe(Effect.provide(ThoughtSpotClient.layerNode({ host, auth: Auth.password({ username, password }) })))
 * ```
 */
import { isUtf8 } from "node:buffer"
import { crc32 } from "node:zlib"
import { Config, ConfigProvider, Context, Effect, Exit, Layer, Option, Schema, Stream } from "effect"
import type { HttpClient } from "effect/http"
import * as Auth from "./Auth.ts"
import { JsonNumber, MAX_NESTING, NestingTooDeep, NumberOutOfRange, parseJsonExact } from "./internal/bigJson.ts"
import * as Classify from "./internal/classify.ts"
import * as Requester from "./internal/Requester.ts"
import { readRowsInPieces } from "./internal/rowsInPieces.ts"
import { dataRowsSpans, findDeepCell, type SplitBody, splitDataRows } from "./internal/splitDataRows.ts"
import { defaultUserAgent } from "./internal/userAgent.ts"
import * as Pagination from "./Pagination.ts"
import * as RateLimiter from "./RateLimiter.ts"
import * as RetryPolicy from "./RetryPolicy.ts"
import {
  ContentEnvelope,
  CurrentUser,
  type MetadataItem,
  MetadataSearchResponse,
  type SearchMetadataRequest,
  SystemInfo
} from "./ThoughtSpotApi.ts"
import type { ThoughtSpotError } from "./ThoughtSpotError.ts"
import * as TokenManager from "./TokenManager.ts"

/** Client settings; only `host` and `auth` are required. */
export interface ThoughtSpotClientOptions {
  /** Cluster URL, e.g. `https://my-company.thoughtspot.cloud` (no `/api/rest/2.0`). */
  readonly host: string
  /** How to authenticate (see `Auth`); the Org is part of it (`orgId` / `orgIdentifier`). */
  readonly auth: Auth.AuthMethod
  /** Retry policy overrides (defaults: `RetryPolicy.defaults`). */
  readonly retry?: Partial<RetryPolicy.RetryPolicy>
  /** Client-side rate limit (default 100 requests/s). */
  readonly rateLimit?: RateLimiter.RateLimitOptions
  /** Most requests in flight at once (default 4). */
  readonly concurrency?: number
  /** Data pages fetched ahead of the consumer per stream (default 2). */
  readonly prefetch?: number
  /** Default rows per data request (default 10 000, at most 100 000). */
  readonly pageSize?: number
  /** Rows per `metadata/search` request (default 500). */
  readonly metadataPageSize?: number
  /** `User-Agent` header (default `spotpipe/<version> (node/<version>; <os>)`). */
  readonly userAgent?: string
  /** Renew tokens this long before expiry (default 30 s, at most a quarter of the validity). */
  readonly refreshSkewMillis?: number
  /** Revoke minted tokens / log out on shutdown (default true). */
  readonly releaseOnClose?: boolean
}

/** Extra request fields passed through to the data endpoints. */
export interface RuntimeOptions {
  /** Rows per request, 1‥100 000 (default: the client's `pageSize`). */
  readonly pageSize?: number
  /**
   * First row to read, a multiple of `pageSize` (default 0): continues an interrupted read without fetching the
   * rows before it again. The total and the page checks come from the page at this offset. For a liveboard it
   * applies to every visualization read.
   */
  readonly startOffset?: number
  /** `runtime_filter`, e.g. `{ col1: "Region", op1: "EQ", val1: "West" }`. */
  readonly runtimeFilter?: Readonly<Record<string, unknown>>
  /** `runtime_sort`, e.g. `{ sortCol1: "Revenue", asc1: false }`. */
  readonly runtimeSort?: Readonly<Record<string, unknown>>
  /** `runtime_param_override`. */
  readonly runtimeParamOverride?: Readonly<Record<string, unknown>>
  /**
   * A page whose `data_rows` are byte-identical to the previous page's: a `RepeatedPage` warning on the page
   * (`"warn"`, the default: a result may hold two identical pages) or an `Incomplete` failure (`"fail"`).
   */
  readonly repeatedPage?: Pagination.RepeatedPagePolicy
}

/** `searchdata`: a search query against a model, worksheet, view or table. */
export interface SearchDataRequest extends RuntimeOptions {
  /** GUID of the data source. */
  readonly logicalTableIdentifier: string
  /** Search tokens, e.g. `[Region] [Revenue] [Order Date].monthly`. */
  readonly queryString: string
}

/** `metadata/answer/data`: the data of a saved answer. */
export interface AnswerDataRequest extends RuntimeOptions {
  /** GUID or name of the answer. */
  readonly metadataIdentifier: string
}

/** `metadata/liveboard/data`: the data of a liveboard's visualizations. */
export interface LiveboardDataRequest extends RuntimeOptions {
  /** GUID or name of the liveboard. */
  readonly metadataIdentifier: string
  /** GUIDs or names of the visualizations to read (default: all). */
  readonly visualizationIdentifiers?: ReadonlyArray<string>
}

/** One visualization of a liveboard, with the stream of its pages (its first page already fetched). */
export interface VisualizationData<R = Pagination.Rows> {
  readonly visualizationId: string
  readonly visualizationName: string
  readonly columnNames: ReadonlyArray<string>
  readonly availableRowCount: number
  readonly samplingRatio: number
  /** The pages of this visualization, paged on their own; run it once. */
  readonly pages: Stream.Stream<Pagination.DataPage<R>, ThoughtSpotError>
}

/** The client's operations. */
export interface Service {
  /** `GET system`: cluster facts, including `time_zone`. */
  readonly system: Effect.Effect<SystemInfo, ThoughtSpotError>
  /** `GET auth/session/user`: the authenticated user. */
  readonly currentUser: Effect.Effect<CurrentUser, ThoughtSpotError>
  /** `metadata/search`, every matching object, read page by page until an empty page. */
  readonly searchMetadata: (
    request: SearchMetadataRequest,
    options?: { readonly pageSize?: number }
  ) => Stream.Stream<MetadataItem, ThoughtSpotError>
  /**
   * `searchdata`, as ordered pages: parsed COMPACT rows, or with `decoder` the rows in the decoder's form (for
   * every data endpoint).
   */
  readonly searchData: {
    (request: SearchDataRequest): Stream.Stream<Pagination.DataPage, ThoughtSpotError>
    <R>(
      request: SearchDataRequest,
      decoder: Pagination.RowsDecoder<R>
    ): Stream.Stream<Pagination.DataPage<R>, ThoughtSpotError>
  }
  /** `metadata/answer/data`, as ordered pages. */
  readonly answerData: {
    (request: AnswerDataRequest): Stream.Stream<Pagination.DataPage, ThoughtSpotError>
    <R>(
      request: AnswerDataRequest,
      decoder: Pagination.RowsDecoder<R>
    ): Stream.Stream<Pagination.DataPage<R>, ThoughtSpotError>
  }
  /** `metadata/liveboard/data`: one page stream per visualization. */
  readonly liveboardData: {
    (request: LiveboardDataRequest): Effect.Effect<ReadonlyArray<VisualizationData>, ThoughtSpotError>
    <R>(
      request: LiveboardDataRequest,
      decoder: Pagination.RowsDecoder<R>
    ): Effect.Effect<ReadonlyArray<VisualizationData<R>>, ThoughtSpotError>
  }
  /** Token / login requests made so far (renewals included). */
  readonly credentialRequests: Effect.Effect<number>
}

/** The ThoughtSpot client service. */
export class ThoughtSpotClient extends Context.Service<ThoughtSpotClient, Service>()(
  "@spotpipe/core/ThoughtSpotClient"
) {}

const runtimeFields = (options: RuntimeOptions) => ({
  ...(options.runtimeFilter === undefined ? {} : { runtime_filter: options.runtimeFilter }),
  ...(options.runtimeSort === undefined ? {} : { runtime_sort: options.runtimeSort }),
  ...(options.runtimeParamOverride === undefined ? {} : { runtime_param_override: options.runtimeParamOverride })
})

const decodeEnvelope = Schema.decodeUnknownExit(ContentEnvelope)

/**
 * Reads the `contents` of a data response into checked pages: the envelope by schema, `data_rows` as arrays
 * of the announced length — never cell by cell. A body that contradicts itself is `malformed` (retried).
 * With a decoder that reads rows from bytes, only the small envelope is parsed here and the decoder reads (and
 * validates) each `data_rows` in place; if it declines, the body is parsed whole as usual.
 */
const readContents = <R>(
  operation: string,
  response: Requester.RawResponse,
  decoder: Pagination.RowsDecoder<R>,
  offset: number
): Effect.Effect<ReadonlyArray<Pagination.PageContent<R>>, ThoughtSpotError> =>
  Effect.flatMap(splitInPlace(response.bytes, decoder.fromBytes ?? parsedInPieces(decoder)), (split) =>
    checkContents(operation, response, decoder, split, offset)
  )

/**
 * Whether reading a body with `decoder` leaves no view of it behind, so its memory may serve a later response:
 * always with our own parse (rows in pieces or the whole-body parse make strings and values, never views), and
 * with a decoder's `fromBytes` only if it promises so.
 */
const keepsNoBytes = (decoder: Pagination.RowsDecoder<unknown>): boolean =>
  decoder.fromBytes === undefined || decoder.copiesBytes === true

/**
 * Without a decoder of its own, `data_rows` are still read in place: parsed in small pieces, so that no
 * page-sized text is made (see `rowsInPieces.ts`), then handed to `fromRows`.
 */
const parsedInPieces =
  <R>(decoder: Pagination.RowsDecoder<R>) =>
  (bytes: Uint8Array, start: number, columnNames: ReadonlyArray<string>): Pagination.RowsRead<R> | undefined => {
    const read = readRowsInPieces(bytes, start, columnNames.length)
    return read === undefined ? undefined : { ...read, rows: decoder.fromRows(read.rows, columnNames) }
  }

/** A body's `data_rows` read in place by `fromBytes`, or `undefined` when the walk or the decoder declines. */
const splitInPlace = <R>(
  bytes: Uint8Array,
  fromBytes: NonNullable<Pagination.RowsDecoder<R>["fromBytes"]>
): Effect.Effect<SplitBody<R> | undefined> =>
  // The walk is synchronous; when the decoder answers later, the walk stops there, waits, and runs again with
  // that answer known (the envelope is small, so walking it twice costs nothing).
  Effect.suspend(() => {
    const known = new Map<number, Pagination.RowsRead<R> | undefined>()
    const walk: Effect.Effect<SplitBody<R> | undefined> = Effect.suspend(() => {
      let pending: readonly [number, Effect.Effect<Pagination.RowsRead<R> | undefined>] | undefined
      try {
        const split = splitDataRows(bytes, (start, columnNames) => {
          if (known.has(start)) return known.get(start)
          const read = fromBytes(bytes, start, columnNames)
          if (!Effect.isEffect(read)) return read
          pending = [start, read]
          throw waiting
        })
        return Effect.succeed(split)
      } catch (error) {
        if (error !== waiting || pending === undefined) throw error
        const [start, read] = pending
        return Effect.flatMap(read, (result) => {
          known.set(start, result)
          return result === undefined ? Effect.undefined : walk
        })
      }
    })
    return walk
  })

/** Thrown by the walk's reader to stop at an array whose decoder answers later. */
const waiting = Symbol("waiting")

/** Levels of a data response: `{"contents":[{"data_rows":[[cell]]}]}` holds a cell at level 6. */
const BODY_DEPTH = MAX_NESTING + 5

/**
 * A `contents` item with its own fields' numbers as plain doubles (a body parsed with `exactNumbers` may hold
 * `JsonNumber`s there, `1.0` for a ratio); `data_rows` stays as parsed.
 */
const plainFields = (item: unknown): unknown =>
  typeof item === "object" && item !== null && !Array.isArray(item)
    ? Object.fromEntries(
        Object.entries(item).map(([key, value]) => [
          key,
          key !== "data_rows" && value instanceof JsonNumber ? Number(value.text) : value
        ])
      )
    : item

const checkContents = <R>(
  operation: string,
  response: Requester.RawResponse,
  decoder: Pagination.RowsDecoder<R>,
  split: SplitBody<R> | undefined,
  offset: number
): Effect.Effect<ReadonlyArray<Pagination.PageContent<R>>, ThoughtSpotError> => {
  const broken = (description: string) => Effect.fail(Classify.badBody(operation, description, true, response.status))
  const wrong = (description: string) => Effect.fail(Classify.badBody(operation, description, false, response.status))
  // The body's bytes let the exact parse scan a one-byte view; taken before the text, which lets them go.
  const bytes = split === undefined ? response.bytes : undefined
  // Where each page's rows lie in the bytes, for its fingerprint: found while reading them in place, else (a
  // page parsed whole, rare) by a walk of the body.
  const bodyBytes = bytes ?? response.bytes
  const spans = split?.spans ?? dataRowsSpans(bodyBytes)
  // Decoded whole, bytes that are not UTF-8 would become replacement characters: refused instead. (Rows read in
  // place were checked by their decoder.)
  if (split === undefined && !isUtf8(bodyBytes)) {
    return wrong(
      "the data page holds text that is not valid UTF-8; it is never exported with replacement characters: correct the value at the source"
    )
  }
  const text = split === undefined ? response.text : split.envelope
  let json: unknown
  try {
    json = parseJsonExact(
      text,
      bytes === undefined
        ? { rejectOutOfRange: true, maxDepth: BODY_DEPTH }
        : decoder.exactNumbers === true
          ? { exactNumbers: true, maxDepth: BODY_DEPTH }
          : { rejectOutOfRange: true, bytes, maxDepth: BODY_DEPTH }
    )
  } catch (error) {
    // Walking such a value (to check it, render it, write it) would overflow the stack.
    if (error instanceof NestingTooDeep) {
      const cell = findDeepCell(response.bytes, MAX_NESTING)
      const where =
        cell === undefined
          ? "a value of the data page"
          : `a cell in row ${offset + cell.row + 1}, column ${JSON.stringify(cell.column)}`
      return wrong(`${where} is nested deeper than ${MAX_NESTING} levels: spotpipe does not export such values`)
    }
    // `JSON.parse` turns a number beyond a double's range (1e400) into Infinity, which writers would print as
    // null: refuse it. (Rows read from bytes were checked by their decoder.)
    if (error instanceof NumberOutOfRange) {
      return wrong("a number in the data does not fit a double (e.g. 1e400); it cannot be exported exactly")
    }
    return broken("the data page is not valid JSON (cut short in transit?)")
  }
  const contents =
    typeof json === "object" && json !== null ? (json as { readonly contents?: unknown }).contents : undefined
  if (!Array.isArray(contents)) return wrong("the data response has no `contents` array")
  const pages: Array<Pagination.PageContent<R>> = []
  for (let index = 0; index < contents.length; index++) {
    const item: unknown = contents[index]
    const envelope = decodeEnvelope(plainFields(item))
    if (Exit.isFailure(envelope)) return wrong("a data page does not have the documented fields")
    const rows = (item as { readonly data_rows?: unknown }).data_rows
    if (!Array.isArray(rows)) return wrong("a data page has no `data_rows` array")
    const e = envelope.value
    const width = e.column_names.length
    const read = split?.items[index]
    if (read === undefined) {
      for (let i = 0; i < rows.length; i++) {
        const row: unknown = rows[i]
        if (!Array.isArray(row)) return wrong(`data row ${i} is not an array (COMPACT format expected)`)
        // A row wider or narrower than the column list cannot be written without shifting or inventing cells.
        if (row.length !== width) {
          return wrong(`data row ${i} has ${row.length} cells but the page names ${width} columns`)
        }
      }
    }
    const rowCount = read === undefined ? rows.length : read.rowCount
    if (rowCount !== e.returned_data_row_count) {
      return broken(`a data page holds ${rowCount} rows but says ${e.returned_data_row_count}`)
    }
    pages.push({
      columnNames: e.column_names,
      rows: read === undefined ? decoder.fromRows(rows as Pagination.Rows, e.column_names) : read.rows,
      rowCount,
      recordOffset: e.record_offset,
      availableRowCount: e.available_data_row_count,
      samplingRatio: e.sampling_ratio,
      visualizationId: e.visualization_id ?? undefined,
      visualizationName: e.visualization_name ?? undefined,
      fingerprint: fingerprintOf(bodyBytes, spans[index])
    })
  }
  return Effect.succeed(pages)
}

/** The fingerprint of the rows at `span` (see `Pagination.RowsFingerprint`), `undefined` without a span. */
const fingerprintOf = (
  bytes: Uint8Array,
  span: readonly [number, number] | undefined
): Pagination.RowsFingerprint | undefined =>
  span === undefined ? undefined : { length: span[1] - span[0], crc32: crc32(bytes.subarray(span[0], span[1])) }

const offsetOf = (body: Record<string, unknown>): number => {
  const offset = body["record_offset"]
  return typeof offset === "number" ? offset : 0
}

const single = <R>(
  operation: string,
  offset: number,
  pages: ReadonlyArray<Pagination.PageContent<R>>,
  visualizationId?: string
): Effect.Effect<Pagination.PageContent<R>, ThoughtSpotError> => {
  const page = visualizationId === undefined ? pages[0] : pages.find((p) => p.visualizationId === visualizationId)
  if (page === undefined) {
    return Effect.fail(Classify.badBody(operation, "the data response has no page for the request", false))
  }
  if (page.recordOffset !== offset) {
    return Effect.fail(
      Classify.badBody(operation, `asked for offset ${offset}, the page says ${page.recordOffset}`, false)
    )
  }
  return Effect.succeed(page)
}

/** Builds the client from options; needs an `HttpClient` and a `Scope` (credentials are released on close). */
export const make = Effect.fn("ThoughtSpotClient.make")(function* (options: ThoughtSpotClientOptions) {
  const retry = RetryPolicy.make(options.retry)
  const defaultPageSize = options.pageSize ?? Pagination.DEFAULT_PAGE_SIZE
  const prefetch = options.prefetch ?? Pagination.DEFAULT_PREFETCH
  const metadataPageSize = options.metadataPageSize ?? 500
  const requester = yield* Requester.make({
    host: options.host,
    userAgent: options.userAgent ?? defaultUserAgent(),
    retry,
    rateLimiter: yield* RateLimiter.make(options.rateLimit ?? RateLimiter.defaults),
    concurrency: options.concurrency ?? 4,
    secrets: Auth.secretsOf(options.auth)
  })
  const tokens = yield* TokenManager.make(options.auth, requester, {
    ...(options.refreshSkewMillis === undefined ? {} : { refreshSkewMillis: options.refreshSkewMillis }),
    ...(options.releaseOnClose === undefined ? {} : { releaseOnClose: options.releaseOnClose })
  })

  const getJson = <S extends Schema.Top & { readonly DecodingServices: never }>(
    operation: string,
    path: string,
    schema: S
  ) => requester.run({ operation, method: "GET", path, decode: Requester.decodeJson(operation, schema) }, tokens)

  const dataCall = <R>(
    operation: string,
    path: string,
    body: Record<string, unknown>,
    decoder: Pagination.RowsDecoder<R>
  ) =>
    requester.run(
      {
        operation,
        method: "POST",
        path,
        body,
        decode: (r) => readContents(operation, r, decoder, offsetOf(body)),
        releasesBody: keepsNoBytes(decoder)
      },
      tokens
    )

  /**
   * One data page at `offset` (of visualization `visualizationId` for liveboards). Parsed rows are read only
   * when the stream reaches the page: a page fetched ahead waits as its body's bytes (a third or less of its
   * parsed size), so a deep prefetch of large pages does not keep several parsed pages alive, and each one can
   * die young. If that late read finds the body malformed, the page is requested again under the full retry
   * policy. A decoder that reads rows from bytes may work off the main thread, so its pages are read at once,
   * as they arrive.
   */
  const pageCall = <R>(
    operation: string,
    path: string,
    body: Record<string, unknown>,
    decoder: Pagination.RowsDecoder<R>,
    offset: number,
    visualizationId?: string
  ): Effect.Effect<Pagination.Fetched<R>, ThoughtSpotError> => {
    const pick = (pages: ReadonlyArray<Pagination.PageContent<R>>) => single(operation, offset, pages, visualizationId)
    const eager = Effect.flatMap(dataCall(operation, path, body, decoder), pick)
    if (decoder.fromBytes !== undefined) return eager
    return Effect.map(requester.run({ operation, method: "POST", path, body, decode: Effect.succeed }, tokens), (raw) =>
      Effect.flatMap(readContents(operation, raw, decoder, offset), pick).pipe(
        // Read once, the body's memory serves a later page (our own parse copies what it keeps).
        Effect.ensuring(Effect.sync(raw.release)),
        Effect.catchIf(
          (error) => error.reason._tag === "ResponseDecode" && error.reason.malformed,
          () => eager
        )
      )
    )
  }

  const pageSizeOf = (operation: string, request: RuntimeOptions) =>
    Pagination.checkPageSize(operation, request.pageSize ?? defaultPageSize)
  /** The checked page size and start offset of a data request. */
  const pagingOf = (operation: string, request: RuntimeOptions) =>
    Effect.flatMap(pageSizeOf(operation, request), (pageSize) =>
      Effect.map(Pagination.checkStartOffset(operation, request.startOffset ?? 0, pageSize), (startOffset) => ({
        pageSize,
        startOffset
      }))
    )

  /** A single-page data endpoint (`searchdata`, answer data) as an ordered page stream; `fields` names the source. */
  const pagedData = <R>(
    operation: string,
    path: string,
    request: RuntimeOptions,
    fields: Record<string, unknown>,
    decoder: Pagination.RowsDecoder<R>
  ) =>
    Stream.unwrap(
      Effect.map(pagingOf(operation, request), ({ pageSize, startOffset }) =>
        Pagination.dataPages({
          operation,
          pageSize,
          startOffset,
          prefetch,
          ...(request.repeatedPage === undefined ? {} : { repeatedPage: request.repeatedPage }),
          fetch: (offset) =>
            pageCall(
              operation,
              path,
              {
                ...fields,
                data_format: "COMPACT",
                record_offset: offset,
                record_size: pageSize,
                ...runtimeFields(request)
              },
              decoder,
              offset
            )
        })
      )
    )

  const searchData = <R>(request: SearchDataRequest, decoder: Pagination.RowsDecoder<R>) =>
    pagedData(
      "searchData",
      "searchdata",
      request,
      { logical_table_identifier: request.logicalTableIdentifier, query_string: request.queryString },
      decoder
    )

  const answerData = <R>(request: AnswerDataRequest, decoder: Pagination.RowsDecoder<R>) =>
    pagedData(
      "answerData",
      "metadata/answer/data",
      request,
      { metadata_identifier: request.metadataIdentifier },
      decoder
    )

  const liveboardData = Effect.fnUntraced(function* <R>(
    request: LiveboardDataRequest,
    decoder: Pagination.RowsDecoder<R>
  ) {
    const { pageSize, startOffset } = yield* pagingOf("liveboardData", request)
    const body = (offset: number, visualizations: ReadonlyArray<string> | undefined) => ({
      metadata_identifier: request.metadataIdentifier,
      ...(visualizations === undefined ? {} : { visualization_identifiers: visualizations }),
      data_format: "COMPACT",
      record_offset: offset,
      record_size: pageSize,
      ...runtimeFields(request)
    })
    const firsts = yield* dataCall(
      "liveboardData",
      "metadata/liveboard/data",
      body(startOffset, request.visualizationIdentifiers),
      decoder
    )
    const result: Array<VisualizationData<R>> = []
    for (const first of firsts) {
      const id = first.visualizationId
      if (id === undefined) {
        return yield* Classify.badBody("liveboardData", "a liveboard page has no visualization_id", false)
      }
      const name = first.visualizationName ?? id
      yield* single("liveboardData", startOffset, [first])
      result.push({
        visualizationId: id,
        visualizationName: name,
        columnNames: first.columnNames,
        availableRowCount: first.availableRowCount,
        samplingRatio: first.samplingRatio,
        pages: Pagination.dataPages({
          operation: "liveboardData",
          pageSize,
          prefetch,
          first,
          startOffset,
          ...(request.repeatedPage === undefined ? {} : { repeatedPage: request.repeatedPage }),
          fetch: (offset) =>
            pageCall("liveboardData", "metadata/liveboard/data", body(offset, [id]), decoder, offset, id)
        })
      })
    }
    return result as ReadonlyArray<VisualizationData<R>>
  })

  const searchMetadata = (request: SearchMetadataRequest, searchOptions?: { readonly pageSize?: number }) =>
    Pagination.untilEmptyPage(
      searchOptions?.pageSize ?? metadataPageSize,
      (offset, size) =>
        requester.run(
          {
            operation: "searchMetadata",
            method: "POST",
            path: "metadata/search",
            body: { ...request, record_offset: offset, record_size: size },
            decode: Requester.decodeJson("searchMetadata", MetadataSearchResponse)
          },
          tokens
        ),
      {
        operation: "searchMetadata",
        keyOf: (item) => `${item.metadata_type}:${item.metadata_id ?? item.metadata_name}`
      }
    )

  return ThoughtSpotClient.of({
    system: getJson("system", "system", SystemInfo),
    currentUser: getJson("currentUser", "auth/session/user", CurrentUser),
    searchMetadata,
    // Without a decoder the rows are parsed COMPACT rows (`R` = `Rows`, as the overloads say).
    searchData: ((request: SearchDataRequest, decoder?: Pagination.RowsDecoder<unknown>) =>
      searchData(request, decoder ?? Pagination.parsedRows)) as Service["searchData"],
    answerData: ((request: AnswerDataRequest, decoder?: Pagination.RowsDecoder<unknown>) =>
      answerData(request, decoder ?? Pagination.parsedRows)) as Service["answerData"],
    liveboardData: ((request: LiveboardDataRequest, decoder?: Pagination.RowsDecoder<unknown>) =>
      liveboardData(request, decoder ?? Pagination.parsedRows).pipe(
        Effect.withSpan("ThoughtSpotClient.liveboardData")
      )) as Service["liveboardData"],
    credentialRequests: tokens.issued
  })
})

/** The client as a layer; provide an `HttpClient` (e.g. `NodeHttpClient.layerUndici`). */
export const layer = (
  options: ThoughtSpotClientOptions
): Layer.Layer<ThoughtSpotClient, never, HttpClient.HttpClient> => Layer.effect(ThoughtSpotClient, make(options))

/**
 * The client as a layer over Node's undici HTTP client. `@effect/platform-node` is an optional peer dependency:
 * it is loaded when the layer is built, not when this module loads, so users of `layer` with their own
 * `HttpClient` need not install it; without it this layer dies with a message that says what to install.
 */
export const layerNode = (options: ThoughtSpotClientOptions): Layer.Layer<ThoughtSpotClient> =>
  Layer.unwrap(Effect.map(loadNodeHttpClient, (node) => layer(options).pipe(Layer.provide(node.layerUndici))))

const loadNodeHttpClient = Effect.promise(() =>
  // Deep import: the package barrel also loads Redis, workers, sockets … (~25 MB of RSS for nothing here).
  import("@effect/platform-node/NodeHttpClient").catch((cause: unknown) => {
    throw new Error(
      "ThoughtSpotClient.layerNode needs the package @effect/platform-node: install it next to effect " +
        "(npm install @effect/platform-node), or give ThoughtSpotClient.layer your own HttpClient",
      { cause }
    )
  })
)

/**
 * Reads the connection from configuration: `THOUGHTSPOT_HOST`, and either `THOUGHTSPOT_TOKEN`, or
 * `THOUGHTSPOT_USERNAME` with `THOUGHTSPOT_SECRET_KEY` or `THOUGHTSPOT_PASSWORD`; `THOUGHTSPOT_ORG_ID` optional.
 * Other settings come from `options`.
 */
export const authConfig: Config.Config<{ readonly host: string; readonly auth: Auth.AuthMethod }> = Config.all({
  host: Config.String("THOUGHTSPOT_HOST"),
  username: Config.option(Config.String("THOUGHTSPOT_USERNAME")),
  password: Config.option(Config.Redacted("THOUGHTSPOT_PASSWORD")),
  secretKey: Config.option(Config.Redacted("THOUGHTSPOT_SECRET_KEY")),
  token: Config.option(Config.Redacted("THOUGHTSPOT_TOKEN")),
  orgId: Config.option(Config.Int("THOUGHTSPOT_ORG_ID"))
}).pipe(
  Config.mapEffect(
    (c): Effect.Effect<{ readonly host: string; readonly auth: Auth.AuthMethod }, Config.ConfigError> => {
      const org: Auth.TokenOptions = Option.isSome(c.orgId) ? { orgId: c.orgId.value } : {}
      if (Option.isSome(c.token)) return Effect.succeed({ host: c.host, auth: Auth.bearerToken(c.token.value) })
      if (Option.isNone(c.username)) {
        return Effect.fail(
          configError(
            "set THOUGHTSPOT_TOKEN, or THOUGHTSPOT_USERNAME with THOUGHTSPOT_PASSWORD or THOUGHTSPOT_SECRET_KEY"
          )
        )
      }
      const username = c.username.value
      if (Option.isSome(c.secretKey)) {
        return Effect.succeed({
          host: c.host,
          auth: Auth.secretKey({ username, secretKey: c.secretKey.value, ...org })
        })
      }
      if (Option.isSome(c.password)) {
        return Effect.succeed({ host: c.host, auth: Auth.password({ username, password: c.password.value, ...org }) })
      }
      return Effect.fail(
        configError("THOUGHTSPOT_USERNAME is set: also set THOUGHTSPOT_PASSWORD or THOUGHTSPOT_SECRET_KEY")
      )
    }
  )
)

/** The client as a layer configured by `authConfig` plus `options`. */
export const layerConfig = (
  options: Omit<ThoughtSpotClientOptions, "host" | "auth"> = {}
): Layer.Layer<ThoughtSpotClient, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrap(Effect.map(authConfig, (connection) => layer({ ...options, ...connection })))

const configError = (message: string) => new Config.ConfigError(new ConfigProvider.SourceError({ message }))
