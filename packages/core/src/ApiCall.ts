/**
 * Calls to any ThoughtSpot REST API v2.0 endpoint, for tools that pass answers on as they came (`spotpipe api`):
 * the client's `request()` goes through its one pipeline (credentials and their renewal after a 401, the rate
 * limiter, timeouts, retries, typed errors) and returns the status and the body's bytes, checked to be JSON but
 * never re-written. A call that may change something ({@link changesState}) is retried only after a failure that
 * shows it was not carried out. The values of a request's secret fields ({@link secretFields}: a password, a
 * secret key, a token, a webhook's header values, a variable's values …) and the credentials written in its URLs
 * (a webhook's delivery URL after its host, any URL's user info) are kept out of that call's errors, logs and
 * spans in every encoding, as the client's own credentials are ({@link secretsOf}). Beside it, byte-level JSON
 * helpers that keep every value's bytes: {@link apiPath} (which paths a call may name), {@link arrayElements} (the
 * elements of a JSON array, each its own bytes) and {@link withMembers} (a JSON object with members replaced, the
 * others kept as written).
 *
 * ```ts
 * const client = yield* ThoughtSpotClient.ThoughtSpotClient
 * const { bytes } = yield* client.request({ method: "POST", path: "metadata/search", body: '{"record_size":5}' })
 * ```
 */
import { parsed } from "./internal/jsonBytes.ts"

/** The HTTP methods of REST v2.0 (169 POST, 10 GET, one PUT and one DELETE in the published spec). */
export const methods = ["GET", "POST", "PUT", "DELETE"] as const
/** See {@link methods}. */
export type Method = (typeof methods)[number]

/**
 * The POST endpoints of REST v2.0 that only read: the published spec's search, fetch, get and export operations and
 * the token calls (a second token is harmless). `{}` stands for one path segment (an identifier).
 */
export const readingEndpoints: ReadonlyArray<string> = [
  "ai/data-source-suggestions",
  "ai/instructions/get",
  "ai/memory/export",
  "ai/relevant-questions",
  "auth/search",
  "auth/token/custom",
  "auth/token/full",
  "auth/token/object",
  "auth/token/validate",
  "calendars/search",
  "collections/search",
  "connection-configurations/search",
  "connection/search",
  "connections/fetch-connection-diff-status/{}",
  "customization/custom-actions/search",
  "customization/email/search",
  "customization/styles/fonts/search",
  "customization/styles/logos/export",
  "customization/styles/search",
  "dbt/search",
  "groups/search",
  "jobs/history/communication-channels/search",
  "localizations/manual-translation/export",
  "localizations/manual-translation/locales/{}/export",
  "logs/fetch",
  "metadata/answer/data",
  "metadata/answer/sql",
  "metadata/liveboard/data",
  "metadata/liveboard/sql",
  "metadata/search",
  "metadata/tml/async/status",
  "metadata/tml/export",
  "metadata/tml/export/batch",
  "orgs/search",
  "report/answer",
  "report/liveboard",
  "roles/search",
  "schedules/search",
  "searchdata",
  "security/column/rules/fetch",
  "security/metadata/fetch-object-privileges",
  "security/metadata/fetch-permissions",
  "security/principals/fetch-permissions",
  "system/preferences/communication-channels/search",
  "system/security-settings/search",
  "tags/search",
  "template/variables/search",
  "users/search",
  "vcs/git/commits/search",
  "vcs/git/config/search",
  "webhooks/search"
]

/** The endpoints the published spec reads with GET; the others take POST (but for one PUT and one DELETE). */
export const getEndpoints: ReadonlyArray<string> = [
  "ai/agent/conversations",
  "ai/agent/conversations/{}/answers/{}/details",
  "ai/agent/conversations/{}/messages",
  "ai/agent/instructions/get",
  "auth/session/token",
  "auth/session/user",
  "system",
  "system/config",
  "system/config-overrides",
  "webhooks/storage-config"
]

/** `{}`-patterned endpoints as segments, for {@link isOneOf}. */
const segmentsOf = (endpoints: ReadonlyArray<string>) => endpoints.map((endpoint) => endpoint.split("/"))

