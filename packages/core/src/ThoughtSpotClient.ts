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
import {
  Cause,
  Config,
  ConfigProvider,
  Context,
  Effect,
  Exit,
  Layer,
  Option,
  Redacted,
  Schema,
  type Scope,
  Stream
} from "effect"
import type { HttpClient } from "effect/http"
import type * as ApiCall from "./ApiCall.ts"
import * as Auth from "./Auth.ts"
import * as Admin from "./internal/admin.ts"
import * as ApiSend from "./internal/apiSend.ts"
import { MAX_NESTING, NestingTooDeep, NumberOutOfRange, parseJsonExact } from "./internal/bigJson.ts"
import * as Classify from "./internal/classify.ts"
import { clusterUrlProblem, type HostSource } from "./internal/clusterUrl.ts"
import { isAtLeast, MIN_NODE_VERSION, PLATFORM_NODE, PLATFORM_NODE_RANGE } from "./internal/nodeVersion.ts"
import * as OrgClients from "./internal/orgClients.ts"
import * as Requester from "./internal/Requester.ts"
import { readRowsInPieces } from "./internal/rowsInPieces.ts"
import { SHAPE_ADVICE, shapeProblem } from "./internal/shape.ts"
import { dataRowsSpans, findDeepCell, locateDataRows, type SplitBody, splitDataRows } from "./internal/splitDataRows.ts"
import * as TokenManager from "./internal/TokenManager.ts"
import { defaultUserAgent, userAgentProblem } from "./internal/userAgent.ts"
import type { OrgIdentifier } from "./Orgs.ts"
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

/** Client settings; only `host` and `auth` are required. */
export interface ThoughtSpotClientOptions {
  /** Cluster URL, e.g. `https://my-company.thoughtspot.cloud` (no `/api/rest/2.0`). */
  readonly host: string
  /** How to authenticate (see `Auth`); the Org is part of it (`orgId` / `orgIdentifier`). */
  readonly auth: Auth.AuthMethod
  /** Retry policy overrides (defaults: `RetryPolicy.defaults`). */
  readonly retry?:
    | { readonly [K in keyof RetryPolicy.RetryPolicy]?: RetryPolicy.RetryPolicy[K] | undefined }
    | undefined
  /** Client-side rate limit (default 100 requests/s). */
  readonly rateLimit?: RateLimiter.RateLimitOptions | undefined
  /** Most requests in flight at once (default 4); token revokes and logouts take no slot. */
  readonly concurrency?: number | undefined
  /** Data pages fetched ahead of the consumer per stream (default 2). */
  readonly prefetch?: number | undefined
  /** Default rows per data request (default 10 000, at most 100 000). */
  readonly pageSize?: number | undefined
  /** Rows per `metadata/search` request (default 500). */
  readonly metadataPageSize?: number | undefined
  /** `User-Agent` header (default `spotpipe/<version> (node/<version>; <os>)`); not empty, Latin-1 text without line breaks. */
  readonly userAgent?: string | undefined
  /** Renew tokens this long before expiry (default 30 s, at most a quarter of the validity). */
  readonly refreshSkewMillis?: number | undefined
  /** Revoke minted tokens / log out on shutdown (default true). */
  readonly releaseOnClose?: boolean | undefined
}

