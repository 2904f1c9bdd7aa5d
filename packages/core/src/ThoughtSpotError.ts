/**
 * The one error type of `@spotpipe/core`: `ThoughtSpotError { operation, reason }`.
 *
 * `operation` names the client call that failed (`searchData`, `auth/token/full`, …); `reason` says what
 * happened, as one of a closed set of tagged reasons, each carrying what ThoughtSpot told us (HTTP status,
 * ThoughtSpot error code, incident and trace ids, the server's message) and whether retrying can help.
 * Messages never contain a token, password or secret key: server text is scrubbed before it gets here.
 */
import { Schema } from "effect"

/** Fields every reason carries; the optional ones are present when the failure came from an HTTP response. */
const details = {
  /** What happened and, where it helps, what to do about it. */
  description: Schema.String,
  /** HTTP status of the failing response. */
  status: Schema.optionalKey(Schema.Int),
  /** ThoughtSpot's numeric error code (e.g. 10002, 10097, 10023). */
  code: Schema.optionalKey(Schema.Int),
  /** ThoughtSpot's `incident_id_guid`, to quote to ThoughtSpot support. */
  incidentId: Schema.optionalKey(Schema.String),
  /** ThoughtSpot's `trace_id_guid`. */
  traceId: Schema.optionalKey(Schema.String),
  /** The server's own message (the `debug` text), secrets removed. */
  serverMessage: Schema.optionalKey(Schema.String)
}

interface Details {
  readonly description: string
  readonly status?: number
  readonly code?: number
  readonly incidentId?: string
  readonly traceId?: string
  readonly serverMessage?: string
}

const render = (self: Details): string => {
  const facts: Array<string> = []
  if (self.status !== undefined) facts.push(`HTTP ${self.status}`)
  if (self.code !== undefined) facts.push(`code ${self.code}`)
  if (self.incidentId !== undefined) facts.push(`incident ${self.incidentId}`)
  if (self.traceId !== undefined && self.traceId !== "tracing-disabled") facts.push(`trace ${self.traceId}`)
  let text = self.description
  if (facts.length > 0) text += ` (${facts.join(", ")})`
  if (self.serverMessage !== undefined && self.serverMessage !== "") text += `: ${self.serverMessage}`
  return text
}

/** Credentials rejected, token expired/revoked and not renewable, or a second 401 after one refresh. */
export class Authentication extends Schema.TaggedError<Authentication>()("Authentication", {
  ...details,
  /** The user whose credentials were refused, when the client signed in with a user name. */
  username: Schema.optionalKey(Schema.String),
  /** The host (and port, if the URL names one) that refused them. */
  host: Schema.optionalKey(Schema.String)
}) {
  /** Never retried: new credentials are needed. */
  get isRetryable(): boolean {
    return false
  }
  override get message(): string {
    return render(this)
  }
}

/** The user lacks a privilege or access to the object (HTTP 403, or a 500 that is a permission error). */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", details) {
  /** Never retried. */
  get isRetryable(): boolean {
    return false
  }
  override get message(): string {
    return render(this)
  }
}

/** ThoughtSpot rejected the request (HTTP 400 and other unclassified 4xx), or the client refused bad input. */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", details) {
  /** Never retried. */
  get isRetryable(): boolean {
    return false
  }
  override get message(): string {
    return render(this)
  }
}

/** HTTP 404: the endpoint or object does not exist. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", details) {
  /** Never retried. */
  get isRetryable(): boolean {
    return false
  }
  override get message(): string {
    return render(this)
  }
}

/** HTTP 415: the server refused the request's content type. */
export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", details) {
  /** Never retried. */
  get isRetryable(): boolean {
    return false
  }
  override get message(): string {
    return render(this)
  }
}

/** HTTP 429: ThoughtSpot's rate limit (100 requests/s per client IP) was hit. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...details,
  /** The server's `Retry-After`, in milliseconds from when the response arrived, if it sent one. */
  retryAfterMillis: Schema.optionalKey(Schema.Finite)
}) {
  /** Always retried (with the server's `Retry-After` honoured, up to the policy's cap). */
  get isRetryable(): boolean {
    return true
  }
  override get message(): string {
    return render(this)
  }
}

/** HTTP 5xx that is not a permission error. 500/502/503/504 are transient; others (501, 505, …) are not. */
export class Server extends Schema.TaggedError<Server>()("Server", {
  ...details,
  /** The server's `Retry-After`, in milliseconds, if it sent one (e.g. with a 503). */
  retryAfterMillis: Schema.optionalKey(Schema.Finite)
}) {
  /** True for 500, 502, 503 and 504. */
  get isRetryable(): boolean {
    return this.status === undefined || [500, 502, 503, 504].includes(this.status)
  }
  override get message(): string {
    return render(this)
  }
}

/**
 * The connection failed, was reset, or the response body ended early. Failures that cannot heal — an unknown
 * host (`ENOTFOUND`), a TLS protocol or certificate error — are not retried; a refused connection is retried
 * only briefly (`RetryPolicy.refusedAttempts`).
 */
