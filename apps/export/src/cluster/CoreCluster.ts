/**
 * The {@link Cluster} seam implemented on `@spotpipe/core`'s `ThoughtSpotClient`: object lookups through
 * `metadata/search include_details`, the cluster timezone from `GET system`, and the paged data streams. With
 * `--sandbox` (and for `spotpipe demo`) it first starts the embedded `@spotpipe/sandbox` server for the
 * lifetime of the scope and signs in as its built-in demo user.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import {
  type AuditLog,
  Auth,
  type Pagination,
  type ThoughtSpotApi,
  ThoughtSpotClient,
  ThoughtSpotError
} from "@spotpipe/core"
import { Context, Effect, Layer, Option, type Scope, Stream } from "effect"
import { ExportError } from "../ExportError.ts"
import {
  auditColumns,
  type Cluster,
  type DataPage,
  epochMillis,
  epochSeconds,
  type MetadataFilter,
  type MetadataObject,
  type ModifiedFilter,
  metadataColumns,
  type PageDecoder,
  type ResultColumn,
  type TypedColumn
} from "./Cluster.ts"
import type { Connection } from "./Connection.ts"
import { coreAdmin, modifiedMillisOf } from "./CoreAdmin.ts"

/** Loads `@spotpipe/sandbox` (only when a run asks for the embedded sandbox, so the CLI starts without it). */
export const loadSandbox = Effect.promise(() => import("@spotpipe/sandbox"))

/** Client settings that come from the command line. */
export interface ConnectOptions {
  readonly version: string
  readonly pageSize: number
  /** Data requests of one export in flight at once (`--concurrency`). */
  readonly concurrency: number
  /**
   * Requests in flight at once over the whole client, when exports run one at a time and `concurrency` is
   * theirs; default: the client's own bound (4), shared by a batch's exports.
   */
  readonly requests?: number
  /** Requests per second the client sends at most (`--rate-limit`, a shard's share; core default 100). */
  readonly requestsPerSecond?: number
  /** Timeout of one request attempt, reading the whole answer included (core default 120 000). */
  readonly attemptTimeoutMillis?: number
  /** Budget of one request, retries and their waits included (core default 600 000). */
  readonly deadlineMillis?: number
}

/**
 * Pages a data stream holds at once: those being fetched, plus one being read for pages under 50 000 rows. A
 * page's slot is taken when its request starts and given back when the export takes the page, reading included
 * (the reading starts as soon as the bytes arrive, see ThoughtSpotClient's `pageCall`); with `concurrency` slots
 * a page being read would hold back a request. Larger pages keep one slot per request: their reading takes longer
 * than their transfer anyway, and every page held costs its size in memory. 2 M rows in 10 000-row pages at 50 ms
 * latency, measured: `--concurrency 1` 14.6 → 13.6 s.
 */
export const pagesAhead = (concurrency: number, pageSize: number): number =>
  pageSize < 50_000 ? concurrency + 1 : concurrency

/** How a core-backed cluster fails. */
export type ClusterFailure = ThoughtSpotError.ThoughtSpotError

const asRecord = (u: unknown): Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? (u as Record<string, unknown>) : {}
const asArray = (u: unknown): ReadonlyArray<unknown> => (Array.isArray(u) ? u : [])
const asString = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)

/** Reads the `include_details` description of an answer, liveboard or table into a {@link MetadataObject}. */
export const toMetadataObject = (item: ThoughtSpotApi.MetadataItem): MetadataObject => {
  const detail = asRecord(item.metadata_detail)
  const header = asRecord(detail["header"])
  const shown = visualizationsIn(detail["reportContent"])
  // An answer is one result: its table's columns (its charts show the same result). A liveboard's visualizations
  // each show an answer of their own, whose detail its header resolves by the visualization it points at.
  const visualizations =
    item.metadata_type === "LIVEBOARD"
      ? shown.flatMap((viz) => {
          const ref = asString(asRecord(viz["vizContent"])["refVizId"])
          const answer =
            ref === undefined
              ? []
              : visualizationsIn(asRecord(asRecord(header["resolvedObjects"])[ref])["reportContent"])
          const own = answer.find((v) => asString(asRecord(v["header"])["id"]) === ref)
          // A pinned visualization showing a FILTER is one of the liveboard's filters: no data of its own.
          if (asRecord(own?.["vizContent"])["vizType"] === "FILTER") return []
          return [
            {
              id: asString(asRecord(viz["header"])["id"]) ?? "",
              name: asString(asRecord(viz["header"])["name"]) ?? "",
              columns: columnsOf(own ?? tableOf(answer))
            }
          ]
        })
      : item.metadata_type === "ANSWER"
        ? [{ id: item.metadata_id ?? "", name: item.metadata_name ?? "", columns: columnsOf(tableOf(shown)) }]
        : []
  const columns = asArray(detail["columns"]).flatMap((c): ReadonlyArray<TypedColumn> => {
    const column = asRecord(c)
    const name = asString(asRecord(column["header"])["name"])
    const type = asString(column["dataType"])
    return name === undefined || type === undefined ? [] : [{ name, type }]
  })
  return {
    type: item.metadata_type,
    id: item.metadata_id ?? asString(detail["id"]) ?? asString(header["id"]) ?? "",
    name: item.metadata_name ?? asString(detail["name"]) ?? asString(header["name"]) ?? "",
    visualizations,
    columns
  }
}