/** Extra request fields passed through to the data endpoints. */
export interface RuntimeOptions {
  /** Rows per request, 1‥100 000 (default: the client's `pageSize`). */
  readonly pageSize?: number | undefined
  /**
   * First row to read, a multiple of `pageSize` (default 0): continues an interrupted read without fetching the
   * rows before it again. The total and the page checks come from the page at this offset. For a liveboard it
   * applies to every visualization read.
   */
  readonly startOffset?: number | undefined
  /** `runtime_filter`, e.g. `{ col1: "Region", op1: "EQ", val1: "West" }`. */
  readonly runtimeFilter?: Readonly<Record<string, unknown>> | undefined
  /** `runtime_sort`, e.g. `{ sortCol1: "Revenue", asc1: false }`. */
  readonly runtimeSort?: Readonly<Record<string, unknown>> | undefined
  /** `runtime_param_override`. */
  readonly runtimeParamOverride?: Readonly<Record<string, unknown>> | undefined
  /**
   * A page whose `data_rows` are byte-identical to the previous page's: a `RepeatedPage` warning on the page
   * (`"warn"`, the default: a result may hold two identical pages) or an `Incomplete` failure (`"fail"`).
   */
  readonly repeatedPage?: Pagination.RepeatedPagePolicy | undefined
  /**
   * A sampled result (`sampling_ratio` < 1): a warning logged once per stream (`"warn"`, the default), or none
   * (`"quiet"`, for a caller that reports the pages' `Sampled` warnings itself).
   */
  readonly sampled?: Pagination.SampledPolicy | undefined
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
  readonly visualizationIdentifiers?: ReadonlyArray<string> | undefined
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

/** The client's operations (the admin ones: TML export, audit logs, users, groups, roles, Orgs, tags, permissions). */
export interface Service extends Admin.AdminOperations {
  /** `GET system`: cluster facts, including `time_zone`. */
  readonly system: Effect.Effect<SystemInfo, ThoughtSpotError>
  /** `GET auth/session/user`: the authenticated user. */
  readonly currentUser: Effect.Effect<CurrentUser, ThoughtSpotError>
  /** `metadata/search`, every matching object, read page by page as every listing is (`Pagination.untilEmptyPage`). */
  readonly searchMetadata: (
    request: SearchMetadataRequest,
    options?: { readonly pageSize?: number | undefined }
  ) => Stream.Stream<MetadataItem, ThoughtSpotError>
  /**
   * `searchdata`, as ordered pages: parsed COMPACT rows, or with `read` what it makes of each page's bytes (a
   * `Pagination.PageReader`, lent each page as it arrives; for every data endpoint).
   */
  readonly searchData: {
    (request: SearchDataRequest): Stream.Stream<Pagination.DataPage, ThoughtSpotError>
    <A>(
      request: SearchDataRequest,
      read: Pagination.PageReader<A>
    ): Stream.Stream<Pagination.DataPage<A>, ThoughtSpotError>
  }
  /** `metadata/answer/data`, as ordered pages. */
  readonly answerData: {
    (request: AnswerDataRequest): Stream.Stream<Pagination.DataPage, ThoughtSpotError>
    <A>(
      request: AnswerDataRequest,
      read: Pagination.PageReader<A>
    ): Stream.Stream<Pagination.DataPage<A>, ThoughtSpotError>
  }
  /** `metadata/liveboard/data`: one page stream per visualization. */
  readonly liveboardData: {
    (request: LiveboardDataRequest): Effect.Effect<ReadonlyArray<VisualizationData>, ThoughtSpotError>
    <A>(
      request: LiveboardDataRequest,
      read: Pagination.PageReader<A>
    ): Effect.Effect<ReadonlyArray<VisualizationData<A>>, ThoughtSpotError>
  }
  /**
   * The client for another Org (its numeric id, or its name, resolved with `orgs/search`): its own token, minted
   * with the Org's `org_id` and renewed on its own, over this client's retry policy, rate limiter and
   * concurrency bound. The same Org gives the same client; its credentials are released when this one closes.
   */
  readonly forOrg: (org: OrgIdentifier) => Effect.Effect<Service, ThoughtSpotError>
  /** Token / login requests made so far (renewals included). */
  readonly credentialRequests: Effect.Effect<number>
  /**
   * Any REST v2.0 call (see `ApiCall`), through the same credentials, limits, retries and errors: the status
   * and the body's bytes of a 2xx answer, never parsed.
   */
  readonly request: (request: ApiCall.ApiRequest) => Effect.Effect<ApiCall.ApiResponse, ThoughtSpotError>
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

/** Which field of a data page is missing or wrong, and what to do (every one is needed to read its rows exactly). */
const envelopeProblem = (cause: Cause.Cause<unknown>): string =>
  `a data page does not have the documented fields (${shapeProblem(Cause.squash(cause))}): ${SHAPE_ADVICE}`

/**
 * Reads the `contents` of a data response into checked pages of parsed rows: the envelope by schema, `data_rows`
 * as arrays of the announced length — never cell by cell. A body that contradicts itself is `malformed`
 * (retried). The rows are read in place, in small pieces (see `rowsInPieces.ts`), so that no page-sized text
 * is made; a body those pieces decline is parsed whole.
 */
const readContents = (
  operation: string,
  response: Requester.RawResponse,
  offset: number
): Effect.Effect<ReadonlyArray<Pagination.PageContent>, ThoughtSpotError> =>
  // Suspended: a page fetched ahead is parsed when the stream runs this, in its turn (see `pageCall`).
  Effect.suspend(() => {
    const bytes = response.bytes
    const split = splitDataRows(bytes, (start, columnNames) => readRowsInPieces(bytes, start, columnNames.length))
    return checkContents(operation, response, split, offset)
  })

/**
 * Lends each page of a data response to `read` (see `Pagination.PageBytes`): the envelope is parsed and checked
 * (by schema, as for parsed rows), the rows are located and fingerprinted, never decoded. The body's memory is
 * reused once this effect ends (`Requester.run`), so `read` runs within it.
 */
const readPages = <A>(
  operation: string,
  response: Requester.RawResponse,
  read: Pagination.PageReader<A>,
  single: boolean
): Effect.Effect<ReadonlyArray<Pagination.PageContent<A>>, ThoughtSpotError> => {
  const broken = (description: string) => Effect.fail(Classify.badBody(operation, description, true, response.status))
  const wrong = (description: string) => Effect.fail(Classify.badBody(operation, description, false, response.status))
  const bytes = response.bytes
  const envelopeOf = (located: SplitBody<undefined> | undefined): unknown => {
    if (located === undefined) return undefined
    try {
      return parseJsonExact(located.envelope, { rejectOutOfRange: true, maxDepth: BODY_DEPTH })
    } catch {
      return undefined
    }
  }
  // A guessed end is confirmed by the envelope parsing (and by the reader, whose rows must end there).
  let located = single ? locateDataRows(bytes, true) : undefined
  let json = envelopeOf(located)
  if (json === undefined) {
    located = locateDataRows(bytes, false)
    json = envelopeOf(located)
  }
  if (located === undefined || json === undefined) {
    // Said as the parsed-rows path says it (not UTF-8, not JSON, …); a body it reads but the walk cannot (a key
    // given twice) is refused rather than read one way or the other.
    return Effect.flatMap(checkContents(operation, response, undefined, 0), () =>
      wrong(
        "the data response is not laid out as documented (a key of its pages is given twice?): its rows cannot be read in place"
      )
    )
  }
  const contents =
    typeof json === "object" && json !== null ? (json as { readonly contents?: unknown }).contents : undefined
  if (!Array.isArray(contents)) return wrong("the data response has no `contents` array")
  const pages: Array<Pagination.PageBytes> = []
  for (let index = 0; index < contents.length; index++) {
    const envelope = decodeEnvelope(contents[index])
    if (Exit.isFailure(envelope)) return wrong(envelopeProblem(envelope.cause))
    const span = located.spans[index]
    if (span === undefined) return wrong("a data page has no `data_rows` array")
    const e = envelope.value
    pages.push({
      columnNames: e.column_names,
      rowCount: e.returned_data_row_count,
      recordOffset: e.record_offset,
      availableRowCount: e.available_data_row_count,
      samplingRatio: e.sampling_ratio,
      visualizationId: e.visualization_id ?? undefined,
      visualizationName: e.visualization_name ?? undefined,
      bytes,
      start: span[0],
      end: span[1]
    })
  }
  return Effect.forEach(pages, (page) =>
    read(page).pipe(
      Effect.map(
        (rows): Pagination.PageContent<A> => ({
          columnNames: page.columnNames,
          rows,
          rowCount: page.rowCount,
          recordOffset: page.recordOffset,
          availableRowCount: page.availableRowCount,
          samplingRatio: page.samplingRatio,
          visualizationId: page.visualizationId,
          visualizationName: page.visualizationName,
          fingerprint: fingerprintOf(bytes, [page.start, page.end])
        })
      ),
      Effect.catch((bad) => (bad.malformed ? broken(bad.description) : wrong(bad.description)))
    )
  )
}

/** Levels of a data response: `{"contents":[{"data_rows":[[cell]]}]}` holds a cell at level 6. */
const BODY_DEPTH = MAX_NESTING + 5

const checkContents = (
  operation: string,
  response: Requester.RawResponse,
  split: SplitBody<Pagination.Rows> | undefined,
  offset: number
): Effect.Effect<ReadonlyArray<Pagination.PageContent>, ThoughtSpotError> => {
  const broken = (description: string) => Effect.fail(Classify.badBody(operation, description, true, response.status))
  const wrong = (description: string) => Effect.fail(Classify.badBody(operation, description, false, response.status))
  // The body's bytes let the exact parse scan a one-byte view; taken before the text, which lets them go.
  const bytes = split === undefined ? response.bytes : undefined
  // Where each page's rows lie in the bytes, for its fingerprint: found while reading them in place, else (a
  // page parsed whole, rare) by a walk of the body.
  const bodyBytes = bytes ?? response.bytes
  const spans = split?.spans ?? dataRowsSpans(bodyBytes)
  // Decoded whole, bytes that are not UTF-8 would become replacement characters: refused instead. (Rows read in
  // place were checked as they were parsed.)
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
    // null: refuse it. (Rows read in pieces were checked as they were parsed.)
    if (error instanceof NumberOutOfRange) {
      return wrong("a number in the data does not fit a double (e.g. 1e400); it cannot be exported exactly")
    }
    return broken("the data page is not valid JSON (cut short in transit?)")
  }
  const contents =
    typeof json === "object" && json !== null ? (json as { readonly contents?: unknown }).contents : undefined
  if (!Array.isArray(contents)) return wrong("the data response has no `contents` array")
  const pages: Array<Pagination.PageContent> = []
  for (let index = 0; index < contents.length; index++) {
    const item: unknown = contents[index]
    const envelope = decodeEnvelope(item)
    if (Exit.isFailure(envelope)) return wrong(envelopeProblem(envelope.cause))
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
      rows: read === undefined ? (rows as Pagination.Rows) : read.rows,
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

/** What an Org's client shares with the client that made it (see `Service.forOrg`). */
interface Shared {
  readonly requester: Requester.Requester
  readonly forOrg: Service["forOrg"]
  /** Where each Org's client puts its release at close: with the others', all at once. */
  readonly releases: TokenManager.Releases
}

/** What each text field of an auth method is, for the message that asks for it. */
const CREDENTIAL_FIELDS = {
  username: "the user's name",
  password: "the user's password",
  secretKey: "the cluster's trusted-authentication secret key",
  objectId: "the GUID of the object the token is for",
  token: "the bearer token"
} as const

/** The constructor of each auth method, as the user called it. */
const AUTH_CONSTRUCTORS = {
  Password: "password",
  SecretKey: "secretKey",
  ObjectToken: "objectToken",
  BearerToken: "bearerToken",
  CookieSession: "cookieSession"
} as const

/**
 * Refuses, with a `TypeError` naming the field (never the value), a credential that is missing or empty:
 * `Auth.password({ username: process.env.X!, … })` with the variable unset hands over `undefined`, which died deep
 * in the scrubber with a TypeError that named nothing; an empty one can only be refused by ThoughtSpot.
 */
const checkCredentials = (auth: Auth.AuthMethod): void => {
  if (typeof auth !== "object" || auth === null || !(auth._tag in AUTH_CONSTRUCTORS)) {
    throw new TypeError(
      `auth is not an authentication method (${auth === null ? "null" : typeof auth}): pass one of Auth.password, Auth.secretKey, Auth.objectToken, Auth.bearerToken or Auth.cookieSession`
    )
  }
  const fields: ReadonlyArray<readonly [keyof typeof CREDENTIAL_FIELDS, unknown]> =
    auth._tag === "BearerToken"
      ? [["token", Redacted.value(auth.token)]]
      : auth._tag === "SecretKey"
        ? [
            ["username", auth.username],
            ["secretKey", Redacted.value(auth.secretKey)]
          ]
        : auth._tag === "ObjectToken"
          ? [
              ["username", auth.username],
              ["objectId", auth.objectId],
              auth.credential._tag === "Password"
                ? ["password", Redacted.value(auth.credential.password)]
                : ["secretKey", Redacted.value(auth.credential.secretKey)]
            ]
          : [
              ["username", auth.username],
              ["password", Redacted.value(auth.password)]
            ]
  for (const [field, value] of fields) {
    if (typeof value === "string" && value !== "") continue
    const state =
      value === ""
        ? "is empty"
        : value === undefined || value === null
          ? `is not set (${value})`
          : `is a ${typeof value}, not text`
    const hint = value === undefined ? "; a value read from an environment variable that is not set is undefined" : ""
    throw new TypeError(
      `auth.${field} (Auth.${AUTH_CONSTRUCTORS[auth._tag]}) ${state}: pass ${CREDENTIAL_FIELDS[field]}${hint}`
    )
  }
}

/** The largest `validity_time_in_sec` (an int32 in the OpenAPI document), about 68 years. */
const MAX_VALIDITY_SECONDS = 2_147_483_647

/**
 * Refuses, with a `RangeError` naming the option and the value, a `concurrency`, `prefetch`, `pageSize`,
 * `metadataPageSize`, `refreshSkewMillis`, `auth.orgId` or `auth.validitySeconds` that cannot be meant: `concurrency: NaN` (the `Number` of an unset
 * variable) let no request through, ever; a `NaN` skew renewed the token before every request; an Org id of `NaN`
 * signed in to the default Org; 0, fractions and negatives were changed without a word. (Retry and rate-limit
 * values are checked where those are made.)
 */
const checkOptions = (options: ThoughtSpotClientOptions): void => {
  checkCredentials(options.auth)
  const whole = (value: number | undefined) => value === undefined || (Number.isSafeInteger(value) && value >= 1)
  if (!whole(options.concurrency)) {
    throw new RangeError(
      `concurrency must be a whole number of requests of at least 1 (default 4), got ${options.concurrency}`
    )
  }
  if (!whole(options.prefetch)) {
    throw new RangeError(
      `prefetch must be a whole number of pages of at least 1 (default ${Pagination.DEFAULT_PREFETCH}), got ${options.prefetch}`
    )
  }
  // Found only at the first data request otherwise, as a BadRequest that does not name the option.
  const pageSize = options.pageSize
  if (
    pageSize !== undefined &&
    !(Number.isSafeInteger(pageSize) && pageSize >= 1 && pageSize <= Pagination.MAX_PAGE_SIZE)
  ) {
    throw new RangeError(
      `pageSize must be a whole number of rows from 1 to ${Pagination.MAX_PAGE_SIZE} (default ${Pagination.DEFAULT_PAGE_SIZE}), got ${pageSize}`
    )
  }
  if (!whole(options.metadataPageSize)) {
    throw new RangeError(
      `metadataPageSize must be a whole number of items of at least 1 (default 500), got ${options.metadataPageSize}`
    )
  }
  // Sent as it is, it failed every request: refused by ThoughtSpot (empty) or by the HTTP client, retried for seconds.
  const userAgent = options.userAgent === undefined ? undefined : userAgentProblem(options.userAgent)
  if (userAgent !== undefined) throw new TypeError(`userAgent ${userAgent}`)
  const skew = options.refreshSkewMillis
  if (skew !== undefined && !(Number.isFinite(skew) && skew >= 0)) {
    throw new RangeError(
      `refreshSkewMillis must be a finite number of milliseconds of at least 0 (default 30000), got ${skew}`
    )
  }
  // An Org id of NaN would go out as org_id null: a token for the user's default Org, read in place of the one meant.
  const auth = options.auth
  if (auth._tag === "Password" || auth._tag === "SecretKey" || auth._tag === "ObjectToken") {
    if (
      auth.orgId !== undefined &&
      !(Number.isSafeInteger(auth.orgId) && auth.orgId >= 0 && auth.orgId <= 2_147_483_647)
    ) {
      throw new RangeError(`auth.orgId must be an Org id, a whole number 0‥2147483647 (int32), got ${auth.orgId}`)
    }
    // validity_time_in_sec is an int32 in the OpenAPI document: a larger value is not one the API takes.
    if (
      auth.validitySeconds !== undefined &&
      !(
        Number.isSafeInteger(auth.validitySeconds) &&
        auth.validitySeconds >= 1 &&
        auth.validitySeconds <= MAX_VALIDITY_SECONDS
      )
    ) {
      throw new RangeError(
        `auth.validitySeconds must be a whole number of seconds from 1 to ${MAX_VALIDITY_SECONDS} (validity_time_in_sec is an int32), got ${auth.validitySeconds}`
      )
    }
  }
}

/**
 * The client was given a `host` that is not a cluster URL (see `layer`): `setting` names it (`host`, or
 * `THOUGHTSPOT_HOST` for `layerConfig`), `problem` says what is wrong and what to do. The value is never
 * repeated: it may hold a password.
 */
export class InvalidHost extends Schema.TaggedError<InvalidHost>()("InvalidHost", {
  setting: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `${this.setting} ${this.problem}`
  }
}

/**
 * The host rule of `make`, `layer`, `layerNode` and `layerConfig`, for a program that takes a host from its users
 * and wants to refuse it in the client's words before building one: what is wrong with `host` as a cluster URL
 * (an `InvalidHost`'s `problem`, the end of a sentence that starts with the setting's name), or `undefined` when
 * it is one. `source` picks the advice on credentials written into the URL: `"option"` (the default),
 * `"environment"`, or `{ credentials }`, the program's own words.
 */
export { clusterUrlProblem, type HostSource } from "./internal/clusterUrl.ts"

const checkHost = (host: unknown, setting: string, source: HostSource): Effect.Effect<void, InvalidHost> => {
  const problem = clusterUrlProblem(host, source)
  return problem === undefined ? Effect.void : Effect.fail(new InvalidHost({ setting, problem }))
}

/** `make`, with the host named as `setting` in an `InvalidHost`. */
const makeNamed = (options: ThoughtSpotClientOptions, setting: string, source: HostSource) =>
  Effect.andThen(checkHost(options.host, setting, source), makeWith(options, undefined)).pipe(
    Effect.withSpan("ThoughtSpotClient.make")
  )

/**
 * Builds the client from options; needs an `HttpClient` and a `Scope` (credentials are released on close). A
 * `host` that is not a cluster URL fails with {@link InvalidHost} before anything is sent.
 */
export const make = (
  options: ThoughtSpotClientOptions
): Effect.Effect<Service, InvalidHost, HttpClient.HttpClient | Scope.Scope> => makeNamed(options, "host", "option")

const makeWith = Effect.fnUntraced(function* (
  options: ThoughtSpotClientOptions,
  shared: Shared | undefined
): Effect.fn.Return<Service, never, HttpClient.HttpClient | Scope.Scope> {
  const retry = RetryPolicy.make(options.retry)
  checkOptions(options)
  const defaultPageSize = options.pageSize ?? Pagination.DEFAULT_PAGE_SIZE
  const prefetch = options.prefetch ?? Pagination.DEFAULT_PREFETCH
  const metadataPageSize = options.metadataPageSize ?? 500
  // An Org's client sends through the requester of the client that made it: one retry policy, rate limiter and
  // concurrency bound for every Org.
  const requester =
    shared?.requester ??
    (yield* Requester.make({
      host: options.host,
      userAgent: options.userAgent ?? defaultUserAgent(),
      retry,
      rateLimiter: yield* RateLimiter.make(options.rateLimit ?? RateLimiter.defaults),
      concurrency: options.concurrency ?? 4,
      secrets: Auth.secretsOf(options.auth),
      // Redacting a password's characters inside the user name would tell them to whoever knows the name.
      knownTexts: options.auth._tag === "BearerToken" ? [] : [options.auth.username]
    }))
  // Every Org's client releases its tokens at the same time as this one: their bounds do not add up.
  const releases = shared?.releases ?? (yield* TokenManager.makeReleases)
  const tokens = yield* TokenManager.make(options.auth, requester, {
    retry,
    releases,
    ...(options.refreshSkewMillis === undefined ? {} : { refreshSkewMillis: options.refreshSkewMillis }),
    ...(options.releaseOnClose === undefined ? {} : { releaseOnClose: options.releaseOnClose })
  })

  const post: Admin.Post = (operation, path, body, schema) =>
    requester.run({ operation, method: "POST", path, body, decode: Requester.decodeJson(operation, schema) }, tokens)
  const admin = Admin.make(post)
  // Org clients are built later, on demand, in this client's scope (their tokens are released with its own).
  const context = yield* Effect.context<HttpClient.HttpClient | Scope.Scope>()
  const forOrg: Service["forOrg"] =
    shared?.forOrg ??
    (yield* OrgClients.make<Service>({
      auth: options.auth,
      build: (auth) => Effect.provideContext(makeWith({ ...options, auth }, { requester, forOrg, releases }), context),
      searchOrgs: (name) => admin.searchOrgs({ org_identifier: name })
    }))

  const getJson = <S extends Schema.Top & { readonly DecodingServices: never }>(
    operation: string,
    path: string,
    schema: S
  ) => requester.run({ operation, method: "GET", path, decode: Requester.decodeJson(operation, schema) }, tokens)

  /**
   * How a data stream reads its responses: parsed rows (read late, see `pageCall`), or lent to a reader.
   * `single`: the request asks for one page (any but a liveboard's over several visualizations).
   */
  interface Reading<R> {
    readonly lent: boolean
    readonly decode: (
      operation: string,
      response: Requester.RawResponse,
      offset: number,
      single: boolean
    ) => Effect.Effect<ReadonlyArray<Pagination.PageContent<R>>, ThoughtSpotError>
  }
  const parsed: Reading<Pagination.Rows> = { lent: false, decode: readContents }
  const readingOf = (read: Pagination.PageReader<unknown> | undefined): Reading<unknown> =>
    read === undefined
      ? parsed
      : { lent: true, decode: (operation, response, _offset, single) => readPages(operation, response, read, single) }

  /** One data request, its response read at once; `single`: the request asks for one page (no liveboard of several). */
  const dataCall = <R>(
    operation: string,
    path: string,
    body: Record<string, unknown>,
    reading: Reading<R>,
    single: boolean
  ) =>
    requester.run(
      {
        operation,
        method: "POST",
        path,
        body,
        decode: (r) => reading.decode(operation, r, offsetOf(body), single)
      },
      tokens
    )

  /**
   * One data page at `offset` (of visualization `visualizationId` for liveboards). Parsed rows are read only
   * when the stream reaches the page: a page fetched ahead waits as its body's bytes (a third or less of its
   * parsed size), so a deep prefetch of large pages does not keep several parsed pages alive, and each one can
   * die young. If that late read finds the body malformed, the page is requested again under the full retry
   * policy. A page reader is lent each page as it arrives (it may work off the main thread); a page it finds
   * malformed is requested again the same way.
   */
  const pageCall = <R>(
    operation: string,
    path: string,
    body: Record<string, unknown>,
    reading: Reading<R>,
    offset: number,
    visualizationId?: string
  ): Effect.Effect<Pagination.Fetched<R>, ThoughtSpotError> => {
    const pick = (pages: ReadonlyArray<Pagination.PageContent<R>>) => single(operation, offset, pages, visualizationId)
    const eager = Effect.flatMap(dataCall(operation, path, body, reading, true), pick)
    if (reading.lent) return eager
    return Effect.map(
      requester.run({ operation, method: "POST", path, body, decode: Effect.succeed, keepsBody: true }, tokens),
      (raw) =>
        Effect.flatMap(reading.decode(operation, raw, offset, true), pick).pipe(
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
    reading: Reading<R>,
    source: string
  ) =>
    Stream.unwrap(
      Effect.map(pagingOf(operation, request), ({ pageSize, startOffset }) =>
        Pagination.dataPages({
          operation,
          label: `${operation} ${JSON.stringify(source)}`,
          pageSize,
          startOffset,
          prefetch,
          ...(request.repeatedPage === undefined ? {} : { repeatedPage: request.repeatedPage }),
          ...(request.sampled === undefined ? {} : { sampled: request.sampled }),
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
              reading,
              offset
            )
        })
      )
    )

  const searchData = <R>(request: SearchDataRequest, reading: Reading<R>) =>
    pagedData(
      "searchData",
      "searchdata",
      request,
      { logical_table_identifier: request.logicalTableIdentifier, query_string: request.queryString },
      reading,
      request.logicalTableIdentifier
    )

  const answerData = <R>(request: AnswerDataRequest, reading: Reading<R>) =>
    pagedData(
      "answerData",
      "metadata/answer/data",
      request,
      { metadata_identifier: request.metadataIdentifier },
      reading,
      request.metadataIdentifier
    )

  const liveboardData = Effect.fnUntraced(function* <R>(request: LiveboardDataRequest, reading: Reading<R>) {
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
      reading,
      request.visualizationIdentifiers?.length === 1
    )
    const result: Array<VisualizationData<R>> = []
    for (const first of firsts) {
      const id = first.visualizationId
      if (id === undefined) {
        // Allowed null by the document, yet needed: it asks for the visualization's further pages.
        return yield* Classify.badBody(
          "liveboardData",
          `a liveboard page${first.visualizationName === undefined ? "" : ` (visualization ${JSON.stringify(first.visualizationName)})`} has no visualization_id, which spotpipe needs to ask for that visualization's further pages: ${SHAPE_ADVICE}`,
          false
        )
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
          ...(request.sampled === undefined ? {} : { sampled: request.sampled }),
          fetch: (offset) =>
            pageCall("liveboardData", "metadata/liveboard/data", body(offset, [id]), reading, offset, id)
        })
      })
    }
    // A visualization asked for but left out of the answer would lose its rows without a word. (Compared
    // regardless of case: a cluster may match a GUID or name so, and answer with its own spelling.)
    for (const asked of request.visualizationIdentifiers ?? []) {
      const wanted = asked.toLowerCase()
      if (
        !result.some((v) => v.visualizationId.toLowerCase() === wanted || v.visualizationName.toLowerCase() === wanted)
      ) {
        return yield* Classify.incomplete(
          "liveboardData",
          `the answer for liveboard ${JSON.stringify(request.metadataIdentifier)} has no visualization ${JSON.stringify(asked)}, which was asked for (it answered ${result.length === 0 ? "none" : result.map((v) => JSON.stringify(v.visualizationName)).join(", ")}): check the visualization's id or name`
        )
      }
    }
    return result as ReadonlyArray<VisualizationData<R>>
  })