/** Whether `path` (as {@link apiPath} gives it; a query string is ignored) is one of `endpoints`' segments. */
const isOneOf = (endpoints: ReadonlyArray<ReadonlyArray<string>>, path: string): boolean => {
  const segments = (path.split("?", 1)[0] ?? "").replace(/\/$/, "").toLowerCase().split("/")
  return endpoints.some(
    (endpoint) => endpoint.length === segments.length && endpoint.every((s, i) => s === "{}" || s === segments[i])
  )
}

const readingSegments = segmentsOf(readingEndpoints)
const getSegments = segmentsOf(getEndpoints)

/** The method REST v2.0 takes `path` with: GET for {@link getEndpoints}, else POST (for a hint; the server decides). */
export const usualMethod = (path: string): Method => (isOneOf(getSegments, path) ? "GET" : "POST")

/**
 * Whether a call may change something on the server: every method but GET, unless the endpoint is one of
 * {@link readingEndpoints}. `path` is as {@link apiPath} gives it (a query string is ignored). Such a call is sent
 * again only after a failure that shows ThoughtSpot did not act on it (`ThoughtSpotError.isUnapplied`).
 */
export const changesState = (method: Method, path: string): boolean =>
  method !== "GET" && !isOneOf(readingSegments, path)

/** One call to any REST v2.0 endpoint. */
export interface ApiRequest {
  readonly method: Method
  /** The endpoint, as {@link apiPath} accepts it: `metadata/search`, `/metadata/search` or `/api/rest/2.0/metadata/search`. */
  readonly path: string
  /** Query parameters, in order, added to any query the path has. */
  readonly query?: ReadonlyArray<readonly [string, string]> | undefined
  /** JSON text sent as the body exactly as given (its numbers are never re-written); none when absent. */
  readonly body?: string | undefined
  /**
   * Values to keep out of this call's errors, logs and spans besides those found by name (see
   * {@link secretsOf}), e.g. a credential in a field the published spec does not call one.
   */
  readonly secrets?: ReadonlyArray<string> | undefined
}

/**
 * The request fields of REST v2.0 whose values are secrets, the one list of them: every password, secret, key and
 * token field of a request body in the published OpenAPI document (with where it is used), and the fields that
 * carry a credential under another name by the document's structure (a webhook's additional headers and URL
 * parameters, a sensitive variable's values). A name, or `parent.name` when the name alone is no secret (an API
 * key's `value`). Matched at any depth, without regard to case, `_` or `-` (`accessToken` is `access_token`):
 * connection configurations (`data_warehouse_config`, `configuration`) are free-form objects whose warehouse
 * credentials are written in either style. Every value under a matched field is a secret (an array's elements,
 * an object's members).
 */
export const secretFields: ReadonlyArray<string> = [
  // auth/token/full|object|custom, auth/session/login, users/create|activate|import, basic authentication of
  // webhooks (BASIC_AUTH) and custom actions (Basic_Auth), connection configurations
  "password",
  "current_password", // users/change-password
  "new_password", // users/change-password, users/reset-password
  "default_password", // users/import
  "secret_key", // auth/token/full|object|custom
  "token", // auth/token/revoke, auth/token/validate
  "auth_token", // users/activate
  "access_token", // dbt/dbt-connection, dbt/update-dbt-connection, vcs/git/config/create|update
  "client_secret", // webhooks: authentication.OAUTH2
  "secret", // webhooks: signature_verification
  "bearer_token", // webhooks (BEARER_TOKEN), custom actions (Bearer_Token)
  "api_key.value", // webhooks (API_KEY), custom actions (API_Key)
  // webhooks/create|update: headers sent with every delivery, there to authenticate it (`Authorization`, an
  // API key under any name): every value, whatever its key
  "additional_headers.value",
  // webhooks/create|update: the delivery URL's query, the other place a receiver takes its key (`code`, `sig`)
  "url_params",
  // customization/custom-actions (and its update): the action URL's query parameters, likewise
  "url.parameters.value",
  // template/variables/{identifier}/update-values and template/variables/update-values: a request cannot tell a
  // variable created with is_sensitive (a warehouse password in a CONNECTION_PROPERTY) from another, so every
  // value it assigns
  "variable_assignment.assigned_values",
  "variable_assignment.variable_values",
  // Warehouse and storage credentials in connection configurations: OAuth, key-pair and access-key sign-in
  "refresh_token",
  "oauth_client_secret",
  "private_key",
  "private_key_passphrase",
  "passphrase",
  "secret_access_key",
  "aws_secret_access_key",
  "aws_session_token", // temporary AWS credentials beside an access key
  "session_token",
  // A password under its short names, as warehouse and JDBC configurations write it
  "pwd",
  "passwd",
  // Auth settings (cluster and Org preferences): each access token's plaintext key
  "access_tokens.key"
]