/** The visualizations a `reportContent` lists, over all its sheets (`sheets[].sheetContent.visualizations[]`). */
const visualizationsIn = (reportContent: unknown): ReadonlyArray<Record<string, unknown>> =>
  asArray(asRecord(reportContent)["sheets"]).flatMap((sheet) =>
    asArray(asRecord(asRecord(sheet)["sheetContent"])["visualizations"]).map(asRecord)
  )

/** An answer's table visualization (`vizType` TABLE), else the first that has columns. */
const tableOf = (vizzes: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> | undefined =>
  vizzes.find((v) => asRecord(v["vizContent"])["vizType"] === "TABLE") ??
  vizzes.find((v) => asArray(asRecord(v["vizContent"])["columns"]).length > 0)

/**
 * A visualization's result columns, in its order. ThoughtSpot describes them without the names its data pages give
 * them (`Total Revenue`, `Month(Order Date)`): a column shown as it is — no aggregation, no date bucket — goes by its
 * model column's name, the others by position only (see `typesByPosition`, which checks each position against the
 * page's names).
 */
const columnsOf = (viz: Record<string, unknown> | undefined): ReadonlyArray<ResultColumn> =>
  asArray(asRecord(viz?.["vizContent"])["columns"]).flatMap((c): ReadonlyArray<ResultColumn> => {
    const column = asRecord(c)
    const type = asString(column["effectiveDataType"]) ?? asString(column["baseDataType"])
    const baseName = asString(column["baseColumnName"])
    if (type === undefined || baseName === undefined) return []
    // Read for --since-column, which refuses a column whose cells are totals or periods.
    const aggregation = asString(column["effectiveAggrType"])
    const bucket = asString(column["timeBucket"])
    const baseType = asString(column["baseDataType"])
    const plain = (aggregation ?? "NONE") === "NONE" && (bucket ?? "NO_BUCKET") === "NO_BUCKET"
    return [
      {
        ...(plain ? { name: baseName } : {}),
        type,
        ...(aggregation === undefined ? {} : { aggregation }),
        ...(bucket === undefined ? {} : { bucket }),
        base: { name: baseName, ...(baseType === undefined ? {} : { type: baseType }) }
      }
    ]
  })

/** One metadata row, in {@link metadataColumns} order; `lists`: tags as an array of strings, else joined with `;`. */
export const metadataRow = (item: ThoughtSpotApi.MetadataItem, lists = false): ReadonlyArray<unknown> => {
  const header = asRecord(item.metadata_header)
  const tags = asArray(header["tags"])
    .map((t) => asString(asRecord(t)["name"]) ?? asString(t))
    .filter((t): t is string => t !== undefined)
  return [
    item.metadata_type,
    item.metadata_id ?? asString(header["id"]) ?? null,
    item.metadata_name ?? asString(header["name"]) ?? null,
    asString(header["type"]) ?? null,
    asString(header["description"]) ?? null,
    asString(header["authorName"]) ?? null,
    epochSeconds(header["created"]),
    epochSeconds(header["modified"]),
    lists ? tags : tags.length === 0 ? null : tags.join(";"),
    epochMillis(header["created"]),
    epochMillis(header["modified"])
  ]
}

/**
 * Whether a listed object passes `filter` (telling it the object's `modified`). An object without a `modified`
 * is kept: nothing says it did not change.
 */
const passes = (item: ThoughtSpotApi.MetadataItem, filter: ModifiedFilter | undefined): boolean => {
  if (filter === undefined) return true
  const modified = modifiedMillisOf(item)
  if (modified === undefined) return true
  filter.see?.(modified)
  return filter.since === undefined || modified >= filter.since
}

const lowerText = (u: unknown): ReadonlyArray<string> => (typeof u === "string" ? [u.toLowerCase()] : [])

/** The tags and author (GUIDs and names, lower-cased) a listed object carries, as its header gives them. */
const carried = (item: ThoughtSpotApi.MetadataItem) => {
  const header = asRecord(item.metadata_header)
  return {
    tags: asArray(header["tags"]).flatMap((t) => [
      ...lowerText(t),
      ...lowerText(asRecord(t)["id"]),
      ...lowerText(asRecord(t)["name"])
    ]),
    authors: [...lowerText(header["author"]), ...lowerText(header["authorName"])]
  }
}

/**
 * The `metadata/search` fields of `filter`: only those given, so that a listing without one asks what it always
 * asked.
 */
const filterFields = (filter: MetadataFilter | undefined) => ({
  ...(filter?.tags === undefined || filter.tags.length === 0 ? {} : { tag_identifiers: filter.tags }),
  ...(filter?.authors === undefined || filter.authors.length === 0
    ? {}
    : { created_by_user_identifiers: filter.authors })
})

/**
 * One audit event as a row in {@link auditColumns} order; the typed fields from its JSON, which `log` keeps whole.
 * The user and the client address are read where ThoughtSpot documents them (log version 1.1: `userName`,
 * `userGUID`, `cIP` at the top of the event), else from a `client` object.
 */
export const auditRow = (event: AuditLog.AuditEvent): ReadonlyArray<unknown> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(event.log)
  } catch {
    parsed = undefined
  }
  const log = asRecord(parsed)
  const client = asRecord(log["client"])
  const orgId = log["orgId"]
  return [
    asString(log["id"]) ?? null,
    asString(log["type"]) ?? null,
    Math.floor(event.timeMillis / 1000),
    event.date,
    asString(log["userName"]) ?? asString(client["userName"]) ?? null,
    asString(log["userGUID"]) ?? asString(client["userGUID"]) ?? null,
    asString(log["cIP"]) ?? asString(client["cIP"]) ?? null,
    // A number, or text the INT64 column's rules check: never guessed at.
    typeof orgId === "number" || typeof orgId === "string" ? orgId : null,
    asString(log["desc"]) ?? null,
    event.log
  ]
}