  const searchMetadata = (request: SearchMetadataRequest, searchOptions?: { readonly pageSize?: number | undefined }) =>
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
        keyOf: (item) => `${item.metadata_type}:${item.metadata_id ?? item.metadata_name}`,
        idOf: (item) => (typeof item.metadata_id === "string" ? `${item.metadata_type} ${item.metadata_id}` : undefined)
      }
    )

  // Added last, so it runs first at close: calls made after it are refused, the releases still go out.
  if (shared === undefined) yield* Effect.addFinalizer(() => Effect.sync(requester.close))

  return ThoughtSpotClient.of({
    ...admin,
    forOrg,
    system: getJson("system", "system", SystemInfo),
    currentUser: getJson("currentUser", "auth/session/user", CurrentUser),
    searchMetadata,
    // Without a reader the rows are parsed COMPACT rows (`A` = `Rows`, as the overloads say).
    searchData: ((request: SearchDataRequest, read?: Pagination.PageReader<unknown>) =>
      searchData(request, readingOf(read))) as Service["searchData"],
    answerData: ((request: AnswerDataRequest, read?: Pagination.PageReader<unknown>) =>
      answerData(request, readingOf(read))) as Service["answerData"],
    liveboardData: ((request: LiveboardDataRequest, read?: Pagination.PageReader<unknown>) =>
      liveboardData(request, readingOf(read)).pipe(
        Effect.withSpan("ThoughtSpotClient.liveboardData")
      )) as Service["liveboardData"],
    credentialRequests: tokens.issued,
    request: (request: ApiCall.ApiRequest) => ApiSend.send(requester, tokens, request)
  })
})

