/**
 * The one place where HTTP outcomes become `ThoughtSpotError`s: status codes, the three error-body shapes,
 * `Retry-After`, transport failures, timeouts, and the client's own checks (bad input, bad pages).
 *
 * Every text that came from the server or the network passes through a `Scrub` first, which withholds it whole
 * when it holds a known secret (password, secret key, issued tokens, session cookies), so no error message can
 * carry one, nor tell one by what is left around it. The client's own words around such a text stay.
 */
import type { HttpClientError } from "effect/http"
import { parseRetryAfter } from "../RetryPolicy.ts"
import {
  Authentication,
  BadRequest,
  Forbidden,
  Incomplete,
  NotFound,
  RateLimited,
  ResponseDecode,
  Server,
  ThoughtSpotError,
  Timeout,
  Transport,
  UnsupportedMediaType
} from "../ThoughtSpotError.ts"
import * as Scrubber from "./scrub.ts"

/** Withholds a text holding a known secret, in every encoding a server may echo it in (see `scrub.ts`). */
export type Scrub = Scrubber.Scrub

/** A scrubber over a live set of secrets (the set may grow as tokens are issued). */
export const makeScrub = Scrubber.makeScrub

/** What ThoughtSpot said in an error body. */
export interface ServerDetails {
  readonly code?: number
  readonly incidentId?: string
  readonly traceId?: string
  readonly serverMessage?: string
}

const MAX_MESSAGE = 500