/**
 * Fields that are a secret when their value is text or a number, not when it is an object: an `api_key` given as
 * the key itself (`{"api_key": "…"}`), where a webhook's `api_key` object also names its header (`key`, no secret).
 */
export const secretValueFields: ReadonlyArray<string> = ["api_key"]

/**
 * The endpoints whose top-level `url` is a delivery URL: a webhook's, where the receiver's key is written in the
 * path or the query (Slack's `/services/T…/B…/<key>`, Teams', Discord's), so everything after its host is a
 * secret. `{}` stands for one path segment, as in {@link readingEndpoints}.
 */
export const secretUrlEndpoints: ReadonlyArray<string> = ["webhooks/create", "webhooks/{}/update"]

const secretUrlSegments = segmentsOf(secretUrlEndpoints)

/** Whether `path` (as {@link apiPath} gives it) is one of {@link secretUrlEndpoints}. */
const sendsSecretUrl = (path: string): boolean => isOneOf(secretUrlSegments, path)

/** `text` and, when it differs, its percent-decoded form (a server may echo either). */
const withDecoded = (text: string): ReadonlyArray<string> => {
  try {
    const decoded = decodeURIComponent(text)
    return decoded === text ? [text] : [text, decoded]
  } catch {
    return [text]
  }
}

/**
 * The credentials a URL written in a request holds: its user info, whole and as user name and password (a git
 * remote's `https://user:token@…`, a token alone as the user name); with `delivery`, also everything after its
 * host (path, query, fragment) — all of a text that is no URL. None for a text without `scheme://`.
 */
const urlSecrets = (text: string, delivery: boolean): ReadonlyArray<string> => {
  const match = /^\s*[a-z][a-z0-9+.-]*:[\\/]{2}([^/?#\\]*)(.*)$/is.exec(text)
  if (match === null) return delivery ? [text] : []
  const authority = match[1]!
  const rest = match[2]!.trim()
  const out: Array<string> = []
  const at = authority.lastIndexOf("@")
  if (at >= 0) {
    const info = authority.slice(0, at)
    const colon = info.indexOf(":")
    out.push(...withDecoded(info))
    if (colon >= 0) out.push(...withDecoded(info.slice(0, colon)), ...withDecoded(info.slice(colon + 1)))
  }
  if (delivery && rest !== "" && rest !== "/") out.push(...withDecoded(rest))
  return out
}

/** Every string in the parsed JSON `value`, keys aside. */
const stringsIn = (value: unknown, out: Array<string>): void => {
  if (typeof value === "string") out.push(value)
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out)
  else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) stringsIn(item, out)
}

/** A field name as {@link secretFields} are matched: lower case, without `_` and `-`. */
const fieldName = (name: string): string => name.toLowerCase().replace(/[_-]/g, "")

const secretPaths = secretFields.map((field) => field.split(".").map(fieldName))

const secretValueNames = new Set(secretValueFields.map(fieldName))

/** Whether a text or number at the object keys `path` is a secret by its own name ({@link secretValueFields}). */
const isSecretValue = (path: ReadonlyArray<string>): boolean =>
  path.length > 0 && secretValueNames.has(path[path.length - 1]!)

/** Whether the object keys `path` (outermost first, each a {@link fieldName}) end with one of {@link secretFields}. */
const isSecretPath = (path: ReadonlyArray<string>): boolean =>
  secretPaths.some(
    (names) => names.length <= path.length && names.every((name, i) => name === path[path.length - names.length + i])
  )