/**
 * The client as a layer; provide an `HttpClient` (e.g. `NodeHttpClient.layerUndici`). A `host` that is not an
 * `http://` or `https://` URL, or holds a user name or password, a query, a fragment or the API path, fails with
 * {@link InvalidHost} (as `layerNode` and `layerConfig` do: one rule).
 */
export const layer = (
  options: ThoughtSpotClientOptions
): Layer.Layer<ThoughtSpotClient, InvalidHost, HttpClient.HttpClient> => Layer.effect(ThoughtSpotClient, make(options))

/** `layerNode` on a Node.js older than its HTTP client (undici) runs on: `required` and `running` are versions. */
export class UnsupportedNode extends Schema.TaggedError<UnsupportedNode>()("UnsupportedNode", {
  required: Schema.String,
  running: Schema.String
}) {
  override get message(): string {
    return `ThoughtSpotClient.layerNode needs Node.js ${this.required} or later (its HTTP client, undici, does not load on older versions); this is Node.js ${this.running}: upgrade Node.js`
  }
}

/**
 * `layerNode` could not load `@effect/platform-node`, where its HTTP client comes from (an optional peer
 * dependency, so a project may not have installed it, or installed a version made for another effect): `package`
 * and `range` say what to install, `detail` what went wrong (the module loader's words when it failed).
 */