const clip = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}…` : flat
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** A `debug` value: plain text, or (shape B) a JSON-encoded array of strings such as `"[\"…\"]"` or `"[null]"`. */
const debugText = (debug: unknown): string | undefined => {
  if (typeof debug !== "string") return undefined
  const trimmed = debug.trim()
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed)
      if (Array.isArray(parsed)) {
        const parts = parsed.filter((p): p is string => typeof p === "string" && p.trim() !== "")
        return parts.length === 0 ? undefined : parts.join("; ")
      }
    } catch {
      // not JSON after all: keep the raw text
    }
  }
  return trimmed === "" ? undefined : trimmed
}

const fromFields = (fields: Record<string, unknown>, message: string | undefined): ServerDetails => ({
  ...(typeof fields.code === "number" ? { code: fields.code } : {}),
  ...(typeof fields.incident_id_guid === "string" ? { incidentId: fields.incident_id_guid } : {}),
  ...(typeof fields.trace_id_guid === "string" ? { traceId: fields.trace_id_guid } : {}),
  ...(message === undefined ? {} : { serverMessage: message })
})

/**
 * Reads ThoughtSpot's error body in any of its shapes — A `{"error":{"message":{"code":10002,"debug":"…"}}}` (the
 * specification's examples), B `{"error":{"message":{"debug":{"code":10000,"debug":"[\"…\"]"}}}}` (what clusters
 * answer, the inner `debug` a JSON-encoded array of strings), C `{"error":{"message":{"debug":"…"}}}` — trying in order:
 * B `error.message.debug` as an object, A `error.message.{code,debug,…}`, C `error.message.debug` as text,
 * then `error.message` or `error` as text; a body that is not JSON gives its text as the message, scrubbed
 * by `scrub` first and clipped after (clipping folds whitespace and cuts, which could hide a secret's shape).
 */
export const parseErrorBody = (body: string, scrub: Scrub = (text) => text): ServerDetails => {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return body.trim() === "" ? {} : { serverMessage: clip(scrub(body)) }
  }
  const error = isRecord(json) ? json.error : undefined
  const message = isRecord(error) ? error.message : error
  if (isRecord(message)) {
    const debug = message.debug
    if (isRecord(debug)) return fromFields(debug, debugText(debug.debug) ?? debugText(debug.message))
    return fromFields(message, debugText(debug) ?? debugText(message.message))
  }
  if (typeof message === "string") return { serverMessage: message }
  return {}
}

/**
 * ThoughtSpot sometimes reports a missing permission as HTTP 500 rather than 403: code 10023 ("User does not have
 * access to …"), or words to that effect.
 */
const isPermissionError = (details: ServerDetails): boolean =>
  details.code === 10023 ||
  /\bFORBIDDEN\b|does not have (access|privilege)|access denied|permission denied|not authori[sz]ed/i.test(
    details.serverMessage ?? ""
  )

/** How web servers refuse plain HTTP sent to their TLS port with a 400 (nginx, Go's net/http). */
const plainHttpToHttps = /plain HTTP request was sent to HTTPS port|sent an HTTP request to an HTTPS server/i

/** Maps a non-2xx response to an error. `description` replaces the default wording when given. */
export const fromResponse = (options: {
  readonly operation: string
  readonly status: number
  readonly retryAfter: string | undefined
  readonly body: string
  readonly nowMillis: number
  readonly scrub: Scrub
  readonly description?: string
}): ThoughtSpotError => {
  const { operation, status } = options
  const parsed = parseErrorBody(options.body, options.scrub)
  // Every server-controlled text is scrubbed (the message again: scrubbing is idempotent), then clipped; an id
  // that held a secret is left out, the status and code stay.
  const id = (text: string | undefined) => {
    if (text === undefined) return undefined
    const scrubbed = options.scrub(text)
    return scrubbed === Scrubber.WITHHELD ? undefined : clip(scrubbed)
  }
  const incidentId = id(parsed.incidentId)
  const traceId = id(parsed.traceId)
  const { incidentId: _incident, traceId: _trace, ...rest } = parsed
  const details: ServerDetails = {
    ...rest,
    ...(incidentId === undefined ? {} : { incidentId }),
    ...(traceId === undefined ? {} : { traceId }),
    ...(parsed.serverMessage === undefined ? {} : { serverMessage: clip(options.scrub(parsed.serverMessage)) })
  }
  const base = { ...details, status }
  const describe = (fallback: string) => options.description ?? fallback
  const retryAfterMillis = parseRetryAfter(options.retryAfter, options.nowMillis)
  const withRetryAfter = retryAfterMillis === undefined ? {} : { retryAfterMillis }
  const reason = (() => {
    switch (status) {
      case 400:
        return new BadRequest({
          ...base,
          description: describe(
            plainHttpToHttps.test(options.body)
              ? "the server speaks HTTPS on this port and refused a plain HTTP request: use https:// in the host URL"
              : "ThoughtSpot rejected the request"
          )
        })
      case 401:
        return new Authentication({
          ...base,
          description: describe(
            "ThoughtSpot rejected the credentials; check the username and password, secret key or token"
          )
        })
      case 403:
        return new Forbidden({ ...base, description: describe("the user lacks the privilege or access this needs") })
      case 404:
        return new NotFound({ ...base, description: describe("not found; check the identifier and the host URL") })
      case 408:
        return new Timeout({
          ...base,
          retryable: true,
          description: describe("ThoughtSpot timed out waiting for the request")
        })
      case 415:
        return new UnsupportedMediaType({
          ...base,
          description: describe("ThoughtSpot refused the request's content type")
        })
      case 429:
        return new RateLimited({
          ...base,
          ...withRetryAfter,
          description: describe(
            "rate limit exceeded: ThoughtSpot turned the request away for the client's request rate; if it keeps doing so, send fewer requests at once: a lower rateLimit.requestsPerSecond or concurrency, or fewer streams read in parallel"
          )
        })
    }
    if (status === 500 && isPermissionError(details)) {
      return new Forbidden({ ...base, description: describe("the user lacks the privilege or access this needs") })
    }
    if (status >= 500)
      return new Server({ ...base, ...withRetryAfter, description: describe("ThoughtSpot server error") })
    if (status >= 400) return new BadRequest({ ...base, description: describe("ThoughtSpot rejected the request") })
    return new ResponseDecode({ ...base, malformed: false, description: describe(`unexpected HTTP status ${status}`) })
  })()
  return new ThoughtSpotError({ operation, reason })
}

const causeText = (cause: unknown): string => {
  if (cause instanceof Error) {
    const code = (cause as { readonly code?: unknown }).code
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : ""
    return `${typeof code === "string" ? `${code} ` : ""}${cause.message}${inner}`.trim()
  }
  return String(cause)
}

/** The first system or TLS error code in a cause chain (`cause`, and the `errors` of an `AggregateError`). */
const networkCodeOf = (cause: unknown, depth = 0): { readonly code: string; readonly error: Error } | undefined => {
  if (!(cause instanceof Error) || depth > 5) return undefined
  const code = (cause as { readonly code?: unknown }).code
  if (typeof code === "string" && code !== "UND_ERR_SOCKET" && code !== "ERR_HTTP2_ERROR") return { code, error: cause }
  for (const inner of cause instanceof AggregateError ? cause.errors : []) {
    const found = networkCodeOf(inner, depth + 1)
    if (found !== undefined) return found
  }
  return networkCodeOf(cause.cause, depth + 1)
}

/** Certificate errors (OpenSSL verify codes as Node names them): the chain or name is wrong, not the network. */
const isCertificateCode = (code: string): boolean =>
  /CERT|SIGNATURE|ISSUER|SELF_SIGNED|HOSTNAME_MISMATCH|UNABLE_TO_VERIFY/.test(code) ||
  code === "ERR_TLS_CERT_ALTNAME_INVALID"

/**
 * A response that is not HTTP at all: Node's parser gave up on the status line (`HPE_INVALID_CONSTANT`, "Expected
 * HTTP/"), as undici (`HTTPParserError`, its `data` the bytes read) and `node:http` (`Parse Error`, its
 * `rawPacket`) report it. `firstBytes` is what the server sent, when the error kept it.
 */
const notHttpOf = (cause: unknown, depth = 0): { readonly firstBytes: Uint8Array | undefined } | undefined => {
  if (!(cause instanceof Error) || depth > 5) return undefined
  const fields = cause as { readonly code?: unknown; readonly data?: unknown; readonly rawPacket?: unknown }
  if (fields.code === "HPE_INVALID_CONSTANT" || /Expected HTTP\//.test(cause.message)) {
    // undici keeps the bytes as a string (`Buffer#toString`): TLS record headers and banners are ASCII-safe.
    const raw = fields.rawPacket ?? fields.data
    const firstBytes =
      raw instanceof Uint8Array ? raw : typeof raw === "string" && raw !== "" ? Buffer.from(raw, "utf8") : undefined
    return { firstBytes }
  }
  for (const inner of cause instanceof AggregateError ? cause.errors : []) {
    const found = notHttpOf(inner, depth + 1)
    if (found !== undefined) return found
  }
  return notHttpOf(cause.cause, depth + 1)
}

