/**
 * @spotpipe/core — Effect client for the ThoughtSpot REST API v2.0: authentication and token lifecycle,
 * retries, rate limiting, one typed error, typed endpoints and paginated `Stream`s with exact large integers.
 */

/** Any REST v2.0 call as bytes (`ThoughtSpotClient.request`), with byte-exact JSON helpers. */
export * as ApiCall from "./ApiCall.ts"
/** Security audit logs: `logs/fetch` entries and the 24-hour windows a time range is read in. */
export * as AuditLog from "./AuditLog.ts"
/** Authentication methods (`Auth.password`, `Auth.secretKey`, `Auth.objectToken`, `Auth.bearerToken`, `Auth.cookieSession`). */
export * as Auth from "./Auth.ts"
/** Exact JSON parsing: integers beyond 2^53 become `bigint`. */
export { parseJsonExact } from "./internal/bigJson.ts"
/** Orgs (`orgs/search`) and how a client addresses one (`forOrg`). */
export * as Orgs from "./Orgs.ts"
/** Data pages (`DataPage`), page-size limits and the paging streams. */
export * as Pagination from "./Pagination.ts"
/** Object permissions (`security/metadata/fetch-permissions`). */
export * as Permissions from "./Permissions.ts"
/** Users, groups and roles (`users/search`, `groups/search`, `roles/search`). */
export * as Principals from "./Principals.ts"
/** Client-side rate limiter (default 100 requests/s). */
export * as RateLimiter from "./RateLimiter.ts"
/** Retry policy as data, and its `Schedule`. */
export * as RetryPolicy from "./RetryPolicy.ts"
/** Tags (`tags/search`). */
export * as Tags from "./Tags.ts"
/** Wire schemas of the endpoints. */
export * as ThoughtSpotApi from "./ThoughtSpotApi.ts"
/** The client service, its options, `layer`, `layerNode`, `layerConfig`. */
export * as ThoughtSpotClient from "./ThoughtSpotClient.ts"
/** `ThoughtSpotError { operation, reason }` and its reasons. */
export * as ThoughtSpotError from "./ThoughtSpotError.ts"
/** TML export: requests and each object's outcome (`TmlExported` / `TmlFailed`). */
export * as Tml from "./Tml.ts"
