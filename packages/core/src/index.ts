/**
 * @spotpipe/core — Effect client for the ThoughtSpot REST API v2.0: authentication and token lifecycle,
 * retries, rate limiting, one typed error, typed endpoints and paginated `Stream`s with exact large integers.
 */

/** Any REST v2.0 call as bytes (`ThoughtSpotClient.request`), with byte-exact JSON helpers. */
export * as ApiCall from "./ApiCall.ts"
/** Authentication methods (`Auth.password`, `Auth.secretKey`, `Auth.objectToken`, `Auth.bearerToken`, `Auth.cookieSession`). */
export * as Auth from "./Auth.ts"
/** Exact JSON parsing: integers beyond 2^53 become `bigint`. */
export { parseJsonExact } from "./internal/bigJson.ts"
/** Data pages (`DataPage`), page-size limits and the paging streams. */
export * as Pagination from "./Pagination.ts"
/** Client-side rate limiter (default 100 requests/s). */
export * as RateLimiter from "./RateLimiter.ts"
/** Retry policy as data, and its `Schedule`. */
export * as RetryPolicy from "./RetryPolicy.ts"
/** Wire schemas of the endpoints. */
export * as ThoughtSpotApi from "./ThoughtSpotApi.ts"
/** The client service, its options, `layer`, `layerNode`, `layerConfig`. */
export * as ThoughtSpotClient from "./ThoughtSpotClient.ts"
/** `ThoughtSpotError { operation, reason }` and its reasons. */
export * as ThoughtSpotError from "./ThoughtSpotError.ts"
/** Token lifecycle (used by the client; exported for inspection and tests). */
export * as TokenManager from "./TokenManager.ts"