const fromCore = (page: {
  readonly columnNames: ReadonlyArray<string>
  readonly rows: DataPage["rows"]
  readonly availableRowCount: number
  readonly samplingRatio: number
  readonly warnings: ReadonlyArray<Pagination.DataWarning>
}): DataPage => ({
  columnNames: page.columnNames,
  rows: page.rows,
  availableRowCount: page.availableRowCount,
  samplingRatio: page.samplingRatio,
  repeated: page.warnings.find((w) => w._tag === "RepeatedPage")?.message
})

const sandboxError = (cause: unknown) =>
  new ExportError({
    kind: "Io",
    message: `cannot start the embedded sandbox: ${cause instanceof Error ? cause.message : String(cause)}`,
    cause
  })

/** How {@link openClient} sets up the client; every field but `version` has core's default when absent. */
export interface ClientOptions {
  readonly version: string
  readonly pageSize?: number
  /** Data pages fetched ahead (see {@link pagesAhead}). */
  readonly prefetch?: number
  /** Requests in flight at once over the whole client. */
  readonly requests?: number
  readonly requestsPerSecond?: number
  readonly attemptTimeoutMillis?: number
  readonly deadlineMillis?: number
}

/**
 * What a manifest records as the host of an embedded sandbox: not its URL, whose port is random and gone once the
 * run ends, but the options its data comes from — two embedded sandboxes with the same options serve the same
 * data (the shards of one job, each with `--sandbox`, merge), and different ones do not.
 */
export const embeddedSandboxSource = (sandbox: {
  readonly rows: number
  readonly seed: number
  readonly timezone: string
}): string => `sandbox:embedded?rows=${sandbox.rows}&seed=${sandbox.seed}&timezone=${sandbox.timezone}`