/** A TLS record header: alert (21) or handshake (22), then the major version 3 (SSL 3.0 to TLS 1.3). */
const isTlsRecord = (bytes: Uint8Array): boolean =>
  bytes.length >= 3 && (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03 && bytes[2]! <= 0x04

/** Up to 16 bytes as text: printable ASCII as is, anything else as `\xNN`. */
const showBytes = (bytes: Uint8Array): string => {
  let text = ""
  for (const byte of bytes.subarray(0, 16)) {
    text +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, "0")}`
  }
  return bytes.length > 16 ? `${text}…` : text
}

/** The request URL without credentials, path and query: `https://host:port`, and `host:port` alone. */
const hostOf = (url: string): { readonly origin: string; readonly host: string } => {
  try {
    const parsed = new URL(url)
    return { origin: `${parsed.protocol}//${parsed.host}`, host: parsed.host }
  } catch {
    return { origin: url, host: url }
  }
}

/**
 * A connection failure, described by what it means: an unknown host, nothing listening, plain HTTP where TLS
 * was expected, a certificate not trusted, or (anything else) the transport error as Node reports it.
 */
const transportFailure = (
  request: { readonly method: string; readonly url: string },
  cause: unknown,
  scrub: Scrub
): Transport => {
  const { origin, host } = hostOf(request.url)
  const where = `${request.method} ${origin}${scrub(safePath(request.url))}`
  const found = networkCodeOf(cause)
  const code = found?.code
  const facts = { ...(code === undefined ? {} : { networkCode: code }), host: portedHost(request.url) }
  // Only what the network or server wrote is scrubbed: a piece that held a secret is withheld, the words around
  // it (the host URL the user gave, what to do) stay.
  const say = (description: string, retryable: boolean) =>
    new Transport({ ...facts, description: clip(description), ...(retryable ? {} : { retryable: false }) })
  const detail = scrub(found === undefined ? causeText(cause) : causeText(found.error))
  // Not HTTP: the same answer comes every time, so it is never retried. The scheme is the usual mistake.
  const notHttp = notHttpOf(cause)
  if (notHttp !== undefined) {
    const bytes = notHttp.firstBytes
    const secure = origin.replace(/^http:/, "https:")
    if (bytes !== undefined && isTlsRecord(bytes)) {
      return say(
        origin.startsWith("http:")
          ? `the server at ${origin} did not answer HTTP: it speaks TLS (its first bytes are a TLS record), so use ${secure}`
          : `the server at ${origin} did not answer HTTP: it sent a TLS record inside TLS; check the host URL and port`,
        false
      )
    }
    const sent = bytes === undefined ? "" : ` (its first bytes: "${scrub(showBytes(bytes))}")`
    return say(
      origin.startsWith("http:")
        ? `the server at ${origin} did not answer HTTP${sent}: if it speaks HTTPS, use ${secure}; else check the host URL and port`
        : `the server at ${origin} did not answer HTTP${sent}: check the host URL and port`,
      false
    )
  }
  if (code === "ENOTFOUND")
    return say(`cannot resolve host ${hostnameOf(request.url)}: check the host name (${where})`, false)
  if (code === "ECONNREFUSED") {
    return say(
      `nothing is listening at ${portedHost(request.url)}: check the host URL and that the server is running (${where})`,
      true
    )
  }
  const text =
    found === undefined ? "" : `${found.error.message} ${(found.error as { readonly reason?: unknown }).reason ?? ""}`
  if (
    code === "ERR_SSL_WRONG_VERSION_NUMBER" ||
    /wrong version number|packet length too long|http request/i.test(text)
  ) {
    return say(
      `the server at ${origin} answered in plain HTTP: did you mean ${origin.replace(/^https:/, "http:")}?`,
      false
    )
  }
  if (code !== undefined && isCertificateCode(code)) {
    return say(
      `the TLS certificate of ${host} is not trusted (${detail}): check the host URL, or add the CA (NODE_EXTRA_CA_CERTS)`,
      false
    )
  }
  if (code !== undefined && (code === "EPROTO" || code.startsWith("ERR_SSL_"))) {
    return say(`TLS with ${origin} failed (${detail}): check the host URL and its scheme`, false)
  }
  // A TLS server may close at once on a plain HTTP request (OpenSSL-based ones send no alert): the same close as
  // a dropped connection, so still retried, but the message names the likely cause.
  const closedSilently = request.url.startsWith("http:") && closedWithoutAByte(cause)
  const hint = closedSilently
    ? `; the server closed the connection without answering: if it speaks HTTPS, use ${origin.replace(/^http:/, "https:")}`
    : ""
  return say(`could not complete ${where}: ${detail}${hint}`, true)
}

/** undici's "other side closed" on a connection that never received a byte (its `socket.bytesRead` is 0). */
const closedWithoutAByte = (cause: unknown, depth = 0): boolean => {
  if (!(cause instanceof Error) || depth > 5) return false
  const socket = (cause as { readonly socket?: { readonly bytesRead?: unknown } }).socket
  if ((cause as { readonly code?: unknown }).code === "UND_ERR_SOCKET" && socket?.bytesRead === 0) return true
  return closedWithoutAByte(cause.cause, depth + 1)
}

/** `host:port`, with the scheme's default port spelled out (`nothing is listening at host:443`). */
const portedHost = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port === "" ? (parsed.protocol === "http:" ? "80" : "443") : parsed.port}`
  } catch {
    return url
  }
}

/** The host name of a URL, without port. */
const hostnameOf = (url: string): string => {
  try {
    return new URL(url).hostname
  } catch {
    return url
  }
}

/** The path of a URL, without query or fragment. */
const safePath = (url: string): string => {
  try {
    return new URL(url).pathname
  } catch {
    return ""
  }
}

/**
 * `text` with the user name and password of every URL in it left out (`http://me:pw@host` → `http://host`): a URL
 * the client could not send is shown to say which, and a password written into the host URL is no business of
 * the message (nor is it a registered secret, which the scrubber would catch).
 */