export class MissingPlatformNode extends Schema.TaggedError<MissingPlatformNode>()("MissingPlatformNode", {
  package: Schema.String,
  range: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    const wanted = `${this.package}@${this.range}`
    return `ThoughtSpotClient.layerNode needs the package ${wanted}, which could not be loaded (${this.detail}): install it next to effect (npm install ${wanted}), or give ThoughtSpotClient.layer your own HttpClient`
  }
}

/**
 * The client as a layer over Node's undici HTTP client. `@effect/platform-node` is an optional peer dependency:
 * it is loaded when the layer is built, not when this module loads, so users of `layer` with their own
 * `HttpClient` need not install it; without it this layer fails with {@link MissingPlatformNode}, which says what
 * to install. On Node.js older than 22.19 it fails with {@link UnsupportedNode}, before undici is loaded; a bad
 * `host` with {@link InvalidHost}, as `layer`.
 */
export const layerNode = (
  options: ThoughtSpotClientOptions
): Layer.Layer<ThoughtSpotClient, UnsupportedNode | MissingPlatformNode | InvalidHost> =>
  Layer.unwrap(
    Effect.andThen(nodeSupported, () =>
      Effect.map(loadNodeHttpClient, (node) => layer(options).pipe(Layer.provide(node.layerUndici)))
    )
  )