const isJsonSpace = (char: string | undefined) => char === " " || char === "\n" || char === "\r" || char === "\t"

/** The index of the first character at or after `at` that is not JSON whitespace. */
const skipJsonSpace = (text: string, at: number): number => {
  let i = at
  while (isJsonSpace(text[i])) i++
  return i
}

/** The index after the JSON string starting at `at` (its opening quote). */
const stringEnd = (text: string, at: number): number => {
  let i = at + 1
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1
  return i + 1
}

/**
 * Walks the value of valid JSON `text` at `at`, adding to `out` every string and number (as written: a number's
 * own digits) under a member whose key path ends as a secret field does (`inSecret`: the value is under one).
 * Read from the text, not a parse: a key given twice is sent twice, and each value may be echoed. Returns the
 * index after the value.
 */
const walkSecrets = (text: string, at: number, path: Array<string>, inSecret: boolean, out: Array<string>): number => {
  let i = skipJsonSpace(text, at)
  const first = text[i]
  if (first === "{" || first === "[") {
    const close = first === "{" ? "}" : "]"
    i = skipJsonSpace(text, i + 1)
    while (text[i] !== close && i < text.length) {
      if (first === "{") {
        const keyEnd = stringEnd(text, i)
        path.push(fieldName(JSON.parse(text.slice(i, keyEnd)) as string))
        i = walkSecrets(text, skipJsonSpace(text, keyEnd) + 1, path, inSecret || isSecretPath(path), out)
        path.pop()
      } else i = walkSecrets(text, i, path, inSecret, out)
      i = skipJsonSpace(text, i)
      if (text[i] === ",") i = skipJsonSpace(text, i + 1)
    }
    return i + 1
  }
  if (first === '"') {
    const end = stringEnd(text, i)
    if (inSecret || isSecretValue(path)) out.push(JSON.parse(text.slice(i, end)) as string)
    return end
  }
  let end = i
  while (end < text.length && !isJsonSpace(text[end]) && text[end] !== "," && text[end] !== "]" && text[end] !== "}") {
    end++
  }
  // Numbers by their digits; true, false and null are no secrets.
  if ((inSecret || isSecretValue(path)) && first !== "t" && first !== "f" && first !== "n") out.push(text.slice(i, end))
  return end
}

/** The names of a query key as the CLI and PHP-style forms write nested fields: `a[b][]` or `a.b` → `a`, `b`. */
const queryKeyPath = (key: string): ReadonlyArray<string> =>
  key
    .split(/[[\].]+/)
    .filter((name) => name !== "")
    .map(fieldName)

/** What a value is, for a message that refuses it (never the value: a body may hold a password). */
const kindOfValue = (value: unknown): string =>
  value === null || value === undefined
    ? String(value)
    : Array.isArray(value)
      ? "an array"
      : typeof value === "object"
        ? "an object"
        : `a ${typeof value}`

/**
 * Why `request` cannot be sent as given, as a `TypeError`, or `undefined`: what the types require and a program in
 * plain JavaScript may not give — a `body` that is not JSON text (an object would be sent as `[object Object]`, a
 * ThoughtSpot `BadRequest` that blames the server, and its secrets would go unnoticed), a `query` that is not
 * `[name, value]` pairs of text, `secrets` that are not texts, a method REST v2.0 does not use.
 */
