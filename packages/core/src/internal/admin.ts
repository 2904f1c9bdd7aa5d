/**
 * The admin endpoints of the client (TML export, audit logs, principals, Orgs, tags, permissions) over one way
 * of sending a POST: the client's, with its credentials, retries, rate limit and typed errors.
 */
import { Effect, Schema, Stream } from "effect"
import * as AuditLog from "../AuditLog.ts"
import { Org, type SearchOrgsRequest } from "../Orgs.ts"
import { type FetchPermissionsRequest, PermissionsResponse } from "../Permissions.ts"
import {
  type ListingOptions,
  Role,
  type SearchGroupsRequest,
  type SearchRolesRequest,
  type SearchUsersRequest,
  User,
  UserGroup
} from "../Principals.ts"
import { type SearchTagsRequest, Tag } from "../Tags.ts"
import type { ThoughtSpotError } from "../ThoughtSpotError.ts"
import * as Tml from "../Tml.ts"
import * as Classify from "./classify.ts"
import { listAll } from "./listing.ts"

/** Sends one authenticated POST and decodes its 2xx JSON body with `schema`. */
export type Post = <S extends Schema.Top & { readonly DecodingServices: never }>(
  operation: string,
  path: string,
  body: Record<string, unknown>,
  schema: S
) => Effect.Effect<S["Type"], ThoughtSpotError>

/** Items per `users/search` / `groups/search` request unless a call says otherwise. */
export const DEFAULT_LISTING_PAGE_SIZE = 500

/** The admin operations of the client service. */
export interface AdminOperations {
  /**
   * `metadata/tml/export`: one outcome per exported object (associated objects included), in the server's
   * order. An object that could not be exported is a `TmlFailed` item, not a failure of the call.
   */
  readonly exportTml: (request: Tml.TmlExportRequest) => Effect.Effect<ReadonlyArray<Tml.TmlItem>, ThoughtSpotError>
  /** `metadata/tml/export/batch` (users, groups or roles), read batch by batch as every listing is (see "Listings" in the README). */
  readonly exportTmlBatch: (
    request: Tml.TmlBatchRequest,
    options?: Tml.BatchOptions
  ) => Stream.Stream<Tml.TmlItem, ThoughtSpotError>
  /** `logs/fetch` (`SECURITY_AUDIT`) over `[since, until)`, in windows of at most 24 hours, each event once. */
  readonly auditLogs: (
    range: AuditLog.LogRange,
    options?: AuditLog.FetchLogsOptions
  ) => Stream.Stream<AuditLog.AuditEvent, ThoughtSpotError>
  /** `users/search`, every matching user, page by page as every listing is (see "Listings" in the README). */
  readonly searchUsers: (
    request?: SearchUsersRequest,
    options?: ListingOptions
  ) => Stream.Stream<User, ThoughtSpotError>
  /** `groups/search`, every matching group, page by page as every listing is (see "Listings" in the README). */
  readonly searchGroups: (
    request?: SearchGroupsRequest,
    options?: ListingOptions
  ) => Stream.Stream<UserGroup, ThoughtSpotError>
  /** `roles/search` (not paged by the API: one request). */
  readonly searchRoles: (request?: SearchRolesRequest) => Effect.Effect<ReadonlyArray<Role>, ThoughtSpotError>
  /** `orgs/search` (not paged by the API: one request). */
  readonly searchOrgs: (request?: SearchOrgsRequest) => Effect.Effect<ReadonlyArray<Org>, ThoughtSpotError>
  /** `tags/search` (not paged by the API: one request). */
  readonly searchTags: (request?: SearchTagsRequest) => Effect.Effect<ReadonlyArray<Tag>, ThoughtSpotError>
  /** `security/metadata/fetch-permissions`. */
  readonly fetchPermissions: (request: FetchPermissionsRequest) => Effect.Effect<PermissionsResponse, ThoughtSpotError>
}

const RoleListing = Schema.Array(Role)
const OrgListing = Schema.Array(Org)
const TagListing = Schema.Array(Tag)

/** Objects named in a message before "and N more". */
const LISTED = 10

/** What an incomplete TML export lacks, and what to do. */
const unansweredText = (missing: Tml.Unanswered, items: number): string => {
  const named = missing.named.map((m) => `${m.type ?? "object"} ${JSON.stringify(m.identifier)}`)
  const parts = named.length > LISTED ? [...named.slice(0, LISTED), `and ${named.length - LISTED} more`] : named
  if (missing.unnamed > 0) parts.push(`${missing.unnamed} asked for without an identifier`)
  return `the answer (${items} items) has no item for ${parts.join(", ")}: ThoughtSpot left them out without an error; export them again, or one by one to see why`
}