const withoutUserinfo = (text: string): string => text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, "$1")

/** Maps an `HttpClientError` (connection, reset, body cut short, bad URL) to an error. */
export const fromHttpClientError = (
  operation: string,
  error: HttpClientError.HttpClientError,
  scrub: Scrub
): ThoughtSpotError => {
  const reason = error.reason
  const { origin } = hostOf(reason.request.url)
  const where = `${reason.request.method} ${origin}${scrub(safePath(reason.request.url))}`
  switch (reason._tag) {
    case "TransportError":
      return new ThoughtSpotError({ operation, reason: transportFailure(reason.request, reason.cause, scrub) })
    case "DecodeError":
    case "EmptyBodyError":
      return new ThoughtSpotError({
        operation,
        reason: new Transport({
          description: clip(
            `the response to ${where} ended early or could not be read: ${scrub(causeText(reason.cause))}`
          ),
          ...(reason.response === undefined ? {} : { status: reason.response.status })
        })
      })
    default:
      return new ThoughtSpotError({
        operation,
        reason: new BadRequest({
          description: clip(
            `could not send ${reason.request.method} ${scrub(withoutUserinfo(reason.request.url))}: ${scrub(withoutUserinfo(reason.message))}; check the host URL`
          )
        })
      })
  }
}

/**
 * A body whose `Content-Encoding` the client decodes but whose bytes would not decode: cut short (a transport
 * failure, retried), or not in that encoding at all — re-encoded on the way, or already decoded by an HTTP
 * client that left the header — which no retry mends.
 */