export class Transport extends Schema.TaggedError<Transport>()("Transport", {
  ...details,
  /** The system or TLS error code, e.g. `ECONNRESET`, `ENOTFOUND`, `ECONNREFUSED`, `ERR_SSL_WRONG_VERSION_NUMBER`. */
  networkCode: Schema.optionalKey(Schema.String),
  /** The host and port the request went to, e.g. `my.thoughtspot.cloud:443`. */
  host: Schema.optionalKey(Schema.String),
  /** False when retrying cannot help (unknown host, TLS refused); absent means retryable. */
  retryable: Schema.optionalKey(Schema.Boolean)
}) {
  /** True unless the failure cannot heal (see `retryable`). */
  get isRetryable(): boolean {
    return this.retryable !== false
  }
  override get message(): string {
    return render(this)
  }
}

/** An attempt exceeded its per-attempt timeout, the server answered 408, or the overall deadline passed. */
export class Timeout extends Schema.TaggedError<Timeout>()("Timeout", {
  ...details,
  /** False when the call's overall deadline (not one attempt) ran out: retrying is then pointless. */
  retryable: Schema.Boolean,
  /**
   * Which of the client's time limits ran out: `attempt` (`attemptTimeoutMillis`) or `deadline` (`deadlineMillis`);
   * absent when the server timed out (408). With {@link limitMillis}, for callers that name the limits their way.
   */
  limit: Schema.optionalKey(Schema.Literals(["attempt", "deadline"])),
  /** The limit that ran out, in milliseconds. */
  limitMillis: Schema.optionalKey(Schema.Finite)
}) {
  /** True for one slow attempt or a 408; false once the overall deadline is spent. */
  get isRetryable(): boolean {
    return this.retryable
  }
  override get message(): string {
    return render(this)
  }
}

/** A response whose body is not what ThoughtSpot documents, or a redirect (3xx), which is never followed. */
export class ResponseDecode extends Schema.TaggedError<ResponseDecode>()("ResponseDecode", {
  ...details,
  /** The response's `Content-Type`, when it is not JSON (e.g. `text/html` from a login page or proxy). */
  contentType: Schema.optionalKey(Schema.String),
  /** A redirect's `Location` (redirects are not followed); absent on a redirect that names none. */
  location: Schema.optionalKey(Schema.String),
  /**
   * True when the body is damaged (not valid JSON, or a page that contradicts its own row count) — the mark of
   * a truncated transfer, worth retrying; false when it is well-formed but of an unexpected shape.
   */
  malformed: Schema.Boolean
}) {
  /** Retried only when the body looks damaged in transit. */
  get isRetryable(): boolean {
    return this.malformed
  }
  override get message(): string {
    return render(this)
  }
}

/** A paged read did not deliver exactly `available_data_row_count` rows, or the result changed while paging. */
export class Incomplete extends Schema.TaggedError<Incomplete>()("Incomplete", {
  ...details,
  /** `available_data_row_count` as reported by the first page. */
  expectedRows: Schema.optionalKey(Schema.Int),
  /** Rows actually received before the stream stopped. */
  receivedRows: Schema.optionalKey(Schema.Int)
}) {
  /** Never retried as a whole: rerun the export. */
  get isRetryable(): boolean {
    return false
  }
  override get message(): string {
    return render(this)
  }
}

/** Every reason a ThoughtSpot call can fail for. */
export const ThoughtSpotErrorReason = Schema.Union([
  Authentication,
  Forbidden,
  BadRequest,
  NotFound,
  UnsupportedMediaType,
  RateLimited,
  Server,
  Transport,
  Timeout,
  ResponseDecode,
  Incomplete
])

/** Every reason a ThoughtSpot call can fail for. */
export type ThoughtSpotErrorReason = typeof ThoughtSpotErrorReason.Type

/** Network codes of a connection that was never made, so no request reached the server. */
const neverReached: ReadonlyArray<string> = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]

/** The error of every `@spotpipe/core` operation. */
export class ThoughtSpotError extends Schema.TaggedError<ThoughtSpotError>()("ThoughtSpotError", {
  /** The client operation or endpoint that failed, e.g. `searchData` or `auth/token/full`. */
  operation: Schema.String,
  reason: ThoughtSpotErrorReason
}) {
  /** Whether retrying the same request can help (delegates to the reason). */
  get isRetryable(): boolean {
    return this.reason.isRetryable
  }
  /**
   * Whether ThoughtSpot certainly did not act on the request: it was rate limited (429), turned away as unavailable
   * (503), or never reached (the connection refused, the host or network unreachable). A call that changes
   * something is sent again only after such a failure: after any other (a timeout, a 502, a connection reset
   * mid-answer) it may have been carried out.
   */
  get isUnapplied(): boolean {
    const reason = this.reason
    switch (reason._tag) {
      case "RateLimited":
        return true
      case "Server":
        return reason.status === 503
      case "Transport":
        return reason.networkCode !== undefined && neverReached.includes(reason.networkCode)
      default:
        return false
    }
  }
  /** The server's `Retry-After` in milliseconds, when the reason carries one. */
  get retryAfterMillis(): number | undefined {
    return "retryAfterMillis" in this.reason ? this.reason.retryAfterMillis : undefined
  }
  override get message(): string {
    return `${this.operation}: ${this.reason._tag}: ${this.reason.message}`
  }
}

/** True for a `ThoughtSpotError`. */
export const isThoughtSpotError = (u: unknown): u is ThoughtSpotError => u instanceof ThoughtSpotError