/** The operations over `post`. */
export const make = (post: Post): AdminOperations => {
  const exportTml = (request: Tml.TmlExportRequest) =>
    Effect.flatMap(post("exportTml", "metadata/tml/export", { ...request }, Tml.TmlExportResponse), (wire) => {
      // Every object asked for must have an item of its own (a failed one is a value, reported per object):
      // matched by id or name, as associated objects add items of their own that a count would take for it.
      const missing = Tml.unanswered(request.metadata, wire)
      if (missing !== undefined)
        return Effect.fail(Classify.incomplete("exportTml", unansweredText(missing, wire.length)))
      return Effect.succeed(wire.map(Tml.itemOf))
    })

  const exportTmlBatch = (request: Tml.TmlBatchRequest, options?: Tml.BatchOptions) => {
    const size = options?.batchSize ?? Tml.DEFAULT_BATCH_SIZE
    if (!Number.isInteger(size) || size < 1 || size > Tml.MAX_BATCH_SIZE) {
      return Stream.fail(
        Classify.badInput(
          "exportTmlBatch",
          `the batch size must be 1‥${Tml.MAX_BATCH_SIZE} (ThoughtSpot's limit), got ${size}`
        )
      )
    }
    return Stream.map(
      listAll({
        operation: "exportTmlBatch",
        pageSize: size,
        fetch: (offset, batchSize) =>
          Effect.map(
            post(
              "exportTmlBatch",
              "metadata/tml/export/batch",
              { ...request, batch_offset: offset, batch_size: batchSize },
              Tml.TmlBatchResponse
            ),
            Tml.batchItems
          ),
        // An item without an id cannot be told from another: it is never taken for one listed twice, and a batch
        // may not end on it (see listAll).
        keyOf: (item) => item.info.id ?? undefined
      }),
      Tml.itemOf
    )
  }

  const auditLogs = (range: AuditLog.LogRange, options?: AuditLog.FetchLogsOptions) =>
    Stream.unwrap(
      Effect.suspend(() => {
        let windows: ReadonlyArray<AuditLog.Window>
        try {
          windows = AuditLog.windows(range.since, range.until)
        } catch (error) {
          return Effect.fail(Classify.badInput("auditLogs", (error as RangeError).message))
        }
        // Epoch seconds read as milliseconds land in January 1970: every window would come back empty, without a word.
        const early = [range.since, range.until].find((bound) => bound < AuditLog.EARLIEST_MILLIS)
        if (early !== undefined) {
          return Effect.fail(
            Classify.badInput(
              "auditLogs",
              `${early === range.since ? "since" : "until"} ${early} is before 2001-09-09 as epoch milliseconds (below 10^12), where ThoughtSpot keeps no audit events (it keeps them for 30 days): give both ends in epoch milliseconds (epoch seconds × 1000)`
            )
          )
        }
        return Effect.succeed(
          Stream.flatMap(
            Stream.fromIterable(windows),
            (window) => Stream.fromIterableEffect(fetchWindow(window, options)),
            { concurrency: 1 }
          )
        )
      })
    )

  const fetchWindow = (window: AuditLog.Window, options?: AuditLog.FetchLogsOptions) => {
    const asked = AuditLog.requestRange(window)
    return Effect.flatMap(
      post(
        "auditLogs",
        "logs/fetch",
        {
          log_type: "SECURITY_AUDIT",
          ...asked,
          ...(options?.allLogs === undefined ? {} : { get_all_logs: options.allLogs })
        },
        AuditLog.LogsResponse
      ),
      (entries) => {
        const kept: Array<AuditLog.AuditEvent> = []
        for (const entry of entries) {
          const timeMillis = AuditLog.epochMillisOf(entry.date)
          if (timeMillis === undefined) {
            return Effect.fail(
              Classify.badBody(
                "auditLogs",
                `an audit log entry has the date ${JSON.stringify(entry.date.slice(0, 64))}, not an ISO-8601 instant: it cannot be placed in its time window`,
                false
              )
            )
          }
          if (timeMillis < asked.start_epoch_time_in_millis || timeMillis > asked.end_epoch_time_in_millis) {
            return Effect.fail(
              Classify.badBody(
                "auditLogs",
                `asked for the events of ${iso(asked.start_epoch_time_in_millis)} … ${iso(asked.end_epoch_time_in_millis)}, the server sent one of ${entry.date}: it did not apply the time range, so the events cannot be counted exactly once`,
                false
              )
            )
          }
          // The ends asked for beyond the window belong to its neighbours, which keep them.
          if (AuditLog.inWindow(window, timeMillis)) kept.push({ date: entry.date, log: entry.log, timeMillis })
        }
        // In time order (stable: events of the same millisecond stay in the server's order).
        return Effect.succeed(kept.sort((a, b) => a.timeMillis - b.timeMillis))
      }
    )
  }

  const listing =
    <S extends Schema.Top & { readonly DecodingServices: never }>(
      operation: string,
      path: string,
      item: S,
      keyOf: (item: S["Type"]) => string
    ) =>
    (request: Record<string, unknown> = {}, options?: ListingOptions): Stream.Stream<S["Type"], ThoughtSpotError> => {
      const page = Schema.Array(item)
      return listAll<S["Type"]>({
        operation,
        pageSize: options?.pageSize ?? DEFAULT_LISTING_PAGE_SIZE,
        fetch: (offset, size) => post(operation, path, { ...request, record_offset: offset, record_size: size }, page),
        keyOf
      })
    }

  const once =
    <S extends Schema.Top & { readonly DecodingServices: never }>(operation: string, path: string, schema: S) =>
    (request: Record<string, unknown> = {}) =>
      post(operation, path, { ...request }, schema)

  return {
    exportTml,
    exportTmlBatch,
    auditLogs,
    searchUsers: listing("searchUsers", "users/search", User, (user: User) => user.id),
    searchGroups: listing("searchGroups", "groups/search", UserGroup, (group: UserGroup) => group.id),
    searchRoles: once("searchRoles", "roles/search", RoleListing),
    searchOrgs: once("searchOrgs", "orgs/search", OrgListing),
    searchTags: once("searchTags", "tags/search", TagListing),
    fetchPermissions: (request) =>
      post("fetchPermissions", "security/metadata/fetch-permissions", { ...request }, PermissionsResponse)
  }
}

const iso = (millis: number): string => new Date(millis).toISOString()