/**
 * The core client for `connection` — its host and credentials, or an embedded sandbox started for `--sandbox` —
 * built into the scope, so the HTTP agent lives (and tokens are released) exactly as long as it; with the host it
 * signs in to, and the source a manifest records (the host, or {@link embeddedSandboxSource}). Every command that
 * talks to ThoughtSpot opens its client here.
 */
export const openClient = Effect.fn("CoreCluster.openClient")(function* (
  connection: Connection,
  options: ClientOptions
): Effect.fn.Return<
  { readonly host: string; readonly source: string; readonly client: ThoughtSpotClient.Service },
  ExportError,
  Scope.Scope
> {
  let host: string
  let source: string
  let auth: Auth.AuthMethod
  if (connection._tag === "Sandbox") {
    const { fixtures, startSandbox } = yield* loadSandbox
    // Started with the defaults only: every option that shapes its data must be in embeddedSandboxSource.
    const sandbox = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => startSandbox({ port: 0 }), catch: sandboxError }),
      (s) => Effect.promise(() => s.close())
    )
    host = sandbox.url
    source = embeddedSandboxSource(sandbox)
    auth = Auth.password({ username: fixtures.user.username, password: fixtures.user.password })
  } else {
    host = connection.host
    source = host
    auth = connection.auth
  }
  // The host passed checkHostUrl, stricter than the client's own rule (orDie): an InvalidHost here would be a bug.
  const services = yield* Layer.build(
    ThoughtSpotClient.layer({
      host,
      auth,
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
      ...(options.prefetch === undefined ? {} : { prefetch: options.prefetch }),
      ...(options.requests === undefined ? {} : { concurrency: options.requests }),
      ...(options.requestsPerSecond === undefined
        ? {}
        : { rateLimit: { requestsPerSecond: options.requestsPerSecond, burst: 1 } }),
      retry: {
        ...(options.attemptTimeoutMillis === undefined ? {} : { attemptTimeoutMillis: options.attemptTimeoutMillis }),
        ...(options.deadlineMillis === undefined ? {} : { deadlineMillis: options.deadlineMillis })
      },
      userAgent: `spotpipe/${options.version} (node/${process.versions.node}; ${process.platform})`
    }).pipe(Layer.orDie, Layer.provide(NodeHttpClient.layerUndici))
  )
  return { host, source, client: Context.get(services, ThoughtSpotClient.ThoughtSpotClient) }
})

/** Connects to the cluster (or starts the embedded sandbox) for the lifetime of the scope. */
export const connect = Effect.fn("CoreCluster.connect")(function* (
  connection: Connection,
  options: ConnectOptions
): Effect.fn.Return<Cluster<ClusterFailure>, ExportError, Scope.Scope> {
  const { source, client } = yield* openClient(connection, {
    ...options,
    prefetch: pagesAhead(options.concurrency, options.pageSize)
  })
  return clusterOf(client, source)
})

/**
 * The cluster over `client`: the signed-in Org's, or one Org's of a run over several (`admin.forOrg`). An Org's
 * own cluster asks `logs/fetch` for that Org's events only: by default the Primary Org's administrator gets every
 * Org's, which would put the other Orgs' events in the Primary Org's folder too, and count them twice.
 */