export const undecodableBody = (
  operation: string,
  options: {
    readonly encoding: string
    readonly truncated: boolean
    readonly detail: string
    readonly status: number
    readonly scrub: Scrub
  }
): ThoughtSpotError => {
  const detail = options.scrub(options.detail)
  return new ThoughtSpotError({
    operation,
    reason: options.truncated
      ? new Transport({
          status: options.status,
          description: clip(`the ${options.encoding}-compressed response ended early (${detail})`)
        })
      : new ResponseDecode({
          status: options.status,
          malformed: false,
          description: clip(
            `the response says content-encoding ${options.encoding} but its body is not ${options.encoding} data (${detail}): something between the client and ThoughtSpot re-encodes answers, or the HttpClient decoded it and kept the header; check the host URL and the HttpClient`
          )
        })
  })
}

/** A duration as messages say it: whole seconds when it is one, else milliseconds. */
const duration = (millis: number): string => (millis % 1000 === 0 ? `${millis / 1000} s` : `${millis} ms`)

/** One attempt took longer than its timeout. */
export const attemptTimedOut = (operation: string, millis: number): ThoughtSpotError =>
  new ThoughtSpotError({
    operation,
    reason: new Timeout({
      retryable: true,
      limit: "attempt",
      limitMillis: millis,
      description: `no complete response within ${duration(millis)} (the per-attempt timeout, attemptTimeoutMillis)`
    })
  })

/** The whole call, retries included, ran past its deadline. */
export const deadlineExceeded = (operation: string, millis: number): ThoughtSpotError =>
  new ThoughtSpotError({
    operation,
    reason: new Timeout({
      retryable: false,
      limit: "deadline",
      limitMillis: millis,
      description: `gave up after ${duration(millis)}, retries included (the request deadline, deadlineMillis): check the server, or allow more time`
    })
  })

/** A 2xx body that is not what ThoughtSpot documents; `malformed` marks damage in transit (retried). */
export const badBody = (
  operation: string,
  description: string,
  malformed: boolean,
  status?: number
): ThoughtSpotError =>
  new ThoughtSpotError({
    operation,
    reason: new ResponseDecode({ description, malformed, ...(status === undefined ? {} : { status }) })
  })

/**
 * A redirect (3xx). Never followed: it would resend the credentials to wherever it points, and a ThoughtSpot
 * API does not redirect, so it means a wrong host URL (e.g. `http://` to `https://`) or a login page in between.
 */