// Read when the layer is built: importing this module stays possible on any Node (e.g. for `layer`).
const nodeSupported = Effect.suspend(() =>
  isAtLeast(process.versions.node, MIN_NODE_VERSION)
    ? Effect.void
    : Effect.fail(new UnsupportedNode({ required: MIN_NODE_VERSION, running: process.versions.node }))
)

/** The first line of what the loader said, cut: enough to tell a missing package from a broken one. */
const loaderSaid = (cause: unknown): string => {
  const text = (cause instanceof Error ? cause.message : String(cause)).split("\n", 1)[0]!.trim()
  return text.length > 300 ? `${text.slice(0, 299)}…` : text
}

const missingPlatformNode = (detail: string) =>
  new MissingPlatformNode({ package: PLATFORM_NODE, range: PLATFORM_NODE_RANGE, detail })

const loadNodeHttpClient = Effect.tryPromise({
  // Deep import: the package barrel also loads Redis, workers, sockets … (~25 MB of RSS for nothing here).
  try: () => import("@effect/platform-node/NodeHttpClient"),
  catch: (cause) => missingPlatformNode(loaderSaid(cause))
}).pipe(
  // A version made for another effect (e.g. Effect 3's) loads, but its layer would fail to build with a defect.
  Effect.filterOrFail(
    (node) => Layer.isLayer(node.layerUndici),
    () =>
      missingPlatformNode(
        `its NodeHttpClient loaded, but its layerUndici is not a Layer of the effect this package uses: a version outside ${PLATFORM_NODE_RANGE} is installed`
      )
  )
)