const clusterOf = (
  client: ThoughtSpotClient.Service,
  host: string,
  scope: "signed-in" | "one-org" = "signed-in"
): Cluster<ClusterFailure> => {
  // Pages lent to the job's decoder, or parsed rows without one.
  const liveboardData = (request: ThoughtSpotClient.LiveboardDataRequest, decoder: PageDecoder | undefined) =>
    decoder === undefined ? client.liveboardData(request) : client.liveboardData(request, decoder)

  const search = (request: ThoughtSpotApi.SearchMetadataRequest) =>
    client.searchMetadata(request).pipe(
      Stream.runCollect,
      Effect.map((items) => items.map(toMetadataObject))
    )

  const cluster: Cluster<ClusterFailure> = {
    host,
    timeZone: Effect.map(client.system, (info) => Option.fromNullishOr(info.time_zone)),
    signedIn: Effect.map(client.currentUser, (user) => ({
      id: user.id,
      name: user.name,
      org: user.current_org ?? null
    })),
    find: (type, identifier) => search({ metadata: [{ identifier, type }], include_details: true }),
    list: (type) =>
      search({ metadata: [{ type }], include_details: true, sort_options: { field_name: "NAME", order: "ASC" } }),
    metadataPages: (types, pageSize, lists = false, modified, filter) =>
      Stream.suspend(() => {
        // Each read notes afresh which of the given tags and authors its objects carry.
        const seenTags = new Set<string>()
        const seenAuthors = new Set<string>()
        const note = (item: ThoughtSpotApi.MetadataItem) => {
          if (filter?.unmatched === undefined) return
          const { tags, authors } = carried(item)
          for (const tag of tags) seenTags.add(tag)
          for (const author of authors) seenAuthors.add(author)
        }
        const report = Effect.sync(() =>
          filter?.unmatched?.({
            tags: (filter.tags ?? []).filter((t) => !seenTags.has(t.toLowerCase())),
            authors: (filter.authors ?? []).filter((a) => !seenAuthors.has(a.toLowerCase()))
          })
        )
        return client
          .searchMetadata(
            {
              metadata: types.map((type) => ({ type: type as ThoughtSpotApi.MetadataType })),
              include_headers: true,
              ...filterFields(filter),
              sort_options: { field_name: "NAME", order: "ASC" }
            },
            { pageSize: Math.min(pageSize, 1000) }
          )
          .pipe(
            // Before the modified filter: an object the tag matched counts, changed since or not.
            Stream.tap((item) => Effect.sync(() => note(item))),
            Stream.concat(Stream.fromEffectDrain(report))
          )
      }).pipe(
        Stream.filter((item) => passes(item, modified)),
        Stream.grouped(Math.min(pageSize, 1000)),
        Stream.map(
          (items): DataPage => ({
            columnNames: metadataColumns.map((c) => c.name),
            rows: items.map((item) => metadataRow(item, lists))
          })
        )
      ),
    auditPages: (range, pageSize) =>
      client.auditLogs(range, scope === "one-org" ? { allLogs: false } : undefined).pipe(
        Stream.grouped(pageSize),
        Stream.map((events): DataPage => ({ columnNames: auditColumns.map((c) => c.name), rows: events.map(auditRow) }))
      ),
    answerPages: (answerId, pageSize, startOffset = 0, decoder, runtime) => {
      // The run reports a sample itself (once per result, in the manifest too): core stays quiet about it.
      const request = { metadataIdentifier: answerId, pageSize, startOffset, sampled: "quiet" as const, ...runtime }
      return (decoder === undefined ? client.answerData(request) : client.answerData(request, decoder)).pipe(
        Stream.map(fromCore)
      )
    },
    liveboardPages: (liveboardId, vizId, pageSize, startOffset = 0, decoder, runtime) =>
      Stream.unwrap(
        Effect.map(
          liveboardData(
            {
              metadataIdentifier: liveboardId,
              visualizationIdentifiers: [vizId],
              pageSize,
              startOffset,
              sampled: "quiet",
              ...runtime
            },
            decoder
          ),
          (vizzes: ReadonlyArray<ThoughtSpotClient.VisualizationData<DataPage["rows"]>>) => {
            // The client accepts the visualization's GUID answered in another case; so does this choice of it.
            const viz =
              vizzes.find((v) => v.visualizationId === vizId) ??
              vizzes.find((v) => v.visualizationId.toLowerCase() === vizId.toLowerCase())
            if (viz !== undefined) return viz.pages.pipe(Stream.map(fromCore))
            // Never an empty result in its place: its rows would be lost without a word.
            return Stream.fail(
              new ThoughtSpotError.ThoughtSpotError({
                operation: "liveboardData",
                reason: new ThoughtSpotError.Incomplete({
                  description: `the answer for liveboard ${liveboardId} holds no visualization ${vizId}, which was asked for (it answered ${vizzes.map((v) => v.visualizationId).join(", ") || "none"}): run the export again, and report it if it persists`
                })
              })
            )
          }
        )
      ),
    searchPages: (tableId, query, pageSize, startOffset = 0, decoder, runtime) => {
      const request = {
        logicalTableIdentifier: tableId,
        queryString: query,
        pageSize,
        startOffset,
        sampled: "quiet" as const,
        ...runtime
      }
      return (decoder === undefined ? client.searchData(request) : client.searchData(request, decoder)).pipe(
        Stream.map(fromCore)
      )
    },
    admin: {
      ...coreAdmin(client),
      forOrg: (org) => Effect.map(client.forOrg(org.id), (orgClient) => clusterOf(orgClient, host, "one-org"))
    }
  }
  return cluster
}