export const requestProblem = (request: ApiRequest): TypeError | undefined => {
  const given = request as { readonly [K in keyof ApiRequest]?: unknown }
  if (!(methods as ReadonlyArray<unknown>).includes(given.method)) {
    return new TypeError(
      `request.method must be one of ${methods.join(", ")}, got ${typeof given.method === "string" ? JSON.stringify(given.method.slice(0, 20)) : kindOfValue(given.method)}`
    )
  }
  if (typeof given.path !== "string") return new TypeError(`request.path must be text, got ${kindOfValue(given.path)}`)
  if (given.body !== undefined && typeof given.body !== "string") {
    return new TypeError(
      `request.body must be JSON text (a string), got ${kindOfValue(given.body)}: pass JSON.stringify(body), or leave it out for no body`
    )
  }
  const query = given.query
  if (
    query !== undefined &&
    !(
      Array.isArray(query) &&
      query.every(
        (pair: unknown) =>
          Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "string" && typeof pair[1] === "string"
      )
    )
  ) {
    return new TypeError(
      `request.query must be an array of [name, value] pairs of text, got ${kindOfValue(query)}: e.g. [["record_size", "10"]]`
    )
  }
  const secrets = given.secrets
  if (secrets !== undefined && !(Array.isArray(secrets) && secrets.every((s: unknown) => typeof s === "string"))) {
    return new TypeError(`request.secrets must be an array of texts, got ${kindOfValue(secrets)}`)
  }
  return undefined
}

/**
 * The secrets a request carries: the values of its {@link secretFields} and everything under them in the body (at
 * any depth) and in the query (its own parameters and those written in the path, `url_params[code]` under
 * `url_params`); the user info of any URL among its values (`https://user:token@host/…`); everything after the
 * host of a webhook's delivery `url` ({@link secretUrlEndpoints}); and its explicit `secrets`. A body that is not
 * JSON is sent as it is and searched for nothing (ThoughtSpot refuses it). A request {@link requestProblem} refuses
 * throws its `TypeError`: an object given as the body would otherwise be said to carry no secret.
 */
export const secretsOf = (request: ApiRequest): ReadonlyArray<string> => {
  const problem = requestProblem(request)
  if (problem !== undefined) throw problem
  const out: Array<string> = [...(request.secrets ?? [])]
  const checked = apiPath(request.path)
  const delivery = checked._tag === "Ok" && sendsSecretUrl(checked.path)
  if (request.body !== undefined) {
    try {
      // Checked first: the walk reads valid JSON only.
      const body: unknown = JSON.parse(request.body)
      walkSecrets(request.body, 0, [], false, out)
      const values: Array<string> = []
      stringsIn(body, values)
      for (const value of values) out.push(...urlSecrets(value, false))
      // Every `url` member as written: a key given twice is sent twice.
      for (const [key, value] of delivery ? (objectMembers(request.body) ?? []) : []) {
        const text: unknown = JSON.parse(value)
        if (JSON.parse(key) === "url" && typeof text === "string") out.push(...urlSecrets(text, true))
      }
    } catch {
      // Not JSON (or nested past the stack): searched for nothing.
    }
  }
  const at = request.path.indexOf("?")
  const written = at < 0 ? [] : [...new URLSearchParams(request.path.slice(at + 1))]
  for (const [key, value] of [...written, ...(request.query ?? [])]) {
    // Under a secret field as a body's value is (`url_params[code]`): the field or any of its ancestors.
    const path = queryKeyPath(key)
    if (isSecretValue(path) || path.some((_, i) => isSecretPath(path.slice(0, i + 1)))) out.push(value)
    out.push(...urlSecrets(value, delivery && key === "url"))
  }
  return out.filter((secret) => secret.length > 0)
}

/** The answer to an {@link ApiRequest} (2xx only: any other status is a `ThoughtSpotError`). */
export interface ApiResponse {
  readonly status: number
  /** `Content-Type` as sent, if any. */
  readonly contentType: string | undefined
  /**
   * The body's bytes as received (after a `Content-Encoding` is undone; a leading UTF-8 byte order mark, which
   * JSON forbids, is dropped). Empty for a 204. A copy the caller owns.
   */
  readonly bytes: Uint8Array
}

/**
 * The path below `/api/rest/2.0/` that `path` names, or why it is refused: an absolute URL (the host is the
 * client's), another API version, a `.` or `..` segment (also `%2e`-encoded: a URL parser would resolve it
 * out of the API), a backslash, a fragment or a control character (a line break or tab, which a URL parser
 * drops). One leading `/` and the `/api/rest/2.0/` prefix are taken off; a
 * query string is kept.
 */