/** The connection from THOUGHTSPOT_* settings, its host not checked yet (see `authConfig`, `layerConfig`). */
const connectionConfig: Config.Config<{ readonly host: string; readonly auth: Auth.AuthMethod }> = Config.all({
  host: Config.option(Config.String("THOUGHTSPOT_HOST")),
  username: Config.option(Config.String("THOUGHTSPOT_USERNAME")),
  password: Config.option(Config.Redacted("THOUGHTSPOT_PASSWORD")),
  secretKey: Config.option(Config.Redacted("THOUGHTSPOT_SECRET_KEY")),
  token: Config.option(Config.Redacted("THOUGHTSPOT_TOKEN")),
  orgId: Config.option(Config.String("THOUGHTSPOT_ORG_ID"))
}).pipe(
  Config.mapEffect(
    (c): Effect.Effect<{ readonly host: string; readonly auth: Auth.AuthMethod }, Config.ConfigError> => {
      if (Option.isNone(c.host)) {
        return Effect.fail(
          configError(
            "THOUGHTSPOT_HOST is not set (or is empty): set it to the cluster's address, e.g. https://my-company.thoughtspot.cloud"
          )
        )
      }
      const host = c.host.value
      const orgText = Option.isSome(c.orgId) ? c.orgId.value : ""
      // Digits only, as forOrg takes them: "1e3" or "-1" is not an Org id as written.
      if (orgText !== "" && !(/^\d+$/.test(orgText) && Number(orgText) <= 2_147_483_647)) {
        return Effect.fail(
          configError(
            `THOUGHTSPOT_ORG_ID must be an Org id, a whole number 0‥2147483647 (int32), got ${JSON.stringify(orgText.slice(0, 40))}: set the Org's numeric id, or unset it for the user's default Org`
          )
        )
      }
      const org: Auth.TokenOptions = orgText === "" ? {} : { orgId: Number(orgText) }
      if (Option.isSome(c.token)) {
        // A token belongs to the Org it was issued for: ignoring the Org id would read another Org than the one set.
        if (orgText !== "") {
          return Effect.fail(
            configError(
              "THOUGHTSPOT_ORG_ID cannot apply to THOUGHTSPOT_TOKEN (a token belongs to the Org it was issued for): unset THOUGHTSPOT_ORG_ID and use a token issued for that Org, or sign in with THOUGHTSPOT_USERNAME and THOUGHTSPOT_PASSWORD or THOUGHTSPOT_SECRET_KEY"
            )
          )
        }
        return Effect.succeed({ host, auth: Auth.bearerToken(c.token.value) })
      }
      if (Option.isNone(c.username)) {
        // A secret without the user it belongs to: say which one is set, not only the whole list.
        const orphan = Option.isSome(c.secretKey)
          ? "THOUGHTSPOT_SECRET_KEY"
          : Option.isSome(c.password)
            ? "THOUGHTSPOT_PASSWORD"
            : undefined
        return Effect.fail(
          configError(
            orphan === undefined
              ? "set THOUGHTSPOT_TOKEN, or THOUGHTSPOT_USERNAME with THOUGHTSPOT_PASSWORD or THOUGHTSPOT_SECRET_KEY (an empty value counts as not set)"
              : `${orphan} is set but THOUGHTSPOT_USERNAME is not (or is empty): set THOUGHTSPOT_USERNAME to the user it signs in as`
          )
        )
      }
      const username = c.username.value
      if (Option.isSome(c.secretKey)) {
        return Effect.succeed({
          host,
          auth: Auth.secretKey({ username, secretKey: c.secretKey.value, ...org })
        })
      }
      if (Option.isSome(c.password)) {
        return Effect.succeed({ host, auth: Auth.password({ username, password: c.password.value, ...org }) })
      }
      return Effect.fail(
        configError(
          "THOUGHTSPOT_USERNAME is set: also set THOUGHTSPOT_PASSWORD or THOUGHTSPOT_SECRET_KEY (an empty value counts as not set)"
        )
      )
    }
  )
)