export const redirected = (
  operation: string,
  status: number,
  location: string | undefined,
  scrub: Scrub
): ThoughtSpotError => {
  const where = location === undefined || location.trim() === "" ? undefined : clip(scrub(location.trim()))
  return new ThoughtSpotError({
    operation,
    reason: new ResponseDecode({
      status,
      malformed: false,
      ...(where === undefined ? {} : { location: where }),
      description:
        where === undefined
          ? `ThoughtSpot answered ${status} with no Location: check the host URL`
          : `ThoughtSpot answered ${status}, redirecting to ${where}: check the host URL (redirects are not followed, they would take the credentials along)`
    })
  })
}

/** The media type of a `Content-Type`, lower case, without parameters. */
const mediaTypeOf = (contentType: string): string => (contentType.split(";", 1)[0] ?? "").trim().toLowerCase()

/** `application/json` or a `+json` type, with or without parameters such as `charset`. */
export const isJsonMediaType = (contentType: string): boolean => {
  const type = mediaTypeOf(contentType)
  return type === "application/json" || type.endsWith("+json")
}

/**
 * A 2xx body that is plainly not JSON, said as what it is: HTML (a login page, a proxy, the wrong host),
 * compressed bytes (gzip, or an encoding the client cannot decode), or another content type. Looks at the
 * `Content-Type` and the first bytes only; `undefined` when the body may be JSON.
 */
export const notJson = (options: {
  readonly operation: string
  readonly status: number
  readonly contentType: string | undefined
  readonly contentEncoding: string
  readonly bytes: Uint8Array
  readonly scrub: Scrub
}): ThoughtSpotError | undefined => {
  const { bytes } = options
  if (bytes.length === 0) return undefined
  let first = 0
  while (
    first < bytes.length &&
    first < 1024 &&
    (bytes[first] === 0x20 || (bytes[first]! >= 0x09 && bytes[first]! <= 0x0d))
  )
    first++
  const type = options.contentType === undefined ? undefined : clip(options.scrub(options.contentType)).slice(0, 80)
  const said = type === undefined ? "no content-type" : `content-type ${type}`
  const fail = (description: string) =>
    new ThoughtSpotError({
      operation: options.operation,
      reason: new ResponseDecode({
        status: options.status,
        malformed: false,
        ...(type === undefined ? {} : { contentType: type }),
        description
      })
    })
  // Judged on the header as sent; only what is shown is scrubbed.
  const mediaType = options.contentType === undefined ? undefined : mediaTypeOf(options.contentType)
  const gzip = bytes[first] === 0x1f && bytes[first + 1] === 0x8b
  if (gzip) {
    return fail(
      `the response is gzip-compressed without saying so (${said}, content-encoding ${options.contentEncoding}), not JSON: check the host URL (a proxy may be compressing it)`
    )
  }
  if (
    options.contentEncoding !== "identity" &&
    !["gzip", "x-gzip", "deflate", "br"].includes(options.contentEncoding)
  ) {
    return fail(
      `the response is compressed with ${clip(options.scrub(options.contentEncoding)).slice(0, 40)} (${said}), which the client cannot decode: check the host URL (a proxy may be compressing it)`
    )
  }
  const html = mediaType === "text/html" || mediaType === "application/xhtml+xml" || bytes[first] === 0x3c // "<"
  if (html) {
    return fail(`the response is HTML, not JSON (${said}): is the host URL ThoughtSpot's, not a login page or proxy?`)
  }
  if (options.contentType !== undefined && !isJsonMediaType(options.contentType)) {
    return fail(`the response has ${said}, not JSON: check the host URL (a proxy or login page may be answering)`)
  }
  return undefined
}

/** Input the client refuses before sending anything. */
export const badInput = (operation: string, description: string): ThoughtSpotError =>
  new ThoughtSpotError({ operation, reason: new BadRequest({ description }) })

/** A call on a client whose scope has closed (its tokens were released then): refused before anything is sent. */
export const clientClosed = (operation: string): ThoughtSpotError =>
  badInput(
    operation,
    "the client's scope has closed (its tokens were revoked then): a client works only inside the scope it was built in; build a new one (ThoughtSpotClient.make or a layer) where it is used"
  )

/** A paged read that did not deliver exactly the rows ThoughtSpot announced. */
export const incomplete = (
  operation: string,
  description: string,
  rows?: { readonly expectedRows: number; readonly receivedRows: number }
): ThoughtSpotError => new ThoughtSpotError({ operation, reason: new Incomplete({ description, ...rows }) })