export const apiPath = (
  path: string
): { readonly _tag: "Ok"; readonly path: string } | { readonly _tag: "Refused"; readonly message: string } => {
  const refused = (message: string) => ({ _tag: "Refused" as const, message })
  const trimmed = path.trim()
  // A URL parser drops line breaks and tabs (`sys⏎tem` would call `system`): refused, as the host rule does.
  const control = /\p{Cc}/u.exec(trimmed)
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")
    return refused(
      `the path has a control character (U+${code}, a line break, tab or the like, at character ${control.index + 1}), which a URL parser would drop or re-encode: remove it`
    )
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) || trimmed.startsWith("//")) {
    return refused(
      "give the endpoint's path (e.g. metadata/search), not a URL: the host comes from the connection (--host, THOUGHTSPOT_HOST)"
    )
  }
  let rest = trimmed.startsWith("/") ? trimmed.slice(1) : trimmed
  const route = rest.split("?", 1)[0] ?? ""
  if (/^api\/rest\/2\.0(\/|$)/i.test(route)) rest = rest.slice("api/rest/2.0".length).replace(/^\//, "")
  else if (/^api\/rest(\/|$)/i.test(route)) {
    return refused("only REST API v2.0 is reachable: give a path below /api/rest/2.0/, e.g. metadata/search")
  }
  const endpoint = rest.split("?", 1)[0] ?? ""
  if (endpoint === "") return refused("the path names no endpoint: give one, e.g. metadata/search")
  if (rest.includes("#")) return refused("the path has a fragment (#…), which is never sent: leave it out")
  if (rest.includes("\\")) return refused("the path has a backslash: separate its segments with /")
  const segments = endpoint.split("/").map((s) => s.toLowerCase().replaceAll("%2e", "."))
  if (segments.some((s) => s === "." || s === "..")) {
    return refused("the path has a . or .. segment, which would leave /api/rest/2.0/: name the endpoint itself")
  }
  // A trailing slash is kept (the spec writes ai/relevant-questions/ so); an empty segment inside is refused.
  if (segments.slice(0, -1).some((s) => s === "")) {
    return refused("the path has an empty segment (//): name the endpoint itself")
  }
  return { _tag: "Ok", path: rest }
}

/**
 * `path` as messages show it: without its query, fragment or a URL's user name and password, any of which may
 * hold a secret (`system?token=…`); `?…` marks what was left out.
 */