/**
 * Reads the connection from configuration: `THOUGHTSPOT_HOST`, and either `THOUGHTSPOT_TOKEN`, or
 * `THOUGHTSPOT_USERNAME` with `THOUGHTSPOT_SECRET_KEY` or `THOUGHTSPOT_PASSWORD`; `THOUGHTSPOT_ORG_ID` optional
 * (not with a token, which belongs to the Org it was issued for). A host that is not an http(s) URL, or holds
 * credentials, a query, a fragment or the API path, is refused (as a `ConfigError`, by the rule `layer` applies).
 */
export const authConfig: Config.Config<{ readonly host: string; readonly auth: Auth.AuthMethod }> =
  // The host after the credentials; layerConfig reads the same settings and checks the host as layer does.
  Config.mapEffect(connectionConfig, (connection) => {
    const problem = clusterUrlProblem(connection.host, "environment")
    return problem === undefined ? Effect.succeed(connection) : Effect.fail(configError(`THOUGHTSPOT_HOST ${problem}`))
  })

/**
 * The client as a layer configured by `authConfig` plus `options`. A missing or incomplete connection fails with
 * a `ConfigError`; a `THOUGHTSPOT_HOST` that is not a cluster URL with {@link InvalidHost} naming it, as a bad
 * `host` does in `layer`.
 */
export const layerConfig = (
  options: Omit<ThoughtSpotClientOptions, "host" | "auth"> = {}
): Layer.Layer<ThoughtSpotClient, Config.ConfigError | InvalidHost, HttpClient.HttpClient> =>
  Layer.unwrap(
    Effect.map(connectionConfig, (connection) =>
      Layer.effect(ThoughtSpotClient, makeNamed({ ...options, ...connection }, "THOUGHTSPOT_HOST", "environment"))
    )
  )

const configError = (message: string) => new Config.ConfigError(new ConfigProvider.SourceError({ message }))