export const shownPath = (path: string): string => {
  // The user info first, to the last @ before a slash (a password may hold an @, a ? or a #).
  const text = path.trim().replace(/^((?:[a-z][a-z0-9+.-]*:)?[\\/]{2})[^/\\]*@/i, "$1")
  const cut = text.search(/[?#]/)
  return cut < 0 ? text : `${text.slice(0, cut)}?…`
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const isSpace = (code: number | undefined) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09

const skipSpace = (bytes: Uint8Array, at: number): number => {
  let i = at
  while (isSpace(bytes[i])) i++
  return i
}

/** The index after the string starting at `at` (its opening quote). */
const skipString = (bytes: Uint8Array, at: number): number => {
  let i = at + 1
  while (i < bytes.length) {
    const code = bytes[i]
    if (code === BACKSLASH) i += 2
    else if (code === QUOTE) return i + 1
    else i++
  }
  return i
}

/** The index after the value starting at `at` (valid JSON assumed: checked by the callers). */
const skipValue = (bytes: Uint8Array, at: number): number => {
  const first = bytes[at]
  if (first === QUOTE) return skipString(bytes, at)
  if (first === 0x7b || first === 0x5b) {
    let depth = 0
    let i = at
    while (i < bytes.length) {
      const code = bytes[i]
      if (code === QUOTE) {
        i = skipString(bytes, i)
        continue
      }
      if (code === 0x7b || code === 0x5b) depth++
      else if (code === 0x7d || code === 0x5d) {
        depth--
        if (depth === 0) return i + 1
      }
      i++
    }
    return i
  }
  let i = at
  while (i < bytes.length && !isSpace(bytes[i]) && bytes[i] !== 0x2c && bytes[i] !== 0x5d && bytes[i] !== 0x7d) i++
  return i
}

/** What a JSON text is at its top level, for messages. */
export type JsonKind = "object" | "array" | "string" | "number" | "boolean" | "null"

const kindOf = (value: unknown): JsonKind =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "array"
      : (typeof value as "object" | "string" | "number" | "boolean")

/**
 * The elements of a JSON array, each as the bytes it was written with (a view into `bytes`), or what the text
 * is instead: `NotJson` (not UTF-8 or not JSON) or `NotArray` with its kind.
 */
export const arrayElements = (
  bytes: Uint8Array
):
  | { readonly _tag: "Array"; readonly elements: ReadonlyArray<Uint8Array> }
  | { readonly _tag: "NotArray"; readonly kind: JsonKind }
  | { readonly _tag: "NotJson" } => {
  const json = parsed(bytes)
  if (json === undefined) return { _tag: "NotJson" }
  if (!Array.isArray(json.value)) return { _tag: "NotArray", kind: kindOf(json.value) }
  const elements: Array<Uint8Array> = []
  let i = skipSpace(bytes, skipSpace(bytes, 0) + 1)
  while (bytes[i] !== 0x5d && i < bytes.length) {
    const end = skipValue(bytes, i)
    elements.push(bytes.subarray(i, end))
    i = skipSpace(bytes, end)
    if (bytes[i] === 0x2c) i = skipSpace(bytes, i + 1)
  }
  // The scan and the parser must agree; they always do on valid JSON.
  if (elements.length !== (json.value as ReadonlyArray<unknown>).length) return { _tag: "NotJson" }
  return { _tag: "Array", elements }
}

/**
 * `value` (valid JSON) on one line: as it is when it holds no line break, else with the whitespace outside its
 * strings left out (a string cannot hold a raw line break, so every value keeps its bytes).
 */
export const oneLine = (value: Uint8Array): Uint8Array => {
  if (!value.includes(0x0a) && !value.includes(0x0d)) return value
  const out = new Uint8Array(value.length)
  let n = 0
  let i = 0
  while (i < value.length) {
    const code = value[i]!
    if (code === QUOTE) {
      const end = skipString(value, i)
      out.set(value.subarray(i, end), n)
      n += end - i
      i = end
    } else {
      if (!isSpace(code)) out[n++] = code
      i++
    }
  }
  return out.subarray(0, n)
}

/**
 * The members of a JSON object as `[key, value]` texts exactly as written (the key with its quotes), or
 * `undefined` when `text` is not a JSON object.
 */
export const objectMembers = (text: string): ReadonlyArray<readonly [string, string]> | undefined => {
  const bytes = Buffer.from(text, "utf8")
  const json = parsed(bytes)
  if (json === undefined || kindOf(json.value) !== "object") return undefined
  const members: Array<readonly [string, string]> = []
  let i = skipSpace(bytes, skipSpace(bytes, 0) + 1)
  while (bytes[i] === QUOTE) {
    const keyEnd = skipString(bytes, i)
    const valueStart = skipSpace(bytes, skipSpace(bytes, keyEnd) + 1)
    const valueEnd = skipValue(bytes, valueStart)
    members.push([bytes.toString("utf8", i, keyEnd), bytes.toString("utf8", valueStart, valueEnd)])
    i = skipSpace(bytes, valueEnd)
    if (bytes[i] === 0x2c) i = skipSpace(bytes, i + 1)
  }
  return members
}

/**
 * The JSON object `members` (as {@link objectMembers} gives them) with `replaced` (key → JSON text) set: a key
 * already there is replaced where it stands, new ones come last. Every other member keeps its text.
 */
export const withMembers = (
  members: ReadonlyArray<readonly [string, string]>,
  replaced: ReadonlyArray<readonly [string, string]>
): string => {
  const wanted = new Map(replaced)
  const left = new Map(replaced)
  const out = members.flatMap(([key, value]): ReadonlyArray<string> => {
    const name = JSON.parse(key) as string
    if (!wanted.has(name)) return [`${key}:${value}`]
    if (!left.has(name)) return [] // given twice: said once
    const text = `${key}:${left.get(name)}`
    left.delete(name)
    return [text]
  })
  for (const [name, value] of left) out.push(`${JSON.stringify(name)}:${value}`)
  return `{${out.join(",")}}`
}
